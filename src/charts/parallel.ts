/**
 * Parallel coordinates: one vertical axis per swept param and per metric, one line per trial
 * through its values, coloured by the objective; which params lead to a good objective shows
 * as lines converging on the objective axis's good end. Metric axes put the better end at the top.
 */
import type { Axis, Mark, Scale, Spec } from 'vega';
import { tidy } from './numbers.ts';
import { frame, type ChartTitle } from './theme.ts';

/** An axis: a swept param over its values (in the grid's order), or a metric and which way is better. */
export type ParallelAxis =
  | { kind: 'param'; name: string; values: unknown[] }
  | { kind: 'metric'; name: string; direction?: 'maximize' | 'minimize' };

/** One line: a trial's name and its value on each axis, by axis name. */
export interface ParallelLine {
  name: string;
  values: Record<string, unknown>;
}

/** Options of `parallelCoordinatesSpec`: title, the metric axis that colours the lines, and a line to stand out. */
export interface ParallelOptions extends ChartTitle {
  /** A metric axis: lines are shaded by their value on it, darker for better. The first metric axis unless given. */
  colourBy?: string;
  /** A line (the best trial) drawn thick and red, over the others. */
  highlight?: string;
}

const HIGHLIGHT = '#d62728';

/** A param value as an axis label: strings as they are, anything else as JSON (`[2,4,1]`, `0.1`, `true`). */
const valueLabel = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** The axis's labels in order: numbers ascending, anything else as the grid lists it, then values only trials have. */
function paramDomain(values: unknown[], seen: unknown[]): string[] {
  const all = [...values, ...seen];
  const ordered = all.every((v) => typeof v === 'number') ? [...all].sort((a, b) => (a as number) - (b as number)) : all;
  return [...new Set(ordered.map(valueLabel))];
}

/**
 * Each name's shortest tail of dot-separated parts that no other name ends with: `lr` for
 * `train.optimizer.lr`, but `model.seed` and `split.seed` when both are axes.
 */
function shortNames(names: string[]): string[] {
  const tail = (name: string, parts: number): string => name.split('.').slice(-parts).join('.');
  return names.map((name) => {
    for (let parts = 1; ; parts++) {
      const short = tail(name, parts);
      if (short === name || names.every((other) => other === name || tail(other, parts) !== short)) return short;
    }
  });
}

