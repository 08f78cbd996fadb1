/**
 * scikit-learn 1.9's `sklearn.datasets.make_moons`, bit for bit: NumPy's `linspace`
 * arithmetic, glibc's sin and cos (what `np.sin`/`np.cos` call here), then
 * `sklearn.utils.shuffle` and the Gaussian noise from the same legacy generator.
 * `makeCircles` (make-circles.ts) shares the parts after the curves.
 */
import type { Dataset } from '../data.ts';
import { complete } from '../util/steps.ts';
import { glibcCos, glibcSin } from './glibc-sincos.ts';
import type { RandomState } from './random-state.ts';
import { checkRandomState, permutation } from './sklearn-shuffle.ts';
import { STEP_ROWS, mapSteps } from './steps.ts';

/** make_moons's keyword arguments, with sklearn's names and defaults. */
export interface MakeMoonsOptions {
  /** Total points (the outer moon gets n // 2, the inner one the rest), or [outer, inner]. Default 100. */
  n_samples?: number | readonly [number, number];
  /** Shuffle the points (sklearn.utils.shuffle with the same generator). Default true. */
  shuffle?: boolean;
  /** Standard deviation of Gaussian noise added to every coordinate; none when null. Default null. */
  noise?: number | null;
  /** Seed for `RandomState`, or a generator to draw from (and advance). */
  random_state?: number | RandomState;
}

/** `make_moons(**options)` → `{ X, y }`: two interleaving half circles, labels 0 (outer) and 1 (inner). */
export const makeMoons = (options: MakeMoonsOptions = {}): Dataset => complete(makeMoonsSteps(options));

/** `makeMoons` a step at a time (see steps.ts): the same numbers, yielding every STEP_ROWS points. */
export function* makeMoonsSteps(options: MakeMoonsOptions = {}): Generator<void, Dataset> {
  const [nOut, nIn] = splitSamples('make_moons', options.n_samples ?? 100, 1);
  const outer = linspace(0, Math.PI, nOut, true);
  const inner = linspace(0, Math.PI, nIn, true);
  return yield* twoCurves(
    'make_moons',
    [yield* mapSteps(outer, glibcCos), yield* mapSteps(outer, glibcSin)],
    // sklearn: 1 - cos(t) and 1 - sin(t) - 0.5, evaluated left to right.
    [yield* mapSteps(inner, (t) => 1 - glibcCos(t)), yield* mapSteps(inner, (t) => 1 - glibcSin(t) - 0.5)],
    options,
  );
}

/**
 * `np.linspace(start, stop, num, endpoint)` for float64: `start + i * step` with
 * step = (stop - start) / div, div = num - 1 with the endpoint (which is then set to
 * `stop` exactly) or num without. Valid while the step is not zero (NumPy then divides
 * first), which holds for the generators' 0 to π and 0 to 2π.
 */
export function linspace(start: number, stop: number, num: number, endpoint: boolean): Float64Array {
  const out = new Float64Array(num);
  const div = endpoint ? num - 1 : num;
  if (div <= 0) {
    // NumPy: 0 or 1 point(s) with the endpoint have no step; the one point is `start`.
    if (num > 0) out[0] = start;
    return out;
  }
  const step = (stop - start) / div;
  for (let i = 0; i < num; i++) out[i] = start + i * step;
  if (endpoint) out[num - 1] = stop;
  return out;
}

/** The options make_moons and make_circles share. */
type CurveOptions = Pick<MakeMoonsOptions, 'shuffle' | 'noise' | 'random_state'>;

/**
 * The end that make_moons and make_circles share: stack the outer curve (label 0) over
 * the inner one (label 1), shuffle with sklearn.utils.shuffle, then add
 * `generator.normal(scale=noise, size=(n, 2))` in C order. Shuffling comes first, so
 * the noise is drawn after the permutation and lands on the shuffled rows.
 */
export function* twoCurves(
  name: string,
  [outX, outY]: readonly [Float64Array, Float64Array],
  [inX, inY]: readonly [Float64Array, Float64Array],
  options: CurveOptions,
): Generator<void, Dataset> {
  const noise = options.noise ?? null;
  if (noise !== null && !(noise >= 0)) {
    throw new RangeError(`The 'noise' parameter of ${name} must be a float in the range [0.0, inf) or None. Got ${noise} instead.`);
  }
  const generator = checkRandomState(options.random_state);
  const nOut = outX.length;
  const n = nOut + inX.length;
  const shuffle = options.shuffle ?? true;
  const order = shuffle ? permutation(generator, n) : undefined;
  const X: number[][] = new Array(n);
  const y: number[] = new Array(n);
  // Row i of the result is stacked row order[i] (sklearn's X[p], y[p]).
  for (let start = 0; start < n; start += STEP_ROWS) {
    for (let i = start, end = Math.min(start + STEP_ROWS, n); i < end; i++) {
      const j = order ? order[i] : i;
      X[i] = j < nOut ? [outX[j], outY[j]] : [inX[j - nOut], inY[j - nOut]];
      y[i] = j < nOut ? 0 : 1;
    }
    yield;
  }
  if (noise !== null) {
    // Drawn a part at a time from the same stream: the same numbers as one (n, 2) draw.
    for (let start = 0; start < n; start += STEP_ROWS) {
      const rows = Math.min(STEP_ROWS, n - start);
      const z = generator.normal(0, noise, [rows, 2]);
      for (let k = 0; k < rows; k++) {
        X[start + k][0] += z[2 * k];
        X[start + k][1] += z[2 * k + 1];
      }
      yield;
    }
  }
  return { X, y };
}

/**
 * sklearn's n_samples handling: an int n gives n // 2 outer and the rest inner points
 * (validated as an int >= `min`), a pair is taken as is (each count must be a
 * non-negative integer, as np.linspace requires).
 */
export function splitSamples(name: string, nSamples: number | readonly number[], min: number): [number, number] {
  if (typeof nSamples === 'number') {
    if (!Number.isInteger(nSamples) || nSamples < min) {
      throw new RangeError(`The 'n_samples' parameter of ${name} must be an int in the range [${min}, inf) or an instance of 'tuple'. Got ${nSamples} instead.`);
    }
    const nOut = Math.floor(nSamples / 2);
    return [nOut, nSamples - nOut];
  }
  if (nSamples.length !== 2) {
    throw new RangeError(
      name === 'make_moons' ? '`n_samples` can be either an int or a two-element tuple.' : 'When a tuple, n_samples must have exactly two elements.',
    );
  }
  for (const n of nSamples) {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`Number of samples, ${n}, must be non-negative.`);
  }
  return [nSamples[0], nSamples[1]];
}
