/**
 * Runs a sweep's trials in at most `jobs` long-lived worker processes (worker.ts), each
 * running trial after trial, so a trial pays for Node's start, the bundle's parse, ajv
 * and the tfjs and vega imports once per worker rather than once per trial, and a crash
 * in one cannot take the others down. A trial that fails is reported and the others go
 * on, unless `failFast`; the worker that ran it is retired (whatever state a failed run
 * left behind goes with it) and a fresh one takes its place, as it does for a worker
 * that crashes or is killed — its trial is then marked failed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { rxlabRoot } from '../version.ts';
import type { EngineEvent } from '../engine/index.ts';
import type { GitState } from '../exp/git.ts';
import type { Trial } from './grid.ts';
import { TRIAL_WORKER_COMMAND, type TrialRequest, type WorkerMessage } from './worker.ts';

export type TrialStatus = 'completed' | 'failed' | 'interrupted' | 'not run';

/** As `onTrial` tells it: also `running`, when a trial starts. */
export type TrialState = TrialStatus | 'running';

export interface TrialOutcome {
  trial: Trial;
  outDir: string;
  status: TrialStatus;
  /** The trial's last words when it did not complete. */
  error?: string;
  durationMs?: number;
  /** Pid of the worker process that ran it. */
  worker?: number;
}

/** What runs a sweep's trials: local worker processes (TrialPool), or workers on other machines through a queue. */
export interface TrialLauncher {
  /** Runs every trial; resolves when all have ended (or were stopped), in trial order. */
  run(trials: Trial[], options: TrialRunOptions): Promise<TrialOutcome[]>;
  close(): Promise<void>;
}

export interface TrialRunOptions {
  file: string;
  /** Folder of trial `t` (created by the caller, seeded with shared stages). */
  dirOf: (trial: Trial) => string;
  failFast: boolean;
  signal: AbortSignal;
  /**
   * The sweep's folder and the git state its trials are recorded with (without: as trials of
   * no sweep, each asking git itself). `remote` puts on record here a trial that ran on
   * another machine, once its files are in its folder: a launcher whose workers keep no
   * record (the queue's) calls it; local workers record their trials themselves.
   */
  record?: { sweep: string; git: GitState | null; remote?: (trial: Trial, ran: { host: string; pid: number }) => Promise<void> };
  /** Told as each trial starts (`running`), and as it ends (with its metrics when it completed). */
  onTrial?: (outcome: Omit<TrialOutcome, 'status'> & { status: TrialState }, metrics?: Record<string, number>) => void;
  /** Each trial's engine events as they happen; the workers send them only when this is given. */
  onEvent?: (trial: string, event: EngineEvent) => void;
  /** A line for the user: a trial started, finished or failed. */
  report: (text: string) => void;
}

/** How much of a worker's stderr is kept, to say why it died. */
const STDERR_KEPT = 16 * 1024;
/** A worker told to stop that has not exited after this long is killed outright. */
const KILL_AFTER_MS = 3000;

interface Worker {
  child: ChildProcess;
  /** It listens for trials. */
  ready: boolean;
  /** Told to stop; takes no more trials. */
  retired: boolean;
  current?: { outcome: TrialOutcome; label: string; started: number };
  /** Its stderr since its current trial started (or since it started). */
  stderr: string;
}

interface Sweep {
  outcomes: TrialOutcome[];
  next: number;
  options: TrialRunOptions;
  stopping: boolean;
  settled: boolean;
  resolve: (outcomes: TrialOutcome[]) => void;
}

/**
 * Up to `size` trial workers. They start as soon as the pool is made (a sweep makes it
 * before running its shared stages, so their start overlaps that) and wait for `run`.
 */
export class TrialPool implements TrialLauncher {
  private readonly workers = new Set<Worker>();
  private sweep?: Sweep;
  /** Why the last worker that died before it was ready did, to fail a trial with. */
  private startFailure?: string;
  private closed = false;
  /** Waiting for every worker to have exited. */
  private onEmpty: (() => void)[] = [];

  constructor(private readonly size: number) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  /** Runs every trial; resolves when all have ended (or were stopped), in trial order. Once per pool. */
  run(trials: Trial[], options: TrialRunOptions): Promise<TrialOutcome[]> {
    if (this.sweep || this.closed) throw new Error('a trial pool runs one list of trials');
    return new Promise((resolve) => {
      const sweep: Sweep = {
        outcomes: trials.map((trial) => ({ trial, outDir: options.dirOf(trial), status: 'not run' })),
        next: 0,
        options,
        stopping: false,
        settled: false,
        resolve,
      };
      this.sweep = sweep;
      const stop = (): void => this.stop();
      options.signal.addEventListener('abort', stop, { once: true });
      const done = sweep.resolve;
      sweep.resolve = (outcomes) => {
        options.signal.removeEventListener('abort', stop);
        void this.close();
        done(outcomes);
      };
      if (options.signal.aborted) this.stop();
      for (const worker of this.workers) this.feed(worker);
      this.fill();
      this.settle();
    });
  }

  /**
   * Stops every worker (an idle one exits, a busy one ends its trial `interrupted` first);
   * resolves once all have exited, so none outlives the sweep.
   */
  close(): Promise<void> {
    this.closed = true;
    for (const worker of this.workers) this.retire(worker);
    return this.workers.size === 0 ? Promise.resolve() : new Promise((resolve) => this.onEmpty.push(resolve));
  }

  private stop(): void {
    if (this.sweep) this.sweep.stopping = true;
    void this.close();
  }

  private pending(): boolean {
    const s = this.sweep;
    return !!s && !s.stopping && s.next < s.outcomes.length;
  }

