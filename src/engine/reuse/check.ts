/**
 * Comparing what a run produced with what its lock records, artifact by artifact, metric
 * by metric, and the lock's copy of each small JSON artifact against the content made: for
 * `rxlab check` (a fresh run against the committed lock) and `rxlab run --frozen`. A
 * changed JSON artifact whose content the lock keeps is explained by its largest
 * numeric difference and where it is (`loss[412] differs by 3.1e-7`), and with a
 * tolerance such artifacts are compared number by number instead of by bytes.
 */
import { declaredChange } from './changes.ts';
import type { LockEntry, Lockfile } from '../record/lock.ts';

export type CheckResult = 'same' | 'changed' | 'missing' | 'new';

/** One row of the table: an artifact (or an output value, `output model`) of a stage. */
export interface CheckRow {
  stage: string;
  artifact: string;
  result: CheckResult;
  /** `bytes`, `values ±1e-6` (numbers within the tolerance), or `hash` for an output value. */
  compared: string;
  detail: string;
}

export interface CheckReport {
  rows: CheckRow[];
  /** Differences between the lock and the pipeline itself (params, code, stages), which fail the check too. */
  notes: string[];
  ok: boolean;
}

export interface CompareOptions {
  /** JSON artifacts with stored values pass when every number is within this of the lock's. */
  tolerance?: number;
  /** Stage ids in the order to report them (the plan's); stages only in the lock come after. */
  order?: readonly string[];
}

/** Compares `actual` (what a run produced) with `expected` (the lock). */
export function compareLocks(expected: Lockfile, actual: Lockfile, options: CompareOptions = {}): CheckReport {
  const ids = [...new Set([...(options.order ?? []), ...Object.keys(actual.stages), ...Object.keys(expected.stages)])];
  const rows: CheckRow[] = [];
  const notes: string[] = [];
  for (const stage of ids) {
    const [exp, act] = [expected.stages[stage], actual.stages[stage]];
    if (!exp && !act) continue;
    if (!exp) notes.push(`${stage}: not in the lock`);
    else if (!act) notes.push(`${stage}: in the lock but not in the pipeline`);
    else {
      const reason = declaredChange(exp, act, act.params);
      if (reason) notes.push(`${stage}: ${reason} since the lock was written`);
    }
    const names = [...new Set([...Object.keys(exp?.artifacts ?? {}), ...Object.keys(act?.artifacts ?? {})])].sort();
    for (const name of names) rows.push({ stage, artifact: name, ...compareArtifact(name, exp, act, options.tolerance) });
    for (const name of [...new Set([...Object.keys(exp?.metrics ?? {}), ...Object.keys(act?.metrics ?? {})])].sort()) {
      const row = compareMetric(exp?.metrics[name], act?.metrics[name], options.tolerance);
      // Shown only when they differ, as output values are: the artifacts already show what a stage made.
      if (row.result !== 'same') rows.push({ stage, artifact: `metric ${name}`, ...row });
    }
    for (const name of [...new Set([...Object.keys(exp?.outputs ?? {}), ...Object.keys(act?.outputs ?? {})])].sort()) {
      const result = presence(exp?.outputs[name], act?.outputs[name]);
      // Output values are shown only when they differ: the artifacts already say what a stage made.
      if (result !== 'same') rows.push({ stage, artifact: `output ${name}`, result, compared: 'hash', detail: '' });
    }
  }
  return { rows, notes, ok: notes.length === 0 && rows.every((r) => r.result === 'same') };
}

function presence(expected: string | undefined, actual: string | undefined): CheckResult {
  if (expected === undefined) return 'new';
  if (actual === undefined) return 'missing';
  return expected === actual ? 'same' : 'changed';
}

function compareArtifact(
  name: string,
  exp: LockEntry | undefined,
  act: LockEntry | undefined,
  tolerance: number | undefined,
): Pick<CheckRow, 'result' | 'compared' | 'detail'> {
  const [expected, actual] = [exp?.artifacts[name], act?.artifacts[name]];
  const hasValues = exp !== undefined && act !== undefined && Object.hasOwn(exp.values, name) && Object.hasOwn(act.values, name);
  const compared = tolerance !== undefined && hasValues ? `values ±${formatNumber(tolerance)}` : 'bytes';
  const result = presence(expected, actual);
  if (result === 'new') return { result, compared, detail: 'not in the lock' };
  if (result === 'missing') return { result, compared, detail: 'the run did not produce it' };
  if (result === 'same') return hasValues ? sameBytesValues(exp!.values[name], act!.values[name], compared, tolerance) : { result, compared, detail: '' };
  if (!hasValues) return { result, compared, detail: `sha256 ${actual!.slice(0, 12)}…, the lock has ${expected!.slice(0, 12)}… (no stored values)` };
  const diff = largestDifference(act!.values[name], exp!.values[name]);
  if (diff.mismatch) return { result, compared, detail: diff.mismatch };
  const where = `${diff.at || 'the value'} differs by ${formatNumber(diff.largest)}`;
  if (tolerance !== undefined && diff.largest <= tolerance) {
    return { result: 'same', compared, detail: diff.largest > 0 ? `largest difference: ${where}` : 'same values, other bytes' };
  }
  return { result, compared, detail: diff.largest > 0 ? where : 'same values, other bytes' };
}

