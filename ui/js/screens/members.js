// Members and committees: who is in the local, their roles and sites, and
// the cross-site committees with their facilitation rota.

import { api } from '../api.js';
import { empty, field, h, screenHeading, section } from '../dom.js';
import { formatDay, t } from '../i18n.js';

const SHOWN = 60;

export async function render(container) {
  const [members, committees, sites] = await Promise.all([api.members(), api.committees(), api.sites()]);
  const names = new Map(members.map((member) => [member.id, member.name]));
  const siteNames = new Map(sites.map((site) => [site.id, site.name]));

  const search = h('input', { type: 'search', autocomplete: 'off' });
  const list = h('ul', { class: 'rows', 'data-testid': 'member-list' });
  const shown = h('p', { class: 'hint', 'aria-live': 'polite' });
  const draw = () => {
    const wanted = search.value.trim().toLowerCase();
    const matches = members.filter(
      (member) =>
        member.name.toLowerCase().includes(wanted) || (siteNames.get(member.site_id) ?? '').toLowerCase().includes(wanted),
    );
    list.replaceChildren(
      ...matches.slice(0, SHOWN).map((member) =>
        h(
          'li',
          { class: 'row stacked' },
          h('span', { class: 'row-name', text: member.name }),
          h('span', {
            text: [member.roles.map((role) => t(`role.${role}`)).join(', '), siteNames.get(member.site_id)].filter(Boolean).join(' · '),
          }),
        ),
      ),
    );
    shown.textContent = t('members.shown', { shown: Math.min(matches.length, SHOWN), count: matches.length });
  };
  search.addEventListener('input', draw);
  draw();

  container.append(
    screenHeading('members.title'),
    section(
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
                h('p', { class: 'hint', text: t('members.formed', { date: formatDay(committee.formed_on) }) }),
                h('p', { text: t('members.committee_size', { count: committee.member_ids.length }) }),
                committee.rota.length
                  ? h('p', {
                      text: t('members.rota', {
                        names: committee.rota.map((id) => names.get(id) ?? t('common.former_member')).join(' → '),
                      }),
                    })
                  : null,
              ),
            ),
          )
        : empty('members.no_committees'),
    ),
    section('members.people', h('p', { class: 'figure', text: t('members.count', { count: members.length }) }), field('members.search', search), shown, list),
  );
}
