// Choke points: what freezes the employer's operation within 48 hours, who
// has committed to close each point, and the map of what depends on what.

import { api } from '../api.js';
import { empty, h, screenHeading, section } from '../dom.js';
import { formatNumber, t } from '../i18n.js';

const HORIZON_HOURS = 48;

export async function render(container) {
  const [report, points, commitments] = await Promise.all([
    api.freezeReport(HORIZON_HOURS),
    api.chokePoints(),
    api.commitments(),
  ]);
  const committed = new Map();
  for (const commitment of commitments) {
    const people = committed.get(commitment.choke_point_id) ?? new Set();
    people.add(commitment.member_id);
    committed.set(commitment.choke_point_id, people);
  }

  container.append(
    screenHeading('choke.title'),
    h('p', { class: 'lead', text: t('choke.explain', { hours: HORIZON_HOURS }) }),
    section(
      'choke.report',
      report.length
        ? h('ol', { class: 'report', 'data-testid': 'freeze-report' }, report.map(reportRow))
        : empty('choke.report_empty'),
    ),
    section(
      'choke.map',
      h('p', { class: 'hint', text: t('choke.map_explain') }),
      mapTree(points, committed),
    ),
  );
}

function reportRow(row) {
  return h(
    'li',
    { class: 'report-row' },
    h('h4', { text: row.name }),
    h('p', {
      class: 'freeze',
      text:
        row.frozen_through === row.name
          ? t('choke.freezes_in', { hours: formatNumber(row.hours_to_freeze, 1) })
          : t('choke.freezes_through', {
              hours: formatNumber(row.hours_to_freeze, 1),
              through: row.frozen_through,
            }),
    }),
    row.also_stops.length
      ? h('p', { text: t('choke.also_stops', { names: row.also_stops.join(', ') }) })
      : null,
    people(row.people_needed, row.people_committed),
    row.contingency
      ? h('p', { class: 'plan' }, h('strong', { text: t('choke.plan') }), ' ', row.contingency)
      : null,
  );
}

// People committed against people needed, as words and as a plain meter.
function people(needed, committed) {
  const short = Math.max(needed - committed, 0);
  return h(
    'div',
    { class: 'people' },
    h('p', {
      text: short
        ? t('choke.people_short', { committed, needed, short })
        : t('choke.people_enough', { committed, needed }),
    }),
    needed > 0
      ? h('meter', {
          min: '0',
          max: String(needed),
          value: String(Math.min(committed, needed)),
          'aria-label': t('choke.people_meter'),
        })
      : null,
  );
}

// Each point with, indented beneath it, the points that stop when it stops.
// Points that depend on nothing are the roots; a cycle is shown once and
// then cut, and anything only reachable through a cycle still appears.
function mapTree(points, committed) {
  if (!points.length) return empty('choke.map_empty');
  const byId = new Map(points.map((point) => [point.id, point]));
  const dependents = new Map();
  for (const point of points) {
    for (const dependency of point.depends_on) {
      if (!dependents.has(dependency)) dependents.set(dependency, []);
      dependents.get(dependency).push(point);
    }
  }
  const shown = new Set();
  const node = (point, path) => {
    shown.add(point.id);
    const children = (dependents.get(point.id) ?? []).filter((child) => !path.has(child.id));
    const nextPath = new Set(path).add(point.id);
    return h(
      'li',
      {},
      h(
        'div',
        { class: 'map-point' },
        h('span', { class: 'map-name', text: point.name }),
        h('span', {
          class: 'map-facts',
          text: [
            t(`choke_kind.${point.kind}`),
            t('choke.hours', { hours: formatNumber(point.hours_to_freeze, 1) }),
            point.routable ? t('choke.routable') : null,
            t('choke.committed_of', {
              committed: committed.get(point.id)?.size ?? 0,
              needed: point.people_needed,
            }),
          ]
            .filter(Boolean)
            .join(' · '),
        }),
        point.contingency
          ? h(
              'details',
              {},
              h('summary', { text: t('choke.plan') }),
              h('p', { text: point.contingency }),
            )
          : null,
      ),
      children.length
        ? h(
            'ul',
            {},
            children.map((child) => node(child, nextPath)),
          )
        : null,
    );
  };
  const roots = points.filter((point) => !point.depends_on.some((id) => byId.has(id)));
  const tree = h(
    'ul',
    { class: 'tree' },
    roots.map((point) => node(point, new Set())),
  );
  for (const point of points) if (!shown.has(point.id)) tree.append(node(point, new Set()));
  return tree;
}
