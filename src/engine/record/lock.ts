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
import type { RunManifest } from '../run/execute.ts';
import type { StageKey } from './fingerprint.ts';
import type { Plan } from '../plan/plan.ts';
import { sha256 } from '../../util/canonical.ts';
import { writeAtomic } from './write.ts';

/** The format of the lock file; bumped when an older rxlab could misread a newer lock. */
export const LOCK_VERSION = 1;

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

/**
 * The lock a completed run would write: each stage's key and output hashes as the engine
 * reported them, and the artifacts as they are in `outDir` — read back, checked against
 * the hashes the run recorded, and parsed when they are small JSON files. A stage reused
 * from `previous` keeps its entry's values: its artifacts were just verified to be the same bytes.
 */
export async function lockFromRun(plan: Plan, manifest: RunManifest, outDir: string, previous?: Lockfile): Promise<Lockfile> {
  const stages: Record<string, LockEntry> = {};
  for (const { spec } of plan.nodes) {
    const { uses, code, paramsHash, inputs, outputs, artifacts, status } = manifest.stages[spec.id];
    if (code === undefined || paramsHash === undefined || !inputs || !outputs) throw new Error(`stage "${spec.id}" did not finish; a lock is only written after a completed run`);
    const reused = status === 'cached' ? previous?.stages[spec.id]?.values : undefined;
    const values: Record<string, unknown> = {};
    for (const [name, { sha256: hash, bytes }] of Object.entries(artifacts)) {
      if (!name.endsWith('.json') || bytes > MAX_VALUES_BYTES) continue;
      if (reused && Object.hasOwn(reused, name)) {
        values[name] = reused[name];
        continue;
      }
      const content = await readFile(join(outDir, spec.id, name));
      if (sha256(content) !== hash) throw new Error(`${join(outDir, spec.id, name)} changed after the run wrote it; the lock was not written`);
      values[name] = JSON.parse(content.toString('utf8'));
    }
    stages[spec.id] = {
      uses,
      code,
      params: spec.params,
      paramsHash,
      inputs,
      outputs,
      artifacts: Object.fromEntries(Object.entries(artifacts).map(([name, a]) => [name, a.sha256])),
      values,
    };
  }
  return { lockVersion: LOCK_VERSION, pipeline: plan.pipeline.name, stages };
}
