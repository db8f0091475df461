// Message catalogs: every visible word comes from ui/i18n/<code>.json. A
// language is one file; the API lists the files it finds. English is always
// loaded as well, so a key missing from another catalog still reads well.

import { api } from './api.js';

const STORAGE_KEY = 'holdfast.language';
let fallback = {};
let catalog = {};
let code = 'en';
let plurals = new Intl.PluralRules('en');

async function loadCatalog(language) {
  const response = await fetch(`i18n/${language}.json`, { cache: 'no-cache' });
  if (!response.ok) throw new Error(`no catalog for ${language}`);
  return response.json();
}

export async function availableLanguages() {
  try {
    const languages = await api.languages();
    if (languages.length) return languages;
  } catch {
    // Without the list the current language is still offered.
  }
  return [{ code, name: t('language.name') }];
}

function preferred(languages) {
  const codes = languages.map((language) => language.code);
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved && codes.includes(saved)) return saved;
  for (const wanted of navigator.languages ?? []) {
    const base = wanted.toLowerCase().split('-')[0];
    if (codes.includes(base)) return base;
  }
  return 'en';
}

export async function startLanguage() {
  fallback = await loadCatalog('en');
  catalog = fallback;
  const languages = await availableLanguages();
  await setLanguage(preferred(languages), { remember: false });
  return languages;
}

export async function setLanguage(language, { remember = true } = {}) {
  try {
    catalog = language === 'en' ? fallback : await loadCatalog(language);
    code = language;
  } catch {
    catalog = fallback;
    code = 'en';
  }
  plurals = new Intl.PluralRules(code);
  document.documentElement.lang = code;
  if (remember) localStorage.setItem(STORAGE_KEY, code);
  translateStatic(document);
}

export function language() {
  return code;
}

// t('aid.filed', { name }) fills {name}. A value given as `count` picks the
// plural form when the entry is an object such as { "one": ..., "other": ... }.
export function t(key, values = {}) {
  let entry = catalog[key] ?? fallback[key];
  if (entry === undefined) return key;
  if (typeof entry === 'object') {
    const form = plurals.select(Number(values.count ?? 0));
    entry = entry[form] ?? entry.other ?? '';
  }
  return entry.replace(/\{(\w+)\}/g, (whole, name) =>
    name in values ? String(values[name]) : whole,
  );
}

// Elements in index.html carry data-i18n (text) or data-i18n-label (aria-label).
export function translateStatic(root) {
  for (const element of root.querySelectorAll('[data-i18n]'))
    element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll('[data-i18n-label]')) {
    element.setAttribute('aria-label', t(element.dataset.i18nLabel));
  }
}

const dateTime = () =>
  new Intl.DateTimeFormat(code, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: 'numeric',
    minute: '2-digit',
  });

export function formatDateTime(instant) {
  return dateTime().format(new Date(instant));
}

export function formatTime(instant) {
  return new Intl.DateTimeFormat(code, { hour: 'numeric', minute: '2-digit' }).format(
    new Date(instant),
  );
}

// Days in the record are calendar days in UTC, so they are shown in UTC too.
export function formatDay(day) {
  return new Intl.DateTimeFormat(code, {
    weekday: 'short',
    day: 'numeric',
    month: 'long',
    timeZone: 'UTC',
  }).format(new Date(`${day}T12:00:00Z`));
}

export function formatMonth(month) {
  return new Intl.DateTimeFormat(code, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${month}-15T12:00:00Z`),
  );
}

export function formatShortMonth(month) {
  return new Intl.DateTimeFormat(code, { month: 'short', timeZone: 'UTC' }).format(
    new Date(`${month}-15T12:00:00Z`),
  );
}

export function formatSpan(startsAt, endsAt) {
  return `${formatDateTime(startsAt)} – ${formatTime(endsAt)}`;
}

export function formatMoney(cents, currency = 'USD') {
  try {
    return new Intl.NumberFormat(code, { style: 'currency', currency }).format(cents / 100);
  } catch {
    return (cents / 100).toFixed(2);
  }
}

export function formatNumber(value, digits = 0) {
  return new Intl.NumberFormat(code, { maximumFractionDigits: digits }).format(value);
}
