// The lock screen: the passphrase that opens a locked campaign, and the
// emergency wipe. It stands in for every screen while the campaign is
// locked; the shell (main.js) decides when to show it and what follows.

import { api } from './api.js';
import { field, h } from './dom.js';
import { t } from './i18n.js';

// The word the server asks for before it wipes; typed by hand so that no
// stray tap can destroy the campaign.
export const WIPE_WORD = 'WIPE';

function alertBox(id) {
  return h('p', { id, class: 'note note-warning', role: 'alert', hidden: true });
}

function say(box, text) {
  box.textContent = text;
  box.hidden = !text;
}

// `onUnlocked()` runs once the passphrase opened the campaign;
// `onWiped(folder)` once everything on this device was destroyed.
export function lockScreen({ onUnlocked, onWiped }) {
  const passphrase = h('input', {
    type: 'password',
    id: 'lock-passphrase',
    name: 'passphrase',
    autocomplete: 'current-password',
    spellcheck: 'false',
    required: true,
  });
  const unlockError = alertBox('lock-error');
  const unlockButton = h('button', { type: 'submit', class: 'button', text: t('lock.unlock') });
  passphrase.setAttribute('aria-describedby', unlockError.id);

  const unlockForm = h(
    'form',
    { class: 'card', 'aria-labelledby': 'lock-title', novalidate: true },
    field('lock.passphrase', passphrase),
    unlockError,
    h('div', { class: 'actions' }, unlockButton),
  );
  unlockForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!passphrase.value) {
      say(unlockError, t('lock.empty'));
      passphrase.focus();
      return;
    }
    unlockButton.disabled = true;
    unlockButton.textContent = t('lock.unlocking');
    say(unlockError, '');
    try {
      await api.unlock(passphrase.value);
      passphrase.value = '';
      await onUnlocked();
    } catch (error) {
      passphrase.value = '';
      if (error.status === 401) say(unlockError, t('lock.wrong'));
      else if (!error.status) say(unlockError, t('error.unreachable'));
      else say(unlockError, error.message);
      passphrase.focus();
    } finally {
      unlockButton.disabled = false;
      unlockButton.textContent = t('lock.unlock');
    }
  });

  const confirm = h('input', {
    type: 'text',
    id: 'wipe-confirm',
    name: 'confirm',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const wipeError = alertBox('wipe-error');
  const wipeButton = h('button', {
    type: 'submit',
    class: 'button danger',
    text: t('wipe.button'),
  });
  const wipeForm = h(
    'form',
    { class: 'card wipe', 'aria-labelledby': 'wipe-title', novalidate: true },
    h('h3', { id: 'wipe-title', text: t('wipe.title') }),
    h('p', { id: 'wipe-explain', text: t('wipe.explain') }),
    // The label names the word to type, which is the same in every language.
    h(
      'div',
      { class: 'field' },
      h('label', { for: confirm.id, text: t('wipe.confirm_label', { word: WIPE_WORD }) }),
      confirm,
    ),
    wipeError,
    h('div', { class: 'actions' }, wipeButton),
  );
  confirm.setAttribute('aria-describedby', 'wipe-explain wipe-error');
  wipeForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (confirm.value.trim().toUpperCase() !== WIPE_WORD) {
      say(wipeError, t('wipe.wrong_word', { word: WIPE_WORD }));
      confirm.focus();
      return;
    }
    wipeButton.disabled = true;
    wipeButton.textContent = t('wipe.wiping');
    say(wipeError, '');
    try {
      const wiped = await api.wipe(confirm.value.trim());
      await onWiped(wiped.folder);
    } catch (error) {
      say(wipeError, error.status ? error.message : t('error.unreachable'));
      wipeButton.disabled = false;
      wipeButton.textContent = t('wipe.button');
    }
  });

  return h(
    'div',
    { class: 'screen lock-screen', 'data-screen': 'lock' },
    h('h2', { class: 'screen-title', id: 'lock-title', tabindex: '-1', text: t('lock.title') }),
    h('p', { class: 'lead', text: t('lock.lead') }),
    unlockForm,
    wipeForm,
  );
}
