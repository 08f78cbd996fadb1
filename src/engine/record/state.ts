/**
 * What a stage produced besides its artifacts, kept so that a cached stage can feed its
 * consumers without running, and what made it. In `<outDir>/.rxlab/<stage>/`:
 *
 * - `output-<name>.json`: each finished output value as canonical JSON, so its sha256 is
 *   the value's hash the lock records (verified without parsing it);
 * - `record.json`, written last (a stage without one did not finish): the metrics it
 *   measured and what computed it — rxlab's own code (a hash of it) and the versions of
 *   the packages the stage declares. The cache reuses a stage only when the code running
 *   now is that code.
 *
 * They live apart from the artifacts, which stay the only files in a stage's folder. Live
 * streams are not recorded: a stage and its live consumers always run together or are
 * reused together.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from '../../util/canonical.ts';
import { UnreadableFileError, hashRegularFile, readRegularFile } from '../../util/read-file.ts';
import { STATE_DIR } from './folder.ts';
import { writeAtomic } from './write.ts';

/** What computed a stage's results, besides its params and inputs: rxlab's code and the packages the stage declares. */
export interface MadeWith {
  /** sha256 of the rxlab code that ran (src/code-identity.ts). */
  rxlab: string;
  /** Package name → installed version, for the packages the stage declares. */
  packages: Record<string, string>;
}

/** A finished stage's record. */
export interface StageRecordFile {
  madeWith: MadeWith;
  metrics: Record<string, number>;
}

/** Why something recorded cannot be used: missing, or damaged (and how). */
export type StateProblem = { missing: true } | { damaged: string };

/** A record is a few hundred bytes; an output value can be hundreds of megabytes (a dataset of millions of rows), but not unbounded. */
const MAX_RECORD_BYTES = 1024 * 1024;
const MAX_OUTPUT_BYTES = 1024 * 1024 * 1024;

const stateDir = (outDir: string, stageId: string): string => join(outDir, STATE_DIR, stageId);
/** Where a stage's record is, for messages. */
export const recordFile = (outDir: string, stageId: string): string => join(stateDir(outDir, stageId), 'record.json');
/** Output names come from a stage's definition: encoded, so that no name can make a path. */
const outputFile = (outDir: string, stageId: string, name: string): string => join(stateDir(outDir, stageId), `output-${encodeURIComponent(name)}.json`);

/** Records an output value, given as its canonical JSON text in parts (see util/canonical.ts); returns its sha256, the value's hash. */
export const writeOutput = (outDir: string, stageId: string, name: string, canonicalParts: readonly string[], signal?: AbortSignal): Promise<string> =>
  writeAtomic(outputFile(outDir, stageId, name), canonicalParts, signal);

/** Records that a stage finished, with its metrics and what computed it: written after its outputs. */
export async function writeRecord(outDir: string, stageId: string, record: StageRecordFile): Promise<void> {
  await writeAtomic(recordFile(outDir, stageId), `${JSON.stringify(record)}\n`);
}

/** A stage's record, or why there is no usable one. */
export async function readRecord(outDir: string, stageId: string): Promise<StageRecordFile | StateProblem> {
  let text: string;
  try {
    text = (await readRegularFile(recordFile(outDir, stageId), { maxBytes: MAX_RECORD_BYTES, noFollow: true })).toString('utf8');
  } catch (err) {
    if (!(err instanceof UnreadableFileError)) throw err;
    return err.reason === 'missing' ? { missing: true } : { damaged: err.why };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { damaged: 'not JSON' };
  }
  return isRecordFile(value) ? value : { damaged: 'not a stage record' };
}

/** The sha256 of a recorded output's file (the hash of its value), or why it cannot be had. */
export async function outputHash(outDir: string, stageId: string, name: string): Promise<string | StateProblem> {
  try {
    return (await hashRegularFile(outputFile(outDir, stageId, name), { noFollow: true })).sha256;
  } catch (err) {
    if (!(err instanceof UnreadableFileError)) throw err;
    return err.reason === 'missing' ? { missing: true } : { damaged: err.why };
  }
}

/** A recorded output value, read back only if its bytes still hash as `expected`; undefined otherwise. */
export async function readOutput(outDir: string, stageId: string, name: string, expected: string): Promise<{ value: unknown } | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readRegularFile(outputFile(outDir, stageId, name), { maxBytes: MAX_OUTPUT_BYTES, noFollow: true });
  } catch (err) {
    if (err instanceof UnreadableFileError) return undefined;
    throw err;
  }
  if (sha256(bytes) !== expected) return undefined;
  try {
    return { value: JSON.parse(bytes.toString('utf8')) as unknown };
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isRecordFile(value: unknown): value is StageRecordFile {
  if (!isObject(value) || !isObject(value.metrics) || !isObject(value.madeWith)) return false;
  const { rxlab, packages } = value.madeWith;
  return (
    typeof rxlab === 'string' &&
    isObject(packages) &&
    Object.values(packages).every((v) => typeof v === 'string') &&
    Object.values(value.metrics).every((v) => typeof v === 'number')
  );
}

/** Forgets a stage's record and outputs; called as it starts, so a stage that does not finish leaves none. */
export async function clearState(outDir: string, stageId: string): Promise<void> {
  await rm(stateDir(outDir, stageId), { recursive: true, force: true });
}
