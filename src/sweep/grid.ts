/**
 * What a sweep runs: a grid of param values (from `--grid stage.param=…` or the
 * pipeline's `sweep:` block), expanded into trials, each a list of `--set` overrides.
 * `random` draws that many distinct combinations, seeded, without listing the others.
 *
 * The values of one param, as `--grid stage.param=VALUES` or as a string in the file's
 * `sweep.grid`, are one of (Hydra's sweep syntax, with NumPy's spaced ranges):
 *
 *   V1,V2,…                     the values, each read as YAML: 0.1,0.2  sgd,adam  [2,4,1],[2,8,1]
 *   choice(V1, V2, …)           the same, written as a function
 *   range(START, STOP[, STEP])  START, START+STEP, … up to but not including STOP (Python's
 *                               range, for numbers that need not be integers); STEP defaults to 1
 *   linspace(START, STOP, N)    N values evenly spaced from START to STOP, both included
 *   logspace(START, STOP, N)    N values from 10^START to 10^STOP, evenly spaced in log scale
 *
 * Computed values are rounded to 12 significant digits, so `range(0.1, 0.4, 0.1)` gives
 * 0.1, 0.2, 0.3 and not 0.30000000000000004.
 */
import { parse } from 'yaml';
import { parseOverrides, runName } from '../engine/index.ts';
import { RandomState } from '../numerics/random-state.ts';

/** Param path (`train.optimizer.lr`) → the values to try, in order. */
export type Grid = Record<string, unknown[]>;

export interface Trial {
  /** `trial-001`, … in grid order; also the trial's folder name. */
  id: string;
  /** Param path → value for this trial. */
  values: Record<string, unknown>;
  /** The same as `--set` texts, for the loader. */
  overrides: string[];
}

/** A trial as its run is named on record (what it sets, `lr=0.1,seed=1`), from its values. */
export const trialName = (values: Record<string, unknown>): string =>
  runName(parseOverrides(Object.entries(values).map(([k, v]) => `${k}=${JSON.stringify(v)}`)).overrides);

export class SweepSpecError extends Error {
  override name = 'SweepSpecError';
}

/** More trials than this are refused without `random`: a grid that large is a mistake, or wants sampling. */
export const MAX_TRIALS = 10_000;

/** More values than this from one range is refused (a step that was meant to be larger). */
const MAX_VALUES = 100_000;

const FUNCTION = /^\s*(choice|range|linspace|logspace)\s*\((.*)\)\s*$/s;

/** `x` without the float noise of computing it (12 significant digits). */
const tidy = (x: number): number => Number(x.toPrecision(12));

/**
 * The values a grid expression stands for (see the grammar above). `where` names it in
 * errors: `--grid train.optimizer.lr=range(0, 1, 0)`.
 */
export function gridValues(text: string, where: string): unknown[] {
  const call = FUNCTION.exec(text);
  let values: unknown;
  try {
    values = parse(`[${call ? call[2] : text}]`);
  } catch (err) {
    throw new SweepSpecError(`${where}: the values are not a comma-separated list (${(err as Error).message.split('\n')[0]})`);
  }
  if (!Array.isArray(values) || values.length === 0) throw new SweepSpecError(`${where}: give at least one value`);
  if (!call || call[1] === 'choice') return values;
  const [name] = [call[1]];
  const usage = { range: 'range(START, STOP[, STEP])', linspace: 'linspace(START, STOP, N)', logspace: 'logspace(START, STOP, N)' }[name as 'range'];
  const counts = name === 'range' ? [2, 3] : [3];
  if (!counts.includes(values.length) || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new SweepSpecError(`${where}: expected ${usage} with numbers, found ${name}(${call[2].trim()})`);
  }
  const [start, stop, third] = values as number[];
  if (name === 'range') {
    const step = third ?? 1;
    if (step === 0) throw new SweepSpecError(`${where}: the step of range() cannot be 0`);
    // Counted on the tidied quotient: (0.4 - 0.1) / 0.1 is 3.0000000000000004, and 0.4 is not below 0.4.
    const count = Math.max(0, Math.ceil(tidy((stop - start) / step)));
    if (count === 0) throw new SweepSpecError(`${where}: range(${call[2].trim()}) is empty: no value from ${start} goes ${step > 0 ? 'up' : 'down'} to ${stop}`);
    if (count > MAX_VALUES) throw new SweepSpecError(`${where}: range(${call[2].trim()}) has ${count} values; at most ${MAX_VALUES}`);
    return Array.from({ length: count }, (_, i) => tidy(start + i * step));
  }
  const n = third;
  if (!Number.isInteger(n) || n < 1 || n > MAX_VALUES) throw new SweepSpecError(`${where}: N in ${usage} must be an integer from 1 to ${MAX_VALUES}, found ${n}`);
  const at = (i: number): number => (n === 1 ? start : start + ((stop - start) * i) / (n - 1));
  return Array.from({ length: n }, (_, i) => tidy(name === 'linspace' ? at(i) : 10 ** at(i)));
}

