/**
 * Making a run the pipeline as committed.
 *
 * `rxlab exp apply FILE RUN`: the run's overrides are written into the pipeline file
 * (yaml-edit.ts: comments and layout kept); should the file have changed since the run,
 * whatever else differs from the run's params is written too, so the file says what the
 * run ran. Then the file, the lock and `outputs/<name>/` are made to agree: the run's stage
 * folders are copied into the pipeline's own folder and their entries into the committed
 * lock where they differ, and the pipeline runs as committed — every copied stage is
 * verified by hash and reused, so nothing is computed again unless a copy does not match.
 *
 * `rxlab run FILE --set … --update-lock`: the run is made as the committed one, and its
 * overrides are written into the file once it completed.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { StageResolver } from '../contract/resolve.ts';
import {
  EnvironmentError,
  FOLDER_LOCK,
  loadAndPlan,
  parseOverrides,
  readLock,
  runTarget,
  writeAtomic,
  writeLock,
  type Lockfile,
  type PipelineRun,
  type Plan,
  type RunPipelineOptions,
} from '../engine/index.ts';
import { canonicalJson } from '../util/canonical.ts';
import { computedParams } from './computed.ts';
import type { RunRecord } from './history.ts';
import { recordedRun, type RecordOptions } from './record.ts';
import { editYaml, YamlEditError, type YamlEdit } from './yaml-edit.ts';

/** A param the file now gives another value: `train.optimizer.lr`, 0.01 → 0.1 (undefined: absent). */
export interface ParamChange {
  param: string;
  from?: unknown;
  to?: unknown;
}

export interface WrittenParams {
  /** Params whose resolved value changed, in stage order. */
  changes: ParamChange[];
  /** Params that still differ from the run's (a stage the file no longer has, a `${…}` title whose text changed). */
  unmatched: ParamChange[];
  /** The file had to be laid out anew (see yaml-edit.ts). */
  relaidOut: boolean;
}

type Params = Record<string, Record<string, unknown>>;
const paramsOf = (plan: Plan): Params => Object.fromEntries(plan.nodes.map((n) => [n.spec.id, n.spec.params]));

/** Leaves of a params tree as [path, value]; lists and empty maps are leaves. */
function leaves(value: unknown, path: string[] = []): [string[], unknown][] {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0) {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  }
  return [[path, value]];
}

/** Where `wanted` and `actual` differ, leaf by leaf, as `stage.param` paths. */
function differences(wanted: Params, actual: Params): { path: string[]; from?: unknown; to?: unknown }[] {
  const out: { path: string[]; from?: unknown; to?: unknown }[] = [];
  for (const stage of new Set([...Object.keys(actual), ...Object.keys(wanted)])) {
    const [w, a] = [new Map(leaves(wanted[stage] ?? {}).map(([p, v]) => [p.join('\u0000'), { p, v }])), new Map(leaves(actual[stage] ?? {}).map(([p, v]) => [p.join('\u0000'), { p, v }]))];
    for (const key of new Set([...a.keys(), ...w.keys()])) {
      const [x, y] = [a.get(key), w.get(key)];
      if (canonicalJson(x?.v ?? null) === canonicalJson(y?.v ?? null) && Boolean(x) === Boolean(y)) continue;
      out.push({ path: [stage, ...(x ?? y)!.p], ...(x ? { from: x.v } : {}), ...(y ? { to: y.v } : {}) });
    }
  }
  return out;
}

