// The web UI in Debian's Chromium against the real server and a seeded demo
// campaign: check in and out, run a circle to the put-away screen, file an
// aid request and see the totals move, read the 48-hour report, invite a
// device and try to revoke one on the Sync & devices screen, and run
// axe-core on every screen in both languages' main view. Screenshots of every
// screen at phone and desktop size go to tests/browser/artifacts/.
//
// Build the server first: cargo build -p holdfast-http --example serve
// (or name a built one in HOLDFAST_SERVE_BIN). Chromium comes from Debian's
// `chromium` package; no browser is downloaded.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import * as support from './support.js';
import {
  artifacts,
  launchBrowser,
  PHONE,
  seriousViolations,
  startDemoServer,
  stopAll,
} from './support.js';

const DESKTOP = { width: 1280, height: 800 };
const SCREENS = [
  'today',
  'captain',
  'choke-points',
  'cadence',
  'circle',
  'skills',
  'decisions',
  'aid',
  'sovereignty',
  'members',
  'attention',
  'sync',
];

let server;
let dataDir;
let browser;
const problems = [];

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'holdfast-browser-'));
  server = await startDemoServer(join(dataDir, 'campaign'));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stopAll();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

// A page that records script errors and policy violations, so any test
// that sees one fails instead of passing on a half-working screen.
const openPage = (viewport = PHONE, locale = 'en-US') =>
  support.openPage(browser, problems, viewport, locale);

async function show(page, screen) {
  await page.goto(`${server.base}/#/${screen}`);
  await page.waitForSelector(`body[data-ready] .screen[data-screen="${screen}"]`);
  await page.waitForSelector('main:not([aria-busy])');
}

async function api(path) {
  const response = await fetch(`${server.base}${path}`);
  assert.equal(response.status, 200, path);
  return response.json();
}

function noProblems() {
  assert.deepEqual(problems.splice(0), []);
}

