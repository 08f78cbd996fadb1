/** What the CI reports of `rxlab check` share: metric deltas and where in the file a stage is. */
import type { PipelineCheck } from '../engine/index.ts';

/** One pipeline's check as the reports see it. */
export interface CheckOutcome {
  /** The file as given (or as found, relative to the working directory). */
  file: string;
  check?: PipelineCheck;
  /** Why there is no comparison: no lock, the run failed, the file is invalid. */
  error?: string;
  /** A refused file's first diagnostic's line, for annotations. */
  line?: number;
  ok: boolean;
  durationMs: number;
}


export interface MetricDelta {
  /** `stage.metric`. */
  name: string;
  locked?: number;
  now?: number;
}

/** Each metric the lock records or the run reported, with both values; those that moved first. */
export function metricDeltas(check: PipelineCheck): MetricDelta[] {
  const deltas: MetricDelta[] = [];
  const { committed, manifest } = check;
  const ids = new Set([...Object.keys(committed?.stages ?? {}), ...Object.keys(manifest?.stages ?? {})]);
  for (const id of ids) {
    const locked = committed?.stages[id]?.metrics ?? {};
    const now = manifest?.stages[id]?.metrics ?? {};
    for (const name of new Set([...Object.keys(locked), ...Object.keys(now)])) deltas.push({ name: `${id}.${name}`, locked: locked[name], now: now[name] });
  }
  return deltas.sort((a, b) => Number(moved(b)) - Number(moved(a)));
}

export const moved = (d: MetricDelta): boolean => d.locked !== d.now;

/** The line of the pipeline file where a stage is written, 1 when it is not in the file. */
export function stageLine(check: PipelineCheck | undefined, stage: string): number {
  return check?.plan.pipeline.stages.find((s) => s.id === stage)?.pos.line || 1;
}

/** A note of the check report (`train: params changed … since the lock was written`) and its stage. */
export function noteStage(note: string): string | undefined {
  return /^([^:\s]+):/.exec(note)?.[1];
}
