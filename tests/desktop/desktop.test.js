// The desktop app in its real window: tauri-driver starts WebKitWebDriver,
// which starts the built holdfast-app on a fresh folder seeded with the demo
// campaign. The test waits for the Today screen, checks in with the big
// button, reads the saved state back through the app's own command, reloads
// to see it come from the record, checks out again, and saves screenshots to
// tests/desktop/artifacts/. A second window on an empty folder must show the
// page that explains how to create a campaign. A third opens a campaign given
// a passphrase (with the `holdfast` program, HOLDFAST_BIN) on its lock
// screen, and unlocks it.
//
// Needs a display (run it under `xvfb-run -a`), tauri-driver on PATH
// (`cargo install tauri-driver --locked`), Debian's webkit2gtk-driver, and
// the app built first: cargo build -p holdfast-app (or name a built one in
// HOLDFAST_APP_BIN). It speaks the WebDriver protocol with plain fetch.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const artifacts = join(here, 'artifacts');
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
// Seeding the demo in a debug build and starting WebKit take a while on a
// small machine; nothing here should take longer than this.
const PATIENCE_MS = 180_000;

function appBinary() {
  const candidates = [
    process.env.HOLDFAST_APP_BIN,
    join(process.env.CARGO_TARGET_DIR ?? join(root, 'target'), 'debug/holdfast-app'),
  ].filter(Boolean);
  const found = candidates.find((path) => existsSync(path));
  if (!found)
    throw new Error(`no app at ${candidates.join(' or ')}; run: cargo build -p holdfast-app`);
  return found;
}

// The command line sets the passphrase; the app has no screen for that.
function holdfastBinary() {
  const candidates = [
    process.env.HOLDFAST_BIN,
    join(process.env.CARGO_TARGET_DIR ?? join(root, 'target'), 'debug/holdfast'),
  ].filter(Boolean);
  return candidates.find((path) => existsSync(path));
}

