/**
 * What a sweep runs: a grid of param values (from `--grid stage.param=v1,v2,…` or the
 * pipeline's `sweep:` block), expanded into trials, each a list of `--set` overrides.
 * `random` samples that many distinct combinations, seeded, instead of all of them.
 */
import { parse } from 'yaml';
import { parseOverrides, runName } from '../engine/index.ts';
import { RandomState } from '../numerics/random-state.ts';
import { permutation } from '../numerics/sklearn-shuffle.ts';

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

/**
 * Parses one `--grid` text. The values are read as a YAML flow sequence, so
 * `lr=0.001,0.01` gives numbers and `model.layers=[2,4,1],[2,8,1]` gives two lists.
 */
export function parseGridArg(text: string): [string, unknown[]] {
  const eq = text.indexOf('=');
  const path = text.slice(0, eq).trim();
  if (eq < 0 || !/^[A-Za-z][\w-]*(\.[\w-]+)+$/.test(path)) {
    throw new SweepSpecError(`--grid ${text}: expected STAGE.PARAM=VALUE,VALUE,… e.g. --grid train.optimizer.lr=0.001,0.01,0.1`);
  }
  let values: unknown;
  try {
    values = parse(`[${text.slice(eq + 1)}]`);
  } catch (err) {
    throw new SweepSpecError(`--grid ${text}: the values are not a comma-separated list (${(err as Error).message.split('\n')[0]})`);
  }
  if (!Array.isArray(values) || values.length === 0) throw new SweepSpecError(`--grid ${text}: give at least one value after "="`);
  return [path, values];
}

/** Every combination of the grid (the last key varies fastest), or `random` of them drawn with `seed`. */
export function expandGrid(grid: Grid, options: { random?: number; seed?: number } = {}): Trial[] {
  const keys = Object.keys(grid);
  if (keys.length === 0) throw new SweepSpecError('nothing to sweep: give --grid STAGE.PARAM=V1,V2 or a sweep: block in the pipeline');
  let combos: unknown[][] = [[]];
  for (const key of keys) combos = combos.flatMap((combo) => grid[key].map((value) => [...combo, value]));
  if (options.random !== undefined && options.random < combos.length) {
    const order = permutation(new RandomState(options.seed ?? 0), combos.length);
    combos = Array.from(order.subarray(0, options.random))
      .sort((a, b) => a - b)
      .map((i) => combos[i]);
  }
  const width = String(combos.length).length < 3 ? 3 : String(combos.length).length;
  return combos.map((combo, i) => {
    const values = Object.fromEntries(keys.map((k, j) => [k, combo[j]]));
    return {
      id: `trial-${String(i + 1).padStart(width, '0')}`,
      values,
      overrides: keys.map((k, j) => `${k}=${JSON.stringify(combo[j])}`),
    };
  });
}