describe('the Holdfast web UI', () => {
  test('a member checks in with one tap, sees it saved, and checks out', async () => {
    const page = await openPage();
    await show(page, 'today');
    const button = page.getByTestId('check-button');
    const state = page.getByTestId('check-state');
    assert.equal((await button.textContent()).trim(), 'Check in');
    await button.click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=check-state]')?.textContent.startsWith('Checked in at'),
    );
    assert.match(await state.textContent(), /^Checked in at .+\. Saved on this device\.$/);
    assert.equal(await button.isVisible(), false, "the saved state takes the big button's place");
    await page.getByTestId('check-out').waitFor();
    const today = await api('/api/today');
    assert.equal(today.checked_in, true);

    // The saved state survives a reload: it comes from the record, not the page.
    await page.reload();
    await page.waitForSelector('body[data-ready] .screen[data-screen="today"]');
    assert.match(await state.textContent(), /^You are checked in since /);

    // Check-in times have one-second resolution; a real picketer never
    // checks out within the same second, so neither does the test.
    // Checking out asks first.
    await page.waitForTimeout(1100);
    await page.getByTestId('check-out').click();
    await page.getByRole('button', { name: 'Yes, check out' }).click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=check-state]')?.textContent.startsWith('Checked out at'),
    );
    assert.equal((await button.textContent()).trim(), 'Check in');
    assert.equal((await api('/api/today')).checked_in, false);
    await page.context().close();
    noProblems();
  });

  test('a mis-tap is undone in one tap, and the record keeps it voided', async () => {
    const page = await openPage();
    await show(page, 'today');
    await page.waitForTimeout(1100);
    const saved = page.waitForResponse((response) => response.url().endsWith('/api/check-in'));
    await page.getByTestId('check-button').click();
    const check = await (await saved).json();
    const voided = page.waitForResponse((response) =>
      response.url().endsWith(`/api/check-ins/${check.id}/void`),
    );
    await page.getByTestId('undo').click();
    const answer = await (await voided).json();
    assert.equal(answer.id, check.id);
    assert.equal(answer.voided, true, 'the record keeps the check-in, marked void');
    await page
      .getByTestId('check-state')
      .getByText('Check-in undone. You are not checked in.')
      .waitFor();
    assert.equal((await api('/api/today')).checked_in, false);
    assert.equal(await page.getByTestId('check-button').isVisible(), true);
    await page.context().close();
    noProblems();
  });

  test('a keyboard check-in keeps focus, and the status line goes with the screen', async () => {
    const page = await openPage();
    await show(page, 'today');
    await page.waitForTimeout(1100);
    await page.getByTestId('check-button').focus();
    const saved = page.waitForResponse((response) => response.url().endsWith('/api/check-in'));
    await page.keyboard.press('Enter');
    const check = await (await saved).json();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=check-state]')?.textContent.startsWith('Checked in at'),
    );
    assert.equal(
      await page.evaluate(() => document.activeElement?.dataset.testid),
      'check-state',
      'focus stays on the saved state, not on the page',
    );
    // The status line says it too; it makes room under the screen while it
    // shows, and goes when another screen opens.
    await page.locator('#status:not(:empty)').waitFor();
    assert.equal(await page.evaluate(() => document.body.classList.contains('with-status')), true);
    await page.screenshot({ path: join(artifacts, 'today-keyboard-check-in-390x844.png') });
    await page.evaluate(() => {
      location.hash = '#/circle';
    });
    await page.waitForSelector('.screen[data-screen="circle"]');
    assert.equal(await page.locator('#status').textContent(), '');
    assert.equal(await page.evaluate(() => document.body.classList.contains('with-status')), false);

    // Back on Today the check-in is still saved; checking out puts the
    // demo device back as the other tests expect it.
    await show(page, 'today');
    assert.match(await page.getByTestId('check-state').textContent(), /^You are checked in since /);
    await page.waitForTimeout(1100);
    await page.getByTestId('check-out').click();
    await page.getByRole('button', { name: 'Yes, check out' }).click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=check-state]')?.textContent.startsWith('Checked out at'),
    );
    assert.ok(check.id);
    await page.context().close();
    noProblems();
  });

  test('quiet mode comes on by itself while the member is checked in', async () => {
    const page = await openPage();
    await page.addInitScript(() => {
      window.buzzes = 0;
      navigator.vibrate = () => {
        window.buzzes += 1;
        return true;
      };
    });
    await show(page, 'today');
    const quiet = () => page.evaluate(() => document.body.classList.contains('quiet'));
    const how = () => page.getByTestId('quiet-how').textContent();
    assert.equal(await quiet(), false);
    assert.equal(await how(), 'It comes on by itself while you are checked in at an action.');

    await page.waitForTimeout(1100);
    await page.getByTestId('check-button').click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=check-state]')?.textContent.startsWith('Checked in at'),
    );
    assert.equal(await quiet(), true, 'checked in at an action: quiet');
    assert.equal((await page.getByTestId('quiet').textContent()).trim(), 'Quiet mode is on');
    assert.equal(await how(), 'On by itself: you are checked in at an action.');
    assert.equal(await page.evaluate(() => window.buzzes), 0, 'the check-in itself did not buzz');
    await page.screenshot({ path: join(artifacts, 'today-quiet-by-itself-390x844.png') });
    // It holds across a reload, from the saved check-in.
    await page.reload();
    await page.waitForSelector('body[data-ready] .screen[data-screen="today"]');
    assert.equal(await quiet(), true);

    // The person may turn it off, and let it come back by itself.
    await page.getByTestId('quiet').click();
    assert.equal(await quiet(), false);
    assert.equal(await how(), 'You turned it off, so it does not come on by itself at actions.');
    await page.getByTestId('quiet-auto').click();
    assert.equal(await quiet(), true);

    // Checked out, it goes off by itself, and the confirmation may buzz.
    await page.waitForTimeout(1100);
    await page.getByTestId('check-out').click();
    await page.getByRole('button', { name: 'Yes, check out' }).click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=check-state]')?.textContent.startsWith('Checked out at'),
    );
    assert.equal(await quiet(), false);
    assert.equal(await page.evaluate(() => window.buzzes), 1);
    await page.context().close();
    noProblems();
  });

  test('a slow answer shows that the screen is loading', async () => {
    const page = await openPage();
    await show(page, 'today');
    await page.route('**/api/circles/due', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    });
    await page.evaluate(() => {
      location.hash = '#/circle';
    });
    await page.getByTestId('loading').waitFor({ timeout: 1200 });
    assert.equal((await page.getByTestId('loading').textContent()).trim(), 'Loading…');
    await page.waitForSelector('.screen[data-screen="circle"]');
    assert.equal(await page.getByTestId('loading').count(), 0);
    await page.context().close();
    noProblems();
  });

  test('a double tap on Check in leaves the member checked in', async () => {
    for (const gap of [100, 400, 800]) {
      const page = await openPage();
      await show(page, 'today');
      const button = page.getByTestId('check-button');
      const box = await button.boundingBox();
      const x = box.x + box.width / 2;
      const y = box.y + box.height / 2;
      // Check-in times have one-second resolution.
      await page.waitForTimeout(1100);
      await page.mouse.click(x, y);
      await page.waitForTimeout(gap);
      await page.mouse.click(x, y);
      await page.waitForFunction(() =>
        document
          .querySelector('[data-testid=check-state]')
          ?.textContent.startsWith('Checked in at'),
      );
      await page.waitForTimeout(1000);
      const today = await api('/api/today');
      assert.equal(today.checked_in, true, `a second tap after ${gap} ms checked the member out`);
      assert.match(
        await page.getByTestId('check-state').textContent(),
        /^Checked in at /,
        `after ${gap} ms`,
      );
      // A double tap on "Yes, check out" does not check straight back in.
      await page.waitForTimeout(1100);
      await page.getByTestId('check-out').click();
      const yes = page.getByRole('button', { name: 'Yes, check out' });
      const yesBox = await yes.boundingBox();
      await page.mouse.click(yesBox.x + yesBox.width / 2, yesBox.y + yesBox.height / 2);
      await page.waitForTimeout(gap);
      await page.mouse.click(yesBox.x + yesBox.width / 2, yesBox.y + yesBox.height / 2);
      await page.waitForFunction(() =>
        document
          .querySelector('[data-testid=check-state]')
          ?.textContent.startsWith('Checked out at'),
      );
      await page.waitForTimeout(1000);
      assert.equal(
        (await api('/api/today')).checked_in,
        false,
        `a second tap on "Yes" after ${gap} ms checked back in`,
      );
      await page.context().close();
    }
    noProblems();
  });

  test('a captain checks in someone who signed up and sees the counts change', async () => {
    const page = await openPage();
    await show(page, 'captain');
    const missingBefore = Number(await page.locator('.count').nth(1).locator('dd').textContent());
    const hereBefore = Number(await page.locator('.count').nth(0).locator('dd').textContent());
    assert.ok(missingBefore > 0, 'the demo shift has people still to arrive');
    const first = page
      .locator('section', { hasText: 'Signed up, not here yet' })
      .locator('li')
      .first();
    const name = (await first.locator('.row-name').textContent()).trim();
    await first.getByRole('button', { name: `Check in ${name}` }).click();
    await page.getByRole('button', { name: `Check out ${name}` }).waitFor();
    // The row stays where the captain tapped, marked, so that a second tap
    // there checks nobody else in.
    await first.getByText('Here ✓').waitFor();
    assert.equal(
      (await first.locator('.row-name').textContent()).trim(),
      name,
      'the row did not move',
    );
    assert.deepEqual(
      await first.getByRole('button').allTextContents(),
      ['Undo'],
      'only the undo is left to tap',
    );
    assert.equal(
      Number(await page.locator('.count').nth(0).locator('dd').textContent()),
      hereBefore + 1,
    );
    assert.equal(
      Number(await page.locator('.count').nth(1).locator('dd').textContent()),
      missingBefore - 1,
    );

    // A mis-tap is taken back in one tap: the check-in stays in the record,
    // voided, and the row offers the check-in again.
    const voided = page.waitForResponse((response) =>
      /\/api\/check-ins\/[^/]+\/void$/.test(response.url()),
    );
    await first.getByRole('button', { name: `Undo for ${name}` }).click();
    assert.equal((await (await voided).json()).voided, true);
    await first.getByRole('button', { name: `Check in ${name}` }).waitFor();
    await page.waitForFunction(
      (expected) => Number(document.querySelectorAll('.count dd')[0].textContent) === expected,
      hereBefore,
    );
    assert.equal(
      Number(await page.locator('.count').nth(1).locator('dd').textContent()),
      missingBefore,
    );
    await page.context().close();
    noProblems();
  });

  test('a captain checks in a walk-in, and a steward adds them to the members', async () => {
    const page = await openPage();
    await show(page, 'captain');
    const hereBefore = Number(await page.locator('.count').nth(0).locator('dd').textContent());
    const form = page.locator('form.walk-in');
    // Without a name nothing is saved, and the form says why.
    await form.getByRole('button', { name: 'Check in' }).click();
    await form.getByText('Type their name first.').waitFor();
    await form.getByLabel('Their name').fill('Sam Ortiz');
    await form.getByLabel('Their phone number').fill('555 0199');
    await form.getByRole('button', { name: 'Check in' }).click();
    const here = page.locator('section', { hasText: 'Here now' });
    await here.getByText('Sam Ortiz').waitFor();
    assert.equal(
      Number(await page.locator('.count').nth(0).locator('dd').textContent()),
      hereBefore + 1,
    );
    const members = await api('/api/members');
    assert.ok(
      !members.some((member) => member.name === 'Sam Ortiz'),
      'not a member until a steward says so',
    );
    await page.screenshot({ path: join(artifacts, 'captain-walk-in-390x844.png'), fullPage: true });

    await show(page, 'attention');
    const item = page.getByTestId('walk-in-item').filter({ hasText: 'Sam Ortiz' });
    await item.getByText(/Sam Ortiz walked in at All-day .+, checked in by /).waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({
      path: join(artifacts, 'attention-walk-in-390x844.png'),
      fullPage: true,
    });
    await item.getByRole('button', { name: 'Add as a new member' }).click();
    await page.waitForFunction(() => !document.body.textContent.includes('Sam Ortiz walked in'));
    const after = await api('/api/members');
    assert.ok(after.some((member) => member.name === 'Sam Ortiz' && member.phone === '555 0199'));
    assert.deepEqual(await api('/api/walk-ins'), []);
    await page.context().close();
    noProblems();
  });

  test('the end of a circle round is plain to see', async () => {
    const due = await api('/api/circles/due');
    assert.ok(due.length > 0, 'the demo has a circle due');
    const page = await openPage();
    // A round kept in the tab with two seconds left, as after a reload.
    await page.addInitScript((action) => {
      sessionStorage.setItem(
        'holdfast.circle.round',
        JSON.stringify({
          action,
          participants: 5,
          index: 0,
          done: [],
          remaining: 2,
          paused: false,
          at: Date.now(),
        }),
      );
    }, due[0].action_id);
    await show(page, 'circle');
    await page.getByRole('heading', { name: /^Round 1 of / }).waitFor();
    await page.locator('.clock.time-up').waitFor({ timeout: 5000 });
    assert.equal(await page.getByTestId('clock').textContent(), '0:00');
    assert.equal(
      (await page.locator('p.note.time-up').textContent()).trim(),
      'Time is up. Let the last person finish, then move on.',
    );
    await page.screenshot({ path: join(artifacts, 'circle-time-up-390x844.png') });
    await page.context().close();
    noProblems();
  });

  test('a facilitator runs a circle round by round to the put-away screen', async () => {
    const page = await openPage();
    await show(page, 'circle');
    const rounds = await api('/api/circles/rounds');
    const dueBefore = (await api('/api/circles/due')).length;
    await page.getByRole('button', { name: 'Lead this circle' }).first().click();
    await page.getByLabel('How many people are in the circle').fill('7');
    await page.getByRole('button', { name: 'Begin the first round' }).click();

    const clock = page.getByTestId('clock');
    assert.equal(await clock.textContent(), `${rounds[0].minutes}:00`);
    await page.waitForFunction(
      (start) => document.querySelector('[data-testid=clock]')?.textContent !== start,
      `${rounds[0].minutes}:00`,
      { timeout: 3000 },
    );
    assert.equal(await clock.textContent(), `${rounds[0].minutes - 1}:59`);
    await page.screenshot({ path: join(artifacts, 'circle-round-390x844.png') });

    // Leaving the screen mid-round, or reloading, keeps the round and its
    // clock going.
    await page.getByRole('button', { name: 'Next round' }).click();
    await page.getByRole('heading', { name: `Round 2 of ${rounds.length}` }).waitFor();
    await page.evaluate(() => {
      location.hash = '#/today';
    });
    await page.waitForSelector('.screen[data-screen="today"]');
    await page.evaluate(() => {
      location.hash = '#/circle';
    });
    await page.getByRole('heading', { name: `Round 2 of ${rounds.length}` }).waitFor();
    await page.reload();
    await page.waitForSelector('body[data-ready] .screen[data-screen="circle"]');
    await page.getByRole('heading', { name: `Round 2 of ${rounds.length}` }).waitFor();
    await page.waitForFunction(
      (full) => document.querySelector('[data-testid=clock]')?.textContent !== full,
      `${rounds[1].minutes}:00`,
      { timeout: 3000 },
    );
    const [minutes, seconds] = (await clock.textContent()).split(':').map(Number);
    const left = minutes * 60 + seconds;
    assert.ok(
      left < rounds[1].minutes * 60 && left > rounds[1].minutes * 60 - 60,
      `the clock went on: ${left} s left`,
    );

    for (let index = 1; index < rounds.length; index += 1) {
      await page.getByRole('heading', { name: `Round ${index + 1} of ${rounds.length}` }).waitFor();
      await page.getByTestId('next-round').click();
    }
    await page.getByTestId('put-away').waitFor();
    assert.equal(
      await page.getByRole('heading', { level: 2 }).textContent(),
      'Put your phone away',
    );
    await page.screenshot({ path: join(artifacts, 'circle-put-away-390x844.png') });
    assert.equal((await api('/api/circles/due')).length, dueBefore - 1);

    await page.getByRole('button', { name: 'The circle is over' }).click();
    await page.getByLabel('What you want to remember').fill('The drumming kept us warm.');
    await page.getByRole('button', { name: 'Keep on this device' }).click();
    await page.getByText('Kept on this device.').waitFor();
    await page.getByLabel('My rest commitment').fill('Sunday morning, no phone, long walk.');
    await page.getByRole('button', { name: 'Share with the campaign' }).click();
    await page.getByText('Shared. Thank you for looking after yourself.').waitFor();
    await page.screenshot({
      path: join(artifacts, 'circle-afterwards-390x844.png'),
      fullPage: true,
    });

    const reflections = await api('/api/reflections');
    assert.ok(reflections.some((reflection) => reflection.text === 'The drumming kept us warm.'));
    const shared = await api('/api/circles/rest');
    assert.ok(
      shared.some((commitment) => commitment.commitment === 'Sunday morning, no phone, long walk.'),
    );
    await page.context().close();
    noProblems();
  });

  test('the aid screen puts what each pool holds first and folds earlier months away', async () => {
    const page = await openPage();
    await show(page, 'aid');
    const headings = await page.locator('.screen h3').allTextContents();
    assert.equal(headings[0].trim(), 'What each pool holds now', `sections: ${headings}`);
    const months = page.locator('details.month');
    const count = await months.count();
    assert.ok(count >= 2, 'the demo has several months of totals');
    assert.equal(
      await months.first().evaluate((month) => month.open),
      true,
      'the latest month is open',
    );
    for (let index = 1; index < count; index += 1) {
      assert.equal(await months.nth(index).evaluate((month) => month.open), false);
    }
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.screenshot({ path: join(artifacts, 'aid-folded-390x844.png'), fullPage: true });
    assert.ok(height < 4000, `the aid screen is ${height} px tall on a phone`);
    // An earlier month opens with a tap.
    await months.nth(1).locator('summary').click();
    assert.equal(await months.nth(1).evaluate((month) => month.open), true);
    await page.context().close();
    noProblems();
  });

  test('the sovereignty figures save as one page that names no one and loads nothing', async () => {
    const page = await openPage();
    await show(page, 'sovereignty');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Save a page to share' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^what-we-run-\d{4}-\d{2}-\d{2}\.html$/);
    const saved = join(artifacts, 'sovereignty-page.html');
    await download.saveAs(saved);
    const html = readFileSync(saved, 'utf8');
    const members = await api('/api/members');
    assert.ok(members.length > 5, 'the demo has members');
    for (const member of members) {
      for (const part of member.name.split(' ').filter((word) => word.length > 3)) {
        assert.ok(!html.includes(part), `the page names ${member.name}`);
      }
    }
    // Nothing outside the file: no link, script, image or style from anywhere.
    assert.doesNotMatch(html, /<script|<img|<link|src=|href=|url\(/i);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    // The file opens on its own, with a chart and the figures for each measure.
    const alone = await browser.newPage();
    await alone.goto(`file://${saved}`);
    assert.equal(await alone.locator('main section').count(), 6);
    assert.equal((await alone.locator('main section svg rect').count()) > 6, true);
    const heading = await alone.locator('h1').textContent();
    assert.equal(heading.trim(), 'What we run ourselves');
    await alone.screenshot({ path: join(artifacts, 'sovereignty-page.png'), fullPage: true });
    await alone.close();
    await page.context().close();
    noProblems();
  });

  test('the members list is one line per person and opens to their details', async () => {
    const page = await openPage();
    await show(page, 'members');
    const rows = page.getByTestId('member-list').locator('li');
    const count = await rows.count();
    assert.ok(count > 0 && count <= 25, `${count} rows drawn`);
    assert.equal(
      await page.getByRole('button', { name: /^Erase / }).count(),
      0,
      'no erase button until a row is opened',
    );
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.screenshot({ path: join(artifacts, 'members-list-390x844.png'), fullPage: true });
    assert.ok(height < 5000, `the members screen is ${height} px tall on a phone`);
    const first = rows.first();
    await first.locator('summary').click();
    await first.getByText('Member since').waitFor();
    await page.screenshot({ path: join(artifacts, 'members-detail-390x844.png') });
    await page.context().close();
    noProblems();
  });

  test('filing an aid request changes the public totals', async () => {
    const page = await openPage();
    await show(page, 'aid');
    const month = new Date().toISOString().slice(0, 7);
    const rentCell = () =>
      page
        .getByTestId(`aid-totals-${month}`)
        .locator('[data-category="rent"] .asked')
        .textContent({ timeout: 500 })
        .catch(() => '–');
    const before = await rentCell();

    const form = page.getByTestId('aid-request-form');
    await form.getByLabel('Kind of help').selectOption('rent');
    await form.getByLabel('Amount').fill('123.45');
    await form.getByLabel('How soon').selectOption('urgent');
    await form.getByLabel('A note for the coordinators').fill('The landlord wants it by Friday.');
    await form.getByRole('button', { name: 'Send my request' }).click();
    await form.getByText(/Your request is saved\. It appears to others as /).waitFor();

    await page.waitForFunction(
      ([wanted, previous]) =>
        (document.querySelector(
          `[data-testid="aid-totals-${wanted}"] [data-category="rent"] .asked`,
        )?.textContent ?? previous) !== previous,
      [month, before],
    );
    const afterText = await rentCell();
    assert.notEqual(afterText, before);
    const summary = await api('/api/aid/summary');
    const rent = summary.find((row) => row.month === month && row.category === 'rent');
    assert.ok(rent.requested_cents >= 12_345);
    assert.match(afterText, new RegExp(`\\(${rent.requests}\\)$`));

    // The demo device belongs to a steward, who sees the name behind it.
    const coordinator = page.getByTestId('coordinator-view');
    await coordinator.waitFor();
    assert.ok((await coordinator.textContent()).includes('The landlord wants it by Friday.'));
    await page.context().close();
    noProblems();
  });

  test('a member votes, changes their mind, puts a proposal, and the steward closes it with the count', async () => {
    const page = await openPage();
    await show(page, 'decisions');
    const gate = 'Which gate do we picket first on the day of action?';
    const card = (title) => page.locator('li.proposal', { hasText: title });
    const row = async (title) =>
      (await api('/api/decisions')).find((entry) => entry.proposal.title === title);
    const before = await row(gate);
    assert.ok(before.open && before.voters > 0, 'the demo has an open vote with votes');

    await card(gate).getByRole('button', { name: 'Vote Loading dock' }).click();
    await page.getByText('You voted Loading dock.').first().waitFor();
    await card(gate).getByText('Your vote: Loading dock.').waitFor();
    assert.equal(
      await card(gate)
        .getByRole('button', { name: 'Vote Loading dock' })
        .getAttribute('aria-pressed'),
      'true',
    );
    await card(gate).getByRole('button', { name: 'Vote North gate' }).click();
    await card(gate).getByText('Your vote: North gate.').waitFor();
    const changed = await row(gate);
    assert.equal(changed.my_choice, 'North gate');
    assert.equal(
      changed.voters,
      before.voters + (before.my_choice ? 0 : 1),
      'changing a vote is still one vote',
    );
    // Votes are open: the list under the count shows this member's vote as it counts.
    const me = (await api('/api/today')).me.name;
    await card(gate).getByText(`Who voted (${changed.voters})`).click();
    await card(gate).getByText(`${me}: North gate`).waitFor();

    const title = 'Picket on Saturdays too';
    const form = page.locator('form', { has: page.getByLabel('What is proposed, in a line') });
    await form.getByRole('button', { name: 'Put it to a vote' }).click();
    await form.getByText('Write what is proposed first.').waitFor();
    await form.getByLabel('What is proposed, in a line').fill(title);
    await form.getByLabel('Options').fill('yes, no');
    await form.getByRole('button', { name: 'Put it to a vote' }).click();
    await card(title).waitFor();
    await card(title).getByRole('button', { name: 'Vote yes' }).click();
    await card(title).getByText('Your vote: yes.').waitFor();

    await card(title).getByRole('button', { name: 'Close the vote' }).click();
    await card(title).getByRole('button', { name: 'Close and record the count' }).click();
    const decided = page.locator('section', {
      has: page.getByRole('heading', { name: 'Decided' }),
    });
    await decided.locator('li.proposal', { hasText: title }).getByText('Carried: yes').waitFor();
    const closed = await row(title);
    assert.deepEqual(closed.proposal.closing.counts, [1, 0]);
    assert.equal(closed.open, false);
    const refused = await fetch(`${server.base}/api/decisions/${closed.proposal.id}/vote`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ choice: 'no' }),
    });
    assert.equal(refused.status >= 400 && refused.status < 500, true);
    assert.match((await refused.json()).error, /has closed/);
    await page.screenshot({ path: join(artifacts, 'decisions-390x844.png'), fullPage: true });
    await page.context().close();
    noProblems();
  });

  test('the choke-point screen shows the 48-hour report the API computes', async () => {
    const page = await openPage();
    await show(page, 'choke-points');
    const report = await api('/api/choke-points/report?hours=48');
    assert.ok(report.length > 0, 'the demo map has points that freeze the operation');
    const rows = page.getByTestId('freeze-report').locator(':scope > li');
    assert.equal(await rows.count(), report.length);
    for (const [index, row] of report.entries()) {
      const shown = rows.nth(index);
      assert.equal((await shown.locator('h4').textContent()).trim(), row.name);
      const text = await shown.textContent();
      assert.ok(
        text.includes(`${row.people_committed} of ${row.people_needed} people committed`),
        text,
      );
      if (row.contingency) assert.ok(text.includes(row.contingency));
    }
    await page.context().close();
    noProblems();
  });

  test('a steward invites a device and sees the sync state and the paired devices', async () => {
    const page = await openPage();
    await show(page, 'sync');
    const [status, devices, today, members] = await Promise.all([
      api('/api/sync'),
      api('/api/devices'),
      api('/api/today'),
      api('/api/members'),
    ]);
    assert.ok(today.me.roles.includes('steward'), 'the demo device belongs to a steward');

    // The state: with whom this device last synced (nobody, in a fresh
    // demo), what has not left it, and its key fingerprint.
    const state = page.getByTestId('sync-state');
    const stateText = await state.textContent();
    assert.ok(stateText.includes(status.fingerprint), stateText);
    if (status.peers.length) assert.ok(stateText.includes(status.peers[0].label ?? ''), stateText);
    else
      assert.ok(stateText.includes('This device has not synced with another one yet.'), stateText);
    assert.ok(
      status.unsynced_local_changes > 1,
      'the demo was made on this device and never left it',
    );
    assert.equal(
      (await page.getByTestId('unsynced').textContent()).trim(),
      `${status.unsynced_local_changes} changes made here are not on any other device yet.`,
    );

    // The device list has every paired device, and this one cannot be revoked.
    const rows = page.getByTestId('device-list').locator(':scope > li');
    assert.equal(await rows.count(), devices.length);
    for (const [index, device] of devices.entries()) {
      assert.ok((await rows.nth(index).textContent()).includes(device.label));
    }
    const hub = devices.find((device) => device.this_device);
    const hubRow = page.locator(`[data-device="${hub.id}"]`);
    assert.ok((await hubRow.textContent()).includes('This device'));
    assert.equal(await hubRow.getByRole('button').count(), 0);

    // An invite: nothing happens until a member is chosen, then the code
    // and the QR code appear.
    const form = page.getByTestId('invite-form');
    await form.getByRole('button', { name: 'Make the invite' }).click();
    await form.getByText('First choose the member the device is for.').waitFor();
    const someone = members.find((member) => member.id !== today.me.id);
    await form.getByLabel('Whose device is it?').fill(someone.name);
    await form
      .getByRole('button', { name: `Choose ${someone.name}` })
      .first()
      .click();
    assert.equal((await form.locator('.chosen').textContent()).trim(), `For ${someone.name}`);
    await form.getByLabel('Role of the new device').selectOption('captain');
    await form.getByLabel('Hours until the invite expires').fill('6');
    await form.getByRole('button', { name: 'Make the invite' }).click();
    const code = page.getByTestId('invite-code');
    await code.waitFor();
    assert.match((await code.textContent()).trim(), /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    await page
      .getByRole('heading', { name: `Invite for ${someone.name} as Picket captain` })
      .waitFor();
    const qr = page.getByTestId('invite-qr').locator('svg');
    assert.ok(await qr.isVisible());
    assert.equal(await qr.getAttribute('role'), 'img');
    assert.equal(await qr.getAttribute('aria-label'), `QR code of the invite for ${someone.name}`);
    const box = await qr.boundingBox();
    assert.ok(
      box.width >= 200 && box.width <= PHONE.width,
      `the QR code is ${box.width} pixels wide`,
    );
    // Only the QR code's shapes were copied in, drawn in black on white.
    assert.deepEqual(
      await qr.evaluate((element) =>
        [...new Set([...element.querySelectorAll('*')].map((child) => child.localName))].sort(),
      ),
      ['path', 'rect'],
    );
    await page.getByTestId('invite').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifacts, 'sync-invite-390x844.png') });
    await page.screenshot({
      path: join(artifacts, 'sync-invite-390x844-full.png'),
      fullPage: true,
    });
    assert.deepEqual(await seriousViolations(page), []);

    let refusals = 0;
    const others = devices.filter((device) => !device.this_device && !device.revoked_at);
    if (others.length) {
      // A demo with a second device: revoke it, after the question.
      const other = others[0];
      await page.getByRole('button', { name: `Revoke ${other.label}` }).click();
      await page.getByRole('button', { name: 'Yes, revoke it' }).click();
      await page
        .locator(`[data-device="${other.id}"]`)
        .getByText(/revoked /)
        .waitFor();
      const after = (await api('/api/devices')).find((device) => device.id === other.id);
      assert.ok(after.revoked_at);
    } else {
      // The demo holds only this device, and a browser cannot pair a
      // second one. The API refuses to revoke a device it does not know...
      const answer = await page.evaluate(async () => {
        const response = await fetch('/api/devices/no-such-device/revoke', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{}',
        });
        return { status: response.status, body: await response.json() };
      });
      refusals += 1;
      assert.deepEqual(answer, {
        status: 404,
        body: { error: 'no device with id or name `no-such-device`' },
      });

      // ...and the screen shows that refusal when its list offers such a
      // device, as a list from a tampered or confused server would.
      const stranger = {
        ...hub,
        id: 'a7d3e0c1-0000-4000-8000-000000000001',
        public_key: '00'.repeat(32),
        label: 'Phone found in the car park',
        paired_by: hub.id,
        this_device: false,
      };
      await page.route(`${server.base}/api/devices`, async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, json: [...(await response.json()), stranger] });
      });
      await page.reload();
      await page.waitForSelector('body[data-ready] .screen[data-screen="sync"]');
      await page.waitForSelector('main:not([aria-busy])');
      const row = page.locator(`[data-device="${stranger.id}"]`);
      await row.getByRole('button', { name: `Revoke ${stranger.label}` }).click();
      // The question names the device; Cancel has the focus and leaves it be.
      const question = row.getByRole('group', { name: /^Revoke Phone found in the car park\? / });
      await question.waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel');
      await row.getByRole('button', { name: 'Cancel' }).click();
      assert.equal(await question.count(), 0);
      assert.equal(
        await page.evaluate(() => document.activeElement?.getAttribute('aria-label')),
        `Revoke ${stranger.label}`,
      );
      await row.getByRole('button', { name: `Revoke ${stranger.label}` }).click();
      await row.getByRole('button', { name: 'Yes, revoke it' }).click();
      refusals += 1;
      const refusal = row.getByRole('alert');
      await refusal.waitFor();
      assert.equal(
        await refusal.textContent(),
        `Not saved: no device with id or name \`${stranger.id}\``,
      );
      await page.screenshot({ path: join(artifacts, 'sync-revoke-refused-390x844.png') });
      assert.deepEqual(await seriousViolations(page), []);
      await page.unroute(`${server.base}/api/devices`);
      assert.deepEqual(
        (await api('/api/devices')).map((device) => [device.id, device.revoked_at]),
        devices.map((device) => [device.id, device.revoked_at]),
      );
    }
    await page.context().close();
    // The browser logs each refused request as a failed load. Those were
    // asked for; anything else is a problem.
    const logged = problems.splice(0);
    const refused = logged.filter((problem) => /status of 404/.test(problem));
    assert.equal(refused.length, refusals, logged.join('\n'));
    assert.deepEqual(
      logged.filter((problem) => !refused.includes(problem)),
      [],
    );
  });

  for (const viewport of [PHONE, DESKTOP]) {
    test(`every screen at ${viewport.width}x${viewport.height} has no serious accessibility problem`, async () => {
      const page = await openPage(viewport);
      const found = {};
      for (const screen of SCREENS) {
        await show(page, screen);
        await page.screenshot({
          path: join(artifacts, `${screen}-${viewport.width}x${viewport.height}.png`),
        });
        await page.screenshot({
          path: join(artifacts, `${screen}-${viewport.width}x${viewport.height}-full.png`),
          fullPage: true,
        });
        const violations = await seriousViolations(page);
        if (violations.length) found[screen] = violations;
      }
      assert.deepEqual(found, {});
      await page.context().close();
      noProblems();
    });
  }

  test('the Spanish catalog is used throughout and passes the same checks', async () => {
    const page = await openPage(PHONE, 'es-ES');
    const found = {};
    for (const screen of SCREENS) {
      await show(page, screen);
      if (screen === 'today') {
        assert.equal(await page.locator('html').getAttribute('lang'), 'es');
        assert.equal(
          (await page.getByTestId('check-button').textContent()).trim(),
          'Registrar llegada',
        );
      }
      await page.screenshot({ path: join(artifacts, `${screen}-es-390x844.png`) });
      const violations = await seriousViolations(page);
      if (violations.length) found[screen] = violations;
    }
    assert.deepEqual(found, {});
    // Switching back by hand is remembered.
    await page.locator('#language').selectOption('en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await page.reload();
    await page.waitForSelector('body[data-ready]');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.context().close();
    noProblems();
  });

  // The desktop app opens this page instead of the UI when its folder holds
  // no campaign; it is checked here too because Chromium runs axe-core.
  test('the page for a folder with no campaign explains itself in both languages', async () => {
    for (const [locale, title] of [
      ['en-US', 'There is no campaign on this device yet'],
      ['es-ES', 'Todavía no hay ninguna campaña en este dispositivo'],
    ]) {
      const page = await openPage(PHONE, locale);
      await page.goto(
        `${server.base}/no-campaign.html?dir=${encodeURIComponent('/home/steward/Holdfast data')}`,
      );
      await page.waitForSelector('body[data-ready] .screen[data-screen="no-campaign"]');
      assert.equal(await page.locator('h1').textContent(), title);
      assert.match(await page.locator('.lead').textContent(), /\/home\/steward\/Holdfast data/);
      await page.screenshot({
        path: join(artifacts, `no-campaign-${locale}-390x844.png`),
        fullPage: true,
      });
      assert.deepEqual(await seriousViolations(page), []);
      await page.context().close();
    }
    // A campaign that is there but will not open gets its reason shown.
    const page = await openPage();
    const reason = 'the database was written by a newer Holdfast';
    await page.goto(
      `${server.base}/no-campaign.html?dir=%2Fdata&problem=${encodeURIComponent(reason)}`,
    );
    await page.waitForSelector('body[data-ready] .screen[data-screen="no-campaign"]');
    assert.equal(await page.locator('h1').textContent(), 'Holdfast could not open the campaign');
    assert.equal(await page.getByRole('alert').textContent(), reason);
    assert.deepEqual(await seriousViolations(page), []);
    await page.context().close();
    noProblems();
  });

  test('the menu opens and closes from the keyboard on a phone', async () => {
    const page = await openPage();
    await show(page, 'today');
    const menu = page.locator('#menu-button');
    await menu.focus();
    await page.keyboard.press('Enter');
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    await page.getByRole('link', { name: 'Mutual aid' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('.screen[data-screen="aid"]');
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Mutual aid');
    await page.context().close();
    noProblems();
  });
  test('a plain member sees their own short menu, a steward all of it', async () => {
    const page = await openPage();
    await show(page, 'today');
    const original = (await api('/api/today')).me;
    const members = await api('/api/members');
    const plain = members.find(
      (member) => member.roles.length === 1 && member.roles[0] === 'member',
    );
    const menu = async () =>
      (await page.locator('#nav a').allTextContents()).map((text) => text.trim());
    assert.ok(original.roles.includes('steward'), "the demo device is a steward's");
    assert.equal((await menu()).length, SCREENS.length);

    await page
      .getByRole('button', { name: `Not ${original.name}? Choose who uses this device` })
      .click();
    await page.getByLabel('Find your name').fill(plain.name);
    await page.getByRole('button', { name: `I am ${plain.name}` }).click();
    await page.getByText(`Hello, ${plain.name}.`).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('#nav a').length === 6);
    assert.deepEqual(await menu(), [
      'Today',
      'Circle',
      'Skills',
      'Decisions',
      'Mutual aid',
      'Sync & devices',
    ]);
    await page.screenshot({ path: join(artifacts, 'menu-member-390x844.png') });
    // A reload keeps the member's menu.
    await page.reload();
    await page.waitForSelector('body[data-ready]');
    assert.deepEqual(await menu(), [
      'Today',
      'Circle',
      'Skills',
      'Decisions',
      'Mutual aid',
      'Sync & devices',
    ]);

    await page
      .getByRole('button', { name: `Not ${plain.name}? Choose who uses this device` })
      .click();
    await page.getByLabel('Find your name').fill(original.name);
    await page.getByRole('button', { name: `I am ${original.name}` }).click();
    await page.getByText(`Hello, ${original.name}.`).waitFor();
    await page.waitForFunction(
      (count) => document.querySelectorAll('#nav a').length === count,
      SCREENS.length,
    );
    await page.context().close();
    noProblems();
  });
  test('the screens travel compressed, are asked after on reload, and answers are never kept', async () => {
    // Node's fetch asks for gzip as a browser does and unpacks the answer.
    const script = await fetch(`${server.base}/js/main.js`);
    assert.equal(script.status, 200);
    assert.equal(script.headers.get('content-encoding'), 'gzip');
    assert.equal(script.headers.get('cache-control'), 'no-cache');
    const text = await script.text();
    assert.match(text, /quiet mode/);
    const lastModified = script.headers.get('last-modified');
    assert.ok(lastModified, 'the file says when it last changed');
    const again = await fetch(`${server.base}/js/main.js`, {
      headers: { 'if-modified-since': lastModified },
    });
    assert.equal(again.status, 304, 'a reload costs a 304, not the file again');

    const answer = await fetch(`${server.base}/api/members`);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('content-encoding'), 'gzip');
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.ok((await answer.json()).length > 10);

    // A client that does not ask for gzip gets the plain bytes.
    const plain = await fetch(`${server.base}/js/main.js`, {
      headers: { 'accept-encoding': 'identity' },
    });
    assert.equal(plain.headers.get('content-encoding'), null);
    assert.equal(await plain.text(), text);
  });
  test('a member picks who uses the device from the list, once', async () => {
    const page = await openPage();
    await show(page, 'today');
    const original = (await api('/api/today')).me;
    const members = await api('/api/members');
    const someone = members.find((member) => member.id !== original.id);

    await page
      .getByRole('button', { name: `Not ${original.name}? Choose who uses this device` })
      .click();
    await page.getByRole('heading', { name: 'Who uses this device?' }).waitFor();
    await page.screenshot({ path: join(artifacts, 'today-pick-390x844.png') });
    await page.getByLabel('Find your name').fill(someone.name.slice(0, 5));
    await page.getByRole('button', { name: `I am ${someone.name}` }).click();
    await page.getByText(`Hello, ${someone.name}.`).waitFor();
    assert.equal((await api('/api/today')).me.id, someone.id);

    // Put the demo device back in its steward's hands for anyone running more.
    await page
      .getByRole('button', { name: `Not ${someone.name}? Choose who uses this device` })
      .click();
    await page.getByLabel('Find your name').fill(original.name);
    await page.getByRole('button', { name: `I am ${original.name}` }).click();
    await page.getByText(`Hello, ${original.name}.`).waitFor();
    await page.context().close();
    noProblems();
  });
});
