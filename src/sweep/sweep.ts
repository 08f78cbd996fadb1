/**
 * A sweep: every combination of a grid (`--grid stage.param=v1,v2 …`, or the file's
 * `sweep:` block) as its own trial. Stages no swept param reaches run once and are shared;
 * trials run in up to `jobs` long-lived worker processes, each running trial after trial
 * (trials.ts); a failed trial is reported and the others finish (unless `failFast`).
 * Running the same sweep again reuses what finished.
 */
import { availableParallelism } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import type { StageResolver } from '../contract/resolve.ts';
import { EnvironmentError, PipelineInputError, acquireRunLock, claimTarget, defaultMaxMemory, loadAndPlan, pipelineSpace, type Diagnostic } from '../engine/index.ts';
import { hashValue } from '../util/canonical.ts';
import { shown } from '../util/paths.ts';
import { expandGrid, fileGrid, parseGridArg, SweepSpecError, type Grid } from './grid.ts';
import { runShared, seedTrial } from './prepare.ts';
import { sharedStages } from './shared.ts';
import { summarise, writeSummary, type SweepSummary } from './summary.ts';
import { TrialPool } from './trials.ts';

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
  /** The sweep's folder; default `outputs/<name>/sweeps/<hash of the grid>`. */
  out?: string;
  signal: AbortSignal;
  /** A line for the user: what runs, a trial started, finished or failed. */
  report: (text: string) => void;
}

export interface SweepResult {
  dir: string;
  summary?: SweepSummary;
  /** Why the sweep stopped before its trials, when it did (the shared stages failed). */
  error?: string;
}

export async function runSweep(file: string, options: SweepOptions): Promise<SweepResult> {
  const { resolve, report } = options;
  const base = options.set ?? [];
  const plan = await loadAndPlan(file, { resolve, set: base, maxMemory: options.maxMemory });
  const { pipeline } = plan;
  const grid: Grid | undefined = options.grid.length > 0 ? Object.fromEntries(options.grid.map(parseGridArg)) : pipeline.sweep && fileGrid(pipeline.sweep.grid, file);
  if (!grid) throw new SweepSpecError(`nothing to sweep: give --grid STAGE.PARAM=V1,V2,… or add a sweep: block to ${file}`);
  const random = options.random ?? pipeline.sweep?.random;
  const seed = options.seed ?? pipeline.sweep?.seed ?? 0;
  const trials = expandGrid(grid, { random, seed }).map((t) => ({ ...t, overrides: [...base, ...t.overrides] }));
  const jobs = jobsFor(options, report);
  if (options.out !== undefined && options.out.trim() === '') {
    throw new EnvironmentError('--out is empty (an unset variable?); give it a folder, or leave it out to write to outputs/<pipeline name>/sweeps; nothing was run', 2);
  }
  const space = pipelineSpace(pipeline);
  const dir = options.out !== undefined ? resolvePath(options.out) : join(space, 'sweeps', hashValue({ grid, random, seed, ...(base.length ? { base } : {}) }).slice(0, 10));
  await claimTarget({ outDir: dir, ...(options.out === undefined ? { space } : {}) }, pipeline);
  // The sweep writes its summary and seeds its trials' folders: one sweep at a time per folder.
  const release = await acquireRunLock(dir);
  let pool: TrialPool | undefined;
  try {
    const memory = await checkTrials(file, resolve, trials.map((t) => t.overrides), options.grid.length > 0 ? '--grid' : `${file} sweep.grid:`, options.maxMemory);
    const running = Math.min(jobs, trials.length, byMemory(memory, options.maxMemory ?? defaultMaxMemory(), jobs, report));
    // The workers start now: their start overlaps running the shared stages.
    pool = new TrialPool(running);
    const shared = sharedStages(plan, new Set(Object.keys(grid).map((k) => k.split('.')[0])));
    report(`sweep ${pipeline.name}: ${trials.length} trials, ${running} at a time, in ${shown(dir)}`);
    report(shared.length ? `shared by every trial (run once): ${shared.join(', ')}` : 'no stage is shared: every stage depends on a swept param');

    const sharedDir = join(dir, 'shared');
    if (shared.length > 0) {
      const { manifest, lock } = await runShared(file, resolve, base, shared, sharedDir, options.signal, (e) => {
        if (e.type === 'stage-cached' || e.type === 'stage-done') report(`shared ${e.stage}: ${e.type === 'stage-cached' ? 'cached' : 'done'}`);
      });
      if (!lock) return { dir, error: `the shared stages did not complete (${manifest.status}): ${manifest.error}` };
      for (const trial of trials) await seedTrial(join(dir, trial.id), sharedDir, lock, pipeline.file);
    }
    const outcomes = await pool.run(trials, { file, dirOf: (t) => join(dir, t.id), failFast: options.failFast, signal: options.signal, report });
    const { summary, losses } = await summarise(pipeline.name, grid, shared, outcomes);
    await writeSummary(dir, summary, losses);
    return { dir, summary };
  } finally {
    await pool?.close();
    await release();
  }
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
 * once) before anything runs; returns the most memory one trial needs. The loader places a
 * bad value at the `--set` that gave it; here the values came from `source` (`--grid`, or
 * the file's sweep block), which is named instead.
 */
async function checkTrials(file: string, resolve: StageResolver, overrideSets: string[][], source: string, maxMemory: number | undefined): Promise<number> {
  const seen = new Map<string, Diagnostic>();
  let sources = {};
  let most = 0;
  for (const set of overrideSets) {
    try {
      most = Math.max(most, (await loadAndPlan(file, { resolve, set, maxMemory })).memory ?? 0);
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
  return most;
}
