/**
 * The lock file, `pipelines/<name>.lock.json`, committed beside the pipeline: per stage,
 * what a completed run used (its identity and input hashes) and what it produced (the
 * sha256 of every artifact, the hash of every output value, and the parsed content of
 * small JSON artifacts, so that `check` can say how far numbers moved on a clone where
 * outputs/ does not exist). Nothing in it depends on time or place: two runs that
 * reproduce write the same bytes.
 */
import { basename, dirname, join } from 'node:path';
import { canonicalJson } from '../../util/canonical.ts';
import { UnreadableFileError, readRegularFile } from '../../util/read-file.ts';
import { PipelineInputError } from '../errors.ts';
import { parseYaml } from '../load/yaml-document.ts';
import { locate } from '../load/yaml-locate.ts';
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

/** Locks are text of at most a few megabytes (small JSON artifacts, hashes); anything larger is not one. */
const MAX_LOCK_BYTES = 64 * 1024 * 1024;

/**
 * Reads a lock; undefined when there is none. A lock that cannot be read, or is not a
 * whole lock (hand-edited, merged badly, cut short), is an input error (exit 2) naming
 * the file, the place in it and how to recover — never a crash further on.
 */
export async function readLock(file: string): Promise<Lockfile | undefined> {
  const fix = 'restore it from git, or delete it and run `rxlab run` to record a new one';
  const invalid = (what: string, source?: string, path: string[] = []): never => {
    const place = source !== undefined && path.length > 0 ? locateIn(source, file, path) : { line: 0, col: 0 };
    throw new PipelineInputError([{ file, ...place, path: path.join('.'), message: `${what}; ${fix}` }], source !== undefined && place.line > 0 ? { [file]: source } : {});
  };
  let text: string;
  try {
    text = (await readRegularFile(file, { maxBytes: MAX_LOCK_BYTES })).toString('utf8');
  } catch (err) {
    if (!(err instanceof UnreadableFileError)) throw err;
    if (err.reason === 'missing') return undefined;
    return invalid(err.reason === 'denied' ? 'cannot read the lock file: permission denied' : `the lock file ${err.why}`);
  }
  let lock: unknown;
  try {
    lock = JSON.parse(text);
  } catch (err) {
    return invalid(`not a lock file: ${(err as Error).message}`);
  }
  if (typeof lock !== 'object' || lock === null || Array.isArray(lock) || typeof (lock as Lockfile).stages !== 'object' || (lock as Lockfile).stages === null) {
    return invalid('not a lock file: expected an object with "stages"');
  }
  if ((lock as Lockfile).lockVersion !== LOCK_VERSION) {
    return invalid(`lock format ${String((lock as Lockfile).lockVersion)} is not the one this rxlab reads (${LOCK_VERSION})`);
  }
  const problem = lockProblem(lock as Record<string, unknown>);
  if (problem) return invalid(`damaged lock: ${problem.message}`, text, problem.path);
  return lock as Lockfile;
}

/** The place of `path` in the lock's text (JSON is YAML: the pipeline file's locator finds it); the top of the file if it cannot. */
function locateIn(text: string, file: string, path: string[]): { line: number; col: number } {
  const parsed = parseYaml(text, file);
  return parsed.ok ? locate(parsed.yaml, path, 'value') : { line: 0, col: 0 };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a map' : JSON.stringify(v) ?? String(v));

/** The first thing in a parsed lock that is not as rxlab writes it, with its path; undefined when it is whole. */
export function lockProblem(lock: Record<string, unknown>): { path: string[]; message: string } | undefined {
  if (typeof lock.pipeline !== 'string') return { path: ['pipeline'], message: `expected the pipeline's name, found ${show(lock.pipeline)}` };
  const stages = lock.stages;
  if (!isObject(stages)) return { path: ['stages'], message: `expected a map of stages, found ${show(stages)}` };
  for (const [id, entry] of Object.entries(stages)) {
    const at = ['stages', id];
    if (!isObject(entry)) return { path: at, message: `expected a stage entry, found ${show(entry)}` };
    for (const field of ['uses', 'code', 'paramsHash'] as const) {
      if (typeof entry[field] !== 'string') return { path: [...at, field], message: `expected a string, found ${entry[field] === undefined ? 'nothing' : show(entry[field])}` };
    }
    if (!isObject(entry.params)) return { path: [...at, 'params'], message: `expected the params as a map, found ${entry.params === undefined ? 'nothing' : show(entry.params)}` };
    if (!isObject(entry.values)) return { path: [...at, 'values'], message: `expected a map of artifact contents, found ${entry.values === undefined ? 'nothing' : show(entry.values)}` };
    const maps: [string, string, (v: unknown) => boolean, boolean][] = [
      ['inputs', 'input names to hashes', (v) => typeof v === 'string', true],
      ['outputs', 'output names to hashes', (v) => typeof v === 'string', true],
      ['artifacts', 'artifact file names to sha256 hashes', (v) => typeof v === 'string', true],
      ['metrics', 'metric names to numbers', (v) => typeof v === 'number' && Number.isFinite(v), true],
      ['files', 'file paths to sha256 hashes', (v) => typeof v === 'string', false],
      ['imports', 'module paths to sha256 hashes', (v) => typeof v === 'string', false],
    ];
    for (const [field, what, ok, required] of maps) {
      const map = entry[field];
      if (map === undefined && !required) continue;
      if (!isObject(map)) return { path: [...at, field], message: `expected a map of ${what}, found ${map === undefined ? 'nothing' : show(map)}` };
      for (const [key, value] of Object.entries(map)) {
        if (!ok(value)) return { path: [...at, field, key], message: `expected ${field === 'metrics' ? 'a finite number' : 'a hash'}, found ${show(value)}` };
      }
    }
    for (const name of Object.keys(entry.artifacts as Record<string, unknown>)) {
      // The cache reads artifacts by these names: none may lead out of the stage's folder.
      if (name === '' || /[/\\\0]/.test(name) || name.startsWith('.')) return { path: [...at, 'artifacts', name], message: 'an artifact name is a plain file name' };
    }
  }
  return undefined;
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
    const { uses, code, imports, paramsHash, files, inputs, outputs, artifacts, status, metrics } = manifest.stages[spec.id];
    if (code === undefined || paramsHash === undefined || !inputs || !outputs) throw new Error(`stage "${spec.id}" did not finish; a lock is only written after a completed run`);
    const written = status === 'cached' ? (previous?.stages[spec.id]?.values ?? {}) : (values.get(spec.id) ?? {});
    stages[spec.id] = {
      uses,
      code,
      ...(imports ? { imports } : {}),
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
