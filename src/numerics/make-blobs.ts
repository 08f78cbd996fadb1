/**
 * scikit-learn 1.9's `sklearn.datasets.make_blobs`, bit for bit, on the legacy NumPy
 * generator it uses (`check_random_state(int)` is `RandomState(int)`).
 */
import type { Dataset } from '../data.ts';
import { complete } from '../util/steps.ts';
import type { RandomState } from './random-state.ts';
import { checkRandomState } from './sklearn-shuffle.ts';
import { STEP_ROWS } from './steps.ts';

/** make_blobs's keyword arguments, with sklearn's names and defaults. */
export interface MakeBlobsOptions {
  /** Total number of points, split evenly over the centres (the first ones get the remainder), or one count per centre. Default 100. */
  n_samples?: number | readonly number[];
  /** Features per point when the centres are generated; taken from `centers` when given as points. Default 2. */
  n_features?: number;
  /** How many centres to draw in `center_box`, or the centres themselves. Default: 3 (or one per entry of a list `n_samples`). */
  centers?: number | readonly (readonly number[])[] | null;
  /** Standard deviation of every cluster, or one per centre. Default 1. */
  cluster_std?: number | readonly number[];
  /** Bounds of each coordinate of generated centres. Default [-10, 10]. */
  center_box?: readonly [number, number];
  /** Shuffle the points (sklearn.utils.shuffle with the same generator). Default true. */
  shuffle?: boolean;
  /** Seed for `RandomState`, or a generator to draw from (and advance). */
  random_state?: number | RandomState;
}

/** make_blobs's result with X flat: row i is `X.subarray(i * nFeatures, (i + 1) * nFeatures)`. */
export interface FlatBlobs {
  X: Float64Array;
  y: Int32Array;
  nFeatures: number;
  /** The centres used, one row per centre (generated or given). */
  centers: number[][];
}

/** `make_blobs(**options)` → `{ X, y }`, X row by row. */
export const makeBlobs = (options: MakeBlobsOptions = {}): Dataset => complete(makeBlobsSteps(options));

/** `makeBlobs` a step at a time (see steps.ts): the same numbers, yielding every STEP_ROWS rows. */
export function* makeBlobsSteps(options: MakeBlobsOptions = {}): Generator<void, Dataset> {
  const { X, y, nFeatures } = yield* flatSteps(options);
  const labels: number[] = new Array(y.length);
  for (let i = 0; i < y.length; i++) labels[i] = y[i];
  return { X: yield* toRows(X, nFeatures), y: labels };
}

/** A flat row-major array as rows of `width` (pairs, the usual case, by literal: fastest in V8). */
function* toRows(X: Float64Array, width: number): Generator<void, number[][]> {
  const rows: number[][] = new Array(X.length / width);
  for (let start = 0; start < rows.length; start += STEP_ROWS) {
    const end = Math.min(start + STEP_ROWS, rows.length);
    if (width === 2) {
      for (let i = start; i < end; i++) rows[i] = [X[2 * i], X[2 * i + 1]];
    } else {
      for (let i = start; i < end; i++) {
        const row: number[] = new Array(width);
        for (let f = 0; f < width; f++) row[f] = X[i * width + f];
        rows[i] = row;
      }
    }
    yield;
  }
  return rows;
}

/** `make_blobs(**options)` into flat typed arrays, drawing exactly what sklearn draws. */
export const makeBlobsFlat = (options: MakeBlobsOptions = {}): FlatBlobs => complete(flatSteps(options));

function* flatSteps(options: MakeBlobsOptions): Generator<void, FlatBlobs> {
  const { X, y, nFeatures, centers, generator } = yield* draw(options);
  if (options.shuffle ?? true) yield* shuffleRows(generator, X, nFeatures, y);
  return { X, y, nFeatures, centers };
}

/**
 * sklearn.utils.shuffle(X, y, random_state=generator), in place. sklearn takes X[p],
 * y[p] for p = generator.permutation(n), i.e. arange(n) shuffled by Fisher–Yates; the
 * same swaps applied to the rows and labels themselves give the same order, with no
 * index array, no copies and one pass of random accesses instead of two.
 */
function* shuffleRows(generator: RandomState, X: Float64Array, nFeatures: number, y: Int32Array): Generator<void, void> {
  const partners = new Int32Array(4096);
  for (let i = y.length - 1, batch = 0; i > 0; batch++) {
    if (batch % (STEP_ROWS / 4096) === 0) yield;
    const count = generator.shuffleDraws(i, partners);
    for (let k = 0; k < count; k++, i--) {
      const j = partners[k];
      const label = y[j];
      y[j] = y[i];
      y[i] = label;
      if (nFeatures === 2) {
        const u = X[2 * j];
        const v = X[2 * j + 1];
        X[2 * j] = X[2 * i];
        X[2 * j + 1] = X[2 * i + 1];
        X[2 * i] = u;
        X[2 * i + 1] = v;
      } else {
        for (let a = j * nFeatures, b = i * nFeatures, end = b + nFeatures; b < end; a++, b++) {
          const v = X[a];
          X[a] = X[b];
          X[b] = v;
        }
      }
    }
  }
}

/**
 * The draws before the shuffle, in sklearn's order: centres (when generated), then each
 * cluster's normals; with the generator, which the shuffle continues.
 */
