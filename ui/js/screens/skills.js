// Skills: the monthly sessions of the skill commons, who facilitates (by a
// fair rotation), the materials kept in the record for reading offline, and
// who attended, so "members trained" is a count.

import { api } from '../api.js';
import { empty, h, memberPicker, note, screenHeading, section } from '../dom.js';
import { formatDay, t } from '../i18n.js';

export async function render(container, app) {
  const [skills, sessions, attendance, members] = await Promise.all([
    api.skills(),
    api.skillSessions(),
    api.attendance(),
    api.members(),
  ]);
  const rotation = await Promise.all(
    skills.map((skill) => api.nextFacilitator(skill.id).catch(() => null)),
  );
  const next = new Map(skills.map((skill, index) => [skill.id, rotation[index]]));
  const skillById = new Map(skills.map((skill) => [skill.id, skill]));
  const names = new Map(members.map((member) => [member.id, member.name]));
  const present = new Map();
  for (const record of attendance) {
    if (!present.has(record.session_id)) present.set(record.session_id, new Set());
    present.get(record.session_id).add(record.member_id);
  }
  const todayDay = new Date().toISOString().slice(0, 10);
  const upcoming = sessions.filter((session) => session.held_on >= todayDay);
  const past = sessions
    .filter((session) => session.held_on < todayDay)
    .slice(-4)
    .reverse();

  const sessionCard = (session) => {
    const skill = skillById.get(session.skill_id);
    const facilitator = session.facilitator_id
      ? names.get(session.facilitator_id)
      : next.get(session.skill_id)?.name;
    const here = present.get(session.id) ?? new Set();
    const slot = h('div');
    return h(
      'li',
      { class: 'session' },
      h('h4', { text: skill?.name ?? t('skills.unknown') }),
      h('p', { class: 'when', text: formatDay(session.held_on) }),
      h('p', {
        text: facilitator
          ? t(session.facilitator_id ? 'skills.facilitator' : 'skills.rotation_suggests', {
              name: facilitator,
            })
          : t('skills.no_facilitator'),
      }),
      here.size || session.held_on < todayDay
        ? h('p', { text: t('skills.attended', { count: here.size }) })
        : null,
      h('button', {
        type: 'button',
        class: 'button secondary',
        text: t('skills.record_attendance'),
        onclick: (event) => {
          event.currentTarget.hidden = true;
          slot.replaceChildren(attendanceForm(session, here, members, app));
        },
      }),
      slot,
    );
  };

  container.append(
    screenHeading('skills.title'),
    section(
      'skills.upcoming',
      upcoming.length
        ? h('ul', { class: 'sessions' }, upcoming.map(sessionCard))
        : empty('skills.none_upcoming'),
    ),
    section(
      'skills.past',
      past.length
        ? h('ul', { class: 'sessions' }, past.map(sessionCard))
        : empty('skills.none_past'),
    ),
    section(
      'skills.materials',
      h('p', { class: 'hint', text: t('skills.materials_explain') }),
      skills.length
        ? skills.map((skill) =>
            h(
              'details',
              { class: 'material' },
              h('summary', { text: skill.name }),
              h('p', { class: 'lead', text: skill.summary }),
              h('p', {
                text: next.get(skill.id)
                  ? t('skills.next_in_rotation', { name: next.get(skill.id).name })
                  : t('skills.no_teacher'),
              }),
              materialsText(skill.materials),
            ),
          )
        : empty('skills.none'),
    ),
  );
}

// Tick who is in the room, then save once.
function attendanceForm(session, already, members, app) {
  const chosen = new Map();
  const list = h('ul', { class: 'chips', 'aria-live': 'polite' });
  const status = h('p', { class: 'hint', 'aria-live': 'polite' });
  const draw = () => {
    list.replaceChildren(
      ...[...chosen.values()].map((member) =>
        h(
          'li',
          {},
          h('button', {
            type: 'button',
            class: 'chip',
            'aria-label': t('skills.remove', { name: member.name }),
            text: `${member.name} ✕`,
            onclick: () => {
              chosen.delete(member.id);
              draw();
            },
          }),
        ),
      ),
    );
  };
  const save = h('button', {
    type: 'button',
    class: 'button',
    text: t('skills.save_attendance'),
    onclick: async () => {
      if (!chosen.size) return;
      save.disabled = true;
      try {
        const saved = await api.recordAttendance(session.id, [...chosen.keys()]);
        status.textContent = t('skills.saved_attendance', { count: saved.length });
        app.announce(status.textContent);
        chosen.clear();
        draw();
      } catch (error) {
        status.replaceChildren(note(app.explain(error), 'warning'));
      } finally {
        save.disabled = false;
      }
    },
  });
  return h(
    'div',
    { class: 'attendance-form' },
    memberPicker(
      members.filter((member) => !already.has(member.id)),
      {
        labelKey: 'skills.find_member',
        buttonKey: 'skills.add_member',
        limit: 8,
        onPick: (member) => {
          chosen.set(member.id, member);
          draw();
        },
      },
    ),
    list,
    save,
    status,
  );
}

// Materials are kept as plain text with light Markdown: headings, bullet and
// numbered lists, paragraphs. They are turned into elements line by line, as
// text, so nothing in them can become markup.
function materialsText(text) {
  const box = h('div', { class: 'materials-text' });
  let list = null;
  let paragraph = null;
  for (const line of text.split('\n')) {
    const heading = line.match(/^(#{1,6})\s+(.*)$/);
    const bullet = line.match(/^\s*[-*]\s+(.*)$/);
    const numbered = line.match(/^\s*\d+[.)]\s+(.*)$/);
    if (bullet || numbered) {
      const tag = bullet ? 'ul' : 'ol';
      if (!list || list.tagName.toLowerCase() !== tag) {
        list = h(tag);
        box.append(list);
      }
      list.append(h('li', { text: (bullet ?? numbered)[1] }));
      paragraph = null;
      continue;
    }
    list = null;
    if (heading) {
      box.append(h(heading[1].length === 1 ? 'h4' : 'h5', { text: heading[2] }));
      paragraph = null;
    } else if (!line.trim()) {
      paragraph = null;
    } else if (paragraph) {
      paragraph.append(` ${line.trim()}`);
    } else {
      paragraph = h('p', { text: line.trim() });
      box.append(paragraph);
    }
  }
  return box;
}
