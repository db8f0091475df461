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
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  artifacts,
  holdfast,
  launchBrowser,
  openPage,
  seriousViolations,
  start,
  stop,
  stopAll,
} from './support.js';

const PASSPHRASE = 'bread and roses 1912';
const IDLE_SECONDS = 3;

// `holdfast serve` with a short idle time, until its output matches `ready`.
function serve(dataDir, ready) {
  return start(dataDir, ['serve', '--port', '0'], ready, {
    HOLDFAST_IDLE_LOCK_SECONDS: String(IDLE_SECONDS),
  });
}

let workDir;
let browser;
const problems = [];

before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'holdfast-lock-'));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stopAll();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const newPage = (locale) => openPage(browser, problems, undefined, locale);

const lockScreen = 'body[data-ready] .screen[data-screen="lock"]';

describe('a campaign locked with a passphrase', () => {
  test(
    'opens on the lock screen, unlocks, locks when idle or asked, and wipes',
    { timeout: 240_000 },
    async () => {
      const dataDir = join(workDir, 'campaign');
      await holdfast(dataDir, ['demo']);
      await holdfast(dataDir, ['passphrase', 'set'], { HOLDFAST_NEW_PASSPHRASE: PASSPHRASE });
      const { child, found } = await serve(
        dataDir,
        /serving the campaign at (http:\/\/\S+)\n(The campaign is locked[^\n]*)/,
      );
      const base = found[1].replace(/\/$/, '');
      const lockState = async () => (await fetch(`${base}/api/lock`)).json();
      assert.deepEqual(await lockState(), {
        locked: true,
        protection: 'passphrase',
        idle_lock_seconds: IDLE_SECONDS,
      });
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
      assert.equal(
        await error.textContent(),
        'That passphrase is wrong. Nothing was changed; try again.',
      );
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'lock-passphrase');
      assert.equal((await lockState()).locked, true);
      assert.deepEqual(await seriousViolations(page), []);
      await page.screenshot({
        path: join(artifacts, 'lock-wrong-passphrase-390x844.png'),
        fullPage: true,
      });

      // The right one opens Today.
      await passphrase.fill(PASSPHRASE);
      await unlock.click();
      await page.waitForSelector('body:not(.locked) .screen[data-screen="today"]', {
        timeout: 30_000,
      });
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
      assert.equal(
        await spanish.locator('h2.screen-title').textContent(),
        'Holdfast está bloqueado',
      );
      assert.equal(await spanish.getByLabel('Frase de contraseña').count(), 1);
      assert.deepEqual(await seriousViolations(spanish), []);
      await spanish.screenshot({
        path: join(artifacts, 'lock-screen-es-390x844.png'),
        fullPage: true,
      });
      await spanish.context().close();

      // Unlocked again, "Lock" locks at once.
      await passphrase.fill(PASSPHRASE);
      await unlock.click();
      await page.waitForSelector('body:not(.locked) .screen[data-screen="today"]', {
        timeout: 30_000,
      });
      const [locking] = await Promise.all([
        page.waitForResponse(
          (response) =>
            response.url().endsWith('/api/lock') && response.request().method() === 'POST',
        ),
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
      assert.equal(
        await wipeError.textContent(),
        'Nothing was wiped. Type WIPE in the box to confirm.',
      );
      assert.ok(existsSync(join(dataDir, 'holdfast.key')));
      assert.ok(existsSync(join(dataDir, 'holdfast.sqlite3')));

      // With the word, the key and the database are gone, and the page says
      // the device holds nothing.
      await confirm.fill('WIPE');
      await wipe.click();
      await page.waitForSelector('body[data-ready] .screen[data-screen="wiped"]', {
        timeout: 30_000,
      });
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
    },
  );
});
