/**
 * scikit-learn 1.9's `sklearn.datasets.make_circles`, bit for bit: points evenly spaced
 * on two concentric circles (`np.linspace(0, 2π, n, endpoint=False)`, glibc's cos and
 * sin), the inner one scaled by `factor`, then make_moons's shuffle and noise.
 */
import type { Dataset } from '../data.ts';
import { complete } from '../util/steps.ts';
import { glibcCos, glibcSin } from './glibc-sincos.ts';
import { linspace, splitSamples, twoCurves, type MakeMoonsOptions } from './make-moons.ts';
import { mapSteps } from './steps.ts';

/** make_circles's keyword arguments, with sklearn's names and defaults. */
export interface MakeCirclesOptions extends MakeMoonsOptions {
  /** Radius of the inner circle relative to the outer one, in [0, 1). Default 0.8. */
  factor?: number;
}

/** `make_circles(**options)` → `{ X, y }`: label 0 on the unit circle, 1 on the inner one (an odd total puts the extra point inside). */
export const makeCircles = (options: MakeCirclesOptions = {}): Dataset => complete(makeCirclesSteps(options));

/** `makeCircles` a step at a time (see steps.ts): the same numbers, yielding every STEP_ROWS points. */
export function* makeCirclesSteps(options: MakeCirclesOptions = {}): Generator<void, Dataset> {
  const factor = options.factor ?? 0.8;
  if (!(factor >= 0 && factor < 1)) {
    throw new RangeError(`The 'factor' parameter of make_circles must be a float in the range [0.0, 1.0). Got ${factor} instead.`);
  }
  const [nOut, nIn] = splitSamples('make_circles', options.n_samples ?? 100, 0);
  // The endpoint is left out so that the first point is not repeated as the last.
  const outer = linspace(0, 2 * Math.PI, nOut, false);
  const inner = linspace(0, 2 * Math.PI, nIn, false);
  return yield* twoCurves(
    'make_circles',
    [yield* mapSteps(outer, glibcCos), yield* mapSteps(outer, glibcSin)],
    [yield* mapSteps(inner, (t) => glibcCos(t) * factor), yield* mapSteps(inner, (t) => glibcSin(t) * factor)],
    options,
  );
}
