/**
 * Where a run writes and which lock it keeps. A run of the pipeline as committed writes
 * to outputs/<name> and records itself in the committed lock (`pipelines/<file>.lock.json`).
 * A run with `--set` is another experiment: it writes to outputs/<name>/sets/<hash of its
 * overrides>/ and keeps its own lock there, so repeating it is cached too, and the
 * committed lock is left alone — unless `--update-lock` makes it the committed run.
 */
import { join, resolve } from 'node:path';
import { hashValue } from '../../util/canonical.ts';
import { lockPathFor } from './lock.ts';
import { parseOverrides } from '../load/overrides.ts';
import type { PipelineSpec } from '../load/pipeline.ts';

export interface Target {
  /** Absolute. */
  outDir: string;
  /** The lock this run compares with and updates. */
  lockFile: string;
  /** The lock committed beside the pipeline file (what `check` and `--frozen` compare with). */
  committedLock: string;
}

export interface TargetArgs {
  out?: string;
  set: readonly string[];
  updateLock: boolean;
}

export function runTarget(pipeline: PipelineSpec, args: TargetArgs): Target {
  const committedLock = lockPathFor(pipeline.file);
  const asCommitted = args.set.length === 0 || args.updateLock;
  const outDir = resolve(args.out ?? (asCommitted ? join('outputs', pipeline.name) : join('outputs', pipeline.name, 'sets', overridesHash(args.set))));
  return { outDir, lockFile: asCommitted ? committedLock : join(outDir, 'rxlab.lock.json'), committedLock };
}

/**
 * A short hash of what the overrides set, sorted by param (a later --set of the same param
 * wins, as in the loader): the same overrides, in any order, share one folder.
 */
export function overridesHash(sets: readonly string[]): string {
  const { overrides } = parseOverrides(sets);
  return hashValue(Object.fromEntries(overrides.map((o) => [[o.stageId, ...o.param].join('.'), o.value]))).slice(0, 10);
}
