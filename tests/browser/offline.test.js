// A phone at the picket line with the network cut: the real `holdfast`
// program runs a hub on a demo campaign, a phone is paired with it, and the
// hub is stopped. On the phone's web UI, in Chromium at phone size, the
// member checks in, sees "Sync now" say that no hub is in reach while the
// check-in stays saved, and checks out. Once the hub is back on the same
// port, "Sync now" succeeds, nothing is left unsynced, and the hub's own
// record, read with the command line, holds both. Screenshots go to
// tests/browser/artifacts/ and axe-core checks each state of the sync screen.
//
// Build the program first: cargo build -p holdfast (or name a built one in
// HOLDFAST_BIN). Chromium comes from Debian's `chromium` package.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
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

// A port nobody is listening on right now, for a server that takes a fixed
// one: the hub must come back on the port the phone remembers.
function freePort() {
  return new Promise((resolvePort, rejectPort) => {
    const probe = createServer();
    probe.once('error', rejectPort);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

async function startHub(hubDir, port) {
  const { child, found } = await start(
    hubDir,
    ['hub', '--address', '127.0.0.1', '--port', String(port), '--discovery', 'off', '--no-ui'],
    /Holdfast hub listening on (\S+)/,
  );
  return { child, address: found[1] };
}

let workDir;
let browser;
const problems = [];

before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'holdfast-offline-'));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stopAll();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('a phone with the network cut', () => {
  test(
    'checks in and out, cannot sync, and syncs once the hub is back',
    { timeout: 240_000 },
    async () => {
      // The hall: a demo campaign and its hub on a port of its own.
      const hubDir = join(workDir, 'hub');
      const phoneDir = join(workDir, 'phone');
      await holdfast(hubDir, ['demo']);
      const members = await holdfast(hubDir, ['member', 'list']);
      const steward = members.find((member) => member.roles.includes('steward'));
      const picketer = members.find(
        (member) =>
          member.roles.length === 1 &&
          member.roles[0] === 'member' &&
          members.filter((other) => other.name === member.name).length === 1,
      );
      assert.ok(steward && picketer, 'the demo has a steward and a plain member');
      const hubPort = await freePort();
      let hub = await startHub(hubDir, hubPort);

      // The steward invites the picketer's phone, which pairs and takes the
      // whole campaign with it.
      const invite = await holdfast(hubDir, [
        '--as',
        steward.name,
        'invite',
        picketer.name,
        '--hub',
        hub.address,
      ]);
      const paired = await holdfast(phoneDir, ['pair', invite.link]);
      assert.equal(paired.member, picketer.name);
      assert.equal(paired.hub, hub.address);

      // The network is cut: the hub is gone, and the phone serves its UI.
      await stop(hub.child);
      const { child: phone, found } = await start(
        phoneDir,
        ['serve', '--port', String(await freePort())],
        /serving the campaign at (http:\/\/\S+)/,
      );
      const base = found[1].replace(/\/$/, '');
      const phoneApi = async (path) => {
        const response = await fetch(`${base}${path}`);
        assert.equal(response.status, 200, path);
        return response.json();
      };
      assert.equal(
        (await phoneApi('/api/sync')).unsynced_local_changes,
        0,
        'the phone left the hall with everything',
      );

      const page = await openPage(browser, problems);
      const show = async (screen) => {
        await page.goto(`${base}/#/${screen}`);
        await page.waitForSelector(`body[data-ready] .screen[data-screen="${screen}"]`);
        await page.waitForSelector('main:not([aria-busy])');
      };
      const button = page.getByTestId('check-button');
      const state = page.getByTestId('check-state');
      const unsynced = page.getByTestId('unsynced');
      const syncNow = page.getByRole('button', { name: 'Sync now' });
      const result = page.getByTestId('sync-result');

      // Check in on Today: the phone belongs to the picketer by pairing.
      await show('today');
      await page.getByText(`Hello, ${picketer.name}.`).waitFor();
      const today = await phoneApi('/api/today');
      assert.ok(today.next_action, 'the demo has an action today');
      assert.equal(today.checked_in, false);
      const checkInAnswer = page.waitForResponse((response) =>
        response.url().endsWith('/api/check-in'),
      );
      await button.click();
      const checkIn = await (await checkInAnswer).json();
      await page.waitForFunction(() =>
        document
          .querySelector('[data-testid=check-state]')
          ?.textContent.startsWith('Checked in at'),
      );
      assert.match(await state.textContent(), /^Checked in at .+\. Saved on this device\.$/);
      await page.screenshot({ path: join(artifacts, 'offline-check-in-390x844.png') });

      // The sync screen counts the check-in as not yet on another device.
      await show('sync');
      const before = await phoneApi('/api/sync');
      assert.ok(before.unsynced_local_changes >= 1, JSON.stringify(before));
      assert.equal(
        (await unsynced.textContent()).trim(),
        before.unsynced_local_changes === 1
          ? 'One change made here is not on any other device yet.'
          : `${before.unsynced_local_changes} changes made here are not on any other device yet.`,
      );
      assert.deepEqual(await seriousViolations(page), []);

      // "Sync now" looks for the hub for a few seconds, busy but focused,
      // then says that none is in reach. The request is held until the busy
      // state has been read, so that a quick answer cannot race the reading.
      let release;
      const held = new Promise((resolveHeld) => {
        release = resolveHeld;
      });
      let rounds = 0;
      await page.route(`${base}/api/sync/now`, async (route) => {
        rounds += 1;
        await held;
        await route.continue();
      });
      await syncNow.click();
      const busy = page.getByTestId('sync-now');
      assert.equal(await busy.getAttribute('aria-disabled'), 'true');
      assert.equal((await busy.textContent()).trim(), 'Syncing…');
      assert.equal(
        (await result.textContent()).trim(),
        'Looking for the hub. This takes a few seconds.',
      );
      // A second press while busy starts no second round. Playwright will
      // not press a button marked aria-disabled, so the press is sent as an
      // event, as a screen reader's would be.
      await busy.dispatchEvent('click');
      release();
      const failure = result.getByRole('alert');
      await failure.waitFor({ timeout: 60_000 });
      const failureText = await failure.textContent();
      assert.ok(
        failureText.startsWith(
          'No hub is in reach, so nothing was synced. Everything recorded here is still saved on this device;',
        ),
        failureText,
      );
      assert.match(failureText, /Details: no hub reachable: .+/);
      assert.equal(await result.getAttribute('aria-live'), 'polite');
      assert.equal((await busy.textContent()).trim(), 'Sync now');
      assert.equal(await busy.getAttribute('aria-disabled'), null);
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'sync-now');
      assert.equal(rounds, 1);
      await page.unroute(`${base}/api/sync/now`);
      await result.evaluate((element) => element.scrollIntoView({ block: 'center' }));
      await page.screenshot({ path: join(artifacts, 'offline-sync-error-390x844.png') });
      assert.deepEqual(await seriousViolations(page), []);

      // The check-in is still there, still waiting to leave the phone.
      assert.deepEqual(await phoneApi('/api/sync'), before);
      assert.equal((await phoneApi('/api/today')).checked_in, true);
      await show('today');
      assert.match(await state.textContent(), /^You are checked in since /);

      // Checking out needs no network either. Check-in times have one-second
      // resolution, and nobody checks out within the same second.
      await page.waitForTimeout(1100);
      const checkOutAnswer = page.waitForResponse((response) =>
        response.url().endsWith('/api/check-out'),
      );
      await page.getByTestId('check-out').click();
      await page.getByRole('button', { name: 'Yes, check out' }).click();
      const checkOut = await (await checkOutAnswer).json();
      await page.waitForFunction(() =>
        document
          .querySelector('[data-testid=check-state]')
          ?.textContent.startsWith('Checked out at'),
      );
      assert.equal((await button.textContent()).trim(), 'Check in');
      const offline = await phoneApi('/api/sync');
      assert.ok(
        offline.unsynced_local_changes > before.unsynced_local_changes,
        JSON.stringify(offline),
      );

      // The hub is back where the phone remembers it; "Sync now" reaches it.
      hub = await startHub(hubDir, hubPort);
      await show('sync');
      const syncAnswer = page.waitForResponse((response) =>
        response.url().endsWith('/api/sync/now'),
      );
      await syncNow.click();
      const synced = await (await syncAnswer).json();
      assert.equal(synced.address, hub.address);
      assert.ok(synced.changes_sent >= 2, JSON.stringify(synced));
      const success = result.locator('.note-success');
      await success.waitFor();
      assert.equal(
        (await success.textContent()).trim(),
        `Synced with ${synced.peer} at ${hub.address}: ${synced.changes_received} changes in, ${synced.changes_sent} out.`,
      );
      await page.waitForFunction(
        () =>
          document.querySelector('[data-testid=unsynced]')?.textContent.trim() ===
          'Every change made here is also on another device.',
      );
      const after = await phoneApi('/api/sync');
      assert.equal(after.unsynced_local_changes, 0);
      assert.equal(after.peers[0].address, hub.address);
      assert.ok(
        (await page.getByTestId('sync-state').textContent()).includes(`with ${synced.peer}.`),
      );
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'sync-now');
      await result.evaluate((element) => element.scrollIntoView({ block: 'center' }));
      await page.screenshot({ path: join(artifacts, 'offline-synced-390x844.png') });
      assert.deepEqual(await seriousViolations(page), []);
      await page.context().close();

      // The hub's own record, read with the command line, holds both.
      const phoneDevice = (await phoneApi('/api/devices')).find((device) => device.this_device);
      const checks = await holdfast(hubDir, ['checks', today.next_action.id]);
      const arrived = (id) => checks.find((check) => check.id === id);
      for (const [mine, kind] of [
        [checkIn, 'in'],
        [checkOut, 'out'],
      ]) {
        const there = arrived(mine.id);
        assert.ok(there, `the check-${kind} ${mine.id} reached the hub: ${JSON.stringify(checks)}`);
        assert.equal(there.kind, kind);
        assert.equal(there.member_id, picketer.id);
        assert.equal(there.device, phoneDevice.id);
        assert.equal(there.at, mine.at);
        assert.equal(there.voided, false);
      }

      await stop(phone);
      await stop(hub.child);

      // Chromium logs the refused "Sync now" as a failed load. That one was
      // expected; anything else is a problem.
      const logged = problems.splice(0);
      const refused = logged.filter((problem) => /status of 503/.test(problem));
      assert.equal(refused.length, 1, logged.join('\n'));
      assert.deepEqual(
        logged.filter((problem) => !refused.includes(problem)),
        [],
      );
    },
  );
});
