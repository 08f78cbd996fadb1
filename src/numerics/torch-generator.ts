/**
 * PyTorch's default CPU generator (`at::CPUGeneratorImpl` over `at::mt19937`) as
 * `torch.manual_seed(seed)` leaves it, and the float32 `Tensor.uniform_` kernel that
 * draws from it, reproduced bit for bit.
 */
import { MT19937 } from './mt19937.ts';

/** A seed as `torch.manual_seed` accepts it: an integer in [-2^63, 2^64). */
export type TorchSeed = number | bigint;

/** Options of a {@link TorchGenerator}. */
export interface TorchGeneratorOptions {
  /**
   * Whether `uniform` computes `x * (to - from) + from` as one fused multiply-add
   * (default `true`). PyTorch's x86 wheels run the uniform kernel compiled for AVX2 or
   * AVX-512 with `-mfma`, where the compiler contracts the expression; that is what the
   * reference fixtures show. `false` rounds the product first, as a build without FMA
   * contraction does (the values printed by the original seed experiment).
   */
  fusedMultiplyAdd?: boolean;
}

const FLOAT32_MAX = 3.4028234663852886e38;
const WORD_MASK_24 = 0xffffff;
const TWO_POW_MINUS_24 = 2 ** -24;

/**
 * The uint64 that `torch.manual_seed(seed)` stores (and `torch.initial_seed()` returns):
 * `unpack_uint64` in `torch/csrc/Generator.cpp` takes [0, 2^64) as is and reinterprets
 * a negative int64 as its two's complement; anything else is an overflow error.
 */
export function torchSeedToUint64(seed: TorchSeed): bigint {
  if (typeof seed === 'number' && !Number.isInteger(seed)) {
    throw new RangeError(`torch seed must be an integer, got ${seed}`);
  }
  const value = BigInt(seed);
  if (value < -(1n << 63n) || value >= 1n << 64n) {
    throw new RangeError(`torch seed must be in [-2^63, 2^64), got ${value}`);
  }
  return BigInt.asUintN(64, value);
}

/** `torch.manual_seed(seed)` followed by draws from the default CPU generator. */
export class TorchGenerator {
  /** The seed as PyTorch stores it: `torch.initial_seed()`. */
  readonly initialSeed: bigint;
  private readonly engine: MT19937;
  private readonly fused: boolean;

  constructor(seed: TorchSeed, options: TorchGeneratorOptions = {}) {
    this.initialSeed = torchSeedToUint64(seed);
    // at::mt19937::init_with_uint32: `state_[0] = seed & 0xffffffff`, so only the low
    // 32 bits of the uint64 seed reach the engine (seeds 2 and 2^32 + 2 are the same).
    this.engine = new MT19937(Number(this.initialSeed & 0xffffffffn));
    this.fused = options.fusedMultiplyAdd ?? true;
  }

  /** `CPUGeneratorImpl::random()`: the next 32-bit word of the engine. */
  random(): number {
    return this.engine.nextUint32();
  }

  /**
   * `torch.empty(count).uniform_(from, to)` for float32 on CPU: one 32-bit word per
   * element, in memory order. Per element (`transformation::uniform_real<float>`):
   * `x = (word & (2^24 - 1)) * 2^-24`, `value = x * (to - from) + from` in float32 with
   * `from`, `to` first cast to float32; a value that rounded up to `to` becomes `from`.
   */
  uniform(count: number, from: number, to: number): number[] {
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`uniform count must be a non-negative integer, got ${count}`);
    }
    checkUniformBounds(from, to);
    const lo = Math.fround(from);
    const hi = Math.fround(to);
    const range = Math.fround(hi - lo);
    const out = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      // 24 bits scaled by 2^-24: exact in float32, and x * range is exact in double.
      const x = (this.random() & WORD_MASK_24) * TWO_POW_MINUS_24;
      const value = this.fused ? fmaF32(x, range, lo) : Math.fround(Math.fround(x * range) + lo);
      // Recent uniform_kernel (native/cpu/DistributionTemplates.h) keeps [from, to) half-open
      // this way. It never fires for symmetric bounds such as nn.Linear's.
      out[i] = value === hi ? lo : value;
    }
    return out;
  }
}

/** The argument checks of `uniform_impl_` (native/DistributionTemplates.h) and `uniform_real_distribution`. */
function checkUniformBounds(from: number, to: number): void {
  for (const [name, v] of [['from', from], ['to', to]] as const) {
    if (!(v >= -FLOAT32_MAX && v <= FLOAT32_MAX)) {
      throw new RangeError(`uniform_: ${name}=${v} is out of bounds for float32`);
    }
  }
  if (!(from <= to)) throw new RangeError(`uniform_ expects from <= to, got from=${from} > to=${to}`);
  // First in double (uniform_impl_), then in float32 after the casts (the distribution's constructor).
  if (!(to - from <= FLOAT32_MAX) || !(Math.fround(Math.fround(to) - Math.fround(from)) <= FLOAT32_MAX)) {
    throw new RangeError(`uniform_ expects to - from <= float32 max, got from=${from}, to=${to}`);
  }
}

const scratch = new DataView(new ArrayBuffer(8));

/**
 * The correctly rounded float32 `a * b + c` of three float32 values: what one FMA
 * instruction computes. The product is exact in double; the sum is made exact as
 * `s + err` (TwoSum), rounded to odd in double, then to float32. Rounding to odd first
 * is what keeps the second rounding from going wrong when `s` lands exactly halfway
 * between two float32 values (Boldo & Melquiond, 2008: needs 53 >= 24 + 2 bits).
 */
export function fmaF32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const t = s - p;
  const err = p - (s - t) + (c - t);
  // err is NaN only for non-finite operands, where s is already the IEEE answer.
  if (err === 0 || Number.isNaN(err)) return Math.fround(s);
  return Math.fround(roundToOdd(s, err));
}

/** Of the two doubles around the exact `s + err` (err a nonzero TwoSum residue), the one whose last bit is 1. */
function roundToOdd(s: number, err: number): number {
  scratch.setFloat64(0, s);
  const lo = scratch.getUint32(4);
  if (lo & 1) return s;
  // s is even: step its bit pattern (a magnitude) one unit towards s + err.
  if (err > 0 === s > 0) {
    scratch.setUint32(4, lo + 1); // lo is even: no carry
  } else if (lo !== 0) {
    scratch.setUint32(4, lo - 1);
  } else {
    scratch.setUint32(0, scratch.getUint32(0) - 1);
    scratch.setUint32(4, 0xffffffff);
  }
  return scratch.getFloat64(0);
}
