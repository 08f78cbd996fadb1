/**
 * What `rxlab run FILE` does, from loading the file to writing the lock, as functions:
 * `runCommand` adds the display and `--frozen` around them, and a sweep's trial worker
 * calls `runIntoFolder` for each trial, so a trial run in a long-lived worker takes
 * exactly the code path of `rxlab run FILE --set … --out DIR`.
 */
import { canonicalJson } from '../util/canonical.ts';
import { executeRun, type RunManifest } from './run/execute.ts';
import { loadPipeline } from './load/load.ts';
import { lockFromRun, readLock, writeLock, type Lockfile } from './record/lock.ts';
import { planPipeline, type Plan } from './plan/plan.ts';
import type { EngineEvent } from './run/stream.ts';
import { acquireRunLock } from './record/run-lock.ts';
import { didYouMean } from '../util/suggest.ts';
import { UsageError, type ParsedArgs } from '../cli/options.ts';
import { runTarget, type Target } from './record/target.ts';

export interface PreparedRun {
  plan: Plan;
  force: 'all' | Set<string>;
  target: Target;
}

/** Loads `file` with its `--set`s, plans it, and works out where it writes and which lock it keeps. */
export async function prepareRun(file: string, args: Pick<ParsedArgs, 'set' | 'force' | 'out' | 'updateLock'>): Promise<PreparedRun> {
  const pipeline = await loadPipeline(file, { overrides: args.set });
  const plan = planPipeline(pipeline);
  return { plan, force: forcedStages(args.force, plan), target: runTarget(pipeline, args) };
}

/**
 * Runs `work` holding the outputs folder's run lock: one run at a time per folder, from
 * reading its lock to writing it, so a second run refuses (exit 1) rather than mixing
 * its files with this one's.
 */
export async function holdingRunLock<T>(outDir: string, work: () => Promise<T>): Promise<T> {
  const release = await acquireRunLock(outDir);
  try {
    return await work();
  } finally {
    await release();
  }
}

export interface RecordedRunOptions {
  /** The lock whose stages the run may reuse. */
  lock: Lockfile | undefined;
  force: 'all' | Set<string>;
  overrides: readonly string[];
  signal: AbortSignal;
  onEvent: (event: EngineEvent) => void;
}

/** Runs `plan` into `outDir` with the cache of `options.lock`; `next` is the lock that records the run, when it completed. */
export async function runRecorded(plan: Plan, outDir: string, options: RecordedRunOptions): Promise<{ manifest: RunManifest; next?: Lockfile }> {
  const { lock, force, overrides, signal, onEvent } = options;
  const manifest = await executeRun(plan, { outDir, signal, onEvent, cache: { lock, force }, overrides });
  if (manifest.status !== 'completed') return { manifest };
  return { manifest, next: await lockFromRun(plan, manifest, outDir, lock) };
}

/** Writes the lock when its content changed (a reproducing run leaves the file untouched); says which. */
export async function updateLock(file: string, previous: Lockfile | undefined, next: Lockfile): Promise<'unchanged' | 'updated' | 'written'> {
  if (previous && canonicalJson(previous) === canonicalJson(next)) return 'unchanged';
  await writeLock(file, next);
  return previous ? 'updated' : 'written';
}

export interface FolderRun {
  manifest: RunManifest;
  /** What happened to the folder's lock (only after a completed run). */
  lock?: 'unchanged' | 'updated' | 'written';
}

/**
 * `rxlab run FILE --set … --out DIR` without the display: the run, its cache and its
 * lock (`DIR/rxlab.lock.json`) exactly as the command has them. A sweep's trials.
 */
export async function runIntoFolder(
  file: string,
  options: { set: readonly string[]; out: string; signal: AbortSignal; onEvent: (event: EngineEvent) => void },
): Promise<FolderRun> {
  const { set, out, signal, onEvent } = options;
  const { plan, force, target } = await prepareRun(file, { set: [...set], out, force: [], updateLock: false });
  return holdingRunLock(target.outDir, async () => {
    const lock = await readLock(target.lockFile);
    const { manifest, next } = await runRecorded(plan, target.outDir, { lock, force, overrides: set, signal, onEvent });
    return { manifest, lock: next && (await updateLock(target.lockFile, lock, next)) };
  });
}

/** `--force` as the cache takes it; a stage id that is not in the pipeline is a usage error. */
function forcedStages(force: ParsedArgs['force'], plan: Plan): 'all' | Set<string> {
  if (force === 'all') return force;
  const ids = plan.nodes.map((n) => n.spec.id);
  for (const id of force) {
    if (!ids.includes(id)) throw new UsageError(`--force: no stage "${id}" in ${plan.pipeline.name}${didYouMean(id, ids)}; its stages are ${ids.join(', ')}`);
  }
  return new Set(force);
}
