/**
 * The engine's entry points for a whole recorded run, used by `rxlab run`, `check`,
 * sweeps (shared stages and every trial) and the tests alike:
 *
 * - `runPipeline(file, options)`: load → plan → hold the output folder's run lock → read
 *   its lock → run with the cache → build the new lock from what the run emitted → write it.
 * - `checkPipeline(file, options)`: the same run from scratch in a temporary folder, its
 *   lock compared with the committed one.
 *
 * The stages come from `options.resolve`: the engine never names one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StageResolver } from '../contract/resolve.ts';
import { canonicalJson } from '../util/canonical.ts';
import { didYouMean } from '../util/suggest.ts';
import { shown } from '../util/paths.ts';
import { EnvironmentError, PipelineInputError } from './errors.ts';
import { PartialPipelineError, loadPipeline, sortDiagnostics } from './load/load.ts';
import { planPipeline, referenceDiagnostics, type Plan } from './plan/plan.ts';
import { preflightPlan } from './plan/preflight.ts';
import { lockFromRun, lockPathFor, readLock, writeLock, type Lockfile } from './record/lock.ts';
import type { RunManifest } from './record/manifest.ts';
import { claimFolder } from './record/folder.ts';
import { acquireRunLock } from './record/run-lock.ts';
import { runTarget, type Target, type TargetOptions } from './record/target.ts';
import { declaredChanges } from './reuse/changes.ts';
import { compareLocks, type CheckReport } from './reuse/check.ts';
import { executeRun } from './run/execute.ts';
import type { EngineEvent } from './run/stream.ts';

export interface LoadAndPlanOptions {
  resolve: StageResolver;
  /** `--set` arguments: `train.optimizer.lr=0.1`. */
  set?: readonly string[];
  /** Refuse a pipeline whose stages would need more memory than this, in bytes (`--max-memory`); default `defaultMaxMemory()`. */
  maxMemory?: number;
  /** Stops checking a pipeline that reads large files (RunInterruptedError). */
  signal?: AbortSignal;
}

export interface RunPipelineOptions extends LoadAndPlanOptions, TargetOptions {
  /** Run every stage (`all`), or these, even when they match the lock. */
  force?: 'all' | readonly string[];
  /** Refuse to run, or to write the lock, when the committed lock would change (CI). */
  frozen?: boolean;
  /** Only these stages (which must not read others): a sweep's shared stages. */
  only?: readonly string[];
  /** The lock to reuse and update instead of the target's (a sweep's shared folder keeps its own). */
  lockFile?: string;
  signal?: AbortSignal;
  onEvent?: (event: EngineEvent) => void;
  /** Called once the file is loaded and planned, before anything runs. */
  onStart?: (plan: Plan, target: Target) => void | Promise<void>;
}

/** The outcome of `runPipeline`. */
export interface PipelineRun {
  plan: Plan;
  target: Target;
  manifest: RunManifest;
  /** The lock this run produced, when it completed. */
  lock?: Lockfile;
  /** What happened to the lock file: written only after a completed run that `frozen` did not refuse. */
  lockUpdate?: 'unchanged' | 'updated' | 'written';
  /** With `frozen`: how the run differs from the committed lock, when it does (the lock was then not written). */
  drift?: CheckReport;
}

/** `--frozen` refused before running anything: the committed lock is missing, or the pipeline no longer matches it. */
export class FrozenLockError extends EnvironmentError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'FrozenLockError';
  }
}

/**
 * Loads, plans and preflights `file`: every input mistake comes out here, as one
 * PipelineInputError, before anything runs — in the file, between stages, in the data
 * files it reads, and a pipeline that would need too much memory.
 */
export async function loadAndPlan(file: string, options: LoadAndPlanOptions): Promise<Plan> {
  let plan: Plan;
  try {
    plan = planPipeline(await loadPipeline(file, { resolve: options.resolve, overrides: options.set }));
  } catch (err) {
    if (!(err instanceof PartialPipelineError)) throw err;
    // The loader's problems and the planner's together, in the order of the file.
    const references = referenceDiagnostics(err.partial, err.unchecked);
    if (references.length === 0) throw err;
    throw new PipelineInputError(sortDiagnostics(file, [...err.diagnostics, ...references], options.set ?? []), err.sources);
  }
  await preflightPlan(plan, { maxMemory: options.maxMemory, signal: options.signal });
  return plan;
}

