/**
 * Before the trials run: the shared stages run once into `<sweep>/shared`, then each
 * trial's folder gets a copy of their artifacts and records plus their lock entries, so
 * the trial's own run finds them cached (verified by hash) instead of running them again.
 */
import { join } from 'node:path';
import type { StageResolver } from '../contract/resolve.ts';
import { FOLDER_LOCK, claimFolder, readLock, runPipeline, writeLock, type EngineEvent, type Lockfile, type RunManifest } from '../engine/index.ts';
import { copyStage } from '../exp/apply.ts';

/** Runs (or reuses) the shared stages into `dir`; the lock is returned only when the run completed. */
export async function runShared(
  file: string,
  resolve: StageResolver,
  set: readonly string[],
  ids: string[],
  dir: string,
  signal: AbortSignal,
  onEvent: (e: EngineEvent) => void,
): Promise<{ manifest: RunManifest; lock?: Lockfile }> {
  const { manifest, lock } = await runPipeline(file, { resolve, set, only: ids, out: dir, lockFile: join(dir, FOLDER_LOCK), signal, onEvent });
  return { manifest, lock };
}

/** Copies the shared stages into a trial's folder and records them in its lock (keeping what the trial recorded itself). */
export async function seedTrial(trialDir: string, sharedDir: string, shared: Lockfile, pipelineFile: string): Promise<void> {
  await claimFolder(trialDir, { pipeline: pipelineFile });
  for (const id of Object.keys(shared.stages)) await copyStage(sharedDir, trialDir, id);
  const lockFile = join(trialDir, FOLDER_LOCK);
  const own = (await readLock(lockFile)) ?? { lockVersion: shared.lockVersion, pipeline: shared.pipeline, stages: {} };
  await writeLock(lockFile, { ...own, stages: { ...own.stages, ...shared.stages } });
}
