// The shell: header, navigation, a tiny hash router, quiet mode, the lock
// screen and quick lock after idle, and the status line that screen readers
// announce. Screens live in screens/ and each exports `render(container,
// app)`, which may return a clean-up function.

import { api } from './api.js';
import { h } from './dom.js';
import { setLanguage, startLanguage, t, translateStatic } from './i18n.js';
import { lockScreen } from './lock.js';
import * as aid from './screens/aid.js';
import * as attention from './screens/attention.js';
import * as cadence from './screens/cadence.js';
import * as captain from './screens/captain.js';
import * as chokePoints from './screens/choke-points.js';
import * as circle from './screens/circle.js';
import * as decisions from './screens/decisions.js';
import * as members from './screens/members.js';
import * as skills from './screens/skills.js';
import * as sovereignty from './screens/sovereignty.js';
import * as sync from './screens/sync.js';
import * as today from './screens/today.js';

const SCREENS = {
  today,
  captain,
  'choke-points': chokePoints,
  cadence,
  circle,
  skills,
  decisions,
  aid,
  sovereignty,
  members,
  attention,
  sync,
};

// The screens each role's menu lists, in the order of SCREENS. A person with
// several roles sees every screen any of them lists. Every screen stays at
// its address for whoever opens it; what each may see or change is decided
// by the device that holds the data, not by the menu.
const MENUS = {
  member: ['today', 'circle', 'aid', 'skills', 'decisions', 'sync'],
  captain: ['today', 'captain', 'circle', 'aid', 'skills', 'decisions', 'attention', 'sync'],
  facilitator: ['today', 'circle', 'aid', 'skills', 'decisions', 'attention', 'sync'],
  coordinator: ['today', 'circle', 'aid', 'skills', 'decisions', 'attention', 'sync'],
  steward: Object.keys(SCREENS),
};

// The menu for a person's roles; everything on a device nobody has picked
// themselves on yet (the steward setting it up), the member's menu for a
// browser at the hall that is not anyone's yet.
function menuFor(today) {
  const roles = today?.me?.roles ?? (today?.browser ? ['member'] : null);
  if (!roles) return Object.keys(SCREENS);
  const listed = new Set(roles.flatMap((role) => MENUS[role] ?? MENUS.member));
  return Object.keys(SCREENS).filter((name) => listed.has(name));
}

// Quiet mode is on by itself while the person is checked in at an action,
// unless they chose otherwise: `holdfast.quiet.choice` is 'on', 'off', or
// absent for "by itself". Before this choice existed the page wrote
// 'holdfast.quiet' = 'off' at every start, so only an 'on' there was a
// person's own choice.
const QUIET_CHOICE_KEY = 'holdfast.quiet.choice';
const OLD_QUIET_KEY = 'holdfast.quiet';
// When any tab of this UI last saw a touch, a click or a key press.
const ACTIVITY_KEY = 'holdfast.activity';
const main = document.getElementById('main');
const nav = document.getElementById('nav');
const menuButton = document.getElementById('menu-button');
const lockButton = document.getElementById('lock-now');
const status = document.getElementById('status');
let cleanup = null;
let renderCount = 0;
let statusTimer = null;
// The screen last shown: the status line belongs to it and goes when another
// screen is opened.
let shownRoute = null;
// How long a screen may take before the main area says it is loading.
const LOADING_AFTER_MS = 300;
// What GET /api/lock said: { locked, protection, idle_lock_seconds }.
let lockInfo = { locked: false, protection: 'this-device', idle_lock_seconds: 300 };
let lastActivity = Date.now();
let idleTimer = null;

