/**
 * Loss charts made for a browser: the same chart as loss.ts draws, plus zoom (the wheel), pan
 * (a drag), reset (a double click), a log-scale switch and a tooltip at every plotted epoch.
 * The recorded SVGs stay as loss.ts makes them; this turns such a spec (a fresh one, or one
 * read back from a `chart.vg.json`) into the interactive one a report or the live view shows.
 */
import type { GroupMark, Mark, Signal, Spec } from 'vega';

/**
 * What the page needs to switch the axis between linear and log: Vega cannot change a scale's
 * type through a signal, so the page rebuilds the view with `scale`'s type flipped and the
 * `signal` (bound to a checkbox) set to match.
 */
export interface LogScaleToggle {
  signal: string;
  scale: string;
}

/** The `usermeta` of an interactive loss chart. */
export interface InteractiveMeta {
  logScaleToggle: LogScaleToggle;
}

/** At most about this many points per curve answer the pointer with a tooltip. */
const HOVER_POINTS = 400;

/** A row of a loss chart's data: one loss of one series of one run. */
export interface LossRow {
  run: string;
  /** `training` or `validation`. */
  series: string;
  epoch: number;
  loss: number;
}

/** The rows of a loss chart's `losses` data, when `spec` is one that loss.ts made. */
export function lossChartRows(spec: Spec): LossRow[] | undefined {
  const data = spec.data?.find((d) => d.name === 'losses');
  const values = data && 'values' in data ? data.values : undefined;
  if (!Array.isArray(values)) return undefined;
  const ok = values.every((r: Partial<LossRow>) => typeof r.epoch === 'number' && typeof r.loss === 'number' && typeof r.run === 'string' && typeof r.series === 'string');
  return ok ? (values as LossRow[]) : undefined;
}

/** The signals that zoom and pan the x and y domains; y zooms by ratios when the axis is logarithmic. */
function zoomSignals(): Signal[] {
  // On a log axis the y domain moves in log space: `lo`/`hi` map a value there and back.
  const lo = (v: string): string => `(logScale ? log(${v}) : ${v})`;
  const hi = (v: string): string => `(logScale ? exp(${v}) : ${v})`;
  const yZoom = (i: number): string => hi(`${lo('anchor[1]')} + (${lo(`domain('y')[${i}]`)} - ${lo('anchor[1]')}) * zoom`);
  const yPan = (i: number): string => hi(`${lo(`ycur[${i}]`)} + (${lo('ycur[1]')} - ${lo('ycur[0]')}) * delta[1] / height`);
  return [
    { name: 'xbase', update: 'isValid(xext[1]) ? [0, max(1, xext[1])] : [0, 1]' },
    {
      name: 'ybase',
      update:
        // Whole decades on a log axis, so that both ends are labelled.
        'isValid(yext[0]) ? (logScale ? [pow(10, floor(log(yext[0]) / LN10)), pow(10, ceil(log(yext[1]) / LN10))] : [min(0, yext[0]), yext[1] > 0 ? yext[1] * 1.05 : 1]) : (logScale ? [0.01, 1] : [0, 1])',
    },
    { name: 'down', value: null, on: [{ events: 'touchend', update: 'null' }, { events: 'pointerdown, touchstart', update: 'xy()' }] },
    { name: 'xcur', value: null, on: [{ events: 'pointerdown, touchstart, touchend', update: "slice(domain('x'))" }] },
    { name: 'ycur', value: null, on: [{ events: 'pointerdown, touchstart, touchend', update: "slice(domain('y'))" }] },
    {
      name: 'delta',
      value: [0, 0],
      on: [
        {
          events: [{ source: 'window', type: 'pointermove', consume: true, between: [{ type: 'pointerdown' }, { source: 'window', type: 'pointerup' }] }],
          update: 'down ? [down[0] - x(), y() - down[1]] : [0, 0]',
        },
      ],
    },
    { name: 'anchor', value: [0, 0], on: [{ events: 'wheel', update: "[invert('x', x()), invert('y', y())]" }] },
    { name: 'zoom', value: 1, on: [{ events: 'wheel!', force: true, update: 'pow(1.001, event.deltaY * pow(16, event.deltaMode))' }] },
    {
      name: 'zoomed',
      value: false,
      on: [
        { events: [{ signal: 'zoom' }, { signal: 'delta' }], update: 'true' },
        { events: 'dblclick', update: 'false' },
      ],
    },
    {
      name: 'xzoom',
      value: [0, 1],
      on: [
        { events: { signal: 'delta' }, update: '[xcur[0] + span(xcur) * delta[0] / width, xcur[1] + span(xcur) * delta[0] / width]' },
        { events: { signal: 'zoom' }, update: "[anchor[0] + (domain('x')[0] - anchor[0]) * zoom, anchor[0] + (domain('x')[1] - anchor[0]) * zoom]" },
      ],
    },
    {
      name: 'yzoom',
      value: [0, 1],
      on: [
        { events: { signal: 'delta' }, update: `[${yPan(0)}, ${yPan(1)}]` },
        { events: { signal: 'zoom' }, update: `[${yZoom(0)}, ${yZoom(1)}]` },
      ],
    },
  ];
}

