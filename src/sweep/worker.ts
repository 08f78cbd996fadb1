/**
 * A sweep's trial worker: a long-lived process (`rxlab __trial-worker`, started by
 * trials.ts with an IPC channel) that runs trial after trial in process, each exactly as
 * `rxlab run FILE --set … --out DIR` runs it (`recordedRun`), on record as a trial. A worker pays Node's
 * start, the bundle's parse, ajv's schema compilation, the tfjs and vega imports and the
 * JIT's warm-up once instead of once per trial.
 *
 * Nothing a trial computes depends on what ran before it in the same process: tfjs
 * layer names are fixed (src/ml/model.ts), tensors are freed or tidied, and every random
 * stream is seeded from the trial's params; test/sweep/worker.test.ts holds a warm
 * worker's artifacts to a standalone run's, byte for byte.
 *
 * SIGINT, SIGTERM or the parent going away stop the trial in progress (it ends
 * `interrupted`, as a run does on Ctrl-C) and end the worker.
 */
import { renderOnThisThread } from '../charts/render.ts';
import type { StageResolver } from '../contract/resolve.ts';
import { EnvironmentError, PipelineInputError, formatDiagnostic, runMetrics, runPipeline, type EngineEvent } from '../engine/index.ts';
import type { GitState } from '../exp/git.ts';
import { recordedRun } from '../exp/record.ts';
import { LIVE_EVENT_TYPES } from '../report/index.ts';
import { forPeople } from '../util/numbers.ts';
import { SweepSpecError } from './grid.ts';

/**
 * The hidden command (not in `--help`) that starts a worker: trials.ts runs
 * `bin/rxlab.js __trial-worker`, so a worker runs the same build (the bundle, or the
 * sources when they are newer) as the sweep itself.
 */
export const TRIAL_WORKER_COMMAND = '__trial-worker';

/** Parent → worker: run this trial. */
export interface TrialRequest {
  type: 'trial';
  file: string;
  overrides: string[];
  outDir: string;
  /**
   * How the trial is put on record: its sweep's folder, its id, and the git state the sweep
   * found. `false` for a queued trial: the sweep's coordinator records it (recordRemoteTrial),
   * with its report; the worker's own checkout keeps no record of it.
   */
  record?: { sweep: string; trial: string; git: GitState | null } | false;
  /** Send the run's engine events to the parent as they happen (for the live view). */
  events?: boolean;
}

/**
 * Worker → parent: `ready` once it listens, `progress` now and then during a long trial
 * (`train 500/1000 loss 0.2562`), each of its engine events when asked for (the live view),
 * then `done` after each trial, with its metrics.
 */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; text: string }
  | { type: 'event'; event: EngineEvent }
  | { type: 'done'; status: 'completed' | 'failed' | 'interrupted'; error?: string; metrics?: Record<string, number> };

/** A trial's progress is told at most this often, and only at a tenth of a stage: short trials stay quiet. */
const PROGRESS_EVERY_MS = 2000;

/** `onEvent` for a trial's run: a `progress` message at each tenth of a stage, at most every PROGRESS_EVERY_MS. */
export function progressReporter(tell: (message: WorkerMessage) => void): (event: EngineEvent) => void {
  let last = performance.now();
  const tenths = new Map<string, number>();
  return (event) => {
    if (event.type !== 'progress') return;
    const tenth = Math.floor((10 * event.current) / Math.max(1, event.total));
    if (tenth === tenths.get(event.stage)) return;
    tenths.set(event.stage, tenth);
    if (performance.now() - last < PROGRESS_EVERY_MS) return;
    last = performance.now();
    const state = Object.entries(event.state ?? {})
      .filter(([k]) => k !== 'epoch' && k !== 'elapsedMs')
      .map(([k, v]) => `${k} ${typeof v === 'number' ? forPeople(v) : String(v)}`)
      .join(', ');
    tell({ type: 'progress', text: `${event.stage} ${event.current}/${event.total}${state ? ` ${state}` : ''}` });
  };
}

