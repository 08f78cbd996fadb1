/**
 * The two pieces of scikit-learn's randomness that its dataset generators and splitters
 * share, on NumPy's legacy generator: `check_random_state` and the index permutation
 * behind `sklearn.utils.shuffle` and `ShuffleSplit`.
 */
import { getRandomValues } from 'node:crypto';
import { RandomState } from './random-state.ts';

/**
 * sklearn's `check_random_state`: a seed becomes `RandomState(seed)`, a generator is used
 * (and advanced) as is, and none means fresh entropy (sklearn then uses NumPy's global,
 * OS-seeded RandomState).
 */
export function checkRandomState(randomState?: number | RandomState | null): RandomState {
  if (randomState instanceof RandomState) return randomState;
  return new RandomState(randomState ?? getRandomValues(new Uint32Array(1))[0]);
}

/**
 * `generator.permutation(n)`: `arange(n)` shuffled in place by the legacy Fisher–Yates.
 * sklearn.utils.shuffle(X, y) is resample(replace=False), which takes X[p], y[p] for
 * this p; ShuffleSplit slices it into test and train indices.
 */
export function permutation(generator: RandomState, n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  generator.shuffle(order);
  return order;
}
