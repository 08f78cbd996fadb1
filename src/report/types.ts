/**
 * What a report is made from: a run, or a sweep and its trials, as the run's record holds
 * them. Everything here is plain JSON, so a report can be rebuilt from records on disk.
 */
import type { Spec } from 'vega';

export type RunStatus = 'completed' | 'failed' | 'interrupted';
export type MetricDirection = 'maximize' | 'minimize';

/** A stage of a run. */
export interface StageRecord {
  /** The stage's `uses:`, e.g. `train` or `./stages/scale.ts`. */
  uses: string;
  /** What became of it: `completed`, `cached`, `failed`, `interrupted`, `not run`, … (shown as given). */
  status: string;
  durationMs?: number;
  /** Why it ran or was reused, e.g. `params changed: optimizer.lr 0.01 → 0.1`. */
  reason?: string;
}

/** One artifact compared with the lock by `rxlab check`. */
export interface CheckRow {
  stage: string;
  artifact: string;
  result: 'same' | 'changed' | 'missing' | 'new';
  detail: string;
}

/** The result of comparing a run's artifacts with the lock. */
export interface CheckRecord {
  ok: boolean;
  rows: CheckRow[];
}

/** A chart a stage drew: the Vega spec it saved beside its SVG (`chart.vg.json`). */
export interface ChartRecord {
  stage: string;
  title: string;
  spec: Spec;
}

/** A training stage's loss at every epoch, and its held-out loss when it measured one. */
export interface LossHistory {
  train: number[];
  validation?: number[];
}

/** One run of a pipeline: a base run, a `--set` run or a sweep trial. */
export interface RunRecord {
  /** Readable and unique among the pipeline's runs: its overrides (`lr=0.1,seed=1`) or `base`. */
  name: string;
  pipeline: { name: string; file: string };
  status: RunStatus;
  error?: string;
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
  git?: { commit: string; dirty: boolean };
  /** The resolved params of each stage, by stage id. */
  params: Record<string, Record<string, unknown>>;
  /** As given on the command line: `train.optimizer.lr=0.1`. */
  overrides: string[];
  /** Declared metrics by `stage.metric`, e.g. `evaluate.accuracy`. */
  metrics: Record<string, number>;
  metricDirections: Record<string, MetricDirection>;
  stages: Record<string, StageRecord>;
  /** Present when the run was compared with its lock. */
  check?: CheckRecord;
  charts: ChartRecord[];
  /** Loss curves by training stage id. */
  losses?: Record<string, LossHistory>;
}

/** One trial of a sweep. */
export interface TrialRecord {
  id: string;
  /** Its values as a readable name: `lr=0.1,seed=1`. */
  name: string;
  /** The swept params' values, by `stage.param`. */
  values: Record<string, unknown>;
  /** `completed`, `failed`, `interrupted` or `not run` (shown as given). */
  status: string;
  metrics: Record<string, number>;
  losses?: LossHistory;
  error?: string;
  durationMs?: number;
}

/** A sweep: its grid, the metric it optimises, and its trials. */
export interface SweepRecord {
  pipeline: { name: string; file: string };
  /** Each swept `stage.param` and the values it takes. */
  grid: Record<string, unknown[]>;
  objective?: { metric: string; direction: MetricDirection };
  /** The id of the best trial by the objective. */
  best?: string;
  trials: TrialRecord[];
  /** When the sweep started (ISO 8601) and how long it took, if known. */
  startedAt?: string;
  durationMs?: number;
}