/**
 * The worker's main loop, running trials with the stages `stages` resolves; `preload` loads
 * their modules early. Resolves with its exit code once it is told (or signalled) to stop.
 */
export function trialWorker(stages: StageResolver, preload: () => void): Promise<number> {
  const send = process.send?.bind(process);
  if (!send) {
    process.stderr.write('rxlab: this internal command runs the trials of `rxlab sweep`; it needs an IPC channel from its parent\n');
    return Promise.resolve(2);
  }
  // Charts are drawn on this process's own thread: with `--jobs` workers on as many
  // cores, a chart thread per worker would only compete with the other workers
  // (BENCHMARKS.md, sweep).
  renderOnThisThread();
  const controller = new AbortController();
  let busy = false;
  return new Promise<number>((resolve) => {
    const tell = (message: WorkerMessage): Promise<void> =>
      new Promise((done) => {
        if (!process.connected) return done();
        // The callback runs once the message is handed to the channel (or failed to be: the parent is gone).
        send(message, undefined, undefined, () => done());
      });
    const stop = (): void => {
      controller.abort();
      if (!busy) resolve(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('disconnect', stop);
    process.on('message', (message: TrialRequest) => {
      if (message.type !== 'trial' || busy || controller.signal.aborted) return;
      busy = true;
      const progress = progressReporter((m) => void tell(m));
      // Events go out as they come, when asked for (those the live view shows); the channel keeps them in order, ahead of `done`.
      const onEvent = message.events
        ? (event: EngineEvent) => {
            progress(event);
            if (LIVE_EVENT_TYPES.has(event.type)) void tell({ type: 'event', event });
          }
        : progress;
      void runTrial(message, stages, controller.signal, onEvent)
        .then(tell)
        .then(() => {
          busy = false;
          if (controller.signal.aborted) resolve(0);
        });
    });
    // Once it listens: load what trials need (the stages' modules) while the sweep is still getting ready.
    void tell({ type: 'ready' }).then(preload);
  });
}

/** Runs one trial as `rxlab run FILE --set … --out DIR` runs it; says how it ended. Also what `rxlab worker` runs for a queued trial. */
export async function runTrial(
  request: Pick<TrialRequest, 'file' | 'overrides' | 'outDir' | 'record'>,
  stages: StageResolver,
  signal: AbortSignal,
  onEvent: (event: EngineEvent) => void,
): Promise<Extract<WorkerMessage, { type: 'done' }>> {
  try {
    const { record } = request;
    const options = { resolve: stages, set: request.overrides, out: request.outDir, signal, onEvent };
    const { manifest } =
      record === false
        ? await runPipeline(request.file, options)
        : await recordedRun(request.file, options, {
            kind: 'trial',
            ...(record ? { sweep: { dir: record.sweep, trial: record.trial }, git: record.git } : {}),
            onWarning: (text) => void process.stderr.write(`${text}\n`),
          });
    if (manifest.status === 'completed') return { type: 'done', status: 'completed', metrics: runMetrics(manifest) };
    // What `rxlab run` prints on stderr for it.
    return { type: 'done', status: manifest.status, error: `run ${manifest.status} after ${(manifest.durationMs / 1000).toFixed(2)} s: ${manifest.error}` };
  } catch (err) {
    return { type: 'done', status: signal.aborted ? 'interrupted' : 'failed', error: describeError(err) };
  }
}

/** An error as `rxlab run` would print it. */
function describeError(err: unknown): string {
  if (err instanceof PipelineInputError) {
    const n = err.diagnostics.length;
    return `${err.diagnostics.map(formatDiagnostic).join('\n')}\n${n} error${n === 1 ? '' : 's'}; nothing was run`;
  }
  if (err instanceof SweepSpecError || err instanceof EnvironmentError) return `rxlab run: ${err.message}`;
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
