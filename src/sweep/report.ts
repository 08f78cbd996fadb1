/** A sweep's `report.html` (src/report draws it), from its summary and its trials' loss histories. */
import { join } from 'node:path';
import type { History } from '../data.ts';
import { writeAtomic } from '../engine/index.ts';
import { renderSweepReport, type SweepRecord } from '../report/index.ts';
import { trialName } from './grid.ts';
import type { SweepSummary } from './summary.ts';

/** What the report of a sweep is made from. */
export function sweepRecord(summary: SweepSummary, losses: ReadonlyMap<string, History>): SweepRecord {
  return {
    pipeline: { name: summary.pipeline, file: summary.file },
    grid: summary.grid,
    ...(summary.objective ? { objective: { metric: summary.objective.metric, direction: summary.objective.direction } } : {}),
    ...(summary.best ? { best: summary.best } : {}),
    startedAt: summary.startedAt,
    durationMs: summary.durationMs,
    trials: summary.trials.map((t) => {
      const history = losses.get(t.id);
      return {
        id: t.id,
        name: trialName(t.values),
        values: t.values,
        status: t.status,
        metrics: t.metrics ?? {},
        ...(history ? { losses: { train: history.loss, ...(history.val_loss ? { validation: history.val_loss } : {}) } } : {}),
        ...(t.error ? { error: t.error } : {}),
        ...(t.durationMs !== undefined ? { durationMs: t.durationMs } : {}),
      };
    }),
  };
}

/** Writes `report.html` into the sweep's folder; returns where. */
export async function writeSweepReport(dir: string, summary: SweepSummary, losses: ReadonlyMap<string, History>): Promise<string> {
  const file = join(dir, 'report.html');
  await writeAtomic(file, renderSweepReport(sweepRecord(summary, losses)));
  return file;
}
