// What every browser test needs: the programs under test, started and
// stopped; Chromium; pages that record script errors; and axe-core.

import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '../..');
export const artifacts = join(here, 'artifacts');
const axePath = join(here, 'node_modules/axe-core/axe.min.js');
export const PHONE = { width: 390, height: 844 };

// A built program: the path in `variable`, or `relative` under the target
// folder (CARGO_TARGET_DIR may be relative to the top of the repository).
function binary(variable, relative, build) {
  const candidates = [
    process.env[variable],
    join(resolve(root, process.env.CARGO_TARGET_DIR ?? 'target'), relative),
  ].filter(Boolean);
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`nothing built at ${candidates.join(' or ')}; run: ${build}`);
  return found;
}

const holdfastBinary = () => binary('HOLDFAST_BIN', 'debug/holdfast', 'cargo build -p holdfast');
const serverBinary = () =>
  binary(
    'HOLDFAST_SERVE_BIN',
    'debug/examples/serve',
    'cargo build -p holdfast-http --example serve',
  );

// The children's environment: the UI from this source tree, and no data
// folder or passphrase inherited from whoever runs the tests.
function childEnvironment(extra = {}) {
  const env = { ...process.env, HOLDFAST_UI_DIR: join(root, 'ui'), ...extra };
  delete env.HOLDFAST_DATA_DIR;
  if (!('HOLDFAST_PASSPHRASE' in extra)) delete env.HOLDFAST_PASSPHRASE;
  return env;
}

// Runs one `holdfast` command to its end and returns what it printed as JSON.
export function holdfast(dataDir, args, extra = {}) {
  return new Promise((resolveRun, rejectRun) => {
    execFile(
      holdfastBinary(),
      ['--data-dir', dataDir, '--json', ...args],
      { env: childEnvironment(extra), timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          rejectRun(new Error(`holdfast ${args.join(' ')} failed: ${error.message}\n${stderr}`));
        else resolveRun(JSON.parse(stdout));
      },
    );
  });
}

// Every long-running child, so that `stopAll` stops whatever is left even
// when a test failed halfway.
const running = new Set();

// Starts a long-running program and resolves once its output matches
// `ready`, with the child and the match.
function launch(program, args, ready, env, name) {
  return new Promise((resolveStart, rejectStart) => {
    const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let output = '';
    let started = false;
    const timer = setTimeout(
      () => rejectStart(new Error(`${name} did not start: ${output}`)),
      120_000,
    );
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
      if (!started) rejectStart(new Error(`${name} stopped (${code}): ${output}`));
    });
  });
}

// Starts `holdfast --data-dir DIR ARGS...` (serve, hub) until it prints `ready`.
export function start(dataDir, args, ready, extra = {}) {
  return launch(
    holdfastBinary(),
    ['--data-dir', dataDir, ...args],
    ready,
    childEnvironment(extra),
    `holdfast ${args[0]}`,
  );
}

// Starts the example server on a free port with a fresh demo campaign and
// resolves with the child and its address once it prints the URL.
export async function startDemoServer(dataDir) {
  const { child, found } = await launch(
    serverBinary(),
    [dataDir, '0', '--demo'],
    /serving at (http:\/\/[^\s]+)/,
    childEnvironment(),
    'the server',
  );
  return { child, base: found[1].replace(/\/$/, '') };
}

// Stops a child as Ctrl-C would, and kills it if it does not go.
export async function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolveGone) => child.once('exit', resolveGone));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await gone;
  clearTimeout(timer);
}

export function stopAll() {
  return Promise.all([...running].map((child) => stop(child)));
}

// Debian's Chromium, and the artifacts folder for screenshots.
export function launchBrowser() {
  mkdirSync(artifacts, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

// A page that records script errors and console errors into `problems`, so
// a test that sees one fails instead of passing on a half-working screen.
export async function openPage(browser, problems, viewport = PHONE, locale = 'en-US') {
  const context = await browser.newContext({ viewport, locale });
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  return page;
}

// axe-core's serious and critical findings on the page. The page's policy
// forbids inline scripts, which is what addScriptTag inserts, so axe-core is
// evaluated through the debugging protocol instead, which the policy does
// not govern. The app's own scripts get no such pass.
let axeSource;
export async function seriousViolations(page) {
  axeSource ??= readFileSync(axePath, 'utf8');
  await page.evaluate(axeSource);
  const results = await page.evaluate(() =>
    globalThis.axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
      },
    }),
  );
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id}: ${violation.help} (${violation.nodes
          .map((node) => node.target.join(' '))
          .slice(0, 3)
          .join('; ')})`,
    );
}
