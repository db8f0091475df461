// Mutual aid: ask for help or offer it, see the public totals (counts and
// sums, never names), and for coordinators, the requests with names.

import { api } from '../api.js';
import { empty, field, h, note, screenHeading, section, select } from '../dom.js';
import { formatDay, formatMoney, formatMonth, t } from '../i18n.js';

const CATEGORIES = ['fund', 'pantry', 'rent', 'childcare', 'rides'];
const URGENCIES = ['low', 'soon', 'urgent'];
const MONTHS_SHOWN = 6;

export async function render(container, app) {
  const [today, summary, balances, attention] = await Promise.all([
    api.today(),
    api.aidSummary(),
    api.aidBalances(),
    api.attention(),
  ]);
  const me = today.me;
  const coordinator = me && (me.roles.includes('coordinator') || me.roles.includes('steward'));
  const money = (cents) => formatMoney(cents, today.currency);

  container.append(screenHeading('aid.title'), h('p', { class: 'lead', text: t('aid.explain') }));
  for (const item of attention.filter((entry) => entry.kind === 'fund_overdrawn')) {
    container.append(
      h(
        'div',
        { class: 'note note-warning', role: 'alert' },
        h('p', { text: t('aid.overdrawn') }),
        h('p', { text: item.summary }),
        h('a', { href: '#/attention', text: t('aid.settle') }),
      ),
    );
  }
  // What each pool holds comes first: it is what people ask about. Totals
  // (and, for coordinators, the named list) are redrawn after every request
  // or offer, so the member sees their own filing counted at once; the
  // latest month is open and earlier ones are folded away.
  const pools = h('div', { class: 'stack' });
  const figures = h('div', { class: 'stack' });
  const redraw = async (summary, balances) => {
    const [named, freshSummary, freshBalances] = await Promise.all([
      coordinator ? api.coordinatorView().catch(() => null) : null,
      summary ?? api.aidSummary(),
      balances ?? api.aidBalances(),
    ]);
    pools.replaceChildren(balanceList(freshBalances, money));
    figures.replaceChildren(
      ...(named ? [coordinatorList(named, money)] : []),
      totals(freshSummary, money),
    );
  };
  await redraw(summary, balances);
  container.append(pools);
  if (!me) {
    container.append(note(t('aid.pick_first'), 'warning'));
  } else {
    container.append(
      requestForm(me, app, () => redraw()),
      offerForm(me, app, () => redraw()),
    );
  }
  container.append(figures);
}

function amountInput() {
  return h('input', {
    type: 'number',
    min: '0.01',
    step: '0.01',
    inputmode: 'decimal',
    required: true,
  });
}

function categorySelect() {
  return select(
    CATEGORIES.map((category) => [category, t(`category.${category}`)]),
    'fund',
  );
}

function toCents(text) {
  return Math.round(Number(String(text).replace(',', '.')) * 100);
}

function requestForm(me, app, redraw) {
  const category = categorySelect();
  const amount = amountInput();
  const urgency = select(
    URGENCIES.map((level) => [level, t(`urgency.${level}`)]),
    'soon',
  );
  const text = h('textarea', { rows: '2' });
  const status = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'form', 'data-testid': 'aid-request-form' },
    field('aid.category', category),
    field('aid.amount', amount, 'aid.amount_hint'),
    field('aid.urgency', urgency),
    field('aid.note', text, 'aid.note_hint'),
    h('button', { type: 'submit', class: 'button', text: t('aid.send_request') }),
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      const saved = await api.requestAid({
        member: me.id,
        category: category.value,
        amount_cents: toCents(amount.value),
        urgency: urgency.value,
        note: text.value,
      });
      form.reset();
      status.replaceChildren(
        note(t('aid.request_saved', { pseudonym: saved.pseudonym }), 'success'),
      );
      app.announce(t('aid.request_saved', { pseudonym: saved.pseudonym }));
      await redraw();
    } catch (error) {
      status.replaceChildren(note(app.explain(error), 'warning'));
    } finally {
      submit.disabled = false;
    }
  });
  return section('aid.request', h('p', { class: 'hint', text: t('aid.request_privacy') }), form);
}

