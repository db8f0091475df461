// Sovereignty: what the workers now run for themselves, counted from the
// record month by month. Plain figures and small charts, meant to be shared.

import { api } from '../api.js';
import { barChart, lineChart } from '../charts.js';
import { empty, h, screenHeading, section } from '../dom.js';
import { formatMoney, formatMonth, formatShortMonth, language, t } from '../i18n.js';

const MONTHS_SHOWN = 12;

const METRICS = [
  { key: 'committees_meeting', of: 'committees_formed', chart: barChart },
  { key: 'members_trained', chart: lineChart },
  { key: 'practices_kept', of: 'practices_started', chart: barChart },
  { key: 'circles_held', chart: barChart },
  { key: 'decisions_made', chart: barChart },
  { key: 'aid_given_cents', money: true, chart: lineChart },
];

export async function render(container) {
  const [gains, today] = await Promise.all([api.sovereignty(), api.today()]);
  const months = gains.slice(-MONTHS_SHOWN);
  container.append(
    screenHeading('sovereignty.title'),
    h('p', { class: 'lead', text: t('sovereignty.explain') }),
  );
  if (!months.length) {
    container.append(empty('sovereignty.none'));
    return;
  }
  // The same figures as one file with no names in it, written by the hub.
  container.append(
    h(
      'p',
      { class: 'share' },
      h('a', {
        class: 'button',
        href: `/api/sovereignty/page?lang=${encodeURIComponent(language())}`,
        download: '',
        text: t('sovereignty.save_page'),
      }),
      ' ',
      h('span', { class: 'hint', text: t('sovereignty.save_page_explain') }),
    ),
  );
  const latest = months.at(-1);
  const grid = h('div', { class: 'chart-grid' });
  container.classList.add('wide');
  container.append(grid);
  for (const metric of METRICS) {
    const show = (value) => (metric.money ? formatMoney(value, today.currency) : String(value));
    const points = months.map((month) => ({
      label: formatShortMonth(month.month),
      value: month[metric.key],
      text: show(month[metric.key]),
    }));
    const headline = metric.of
      ? t('sovereignty.of', { value: show(latest[metric.key]), total: latest[metric.of] })
      : show(latest[metric.key]);
    const label = t('sovereignty.chart_label', {
      metric: t(`sovereignty.${metric.key}`),
      value: headline,
      month: formatMonth(latest.month),
    });
    grid.append(
      section(
        `sovereignty.${metric.key}`,
        h('p', { class: 'figure', text: headline }),
        h('p', { class: 'hint', text: t(`sovereignty.${metric.key}_explain`) }),
        metric.chart(points, label),
        h(
          'details',
          {},
          h('summary', { text: t('sovereignty.show_figures') }),
          h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col', text: t('sovereignty.month') }),
                h('th', { scope: 'col', text: t(`sovereignty.${metric.key}`) }),
              ),
            ),
            h(
              'tbody',
              {},
              months.map((month) =>
                h(
                  'tr',
                  {},
                  h('th', { scope: 'row', text: formatMonth(month.month) }),
                  h('td', { text: show(month[metric.key]) }),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }
}
