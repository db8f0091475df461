// Members and committees: who is in the local, their roles and sites, and
// the cross-site committees with their facilitation rota. A steward can
// erase a member who asks for it, after a question in place of the button.

import { api } from '../api.js';
import { askInPlace, empty, field, h, screenHeading, section } from '../dom.js';
import { formatDay, t } from '../i18n.js';

// Rows drawn at once: a search finds anyone else.
const SHOWN = 25;

export async function render(container, app) {
  // After an erasure the whole screen is drawn again from the server, since
  // committees change too; what was erased is shown above the list and the
  // search text is kept.
  const paint = async ({ result = null, wanted = '' } = {}) => {
    const [members, committees, sites, today] = await Promise.all([
      api.members(),
      api.committees(),
      api.sites(),
      api.today(),
    ]);
    const me = today.me;
    const steward = Boolean(me?.roles.includes('steward'));
    const erased = async (member, report) => {
      const result = erasedNote(member, report);
      try {
        await paint({ result, wanted: search.value });
      } catch {
        // The erasure is done; only the redraw failed. What was removed is
        // still shown, and the menu or a reload draws the rest.
        container.replaceChildren(screenHeading('members.title'), result);
      }
      result.focus();
    };
    const search = h('input', { type: 'search', autocomplete: 'off', value: wanted });
    const people = memberList(members, sites, search, (member) =>
      steward && member.id !== me.id ? eraseControl(member, app, erased) : null,
    );
    container.replaceChildren(
      screenHeading('members.title'),
      committeeSection(committees, members),
      section(
        'members.people',
        h('p', { class: 'figure', text: t('members.count', { count: members.length }) }),
        result,
        field('members.search', search),
        people.shown,
        people.list,
      ),
    );
  };
  await paint();
}

function committeeSection(committees, members) {
  const names = new Map(members.map((member) => [member.id, member.name]));
  return section(
    'members.committees',
    committees.length
      ? h(
          'ul',
          { class: 'sessions' },
          committees.map((committee) =>
            h(
              'li',
              { class: 'session' },
              h('h4', { text: committee.name }),
              committee.purpose ? h('p', { text: committee.purpose }) : null,
              h('p', {
                class: 'hint',
                text: t('members.formed', { date: formatDay(committee.formed_on) }),
              }),
              h('p', { text: t('members.committee_size', { count: committee.member_ids.length }) }),
              committee.rota.length
                ? h('p', {
                    text: t('members.rota', {
                      names: committee.rota
                        .map((id) => names.get(id) ?? t('common.former_member'))
                        .join(' → '),
                    }),
                  })
                : null,
            ),
          ),
        )
      : empty('members.no_committees'),
  );
}

// The list filtered as the user types; large locals have thousands of
// members, so only the first matches are drawn. Each row is one line (name,
// roles, site) that opens to the member's details; `control` adds what a
// steward may do there (erasing), so no row carries buttons until it is
// opened.
function memberList(members, sites, search, control) {
  const siteNames = new Map(sites.map((site) => [site.id, site.name]));
  const list = h('ul', { class: 'rows', 'data-testid': 'member-list' });
  const shown = h('p', { class: 'hint', 'aria-live': 'polite' });
  const draw = () => {
    const wanted = search.value.trim().toLowerCase();
    const matches = members.filter(
      (member) =>
        member.name.toLowerCase().includes(wanted) ||
        (siteNames.get(member.site_id) ?? '').toLowerCase().includes(wanted),
    );
    list.replaceChildren(
      ...matches.slice(0, SHOWN).map((member) =>
        h(
          'li',
          { class: 'row stacked', 'data-member': member.id },
          h(
            'details',
            { class: 'member' },
            h(
              'summary',
              {},
              h('span', { class: 'row-name', text: member.name }),
              h('span', {
                class: 'row-detail',
                text: [
                  member.roles.map((role) => t(`role.${role}`)).join(', '),
                  siteNames.get(member.site_id),
                ]
                  .filter(Boolean)
                  .join(' · '),
              }),
            ),
            memberDetails(member),
            control(member),
          ),
        ),
      ),
    );
    shown.textContent = t('members.shown', {
      shown: Math.min(matches.length, SHOWN),
      count: matches.length,
    });
  };
  search.addEventListener('input', draw);
  draw();
  return { list, shown };
}

function memberDetails(member) {
  const pairs = [
    ['members.phone', member.phone],
    ['members.email', member.email],
    ['members.joined', member.joined_on ? formatDay(member.joined_on) : null],
  ].filter(([, value]) => value);
  return h(
    'dl',
    { class: 'pairs compact' },
    pairs.map(([key, value]) => [h('dt', { text: t(key) }), h('dd', { text: value })]),
  );
}

// "Erase…" asks first: what goes, where, what stays, that it is final, and
// the member's full name typed out, which the server checks.
function eraseControl(member, app, erased) {
  const slot = h('div', { class: 'row-actions' });
  const id = `erase-${member.id}`;
  const name = member.name;
  const typed = h('input', {
    type: 'text',
    id: `${id}-name`,
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': `${id}-what ${id}-where ${id}-stays ${id}-final`,
  });
  askInPlace(slot, {
    button: h('button', {
      type: 'button',
      class: 'button secondary',
      'aria-label': t('members.erase_label', { name }),
      text: t('members.erase'),
    }),
    id,
    question: t('members.erase_question', { name }),
    extra: [
      h('p', {
        id: `${id}-what`,
        class: 'confirm-detail',
        text: t('members.erase_what', { name }),
      }),
      h('p', { id: `${id}-where`, class: 'confirm-detail', text: t('members.erase_where') }),
      h('p', { id: `${id}-stays`, class: 'confirm-detail', text: t('members.erase_stays') }),
      h('p', { id: `${id}-final`, text: t('members.erase_final') }),
      h(
        'div',
        { class: 'field' },
        h('label', { for: typed.id, text: t('members.erase_type', { name }) }),
        typed,
      ),
    ],
    yes: t('members.erase_yes'),
    act: async () => erased(member, await api.eraseMember(member.id, typed.value)),
    explain: (error) =>
      error?.status
        ? t('members.erase_refused', { reason: error.message })
        : t('error.unreachable'),
  });
  return slot;
}

// What the erasure removed, counted (what it did not touch goes unsaid),
// and how far it reached: this device's history too, or, on a device that
// may not re-base it, why not.
function erasedNote(member, report) {
  const removed = [
    ['members.erased_committees', report.committees_updated],
    ['members.erased_commitments', report.commitments_removed],
    ['members.erased_aid', report.aid_identities_removed],
    ['members.erased_devices', report.devices_revoked],
  ].filter(([, count]) => count > 0);
  return h(
    'div',
    { class: 'note note-success erase-result', tabindex: '-1', 'data-testid': 'erase-result' },
    h('p', { text: t('members.erased', { name: member.name }) }),
    removed.length
      ? h(
          'ul',
          {},
          removed.map(([key, count]) => h('li', { text: t(key, { count }) })),
        )
      : null,
    h('p', { text: t('members.erased_check_ins') }),
    h('p', {
      text: report.history_note
        ? t('members.erased_history_kept', { reason: report.history_note })
        : t('members.erased_history'),
    }),
  );
}