const app = {
  currency: 'USD',
  // Whether this device's member is checked in at an action now.
  atAction: false,
  quietChoice() {
    const chosen = localStorage.getItem(QUIET_CHOICE_KEY);
    if (chosen === 'on' || chosen === 'off') return chosen;
    return localStorage.getItem(OLD_QUIET_KEY) === 'on' ? 'on' : 'auto';
  },
  quiet: () => app.quietChoice() === 'on' || (app.quietChoice() === 'auto' && app.atAction),
  // 'on', 'off', or 'auto' to let it come on by itself again.
  setQuiet(choice) {
    if (choice === 'auto') localStorage.removeItem(QUIET_CHOICE_KEY);
    else localStorage.setItem(QUIET_CHOICE_KEY, choice);
    localStorage.removeItem(OLD_QUIET_KEY);
    app.applyQuiet();
  },
  setAtAction(here) {
    app.atAction = Boolean(here);
    app.applyQuiet();
  },
  // The quiet switch on the screen shown, redrawn whenever quiet changes.
  quietListener: null,
  applyQuiet() {
    document.body.classList.toggle('quiet', app.quiet());
    app.quietListener?.();
  },
  // A short buzz, never in quiet mode: the phone must not give a picketer away.
  buzz() {
    if (!app.quiet() && navigator.vibrate) navigator.vibrate(120);
  },
  announce(text) {
    clearStatus();
    // A fresh text node makes screen readers read the same message twice in a row.
    requestAnimationFrame(() => {
      status.textContent = text;
      document.body.classList.add('with-status');
    });
    statusTimer = setTimeout(clearStatus, 6000);
  },
  explain(error) {
    // A page served by a hub across the hall's network lost the hub, not
    // this device: most likely the phone left the wifi.
    if (!error?.status)
      return t(servedFromElsewhere() ? 'error.hub_unreachable' : 'error.unreachable');
    return t('error.refused', { reason: error.message });
  },
  go(route) {
    if (location.hash === `#/${route}`) show();
    else location.hash = `#/${route}`;
  },
  refresh: () => show({ keepFocus: true }),
};

// The status line sits over the bottom of the screen; it goes after a few
// seconds, at a tap on it, or when another screen opens, and while it shows
// the screen can scroll clear of it.
function clearStatus() {
  clearTimeout(statusTimer);
  status.textContent = '';
  document.body.classList.remove('with-status');
}

function routeName() {
  const name = location.hash.replace(/^#\/?/, '').split('/')[0];
  return name in SCREENS ? name : 'today';
}

function errorBox(error, retry) {
  return h(
    'div',
    { class: 'card' },
    h('p', { class: 'note note-warning', role: 'alert', text: app.explain(error) }),
    h('button', { type: 'button', class: 'button', text: t('common.try_again'), onclick: retry }),
  );
}

async function show({ keepFocus = false } = {}) {
  if (lockInfo.locked) {
    showLockScreen();
    return;
  }
  const name = routeName();
  cleanup?.();
  cleanup = null;
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.route === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  setMenu(false);
  if (shownRoute !== null && shownRoute !== name) clearStatus();
  app.quietListener = null;
  shownRoute = name;
  const mine = ++renderCount;
  const container = h('div', { class: 'screen', 'data-screen': name });
  main.setAttribute('aria-busy', 'true');
  // A slow answer (a phone far from the hub) shows that something is coming
  // instead of a blank or stale screen.
  const loading = setTimeout(() => {
    if (mine === renderCount) {
      main.replaceChildren(
        h('p', { class: 'loading', 'data-testid': 'loading', text: t('common.loading') }),
      );
    }
  }, LOADING_AFTER_MS);
  try {
    const result = await SCREENS[name].render(container, app);
    if (mine !== renderCount) {
      if (typeof result === 'function') result();
      return;
    }
    cleanup = typeof result === 'function' ? result : null;
    main.replaceChildren(container);
  } catch (error) {
    if (mine !== renderCount || lockInfo.locked) return;
    main.replaceChildren(errorBox(error, () => show()));
  } finally {
    clearTimeout(loading);
    if (mine === renderCount) main.removeAttribute('aria-busy');
  }
  document.title = `${t(`nav.${name}`)} · Holdfast`;
  if (!keepFocus) main.querySelector('.screen-title')?.focus({ preventScroll: false });
}

// The lock screen replaces whatever was shown; the passphrase field takes
// focus. Navigation and "Lock" are hidden until the campaign is open again.
function showLockScreen() {
  lockInfo.locked = true;
  stopIdleLock();
  renderCount += 1;
  cleanup?.();
  cleanup = null;
  setMenu(false);
  document.body.classList.add('locked');
  lockButton.hidden = true;
  document.getElementById('campaign-name').textContent = 'Holdfast';
  main.removeAttribute('aria-busy');
  main.replaceChildren(lockScreen({ onUnlocked: unlocked, onWiped: wiped }));
  document.title = `${t('lock.title')} · Holdfast`;
  document.getElementById('lock-passphrase')?.focus();
}

function locked() {
  if (!lockInfo.locked) showLockScreen();
}

async function unlocked() {
  lockInfo.locked = false;
  document.body.classList.remove('locked');
  await loadSettings();
  await loadMenu();
  startIdleLock();
  app.announce(t('lock.unlocked'));
  await show();
}

// Nothing of the campaign is left on this device: say so, on the page that
// stands for "no campaign here".
function wiped(folder) {
  stopIdleLock();
  const address = new URLSearchParams({ wiped: '1', dir: folder ?? '' });
  location.replace(`no-campaign.html?${address}`);
}

async function lockNow({ quietly = false } = {}) {
  try {
    await api.lock();
    showLockScreen();
    app.announce(t('lock.locked'));
  } catch (error) {
    if (error.status === 423) return;
    if (!quietly) app.announce(app.explain(error));
  }
}

// Quick lock: with a passphrase, the campaign locks itself after
// idle_lock_seconds without a touch, a click or a key press in any tab.
function noteActivity() {
  const now = Date.now();
  if (now - lastActivity < 1000) return;
  lastActivity = now;
  try {
    localStorage.setItem(ACTIVITY_KEY, String(now));
  } catch {
    // Private windows may refuse storage; this tab still counts its own.
  }
}

function startIdleLock() {
  stopIdleLock();
  const canLock = lockInfo.protection === 'passphrase';
  lockButton.hidden = !canLock;
  if (!canLock) return;
  lastActivity = Date.now();
  idleTimer = setInterval(() => {
    const elsewhere = Number(localStorage.getItem(ACTIVITY_KEY)) || 0;
    const idle = Date.now() - Math.max(lastActivity, elsewhere);
    if (idle >= lockInfo.idle_lock_seconds * 1000) {
      stopIdleLock();
      lockNow({ quietly: true });
    }
  }, 1000);
}

function stopIdleLock() {
  clearInterval(idleTimer);
  idleTimer = null;
}

async function loadSettings() {
  try {
    const settings = await api.settings();
    app.currency = settings.currency;
    document.getElementById('campaign-name').textContent = settings.campaign_name;
  } catch {
    // The screen itself explains what is wrong when the campaign is out of reach.
  }
}

function setMenu(open) {
  menuButton.setAttribute('aria-expanded', String(open));
  nav.classList.toggle('open', open);
}

function buildNav(screens = Object.keys(SCREENS)) {
  const list = h(
    'ul',
    {},
    screens.map((name) =>
      h(
        'li',
        {},
        h('a', {
          href: `#/${name}`,
          'data-route': name,
          'data-i18n': `nav.${name}`,
          text: t(`nav.${name}`),
        }),
      ),
    ),
  );
  nav.replaceChildren(list);
  const current = routeName();
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.route === current) link.setAttribute('aria-current', 'page');
  }
}

