// The fused trainer's kernels, in AssemblyScript (compiled by scripts/build-wasm.ts into
// src/ml/fused/kernel.wasm.ts). Plain pointers into one imported memory, no runtime, no
// allocation: the TypeScript side (src/ml/fused/) lays out the buffers once per run and
// calls these functions with their addresses.
//
// Layouts (floats are f32):
// - x: features sample-contiguous, x[k * xStride + i] is feature k of sample i, with 8
//   readable floats past the last row; y: one label per sample, with the same padding.
// - params: PyTorch's parameters() flattened: weight (out × in, row-major) then bias, layer
//   by layer; a gradient slot has the same layout.
// - scratch (per thread): each layer's activations for one block (out × BLOCK), then two
//   BLOCK-wide gradient buffers of the widest layer.
//
// Determinism: a batch is cut into blocks of BLOCK samples counted from the batch's start.
// A block's gradient and loss are computed alone (lanes of four samples, then a fixed
// horizontal sum) and blocks are folded in order, so the result does not depend on which
// thread computed which block. No operation here depends on the host: no fused
// multiply-add, no relaxed SIMD, and exp/log are the polynomials below.

const BLOCK: i32 = 256;

const SIGMOID: i32 = 0;
const RELU: i32 = 1;
const TANH: i32 = 2;
/** Loss kinds: 0 is BCE, anything else MSE. */
const BCE: i32 = 0;

let layers: i32 = 0;
let activation: i32 = 0;
let lossKind: i32 = 0;
let sizes: usize = 0;
let params: usize = 0;
let xPtr: usize = 0;
let xStride: i32 = 0;
let yPtr: usize = 0;
let paramCount: i32 = 0;
let widest: i32 = 0;

// SIMD constants. V8 builds a v128.const from immediates with several instructions at every
// use and does not hoist it out of loops, while reading a global is one load; these are
// globals set by `configure` (written at run time, so binaryen cannot fold them back into
// constants). Zero splats stay literal: V8 makes them with one xor.
let ONE: v128 = v128.splat<i32>(0);
let EXP_MIN: v128 = v128.splat<i32>(0);
let EXP_MAX: v128 = v128.splat<i32>(0);
let LOG2E: v128 = v128.splat<i32>(0);
let ROUNDER: v128 = v128.splat<i32>(0);
let ROUNDER_BITS: v128 = v128.splat<i32>(0);
let LN2_HI: v128 = v128.splat<i32>(0);
let LN2_LO: v128 = v128.splat<i32>(0);
let EXP_P0: v128 = v128.splat<i32>(0);
let EXP_P1: v128 = v128.splat<i32>(0);
let EXP_P2: v128 = v128.splat<i32>(0);
let EXP_P3: v128 = v128.splat<i32>(0);
let EXP_P4: v128 = v128.splat<i32>(0);
let EXP_P5: v128 = v128.splat<i32>(0);
let BIAS: v128 = v128.splat<i32>(0);
let MIN_NORMAL: v128 = v128.splat<i32>(0);
let TWO_23: v128 = v128.splat<i32>(0);
let SHIFT_23: v128 = v128.splat<i32>(0);
let MANTISSA: v128 = v128.splat<i32>(0);
let ONE_BITS: v128 = v128.splat<i32>(0);
let SQRT2: v128 = v128.splat<i32>(0);
let HALF: v128 = v128.splat<i32>(0);
let LOG_P0: v128 = v128.splat<i32>(0);
let LOG_P1: v128 = v128.splat<i32>(0);
let LOG_P2: v128 = v128.splat<i32>(0);
let LOG_P3: v128 = v128.splat<i32>(0);
let LOG_P4: v128 = v128.splat<i32>(0);
let LOG_P5: v128 = v128.splat<i32>(0);
let LOG_P6: v128 = v128.splat<i32>(0);
let LOG_P7: v128 = v128.splat<i32>(0);
let LOG_P8: v128 = v128.splat<i32>(0);
let MINUS_HALF: v128 = v128.splat<i32>(0);
let NEG_INF: v128 = v128.splat<i32>(0);
let LOSS_FLOOR: v128 = v128.splat<i32>(0);
let BCE_EPS: v128 = v128.splat<i32>(0);
let LANES: v128 = v128.splat<i32>(0);