function freePort() {
  return new Promise((resolvePort, rejectPort) => {
    const server = createServer();
    server.on('error', rejectPort);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

const sleep = (milliseconds) => new Promise((done) => setTimeout(done, milliseconds));

async function until(what, check, patience = PATIENCE_MS) {
  const deadline = Date.now() + patience;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await sleep(250);
  }
  throw new Error(`gave up waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

let driver;
let driverOutput = '';
let base;
const folders = [];

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    throw new Error('no display: run this test under xvfb-run -a');
  }
  const port = await freePort();
  const nativePort = await freePort();
  driver = spawn('tauri-driver', ['--port', String(port), '--native-port', String(nativePort)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  driver.stdout.on('data', (chunk) => (driverOutput += chunk));
  driver.stderr.on('data', (chunk) => (driverOutput += chunk));
  driver.on('error', (error) => (driverOutput += `could not start tauri-driver: ${error.message}`));
  base = `http://127.0.0.1:${port}`;
  await until(
    'tauri-driver to listen',
    async () => {
      if (driver.exitCode !== null) throw new Error(`tauri-driver stopped: ${driverOutput}`);
      await fetch(`${base}/status`);
      return true;
    },
    30_000,
  );
});

after(() => {
  driver?.kill();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

// One WebDriver call; a WebDriver error becomes a thrown Error with its message.
async function webdriver(method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await response.json();
  if (!response.ok) {
    throw new Error(
      `${method} ${path}: ${answer.value?.error ?? response.status} ${answer.value?.message ?? ''}`,
    );
  }
  return answer.value;
}

// Opens the app's window on `folder` with `flags`, and returns helpers bound
// to that WebDriver session.
async function openApp(folder, flags) {
  const created = await webdriver('POST', '/session', {
    capabilities: {
      alwaysMatch: {
        'tauri:options': { application: appBinary(), args: [...flags, '--data-dir', folder] },
      },
    },
  });
  const session = `/session/${created.sessionId}`;
  const app = {
    run: (script, ...args) => webdriver('POST', `${session}/execute/sync`, { script, args }),
    runAsync: (script, ...args) => webdriver('POST', `${session}/execute/async`, { script, args }),
    async find(selector) {
      const found = await webdriver('POST', `${session}/element`, {
        using: 'css selector',
        value: selector,
      });
      return found[ELEMENT];
    },
    text: async (selector) =>
      webdriver('GET', `${session}/element/${await app.find(selector)}/text`),
    click: async (selector) =>
      webdriver('POST', `${session}/element/${await app.find(selector)}/click`, {}),
    reload: () => webdriver('POST', `${session}/refresh`, {}),
    async screenshot(name) {
      const png = await webdriver('GET', `${session}/screenshot`);
      writeFileSync(join(artifacts, name), Buffer.from(png, 'base64'));
    },
    // Asks the app's one command directly, as ui/js/api.js does.
    api: (path) =>
      app.runAsync(
        `const done = arguments[arguments.length - 1];
         window.__TAURI__.core.invoke('api', { method: 'GET', path: arguments[0], body: null })
           .then((value) => done({ value }), (failure) => done({ failure }));`,
        path,
      ),
    close: () => webdriver('DELETE', session),
  };
  return app;
}

function newFolder(name) {
  const folder = mkdtempSync(join(tmpdir(), `holdfast-desktop-${name}-`));
  folders.push(folder);
  return folder;
}

const readyScreen = (
  name,
) => `return Boolean(document.querySelector('body[data-ready] .screen[data-screen="${name}"]'))
  && !document.querySelector('main[aria-busy]');`;
const checkState = "return document.querySelector('[data-testid=check-state]')?.textContent ?? '';";

describe('the Holdfast desktop app', () => {
  test('checks in and out on the demo campaign in the real window', async () => {
    const app = await openApp(join(newFolder('demo'), 'campaign'), ['--demo']);
    try {
      await until('the Today screen', () => app.run(readyScreen('today')));
      assert.equal(await app.run('return typeof window.__TAURI__?.core?.invoke;'), 'function');
      assert.equal((await app.text('[data-testid=check-button]')).trim(), 'Check in');

      await app.click('[data-testid=check-button]');
      await until('the saved check-in', async () =>
        (await app.run(checkState)).startsWith('Checked in at'),
      );
      assert.match(await app.run(checkState), /^Checked in at .+\. Saved on this device\.$/);
      const saved = await app.api('/api/today');
      assert.equal(saved.failure, undefined, JSON.stringify(saved.failure));
      assert.equal(saved.value.checked_in, true);

      // After a reload the state comes from the record, not from the page.
      await app.reload();
      await until('the Today screen again', () => app.run(readyScreen('today')));
      assert.match(await app.run(checkState), /^You are checked in since /);
      await app.screenshot('today-checked-in.png');

      // Check-in times have one-second resolution, and nobody checks out
      // within the second they checked in.
      await sleep(1100);
      // Checking out is its own button, and it asks first.
      await app.click('[data-testid=check-out]');
      await app.click('.check-out .confirm button[type=submit]');
      await until('the saved check-out', async () =>
        (await app.run(checkState)).startsWith('Checked out at'),
      );
      assert.equal((await app.text('[data-testid=check-button]')).trim(), 'Check in');
      assert.equal((await app.api('/api/today')).value.checked_in, false);
      await app.screenshot('today-checked-out.png');

      // A path outside the API is refused by the command, not served.
      const file = await app.api('/index.html');
      assert.equal(file.failure?.status, 404);

      // The message catalogs bundled beside the app are found, so the
      // language picker offers every language.
      const languages = (await app.api('/api/languages')).value.map((language) => language.code);
      assert.deepEqual(languages.sort(), ['en', 'es']);

      // The policy forbids inline scripts: one added to the page never runs.
      const ranInline = await app.runAsync(`const done = arguments[arguments.length - 1];
        const script = document.createElement('script');
        script.textContent = 'window.inlineScriptRan = true;';
        document.body.append(script);
        setTimeout(() => done(window.inlineScriptRan === true), 200);`);
      assert.equal(ranInline, false);
    } finally {
      await app.close();
    }
  });

  test('explains how to create a campaign when the folder has none', async () => {
    const folder = newFolder('empty');
    const app = await openApp(folder, []);
    try {
      await until('the no-campaign page', () => app.run(readyScreen('no-campaign')));
      assert.equal(await app.text('h1'), 'There is no campaign on this device yet');
      assert.ok(
        (await app.text('.lead')).includes(folder),
        'the page names the folder it looked in',
      );
      const answer = await app.api('/api/today');
      assert.equal(answer.failure?.status, 503);
      assert.match(answer.failure?.error, /there is no campaign in /);
      await app.screenshot('no-campaign.png');
    } finally {
      await app.close();
    }
  });

  test(
    'opens a campaign with a passphrase on its lock screen, and unlocks it',
    { skip: !holdfastBinary() && 'no holdfast program; run: cargo build -p holdfast' },
    async () => {
      const folder = join(newFolder('locked'), 'campaign');
      const passphrase = 'bread and roses 1912';
      const env = { ...process.env, HOLDFAST_NEW_PASSPHRASE: passphrase };
      delete env.HOLDFAST_PASSPHRASE;
      delete env.HOLDFAST_DATA_DIR;
      execFileSync(holdfastBinary(), ['--data-dir', folder, 'demo'], { env, stdio: 'ignore' });
      execFileSync(holdfastBinary(), ['--data-dir', folder, 'passphrase', 'set'], {
        env,
        stdio: 'ignore',
      });
      const app = await openApp(folder, []);
      try {
        await until('the lock screen', () => app.run(readyScreen('lock')));
        assert.equal(await app.run('return document.activeElement?.id;'), 'lock-passphrase');
        const locked = await app.api('/api/today');
        assert.equal(locked.failure?.status, 423);
        assert.equal((await app.api('/api/lock')).value.locked, true);
        await app.screenshot('lock-screen.png');

        await app.run(
          `document.getElementById('lock-passphrase').value = arguments[0];
         document.querySelector('[data-screen=lock] form').requestSubmit();`,
          passphrase,
        );
        await until('the Today screen', () => app.run(readyScreen('today')));
        assert.equal((await app.api('/api/lock')).value.locked, false);
      } finally {
        await app.close();
      }
    },
  );
});
