/**
 * Loss curves: epoch against loss, one line per named run, with each run's validation loss
 * (when it has one) dashed beside its training loss. The loss axis turns logarithmic when the
 * losses span two decades or more, where a linear axis would flatten every curve but the highest.
 */
import type { Legend, Scale, Spec } from 'vega';
import { label, span, tidy } from './numbers.ts';
import { CLASS_COLOURS, frame, subtitleLines, type ChartTitle } from './theme.ts';

/** One run's losses, `losses[i]` being the loss at epoch i (0-based, as `range(epochs)` counts). */
export interface LossSeries {
  name: string;
  losses: number[];
  /** The held-out loss at the same epochs, when the run measured one. */
  validation?: number[];
}

/** Options of `lossCurvesSpec`: title, subtitle, and a run to draw thicker than the others. */
export interface LossCurvesOptions extends ChartTitle {
  /** The name of a run to stand out (a sweep's best trial); the subtitle names it. */
  highlight?: string;
}

/** Options of `lossCurveSpec`: title, subtitle, the run's name and its validation losses. */
export interface LossCurveOptions extends ChartTitle {
  /** The run's name in the chart's data (its tooltips in a report); "run" unless given. */
  name?: string;
  /** The held-out loss at each epoch, drawn dashed beside the training loss. */
  validation?: number[];
}

/** Losses whose largest is this many times their smallest, or more, are drawn on a log axis. */
export const LOG_SPAN = 100;

const SERIES = ['training', 'validation'] as const;
const DASHES = [[1, 0], [6, 4]];

/** The smallest and largest of the finite positive `losses`, if there are any. */
function positiveRange(losses: number[]): [number, number] | undefined {
  const positive = losses.filter((l) => Number.isFinite(l) && l > 0);
  return positive.length > 0 ? span(positive) : undefined;
}

/** Whether the finite positive `losses` span LOG_SPAN or more, so that a linear axis would flatten the small ones. */
export function spansDecades(losses: number[]): boolean {
  const range = positiveRange(losses);
  return range !== undefined && range[1] / range[0] >= LOG_SPAN;
}

/** Several loss curves overlaid, coloured by run name. Non-finite losses are left out, with a note. */
export function lossCurvesSpec(series: LossSeries[], opts: LossCurvesOptions): Spec {
  const names = series.map((s) => s.name);
  if (new Set(names).size !== names.length) throw new RangeError(`loss series names must be unique: ${names.join(', ')}`);
  const { highlight, ...title } = opts;
  if (highlight !== undefined && !names.includes(highlight)) throw new RangeError(`no loss series named ${highlight} to highlight`);
  // The highlighted run last, so that it is drawn over the others.
  const ordered = [...series].sort((a, b) => Number(a.name === highlight) - Number(b.name === highlight));
  const curves = ordered.flatMap(({ name, losses, validation }) => [
    { run: name, series: SERIES[0], losses },
    ...(validation ? [{ run: name, series: SERIES[1], losses: validation }] : []),
  ]);
  const all = curves.flatMap((c) => c.losses);
  const log = spansDecades(all);
  const drawable = (l: number): boolean => Number.isFinite(l) && (!log || l > 0);
  const rows = curves.flatMap(({ run, series: s, losses }) =>
    losses.flatMap((loss, epoch) => (drawable(loss) ? [{ run, series: s, epoch, loss: tidy(loss) }] : [])),
  );
  const nonFinite = all.filter((l) => !Number.isFinite(l)).length;
  const nonPositive = all.filter((l) => Number.isFinite(l) && !drawable(l)).length;
  const range = positiveRange(all);
  const notes = [
    ...(highlight === undefined ? [] : [`thick line: ${highlight}`]),
    ...(log && range ? [`log scale: the losses span ${(Math.log10(range[1] / range[0])).toFixed(1)} decades`] : []),
    ...(nonFinite > 0 ? [`${nonFinite} non-finite loss value(s) not drawn`] : []),
    ...(nonPositive > 0 ? [`${nonPositive} loss value(s) ≤ 0 not drawn on the log scale`] : []),
  ];
  const lastEpoch = Math.max(1, ...curves.map((c) => c.losses.length - 1));
  const validation = curves.some((c) => c.series === SERIES[1]);
  // One run: its two series are told apart by colour and dash, in one legend (none without validation).
  // Several: colour tells the runs apart, dash the series.
  const byRun = series.length > 1;
  const colour: Scale = byRun
    ? { name: 'colour', type: 'ordinal', domain: names, range: { scheme: names.length > 10 ? 'tableau20' : 'tableau10' } }
    : { name: 'colour', type: 'ordinal', domain: [...SERIES], range: [...CLASS_COLOURS] };
  const legends: Legend[] = byRun
    ? [
        { stroke: 'colour', title: 'run', symbolType: 'stroke', symbolStrokeWidth: 2, orient: 'right' },
        ...(validation ? [{ strokeDash: 'dash', title: 'loss', symbolType: 'stroke', symbolStrokeWidth: 2, orient: 'right' as const }] : []),
      ]
    : validation
      ? [{ stroke: 'colour', strokeDash: 'dash', symbolType: 'stroke', symbolStrokeWidth: 2, orient: 'right' }]
      : [];
  return {
    ...frame(title, notes),
    data: [{ name: 'losses', values: rows }],
    scales: [
      { name: 'x', type: 'linear', domain: [0, lastEpoch], range: 'width', zero: false, nice: true },
      log
        ? { name: 'y', type: 'log', domain: { data: 'losses', field: 'loss' }, range: 'height', nice: true }
        : { name: 'y', type: 'linear', domain: { data: 'losses', field: 'loss' }, range: 'height', zero: true, nice: true },
      colour,
      ...(validation ? [{ name: 'dash', type: 'ordinal' as const, domain: [...SERIES], range: DASHES }] : []),
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: 'epoch', tickCount: 5, format: 'd' },
      { orient: 'left', scale: 'y', title: 'loss', tickCount: 6, ...(log ? { format: '~g' } : {}) },
    ],
    legends,
    marks: [
      {
        type: 'group',
        from: { facet: { name: 'series', data: 'losses', groupby: ['run', 'series'] } },
        marks: [
          {
            type: 'line',
            from: { data: 'series' },
            encode: {
              update: {
                x: { scale: 'x', field: 'epoch' },
                y: { scale: 'y', field: 'loss' },
                stroke: { scale: 'colour', field: byRun ? 'run' : 'series' },
                strokeWidth: highlight === undefined ? { value: 2 } : [{ test: `datum.run === ${JSON.stringify(highlight)}`, value: 3.5 }, { value: 1.5 }],
                ...(validation ? { strokeDash: { scale: 'dash', field: 'series' } } : {}),
              },
            },
          },
        ],
      },
    ],
  };
}

/** One run's loss curve, and its validation loss when given; the subtitle notes the first and last of each. */
export function lossCurveSpec(losses: number[], opts: LossCurveOptions): Spec {
  const { name = 'run', validation, ...title } = opts;
  const ends = (what: string, values: number[]): string[] => {
    const finite = values.filter(Number.isFinite);
    return finite.length > 0 ? [`${what} ${label(finite[0])} → ${label(finite[finite.length - 1])}`] : [];
  };
  const moves = [...ends('loss', losses), ...(validation ? ends('validation', validation) : [])];
  const notes = moves.length > 0 ? [`${moves.join(', ')} over ${losses.length} epochs`] : [];
  return lossCurvesSpec([{ name, losses, ...(validation ? { validation } : {}) }], { ...title, subtitle: subtitleLines(title, notes) });
}