/** A spec of `lines` across `axes`; lines missing a metric are left out, and counted in the subtitle. */
export function parallelCoordinatesSpec(axes: ParallelAxis[], lines: ParallelLine[], opts: ParallelOptions): Spec {
  const { colourBy, highlight, ...title } = opts;
  if (axes.length === 0) throw new RangeError('parallel coordinates need at least one axis');
  const metrics = axes.filter((a) => a.kind === 'metric');
  const shade = colourBy === undefined ? metrics[0] : metrics.find((a) => a.name === colourBy);
  if (colourBy !== undefined && !shade) throw new RangeError(`no metric axis named ${colourBy} to colour by`);
  const key = (i: number): string => `a${i}`;
  const complete = lines.filter((l) => metrics.every((m) => Number.isFinite(l.values[m.name])));
  // The highlighted line last, so that it is drawn over the others.
  const drawn = [...complete].sort((a, b) => Number(a.name === highlight) - Number(b.name === highlight));
  const rows = drawn.map((l) => ({
    trial: l.name,
    best: l.name === highlight,
    ...Object.fromEntries(axes.map((a, i) => [key(i), a.kind === 'param' ? valueLabel(l.values[a.name]) : tidy(l.values[a.name] as number)])),
  }));
  const scales: Scale[] = axes.map((a, i): Scale =>
    a.kind === 'param'
      ? // Reversed: a point scale puts its first value at the top; small numbers belong at the bottom.
        { name: key(i), type: 'point', domain: paramDomain(a.values, complete.map((l) => l.values[a.name])), range: 'height', padding: 0.5, reverse: true }
      : { name: key(i), type: 'linear', domain: { data: 'rows', field: key(i) }, range: 'height', zero: false, nice: true, reverse: a.direction === 'minimize' },
  );
  const titles = shortNames(axes.map((a) => a.name));
  const axisMarks: Axis[] = axes.map((a, i) => ({
    orient: 'left',
    scale: key(i),
    offset: { scale: 'axis', value: key(i), mult: -1 },
    title: titles[i],
    titleAngle: 0,
    titleX: 0,
    titleY: -8,
    titleAlign: 'center',
    titleBaseline: 'bottom',
    grid: false,
    tickCount: 5,
    zindex: 1,
  }));
  const shadeIndex = shade ? axes.indexOf(shade) : -1;
  const stroke =
    shadeIndex >= 0 ? { scale: 'shade', field: { parent: key(shadeIndex) } } : { value: '#4c78a8' };
  const tooltip = `{'title': parent.trial, ${axes.map((a, i) => `${JSON.stringify(a.name)}: parent.${key(i)}`).join(', ')}}`;
  const polyline: Mark = {
    type: 'line',
    name: 'trialLine',
    from: { data: 'axes' },
    encode: {
      update: {
        x: { scale: 'axis', field: 'key' },
        y: { scale: { datum: 'key' }, field: { parent: { datum: 'key' } } },
        stroke: [{ test: 'parent.best', value: HIGHLIGHT }, stroke],
        strokeWidth: [{ test: 'parent.best', value: 3.5 }, { value: 2 }],
        strokeOpacity: { signal: 'hoverTrial && hoverTrial !== parent.trial ? 0.15 : 0.9' },
        tooltip: { signal: tooltip },
      },
    },
  };
  const vertices: Mark = {
    type: 'symbol',
    from: { data: 'axes' },
    encode: {
      update: {
        x: { scale: 'axis', field: 'key' },
        y: { scale: { datum: 'key' }, field: { parent: { datum: 'key' } } },
        size: [{ test: 'parent.best', value: 50 }, { value: 25 }],
        fill: [{ test: 'parent.best', value: HIGHLIGHT }, stroke],
        tooltip: { signal: tooltip },
      },
    },
  };
  const left = lines.length - complete.length;
  const notes = [
    ...(metrics.some((m) => m.direction) ? ['metric axes: better at the top'] : []),
    ...(highlight !== undefined && complete.some((l) => l.name === highlight) ? [`red: ${highlight}`] : []),
    ...(left > 0 ? [`${left} trial(s) without ${metrics.map((m) => m.name).join(', ')} not drawn`] : []),
  ];
  return {
    ...frame(title, notes),
    // Fitting the whole chart into the frame misplaces axes offset into the plot; padding around a fixed plot does not.
    width: 400,
    height: 300,
    autosize: { type: 'pad' },
    signals: [{ name: 'hoverTrial', value: null, on: [{ events: '@trialLine:pointerover', update: 'datum && group().datum.trial' }, { events: '@trialLine:pointerout', update: 'null' }] }],
    data: [
      { name: 'rows', values: rows },
      { name: 'axes', values: axes.map((_, i) => ({ key: key(i) })) },
    ],
    scales: [
      { name: 'axis', type: 'point', domain: axes.map((_, i) => key(i)), range: 'width', padding: 0.25 },
      ...scales,
      ...(shade && shadeIndex >= 0
        ? [{ name: 'shade', type: 'linear' as const, domain: { data: 'rows', field: key(shadeIndex) }, range: { scheme: 'blues', extent: [0.35, 1] }, reverse: shade.kind === 'metric' && shade.direction === 'minimize', zero: false }]
        : []),
    ],
    axes: axisMarks,
    legends: shade ? [{ stroke: 'shade', title: titles[shadeIndex], type: 'gradient', gradientLength: 120, orient: 'right' }] : [],
    marks: [{ type: 'group', from: { data: 'rows' }, marks: [polyline, vertices] }],
  };
}
