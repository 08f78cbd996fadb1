/**
 * The generators here that can take seconds on millions of points are written as
 * generator functions yielding every STEP_ROWS rows or so: the numbers are exactly those
 * of one uninterrupted computation (each step takes the next part of the same random
 * stream), while the caller (src/util/steps.ts) gives the process a turn between steps
 * to answer Ctrl-C.
 */

/** Rows (or values) handled between two yields: small enough to take a few milliseconds. */
export const STEP_ROWS = 1 << 16;

/** `Float64Array.from(source, f)`, yielding every STEP_ROWS values. */
export function* mapSteps(source: Float64Array, f: (x: number) => number): Generator<void, Float64Array> {
  const out = new Float64Array(source.length);
  for (let start = 0; start < source.length; start += STEP_ROWS) {
    const end = Math.min(start + STEP_ROWS, source.length);
    for (let i = start; i < end; i++) out[i] = f(source[i]);
    yield;
  }
  return out;
}
