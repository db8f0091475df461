// Captain: run one shift. Who is here, who signed up and is missing, how
// many places are still open, and check people in or out with one tap each.

import { api } from '../api.js';
import { empty, field, h, memberPicker, note, screenHeading, section, select } from '../dom.js';
import { formatSpan, t } from '../i18n.js';

// How long a captain's mis-tap can be undone in one tap.
const UNDO_MS = 10_000;

export async function render(container, app) {
  const [today, actions, members] = await Promise.all([api.today(), api.actions(), api.members()]);
  const now = new Date().toISOString();
  // Actions still running or to come, and the last few that ended, so a
  // captain can enter a paper sheet afterwards.
  const open = actions.filter((action) => !action.cancelled && action.ends_at > now);
  const recent = actions
    .filter((action) => !action.cancelled && action.ends_at <= now)
    .slice(-3)
    .reverse();
  const choices = [...open, ...recent];
  container.append(screenHeading('captain.title'));
  if (!choices.length) {
    container.append(empty('captain.no_actions'));
    return;
  }

  const actionSelect = select(
    choices.map((action) => [action.id, action.title]),
    today.next_action?.id ?? choices[0].id,
  );
  const shiftSlot = h('div');
  const rosterSlot = h('div', { 'aria-live': 'polite' });
  container.append(
    section('captain.choose', field('captain.action', actionSelect), shiftSlot),
    rosterSlot,
  );

  const me = today.me;
  const loadShifts = async () => {
    const shifts = await api.shifts(actionSelect.value);
    if (!shifts.length) {
      shiftSlot.replaceChildren(empty('captain.no_shifts'));
      rosterSlot.replaceChildren();
      return;
    }
    const mine = shifts.find((shift) => me && shift.captain_id === me.id) ?? shifts[0];
    const shiftSelect = select(
      shifts.map((shift) => [
        shift.id,
        `${shift.location} · ${formatSpan(shift.starts_at, shift.ends_at)}`,
      ]),
      mine.id,
    );
    shiftSelect.addEventListener('change', () => loadRoster(shiftSelect.value));
    shiftSlot.replaceChildren(field('captain.shift', shiftSelect));
    await loadRoster(shiftSelect.value);
  };

  // A row the captain tapped stays where it is, marked, so that a second
  // tap in the same place cannot check in the next person down the list.
  // The counts and the "here now" list below are redrawn; the lists are
  // sorted afresh when the captain picks another shift or comes back.
  const loadRoster = async (shiftId) => {
    const roster = await api.roster(shiftId);
    const countsSlot = h('div');
    const hereSlot = h('div');
    const drawCounts = (current) =>
      countsSlot.replaceChildren(
        h(
          'dl',
          { class: 'counts' },
          count('captain.here', current.here.length),
          count('captain.missing', current.missing.length),
          count('captain.needed', current.still_needed),
          count('captain.capacity', current.shift.capacity),
        ),
      );
    const drawHere = (current) =>
      hereSlot.replaceChildren(
        section(
          'captain.here_list',
          current.here.length
            ? h(
                'ul',
                { class: 'rows' },
                current.here.map((member) => row(member, false)),
              )
            : empty('captain.nobody_here'),
        ),
      );
    const record = async (member, checkingIn, button, { inPlace }) => {
      button.disabled = true;
      const request = {
        action: roster.shift.action_id,
        shift: shiftId,
        member: member.id,
        recorded_by: me?.id,
      };
      try {
        const saved = await (checkingIn ? api.checkIn(request) : api.checkOut(request));
        app.announce(
          t(checkingIn ? 'captain.saved_in' : 'captain.saved_out', { name: member.name }),
        );
        if (!inPlace) return loadRoster(shiftId);
        button.replaceWith(marked(saved, member, checkingIn, button));
        const current = await api.roster(shiftId);
        drawCounts(current);
        if (checkingIn) drawHere(current);
      } catch (error) {
        rosterSlot.prepend(note(app.explain(error), 'warning'));
        button.disabled = false;
      }
    };
    // The mark says what was saved, with a way to take back a mis-tap for
    // a few seconds: the record keeps it, voided, and the row is as before.
    const marked = (saved, member, checkingIn, button) => {
      const mark = h(
        'span',
        { class: 'marked-row' },
        h('span', {
          class: 'tag marked',
          text: t(checkingIn ? 'captain.marked_here' : 'captain.marked_out'),
        }),
      );
      const undo = h('button', {
        type: 'button',
        class: 'link-button',
        'aria-label': t('captain.undo_name', { name: member.name }),
        text: t('today.undo'),
        onclick: async () => {
          undo.disabled = true;
          try {
            await api.voidCheck(saved.id);
            app.announce(t('captain.undone', { name: member.name }));
            button.disabled = false;
            mark.replaceWith(button);
            const current = await api.roster(shiftId);
            drawCounts(current);
            drawHere(current);
          } catch (error) {
            rosterSlot.prepend(note(app.explain(error), 'warning'));
            undo.disabled = false;
          }
        },
      });
      mark.append(undo);
      setTimeout(() => undo.remove(), UNDO_MS);
      return mark;
    };
    const row = (member, checkingIn) =>
      h(
        'li',
        { class: 'row' },
        h('span', { class: 'row-name', text: member.name }),
        h('button', {
          type: 'button',
          class: checkingIn ? 'button' : 'button secondary',
          'aria-label': t(checkingIn ? 'captain.check_in_name' : 'captain.check_out_name', {
            name: member.name,
          }),
          text: t(checkingIn ? 'captain.check_in' : 'captain.check_out'),
          onclick: (event) => record(member, checkingIn, event.currentTarget, { inPlace: true }),
        }),
      );
    const hereIds = new Set(roster.here.map((member) => member.id));
    drawCounts(roster);
    drawHere(roster);
    rosterSlot.replaceChildren(
      countsSlot,
      section(
        'captain.missing_list',
        roster.missing.length
          ? h(
              'ul',
              { class: 'rows' },
              roster.missing.map((member) => row(member, true)),
            )
          : empty('captain.nobody_missing'),
      ),
      hereSlot,
      section(
        'captain.someone_else',
        memberPicker(
          members.filter((member) => !hereIds.has(member.id)),
          {
            labelKey: 'captain.search',
            buttonKey: 'captain.check_in_name',
            limit: 8,
            onPick: (member, button) => record(member, true, button, { inPlace: false }),
          },
        ),
      ),
      walkInForm(roster.shift, app, () => loadRoster(shiftId)),
    );
  };

  actionSelect.addEventListener('change', loadShifts);
  await loadShifts();
}

