// Check-in opens an hour before an action: with the real `holdfast` program
// serving a demo campaign whose action of today has been cancelled, the next
// action is days away. Today in Chromium at phone size says when check-in
// opens and offers no button to tap, and the API refuses a check-in sent
// anyway, with the same answer the CLI gives.
//
// Build the program first: cargo build -p holdfast (or name a built one in
// HOLDFAST_BIN). Chromium comes from Debian's `chromium` package.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
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
  stopAll,
} from './support.js';

let workDir;
let browser;
const problems = [];

before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'holdfast-window-'));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stopAll();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('an action days away', () => {
  test(
    'shows when check-in opens, and no check-in is taken before',
    { timeout: 180_000 },
    async () => {
      const dataDir = join(workDir, 'campaign');
      await holdfast(dataDir, ['demo']);
      const actions = await holdfast(dataDir, ['action', 'list']);
      const now = new Date().toISOString();
      const onNow = actions.filter(
        (action) => !action.cancelled && action.starts_at <= now && now < action.ends_at,
      );
      assert.equal(onNow.length, 1, 'the demo has one action on now');
      assert.match(onNow[0].title, /^All-day /);
      await holdfast(dataDir, ['action', 'cancel', onNow[0].id]);

      const { found } = await start(
        dataDir,
        ['serve', '--port', '0'],
        /serving the campaign at (http:\/\/\S+)/,
      );
      const base = found[1].replace(/\/$/, '');
      const today = await (await fetch(`${base}/api/today`)).json();
      const next = today.next_action;
      assert.ok(next.starts_at > now, 'the next action is still to come');
      assert.equal(
        Date.parse(today.check_in_opens_at),
        Date.parse(next.starts_at) - 60 * 60 * 1000,
      );

      const page = await openPage(browser, problems);
      await page.goto(`${base}/`);
      await page.waitForSelector('body[data-ready] .screen[data-screen="today"]');
      const opens = page.getByTestId('check-opens');
      await opens.waitFor();
      assert.match(await opens.textContent(), /^Check-in opens .+, an hour before it starts\.$/);
      assert.equal(
        await page.getByTestId('check-button').count(),
        0,
        'no button to tap by mistake',
      );
      assert.deepEqual(await seriousViolations(page), []);
      await page.screenshot({
        path: join(artifacts, 'today-check-in-not-open-390x844.png'),
        fullPage: true,
      });

      // Sent anyway, from the page itself, the check-in is refused and names when it opens.
      const answer = await page.evaluate(async (action) => {
        const response = await fetch('/api/check-in', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ action }),
        });
        return { status: response.status, body: await response.json() };
      }, next.id);
      assert.equal(answer.status, 400);
      assert.match(
        answer.body.error,
        /^check-in at .+ opens on \w+ \d+ \w+ \d{4}, \d\d:\d\d UTC, an hour before it starts$/,
      );
      assert.equal((await (await fetch(`${base}/api/today`)).json()).checked_in, false);
      assert.deepEqual(await holdfast(dataDir, ['checks', next.id]), []);
      // The one refusal the page logged is the check-in sent on purpose above.
      const logged = problems.splice(0);
      assert.equal(
        logged.filter((problem) => /status of 400/.test(problem)).length,
        1,
        String(logged),
      );
      assert.deepEqual(
        logged.filter((problem) => !/status of 400/.test(problem)),
        [],
      );
    },
  );
});
