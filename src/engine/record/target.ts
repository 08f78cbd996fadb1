/**
 * Where a run writes and which lock it keeps.
 *
 * Outputs are anchored at the project root — the nearest folder above the pipeline file
 * holding a package.json or .git — never at the working directory, so running from
 * another folder finds the same outputs. A pipeline's space is `outputs/<name>/`: the run
 * of the pipeline as committed writes its stage folders and run.json there and records
 * itself in the committed lock (`pipelines/<file>.lock.json`). A run with `--set` is
 * another experiment, with a folder of its own under `runs/`, named after what it set
 * (`runs/lr=0.1,seed=1/`, or `--name`), keeping its own lock there so repeating it is
 * cached too; the committed lock is left alone unless `--update-lock` makes it the
 * committed run. Sweeps live under `sweeps/`. Stage ids cannot be `runs` or `sweeps`.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { hashValue } from '../../util/canonical.ts';
import { EnvironmentError } from '../errors.ts';
import type { Override } from '../load/overrides.ts';
import type { PipelineSpec } from '../load/pipeline.ts';
import { lockPathFor } from './lock.ts';

/** A folder's own lock, for a run that is not the committed one. */
export const FOLDER_LOCK = 'rxlab.lock.json';

export interface Target {
  /** Absolute. */
  outDir: string;
  /** The lock this run compares with and updates. */
  lockFile: string;
  /** The lock committed beside the pipeline file (what `check` and `--frozen` compare with). */
  committedLock: string;
  /** The run's name: `base` for the pipeline as committed, else what it set (`lr=0.1,seed=1`) or `--name`. */
  name: string;
  /**
   * The pipeline's space (`outputs/<name>`) when the run writes in it or under it (not
   * with `--out`): rxlab claims it for this pipeline file before the run's own folder.
   */
  space?: string;
}

export interface TargetOptions {
  /** A folder of the user's choosing (relative to the working directory). */
  out?: string;
  /** Names a `--set` run instead of its overrides. */
  name?: string;
  /** Record a `--set` run in the committed lock, in the pipeline's own folder. */
  updateLock?: boolean;
}

/** The nearest folder at or above `dir` with a package.json or .git; `dir` itself when there is none. */
export function projectRoot(dir: string): string {
  for (let at = resolve(dir); ; at = dirname(at)) {
    if (existsSync(join(at, 'package.json')) || existsSync(join(at, '.git'))) return at;
    if (dirname(at) === at) return resolve(dir);
  }
}

/** `outputs/<name>` under the project root of `pipeline`. */
export const pipelineSpace = (pipeline: PipelineSpec): string => join(projectRoot(pipeline.dir), 'outputs', pipeline.name);

export function runTarget(pipeline: PipelineSpec, options: TargetOptions = {}): Target {
  const committedLock = lockPathFor(pipeline.file);
  const asCommitted = pipeline.overrides.length === 0 || Boolean(options.updateLock);
  const name = asCommitted ? (options.name ?? 'base') : (options.name ?? runName(pipeline.overrides));
  const space = pipelineSpace(pipeline);
  if (options.out !== undefined && options.out.trim() === '') {
    // An unset shell variable (`--out "$DIR"`) must not mean the working directory.
    throw new EnvironmentError('--out is empty (an unset variable?); give it a folder, or leave it out to write to outputs/<pipeline name>; nothing was run', 2);
  }
  const outDir = options.out !== undefined ? resolve(options.out) : asCommitted ? space : join(space, 'runs', folderName(name));
  return { outDir, lockFile: asCommitted ? committedLock : join(outDir, FOLDER_LOCK), committedLock, name, ...(options.out === undefined ? { space } : {}) };
}

/**
 * A readable name for what overrides set: `lr=0.1,seed=1`. Each param is named by the
 * shortest end of its path that tells it apart from the others (`optimizer.lr`,
 * `train.lr`); a later override of the same param wins, as in the loader.
 */
export function runName(overrides: readonly Override[]): string {
  const last = new Map(overrides.map((o) => [[o.stageId, ...o.param].join('.'), o.value]));
  const paths = [...last.keys()].sort().map((p) => p.split('.'));
  const label = (path: string[]): string => {
    for (let n = 1; n <= path.length; n++) {
      const end = path.slice(-n).join('.');
      if (paths.filter((p) => p.slice(-n).join('.') === end).length === 1) return end;
    }
    return path.join('.');
  };
  return paths.map((path) => `${label(path)}=${showValue(last.get(path.join('.')))}`).join(',');
}

const showValue = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** A run name as a folder name: path separators and control characters replaced; a long name cut, with a hash to keep it unique. */
function folderName(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const safe = name.replace(/[/\\\0-\x1f]/g, '_').replace(/^\.+/, '_');
  return safe.length <= 80 ? safe : `${safe.slice(0, 64)}…${hashValue(name).slice(0, 8)}`;
}