function offerForm(me, app, redraw) {
  const category = categorySelect();
  const amount = amountInput();
  const text = h('textarea', { rows: '2' });
  const status = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'form' },
    field('aid.category', category),
    field('aid.amount', amount, 'aid.amount_hint'),
    field('aid.offer_note', text),
    h('button', { type: 'submit', class: 'button', text: t('aid.send_offer') }),
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      await api.offerAid({
        member: me.id,
        category: category.value,
        amount_cents: toCents(amount.value),
        note: text.value,
      });
      form.reset();
      status.replaceChildren(note(t('aid.offer_saved'), 'success'));
      app.announce(t('aid.offer_saved'));
      await redraw();
    } catch (error) {
      status.replaceChildren(note(app.explain(error), 'warning'));
    } finally {
      submit.disabled = false;
    }
  });
  return section('aid.offer', form);
}

// One block per month, newest first, and in it one small card per kind of
// help: asked, offered, given into the fund and paid out. Cards rather than
// a wide table, so nothing has to scroll sideways on a phone.
function totals(summary, money) {
  const months = [...new Set(summary.map((row) => row.month))]
    .sort()
    .reverse()
    .slice(0, MONTHS_SHOWN);
  if (!months.length) return section('aid.totals', empty('aid.no_totals'));
  const figure = (key, className, text) => [
    h('dt', { text: t(key) }),
    h('dd', { class: className, text }),
  ];
  return section(
    'aid.totals',
    h('p', { class: 'hint', text: t('aid.totals_explain') }),
    months.map((month, index) =>
      h(
        'details',
        { class: 'month', 'data-testid': `aid-totals-${month}`, open: index === 0 },
        h('summary', { class: 'month-name', text: formatMonth(month) }),
        h(
          'ul',
          { class: 'month-totals' },
          summary
            .filter((row) => row.month === month)
            .map((row) =>
              h(
                'li',
                { class: 'total', 'data-category': row.category },
                h('p', { class: 'total-name', text: t(`category.${row.category}`) }),
                h(
                  'dl',
                  { class: 'pairs compact' },
                  figure(
                    'aid.column_asked',
                    'asked',
                    row.requests ? `${money(row.requested_cents)} (${row.requests})` : '–',
                  ),
                  figure(
                    'aid.column_offered',
                    'offered',
                    row.offers ? money(row.offered_cents) : '–',
                  ),
                  figure(
                    'aid.column_in',
                    'in',
                    row.contributed_cents ? money(row.contributed_cents) : '–',
                  ),
                  figure(
                    'aid.column_out',
                    'out',
                    row.disbursed_cents ? money(row.disbursed_cents) : '–',
                  ),
                ),
              ),
            ),
        ),
      ),
    ),
  );
}

function balanceList(balances, money) {
  const entries = Object.entries(balances);
  return section(
    'aid.balances',
    entries.length
      ? h(
          'dl',
          { class: 'pairs' },
          entries.map(([category, cents]) => [
            h('dt', { text: t(`category.${category}`) }),
            h('dd', { class: cents < 0 ? 'negative' : null, text: money(cents) }),
          ]),
        )
      : empty('aid.no_totals'),
  );
}

function coordinatorList(named, money) {
  const open = named
    .filter((item) => item.request.status === 'open' || item.request.status === 'matched')
    .reverse();
  return section(
    'aid.coordinator',
    h('p', { class: 'hint', text: t('aid.coordinator_explain') }),
    open.length
      ? h(
          'ul',
          { class: 'rows', 'data-testid': 'coordinator-view' },
          open.map(({ request, member_name: name }) =>
            h(
              'li',
              { class: 'row stacked' },
              h('span', { class: 'row-name', text: name ?? t('aid.unknown_person') }),
              h('span', {
                text: `${request.pseudonym} · ${t(`category.${request.category}`)} · ${money(request.amount_cents)} · ${t(`urgency.${request.urgency}`)}`,
              }),
              h('span', {
                class: 'tag',
                text: `${t(`status.${request.status}`)} · ${formatDay(request.requested_at.slice(0, 10))}`,
              }),
              request.note ? h('span', { text: request.note }) : null,
            ),
          ),
        )
      : empty('aid.no_open'),
  );
}
