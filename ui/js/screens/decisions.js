// Decisions: proposals put to the members, votes cast from wherever people
// are (offline too, counted when the phone syncs), and the count a
// facilitator records when the vote closes. Votes are open: everyone's
// device holds who voted for what.

import { api } from '../api.js';
import { askInPlace, empty, field, h, note, screenHeading, section } from '../dom.js';
import { formatDateTime, t } from '../i18n.js';

const CLOSERS = ['facilitator', 'steward'];

export async function render(container, app) {
  const [today, rows] = await Promise.all([api.today(), api.decisions()]);
  const me = today.me;
  const mayClose = Boolean(me?.roles?.some((role) => CLOSERS.includes(role)));
  const redraw = () => app.refresh();
  const open = rows.filter((row) => !row.proposal.closing);
  const closed = rows.filter((row) => row.proposal.closing);

  container.append(
    screenHeading('decisions.title'),
    h('p', { class: 'hint', text: t('decisions.open_ballot') }),
    section(
      'decisions.open',
      open.length
        ? h(
            'ul',
            { class: 'sessions' },
            open.map((row) => proposalCard(row, { me, mayClose, app, redraw })),
          )
        : empty('decisions.none_open'),
    ),
    me ? section('decisions.put', proposeForm(app, redraw)) : null,
    section(
      'decisions.closed',
      closed.length
        ? h(
            'ul',
            { class: 'sessions' },
            closed.map((row) => proposalCard(row, { me, mayClose: false, app, redraw })),
          )
        : empty('decisions.none_closed'),
    ),
  );
}

function countsList(row) {
  const total = row.counts.reduce((sum, count) => sum + count, 0);
  return h(
    'dl',
    { class: 'pairs' },
    row.proposal.options.map((option, index) => [
      h('dt', { text: option }),
      h('dd', {
        text: t('decisions.count', {
          count: row.counts[index] ?? 0,
          share: total ? Math.round(((row.counts[index] ?? 0) * 100) / total) : 0,
        }),
      }),
    ]),
  );
}

// Votes are open: who voted for what, folded away under the count.
function ballotsList(row) {
  if (!row.ballots?.length) return null;
  return h(
    'details',
    { class: 'ballots' },
    h('summary', { text: t('decisions.who_voted', { count: row.ballots.length }) }),
    h(
      'ul',
      { class: 'plain' },
      row.ballots.map((ballot) =>
        h('li', {
          text: t('decisions.ballot', {
            name: ballot.name ?? t('decisions.erased_voter'),
            option: ballot.choice,
          }),
        }),
      ),
    ),
  );
}

function proposalCard(row, { me, mayClose, app, redraw }) {
  const { proposal } = row;
  const closing = proposal.closing;
  const status = h('div', { 'aria-live': 'polite' });
  const headingId = `proposal-${proposal.id}`;
  const parts = [
    h('h4', { id: headingId, text: proposal.title }),
    proposal.text ? h('p', { class: 'lead', text: proposal.text }) : null,
    h('p', {
      class: 'hint',
      text: row.proposer_name
        ? t('decisions.put_by', {
            name: row.proposer_name,
            when: formatDateTime(proposal.opened_at),
          })
        : formatDateTime(proposal.opened_at),
    }),
  ];
  if (closing) {
    parts.push(
      h('p', {
        class: 'row-name outcome',
        text: row.outcome
          ? t('decisions.carried', { option: row.outcome })
          : t('decisions.none_carried'),
      }),
      countsList(row),
      h('p', {
        class: 'hint',
        text: t('decisions.closed_at', { when: formatDateTime(closing.at) }),
      }),
      ballotsList(row),
    );
    if (row.arrived_after_close)
      parts.push(note(t('decisions.arrived_after_close', { count: row.arrived_after_close })));
  } else {
    if (proposal.closes_at)
      parts.push(
        h('p', {
          text: t(row.open ? 'decisions.closes_at' : 'decisions.time_up', {
            when: formatDateTime(proposal.closes_at),
          }),
        }),
      );
    parts.push(
      countsList(row),
      h('p', { class: 'hint', text: t('decisions.voters', { count: row.voters }) }),
      ballotsList(row),
    );
    if (row.disagreements)
      parts.push(note(t('decisions.disagreements', { count: row.disagreements }), 'warning'));
    if (me && row.open) {
      parts.push(
        row.my_choice
          ? h('p', { class: 'my-vote', text: t('decisions.your_vote', { option: row.my_choice }) })
          : null,
        h(
          'div',
          { class: 'actions', role: 'group', 'aria-labelledby': headingId },
          proposal.options.map((option) =>
            h('button', {
              type: 'button',
              class: option === row.my_choice ? 'button' : 'button secondary',
              'aria-pressed': String(option === row.my_choice),
              text: t('decisions.vote_for', { option }),
              onclick: async (event) => {
                event.currentTarget.disabled = true;
                try {
                  await api.vote(proposal.id, option);
                  app.announce(t('decisions.voted', { option }));
                  redraw();
                } catch (error) {
                  status.replaceChildren(note(app.explain(error), 'warning'));
                  event.currentTarget.disabled = false;
                }
              },
            }),
          ),
        ),
      );
    } else if (!me) {
      parts.push(h('p', { class: 'hint', text: t('decisions.pick_yourself') }));
    }
    if (mayClose) {
      const slot = h('div');
      askInPlace(slot, {
        button: h('button', {
          type: 'button',
          class: 'button secondary',
          text: t('decisions.close'),
        }),
        id: `close-${proposal.id}`,
        question: t('decisions.close_question', { title: proposal.title }),
        yes: t('decisions.close_yes'),
        act: async () => {
          const done = await api.closeProposal(proposal.id);
          app.announce(
            done.closing?.outcome
              ? t('decisions.carried', { option: done.closing.outcome })
              : t('decisions.none_carried'),
          );
          redraw();
        },
        explain: (error) => app.explain(error),
      });
      parts.push(slot);
    }
  }
  parts.push(status);
  return h('li', { class: 'session proposal' }, parts);
}

function proposeForm(app, redraw) {
  const title = h('input', { type: 'text', maxlength: '200', required: true });
  const text = h('textarea', { rows: '3', maxlength: '10000' });
  const options = h('input', { type: 'text', placeholder: t('decisions.options_placeholder') });
  const closesAt = h('input', { type: 'datetime-local' });
  const status = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { novalidate: true },
    field('decisions.field_title', title),
    field('decisions.field_text', text),
    field('decisions.field_options', options, 'decisions.options_hint'),
    field('decisions.field_closes_at', closesAt, 'decisions.closes_at_hint'),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'button', text: t('decisions.put_button') }),
    ),
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.replaceChildren();
    if (!title.value.trim()) {
      status.replaceChildren(note(t('decisions.needs_title'), 'warning'));
      title.focus();
      return;
    }
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      await api.propose({
        title: title.value,
        text: text.value,
        options: options.value
          .split(',')
          .map((option) => option.trim())
          .filter(Boolean),
        closes_at: closesAt.value
          ? new Date(closesAt.value).toISOString().replace(/\.\d{3}Z$/, 'Z')
          : null,
      });
      app.announce(t('decisions.put_done', { title: title.value.trim() }));
      redraw();
    } catch (error) {
      status.replaceChildren(note(app.explain(error), 'warning'));
      submit.disabled = false;
    }
  });
  return form;
}