function setConstants(): void {
  ONE = f32x4.splat(1.0);
  EXP_MIN = f32x4.splat(-104.0);
  EXP_MAX = f32x4.splat(89.0);
  LOG2E = f32x4.splat(1.44269504088896341);
  ROUNDER = f32x4.splat(12582912.0);
  ROUNDER_BITS = i32x4.splat(0x4b400000);
  LN2_HI = f32x4.splat(0.693359375);
  LN2_LO = f32x4.splat(-2.12194440e-4);
  EXP_P0 = f32x4.splat(1.9875691500e-4);
  EXP_P1 = f32x4.splat(1.3981999507e-3);
  EXP_P2 = f32x4.splat(8.3334519073e-3);
  EXP_P3 = f32x4.splat(4.1665795894e-2);
  EXP_P4 = f32x4.splat(1.6666665459e-1);
  EXP_P5 = f32x4.splat(5.0000001201e-1);
  BIAS = i32x4.splat(127);
  MIN_NORMAL = f32x4.splat(1.17549435e-38);
  TWO_23 = f32x4.splat(8388608.0);
  SHIFT_23 = i32x4.splat(23);
  MANTISSA = i32x4.splat(0x007fffff);
  ONE_BITS = i32x4.splat(0x3f800000);
  SQRT2 = f32x4.splat(1.41421356);
  HALF = f32x4.splat(0.5);
  LOG_P0 = f32x4.splat(7.0376836292e-2);
  LOG_P1 = f32x4.splat(-1.1514610310e-1);
  LOG_P2 = f32x4.splat(1.1676998740e-1);
  LOG_P3 = f32x4.splat(-1.2420140846e-1);
  LOG_P4 = f32x4.splat(1.4249322787e-1);
  LOG_P5 = f32x4.splat(-1.6668057665e-1);
  LOG_P6 = f32x4.splat(2.0000714765e-1);
  LOG_P7 = f32x4.splat(-2.4999993993e-1);
  LOG_P8 = f32x4.splat(3.3333331174e-1);
  MINUS_HALF = f32x4.splat(-0.5);
  NEG_INF = f32x4.splat(-Infinity);
  LOSS_FLOOR = f32x4.splat(-100.0);
  BCE_EPS = f32x4.splat(1e-12);
  LANES = i32x4(0, 1, 2, 3);
}

/**
 * Binds the network and the data: `layerCount` dense layers whose sizes (input first) are
 * the i32 at `sizesPtr`, hidden `act` (0 sigmoid, 1 relu, 2 tanh), `loss` (0 bce, 1 mse).
 */
export function configure(
  layerCount: i32,
  act: i32,
  loss: i32,
  sizesPtr: usize,
  paramsPtr: usize,
  x: usize,
  stride: i32,
  y: usize,
): void {
  setConstants();
  layers = layerCount;
  activation = act;
  lossKind = loss;
  sizes = sizesPtr;
  params = paramsPtr;
  xPtr = x;
  xStride = stride;
  yPtr = y;
  let count = 0;
  let wide = 0;
  for (let l = 0; l < layerCount; l++) {
    const nIn = size(l);
    const nOut = size(l + 1);
    count += nOut * nIn + nOut;
    if (nOut > wide) wide = nOut;
  }
  paramCount = count;
  widest = wide;
}

/** Samples per block. */
export function blockSize(): i32 {
  return BLOCK;
}

/** Floats in a parameter vector (and a gradient slot). */
export function parameterCount(): i32 {
  return paramCount;
}

/** Bytes of one thread's scratch. */
export function scratchBytes(): i32 {
  return (actFloats() + 2 * widest * BLOCK) << 2;
}

@inline function size(l: i32): i32 {
  return load<i32>(sizes + (<usize>l << 2));
}

/** Floats of all layers' activations for one block. */
function actFloats(): i32 {
  let n = 0;
  for (let l = 1; l <= layers; l++) n += size(l) * BLOCK;
  return n;
}

/** Byte offset of layer l's weight in a parameter vector. */
function weightOffset(l: i32): usize {
  let off = 0;
  for (let j = 0; j < l; j++) off += size(j + 1) * size(j) + size(j + 1);
  return <usize>off << 2;
}

/** Byte offset of layer l's activations in the scratch. */
function actOffset(l: i32): usize {
  let off = 0;
  for (let j = 1; j <= l; j++) off += size(j) * BLOCK;
  return <usize>off << 2;
}

// ---- exp, log, sigmoid, tanh --------------------------------------------------------

/**
 * e^x for four f32: x = k ln2 + r (Cody and Waite's two-part ln2, |r| <= ln2/2), e^r by
 * Cephes' expf polynomial, times 2^k applied as two halves so that results down to the
 * subnormals and up to overflow come out right. Within 2 ulp of e^x. k is rounded by
 * adding 1.5 · 2^23, which leaves it, as an integer, in the sum's low bits.
 */
