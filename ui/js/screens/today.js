// Today: the next action, my shift, and the check-in button. A picketer with
// cold hands opens the app and taps once; the answer says it is saved.

import { api } from '../api.js';
import { askInPlace, field, h, memberPicker, note, screenHeading, section } from '../dom.js';
import { formatDateTime, formatSpan, formatTime, t } from '../i18n.js';

export async function render(container, app) {
  const today = await api.today();
  // A browser at the hall is whoever its invite says, once it is paired.
  if (today.browser && !today.me) return pairThisBrowser(container, app);
  if (!today.me) return pickYourself(container, app);
  const sites = today.next_action?.site_id ? await api.sites() : [];

  container.append(
    screenHeading('today.title'),
    h('p', { class: 'lead', text: t('today.hello', { name: today.me.name }) }),
  );

  const action = today.next_action;
  if (!action) {
    container.append(section('today.next_action', h('p', { text: t('today.no_action') })));
  } else {
    const site = sites.find((candidate) => candidate.id === action.site_id);
    container.append(
      section(
        'today.next_action',
        h('p', { class: 'action-title', text: action.title }),
        h('p', { class: 'when', text: formatSpan(action.starts_at, action.ends_at) }),
        site ? h('p', { text: site.name }) : null,
        h('p', { class: 'tag', text: t(`kind.${action.kind}`) }),
      ),
      checkPanel(today, app),
      section(
        'today.my_shift',
        today.my_shift
          ? [
              h('p', { class: 'action-title', text: today.my_shift.location }),
              h('p', {
                class: 'when',
                text: formatSpan(today.my_shift.starts_at, today.my_shift.ends_at),
              }),
            ]
          : h('p', { text: t(today.check_in_opens_at ? 'today.no_shift_yet' : 'today.no_shift') }),
      ),
    );
  }

  container.append(quietToggle(app), reminders(today));
  if (today.browser) return;
  container.append(
    h(
      'p',
      { class: 'quiet-link' },
      h('button', {
        type: 'button',
        class: 'link-button',
        text: t('today.not_me', { name: today.me.name }),
        onclick: () => {
          container.replaceChildren();
          pickYourself(container, app, () => app.refresh());
        },
      }),
    ),
  );
}

// The big button and the saved state under it. It answers from what the
// server saved, so "checked in" on screen means checked in on disk.
//
// Once a member is checked in, the saved state takes the big button's place,
// so a second tap where the button was lands on nothing. Checking out is its
// own smaller button that asks first. For a moment after any save, taps are
// ignored, so a double tap on "Yes, check out" does not check straight back in.
const REPEAT_TAP_MS = 1500;
// How long a mis-tap can be undone in one tap, from the moment it is saved.
const UNDO_MS = 10_000;

function checkPanel(today, app) {
  const action = today.next_action;
  if (today.check_in_opens_at && !today.checked_in) return notOpenYet(today.check_in_opens_at, app);
  // Focus moves here after a save, since the button that had it is hidden.
  const state = h('p', { class: 'check-state', 'data-testid': 'check-state', tabindex: '-1' });
  const button = h('button', {
    type: 'button',
    class: 'check-button',
    'data-testid': 'check-button',
    text: t('today.check_in'),
  });
  const outSlot = h('div', { class: 'check-out' });
  const undoSlot = h('div', { class: 'undo' });
  let undoTimer = null;
  let checkedIn = today.checked_in;
  // A browser at the hall saves nothing of its own: the hub keeps it.
  const where = today.browser ? '_hub' : '';
  const request = () => ({ action: action.id, shift: today.my_shift?.id });

  const settle = (control) => {
    control.disabled = true;
    setTimeout(() => {
      control.disabled = false;
    }, REPEAT_TAP_MS);
  };
  const announce = (saved) => {
    checkedIn = saved.kind === 'in';
    // Checked in at an action: quiet mode comes on before anything buzzes.
    app.setAtAction(checkedIn);
    draw(saved.at, true);
    offerUndo(saved);
    state.focus({ preventScroll: true });
    app.announce(state.textContent);
    app.buzz();
  };
  // For a few seconds after a save, one tap voids it: the record keeps it,
  // marked, and the screen is as it was before the tap.
  const offerUndo = (saved) => {
    clearTimeout(undoTimer);
    const undo = h('button', {
      type: 'button',
      class: 'link-button',
      'data-testid': 'undo',
      text: t('today.undo'),
    });
    undo.addEventListener('click', async () => {
      undo.disabled = true;
      try {
        await api.voidCheck(saved.id);
        clearTimeout(undoTimer);
        undoSlot.replaceChildren();
        checkedIn = saved.kind !== 'in';
        app.setAtAction(checkedIn);
        draw(saved.at, false);
        state.textContent = t(saved.kind === 'in' ? 'today.undone_in' : 'today.undone_out');
        app.announce(state.textContent);
      } catch (error) {
        state.textContent = app.explain(error);
        undo.disabled = false;
      }
    });
    undoSlot.replaceChildren(undo);
    undoTimer = setTimeout(() => undoSlot.replaceChildren(), UNDO_MS);
  };
  const offerCheckOut = () => {
    const out = h('button', {
      type: 'button',
      class: 'button secondary',
      'data-testid': 'check-out',
      text: t('today.check_out'),
    });
    askInPlace(outSlot, {
      button: out,
      id: 'check-out',
      question: t('today.check_out_confirm', { title: action.title }),
      yes: t('today.check_out_yes'),
      act: async () => announce(await api.checkOut(request())),
      explain: (error) => app.explain(error),
    });
    return out;
  };
  const draw = (at, justSaved) => {
    button.hidden = checkedIn;
    state.classList.toggle('saved', checkedIn);
    state.classList.toggle('is-here', checkedIn);
    if (checkedIn) {
      const out = offerCheckOut();
      if (justSaved) settle(out);
    } else {
      outSlot.replaceChildren();
      if (justSaved) settle(button);
    }
    state.textContent = checkedIn
      ? t(justSaved ? `today.saved_in${where}` : 'today.checked_in_since', { time: formatTime(at) })
      : justSaved
        ? t(`today.saved_out${where}`, { time: formatTime(at) })
        : t('today.not_checked_in');
  };

  button.addEventListener('click', async () => {
    if (button.disabled) return;
    button.disabled = true;
    state.textContent = t('common.saving');
    try {
      announce(await api.checkIn(request()));
    } catch (error) {
      state.textContent = app.explain(error);
      state.classList.remove('saved');
      button.disabled = false;
    }
  });
  draw(today.checked_in_at, false);
  return h('div', { class: 'check-panel' }, button, state, undoSlot, outSlot);
}

