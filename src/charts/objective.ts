/** A sweep's outcome at a glance: each trial's value of the sweep's objective as a horizontal bar, best first. */
import type { Spec } from 'vega';
import { label, tidy } from './numbers.ts';
import { CLASS_COLOURS, frame, type ChartTitle } from './theme.ts';

/** One trial: its name (e.g. `lr=0.1, seed=2`) and its value of the objective. */
export interface TrialValue {
  name: string;
  value: number;
}

/** Options of `objectiveSpec`: the title, and the objective's name and direction. */
export interface ObjectiveChartOptions extends ChartTitle {
  /** `evaluate.accuracy`: the axis title. */
  metric: string;
  direction: 'maximize' | 'minimize';
}

/**
 * Bars of the objective per trial, best first (the largest first when it is maximised);
 * the subtitle names the best trial. Trials without a finite value are left out.
 */
export function objectiveSpec(trials: TrialValue[], opts: ObjectiveChartOptions): Spec {
  const { metric, direction, ...title } = opts;
  const sign = direction === 'maximize' ? -1 : 1;
  const rows = [...trials].filter((t) => Number.isFinite(t.value)).sort((a, b) => sign * (a.value - b.value) || a.name.localeCompare(b.name));
  const best = rows[0];
  const notes = best ? [`best: ${best.name} (${metric} ${label(best.value)}, ${direction}d)`] : ['no trial finished'];
  return {
    ...frame(title, notes),
    data: [{ name: 'trials', values: rows.map((t) => ({ trial: t.name, value: tidy(t.value) })) }],
    scales: [
      { name: 'y', type: 'band', domain: rows.map((t) => t.name), range: 'height', padding: 0.2 },
      { name: 'x', type: 'linear', domain: { data: 'trials', field: 'value' }, range: 'width', zero: true, nice: true },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: metric, tickCount: 6 },
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
            x2: { scale: 'x', field: 'value' },
            fill: { value: CLASS_COLOURS[0] },
            tooltip: { signal: "datum.trial + ': ' + format(datum.value, '.4g')" },
          },
        },
      },
    ],
  };
}
