// The lock screen, quick lock and the emergency wipe, with the real
// `holdfast` program: a demo campaign is given a passphrase and served
// without it, so the web UI opens on the lock screen. In Chromium at phone
// size: a wrong passphrase is named and changes nothing, the right one opens
// Today, three seconds without a touch lock it again, "Lock" locks at once,
// and the emergency wipe, confirmed with the typed word, leaves the folder
// with neither the key nor the database. axe-core checks the lock screen in
// English and Spanish; screenshots go to tests/browser/artifacts/.
//
// Build the program first: cargo build -p holdfast (or name a built one in
// HOLDFAST_BIN). Chromium comes from Debian's `chromium` package.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const artifacts = join(here, 'artifacts');
const axePath = join(here, 'node_modules/axe-core/axe.min.js');
const PHONE = { width: 390, height: 844 };
const PASSPHRASE = 'bread and roses 1912';
const IDLE_SECONDS = 3;

function holdfastBinary() {
  const candidates = [
    process.env.HOLDFAST_BIN,
    // CARGO_TARGET_DIR may be relative to the top of the repository.
    join(resolve(root, process.env.CARGO_TARGET_DIR ?? 'target'), 'debug/holdfast'),
  ].filter(Boolean);
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`no holdfast program at ${candidates.join(' or ')}; run: cargo build -p holdfast`);
  return found;
}

// The children's environment: the UI from this source tree, a short idle
// time, and no data folder or passphrase inherited from whoever runs the tests.
function childEnvironment(extra = {}) {
  const env = { ...process.env, HOLDFAST_UI_DIR: join(root, 'ui'), HOLDFAST_IDLE_LOCK_SECONDS: String(IDLE_SECONDS), ...extra };
  delete env.HOLDFAST_DATA_DIR;
  if (!('HOLDFAST_PASSPHRASE' in extra)) delete env.HOLDFAST_PASSPHRASE;
  return env;
}

// Runs one command to its end and returns what it printed as JSON.
function holdfast(dataDir, args, extra = {}) {
  return new Promise((resolveRun, rejectRun) => {
    execFile(
      holdfastBinary(),
      ['--data-dir', dataDir, '--json', ...args],
      { env: childEnvironment(extra), timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) rejectRun(new Error(`holdfast ${args.join(' ')} failed: ${error.message}\n${stderr}`));
        else resolveRun(JSON.parse(stdout));
      },
    );
  });
}

const running = new Set();