// Before an action's check-in opens there is no button to tap by mistake,
// only when it opens; a screen left open redraws itself at that moment.
const LONGEST_WAIT_MS = 24 * 60 * 60 * 1000;
function notOpenYet(opensAt, app) {
  const wait = Date.parse(opensAt) - Date.now();
  if (wait > 0 && wait < LONGEST_WAIT_MS) {
    setTimeout(() => {
      if (panel.isConnected) app.refresh();
    }, wait + 1000);
  }
  const panel = h(
    'div',
    { class: 'check-panel' },
    h('p', {
      class: 'check-state',
      'data-testid': 'check-opens',
      text: t('today.check_in_opens', { when: formatDateTime(opensAt) }),
    }),
  );
  return panel;
}

// Quiet mode: on by itself while the member is checked in at an action,
// and a switch that overrides it either way, with the way back to "by
// itself" when it was overridden.
function quietToggle(app) {
  const button = h('button', {
    type: 'button',
    class: 'toggle',
    'data-testid': 'quiet',
    'aria-pressed': String(app.quiet()),
  });
  const how = h('p', { class: 'hint', 'data-testid': 'quiet-how' });
  const back = h('button', {
    type: 'button',
    class: 'link-button',
    'data-testid': 'quiet-auto',
    text: t('quiet.back_to_auto'),
  });
  const draw = () => {
    const on = app.quiet();
    const choice = app.quietChoice();
    button.setAttribute('aria-pressed', String(on));
    button.textContent = on ? t('quiet.on') : t('quiet.off');
    how.textContent =
      choice === 'auto' ? t(on ? 'quiet.auto_on' : 'quiet.auto_off') : t(`quiet.chosen_${choice}`);
    back.hidden = choice === 'auto';
  };
  button.addEventListener('click', () => {
    app.setQuiet(app.quiet() ? 'off' : 'on');
    draw();
  });
  back.addEventListener('click', () => {
    app.setQuiet('auto');
    draw();
  });
  app.quietListener = draw;
  draw();
  return section(
    'quiet.title',
    h('p', { class: 'hint', text: t('quiet.explain') }),
    button,
    how,
    back,
  );
}

function reminders(today) {
  const items = [];
  if (today.circles_due) {
    items.push(
      h(
        'li',
        {},
        h('a', { href: '#/circle', text: t('today.circles_due', { count: today.circles_due }) }),
      ),
    );
  }
  if (today.attention) {
    items.push(
      h(
        'li',
        {},
        h('a', { href: '#/attention', text: t('today.attention', { count: today.attention }) }),
      ),
    );
  }
  return items.length ? section('today.also', h('ul', { class: 'links' }, items)) : null;
}

// Asked once on a new device; later only when the user says it is not them,
// and then they can go back without changing anything.
async function pickYourself(container, app, cancel) {
  const members = await api.members();
  container.append(
    screenHeading('today.who_title'),
    h('p', { class: 'lead', text: t('today.who_explain') }),
    memberPicker(members, {
      labelKey: 'today.who_search',
      buttonKey: 'today.who_pick',
      onPick: async (member, button) => {
        button.disabled = true;
        try {
          await api.setMe(member.id);
          document.dispatchEvent(new Event('holdfast:me-changed'));
          app.announce(t('today.who_saved', { name: member.name }));
          app.refresh();
        } catch (error) {
          container.append(note(app.explain(error), 'warning'));
          button.disabled = false;
        }
      },
    }),
    cancel
      ? h('button', {
          type: 'button',
          class: 'button secondary',
          text: t('common.back'),
          onclick: cancel,
        })
      : null,
  );
}

// A browser on the hall's network may read until it is paired; the code of
// an invite a steward issued says whose browser it is, and it cannot be
// changed from here afterwards.
function pairThisBrowser(container, app) {
  const input = h('input', {
    type: 'text',
    autocomplete: 'off',
    autocapitalize: 'characters',
    spellcheck: 'false',
    'data-testid': 'pair-code',
  });
  const answer = h('p', { role: 'status' });
  const button = h('button', { type: 'submit', class: 'button', text: t('browser.pair') });
  const form = h(
    'form',
    { class: 'stack' },
    field('browser.code', input, 'browser.code_hint'),
    button,
    answer,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    answer.textContent = t('common.saving');
    try {
      const paired = await api.pairBrowser(input.value);
      document.dispatchEvent(new Event('holdfast:me-changed'));
      app.announce(t('browser.paired', { label: paired.label }));
      app.refresh();
    } catch (error) {
      answer.textContent = app.explain(error);
      button.disabled = false;
    }
  });
  container.append(
    screenHeading('browser.title'),
    h('p', { class: 'lead', text: t('browser.explain') }),
    form,
    note(t('browser.guest')),
  );
}