@inline function exp4(x: v128): v128 {
  const c = f32x4.pmin(f32x4.pmax(x, EXP_MIN), EXP_MAX);
  const shifted = f32x4.add(f32x4.mul(c, LOG2E), ROUNDER);
  const k = f32x4.sub(shifted, ROUNDER);
  let r = f32x4.sub(c, f32x4.mul(k, LN2_HI));
  r = f32x4.sub(r, f32x4.mul(k, LN2_LO));
  const r2 = f32x4.mul(r, r);
  let p = EXP_P0;
  p = f32x4.add(f32x4.mul(p, r), EXP_P1);
  p = f32x4.add(f32x4.mul(p, r), EXP_P2);
  p = f32x4.add(f32x4.mul(p, r), EXP_P3);
  p = f32x4.add(f32x4.mul(p, r), EXP_P4);
  p = f32x4.add(f32x4.mul(p, r), EXP_P5);
  p = f32x4.add(f32x4.add(f32x4.mul(p, r2), r), ONE);
  const ki = i32x4.sub(shifted, ROUNDER_BITS);
  const k1 = i32x4.shr_s(ki, 1);
  const k2 = i32x4.sub(ki, k1);
  const s1 = i32x4.shl(i32x4.add(k1, BIAS), 23);
  const s2 = i32x4.shl(i32x4.add(k2, BIAS), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/**
 * ln x for four positive f32 (0 gives -Infinity): x = 2^e m with m in [√½, √2), then
 * Cephes' logf polynomial in f = m - 1 and the two-part ln2. Within 2 ulp of ln x.
 */
@inline function log4(x: v128): v128 {
  // Subnormals are scaled into the normal range first.
  const tiny = f32x4.lt(x, MIN_NORMAL);
  const xs = v128.bitselect(f32x4.mul(x, TWO_23), x, tiny);
  const bits = xs;
  let e = i32x4.sub(i32x4.shr_u(bits, 23), BIAS);
  e = i32x4.sub(e, v128.and(tiny, SHIFT_23));
  let m = v128.or(v128.and(bits, MANTISSA), ONE_BITS);
  const big = f32x4.gt(m, SQRT2);
  m = v128.bitselect(f32x4.mul(m, HALF), m, big);
  e = i32x4.sub(e, big); // a true lane is -1
  const fe = f32x4.convert_i32x4_s(e);
  const f = f32x4.sub(m, ONE);
  const z = f32x4.mul(f, f);
  let y = LOG_P0;
  y = f32x4.add(f32x4.mul(y, f), LOG_P1);
  y = f32x4.add(f32x4.mul(y, f), LOG_P2);
  y = f32x4.add(f32x4.mul(y, f), LOG_P3);
  y = f32x4.add(f32x4.mul(y, f), LOG_P4);
  y = f32x4.add(f32x4.mul(y, f), LOG_P5);
  y = f32x4.add(f32x4.mul(y, f), LOG_P6);
  y = f32x4.add(f32x4.mul(y, f), LOG_P7);
  y = f32x4.add(f32x4.mul(y, f), LOG_P8);
  y = f32x4.mul(f32x4.mul(y, f), z);
  y = f32x4.add(y, f32x4.mul(fe, LN2_LO));
  y = f32x4.add(y, f32x4.mul(z, MINUS_HALF));
  let r = f32x4.add(f, y);
  r = f32x4.add(r, f32x4.mul(fe, LN2_HI));
  return v128.bitselect(NEG_INF, r, f32x4.eq(x, f32x4.splat(0.0)));
}

/** ln(1 - p) for four p in [0, 1], as log1p(-p): ln u corrected by the rounding of u = 1 - p. */
@inline function log1mp4(p: v128): v128 {
  const u = f32x4.sub(ONE, p);
  const lu = log4(u);
  // ln(1 - p) = ln u + ((1 - p) - u) / u, and (1 - p) - u = -((u - 1) + p) exactly.
  const fix = f32x4.div(f32x4.add(f32x4.sub(u, ONE), p), u);
  return v128.bitselect(lu, f32x4.sub(lu, fix), f32x4.eq(u, f32x4.splat(0.0)));
}

/** 1 / (1 + e^-z), as ATen's vectorised sigmoid writes it. */
@inline function sigmoid4(z: v128): v128 {
  return f32x4.div(ONE, f32x4.add(ONE, exp4(f32x4.neg(z))));
}

/** e^x for two f64 with |x| <= 88: x = k ln2 + r, a degree-12 Taylor polynomial in r, times 2^k. */
@inline function exp2d(x: v128): v128 {
  const k = f64x2.nearest(f64x2.mul(x, f64x2.splat(1.4426950408889634)));
  let r = f64x2.sub(x, f64x2.mul(k, f64x2.splat(6.93147180369123816490e-1)));
  r = f64x2.sub(r, f64x2.mul(k, f64x2.splat(1.90821492927058770002e-10)));
  let p = f64x2.splat(1.0 / 479001600.0);
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 39916800.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 3628800.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 362880.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 40320.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 5040.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 720.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 120.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 24.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 6.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  const ki = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k));
  return f64x2.mul(p, i64x2.shl(i64x2.add(ki, i64x2.splat(1023)), 52));
}

/**
 * tanh of two f64 (f32 inputs), rounded to f32 by the caller: sign · (1 - 2 / (e^2|z| + 1)),
 * and z (1 - z²/3) below 2^-12, where the first form would cancel.
 */
@inline function tanh2d(z: v128): v128 {
  const a = f64x2.abs(z);
  const e = exp2d(f64x2.min(f64x2.add(a, a), f64x2.splat(88.0)));
  const t = f64x2.sub(f64x2.splat(1.0), f64x2.div(f64x2.splat(2.0), f64x2.add(e, f64x2.splat(1.0))));
  const signed = v128.or(t, v128.and(z, i64x2.splat(0x8000000000000000)));
  const small = f64x2.mul(z, f64x2.sub(f64x2.splat(1.0), f64x2.div(f64x2.mul(z, z), f64x2.splat(3.0))));
  return v128.bitselect(small, signed, f64x2.lt(a, f64x2.splat(0.000244140625)));
}

