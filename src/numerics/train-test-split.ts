/**
 * scikit-learn 1.9's `sklearn.model_selection.train_test_split` for one dataset, with
 * the same sizes, the same draws on NumPy's legacy generator and so the same indices:
 * `ShuffleSplit` (one permutation: test first, then train), `StratifiedShuffleSplit`
 * when `stratify` is given, or the first rows in order with `shuffle: false`.
 */
import type { Dataset } from '../data.ts';
import type { RandomState } from './random-state.ts';
import { checkRandomState, permutation } from './sklearn-shuffle.ts';

/** train_test_split's keyword arguments, with sklearn's names and defaults. */
export interface TrainTestSplitOptions {
  /** A fraction in (0, 1) of the samples (rounded up), or a count. Default 0.25 when train_size is not given either, else the rest. */
  test_size?: number | null;
  /** A fraction in (0, 1) of the samples (rounded down), or a count. Default: the samples not in the test set. */
  train_size?: number | null;
  /** Shuffle before splitting. Default true. */
  shuffle?: boolean;
  /** Seed for `RandomState`, or a generator to draw from (and advance). */
  random_state?: number | RandomState;
  /** Class labels to keep in the same proportions in both parts (sklearn's `stratify=y`); needs shuffling. */
  stratify?: readonly number[] | null;
}

/** Row indices into the dataset, in the order sklearn returns them. */
export interface SplitIndices {
  train: number[];
  test: number[];
}

/** `X_train, X_test, y_train, y_test = train_test_split(X, y, **options)`, as two datasets. */
export function trainTestSplit(dataset: Dataset, options: TrainTestSplitOptions = {}): { train: Dataset; test: Dataset } {
  if (dataset.X.length !== dataset.y.length) {
    throw new RangeError(`Found input variables with inconsistent numbers of samples: [${dataset.X.length}, ${dataset.y.length}]`);
  }
  const { train, test } = trainTestSplitIndices(dataset.y.length, options);
  const take = (rows: number[]): Dataset => ({ X: rows.map((i) => [...dataset.X[i]]), y: rows.map((i) => dataset.y[i]) });
  return { train: take(train), test: take(test) };
}

/** The train and test indices train_test_split takes for `nSamples` rows. */
export function trainTestSplitIndices(nSamples: number, options: TrainTestSplitOptions = {}): SplitIndices {
  const [nTrain, nTest] = validateShuffleSplit(nSamples, options.test_size ?? null, options.train_size ?? null);
  const stratify = options.stratify ?? null;
  if (!(options.shuffle ?? true)) {
    if (stratify) throw new RangeError('Stratified train/test split is not implemented for shuffle=False');
    return { train: range(0, nTrain), test: range(nTrain, nTrain + nTest) };
  }
  const generator = checkRandomState(options.random_state);
  if (stratify) {
    if (stratify.length !== nSamples) {
      throw new RangeError(`Found input variables with inconsistent numbers of samples: [${nSamples}, ${stratify.length}]`);
    }
    return stratifiedIndices(stratify, nTrain, nTest, generator);
  }
  const order = Array.from(permutation(generator, nSamples));
  return { train: order.slice(nTest, nTest + nTrain), test: order.slice(0, nTest) };
}

/**
 * sklearn's `_validate_shuffle_split` (default test size 0.25): an integer size is a
 * count in [1, n), any other number a fraction in (0, 1); n_test = ceil(test_size * n),
 * n_train = floor(train_size * n), a missing one is the rest. Returns [n_train, n_test].
 */
