/**
 * The lock file, `pipelines/<name>.lock.json`, committed beside the pipeline: per stage,
 * what a completed run used (its identity and input hashes) and what it produced (the
 * sha256 of every artifact, the hash of every output value, and the parsed content of
 * small JSON artifacts, so that `check` can say how far numbers moved on a clone where
 * outputs/ does not exist). Nothing in it depends on time or place: two runs that
 * reproduce write the same bytes.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { canonicalJson } from '../../util/canonical.ts';
import { PipelineInputError } from '../errors.ts';
import type { Plan } from '../plan/plan.ts';
import type { StageKey } from './fingerprint.ts';
import type { RunManifest } from './manifest.ts';
import { writeAtomic } from './write.ts';

/** The format of the lock file; bumped when an older rxlab could misread a newer lock. */
export const LOCK_VERSION = 2;

/** JSON artifacts up to this size keep their content in the lock. */
export const MAX_VALUES_BYTES = 64 * 1024;

/** What the lock records about one stage. */
export interface LockEntry extends StageKey {
  /** The resolved params themselves, so a change can be shown (`optimizer.lr 0.01 → 0.1`). */
  params: Record<string, unknown>;
  /** Output name → hash of its value (canonical JSON). */
  outputs: Record<string, string>;
  /** Artifact file name → sha256 of its bytes. */
  artifacts: Record<string, string>;
  /** Artifact file name → parsed content, for `.json` artifacts of at most MAX_VALUES_BYTES. */
  values: Record<string, unknown>;
  /** Its metrics, by name. */
  metrics: Record<string, number>;
}

export interface Lockfile {
  lockVersion: number;
  pipeline: string;
  stages: Record<string, LockEntry>;
}

/** `dir/perceptron.yaml` → `dir/perceptron.lock.json`. */
export const lockPathFor = (pipelineFile: string): string =>
  join(dirname(pipelineFile), `${basename(pipelineFile).replace(/\.ya?ml$/i, '')}.lock.json`);

/** Reads a lock; undefined when there is none. A lock that cannot be read is an input error (exit 2). */
export async function readLock(file: string): Promise<Lockfile | undefined> {
  const invalid = (what: string): never => {
    const fix = 'restore it from git, or delete it and run `rxlab run` to record a new one';
    throw new PipelineInputError([{ file, line: 0, col: 0, path: '', message: `${what}; ${fix}` }]);
  };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    if (code === 'ENOENT') return undefined;
    return invalid(`cannot read the lock file (${code ?? message})`);
  }
  let lock: Partial<Lockfile>;
  try {
    lock = JSON.parse(text) as Partial<Lockfile>;
  } catch (err) {
    return invalid(`not a lock file: ${(err as Error).message}`);
  }
  if (typeof lock !== 'object' || lock === null || typeof lock.stages !== 'object' || lock.stages === null) {
    return invalid('not a lock file: expected an object with "stages"');
  }
  if (lock.lockVersion !== LOCK_VERSION) {
    return invalid(`lock format ${String(lock.lockVersion)} is not the one this rxlab reads (${LOCK_VERSION})`);
  }
  return lock as Lockfile;
}

/** Writes a lock atomically, in canonical order, indented to the level of each stage's fields. */
export async function writeLock(file: string, lock: Lockfile): Promise<void> {
  await writeAtomic(file, `${canonicalJson(lock, 4)}\n`);
}

/** Whether an artifact's content is kept in the lock: small JSON files, so `check` can say which number moved. */
export const keepsValues = (name: string, bytes: number): boolean => name.endsWith('.json') && bytes <= MAX_VALUES_BYTES;

/**
 * The lock a completed run writes: each stage's key, output hashes, artifacts and metrics as
 * the run reported them, with the content of its small JSON artifacts as the run wrote
 * them (`values`: stage id → artifact name → parsed content). A stage reused from
 * `previous` keeps that entry's values: its artifacts were verified to be the same bytes.
 */
export function lockFromRun(plan: Plan, manifest: RunManifest, values: ReadonlyMap<string, Record<string, unknown>>, previous?: Lockfile): Lockfile {
  const stages: Record<string, LockEntry> = {};
  for (const { spec } of plan.nodes) {
    const { uses, code, paramsHash, files, inputs, outputs, artifacts, status, metrics } = manifest.stages[spec.id];
    if (code === undefined || paramsHash === undefined || !inputs || !outputs) throw new Error(`stage "${spec.id}" did not finish; a lock is only written after a completed run`);
    const written = status === 'cached' ? (previous?.stages[spec.id]?.values ?? {}) : (values.get(spec.id) ?? {});
    stages[spec.id] = {
      uses,
      code,
      params: spec.params,
      paramsHash,
      ...(files ? { files } : {}),
      inputs,
      outputs,
      artifacts: Object.fromEntries(Object.entries(artifacts).map(([name, a]) => [name, a.sha256])),
      values: Object.fromEntries(Object.entries(artifacts).flatMap(([name, a]) => (keepsValues(name, a.bytes) && Object.hasOwn(written, name) ? [[name, written[name]]] : []))),
      metrics,
    };
  }
  return { lockVersion: LOCK_VERSION, pipeline: plan.pipeline.name, stages };
}