/** tanh of four f32, each computed in f64 and rounded once. */
@inline function tanh4(z: v128): v128 {
  const lo = tanh2d(f64x2.promote_low_f32x4(z));
  const hi = tanh2d(f64x2.promote_low_f32x4(i32x4.shuffle(z, z, 2, 3, 0, 1)));
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/** The hidden activation `kind`, or the output's sigmoid (`output`). */
@inline function activate(z: v128, kind: i32): v128 {
  // relu: ATen's clamp_min(z, 0), z < 0 ? 0 : z.
  if (kind == RELU) return f32x4.pmax(z, f32x4.splat(0.0));
  if (kind == TANH) return tanh4(z);
  return sigmoid4(z);
}

/** dLoss/dz from dLoss/da for activations a = act(z), as ATen's backward formulas write it. */
@inline function derivative(da: v128, a: v128, kind: i32): v128 {
  if (kind == RELU) return v128.and(da, f32x4.gt(a, f32x4.splat(0.0)));
  if (kind == TANH) return f32x4.mul(da, f32x4.sub(ONE, f32x4.mul(a, a)));
  return f32x4.mul(f32x4.mul(da, f32x4.sub(ONE, a)), a);
}

/** (l0 + l2) + (l1 + l3): the one order a four-lane sum is taken in. */
@inline function hsum(v: v128): f32 {
  const t = f32x4.add(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(t, 0) + f32x4.extract_lane(t, 1);
}

// ---- forward ------------------------------------------------------------------------

/**
 * out[o][i] = act(b[o] + Σ_k w[o][k] in[k][i]) for i < n (a multiple of 8), the sum taken
 * from the bias on in order of k (as reference BLAS accumulates). Four outputs by eight
 * samples at a time.
 */
function forwardLayer(inp: usize, inStride: i32, w: usize, b: usize, nIn: i32, nOut: i32, out: usize, n: i32, kind: i32): void {
  const rowIn = <usize>inStride << 2;
  const wRow = <usize>nIn << 2;
  let o = 0;
  for (; o + 4 <= nOut; o += 4) {
    const w0 = w + <usize>o * wRow;
    const out0 = out + (<usize>(o * BLOCK) << 2);
    for (let i = 0; i < n; i += 8) {
      const ib = <usize>i << 2;
      let a0 = v128.load32_splat(b + (<usize>o << 2));
      let a1 = v128.load32_splat(b + (<usize>o << 2), 4);
      let a2 = v128.load32_splat(b + (<usize>o << 2), 8);
      let a3 = v128.load32_splat(b + (<usize>o << 2), 12);
      let c0 = a0;
      let c1 = a1;
      let c2 = a2;
      let c3 = a3;
      let src = inp + ib;
      let wk = w0;
      for (let k = 0; k < nIn; k++) {
        const x0 = v128.load(src);
        const x1 = v128.load(src, 16);
        const v0 = v128.load32_splat(wk);
        const v1 = v128.load32_splat(wk + wRow);
        const v2 = v128.load32_splat(wk + 2 * wRow);
        const v3 = v128.load32_splat(wk + 3 * wRow);
        a0 = f32x4.add(a0, f32x4.mul(v0, x0));
        c0 = f32x4.add(c0, f32x4.mul(v0, x1));
        a1 = f32x4.add(a1, f32x4.mul(v1, x0));
        c1 = f32x4.add(c1, f32x4.mul(v1, x1));
        a2 = f32x4.add(a2, f32x4.mul(v2, x0));
        c2 = f32x4.add(c2, f32x4.mul(v2, x1));
        a3 = f32x4.add(a3, f32x4.mul(v3, x0));
        c3 = f32x4.add(c3, f32x4.mul(v3, x1));
        src += rowIn;
        wk += 4;
      }
      const dst = out0 + ib;
      const row = <usize>BLOCK << 2;
      v128.store(dst, activate(a0, kind));
      v128.store(dst, activate(c0, kind), 16);
      v128.store(dst + row, activate(a1, kind));
      v128.store(dst + row, activate(c1, kind), 16);
      v128.store(dst + 2 * row, activate(a2, kind));
      v128.store(dst + 2 * row, activate(c2, kind), 16);
      v128.store(dst + 3 * row, activate(a3, kind));
      v128.store(dst + 3 * row, activate(c3, kind), 16);
    }
  }
  for (; o < nOut; o++) {
    const wo = w + <usize>o * wRow;
    const outo = out + (<usize>(o * BLOCK) << 2);
    for (let i = 0; i < n; i += 8) {
      const ib = <usize>i << 2;
      let a0 = v128.load32_splat(b + (<usize>o << 2));
      let c0 = a0;
      let src = inp + ib;
      for (let k = 0; k < nIn; k++) {
        const v = v128.load32_splat(wo + (<usize>k << 2));
        a0 = f32x4.add(a0, f32x4.mul(v, v128.load(src)));
        c0 = f32x4.add(c0, f32x4.mul(v, v128.load(src, 16)));
        src += rowIn;
      }
      v128.store(outo + ib, activate(a0, kind));
      v128.store(outo + ib, activate(c0, kind), 16);
    }
  }
}

/** The forward pass of samples [s, s + n8) into the scratch's activations. */
function forward(scratch: usize, s: i32, n8: i32): void {
  let inp = xPtr + (<usize>s << 2);
  let stride = xStride;
  let w = params;
  for (let l = 0; l < layers; l++) {
    const nIn = size(l);
    const nOut = size(l + 1);
    const out = scratch + actOffset(l);
    const b = w + (<usize>(nOut * nIn) << 2);
    forwardLayer(inp, stride, w, b, nIn, nOut, out, n8, l == layers - 1 ? SIGMOID : activation);
    w = b + (<usize>nOut << 2);
    inp = out;
    stride = BLOCK;
  }
}

// ---- backward -----------------------------------------------------------------------

/**
 * gw[o][k] = Σ_i dz[o][i] in[k][i] and gb[o] = Σ_i dz[o][i] over i < n (a multiple of 4;
 * dz is zero past the block's samples): four lanes accumulated in order of i, then hsum.
 * Two outputs by four inputs at a time.
 */
function weightGrads(dz: usize, inp: usize, inStride: i32, nIn: i32, nOut: i32, gw: usize, gb: usize, n: i32): void {
  const rowIn = <usize>inStride << 2;
  const row = <usize>BLOCK << 2;
  const gwRow = <usize>nIn << 2;
  let o = 0;
  for (; o + 2 <= nOut; o += 2) {
    const d0 = dz + <usize>o * row;
    const d1 = d0 + row;
    let k = 0;
    for (; k + 4 <= nIn; k += 4) {
      const x0 = inp + <usize>k * rowIn;
      let a00 = f32x4.splat(0);
      let a01 = a00;
      let a02 = a00;
      let a03 = a00;
      let a10 = a00;
      let a11 = a00;
      let a12 = a00;
      let a13 = a00;
      for (let i = 0; i < n; i += 4) {
        const ib = <usize>i << 2;
        const e0 = v128.load(d0 + ib);
        const e1 = v128.load(d1 + ib);
        const v0 = v128.load(x0 + ib);
        const v1 = v128.load(x0 + rowIn + ib);
        const v2 = v128.load(x0 + 2 * rowIn + ib);
        const v3 = v128.load(x0 + 3 * rowIn + ib);
        a00 = f32x4.add(a00, f32x4.mul(e0, v0));
        a01 = f32x4.add(a01, f32x4.mul(e0, v1));
        a02 = f32x4.add(a02, f32x4.mul(e0, v2));
        a03 = f32x4.add(a03, f32x4.mul(e0, v3));
        a10 = f32x4.add(a10, f32x4.mul(e1, v0));
        a11 = f32x4.add(a11, f32x4.mul(e1, v1));
        a12 = f32x4.add(a12, f32x4.mul(e1, v2));
        a13 = f32x4.add(a13, f32x4.mul(e1, v3));
      }
      const g0 = gw + <usize>o * gwRow + (<usize>k << 2);
      store<f32>(g0, hsum(a00));
      store<f32>(g0, hsum(a01), 4);
      store<f32>(g0, hsum(a02), 8);
      store<f32>(g0, hsum(a03), 12);
      store<f32>(g0 + gwRow, hsum(a10));
      store<f32>(g0 + gwRow, hsum(a11), 4);
      store<f32>(g0 + gwRow, hsum(a12), 8);
      store<f32>(g0 + gwRow, hsum(a13), 12);
    }
    for (; k < nIn; k++) {
      const xk = inp + <usize>k * rowIn;
      let a0 = f32x4.splat(0);
      let a1 = a0;
      for (let i = 0; i < n; i += 4) {
        const ib = <usize>i << 2;
        const v = v128.load(xk + ib);
        a0 = f32x4.add(a0, f32x4.mul(v128.load(d0 + ib), v));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(d1 + ib), v));
      }
      store<f32>(gw + <usize>o * gwRow + (<usize>k << 2), hsum(a0));
      store<f32>(gw + <usize>(o + 1) * gwRow + (<usize>k << 2), hsum(a1));
    }
  }
  for (; o < nOut; o++) {
    const d0 = dz + <usize>o * row;
    for (let k = 0; k < nIn; k++) {
      const xk = inp + <usize>k * rowIn;
      let a0 = f32x4.splat(0);
      for (let i = 0; i < n; i += 4) {
        const ib = <usize>i << 2;
        a0 = f32x4.add(a0, f32x4.mul(v128.load(d0 + ib), v128.load(xk + ib)));
      }
      store<f32>(gw + <usize>o * gwRow + (<usize>k << 2), hsum(a0));
    }
  }
  for (o = 0; o < nOut; o++) {
    const d0 = dz + <usize>o * row;
    let a0 = f32x4.splat(0);
    for (let i = 0; i < n; i += 4) a0 = f32x4.add(a0, v128.load(d0 + (<usize>i << 2)));
    store<f32>(gb + (<usize>o << 2), hsum(a0));
  }
}