function* draw(options: MakeBlobsOptions): Generator<void, FlatBlobs & { generator: RandomState }> {
  const nSamples = options.n_samples ?? 100;
  const clusterStd = options.cluster_std ?? 1;
  const centerBox = options.center_box ?? [-10, 10];
  const centerArg = options.centers ?? (typeof nSamples === 'number' ? 3 : null);
  validate(nSamples, options.n_features ?? 2, centerArg, clusterStd);
  const generator = checkRandomState(options.random_state);

  let nFeatures = options.n_features ?? 2;
  let centers: number[][];
  if (typeof centerArg === 'number' || centerArg === null) {
    const nCenters = centerArg ?? (nSamples as readonly number[]).length;
    const flat = generator.uniform(centerBox[0], centerBox[1], [nCenters, nFeatures]);
    centers = Array.from({ length: nCenters }, (_, i) => Array.from(flat.subarray(i * nFeatures, (i + 1) * nFeatures)));
  } else {
    centers = centerArg.map((row) => [...row]);
    nFeatures = centers[0].length;
  }
  const nCenters = centers.length;
  if (typeof clusterStd !== 'number' && clusterStd.length !== nCenters) {
    throw new RangeError(
      `Length of \`clusters_std\` not consistent with number of centers. Got centers = ${JSON.stringify(centers)} and cluster_std = ${JSON.stringify(clusterStd)}`,
    );
  }
  const perCenter =
    typeof nSamples === 'number'
      ? Array.from({ length: nCenters }, (_, i) => Math.floor(nSamples / nCenters) + (i < nSamples % nCenters ? 1 : 0))
      : [...nSamples];

  const total = perCenter.reduce((a, b) => a + b, 0);
  const X = new Float64Array(total * nFeatures);
  const y = new Int32Array(total);
  for (let i = 0, start = 0; i < nCenters; start += perCenter[i], i++) {
    const std = typeof clusterStd === 'number' ? clusterStd : clusterStd[i];
    // A cluster's normals a part at a time: NumPy draws them one by one from the same stream, so the parts join to the same numbers.
    for (let row = 0; row < perCenter[i]; row += STEP_ROWS) {
      const rows = Math.min(STEP_ROWS, perCenter[i] - row);
      const from = (start + row) * nFeatures;
      generator.normal(centers[i], std, [rows, nFeatures], X.subarray(from, from + rows * nFeatures));
      yield;
    }
    y.fill(i, start, start + perCenter[i]);
  }
  return { X, y, nFeatures, centers, generator };
}

/** sklearn's parameter validation (`validate_params`, then make_blobs's own checks), with its messages. */
function validate(
  nSamples: number | readonly number[],
  nFeatures: number,
  centers: number | readonly (readonly number[])[] | null,
  clusterStd: number | readonly number[],
): void {
  if (typeof nSamples === 'number' && !isIntAtLeast(nSamples, 1)) {
    throw new RangeError(`The 'n_samples' parameter of make_blobs must be an int in the range [1, inf) or an array-like. Got ${nSamples} instead.`);
  }
  if (!isIntAtLeast(nFeatures, 1)) {
    throw new RangeError(`The 'n_features' parameter of make_blobs must be an int in the range [1, inf). Got ${nFeatures} instead.`);
  }
  if (typeof centers === 'number' && !isIntAtLeast(centers, 1)) {
    throw new RangeError(`The 'centers' parameter of make_blobs must be an int in the range [1, inf), an array-like or None. Got ${centers} instead.`);
  }
  if (typeof clusterStd === 'number' && !(clusterStd >= 0)) {
    throw new RangeError(`The 'cluster_std' parameter of make_blobs must be a float in the range [0.0, inf) or an array-like. Got ${clusterStd} instead.`);
  }
  if (typeof nSamples !== 'number') {
    if (!nSamples.every((n) => isIntAtLeast(n, 0))) throw new RangeError(`n_samples must hold non-negative integers, got ${JSON.stringify(nSamples)}`);
    if (typeof centers === 'number') throw new RangeError(`Parameter \`centers\` must be array-like. Got ${centers} instead`);
    if (nSamples.length === 0) throw new RangeError('Found array with 0 sample(s) (shape=(0, 2)) while a minimum of 1 is required.');
    if (centers !== null && centers.length !== nSamples.length) {
      throw new RangeError(
        `Length of \`n_samples\` not consistent with number of centers. Got n_samples = ${JSON.stringify(nSamples)} and centers = ${JSON.stringify(centers)}`,
      );
    }
  }
  if (centers !== null && typeof centers !== 'number') checkCenters(centers);
}

function isIntAtLeast(value: number, min: number): boolean {
  return Number.isInteger(value) && value >= min;
}

/** sklearn's check_array on given centres: a non-empty 2-D array of finite numbers. */
function checkCenters(centers: readonly (readonly number[])[]): void {
  if (centers.length === 0) throw new RangeError('Found array with 0 sample(s) (shape=(0, 0)) while a minimum of 1 is required.');
  const width = centers[0].length;
  if (width === 0) throw new RangeError(`Found array with 0 feature(s) (shape=(${centers.length}, 0)) while a minimum of 1 is required.`);
  for (const row of centers) {
    if (row.length !== width) throw new RangeError('centers must be a 2-D array: every centre needs the same number of features');
    if (!row.every(Number.isFinite)) throw new RangeError('Input contains NaN or infinity.');
  }
}
