// The shell: header, navigation, a tiny hash router, quiet mode, and the
// status line that screen readers announce. Screens live in screens/ and
// each exports `render(container, app)`, which may return a clean-up function.

import { api } from './api.js';
import { h } from './dom.js';
import { setLanguage, startLanguage, t, translateStatic } from './i18n.js';
import * as aid from './screens/aid.js';
import * as attention from './screens/attention.js';
import * as cadence from './screens/cadence.js';
import * as captain from './screens/captain.js';
import * as chokePoints from './screens/choke-points.js';
import * as circle from './screens/circle.js';
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
  aid,
  sovereignty,
  members,
  attention,
  sync,
};

const QUIET_KEY = 'holdfast.quiet';
const main = document.getElementById('main');
const nav = document.getElementById('nav');
const menuButton = document.getElementById('menu-button');
const status = document.getElementById('status');
let cleanup = null;
let renderCount = 0;
let statusTimer = null;

const app = {
  currency: 'USD',
  quiet: () => localStorage.getItem(QUIET_KEY) === 'on',
  setQuiet(on) {
    localStorage.setItem(QUIET_KEY, on ? 'on' : 'off');
    document.body.classList.toggle('quiet', on);
  },
  // A short buzz, never in quiet mode: the phone must not give a picketer away.
  buzz() {
    if (!app.quiet() && navigator.vibrate) navigator.vibrate(120);
  },
  announce(text) {
    status.textContent = '';
    clearTimeout(statusTimer);
    // A fresh text node makes screen readers read the same message twice in a row.
    requestAnimationFrame(() => {
      status.textContent = text;
    });
    statusTimer = setTimeout(() => {
      status.textContent = '';
    }, 8000);
  },
  explain(error) {
    if (!error?.status) return t('error.unreachable');
    return t('error.refused', { reason: error.message });
  },
  go(route) {
    if (location.hash === `#/${route}`) show();
    else location.hash = `#/${route}`;
  },
  refresh: () => show({ keepFocus: true }),
};

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
  const name = routeName();
  cleanup?.();
  cleanup = null;
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.route === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  setMenu(false);
  const mine = ++renderCount;
  const container = h('div', { class: 'screen', 'data-screen': name });
  main.setAttribute('aria-busy', 'true');
  try {
    const result = await SCREENS[name].render(container, app);
    if (mine !== renderCount) {
      if (typeof result === 'function') result();
      return;
    }
    cleanup = typeof result === 'function' ? result : null;
    main.replaceChildren(container);
  } catch (error) {
    if (mine !== renderCount) return;
    main.replaceChildren(errorBox(error, () => show()));
  } finally {
    if (mine === renderCount) main.removeAttribute('aria-busy');
  }
  document.title = `${t(`nav.${name}`)} · Holdfast`;
  if (!keepFocus) main.querySelector('.screen-title')?.focus({ preventScroll: false });
}

function setMenu(open) {
  menuButton.setAttribute('aria-expanded', String(open));
  nav.classList.toggle('open', open);
}

function buildNav() {
  const list = h(
    'ul',
    {},
    Object.keys(SCREENS).map((name) =>
      h('li', {}, h('a', { href: `#/${name}`, 'data-route': name, 'data-i18n': `nav.${name}`, text: t(`nav.${name}`) })),
    ),
  );
  nav.replaceChildren(list);
}

async function start() {
  app.setQuiet(app.quiet());
  const languages = await startLanguage();
  const picker = document.getElementById('language');
  picker.replaceChildren(...languages.map((language) => h('option', { value: language.code, text: language.name })));
  picker.value = document.documentElement.lang;
  picker.addEventListener('change', async () => {
    await setLanguage(picker.value);
    translateStatic(document);
    show({ keepFocus: true });
  });
  buildNav();
  translateStatic(document);
  menuButton.addEventListener('click', () => setMenu(menuButton.getAttribute('aria-expanded') !== 'true'));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && nav.classList.contains('open')) {
      setMenu(false);
      menuButton.focus();
    }
  });
  document.getElementById('skip').addEventListener('click', () => main.querySelector('.screen-title')?.focus());
  try {
    const settings = await api.settings();
    app.currency = settings.currency;
    document.getElementById('campaign-name').textContent = settings.campaign_name;
  } catch {
    // The screen itself explains what is wrong when the campaign is out of reach.
  }
  window.addEventListener('hashchange', () => show());
  await show({ keepFocus: true });
  document.body.dataset.ready = 'true';
}

start();
