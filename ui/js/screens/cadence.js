// Cadence: the calendar of small actions, the next one, a nudge when one
// tactic has run too often in a row, and the calendar as a file.

import { api } from '../api.js';
import { empty, h, note, screenHeading, section } from '../dom.js';
import { formatDay, formatSpan, formatTime, t } from '../i18n.js';

export async function render(container, app) {
  const [calendar, warning, actions] = await Promise.all([
    api.calendar(6),
    api.variety(),
    api.actions(),
  ]);
  const now = new Date().toISOString();
  const coming = actions.filter((action) => !action.cancelled && action.ends_at > now).slice(0, 8);
  const next = calendar[0];

  container.append(screenHeading('cadence.title'));
  if (warning) {
    container.append(
      note(
        t('cadence.variety', { tactic: warning.tactic, count: warning.times_in_a_row }),
        'warning',
      ),
    );
  }
  container.append(
    section(
      'cadence.next',
      next
        ? [
            h('p', { class: 'action-title', text: next.cadence }),
            h('p', {
              class: 'when',
              text: `${formatDay(next.date)}, ${formatTime(next.starts_at)}`,
            }),
          ]
        : empty('cadence.none'),
    ),
    section(
      'cadence.calendar',
      calendar.length
        ? h(
            'ul',
            { class: 'rows' },
            calendar.map((occurrence) =>
              h(
                'li',
                { class: 'row stacked' },
                h('span', {
                  class: 'row-name',
                  text: `${formatDay(occurrence.date)} · ${formatTime(occurrence.starts_at)}`,
                }),
                h('span', {
                  class: 'tag',
                  text: `${occurrence.cadence} · ${t(occurrence.action_id ? 'cadence.planned' : 'cadence.not_planned')}`,
                }),
              ),
            ),
          )
        : empty('cadence.none'),
      downloadLink(app),
    ),
    section(
      'cadence.coming',
      coming.length
        ? h(
            'ul',
            { class: 'rows' },
            coming.map((action) =>
              h(
                'li',
                { class: 'row stacked' },
                h('span', { class: 'row-name', text: action.title }),
                h('span', {
                  text: `${formatSpan(action.starts_at, action.ends_at)} · ${t(`kind.${action.kind}`)}`,
                }),
              ),
            ),
          )
        : empty('cadence.no_actions'),
    ),
  );
}

function downloadLink(app) {
  if (api.calendarFileUrl) {
    return h('a', {
      class: 'button secondary',
      href: api.calendarFileUrl,
      download: 'holdfast.ics',
      text: t('cadence.download'),
    });
  }
  // Inside the app shell there is no address to link to: fetch the text and
  // hand it over as a file.
  return h('button', {
    type: 'button',
    class: 'button secondary',
    text: t('cadence.download'),
    onclick: async () => {
      try {
        const text = await api.calendarFile();
        const url = URL.createObjectURL(new Blob([text], { type: 'text/calendar' }));
        const link = h('a', { href: url, download: 'holdfast.ics' });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
      } catch (error) {
        app.announce(app.explain(error));
      }
    },
  });
}