export async function runPipeline(file: string, options: RunPipelineOptions): Promise<PipelineRun> {
  const full = await loadAndPlan(file, options);
  const plan = options.only ? subPlan(full, options.only) : full;
  const target = runTarget(plan.pipeline, options);
  const lockFile = options.lockFile ?? target.lockFile;
  const force = forcedStages(options.force ?? [], plan);
  const committed = options.frozen ? await readLock(target.committedLock) : undefined;
  if (options.frozen) frozenRefusal(plan, committed, target.committedLock);
  await claimTarget(target, plan.pipeline);
  await options.onStart?.(plan, target);

  const release = await acquireRunLock(target.outDir);
  try {
    const previous = await readLock(lockFile);
    const { manifest, values } = await executeRun(plan, {
      outDir: target.outDir,
      cache: { lock: previous, force },
      signal: options.signal,
      onEvent: options.onEvent,
    });
    if (manifest.status !== 'completed') return { plan, target, manifest };
    const lock = lockFromRun(plan, manifest, values, previous);
    if (options.frozen) {
      const drift = compareLocks(committed!, lock, { order: plan.nodes.map((n) => n.spec.id) });
      if (!drift.ok) return { plan, target, manifest, lock, drift };
    }
    return { plan, target, manifest, lock, lockUpdate: await updateLock(lockFile, previous, lock) };
  } finally {
    await release();
  }
}

export interface CheckPipelineOptions extends LoadAndPlanOptions {
  /** Compare JSON artifacts number by number within this instead of by bytes. */
  tolerance?: number;
  signal?: AbortSignal;
  onEvent?: (event: EngineEvent) => void;
  onStart?: (plan: Plan, dir: string) => void;
}

/** The outcome of `checkPipeline`: the report, when the run completed and there was a lock to compare with. */
export interface PipelineCheck {
  plan: Plan;
  lockFile: string;
  /** Undefined when there is no committed lock. */
  committed?: Lockfile;
  manifest?: RunManifest;
  report?: CheckReport;
}

/** Runs `file` from scratch (no cache) in a temporary folder and compares what it made with the committed lock. */
export async function checkPipeline(file: string, options: CheckPipelineOptions): Promise<PipelineCheck> {
  const plan = await loadAndPlan(file, options);
  const lockFile = lockPathFor(plan.pipeline.file);
  const committed = await readLock(lockFile);
  if (!committed) return { plan, lockFile };
  const dir = await mkdtemp(join(tmpdir(), 'rxlab-check-'));
  try {
    options.onStart?.(plan, dir);
    const { manifest, values } = await executeRun(plan, { outDir: dir, signal: options.signal, onEvent: options.onEvent });
    if (manifest.status !== 'completed') return { plan, lockFile, committed, manifest };
    const report = compareLocks(committed, lockFromRun(plan, manifest, values), {
      tolerance: options.tolerance,
      order: plan.nodes.map((n) => n.spec.id),
    });
    return { plan, lockFile, committed, manifest, report };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Makes sure the run may write where it is about to: its pipeline's space belongs to
 * this pipeline file (not to another one with the same name), and its own folder is one
 * rxlab made, or new, or empty (see record/folder.ts). Refuses with exit code 2 otherwise.
 */
export async function claimTarget(target: Pick<Target, 'outDir' | 'space'>, pipeline: Pick<Plan['pipeline'], 'file' | 'name'>): Promise<void> {
  const { file, name } = pipeline;
  if (target.space) await claimFolder(target.space, { pipeline: file, name, exclusive: true });
  if (target.outDir !== target.space) await claimFolder(target.outDir, { pipeline: file, name, exclusive: target.space !== undefined, within: target.space });
}

/** The plan cut down to `ids`, which must only read each other (a sweep's shared stages do). */
export function subPlan(plan: Plan, ids: readonly string[]): Plan {
  return { pipeline: plan.pipeline, nodes: plan.nodes.filter((n) => ids.includes(n.spec.id)) };
}

/** Writes the lock when its content changed (a reproducing run leaves the file untouched); says which. */
async function updateLock(file: string, previous: Lockfile | undefined, next: Lockfile): Promise<'unchanged' | 'updated' | 'written'> {
  if (previous && canonicalJson(previous) === canonicalJson(next)) return 'unchanged';
  await writeLock(file, next);
  return previous ? 'updated' : 'written';
}

/** `--force` as the cache takes it; a stage id that is not in the pipeline is refused. */
function forcedStages(force: 'all' | readonly string[], plan: Plan): 'all' | Set<string> {
  if (force === 'all') return force;
  const ids = plan.nodes.map((n) => n.spec.id);
  for (const id of force) {
    if (!ids.includes(id)) throw new EnvironmentError(`--force: no stage "${id}" in ${plan.pipeline.name}${didYouMean(id, ids)}; its stages are ${ids.join(', ')}`, 2);
  }
  return new Set(force);
}

/** Throws when `--frozen` must refuse before running anything: no lock, or a stage that is not what the lock records. */
function frozenRefusal(plan: Plan, lock: Lockfile | undefined, lockFile: string): void {
  const head = 'rxlab run --frozen:';
  if (!lock) throw new FrozenLockError(`${head} no lock file ${shown(lockFile)} to hold the run to; run \`rxlab run ${shown(plan.pipeline.file)}\` first; nothing was run`);
  const changes = declaredChanges(plan, lock);
  if (changes.length) throw new FrozenLockError([`${head} the lock ${shown(lockFile)} would change; nothing was run`, ...changes.map((c) => `  ${c.stage}: ${c.reason}`)].join('\n'));
}