// Builds the menu for whoever uses this device now; again when that changes.
async function loadMenu() {
  try {
    const today = await api.today();
    app.setAtAction(today.checked_in);
    buildNav(menuFor(today));
  } catch {
    // The full menu stays; the screen explains what is out of reach.
  }
}

async function start() {
  app.applyQuiet();
  const languages = await startLanguage();
  const picker = document.getElementById('language');
  picker.replaceChildren(
    ...languages.map((language) => h('option', { value: language.code, text: language.name })),
  );
  picker.value = document.documentElement.lang;
  picker.addEventListener('change', async () => {
    await setLanguage(picker.value);
    translateStatic(document);
    show({ keepFocus: true });
  });
  buildNav();
  translateStatic(document);
  menuButton.addEventListener('click', () =>
    setMenu(menuButton.getAttribute('aria-expanded') !== 'true'),
  );
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && nav.classList.contains('open')) {
      setMenu(false);
      menuButton.focus();
    }
  });
  document
    .getElementById('skip')
    .addEventListener('click', () => main.querySelector('.screen-title')?.focus());
  lockButton.addEventListener('click', () => lockNow());
  status.addEventListener('click', clearStatus);
  document.addEventListener('holdfast:locked', locked);
  document.addEventListener('holdfast:me-changed', () => loadMenu());
  for (const type of ['pointerdown', 'pointermove', 'keydown', 'touchstart', 'wheel']) {
    document.addEventListener(type, noteActivity, { capture: true, passive: true });
  }
  try {
    lockInfo = await api.lockState();
  } catch (error) {
    // A folder whose campaign was wiped (here or in another tab) holds nothing.
    if (error.status === 404) {
      location.replace('no-campaign.html?wiped=1');
      return;
    }
  }
  window.addEventListener('hashchange', () => show());
  if (lockInfo.locked) {
    showLockScreen();
  } else {
    await loadSettings();
    await loadMenu();
    startIdleLock();
    await show({ keepFocus: true });
  }
  document.body.dataset.ready = 'true';
}

start();

// Whether this page came from another computer (a hub at the hall) rather
// than from this device itself (the app's window, or a local server).
function servedFromElsewhere() {
  if (globalThis.__TAURI__) return false;
  const host = location.hostname.replace(/^\[|\]$/g, '');
  return !(host === 'localhost' || host === '::1' || host.startsWith('127.'));
}
