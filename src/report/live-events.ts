/**
 * The live view's event protocol: what `publish` takes and the page understands. Every event
 * is a JSON object with a `type`; the engine's events are published as they are, and the
 * server sends only those of the types below (LIVE_EVENT_TYPES): an engine's other events
 * (a training stage's per-epoch `output`, thousands a second) would only make pages fall
 * behind.
 *
 * A run:   run-start?, then the engine's events (src/engine/run.ts `EngineEvent`), then finished | failed.
 * A sweep: sweep-start, then trial events and the engine's events of the shared stages (no
 *          `trial` field) and of each trial (with `trial`: the trial's id), then finished | failed.
 */
import type { MetricDirection } from './types.ts';

/** Optional, first: the stages of the run, so that they show as waiting before they start. */
export interface RunStartEvent {
  type: 'run-start';
  pipeline: { name: string; file: string };
  /** The run's name (its overrides, or `base`). */
  name?: string;
  stages: { id: string; uses: string }[];
}

/**
 * The fields of the engine's events that the page reads. `progress.state.loss` (and
 * `state.validationLoss`, when training measures one) is the loss of epoch `current`
 * (counted from 1), drawn at epoch `current − 1` as in the run's history.json.
 */
export type EngineEventSeen =
  | { type: 'environment'; facts: Record<string, string> }
  | { type: 'stage-start'; stage: string; reason?: string }
  | { type: 'stage-cached'; stage: string }
  | { type: 'progress'; stage: string; current: number; total: number; state?: { loss?: unknown; validationLoss?: unknown } }
  | { type: 'artifact'; stage: string; name: string }
  | { type: 'message'; stage: string; text: string }
  | { type: 'metric'; stage: string; name: string; value: number }
  | { type: 'stage-done'; stage: string; durationMs: number };

/** The end of a run or a sweep. */
export interface FinishedEvent {
  type: 'finished';
  status: 'completed' | 'failed' | 'interrupted';
  durationMs?: number;
  /** A sweep's best trial, by id. */
  best?: string;
}

/** A run or sweep that could not go on; `stage` names the stage that failed, when one did. */
export interface FailedEvent {
  type: 'failed';
  error: string;
  stage?: string;
}

/** First for a sweep: its grid, objective and trials (shown as waiting). */
export interface SweepStartEvent {
  type: 'sweep-start';
  pipeline: { name: string; file: string };
  grid: Record<string, unknown[]>;
  objective?: { metric: string; direction: MetricDirection };
  trials: { id: string; name: string; values: Record<string, unknown> }[];
}

/** A trial changed state; `metrics` and `error` come with its end. */
export interface TrialEvent {
  type: 'trial';
  id: string;
  status: 'running' | 'completed' | 'failed' | 'interrupted' | 'not run';
  name?: string;
  values?: Record<string, unknown>;
  metrics?: Record<string, number>;
  error?: string;
  durationMs?: number;
}

/** Any event the page understands; engine events from a trial carry the trial's id. */
export type LiveEvent = RunStartEvent | (EngineEventSeen & { trial?: string }) | FinishedEvent | FailedEvent | SweepStartEvent | TrialEvent;

/** The types of LiveEvent, the only events the server sends. */
export const LIVE_EVENT_TYPES: ReadonlySet<unknown> = new Set<LiveEvent['type']>([
  'run-start',
  'sweep-start',
  'trial',
  'environment',
  'stage-start',
  'stage-cached',
  'progress',
  'artifact',
  'message',
  'metric',
  'stage-done',
  'finished',
  'failed',
]);
