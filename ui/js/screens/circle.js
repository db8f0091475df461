// Circle: the facilitator's script for a decompression circle after an
// action. Rounds with a countdown each, then the phone asks to be put away.
// Afterwards each person may keep a private reflection on their own device
// and choose to share when they will rest.

import { api } from '../api.js';
import { empty, field, h, note, screenHeading, section, select } from '../dom.js';
import { formatDateTime, t } from '../i18n.js';

// Where a running round is kept while the facilitator is on another screen.
const ROUND_KEY = 'holdfast.circle.round';

export async function render(container, app) {
  const [due, rounds, rest, members, reflections, today] = await Promise.all([
    api.circlesDue(),
    api.circleRounds(),
    api.restCommitments(),
    api.members(),
    api.reflections(),
    api.today(),
  ]);
  const names = new Map(members.map((member) => [member.id, member.name]));
  // A browser at the hall is on the hall's computer: nothing kept there is
  // private to the person at the browser, so reflections are not offered.
  const atHall = Boolean(today?.browser);
  const privateHint = () =>
    h('p', {
      class: 'hint',
      text: t(atHall ? 'circle.private_at_hall' : 'circle.private_explain'),
    });
  let timer = null;
  let wakeLock = null;
  const stopTimer = () => {
    clearInterval(timer);
    timer = null;
    wakeLock?.release().catch(() => {});
    wakeLock = null;
  };
  // Leaving the screen (or reloading) mid-round keeps the round: where it
  // was and the time left stay in this tab's storage until the circle is
  // recorded or the facilitator goes back.
  const forgetRound = () => sessionStorage.removeItem(ROUND_KEY);
  const keepRound = (state) =>
    sessionStorage.setItem(ROUND_KEY, JSON.stringify({ ...state, at: Date.now() }));

  const start = () => {
    stopTimer();
    forgetRound();
    container.replaceChildren(
      screenHeading('circle.title'),
      h('p', { class: 'lead', text: t('circle.explain') }),
      section(
        'circle.due',
        due.length
          ? h(
              'ul',
              { class: 'rows' },
              due.map((item) =>
                h(
                  'li',
                  { class: 'row stacked' },
                  h('span', { class: 'row-name', text: item.title }),
                  h('span', { text: t('circle.ended', { when: formatDateTime(item.ended_at) }) }),
                  h('button', {
                    type: 'button',
                    class: 'button',
                    text: t('circle.start'),
                    onclick: () => setup(item),
                  }),
                ),
              ),
            )
          : empty('circle.none_due'),
      ),
      section(
        'circle.rest_shared',
        rest.length
          ? h(
              'ul',
              { class: 'rows' },
              rest
                .slice(-12)
                .reverse()
                .map((item) =>
                  h(
                    'li',
                    { class: 'row stacked' },
                    h('span', {
                      class: 'row-name',
                      text: names.get(item.member_id) ?? t('common.former_member'),
                    }),
                    h('span', { text: item.commitment }),
                  ),
                ),
            )
          : empty('circle.rest_none'),
      ),
      section(
        'circle.my_reflections',
        privateHint(),
        reflections.length
          ? h(
              'details',
              {},
              h('summary', { text: t('circle.show_reflections', { count: reflections.length }) }),
              h(
                'ul',
                { class: 'rows' },
                reflections
                  .slice(-10)
                  .reverse()
                  .map((item) =>
                    h(
                      'li',
                      { class: 'row stacked' },
                      h('span', { class: 'tag', text: t(`round.${item.round}.title`) }),
                      h('span', { text: item.text }),
                    ),
                  ),
              ),
            )
          : empty('circle.no_reflections'),
      ),
    );
    container.querySelector('.screen-title')?.focus();
  };

  const setup = (item) => {
    const count = h('input', {
      type: 'number',
      min: '1',
      max: '500',
      value: '6',
      inputmode: 'numeric',
    });
    container.replaceChildren(
      screenHeading('circle.for', { title: item.title }),
      section(
        'circle.before',
        h('p', { text: t('circle.before_explain') }),
        h(
          'ol',
          { class: 'round-list' },
          rounds.map((round) =>
            h('li', {
              text: t('circle.round_minutes', {
                name: t(`round.${round.name}.title`),
                count: round.minutes,
              }),
            }),
          ),
        ),
        field('circle.participants', count),
        h(
          'div',
          { class: 'actions' },
          h('button', {
            type: 'button',
            class: 'button',
            text: t('circle.begin'),
            onclick: () => runRound(item, Math.max(1, Number(count.value) || 1), 0, []),
          }),
          h('button', {
            type: 'button',
            class: 'button secondary',
            text: t('common.back'),
            onclick: start,
          }),
        ),
      ),
    );
    container.querySelector('.screen-title')?.focus();
  };

  const runRound = (item, participants, index, done, left = null, wasPaused = false) => {
    stopTimer();
    const round = rounds[index];
    let remaining = left ?? round.minutes * 60;
    let paused = wasPaused;
    const keep = () =>
      keepRound({ action: item.action_id, participants, index, done, remaining, paused });
    keep();
    // The screen stays on while a round runs, where the browser allows it
    // (it needs a secure page: the app, or this computer's own address).
    navigator.wakeLock
      ?.request('screen')
      .then((lock) => {
        if (timer) wakeLock = lock;
        else lock.release().catch(() => {});
      })
      .catch(() => {});
    const clock = h('p', {
      class: 'clock',
      role: 'timer',
      'aria-live': 'off',
      'data-testid': 'clock',
    });
    const after = h('p', { class: 'hint', 'aria-live': 'polite' });
    const pause = h('button', { type: 'button', class: 'button secondary' });
    const drawClock = () => {
      const minutes = Math.floor(remaining / 60);
      const seconds = String(remaining % 60).padStart(2, '0');
      clock.textContent = `${minutes}:${seconds}`;
      clock.setAttribute('aria-label', t('circle.time_left', { minutes, seconds }));
      pause.textContent = paused ? t('circle.resume') : t('circle.pause');
    };
    pause.addEventListener('click', () => {
      paused = !paused;
      keep();
      drawClock();
    });
    // Time up is plain to see: the clock and a line under it change, and
    // the line is read out.
    const timeUp = () => {
      clock.classList.add('time-up');
      after.className = 'note note-warning time-up';
      after.textContent = t('circle.time_up');
    };
    timer = setInterval(() => {
      if (paused || remaining <= 0) return;
      remaining -= 1;
      keep();
      drawClock();
      if (remaining === 0) {
        timeUp();
        app.buzz();
      }
    }, 1000);
    const last = index === rounds.length - 1;
    const next = h('button', {
      type: 'button',
      class: 'button',
      'data-testid': 'next-round',
      text: last ? t('circle.finish') : t('circle.next_round'),
      onclick: () =>
        last
          ? finish(item, participants, [...done, round.name])
          : runRound(item, participants, index + 1, [...done, round.name]),
    });
    drawClock();
    if (remaining === 0) timeUp();
    container.replaceChildren(
      screenHeading('circle.round_of', { number: index + 1, total: rounds.length }),
      h(
        'section',
        { class: 'card round' },
        h('h3', { class: 'round-name', text: t(`round.${round.name}.title`) }),
        h('p', { class: 'prompt', text: t(`round.${round.name}.prompt`) }),
        h('p', { class: 'hint', text: t(`round.${round.name}.guide`) }),
        clock,
        after,
        h('div', { class: 'actions' }, next, pause),
      ),
    );
    container.querySelector('.screen-title')?.focus();
  };

  const finish = async (item, participants, done) => {
    stopTimer();
    forgetRound();
    let circle;
    try {
      circle = await api.recordCircle({
        action: item.action_id,
        facilitator: today.me?.id ?? '',
        participant_count: participants,
        rounds: done,
      });
    } catch (error) {
      container.prepend(note(app.explain(error), 'warning'));
      return;
    }
    // The circle is device-free from here on: a plain, still screen.
    container.replaceChildren(
      h(
        'section',
        { class: 'put-away', 'data-testid': 'put-away' },
        h('h2', { class: 'screen-title', tabindex: '-1', text: t('circle.put_away') }),
        h('p', { text: t('circle.put_away_explain') }),
        h('button', {
          type: 'button',
          class: 'button',
          text: t('circle.back_after'),
          onclick: () => afterwards(item, circle),
        }),
      ),
    );
    container.querySelector('.screen-title')?.focus();
  };

  const afterwards = (item, circle) => {
    const roundSelect = select(
      rounds.map((round) => [round.name, t(`round.${round.name}.title`)]),
      rounds[0].name,
    );
    const reflection = h('textarea', { rows: '4' });
    const reflectionStatus = h('p', { class: 'hint', 'aria-live': 'polite' });
    const commitment = h('textarea', { rows: '2' });
    const commitmentStatus = h('p', { class: 'hint', 'aria-live': 'polite' });
    const reflect = atHall
      ? section('circle.reflect', privateHint())
      : section(
          'circle.reflect',
          privateHint(),
          field('circle.round', roundSelect),
          field('circle.reflection', reflection),
          h('button', {
            type: 'button',
            class: 'button',
            text: t('circle.keep_private'),
            onclick: async (event) => {
              const button = event.currentTarget;
              if (!reflection.value.trim()) return;
              button.disabled = true;
              try {
                await api.writeReflection({
                  action: item.action_id,
                  round: roundSelect.value,
                  text: reflection.value,
                });
                reflection.value = '';
                reflectionStatus.textContent = t('circle.kept');
              } catch (error) {
                reflectionStatus.textContent = app.explain(error);
              } finally {
                button.disabled = false;
              }
            },
          }),
          reflectionStatus,
        );
    container.replaceChildren(
      screenHeading('circle.afterwards'),
      reflect,
      section(
        'circle.rest',
        h('p', { class: 'hint', text: t('circle.rest_explain') }),
        field('circle.rest_label', commitment),
        h('button', {
          type: 'button',
          class: 'button',
          text: t('circle.share'),
          onclick: async (event) => {
            const button = event.currentTarget;
            if (!commitment.value.trim() || !today.me) return;
            button.disabled = true;
            try {
              await api.shareRest(circle.id, { member: today.me.id, commitment: commitment.value });
              commitment.value = '';
              commitmentStatus.textContent = t('circle.shared');
            } catch (error) {
              commitmentStatus.textContent = app.explain(error);
            } finally {
              button.disabled = false;
            }
          },
        }),
        commitmentStatus,
      ),
      h('button', {
        type: 'button',
        class: 'button secondary',
        text: t('circle.done'),
        onclick: () => app.refresh(),
      }),
    );
    container.querySelector('.screen-title')?.focus();
  };

  // A round left running: carry on where it was, less the time spent away
  // unless it was paused, if its circle is still due.
  const kept = (() => {
    try {
      return JSON.parse(sessionStorage.getItem(ROUND_KEY) ?? 'null');
    } catch {
      return null;
    }
  })();
  const keptItem = kept && due.find((item) => item.action_id === kept.action);
  if (keptItem && rounds[kept.index]) {
    const away = kept.paused ? 0 : Math.floor((Date.now() - kept.at) / 1000);
    runRound(
      keptItem,
      kept.participants,
      kept.index,
      kept.done,
      Math.max(0, kept.remaining - away),
      kept.paused,
    );
  } else {
    forgetRound();
    start();
  }
  return stopTimer;
}
