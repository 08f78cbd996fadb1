/** A sweep's outcome at a glance: each trial's final loss as a horizontal bar, best first. */
import type { Spec } from 'vega';
import { label, tidy } from './numbers.ts';
import { CLASS_COLOURS, frame, type ChartTitle } from './theme.ts';

/** One trial: its name (e.g. `lr=0.1, seed=2`) and the loss of its last epoch. */
export interface TrialLoss {
  name: string;
  loss: number;
}

/** Bars of final loss per trial, sorted from the lowest loss down; the subtitle names the best trial. */
export function finalLossSpec(trials: TrialLoss[], opts: ChartTitle): Spec {
  const rows = [...trials].filter((t) => Number.isFinite(t.loss)).sort((a, b) => a.loss - b.loss || a.name.localeCompare(b.name));
  const best = rows[0];
  const notes = best ? [`best: ${best.name} (loss ${label(best.loss)})`] : ['no trial finished'];
  return {
    ...frame(opts, notes),
    data: [{ name: 'trials', values: rows.map((t) => ({ trial: t.name, loss: tidy(t.loss) })) }],
    scales: [
      { name: 'y', type: 'band', domain: rows.map((t) => t.name), range: 'height', padding: 0.2 },
      { name: 'x', type: 'linear', domain: { data: 'trials', field: 'loss' }, range: 'width', zero: true, nice: true },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: 'final loss', tickCount: 6 },
      { orient: 'left', scale: 'y', title: 'trial', grid: false },
    ],
    marks: [
      {
        type: 'rect',
        from: { data: 'trials' },
        encode: {
          update: {
            y: { scale: 'y', field: 'trial' },
            height: { scale: 'y', band: 1 },
            x: { scale: 'x', value: 0 },
            x2: { scale: 'x', field: 'loss' },
            fill: { value: CLASS_COLOURS[0] },
            tooltip: { signal: "datum.trial + ': ' + format(datum.loss, '.4g')" },
          },
        },
      },
    ],
  };
}