/**
 * An artifact whose bytes match the lock's hash but whose content, as the lock copies it,
 * does not: the lock was edited by hand (`accuracy` set to 0.01). It fails the check.
 */
function sameBytesValues(expected: unknown, actual: unknown, compared: string, tolerance: number | undefined): Pick<CheckRow, 'result' | 'compared' | 'detail'> {
  const diff = largestDifference(actual, expected);
  if (!diff.mismatch && (diff.largest === 0 || (tolerance !== undefined && diff.largest <= tolerance))) return { result: 'same', compared, detail: '' };
  const what = diff.mismatch ?? `${diff.at || 'the value'} differs by ${formatNumber(diff.largest)}`;
  return { result: 'changed', compared, detail: `the lock's copy of its content does not match its hash: ${what} (was the lock edited?)` };
}

/** A metric the run measured against the lock's: the same number, or within the tolerance. */
function compareMetric(expected: number | undefined, actual: number | undefined, tolerance: number | undefined): Pick<CheckRow, 'result' | 'compared' | 'detail'> {
  const compared = tolerance === undefined ? 'value' : `value ±${formatNumber(tolerance)}`;
  if (expected === undefined) return { result: 'new', compared, detail: `${actual}, not in the lock` };
  if (actual === undefined) return { result: 'missing', compared, detail: `the lock has ${expected}; the run did not report it` };
  const d = Math.abs(actual - expected);
  if (d === 0 || (tolerance !== undefined && d <= tolerance)) return { result: 'same', compared, detail: '' };
  return { result: 'changed', compared, detail: `${actual}, the lock has ${expected} (differs by ${formatNumber(d)})` };
}

/** The largest |actual − expected| over corresponding numbers and where it is, or the first structural difference. */
export interface Difference {
  largest: number;
  /** Path of the largest difference: `loss[412]`, `[0].weight[1][0]`, `points[1].probability`. */
  at: string;
  /** Set when the two are not the same shape, or a non-number differs. */
  mismatch?: string;
}

/** Walks two JSON values side by side. */
export function largestDifference(actual: unknown, expected: unknown): Difference {
  const found: Difference = { largest: 0, at: '' };
  walk(actual, expected, '', found);
  return found;
}

function walk(a: unknown, e: unknown, path: string, found: Difference): void {
  if (found.mismatch) return;
  const name = path || 'the value';
  if (typeof a === 'number' && typeof e === 'number') {
    const d = Math.abs(a - e);
    if (d > found.largest) [found.largest, found.at] = [d, path];
  } else if (Array.isArray(a) && Array.isArray(e)) {
    if (a.length !== e.length) found.mismatch = `${name} has ${a.length} items, the lock has ${e.length}`;
    else a.forEach((item, i) => walk(item, e[i], `${path}[${i}]`, found));
  } else if (isObject(a) && isObject(e)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(e)])].sort()) {
      const at = path ? `${path}.${key}` : key;
      if (!Object.hasOwn(a, key)) found.mismatch = `${at} is missing`;
      else if (!Object.hasOwn(e, key)) found.mismatch = `${at} is not in the lock`;
      else walk(a[key], e[key], at, found);
      if (found.mismatch) return;
    }
  } else if (JSON.stringify(a) !== JSON.stringify(e)) {
    found.mismatch = `${name} is ${short(a)}, the lock has ${short(e)}`;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const short = (v: unknown): string => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
};

/** Two significant digits, small ones in exponent form: 3.1e-7, 1e-6, 0.0042, 12. */
export function formatNumber(x: number): string {
  const rounded = Number(x.toPrecision(2));
  return rounded !== 0 && Math.abs(rounded) < 1e-3 ? rounded.toExponential() : String(rounded);
}
