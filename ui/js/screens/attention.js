// Needs attention: what a merge of offline edits made inconsistent, each
// waiting for a person to decide. Nothing here changes by itself.

import { api } from '../api.js';
import { empty, field, h, memberPicker, note, screenHeading, section } from '../dom.js';
import { t } from '../i18n.js';

export async function render(container, app) {
  const [items, today, members] = await Promise.all([api.attention(), api.today(), api.members()]);
  // Summaries name members by id; show the name where this device knows it.
  const readable = (summary) =>
    members.reduce((text, member) => text.replaceAll(member.id, member.name), summary);
  container.append(
    screenHeading('attention.title'),
    h('p', { class: 'lead', text: t('attention.explain') }),
  );
  if (!items.length) {
    container.append(section('attention.list', empty('attention.none')));
    return;
  }
  container.append(
    section(
      'attention.list',
      h(
        'ul',
        { class: 'sessions' },
        items.map((item) => {
          if (item.kind === 'walk_in') return walkInItem(item, members, app);
          const text = h('textarea', { rows: '2' });
          const status = h('div', { 'aria-live': 'polite' });
          return h(
            'li',
            { class: 'session' },
            h('h4', { text: t(`attention_kind.${item.kind}`) }),
            h('p', { text: readable(item.summary) }),
            field('attention.note', text, 'attention.note_hint'),
            h('button', {
              type: 'button',
              class: 'button',
              text: t('attention.resolve'),
              disabled: !today.me,
              onclick: async (event) => {
                const button = event.currentTarget;
                button.disabled = true;
                try {
                  await api.resolveAttention({ key: item.key, by: today.me.id, note: text.value });
                  app.announce(t('attention.resolved'));
                  app.refresh();
                } catch (error) {
                  status.replaceChildren(note(app.explain(error), 'warning'));
                  button.disabled = false;
                }
              },
            }),
            status,
          );
        }),
      ),
    ),
  );
}

// A walk-in waits for a steward: a new member, or a member already listed
// under another spelling (their check-ins then count as that member's).
const WALK_IN = 'walk-in:';
function walkInItem(item, members, app) {
  const id = item.key.slice(WALK_IN.length);
  const status = h('div', { 'aria-live': 'polite' });
  const settle = async (button, work, done) => {
    button.disabled = true;
    try {
      const member = await work();
      app.announce(t(done, { name: member.name }));
      app.refresh();
    } catch (error) {
      status.replaceChildren(note(app.explain(error), 'warning'));
      button.disabled = false;
    }
  };
  return h(
    'li',
    { class: 'session', 'data-testid': 'walk-in-item' },
    h('h4', { text: t('attention_kind.walk_in') }),
    h('p', { text: item.summary }),
    h('button', {
      type: 'button',
      class: 'button',
      text: t('attention.walk_in_add'),
      onclick: (event) =>
        settle(event.currentTarget, () => api.confirmWalkIn(id), 'attention.walk_in_added'),
    }),
    h(
      'details',
      {},
      h('summary', { text: t('attention.walk_in_merge') }),
      memberPicker(members, {
        labelKey: 'attention.walk_in_find',
        buttonKey: 'attention.walk_in_merge_into',
        limit: 8,
        onPick: (member, button) =>
          settle(button, () => api.mergeWalkIn(id, member.id), 'attention.walk_in_merged'),
      }),
    ),
    status,
  );
}
