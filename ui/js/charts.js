// Small charts drawn as inline SVG: bars for counts, a line for a running
// total. Each chart is one labelled image for screen readers, and the
// figures are also offered as a table beside it.

import { svg } from './dom.js';

const WIDTH = 340;
const HEIGHT = 170;
const PAD = { top: 24, right: 8, bottom: 26, left: 8 };

function frame(label) {
  return svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: 'chart',
    role: 'img',
    'aria-label': label,
    preserveAspectRatio: 'xMidYMid meet',
  });
}

function scale(values) {
  const top = Math.max(1, ...values);
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  return (value) => PAD.top + plotHeight - (value / top) * plotHeight;
}

function axis(chart, labels, step, at) {
  const baseline = HEIGHT - PAD.bottom;
  chart.append(
    svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: baseline, y2: baseline, class: 'axis' }),
  );
  labels.forEach((label, index) => {
    // With many months, every other label keeps the text legible.
    if (labels.length > 8 && index % 2 === 1 && index !== labels.length - 1) return;
    chart.append(
      svg(
        'text',
        { x: at(index), y: HEIGHT - 8, 'text-anchor': 'middle', class: 'chart-label' },
        label,
      ),
    );
  });
  return step;
}

// points: [{ label, value, text }] where text is the value as shown.
export function barChart(points, label) {
  const chart = frame(label);
  const y = scale(points.map((point) => point.value));
  const step = (WIDTH - PAD.left - PAD.right) / Math.max(points.length, 1);
  const barWidth = Math.max(step * 0.64, 2);
  const at = (index) => PAD.left + step * index + step / 2;
  points.forEach((point, index) => {
    const top = y(point.value);
    chart.append(
      svg('rect', {
        x: at(index) - barWidth / 2,
        y: top,
        width: barWidth,
        height: Math.max(HEIGHT - PAD.bottom - top, point.value > 0 ? 1 : 0),
        class: index === points.length - 1 ? 'bar latest' : 'bar',
      }),
    );
  });
  const last = points.at(-1);
  if (last) {
    chart.append(
      svg(
        'text',
        {
          x: at(points.length - 1),
          y: Math.max(y(last.value) - 6, 14),
          'text-anchor': 'end',
          class: 'chart-value',
        },
        last.text,
      ),
    );
  }
  axis(
    chart,
    points.map((point) => point.label),
    step,
    at,
  );
  return chart;
}

export function lineChart(points, label) {
  const chart = frame(label);
  const y = scale(points.map((point) => point.value));
  const step = (WIDTH - PAD.left - PAD.right) / Math.max(points.length, 1);
  const at = (index) => PAD.left + step * index + step / 2;
  const path = points
    .map(
      (point, index) => `${index ? 'L' : 'M'}${at(index).toFixed(1)},${y(point.value).toFixed(1)}`,
    )
    .join(' ');
  chart.append(svg('path', { d: path, class: 'line' }));
  points.forEach((point, index) =>
    chart.append(svg('circle', { cx: at(index), cy: y(point.value), r: 3.5, class: 'dot' })),
  );
  const last = points.at(-1);
  if (last) {
    chart.append(
      svg(
        'text',
        {
          x: at(points.length - 1),
          y: Math.max(y(last.value) - 8, 14),
          'text-anchor': 'end',
          class: 'chart-value',
        },
        last.text,
      ),
    );
  }
  axis(
    chart,
    points.map((point) => point.label),
    step,
    at,
  );
  return chart;
}
