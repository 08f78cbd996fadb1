/** Loss curves: epoch against loss, one line per named run. */
import type { Spec } from 'vega';
import { label, tidy } from './numbers.ts';
import { frame, subtitleLines, type ChartTitle } from './theme.ts';

/** One run's losses, `losses[i]` being the loss at epoch i (0-based, as `range(epochs)` counts). */
export interface LossSeries {
  name: string;
  losses: number[];
}

/** Options of `lossCurveSpec`: title, subtitle, and the legend name of the single curve. */
export interface LossCurveOptions extends ChartTitle {
  /** Legend entry of the curve; "training loss" unless given. */
  name?: string;
}

/** Several loss curves overlaid, coloured by run name. Non-finite losses are left out, with a note. */
export function lossCurvesSpec(series: LossSeries[], opts: ChartTitle): Spec {
  const names = series.map((s) => s.name);
  if (new Set(names).size !== names.length) throw new RangeError(`loss series names must be unique: ${names.join(', ')}`);
  const rows = series.flatMap(({ name, losses }) =>
    losses.flatMap((loss, epoch) => (Number.isFinite(loss) ? [{ run: name, epoch, loss: tidy(loss) }] : [])),
  );
  const skipped = series.reduce((n, s) => n + s.losses.length, 0) - rows.length;
  const lastEpoch = Math.max(1, ...series.map((s) => s.losses.length - 1));
  return {
    ...frame(opts, skipped > 0 ? [`${skipped} non-finite loss value(s) not drawn`] : []),
    data: [{ name: 'losses', values: rows }],
    scales: [
      { name: 'x', type: 'linear', domain: [0, lastEpoch], range: 'width', zero: false, nice: true },
      { name: 'y', type: 'linear', domain: { data: 'losses', field: 'loss' }, range: 'height', zero: true, nice: true },
      { name: 'run', type: 'ordinal', domain: names, range: 'category' },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: 'epoch', tickCount: 5, format: 'd' },
      { orient: 'left', scale: 'y', title: 'loss', tickCount: 6 },
    ],
    legends: [{ stroke: 'run', title: 'run', symbolType: 'stroke', symbolStrokeWidth: 2, orient: 'right' }],
    marks: [
      {
        type: 'group',
        from: { facet: { name: 'series', data: 'losses', groupby: 'run' } },
        marks: [
          {
            type: 'line',
            from: { data: 'series' },
            encode: {
              update: {
                x: { scale: 'x', field: 'epoch' },
                y: { scale: 'y', field: 'loss' },
                stroke: { scale: 'run', field: 'run' },
                strokeWidth: { value: 2 },
              },
            },
          },
        ],
      },
    ],
  };
}

/** One loss curve; the subtitle notes its first and last loss. */
export function lossCurveSpec(losses: number[], opts: LossCurveOptions): Spec {
  const finite = losses.filter(Number.isFinite);
  const notes =
    finite.length > 0 ? [`loss ${label(finite[0])} → ${label(finite[finite.length - 1])} over ${losses.length} epochs`] : [];
  const { name = 'training loss', ...title } = opts;
  return lossCurvesSpec([{ name, losses }], { ...title, subtitle: subtitleLines(title, notes) });
}