/** Loads pipeline text as if it were `file` (same folder, so `uses:` and data paths resolve the same). */
async function planText(file: string, text: string, resolve: StageResolver): Promise<Plan> {
  const temp = join(dirname(file), `.${basename(file)}.rxlab-apply-${randomBytes(4).toString('hex')}.yaml`);
  await writeFile(temp, text);
  try {
    return await loadAndPlan(temp, { resolve });
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Writes `overrides` (`--set` texts) into `file`, and, with `target`, whatever else differs
 * from those params. The file is checked with the overrides first: a bad value is reported
 * as for `--set`, and the file is left as it was.
 */
export async function writeParams(file: string, resolve: StageResolver, overrides: readonly string[], target?: Params): Promise<WrittenParams> {
  await loadAndPlan(file, { resolve, set: overrides });
  const before = await loadAndPlan(file, { resolve });
  const source = before.pipeline.source;
  const { overrides: parsedOverrides } = parseOverrides(overrides);
  const toPath = (stage: string, param: readonly string[]): string[] => ['stages', stage, 'with', ...param];
  const edits: YamlEdit[] = parsedOverrides.map((o) => ({ path: toPath(o.stageId, o.param), value: o.value }));
  let relaidOut = false;
  const edit = (text: string, list: YamlEdit[]): string => {
    try {
      const done = editYaml(text, list);
      relaidOut ||= done.relaidOut;
      return done.text;
    } catch (err) {
      if (err instanceof YamlEditError) throw new EnvironmentError(`${before.pipeline.given ?? file}: ${err.message}; edit the file by hand`, 2);
      throw err;
    }
  };
  let text = edit(source, edits);
  let after = await planText(file, text, resolve);
  let unmatched: ParamChange[] = [];
  if (target) {
    const stageIds = new Set(after.nodes.map((n) => n.spec.id));
    const computed = computedParams(text);
    const rest = differences(target, paramsOf(after)).filter((d) => stageIds.has(d.path[0]) && !computed.has(d.path.join('.')));
    if (rest.length > 0) {
      text = edit(
        text,
        rest.map((d) => ('to' in d ? { path: toPath(d.path[0], d.path.slice(1)), value: d.to } : { path: toPath(d.path[0], d.path.slice(1)), remove: true as const })),
      );
      after = await planText(file, text, resolve);
    }
    unmatched = differences(target, paramsOf(after)).map(({ path, ...d }) => ({ param: path.join('.'), ...d }));
  }
  if (text !== source) await writeAtomic(before.pipeline.file, text);
  const changes = differences(paramsOf(after), paramsOf(before)).map(({ path, ...d }) => ({ param: path.join('.'), ...d }));
  return { changes, unmatched, relaidOut };
}

/**
 * Copies the stages of the run in `fromDir` (a folder with its own lock) into the folder of
 * the pipeline as committed, and their lock entries into the committed lock, where they
 * differ from it; returns their ids. A folder without a lock gives nothing.
 */
export async function adoptStages(plan: Plan, fromDir: string): Promise<string[]> {
  const target = runTarget(plan.pipeline);
  if (fromDir === target.outDir) return [];
  const from = await readLock(join(fromDir, FOLDER_LOCK));
  if (!from) return [];
  const committed: Lockfile = (await readLock(target.committedLock)) ?? { lockVersion: from.lockVersion, pipeline: from.pipeline, stages: {} };
  const ids = plan.nodes
    .map((n) => n.spec.id)
    .filter((id) => from.stages[id] && existsSync(join(fromDir, id)) && canonicalJson(from.stages[id]) !== canonicalJson(committed.stages[id] ?? null));
  for (const id of ids) await copyStage(fromDir, target.outDir, id);
  if (ids.length > 0) await writeLock(target.committedLock, { ...committed, stages: { ...committed.stages, ...Object.fromEntries(ids.map((id) => [id, from.stages[id]])) } });
  return ids;
}

/** A stage's artifacts and its recorded output values (`.rxlab/<id>`), replacing what `toDir` had of it. */
export async function copyStage(fromDir: string, toDir: string, id: string): Promise<void> {
  for (const part of [id, join('.rxlab', id)]) {
    await rm(join(toDir, part), { recursive: true, force: true });
    if (existsSync(join(fromDir, part))) await cp(join(fromDir, part), join(toDir, part), { recursive: true });
  }
}

export interface AppliedRun extends WrittenParams {
  /** Stages copied from the run's folder. */
  adopted: string[];
  /** The run of the pipeline as committed that followed. */
  run: PipelineRun;
  /** What became of the committed lock, from before the params were written to after the run. */
  lockUpdate: 'unchanged' | 'updated' | 'written';
}

type AsCommittedOptions = Omit<RunPipelineOptions, 'set' | 'name' | 'updateLock' | 'only' | 'lockFile'>;

/** What happens before the run starts: the params written into the file, the stages copied from the run's folder into the pipeline's. */
export interface ApplyHooks {
  onWritten?: (written: WrittenParams) => void;
  onAdopted?: (stages: string[], from: string, to: string) => void;
}

/** `rxlab exp apply`: `record`'s params into `file`, its outputs into the pipeline's folder and lock, then a run as committed. */
export async function applyRun(file: string, record: RunRecord, options: AsCommittedOptions, recording: RecordOptions = {}, hooks: ApplyHooks = {}): Promise<AppliedRun> {
  if (record.status !== 'completed') {
    throw new EnvironmentError(`run ${record.id} (${record.name}) ${record.status === 'running' ? 'is still running' : record.status}; apply takes a completed run`, 2);
  }
  const lockFile = runTarget((await loadAndPlan(file, { resolve: options.resolve })).pipeline).committedLock;
  const lockBefore = await readLock(lockFile);
  const written = await writeParams(file, options.resolve, record.overrides, record.params);
  hooks.onWritten?.(written);
  const plan = await loadAndPlan(file, { resolve: options.resolve });
  const adopted = record.outDir !== undefined && options.out === undefined ? await adoptStages(plan, record.outDir) : [];
  if (adopted.length > 0) hooks.onAdopted?.(adopted, record.outDir!, runTarget(plan.pipeline).outDir);
  const run = await recordedRun(file, options, recording);
  const lockAfter = await readLock(lockFile);
  const lockUpdate = !lockBefore ? (lockAfter ? 'written' : 'unchanged') : canonicalJson(lockBefore) === canonicalJson(lockAfter ?? null) ? 'unchanged' : 'updated';
  return { ...written, adopted, run, lockUpdate };
}

/**
 * `rxlab run FILE --set … --update-lock`: the run with its overrides as the pipeline as
 * committed (its outputs in the pipeline's own folder, the committed lock updated), and,
 * once it completed, the overrides written into the file, so that file, lock and outputs
 * agree. A run that does not complete leaves the file and the lock as they were.
 */
export async function updateLockRun(
  file: string,
  overrides: readonly string[],
  options: AsCommittedOptions & { name?: string },
  recording: RecordOptions = {},
): Promise<{ run: PipelineRun; written?: WrittenParams }> {
  const run = await recordedRun(file, { ...options, set: overrides, updateLock: true }, recording);
  if (run.manifest.status !== 'completed' || run.drift) return { run };
  return { run, written: await writeParams(file, options.resolve, overrides) };
}
