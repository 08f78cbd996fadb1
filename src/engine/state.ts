/**
 * What a stage produced besides its artifacts, kept so that a cached stage can feed its
 * consumers without running: its finished output values (`outputs.json`, canonical JSON,
 * hashed per output in the lock) and the values of its live streams (`streams.json`,
 * not hashed: stream states carry wall times). Both live in `<outDir>/.rxlab/<stage>/`,
 * apart from the artifacts, which stay the only files in a stage's folder.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from './canonical.ts';
import { writeAtomic } from './record.ts';

/** What `readState` finds; a part is absent when its file is missing or unreadable. */
export interface StoredState {
  outputs?: Record<string, unknown>;
  streams?: Record<string, unknown[]>;
}

const stateDir = (outDir: string, stageId: string): string => join(outDir, '.rxlab', stageId);

/** Records a finished stage's output values and stream values (written atomically, streams only if it has any). */
export async function writeState(outDir: string, stageId: string, outputs: Record<string, unknown>, streams: Record<string, unknown[]>): Promise<void> {
  const dir = stateDir(outDir, stageId);
  await writeAtomic(join(dir, 'outputs.json'), canonicalJson(outputs));
  if (Object.keys(streams).length > 0) await writeAtomic(join(dir, 'streams.json'), JSON.stringify(streams));
}

/** Reads what `writeState` recorded for a stage. */
export async function readState(outDir: string, stageId: string): Promise<StoredState> {
  const dir = stateDir(outDir, stageId);
  return { outputs: await readJson(join(dir, 'outputs.json')), streams: await readJson(join(dir, 'streams.json')) };
}

/** Forgets a stage's recorded values; called as it starts, so a stage that does not finish leaves none. */
export async function clearState(outDir: string, stageId: string): Promise<void> {
  await rm(stateDir(outDir, stageId), { recursive: true, force: true });
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as T) : undefined;
  } catch {
    // Missing or not JSON: either way nothing usable is recorded, and the stage runs.
    return undefined;
  }
}
