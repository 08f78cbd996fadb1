/**
 * A sweep: every combination of a grid (`--grid stage.param=v1,v2 …`, or the file's
 * `sweep:` block) as its own trial. Stages no swept param reaches run once and are shared;
 * trials run in up to `jobs` long-lived worker processes, each running trial after trial
 * (trials.ts); a failed trial is reported and the others finish (unless `failFast`).
 * The best trial is the best by the sweep's objective (objective.ts). Running the same
 * sweep again reuses what finished.
 */
import { availableParallelism } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import type { StageResolver } from '../contract/resolve.ts';
import { EnvironmentError, PipelineInputError, acquireRunLock, claimTarget, defaultMaxMemory, loadAndPlan, pipelineSpace, projectRoot, type Diagnostic, type Plan } from '../engine/index.ts';
import { gitState } from '../exp/git.ts';
import { recordRemoteTrial } from '../exp/record.ts';
import { hashValue } from '../util/canonical.ts';
import { shown } from '../util/paths.ts';
import { expandGrid, fileGrid, parseGridArg, SweepSpecError, trialName, type Grid, type Trial } from './grid.ts';
import { runShared, seedTrial } from './prepare.ts';
import { sharedStages } from './shared.ts';
import { describeObjective, sweepObjective, type Direction } from './objective.ts';
import { writeSweepReport } from './report.ts';
import { lossStage, summarise, trialLosses, writeSummary, type SweepSummary } from './summary.ts';
import { TrialPool, type TrialLauncher } from './trials.ts';

export interface SweepOptions {
  resolve: StageResolver;
  /** `--grid` texts; the file's `sweep:` block when empty. */
  grid: readonly string[];
  /** `--set` texts applied to every trial (and to the shared stages), before the trial's own values. */
  set?: readonly string[];
  random?: number;
  seed?: number;
  jobs: number;
  /** Allow `jobs` above the number of cores (otherwise capped at it). */
  oversubscribe?: boolean;
  /** `--max-memory` in bytes: each trial is held to it, and the trials running at once together. */
  maxMemory?: number;
  failFast: boolean;
  /** The objective (`--metric`); the file's `sweep.objective`, or the pipeline's last metric, when absent. */
  metric?: string;
  /** `--maximize` / `--minimize`: instead of the metric's declared direction. */
  direction?: Direction;
  /** The sweep's folder; default `outputs/<name>/sweeps/<hash of the grid>`. */
  out?: string;
  signal: AbortSignal;
  /** A line for the user: what runs, a trial started, finished or failed. */
  report: (text: string) => void;
  /**
   * The sweep as the live view shows it (src/report/live-events.ts): sweep-start, the shared
   * stages' engine events, each trial's state and engine events (with `trial`), then finished
   * or failed.
   */
  live?: (event: object) => void;
  /**
   * What runs the trials, given how many there are and the file's `sweep.queue`; started
   * before the shared stages run, so workers get ready meanwhile. Default: up to `jobs`
   * local worker processes.
   */
  launcher?: (context: { trials: number; queue?: string }) => { launcher: TrialLauncher; where: string } | undefined;
}

export interface SweepResult {
  dir: string;
  summary?: SweepSummary;
  /** The charts it drew (file names in `dir`). */
  charts?: string[];
  /** Why the sweep stopped before its trials, when it did (the shared stages failed). */
  error?: string;
}