// Someone the member list does not know: a name, a phone number if they
// give one, and they are checked in at once, offline like anyone else. A
// steward adds them to the members later, from Needs attention.
function walkInForm(shift, app, reload) {
  const name = h('input', {
    type: 'text',
    autocomplete: 'off',
    'aria-required': 'true',
    maxlength: '120',
    'data-testid': 'walk-in-name',
  });
  const phone = h('input', { type: 'tel', autocomplete: 'off', 'data-testid': 'walk-in-phone' });
  const status = h('div', { 'aria-live': 'polite' });
  const button = h('button', {
    type: 'submit',
    class: 'button',
    text: t('captain.walk_in_check_in'),
  });
  const form = h(
    'form',
    { class: 'walk-in' },
    h('p', { class: 'hint', text: t('captain.walk_in_hint') }),
    field('captain.walk_in_name', name),
    field('captain.walk_in_phone', phone, 'captain.walk_in_phone_hint'),
    button,
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    if (!name.value.trim()) {
      status.replaceChildren(note(t('captain.walk_in_needs_name'), 'warning'));
      name.focus();
      return;
    }
    button.disabled = true;
    try {
      const saved = await api.walkIn({
        action: shift.action_id,
        shift: shift.id,
        name: name.value,
        phone: phone.value || null,
      });
      app.announce(t('captain.walk_in_saved', { name: saved.person.name }));
      await reload();
    } catch (error) {
      status.replaceChildren(note(app.explain(error), 'warning'));
      button.disabled = false;
    }
  });
  return section('captain.walk_in', form);
}

function count(key, value) {
  return h('div', { class: 'count' }, h('dt', { text: t(key) }), h('dd', { text: String(value) }));
}