// Starts `holdfast serve` and resolves once its output matches `ready`.
function serve(dataDir, ready) {
  return new Promise((resolveStart, rejectStart) => {
    const child = spawn(holdfastBinary(), ['--data-dir', dataDir, 'serve', '--port', '0'], {
      env: childEnvironment(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let output = '';
    let started = false;
    const timer = setTimeout(() => rejectStart(new Error(`holdfast serve did not start: ${output}`)), 60_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const found = !started && output.match(ready);
      if (found) {
        started = true;
        clearTimeout(timer);
        resolveStart({ child, found });
      }
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('exit', (code) => {
      running.delete(child);
      clearTimeout(timer);
      if (!started) rejectStart(new Error(`holdfast serve stopped (${code}): ${output}`));
    });
  });
}

async function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolveGone) => child.once('exit', resolveGone));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await gone;
  clearTimeout(timer);
}

let workDir;
let browser;
const problems = [];

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  workDir = mkdtempSync(join(tmpdir(), 'holdfast-lock-'));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  await Promise.all([...running].map((child) => stop(child)));
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

// The page's policy forbids inline scripts, so axe-core is evaluated through
// the debugging protocol, as in ui.test.js.
let axeSource;
async function seriousViolations(page) {
  axeSource ??= readFileSync(axePath, 'utf8');
  await page.evaluate(axeSource);
  const results = await page.evaluate(() =>
    globalThis.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }),
  );
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).slice(0, 3).join('; ')})`);
}

async function newPage(locale) {
  const context = await browser.newContext({ viewport: PHONE, locale });
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  return page;
}

const lockScreen = 'body[data-ready] .screen[data-screen="lock"]';

describe('a campaign locked with a passphrase', () => {
  test('opens on the lock screen, unlocks, locks when idle or asked, and wipes', { timeout: 240_000 }, async () => {
    const dataDir = join(workDir, 'campaign');
    await holdfast(dataDir, ['demo']);
    await holdfast(dataDir, ['passphrase', 'set'], { HOLDFAST_NEW_PASSPHRASE: PASSPHRASE });
    const { child, found } = await serve(dataDir, /serving the campaign at (http:\/\/\S+)\n(The campaign is locked[^\n]*)/);
    const base = found[1].replace(/\/$/, '');
    const lockState = async () => (await fetch(`${base}/api/lock`)).json();
    assert.deepEqual(await lockState(), { locked: true, protection: 'passphrase', idle_lock_seconds: IDLE_SECONDS });
    assert.equal((await fetch(`${base}/api/today`)).status, 423);

    // The lock screen, with the passphrase field focused.
    const page = await newPage('en-US');
    await page.goto(`${base}/`);
    await page.waitForSelector(lockScreen);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'lock-passphrase');
    assert.equal(await page.title(), 'Holdfast is locked · Holdfast');
    assert.equal(await page.locator('#nav').isVisible(), false, 'no screens while locked');
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(artifacts, 'lock-screen-390x844.png'), fullPage: true });

    // A wrong passphrase is named, and the campaign stays locked.
    const passphrase = page.getByLabel('Passphrase');
    const unlock = page.getByRole('button', { name: 'Unlock' });
    await passphrase.fill('scab');
    await unlock.click();
    const error = page.locator('#lock-error');
    await error.waitFor({ state: 'visible' });
    assert.equal(await error.textContent(), 'That passphrase is wrong. Nothing was changed; try again.');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'lock-passphrase');
    assert.equal((await lockState()).locked, true);
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(artifacts, 'lock-wrong-passphrase-390x844.png'), fullPage: true });

    // The right one opens Today.
    await passphrase.fill(PASSPHRASE);
    await unlock.click();
    await page.waitForSelector('body:not(.locked) .screen[data-screen="today"]', { timeout: 30_000 });
    assert.equal((await lockState()).locked, false);
    const lockNow = page.getByRole('button', { name: 'Lock', exact: true });
    assert.equal(await lockNow.isVisible(), true, '"Lock" is in the header');
    await page.screenshot({ path: join(artifacts, 'lock-unlocked-today-390x844.png') });

    // Left alone for the idle time, it locks itself.
    const idleFrom = Date.now();
    await page.waitForSelector(lockScreen, { timeout: 20_000 });
    const idleFor = (Date.now() - idleFrom) / 1000;
    assert.ok(idleFor >= IDLE_SECONDS - 1, `locked after ${idleFor} s`);
    assert.equal((await lockState()).locked, true);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'lock-passphrase');

    // The lock screen in Spanish, in a second window, passes the same checks.
    const spanish = await newPage('es-ES');
    await spanish.goto(`${base}/`);
    await spanish.waitForSelector(lockScreen);
    assert.equal(await spanish.locator('h2.screen-title').textContent(), 'Holdfast está bloqueado');
    assert.equal(await spanish.getByLabel('Frase de contraseña').count(), 1);
    assert.deepEqual(await seriousViolations(spanish), []);
    await spanish.screenshot({ path: join(artifacts, 'lock-screen-es-390x844.png'), fullPage: true });
    await spanish.context().close();

    // Unlocked again, "Lock" locks at once.
    await passphrase.fill(PASSPHRASE);
    await unlock.click();
    await page.waitForSelector('body:not(.locked) .screen[data-screen="today"]', { timeout: 30_000 });
    const [locking] = await Promise.all([
      page.waitForResponse((response) => response.url().endsWith('/api/lock') && response.request().method() === 'POST'),
      lockNow.click(),
    ]);
    assert.equal(locking.status(), 200);
    await page.waitForSelector(lockScreen, { timeout: 5_000 });
    assert.equal((await lockState()).locked, true);

    // The emergency wipe asks for the word first and wipes nothing without it.
    const confirm = page.getByLabel('Type WIPE to confirm');
    const wipe = page.getByRole('button', { name: 'Wipe this device' });
    assert.match(await page.locator('#wipe-explain').textContent(), /cannot be undone/);
    await confirm.fill('yes');
    await wipe.click();
    const wipeError = page.locator('#wipe-error');
    await wipeError.waitFor({ state: 'visible' });
    assert.equal(await wipeError.textContent(), 'Nothing was wiped. Type WIPE in the box to confirm.');
    assert.ok(existsSync(join(dataDir, 'holdfast.key')));
    assert.ok(existsSync(join(dataDir, 'holdfast.sqlite3')));

    // With the word, the key and the database are gone, and the page says
    // the device holds nothing.
    await confirm.fill('WIPE');
    await wipe.click();
    await page.waitForSelector('body[data-ready] .screen[data-screen="wiped"]', { timeout: 30_000 });
    assert.equal(await page.locator('h1').textContent(), 'This device holds no campaign');
    const left = readdirSync(dataDir);
    assert.ok(!left.includes('holdfast.key'), `left: ${left}`);
    assert.ok(!left.some((name) => name.startsWith('holdfast.sqlite3')), `left: ${left}`);
    assert.equal((await fetch(`${base}/api/lock`)).status, 404);
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(artifacts, 'lock-wiped-390x844.png'), fullPage: true });

    await stop(child);

    // Chromium logs each refused request as a failed load: the locked API
    // (423) and the wrong passphrase (401) were expected; nothing else.
    const logged = problems.splice(0);
    assert.deepEqual(
      logged.filter((problem) => !/status of (423|401)/.test(problem)),
      [],
    );
  });
});