export async function runSweep(file: string, options: SweepOptions): Promise<SweepResult> {
  const { resolve, report } = options;
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const base = options.set ?? [];
  const plan = await loadAndPlan(file, { resolve, set: base, maxMemory: options.maxMemory });
  const { pipeline } = plan;
  const grid: Grid | undefined = options.grid.length > 0 ? Object.fromEntries(options.grid.map(parseGridArg)) : pipeline.sweep && fileGrid(pipeline.sweep.grid, file);
  if (!grid) throw new SweepSpecError(`nothing to sweep: give --grid STAGE.PARAM=V1,V2,… or add a sweep: block to ${file}`);
  const random = options.random ?? pipeline.sweep?.random;
  const seed = options.seed ?? pipeline.sweep?.seed ?? 0;
  const trials = expandGrid(grid, { random, seed }).map((t) => ({ ...t, overrides: [...base, ...t.overrides] }));
  const objective = sweepObjective(plan, { metric: options.metric, direction: options.direction });
  const jobs = jobsFor(options, report);
  if (options.out !== undefined && options.out.trim() === '') {
    throw new EnvironmentError('--out is empty (an unset variable?); give it a folder, or leave it out to write to outputs/<pipeline name>/sweeps; nothing was run', 2);
  }
  const space = pipelineSpace(pipeline);
  const dir = options.out !== undefined ? resolvePath(options.out) : join(space, 'sweeps', hashValue({ grid, random, seed, ...(base.length ? { base } : {}) }).slice(0, 10));
  await claimTarget({ outDir: dir, ...(options.out === undefined ? { space } : {}) }, pipeline);
  // The sweep writes its summary and seeds its trials' folders: one sweep at a time per folder.
  const release = await acquireRunLock(dir);
  let pool: TrialLauncher | undefined;
  try {
    const { memory, plans } = await checkTrials(file, resolve, trials.map((t) => t.overrides), options.grid.length > 0 ? '--grid' : `${file} sweep.grid:`, options.maxMemory);
    const planOf = new Map(trials.map((t, i) => [t.id, plans[i]]));
    // The workers start now: their start overlaps running the shared stages.
    const { launcher, where } = options.launcher?.({ trials: trials.length, queue: pipeline.sweep?.queue }) ?? localPool(Math.min(jobs, trials.length, byMemory(memory, options.maxMemory ?? defaultMaxMemory(), jobs, report)));
    pool = launcher;
    const shared = sharedStages(plan, new Set(Object.keys(grid).map((k) => k.split('.')[0])));
    report(`sweep ${pipeline.name}: ${trials.length} trials, ${where}, in ${shown(dir)}`);
    report(shared.length ? `shared by every trial (run once): ${shared.join(', ')}` : 'no stage is shared: every stage depends on a swept param');
    report(`objective: ${describeObjective(objective)}`);
    const { live } = options;
    live?.({
      type: 'sweep-start',
      pipeline: { name: pipeline.name, file: pipeline.file },
      grid,
      ...(objective ? { objective: { metric: objective.metric, direction: objective.direction } } : {}),
      trials: trials.map((t) => ({ id: t.id, name: trialName(t.values), values: t.values })),
    });

    const sharedDir = join(dir, 'shared');
    if (shared.length > 0) {
      const { manifest, lock } = await runShared(file, resolve, base, shared, sharedDir, options.signal, (e) => {
        live?.(e);
        if (e.type === 'stage-cached' || e.type === 'stage-done') report(`shared ${e.stage}: ${e.type === 'stage-cached' ? 'cached' : 'done'}`);
      });
      if (!lock) {
        const error = `the shared stages did not complete (${manifest.status}): ${manifest.error}`;
        live?.({ type: 'failed', error });
        return { dir, error };
      }
      for (const trial of trials) await seedTrial(join(dir, trial.id), sharedDir, lock, pipeline.file);
    }
    const git = (await gitState(projectRoot(pipeline.dir))) ?? null;
    const record = {
      sweep: dir,
      git,
      remote: (trial: Trial, ran: { host: string; pid: number }) =>
        recordRemoteTrial(planOf.get(trial.id)!, join(dir, trial.id), ran, { sweep: { dir, trial: trial.id }, git, onWarning: report }),
    };
    const outcomes = await pool.run(trials, {
      file,
      dirOf: (t) => join(dir, t.id),
      failFast: options.failFast,
      signal: options.signal,
      record,
      report,
      ...(live
        ? {
            onTrial: ({ trial, status, error, durationMs }, metrics) =>
              live({ type: 'trial', id: trial.id, status, ...(metrics ? { metrics } : {}), ...(error ? { error } : {}), ...(durationMs !== undefined ? { durationMs } : {}) }),
            onEvent: (trial, event) => live({ ...event, trial }),
          }
        : {}),
    });
    const curves = lossStage(plan, objective);
    const facts = { pipeline: pipeline.name, file: pipeline.file, grid, shared, ...(objective ? { objective } : {}), ...(curves ? { curves } : {}) };
    const summary = await summarise({ ...facts, startedAt, durationMs: Math.round(performance.now() - started) }, outcomes);
    const losses = await trialLosses(summary);
    const charts = await writeSummary(dir, summary, losses);
    await writeSweepReport(dir, summary, losses);
    const status = outcomes.every((o) => o.status === 'completed') ? 'completed' : outcomes.some((o) => o.status === 'interrupted') ? 'interrupted' : 'failed';
    for (const o of outcomes.filter((x) => x.status === 'not run')) live?.({ type: 'trial', id: o.trial.id, status: o.status });
    live?.({ type: 'finished', status, durationMs: summary.durationMs, ...(summary.best ? { best: summary.best } : {}) });
    return { dir, summary, charts };
  } finally {
    await pool?.close();
    await release();
  }
}

