/**
 * Why a stage would run again, as a sentence. The questions are asked cheapest first —
 * is it in the lock, is it the same stage, the same code, the same params, the same
 * inputs — and the first answer is the reason (`params changed: optimizer.lr 0.01 → 0.1`).
 * The run's cache, `status` and `--frozen` all ask them here, so they agree.
 */
import { MISSING_FILE, stageIdentity, type StageIdentity } from '../record/fingerprint.ts';
import type { LockEntry, Lockfile } from '../record/lock.ts';
import type { MadeWith } from '../record/state.ts';
import type { Edge, Plan } from '../plan/plan.ts';

/** Changes to what a stage is (never run, other stage, code, params), before looking at its inputs. */
export function declaredChange(entry: LockEntry | undefined, now: StageIdentity, params: Record<string, unknown>): string | undefined {
  if (!entry) return 'never run';
  if (entry.uses !== now.uses) return `stage changed: ${entry.uses} → ${now.uses}`;
  if (entry.code !== now.code) return `code changed (${describeCode(entry.code, now.code, now.uses)})`;
  const imported = changedFile(entry.imports, now.imports);
  if (imported) return `code changed (${imported.replace(/^reads /, 'imports ').replace(/^no longer reads /, 'no longer imports ')})`;
  const file = changedFile(entry.files, now.files);
  if (file) return file;
  if (entry.paramsHash !== now.paramsHash) {
    const diff = paramsDiff(entry.params, params);
    return diff ? `params changed: ${diff}` : 'params changed';
  }
  return undefined;
}

/** The first input port whose hash is not the one the lock recorded. */
export function inputsChange(entry: LockEntry, inputs: Record<string, string>, edges: readonly Edge[]): string | undefined {
  const ports = [...new Set([...Object.keys(entry.inputs), ...Object.keys(inputs)])].sort();
  for (const port of ports) {
    if (entry.inputs[port] === inputs[port]) continue;
    const edge = edges.find((e) => e.port === port);
    return edge ? `input ${port} changed (${edge.from}.${edge.output})` : `input ${port} removed`;
  }
  return undefined;
}

/** The first file the stage reads whose content is not what the lock recorded (`data/points.csv changed`). */
function changedFile(was: Record<string, string> | undefined, now: Record<string, string> | undefined): string | undefined {
  for (const path of [...new Set([...Object.keys(was ?? {}), ...Object.keys(now ?? {})])].sort()) {
    const [before, after] = [was?.[path], now?.[path]];
    if (before === after) continue;
    if (after === undefined) return `no longer reads ${path}`;
    if (before === undefined) return `reads ${path}, which it did not before`;
    return after === MISSING_FILE ? `${path} missing` : `${path} changed`;
  }
  return undefined;
}

/**
 * Whether what computed a stage's recorded results is what runs now: rxlab's code, then
 * each package the stage declares (`rxlab's code changed`, `package vega changed: 6.4.0 → 6.5.0`).
 */
export function madeWithChange(was: MadeWith, now: MadeWith): string | undefined {
  if (was.rxlab !== now.rxlab) return "rxlab's code changed";
  for (const name of [...new Set([...Object.keys(was.packages), ...Object.keys(now.packages)])].sort()) {
    const [before, after] = [was.packages[name], now.packages[name]];
    if (before === after) continue;
    if (after === undefined) return `package ${name} changed: ${before} → not installed`;
    return before === undefined ? `package ${name} changed: not recorded → ${after}` : `package ${name} changed: ${before} → ${after}`;
  }
  return undefined;
}

/** Why a stage runs because the producer of one of its live streams runs. */
export const liveReason = (edge: Edge): string => `upstream ${edge.from} runs and feeds live input ${edge.port}`;

const describeCode = (was: string, now: string, uses: string): string => {
  const version = (code: string): string | undefined => (code.startsWith('rxlab@') ? code.slice('rxlab@'.length) : undefined);
  const [a, b] = [version(was), version(now)];
  return a !== undefined && b !== undefined ? `rxlab ${a} → ${b}` : `${uses} modified`;
};

/** At most this many changed params are named; the rest are counted. */
const MAX_NAMED = 3;

/** `optimizer.lr 0.01 → 0.1, epochs 1000 → 20`: each changed leaf param, old value first. */
export function paramsDiff(was: unknown, now: unknown): string {
  const changes: string[] = [];
  collectDiff(was, now, '', changes);
  const named = changes.slice(0, MAX_NAMED).join(', ');
  return changes.length > MAX_NAMED ? `${named} and ${changes.length - MAX_NAMED} more` : named;
}

function collectDiff(was: unknown, now: unknown, path: string, out: string[]): void {
  const show = (v: unknown): string => (v === undefined ? '(unset)' : JSON.stringify(v));
  const bothObjects = isRecord(was) && isRecord(now);
  const sameLengthLists = Array.isArray(was) && Array.isArray(now) && was.length === now.length;
  if (bothObjects && !Array.isArray(was) && !Array.isArray(now)) {
    for (const key of [...new Set([...Object.keys(was), ...Object.keys(now)])].sort()) {
      collectDiff(was[key], now[key], path ? `${path}.${key}` : key, out);
    }
  } else if (sameLengthLists) {
    was.forEach((item, i) => collectDiff(item, now[i], `${path}[${i}]`, out));
  } else if (JSON.stringify(was) !== JSON.stringify(now)) {
    out.push(`${path} ${show(was)} → ${show(now)}`);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * Every change a lock would see before anything runs: stages whose identity differs from
 * their entry (or have none), and entries of stages no longer in the pipeline. What
 * `rxlab run --frozen` refuses on.
 */
export function declaredChanges(plan: Plan, lock: Lockfile): { stage: string; reason: string }[] {
  const changes = plan.nodes.flatMap(({ spec }) => {
    const reason = declaredChange(lock.stages[spec.id], stageIdentity(spec, plan.pipeline.dir), spec.params);
    return reason ? [{ stage: spec.id, reason: reason === 'never run' ? 'not in the lock' : reason }] : [];
  });
  const ids = new Set(plan.nodes.map((n) => n.spec.id));
  const removed = Object.keys(lock.stages).filter((id) => !ids.has(id));
  return [...changes, ...removed.map((stage) => ({ stage, reason: 'in the lock but no longer in the pipeline' }))];
}