/**
 * The gradient for the layer below: dzIn[k][i] = act'(Σ_o w[o][k] dz[o][i]), the sum in
 * order of o, for i < n (a multiple of 8). Four inputs by eight samples at a time.
 */
function inputGrads(dz: usize, w: usize, nIn: i32, nOut: i32, a: usize, dzIn: usize, n: i32, kind: i32): void {
  const row = <usize>BLOCK << 2;
  const wRow = <usize>nIn << 2;
  let k = 0;
  for (; k + 4 <= nIn; k += 4) {
    for (let i = 0; i < n; i += 8) {
      const ib = <usize>i << 2;
      let a0 = f32x4.splat(0);
      let a1 = a0;
      let a2 = a0;
      let a3 = a0;
      let c0 = a0;
      let c1 = a0;
      let c2 = a0;
      let c3 = a0;
      let wk = w + (<usize>k << 2);
      let d = dz + ib;
      for (let o = 0; o < nOut; o++) {
        const e0 = v128.load(d);
        const e1 = v128.load(d, 16);
        // Broadcasts from memory: the load ports, not the one shuffle port.
        const v0 = v128.load32_splat(wk);
        const v1 = v128.load32_splat(wk, 4);
        const v2 = v128.load32_splat(wk, 8);
        const v3 = v128.load32_splat(wk, 12);
        a0 = f32x4.add(a0, f32x4.mul(v0, e0));
        c0 = f32x4.add(c0, f32x4.mul(v0, e1));
        a1 = f32x4.add(a1, f32x4.mul(v1, e0));
        c1 = f32x4.add(c1, f32x4.mul(v1, e1));
        a2 = f32x4.add(a2, f32x4.mul(v2, e0));
        c2 = f32x4.add(c2, f32x4.mul(v2, e1));
        a3 = f32x4.add(a3, f32x4.mul(v3, e0));
        c3 = f32x4.add(c3, f32x4.mul(v3, e1));
        wk += wRow;
        d += row;
      }
      const at = <usize>k * row + ib;
      const src = a + at;
      const dst = dzIn + at;
      v128.store(dst, derivative(a0, v128.load(src), kind));
      v128.store(dst, derivative(c0, v128.load(src, 16), kind), 16);
      v128.store(dst + row, derivative(a1, v128.load(src + row), kind));
      v128.store(dst + row, derivative(c1, v128.load(src + row, 16), kind), 16);
      v128.store(dst + 2 * row, derivative(a2, v128.load(src + 2 * row), kind));
      v128.store(dst + 2 * row, derivative(c2, v128.load(src + 2 * row, 16), kind), 16);
      v128.store(dst + 3 * row, derivative(a3, v128.load(src + 3 * row), kind));
      v128.store(dst + 3 * row, derivative(c3, v128.load(src + 3 * row, 16), kind), 16);
    }
  }
  for (; k < nIn; k++) {
    for (let i = 0; i < n; i += 8) {
      const ib = <usize>i << 2;
      let a0 = f32x4.splat(0);
      let c0 = a0;
      let wk = w + (<usize>k << 2);
      let d = dz + ib;
      for (let o = 0; o < nOut; o++) {
        const v = v128.load32_splat(wk);
        a0 = f32x4.add(a0, f32x4.mul(v, v128.load(d)));
        c0 = f32x4.add(c0, f32x4.mul(v, v128.load(d, 16)));
        wk += wRow;
        d += row;
      }
      const at = <usize>k * row + ib;
      v128.store(dzIn + at, derivative(a0, v128.load(a + at), kind));
      v128.store(dzIn + at, derivative(c0, v128.load(a + at, 16), kind), 16);
    }
  }
}

