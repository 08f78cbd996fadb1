/**
 * A correctly rounded fused multiply-add for binary64, which JavaScript lacks: what
 * x86-64's `vfmadd` computes, `a * b + c` with one rounding (to nearest, ties to even).
 *
 * Dekker's product gives a * b = ph + pl exactly, and the answer is the correctly
 * rounded three-term sum c + ph + pl (`sum3`): a few dozen plain operations, no table
 * lookups or bit manipulation, and a branch (exact midpoints) that is rarely taken.
 *
 * Domain: finite arguments with |a|, |b| < 2^996 whose product is not within 2^53 of
 * the subnormal range (Dekker's error term must be exact). glibc's log stays far
 * inside it.
 */

/** Veltkamp's splitter for 53-bit significands: 2^27 + 1. */
const SPLIT = 134217729;

/** `round(a * b + c)` with one rounding, as the hardware FMA instruction gives it. */
export function fma(a: number, b: number, c: number): number {
  const ph = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const pl = al * bl - (ph - ah * bh - al * bh - ah * bl);
  return sum3(c, ph, pl);
}

/**
 * RN(c + p + q) with one rounding, for doubles with |q| <= 2 ulp(p) (a product's
 * error term, or a similarly small tail).
 *
 * TwoSum gives c + p = sh + sl exactly. Rounding twice, r = RN(sh + RN(sl + q)), can
 * only go wrong one way: sh + RN(sl + q) lands exactly on a midpoint between two
 * doubles while sl + q itself was inexact, so the tie rule picked the side that the
 * discarded error should have. (If c + p is exact, sl = 0 and there is one rounding;
 * otherwise |sl + q| is within a few ulps of sh, so each midpoint's offset from sh is
 * a double and RN(sl + q) cannot cross it.) That tie is detected exactly: the residual
 * e = sh + v - r is non-zero and r + 2e is a double. Checked against the hardware fma
 * on millions of random and constructed midpoint cases.
 */
export function sum3(c: number, p: number, q: number): number {
  const sh = c + p;
  const z = sh - c;
  const sl = c - (sh - z) + (p - z);
  const v = sl + q;
  const r = sh + v;
  const y = r - sh;
  const e = sh - (r - y) + (v - y);
  if (e !== 0 && r + 2 * e - r === 2 * e) return breakTie(r, e, sl, q, v);
  // r === sh when the tail changes nothing: then sh, which also keeps the sign IEEE
  // gives an exact zero c + p.
  return r === sh ? sh : r;
}

/**
 * sh + v lay exactly halfway between r and r + 2e. The exact sum is sh + v + err with
 * err = sl + q - v, so it lies beyond the midpoint exactly when err has e's sign.
 */
function breakTie(r: number, e: number, sl: number, q: number, v: number): number {
  const w = v - sl;
  const err = sl - (v - w) + (q - w);
  return err !== 0 && err > 0 === e > 0 ? r + 2 * e : r;
}
