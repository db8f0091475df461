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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  artifacts,
  launchBrowser,
  openPage,
  seriousViolations,
  startDemoServer,
  stopAll,
} from './support.js';

let server;
let dataDir;
let browser;
const problems = [];

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'holdfast-erase-'));
  server = await startDemoServer(join(dataDir, 'campaign'));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stopAll();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function api(path) {
  const response = await fetch(`${server.base}${path}`);
  assert.equal(response.status, 200, path);
  return response.json();
}

describe('erasing a member from the web UI', () => {
  test('a steward erases a member after typing their full name', async () => {
    const [today, members] = await Promise.all([api('/api/today'), api('/api/members')]);
    assert.ok(today.me.roles.includes('steward'), 'the demo device belongs to a steward');
    const chosen = members.find(
      (member) => member.id !== today.me.id && !member.roles.includes('steward'),
    );
    assert.ok(chosen, 'the demo has a member to erase');

    const page = await openPage(browser, problems);
    await page.goto(`${server.base}/#/members`);
    await page.waitForSelector('body[data-ready] .screen[data-screen="members"]');
    await page.waitForSelector('main:not([aria-busy])');

    // Rows carry no buttons until one is opened. The steward's own row,
    // opened, offers no erasure; the chosen member's does.
    await page.getByLabel('Find by name or site').fill(today.me.name);
    const own = page.locator(`[data-member="${today.me.id}"]`);
    await own.waitFor();
    await own.locator('summary').click();
    assert.equal(await own.getByRole('button', { name: /^Erase/ }).count(), 0);
    await page.getByLabel('Find by name or site').fill(chosen.name);
    const row = page.locator(`[data-member="${chosen.id}"]`);
    assert.equal(
      await row.getByRole('button', { name: `Erase ${chosen.name}…` }).isVisible(),
      false,
    );
    await row.locator('summary').click();
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
    assert.equal(
      await page.evaluate(() => document.activeElement?.id),
      await typed.getAttribute('id'),
    );
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({
      path: join(artifacts, 'members-erase-question-390x844.png'),
      fullPage: true,
    });

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
    await page.screenshot({
      path: join(artifacts, 'members-erase-refused-390x844.png'),
      fullPage: true,
    });

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
    await page.context().close();
  });
});