/** Trials run by `running` worker processes on this machine. */
function localPool(running: number): { launcher: TrialLauncher; where: string } {
  return { launcher: new TrialPool(running), where: `${running} at a time` };
}

/** How many trials fit in memory at once, each needing up to `each` bytes (as estimated), within `limit`; said when it is fewer than `jobs`. */
function byMemory(each: number, limit: number, jobs: number, report: (text: string) => void): number {
  const fit = Math.max(1, Math.floor(limit / Math.max(each, 1)));
  if (fit < jobs) report(`a trial needs up to about ${Math.ceil(each / 2 ** 20)} MiB; running ${fit} at a time to stay within ${Math.floor(limit / 2 ** 20)} MiB (--max-memory)`);
  return fit;
}

/**
 * Trials at a time: `--jobs`, capped at the number of cores unless `oversubscribe` (more
 * workers than cores only take turns, each holding its memory meanwhile).
 */
function jobsFor(options: SweepOptions, report: (text: string) => void): number {
  const cores = availableParallelism();
  if (options.jobs <= cores || options.oversubscribe) return options.jobs;
  report(`--jobs ${options.jobs} is more than the ${cores} cores here; running ${cores} at a time (--oversubscribe to run ${options.jobs})`);
  return cores;
}

/**
 * Loads the pipeline with each trial's overrides first, so a bad value is reported (all at
 * once) before anything runs. The loader places a bad value at the `--set` that gave it;
 * here the values came from `source` (`--grid`, or the file's sweep block), which is named
 * instead. Returns each trial's plan, and the most memory one trial needs.
 */
async function checkTrials(file: string, resolve: StageResolver, overrideSets: string[][], source: string, maxMemory: number | undefined): Promise<{ memory: number; plans: Plan[] }> {
  const seen = new Map<string, Diagnostic>();
  let sources = {};
  let most = 0;
  const plans: Plan[] = [];
  for (const set of overrideSets) {
    try {
      const plan = await loadAndPlan(file, { resolve, set, maxMemory });
      plans.push(plan);
      most = Math.max(most, plan.memory ?? 0);
    } catch (err) {
      if (!(err instanceof PipelineInputError)) throw err;
      for (const found of err.diagnostics) {
        const d = found.file.startsWith('--set ') ? { ...found, file: `${source} ${found.file.slice('--set '.length)}` } : found;
        seen.set(JSON.stringify(d), d);
      }
      sources = { ...sources, ...err.sources };
    }
  }
  if (seen.size > 0) throw new PipelineInputError([...seen.values()], sources);
  return { memory: most, plans };
}