/**
 * The interactive version of a loss chart made by loss.ts (`lossCurvesSpec`, `lossCurveSpec`),
 * or undefined when `spec` is not one. Its `usermeta` is an `InteractiveMeta`.
 */
export function interactiveLossSpec(spec: Spec): Spec | undefined {
  const rows = lossChartRows(spec);
  const x = spec.scales?.find((s) => s.name === 'x');
  const y = spec.scales?.find((s) => s.name === 'y');
  const [curves, ...others] = spec.marks ?? [];
  const line = curves?.type === 'group' ? curves.marks?.[0] : undefined;
  if (!rows || !x || !y || !line || others.length > 0 || !curves.from || !('facet' in curves.from)) return undefined;
  const runs = new Set(rows.map((r) => r.run)).size;
  const validation = rows.some((r) => r.series === 'validation');
  const colour = line.encode?.update?.stroke;
  // Headed by the run, or by the series when there is one run; the series too when both vary.
  const tooltip = [
    `'title': ${runs > 1 ? 'datum.run' : 'datum.series'}`,
    ...(runs > 1 && validation ? ["'series': datum.series"] : []),
    "'epoch': datum.epoch",
    "'loss': format(datum.loss, '.6~g')",
  ];
  const hover: Mark = {
    type: 'symbol',
    name: 'hoverPoints',
    from: { data: 'hover' },
    encode: {
      update: {
        x: { scale: 'x', field: 'epoch' },
        y: { scale: 'y', field: 'loss' },
        size: { value: 70 },
        fill: { value: 'transparent' },
        tooltip: { signal: `{${tooltip.join(', ')}}` },
      },
      ...(colour ? { hover: { fill: colour } } : {}),
    },
  };
  const faded = runs > 1 ? { strokeOpacity: { signal: 'hoverRun && datum.run !== hoverRun ? 0.2 : 1' } } : {};
  const meta: InteractiveMeta = { logScaleToggle: { signal: 'logScale', scale: 'y' } };
  return {
    ...spec,
    usermeta: meta as unknown as Record<string, unknown>,
    signals: [
      ...(spec.signals ?? []),
      { name: 'logScale', value: y.type === 'log', bind: { input: 'checkbox', name: 'log scale ' } },
      { name: 'hoverEvery', update: `isValid(xext[1]) ? max(1, ceil((xext[1] + 1) / ${HOVER_POINTS})) : 1` },
      ...zoomSignals(),
      ...(runs > 1 ? [{ name: 'hoverRun', value: null, on: [{ events: '@hoverPoints:pointerover', update: 'datum.run' }, { events: '@hoverPoints:pointerout', update: 'null' }] }] : []),
    ],
    data: [
      ...(spec.data ?? []),
      {
        name: 'shown',
        source: 'losses',
        transform: [
          // A log axis cannot show a loss of 0 (nor does the recorded chart on one).
          { type: 'filter', expr: '!logScale || datum.loss > 0' },
          { type: 'extent', field: 'epoch', signal: 'xext' },
          { type: 'extent', field: 'loss', signal: 'yext' },
        ],
      },
      { name: 'hover', source: 'shown', transform: [{ type: 'filter', expr: 'datum.epoch % hoverEvery === 0' }] },
    ],
    scales: (spec.scales ?? []).map((s) => {
      if (s === x) return { ...x, domain: { signal: 'zoomed ? xzoom : xbase' }, nice: false, zero: false };
      if (s === y) return { ...y, domain: { signal: 'zoomed ? yzoom : ybase' }, nice: false, zero: false };
      return s;
    }),
    marks: [
      {
        type: 'group',
        encode: { update: { width: { signal: 'width' }, height: { signal: 'height' }, clip: { value: true } } },
        marks: [
          {
            ...(curves as GroupMark),
            from: { facet: { ...curves.from.facet, data: 'shown' } },
            // Spread, a line mark no longer narrows to its own kind of encoding.
            marks: [{ ...line, encode: { ...line.encode, update: { ...line.encode?.update, ...faded } } } as Mark],
          },
          hover,
        ],
      },
    ],
  };
}
