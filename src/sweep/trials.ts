/**
 * Runs a sweep's trials as child processes (`rxlab run FILE --set … --out DIR --json`),
 * at most `jobs` at a time, so trials use every core and a crash in one cannot take the
 * others down. A failed trial is reported and the others go on, unless `failFast`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { rxlabRoot } from '../version.ts';
import type { Trial } from './grid.ts';

export type TrialStatus = 'completed' | 'failed' | 'interrupted' | 'not run';

export interface TrialOutcome {
  trial: Trial;
  outDir: string;
  status: TrialStatus;
  /** The trial's last words when it did not complete. */
  error?: string;
  durationMs?: number;
}

export interface TrialRunOptions {
  file: string;
  /** Folder of trial `t` (created by the caller, seeded with shared stages). */
  dirOf: (trial: Trial) => string;
  jobs: number;
  failFast: boolean;
  signal: AbortSignal;
  /** A line for the user: a trial started, finished or failed. */
  report: (text: string) => void;
}

/** Runs every trial; resolves when all have ended (or were stopped), in trial order. */
export function runTrials(trials: Trial[], options: TrialRunOptions): Promise<TrialOutcome[]> {
  const outcomes: TrialOutcome[] = trials.map((trial) => ({ trial, outDir: options.dirOf(trial), status: 'not run' }));
  const running = new Set<ChildProcess>();
  let next = 0;
  let stopping = false;
  const stopAll = (): void => {
    stopping = true;
    for (const child of running) child.kill('SIGTERM');
  };
  options.signal.addEventListener('abort', stopAll, { once: true });

  return new Promise((resolve) => {
    const startMore = (): void => {
      while (!stopping && running.size < options.jobs && next < trials.length) start(outcomes[next++]);
      if (running.size === 0) {
        options.signal.removeEventListener('abort', stopAll);
        resolve(outcomes);
      }
    };
    const start = (outcome: TrialOutcome): void => {
      const { trial } = outcome;
      const label = `${trial.id} (${trial.overrides.join(', ')})`;
      const args = [join(rxlabRoot(), 'bin', 'rxlab.js'), 'run', options.file, '--out', outcome.outDir, '--json'];
      for (const o of trial.overrides) args.push('--set', o);
      const started = performance.now();
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      running.add(child);
      options.report(`${label}: started`);
      let lastLog = '';
      let stderr = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) {
          if (line.startsWith('{"type":"log"')) lastLog = (JSON.parse(line) as { text: string }).text;
        }
      });
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('exit', (code) => {
        running.delete(child);
        outcome.durationMs = performance.now() - started;
        if (code === 0) {
          outcome.status = 'completed';
          options.report(`${label}: completed in ${(outcome.durationMs / 1000).toFixed(1)} s`);
        } else {
          outcome.status = stopping && !outcome.error ? 'interrupted' : 'failed';
          outcome.error = (stderr.trim() || lastLog || `exited with code ${code}`).split('\n').slice(0, 3).join(' ');
          options.report(`${label}: ${outcome.status}: ${outcome.error}`);
          if (options.failFast && !stopping) stopAll();
        }
        startMore();
      });
    };
    startMore();
  });
}