// ---- loss ---------------------------------------------------------------------------

/**
 * The loss terms of the block's samples [s, s + count) against y, summed in f64 (lanes in
 * order of i, then a fixed order), and dLoss/dz of the output into dz (zero past count).
 * `n` is the batch's sample count, by which PyTorch's mean reduction divides.
 */
function lossAndGrad(p: usize, s: i32, count: i32, n8: i32, n: i32, dz: usize): f64 {
  const nF = f32x4.splat(<f32>n);
  const twoOverN = f32x4.splat(<f32>(2.0 / <f64>n));
  let lo = f64x2.splat(0);
  let hi = lo;
  const y0 = yPtr + (<usize>s << 2);
  for (let i = 0; i < n8; i += 4) {
    const ib = <usize>i << 2;
    const pv = v128.load(p + ib);
    const yv = v128.load(y0 + ib);
    let term: v128;
    let dp: v128;
    if (lossKind == BCE) {
      // ATen: (y - 1) max(log1p(-p), -100) - y max(log p, -100);
      // backward (p - y) / max((1 - p) p, 1e-12), then / n. std::max(a, b) is
      // a < b ? b : a, which is pmax(a, b).
      const floor = LOSS_FLOOR;
      const isOne = f32x4.eq(yv, ONE);
      if (i32x4.all_true(v128.or(isOne, f32x4.eq(yv, f32x4.splat(0.0))))) {
        // Labels 0 and 1 (the usual case): the term is -max(log p, -100) for y = 1 and
        // -max(log1p(-p), -100) for y = 0, the same bits as the full formula (whose other
        // half is ±0), for one logarithm instead of two.
        const u = f32x4.sub(ONE, pv);
        const lq = log4(v128.bitselect(pv, u, isOne));
        const fix = f32x4.div(f32x4.add(f32x4.sub(u, ONE), pv), u);
        const keep = v128.andnot(f32x4.ne(u, f32x4.splat(0.0)), isOne);
        term = f32x4.neg(f32x4.pmax(f32x4.sub(lq, v128.and(fix, keep)), floor));
      } else {
        const logP = f32x4.pmax(log4(pv), floor);
        const log1mP = f32x4.pmax(log1mp4(pv), floor);
        term = f32x4.sub(f32x4.mul(f32x4.sub(yv, ONE), log1mP), f32x4.mul(yv, logP));
      }
      const denom = f32x4.pmax(f32x4.mul(f32x4.sub(ONE, pv), pv), BCE_EPS);
      dp = f32x4.div(f32x4.div(f32x4.sub(pv, yv), denom), nF);
    } else {
      // ATen: (p - y)²; backward (2 / n) (p - y).
      const diff = f32x4.sub(pv, yv);
      term = f32x4.mul(diff, diff);
      dp = f32x4.mul(twoOverN, diff);
    }
    const live = i32x4.lt_s(i32x4.add(i32x4.splat(i), LANES), i32x4.splat(count));
    term = v128.and(term, live);
    // The output's sigmoid backward, as ATen writes it: dp (1 - p) p.
    v128.store(dz + ib, v128.and(f32x4.mul(f32x4.mul(dp, f32x4.sub(ONE, pv)), pv), live));
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(term));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(term, term, 2, 3, 0, 1)));
  }
  const t = f64x2.add(lo, hi);
  return f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
}

