/**
 * Before the trials run: the shared stages run once into `<sweep>/shared`, then each
 * trial's folder gets a copy of their artifacts and records plus their lock entries, so
 * the trial's own run finds them cached (verified by hash) instead of running them again.
 */
import { existsSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { executeRun, type RunManifest } from '../engine/run/execute.ts';
import { LOCK_VERSION, lockFromRun, readLock, writeLock, type Lockfile } from '../engine/record/lock.ts';
import type { Plan } from '../engine/plan/plan.ts';
import type { EngineEvent } from '../engine/run/stream.ts';
import { subPlan } from './shared.ts';

/** A trial's folder keeps its own lock here, as any `--set` run does. */
const TRIAL_LOCK = 'rxlab.lock.json';

/** Runs (or reuses) the shared stages; the lock is returned only when the run completed. */
export async function runShared(
  plan: Plan,
  ids: string[],
  dir: string,
  signal: AbortSignal,
  onEvent: (e: EngineEvent) => void,
): Promise<{ manifest: RunManifest; lock?: Lockfile }> {
  const sub = subPlan(plan, ids);
  const lockFile = join(dir, TRIAL_LOCK);
  const previous = await readLock(lockFile);
  const manifest = await executeRun(sub, { outDir: dir, signal, onEvent, cache: { lock: previous } });
  if (manifest.status !== 'completed') return { manifest };
  const lock = await lockFromRun(sub, manifest, dir, previous);
  await writeLock(lockFile, lock);
  return { manifest, lock };
}

/** Copies the shared stages into a trial's folder and records them in its lock (keeping what the trial recorded itself). */
export async function seedTrial(trialDir: string, sharedDir: string, shared: Lockfile): Promise<void> {
  for (const id of Object.keys(shared.stages)) {
    await cp(join(sharedDir, id), join(trialDir, id), { recursive: true, force: true });
    const records = join(sharedDir, '.rxlab', id);
    if (existsSync(records)) await cp(records, join(trialDir, '.rxlab', id), { recursive: true, force: true });
  }
  const lockFile = join(trialDir, TRIAL_LOCK);
  const own = (await readLock(lockFile)) ?? { lockVersion: LOCK_VERSION, pipeline: shared.pipeline, stages: {} };
  await writeLock(lockFile, { ...own, stages: { ...own.stages, ...shared.stages } });
}
