/**
 * Number handling for chart data. Every number written into a spec goes through `tidy`, so the
 * spec's JSON is short, stable under float noise, and parses back to exactly the same values.
 */

/** Significant digits kept in spec data: far finer than a pixel on a 480-pixel chart. */
const DIGITS = 6;

/** `x` rounded to 6 significant digits, with −0 written as 0; throws on NaN or ±Infinity (JSON would write `null`). */
export function tidy(x: number): number {
  if (!Number.isFinite(x)) throw new RangeError(`chart data must be finite numbers, got ${x}`);
  const rounded = Number(x.toPrecision(DIGITS));
  return rounded === 0 ? 0 : rounded;
}

/** `[min, max]` of a non-empty list (without spreading it into arguments, so any length works). */
export function span(values: number[]): [number, number] {
  return values.reduce<[number, number]>(([lo, hi], v) => [Math.min(lo, v), Math.max(hi, v)], [values[0], values[0]]);
}

/** `[min, max]` of `values` widened by `fraction` of the span on each side; `[-1, 1]` when empty, ±1 around a single value. */
export function paddedDomain(values: number[], fraction = 0.1): [number, number] {
  if (values.length === 0) return [-1, 1];
  const [lo, hi] = span(values);
  const pad = hi > lo ? (hi - lo) * fraction : 1;
  return [tidy(lo - pad), tidy(hi + pad)];
}

/** `x` with 4 significant digits and a true minus sign (U+2212), for titles and labels. */
export function label(x: number): string {
  const text = String(Number(x.toPrecision(4)));
  return text.startsWith('-') ? `\u2212${text.slice(1)}` : text;
}