// ---- a block, a batch ---------------------------------------------------------------

/**
 * One block: samples [s, s + count) of a batch of n samples (count <= BLOCK). Writes the
 * block's gradient (summed, not averaged: the loss's 1/n is already in dz) into `slot`
 * and returns the sum of its loss terms.
 */
export function block(scratch: usize, slot: usize, s: i32, count: i32, n: i32): f64 {
  const n8 = (count + 7) & ~7;
  forward(scratch, s, n8);
  const actBytes = <usize>actFloats() << 2;
  let dz = scratch + actBytes;
  let dzBelow = dz + (<usize>(widest * BLOCK) << 2);
  const loss = lossAndGrad(scratch + actOffset(layers - 1), s, count, n8, n, dz);
  for (let l = layers - 1; l >= 0; l--) {
    const nIn = size(l);
    const nOut = size(l + 1);
    const wOff = weightOffset(l);
    const bOff = wOff + (<usize>(nOut * nIn) << 2);
    const inp = l == 0 ? xPtr + (<usize>s << 2) : scratch + actOffset(l - 1);
    const stride = l == 0 ? xStride : BLOCK;
    weightGrads(dz, inp, stride, nIn, nOut, slot + wOff, slot + bOff, n8);
    if (l > 0) {
      inputGrads(dz, params + wOff, nIn, nOut, scratch + actOffset(l - 1), dzBelow, n8, activation);
      const t = dz;
      dz = dzBelow;
      dzBelow = t;
    }
  }
  return loss;
}

/** into[j] += from[j] for the parameter vector (four at a time; the tail one by one). */
export function accumulate(into: usize, from: usize): void {
  const n = paramCount;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const at = <usize>j << 2;
    v128.store(into + at, f32x4.add(v128.load(into + at), v128.load(from + at)));
  }
  for (; j < n; j++) {
    const at = <usize>j << 2;
    store<f32>(into + at, load<f32>(into + at) + load<f32>(from + at));
  }
}

/**
 * The gradient of the mean loss over samples [s, s + n) into `grad`, block by block on
 * this thread, each block added in order (the same sums as computing the blocks apart and
 * folding them in order); `slot` holds a block's gradient meanwhile. Stores the summed
 * loss terms, also folded in block order, as an f64 at `lossOut` (a returned double would
 * cost the caller a heap number).
 */
export function gradient(scratch: usize, grad: usize, slot: usize, s: i32, n: i32, lossOut: usize): void {
  let loss: f64 = 0;
  for (let b = 0; b < n; b += BLOCK) {
    const count = min(BLOCK, n - b);
    if (b == 0) {
      loss = block(scratch, grad, s, count, n);
    } else {
      loss += block(scratch, slot, s + b, count, n);
      accumulate(grad, slot);
    }
  }
  store<f64>(lossOut, loss);
}

/** Output probabilities of samples [s, s + count) (count <= BLOCK) into `out`. */
export function predict(scratch: usize, out: usize, s: i32, count: i32): void {
  forward(scratch, s, (count + 7) & ~7);
  memory.copy(out, scratch + actOffset(layers - 1), <usize>count << 2);
}

// ---- optimizers ---------------------------------------------------------------------

// The optimizer, configured once per run (`setSgd` or `setAdam`); `step` then takes no
// argument and returns nothing, so that a step passes no double through JavaScript (where
// each would be a heap number, i.e. garbage).
const SGD: i32 = 0;
let optimizer: i32 = 0;
let gradPtr: usize = 0;
let state0: usize = 0;
let state1: usize = 0;
let state2: usize = 0;
let lr: f64 = 0;
let beta1: f64 = 0;
let beta2: f64 = 0;
let momentum: f32 = 0;
let keep: f32 = 0;
let nesterov: bool = false;
let weightDecay: f32 = 0;
let eps: f32 = 0;
let amsgrad: bool = false;
let steps: i32 = 0;
// beta1^t and beta2^t as unevaluated sums hi + lo (double-double), multiplied by beta at
// each step: hi is then beta^t correctly rounded (the product's error, about t 2^-104
// relative, is far below half an ulp), which is what Python's `beta ** step` (C's pow)
// gives.
let pow1Hi: f64 = 1;
let pow1Lo: f64 = 0;
let pow2Hi: f64 = 1;
let pow2Lo: f64 = 0;

/** SGD on the parameter vector, with `grad` and the momentum buffer `buf` (a parameter vector each). */
export function setSgd(grad: usize, buf: usize, rate: f64, mom: f64, dampening: f64, nest: bool, wd: f64): void {
  optimizer = SGD;
  gradPtr = grad;
  state0 = buf;
  lr = rate;
  momentum = <f32>mom;
  keep = <f32>(1.0 - dampening);
  nesterov = nest;
  weightDecay = <f32>wd;
  steps = 0;
}