  private spawn(): void {
    const child = fork(join(rxlabRoot(), 'bin', 'rxlab.js'), [TRIAL_WORKER_COMMAND], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: [],
    });
    const worker: Worker = { child, ready: false, retired: false, stderr: '' };
    this.workers.add(worker);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (worker.stderr = (worker.stderr + chunk).slice(-STDERR_KEPT)));
    child.on('message', (message: WorkerMessage) => this.onMessage(worker, message));
    child.on('exit', (code, signal) => this.onExit(worker, signal ? `was killed by ${signal}` : `exited with code ${code}`));
    child.on('error', (err) => {
      // Could not start it at all (no 'exit' follows then), or the channel broke.
      worker.stderr += `\n${err.message}`;
      if (child.pid === undefined) this.onExit(worker, 'could not be started');
      else child.kill('SIGKILL');
    });
  }

  private onMessage(worker: Worker, message: WorkerMessage): void {
    if (message.type === 'progress') {
      if (worker.current) this.sweep?.options.report(`${worker.current.label}: ${message.text}`);
      return;
    }
    if (message.type === 'ready') {
      worker.ready = true;
      this.feed(worker);
      return;
    }
    const current = worker.current;
    if (!current) return;
    if (message.type === 'event') {
      this.sweep?.options.onEvent?.(current.outcome.trial.id, message.event);
      return;
    }
    worker.current = undefined;
    this.finish(current, message.status, message.error, message.metrics);
    if (message.status !== 'completed') this.retire(worker);
    this.feed(worker);
    this.fill();
    this.settle();
  }

  private onExit(worker: Worker, how: string): void {
    if (!this.workers.delete(worker)) return;
    if (this.workers.size === 0) for (const resolve of this.onEmpty.splice(0)) resolve();
    const stderr = worker.stderr.trim();
    if (worker.current) {
      const { current } = worker;
      worker.current = undefined;
      this.finish(current, this.sweep?.stopping ? 'interrupted' : 'failed', `the worker process running it ${how}${stderr ? `: ${stderr}` : ''}`);
    } else if (!worker.ready && !worker.retired) {
      this.startFailure = `a trial worker process ${how} before it was ready${stderr ? `: ${stderr}` : ''}`;
    }
    this.fill();
    this.settle();
  }

  /** Gives an idle worker the next trial, or retires it when none is left. */
  private feed(worker: Worker): void {
    const s = this.sweep;
    if (!s || !worker.ready || worker.retired || worker.current) return;
    if (!this.pending()) {
      this.retire(worker);
      return;
    }
    const outcome = s.outcomes[s.next++];
    const { trial } = outcome;
    const current = { outcome, label: labelOf(trial), started: performance.now() };
    worker.current = current;
    worker.stderr = '';
    outcome.worker = worker.child.pid;
    s.options.report(`${current.label}: started`);
    s.options.onTrial?.({ ...outcome, status: 'running' });
    const request: TrialRequest = {
      type: 'trial',
      file: s.options.file,
      overrides: trial.overrides,
      outDir: outcome.outDir,
      ...(s.options.record ? { record: { ...s.options.record, trial: trial.id } } : {}),
      ...(s.options.onEvent ? { events: true } : {}),
    };
    worker.child.send(request);
  }

  /** Starts workers while trials wait and fewer than `size` are alive and not retired. */
  private fill(): void {
    const s = this.sweep;
    if (!s || this.closed) return;
    for (;;) {
      if (!this.pending()) return;
      if (this.startFailure) {
        // Workers die on start (a broken install?): fail a trial with why, so a sweep ends rather than respawning forever.
        const outcome = s.outcomes[s.next++];
        this.finish({ outcome, label: labelOf(outcome.trial), started: performance.now() }, 'failed', this.startFailure);
        this.startFailure = undefined;
        continue;
      }
      const live = [...this.workers].filter((w) => !w.retired);
      const waiting = s.outcomes.length - s.next;
      if (live.length >= this.size || live.filter((w) => !w.current).length >= waiting) return;
      this.spawn();
    }
  }

  private finish(current: NonNullable<Worker['current']>, status: TrialStatus, error?: string, metrics?: Record<string, number>): void {
    const { outcome, label, started } = current;
    outcome.durationMs = performance.now() - started;
    outcome.status = status;
    if (status !== 'completed') outcome.error = (error?.trim() || 'ended without a reason').split('\n').slice(0, 3).join(' ');
    this.sweep?.options.onTrial?.(outcome, metrics);
    if (status === 'completed') {
      this.sweep?.options.report(`${label}: completed in ${(outcome.durationMs / 1000).toFixed(1)} s`);
      return;
    }
    this.sweep?.options.report(`${label}: ${status}: ${outcome.error}`);
    if (this.sweep?.options.failFast && status === 'failed') this.stop();
  }

  /** Resolves the sweep once no trial runs and none is left to start. */
  private settle(): void {
    const s = this.sweep;
    if (!s || s.settled || this.pending() || [...this.workers].some((w) => w.current)) return;
    s.settled = true;
    s.resolve(s.outcomes);
  }

  /** Tells a worker to stop (SIGTERM: it ends its trial, if any, `interrupted`), and kills it if it does not. */
  private retire(worker: Worker): void {
    if (worker.retired) return;
    worker.retired = true;
    worker.child.kill('SIGTERM');
    setTimeout(() => {
      if (this.workers.has(worker)) worker.child.kill('SIGKILL');
    }, KILL_AFTER_MS).unref();
  }
}

/** How a trial is named in progress lines: its id and its values. */
const labelOf = (trial: Trial): string => `${trial.id} (${trial.overrides.join(', ')})`;
