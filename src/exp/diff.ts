/**
 * `rxlab exp diff FILE A B`: how two runs differ, like `dvc exp diff` — the params that
 * differ, every metric of either with its change from A to B, and the artifacts whose
 * bytes differ (by their recorded sha256) or that only one of them made.
 */
import type { Direction, RunRecord } from './history.ts';
import { flattenParams } from './table.ts';

export interface MetricDelta {
  metric: string;
  a?: number;
  b?: number;
  /** b − a, when both have it. */
  delta?: number;
  direction?: Direction;
  /** Whether B is better than A by the metric's direction (undefined: equal, unknown, or one is missing). */
  better?: boolean;
}

export interface RunDiff {
  a: RunRecord;
  b: RunRecord;
  /** Params whose values differ (undefined: the run has no such param). */
  params: { param: string; a?: unknown; b?: unknown }[];
  metrics: MetricDelta[];
  /** Artifacts that differ: `changed`, or made by only one of the runs. */
  artifacts: { artifact: string; change: 'changed' | 'only in A' | 'only in B' }[];
  /** How many artifacts both made byte for byte the same. */
  sameArtifacts: number;
}

export function diffRuns(a: RunRecord, b: RunRecord): RunDiff {
  const [pa, pb] = [flattenParams(a.params), flattenParams(b.params)];
  const params = [...new Set([...Object.keys(pa), ...Object.keys(pb)])]
    .filter((k) => JSON.stringify(pa[k]) !== JSON.stringify(pb[k]))
    .map((param) => ({ param, ...(param in pa ? { a: pa[param] } : {}), ...(param in pb ? { b: pb[param] } : {}) }));
  const directions = { ...a.directions, ...b.directions };
  const metrics = [...new Set([...Object.keys(a.metrics), ...Object.keys(b.metrics)])].map((metric): MetricDelta => {
    const [x, y] = [a.metrics[metric], b.metrics[metric]];
    const direction = directions[metric];
    const both = x !== undefined && y !== undefined;
    return {
      metric,
      ...(x !== undefined ? { a: x } : {}),
      ...(y !== undefined ? { b: y } : {}),
      ...(both ? { delta: y - x } : {}),
      ...(direction ? { direction } : {}),
      ...(both && direction && x !== y ? { better: direction === 'maximize' ? y > x : y < x } : {}),
    };
  });
  const names = [...new Set([...Object.keys(a.artifacts), ...Object.keys(b.artifacts)])];
  const artifacts = names.flatMap((artifact): RunDiff['artifacts'] => {
    const [x, y] = [a.artifacts[artifact], b.artifacts[artifact]];
    if (x === y) return [];
    return [{ artifact, change: x === undefined ? 'only in B' : y === undefined ? 'only in A' : 'changed' }];
  });
  return { a, b, params, metrics, artifacts, sameArtifacts: names.length - artifacts.length };
}