export function validateShuffleSplit(nSamples: number, testSize: number | null, trainSize: number | null): [number, number] {
  const test = testSize === null && trainSize === null ? 0.25 : testSize;
  checkSize('test_size', test, nSamples);
  checkSize('train_size', trainSize, nSamples);
  if (test !== null && trainSize !== null && !Number.isInteger(test) && !Number.isInteger(trainSize) && test + trainSize > 1) {
    throw new RangeError(`The sum of test_size and train_size = ${test + trainSize}, should be in the (0, 1) range. Reduce test_size and/or train_size.`);
  }
  const count = (size: number, round: (v: number) => number) => (Number.isInteger(size) ? size : round(size * nSamples));
  let nTest = test === null ? 0 : count(test, Math.ceil);
  let nTrain = trainSize === null ? 0 : count(trainSize, Math.floor);
  if (trainSize === null) nTrain = nSamples - nTest;
  else if (test === null) nTest = nSamples - nTrain;
  if (nTrain + nTest > nSamples) {
    throw new RangeError(
      `The sum of train_size and test_size = ${nTrain + nTest}, should be smaller than the number of samples ${nSamples}. Reduce test_size and/or train_size.`,
    );
  }
  if (nTrain === 0) {
    throw new RangeError(
      `With n_samples=${nSamples}, test_size=${pyRepr(test)} and train_size=${pyRepr(trainSize)}, the resulting train set will be empty. Adjust any of the aforementioned parameters.`,
    );
  }
  return [nTrain, nTest];
}

function checkSize(name: string, size: number | null, nSamples: number): void {
  if (size === null) return;
  const ok = Number.isInteger(size) ? size > 0 && size < nSamples : size > 0 && size < 1;
  if (!ok) {
    throw new RangeError(
      `${name}=${size} should be either positive and smaller than the number of samples ${nSamples} or a float in the (0, 1) range`,
    );
  }
}

/**
 * StratifiedShuffleSplit's first split: per class (sorted labels), n_i train and t_i
 * test rows by `_approximate_mode`, taken from a permutation of the class's rows in
 * row order; then the train and test lists are each permuted once more.
 */
function stratifiedIndices(labels: readonly number[], nTrain: number, nTest: number, generator: RandomState): SplitIndices {
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const rowsOf = classes.map((c) => labels.flatMap((label, row) => (label === c ? [row] : [])));
  const counts = rowsOf.map((rows) => rows.length);
  if (Math.min(...counts) < 2) {
    throw new RangeError(
      'The least populated class in y has only 1 member, which is too few. The minimum number of groups for any class cannot be less than 2.',
    );
  }
  if (nTrain < classes.length) throw new RangeError(`The train_size = ${nTrain} should be greater or equal to the number of classes = ${classes.length}`);
  if (nTest < classes.length) throw new RangeError(`The test_size = ${nTest} should be greater or equal to the number of classes = ${classes.length}`);
  const nI = approximateMode(counts, nTrain, generator);
  const tI = approximateMode(
    counts.map((c, i) => c - nI[i]),
    nTest,
    generator,
  );
  const train: number[] = [];
  const test: number[] = [];
  rowsOf.forEach((rows, i) => {
    const shuffled = Array.from(permutation(generator, rows.length), (p) => rows[p]);
    train.push(...shuffled.slice(0, nI[i]));
    test.push(...shuffled.slice(nI[i], nI[i] + tI[i]));
  });
  generator.shuffle(train);
  generator.shuffle(test);
  return { train, test };
}

/**
 * sklearn's `_approximate_mode`: each class's share `count / total * nDraws` floored,
 * then the draws left over go to the largest remainders; among equal remainders the
 * winners are `generator.choice(inds, add_now, replace=False)`, i.e. the first entries
 * of a permutation, drawn even when all of them win.
 */
function approximateMode(counts: readonly number[], nDraws: number, generator: RandomState): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  const continuous = counts.map((c) => (c / total) * nDraws);
  const floored = continuous.map(Math.floor);
  let need = nDraws - floored.reduce((a, b) => a + b, 0);
  const remainder = continuous.map((c, i) => c - floored[i]);
  for (const value of [...new Set(remainder)].sort((a, b) => b - a)) {
    if (need <= 0) break;
    const inds = remainder.flatMap((r, i) => (r === value ? [i] : []));
    const addNow = Math.min(inds.length, need);
    for (const k of permutation(generator, inds.length).subarray(0, addNow)) floored[inds[k]] += 1;
    need -= addNow;
  }
  return floored;
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}

/** How Python prints a size in sklearn's messages (None for a missing one). */
function pyRepr(size: number | null): string {
  return size === null ? 'None' : String(size);
}
