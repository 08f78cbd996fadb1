/**
 * A sweep's objective: the metric that decides which trial is best, and which way is
 * better. Given with `--metric STAGE.METRIC` (or `objective:` in the file's `sweep:`
 * block), in the direction its stage declares unless `--maximize`/`--minimize` (or
 * `direction:`) says otherwise. Given none, the pipeline's only metric, or else its last
 * in run order — the evaluation that follows training, usually — and the sweep says which
 * it took and what else it could have taken.
 */
import { declaredMetrics, unknownMetric, type Plan } from '../engine/index.ts';
import { SweepSpecError } from './grid.ts';

export type Direction = 'maximize' | 'minimize';

export interface Objective {
  /** `stage.metric`. */
  metric: string;
  direction: Direction;
  /** Where it came from: the command line, the file's `sweep:` block, or chosen here (the only metric, or the last of several). */
  from: 'command line' | 'file' | 'only metric' | 'last metric';
  /** Every metric the pipeline declares, in run order. */
  candidates: string[];
}

export interface ObjectiveRequest {
  /** `--metric`. */
  metric?: string;
  /** `--maximize` / `--minimize`. */
  direction?: Direction;
}

/** The objective of a sweep of `plan`; undefined when no stage declares a metric (and none was asked for). */
export function sweepObjective(plan: Plan, request: ObjectiveRequest = {}): Objective | undefined {
  const declared = declaredMetrics(plan.nodes.map((n) => n.spec));
  const candidates = Object.keys(declared);
  const file = plan.pipeline.sweep;
  if (request.metric !== undefined) {
    const problem = unknownMetric(request.metric, candidates);
    if (problem) throw new SweepSpecError(`--metric ${request.metric}: ${problem}`);
    return { metric: request.metric, direction: request.direction ?? declared[request.metric], from: 'command line', candidates };
  }
  // The loader checked that the file's objective is a declared metric.
  if (file?.objective !== undefined) return { metric: file.objective, direction: request.direction ?? file.direction ?? declared[file.objective], from: 'file', candidates };
  if (candidates.length === 0) return undefined;
  const metric = candidates[candidates.length - 1];
  return { metric, direction: request.direction ?? file?.direction ?? declared[metric], from: candidates.length === 1 ? 'only metric' : 'last metric', candidates };
}

/** How the sweep names its objective: `evaluate.accuracy (maximize)`, and why that one when it was not given. */
export function describeObjective(objective: Objective | undefined): string {
  if (!objective) return 'no stage declares a metric, so no trial is best';
  const { metric, direction, from, candidates } = objective;
  const named = `${metric} (${direction})`;
  if (from === 'last metric') {
    return `${named}, the last of the pipeline's metrics (${candidates.join(', ')}); choose another with --metric STAGE.METRIC or objective: in the sweep: block`;
  }
  return from === 'only metric' ? `${named}, the pipeline's only metric` : named;
}

/** The id of the best of `trials` by `objective`: completed, with the metric; the first in trial order wins a tie. */
export function bestTrial(trials: readonly { id: string; status: string; metrics?: Record<string, number> }[], objective: Objective | undefined): string | undefined {
  if (!objective) return undefined;
  const sign = objective.direction === 'maximize' ? 1 : -1;
  let best: { id: string; value: number } | undefined;
  for (const t of trials) {
    const value = t.metrics?.[objective.metric];
    if (t.status !== 'completed' || value === undefined || !Number.isFinite(value)) continue;
    if (!best || sign * (value - best.value) > 0) best = { id: t.id, value };
  }
  return best?.id;
}