/** Adam on the parameter vector, with `grad` and the moments m, v and vmax (a parameter vector each). */
export function setAdam(grad: usize, m: usize, v: usize, vmax: usize, rate: f64, b1: f64, b2: f64, epsilon: f64, wd: f64, ams: bool): void {
  optimizer = 1;
  gradPtr = grad;
  state0 = m;
  state1 = v;
  state2 = vmax;
  lr = rate;
  beta1 = b1;
  beta2 = b2;
  eps = <f32>epsilon;
  weightDecay = <f32>wd;
  amsgrad = ams;
  steps = 0;
  pow1Hi = 1;
  pow1Lo = 0;
  pow2Hi = 1;
  pow2Lo = 0;
}

/** One optimizer step from the gradient. */
export function step(): void {
  steps++;
  if (optimizer == SGD) {
    sgd(steps == 1);
    return;
  }
  pow1Hi = mulHi(pow1Hi, pow1Lo, beta1);
  pow1Lo = mulLo;
  pow2Hi = mulHi(pow2Hi, pow2Lo, beta2);
  pow2Lo = mulLo;
  // As torch.optim.Adam computes them, in Python floats (doubles).
  const stepSize = lr / (1.0 - pow1Hi);
  const bc2Sqrt = sqrt<f64>(1.0 - pow2Hi);
  adam(<f32>-stepSize, <f32>bc2Sqrt);
}

/** The low part of the last `mulHi`. */
let mulLo: f64 = 0;

/**
 * (hi + lo) b as a double-double: Dekker's exact product of hi and b (Veltkamp's splits),
 * plus lo b, renormalised. Returns the high part; the low part is left in `mulLo`.
 */
function mulHi(hi: f64, lo: f64, b: f64): f64 {
  const p = hi * b;
  const ch = 134217729.0 * hi;
  const hh = ch - (ch - hi);
  const hl = hi - hh;
  const cb = 134217729.0 * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  const e = hh * bh - p + hh * bl + hl * bh + hl * bl + lo * b;
  const s = p + e;
  mulLo = e - (s - p);
  return s;
}

/**
 * fma(a, b, c) in f32, correctly rounded: a b is exact in f64, the sum is rounded to odd
 * (exact sum by TwoSum, last bit forced to 1 when inexact), and an f64 rounded to odd
 * rounds to f32 as the exact value would. PyTorch's CPU kernels fuse `a + alpha * b`.
 */
@inline function fma32(a: f32, b: f32, c: f32): f32 {
  const ab = <f64>a * <f64>b;
  const cd = <f64>c;
  const s = ab + cd;
  const bv = s - ab;
  const err = (ab - (s - bv)) + (cd - bv);
  let bits = reinterpret<i64>(s);
  if (err != 0 && (bits & 1) == 0) bits += (err > 0) == (s > 0) ? 1 : -1;
  return <f32>reinterpret<f64>(bits);
}

/**
 * torch.optim.SGD's step (PyTorch 1.13, single-tensor path) over the parameter vector,
 * with every scalar cast to f32 as PyTorch casts it: g += wd p; buf = g on the first
 * step, else buf = momentum buf + (1 - dampening) g; g = g + momentum buf (nesterov) or
 * buf; p += -lr g.
 */
function sgd(first: bool): void {
  const negLr = <f32>-lr;
  for (let j = 0; j < paramCount; j++) {
    const at = <usize>j << 2;
    const p = load<f32>(params + at);
    let g = load<f32>(gradPtr + at);
    if (weightDecay != 0) g = fma32(p, weightDecay, g);
    if (momentum != 0) {
      const b = first ? g : fma32(g, keep, load<f32>(state0 + at) * momentum);
      store<f32>(state0 + at, b);
      g = nesterov ? fma32(b, momentum, g) : b;
    }
    store<f32>(params + at, fma32(g, negLr, p));
  }
}

/**
 * torch.optim.Adam's step (PyTorch 1.13, single-tensor path): g += wd p;
 * m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g g; vmax = max(vmax, v) (amsgrad);
 * p += (-stepSize m) / (sqrt(v or vmax) / bc2Sqrt + eps).
 */
function adam(negStepSize: f32, bc2Sqrt: f32): void {
  const b1 = <f32>beta1;
  const oneMinusB1 = <f32>(1.0 - beta1);
  const b2 = <f32>beta2;
  const oneMinusB2 = <f32>(1.0 - beta2);
  for (let j = 0; j < paramCount; j++) {
    const at = <usize>j << 2;
    const p = load<f32>(params + at);
    let g = load<f32>(gradPtr + at);
    if (weightDecay != 0) g = fma32(p, weightDecay, g);
    const mj = fma32(g, oneMinusB1, load<f32>(state0 + at) * b1);
    let vj = fma32(oneMinusB2 * g, g, load<f32>(state1 + at) * b2);
    store<f32>(state0 + at, mj);
    store<f32>(state1 + at, vj);
    if (amsgrad) {
      vj = max(load<f32>(state2 + at), vj);
      store<f32>(state2 + at, vj);
    }
    const denom = sqrt<f32>(vj) / bc2Sqrt + eps;
    store<f32>(params + at, p + (negStepSize * mj) / denom);
  }
}
