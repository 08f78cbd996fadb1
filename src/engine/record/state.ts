/**
 * What a stage produced besides its artifacts, kept so that a cached stage can feed its
 * consumers without running: its finished output values, as canonical JSON in
 * `<outDir>/.rxlab/<stage>/outputs.json` (each hashed in the lock). They live apart from
 * the artifacts, which stay the only files in a stage's folder. Live streams are not
 * recorded: a stage and its live consumers always run together or are reused together.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from '../../util/canonical.ts';
import { writeAtomic } from './write.ts';

const outputsFile = (outDir: string, stageId: string): string => join(stateDir(outDir, stageId), 'outputs.json');
const stateDir = (outDir: string, stageId: string): string => join(outDir, '.rxlab', stageId);

/** Records a finished stage's output values (atomically). */
export async function writeOutputs(outDir: string, stageId: string, outputs: Record<string, unknown>): Promise<void> {
  await writeAtomic(outputsFile(outDir, stageId), canonicalJson(outputs));
}

/** What `writeOutputs` recorded for a stage; undefined when it is missing or not a JSON object. */
export async function readOutputs(outDir: string, stageId: string): Promise<Record<string, unknown> | undefined> {
  try {
    const value = JSON.parse(await readFile(outputsFile(outDir, stageId), 'utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    // Missing or not JSON: either way nothing usable is recorded, and the stage runs.
    return undefined;
  }
}

/** Forgets a stage's recorded values; called as it starts, so a stage that does not finish leaves none. */
export async function clearOutputs(outDir: string, stageId: string): Promise<void> {
  await rm(stateDir(outDir, stageId), { recursive: true, force: true });
}
