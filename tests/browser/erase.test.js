// A steward erases a member from the Members screen, in Debian's Chromium
// at phone size against the real server and a fresh demo campaign: "Erase…"
// asks in place, a wrong name is refused with the server's words and
// changes nothing, the full name erases the member, who is then gone from
// the list and from the API, and the screen says what was removed. axe-core
// checks the question and the answer; screenshots go to
// tests/browser/artifacts/.
//
// Build the server first: cargo build -p holdfast-http --example serve
// (or name a built one in HOLDFAST_SERVE_BIN). Chromium comes from Debian's
// `chromium` package; no browser is downloaded.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

function serverBinary() {
  const candidates = [
    process.env.HOLDFAST_SERVE_BIN,
    join(resolve(root, process.env.CARGO_TARGET_DIR ?? 'target'), 'debug/examples/serve'),
  ].filter(Boolean);
  const found = candidates.find((path) => existsSync(path));
  if (!found) {
    throw new Error(`no server binary at ${candidates.join(' or ')}; run: cargo build -p holdfast-http --example serve`);
  }
  return found;
}

// Starts the example server on a free port with a fresh demo campaign and
// resolves with its address once it prints the URL.
function startServer(dataDir) {
  return new Promise((resolveStart, rejectStart) => {
    const child = spawn(serverBinary(), [dataDir, '0', '--demo'], {
      env: { ...process.env, HOLDFAST_UI_DIR: join(root, 'ui') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => rejectStart(new Error(`the server did not start: ${output}`)), 120_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const found = output.match(/serving at (http:\/\/[^\s]+)/);
      if (found) {
        clearTimeout(timer);
        resolveStart({ child, base: found[1].replace(/\/$/, '') });
      }
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      rejectStart(new Error(`the server stopped (${code}): ${output}`));
    });
  });
}

let server;
let dataDir;
let browser;
const problems = [];

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'holdfast-erase-'));
  server = await startServer(join(dataDir, 'campaign'));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  server?.child.kill();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function api(path) {
  const response = await fetch(`${server.base}${path}`);
  assert.equal(response.status, 200, path);
  return response.json();
}

// axe-core goes in through the debugging protocol: the page's policy
// forbids the inline script that addScriptTag would insert.
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

describe('erasing a member from the web UI', () => {
  test('a steward erases a member after typing their full name', async () => {
    const [today, members] = await Promise.all([api('/api/today'), api('/api/members')]);
    assert.ok(today.me.roles.includes('steward'), 'the demo device belongs to a steward');
    const chosen = members.find((member) => member.id !== today.me.id && !member.roles.includes('steward'));
    assert.ok(chosen, 'the demo has a member to erase');

    const context = await browser.newContext({ viewport: PHONE, locale: 'en-US' });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    await page.goto(`${server.base}/#/members`);
    await page.waitForSelector('body[data-ready] .screen[data-screen="members"]');
    await page.waitForSelector('main:not([aria-busy])');

    // The steward's own row offers no erasure; the chosen member's does.
    await page.getByLabel('Find by name or site').fill(today.me.name);
    const own = page.locator(`[data-member="${today.me.id}"]`);
    await own.waitFor();
    assert.equal(await own.getByRole('button').count(), 0);
    await page.getByLabel('Find by name or site').fill(chosen.name);
    const row = page.locator(`[data-member="${chosen.id}"]`);
    await row.getByRole('button', { name: `Erase ${chosen.name}…` }).click();

    // The question is asked in the row, not in a dialog, and the field for
    // the name has the focus.
    const question = row.getByRole('group', { name: `Erase ${chosen.name} from the record?` });
    await question.waitFor();
    const text = await question.textContent();
    assert.match(text, /removed from this device now/);
    assert.match(text, /once they sync with a steward's device/);
    assert.match(text, /check-ins stay/);
    assert.match(text, /cannot be undone/);
    const typed = question.getByLabel(`Type their full name, ${chosen.name}, to confirm`);
    assert.equal(await page.evaluate(() => document.activeElement?.id), await typed.getAttribute('id'));
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(artifacts, 'members-erase-question-390x844.png'), fullPage: true });

    // Cancel puts the button back; asking again starts from an empty field.
    await question.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await question.count(), 0);
    await row.getByRole('button', { name: `Erase ${chosen.name}…` }).click();
    assert.equal(await typed.inputValue(), '');

    // A wrong name is refused in the server's words, and nothing changes.
    await typed.fill('someone else');
    await question.getByRole('button', { name: 'Erase for good' }).click();
    const refusal = question.getByRole('alert');
    await refusal.waitFor();
    assert.equal(
      await refusal.textContent(),
      `Nothing was erased: type the member's full name, ${chosen.name}, to confirm the erasure`,
    );
    assert.ok((await api('/api/members')).some((member) => member.id === chosen.id));
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(artifacts, 'members-erase-refused-390x844.png'), fullPage: true });

    // Typed as a person would, in lower case: the member is erased.
    await typed.fill(` ${chosen.name.toLowerCase()} `);
    await question.getByRole('button', { name: 'Erase for good' }).click();
    const result = page.getByTestId('erase-result');
    await result.waitFor();
    const said = await result.textContent();
    assert.ok(said.startsWith(`${chosen.name} was erased.`), said);
    assert.match(said, /with no name attached/);
    assert.match(said, /gone from this device's history too/);
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'erase-result');

    // Gone from the list, even with the search that found them kept, and
    // from the API.
    assert.equal(await page.getByLabel('Find by name or site').inputValue(), chosen.name);
    assert.equal(await page.locator(`[data-member="${chosen.id}"]`).count(), 0);
    assert.ok(!(await api('/api/members')).some((member) => member.id === chosen.id));
    assert.equal((await api('/api/members')).length, members.length - 1);
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: join(artifacts, 'members-erased-390x844.png'), fullPage: true });

    // The only console error is the browser's own line for the refused
    // request.
    const logged = problems.splice(0);
    const refused = logged.filter((problem) => /status of 400/.test(problem));
    assert.equal(refused.length, 1, logged.join('\n'));
    assert.deepEqual(
      logged.filter((problem) => !refused.includes(problem)),
      [],
    );
    await context.close();
  });
});