/** Parses one `--grid` text, `STAGE.PARAM=VALUES`. */
export function parseGridArg(text: string): [string, unknown[]] {
  const eq = text.indexOf('=');
  const path = text.slice(0, eq).trim();
  if (eq < 0 || !/^[A-Za-z][\w-]*(\.[\w-]+)+$/.test(path)) {
    throw new SweepSpecError(`--grid ${text}: expected STAGE.PARAM=VALUE,VALUE,… e.g. --grid train.optimizer.lr=0.001,0.01,0.1 or =logspace(-3, -1, 3)`);
  }
  if (text.slice(eq + 1).trim() === '') throw new SweepSpecError(`--grid ${text}: give at least one value after "="`);
  return [path, gridValues(text.slice(eq + 1), `--grid ${text}`)];
}

/** A grid as the file's `sweep.grid` writes it: a list of values, or a string in the grammar above. */
export function fileGrid(grid: Record<string, unknown[] | string>, file: string): Grid {
  return Object.fromEntries(Object.entries(grid).map(([path, values]) => [path, typeof values === 'string' ? gridValues(values, `${file} sweep.grid ${path}`) : values]));
}

/**
 * `count` distinct integers in [0, total), drawn with `seed` (Robert Floyd's algorithm:
 * one draw each, whatever `total` is), in increasing order.
 */
function sample(total: number, count: number, seed: number): number[] {
  const random = new RandomState(seed);
  const picked = new Set<number>();
  for (let j = total - count; j < total; j++) {
    const t = random.randint(0, j + 1);
    picked.add(picked.has(t) ? j : t);
  }
  return [...picked].sort((a, b) => a - b);
}

/**
 * Every combination of the grid (the last key varies fastest), or `random` of them drawn
 * with `seed`: only the drawn ones are built, so a grid of millions of combinations
 * samples as fast as a small one.
 */
export function expandGrid(grid: Grid, options: { random?: number; seed?: number } = {}): Trial[] {
  const keys = Object.keys(grid);
  if (keys.length === 0) throw new SweepSpecError('nothing to sweep: give --grid STAGE.PARAM=V1,V2 or a sweep: block in the pipeline');
  const sizes = keys.map((k) => grid[k].length);
  const total = sizes.reduce((a, b) => a * b, 1);
  const sampled = options.random !== undefined && options.random < total;
  if (!sampled && total > MAX_TRIALS) {
    throw new SweepSpecError(`the grid has ${total} combinations; at most ${MAX_TRIALS} run without --random N, which draws N of them`);
  }
  if (sampled && total > Number.MAX_SAFE_INTEGER) throw new SweepSpecError(`the grid has more than 2^53 combinations; sweep fewer values`);
  const indices = sampled ? sample(total, options.random!, options.seed ?? 0) : Array.from({ length: total }, (_, i) => i);
  const width = Math.max(3, String(indices.length).length);
  return indices.map((index, i) => {
    // The index in mixed radix, the last key the fastest digit.
    const combo: unknown[] = new Array(keys.length);
    for (let k = keys.length - 1, rest = index; k >= 0; k--) {
      combo[k] = grid[keys[k]][rest % sizes[k]];
      rest = Math.floor(rest / sizes[k]);
    }
    return {
      id: `trial-${String(i + 1).padStart(width, '0')}`,
      values: Object.fromEntries(keys.map((k, j) => [k, combo[j]])),
      overrides: keys.map((k, j) => `${k}=${JSON.stringify(combo[j])}`),
    };
  });
}
