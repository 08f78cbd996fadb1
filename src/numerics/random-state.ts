/**
 * NumPy's legacy `numpy.random.RandomState`, bit for bit: the same seeding, the same
 * use of the MT19937 stream, the same arithmetic in each distribution (numpy/random:
 * mtrand.pyx, _mt19937.pyx, _bounded_integers.pyx.in, src/distributions/distributions.c,
 * src/legacy/legacy-distributions.c). Only what the project needs is here.
 */
import { glibcLog } from './glibc-log.ts';
import { MT19937, NORMAL_PAIRS } from './mt19937.ts';

/** An integer in [0, 2^32 - 1], or a non-empty list of them (NumPy's `init_by_array` path). */
export type Seed = number | readonly number[];

/** A shape: one length, or the lengths of each axis (C order). */
export type Size = number | readonly number[];

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;
const MAX_SEED = 0xffffffff;
/** Swap partners drawn at a time by `shuffle`. */
const SHUFFLE_CHUNK = 4096;

/** The legacy generator: MT19937 plus the cached second value of the polar method. */
export class RandomState {
  private readonly mt = new MT19937();
  private hasGauss = false;
  private gauss_ = 0;

  constructor(seed: Seed) {
    this.seed(seed);
  }

  /** Reseeds exactly as `RandomState.seed(seed)` / `MT19937._legacy_seeding`, and drops any cached normal. */
  seed(seed: Seed): void {
    if (typeof seed === 'number') {
      this.mt.seed(checkSeedWord(seed));
    } else {
      if (!Array.isArray(seed)) throw new TypeError(`Seed must be an integer or an array of integers, got ${String(seed)}`);
      if (seed.length === 0) throw new RangeError('Seed must be non-empty');
      if (seed.some((s) => Array.isArray(s))) throw new RangeError('Seed array must be 1-d');
      this.mt.initByArray(seed.map(checkSeedWord));
    }
    this.hasGauss = false;
    this.gauss_ = 0;
  }

  /** A double in [0, 1) with 53 random bits (`random_sample`, `legacy_double`). */
  randomSample(): number {
    const a = this.mt.nextUint32() >>> 5;
    const b = this.mt.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * A standard normal by the polar method (`legacy_gauss`): each accepted pair yields
   * two values, the second cached for the next call. `log` is glibc's (see glibc-log.ts).
   */
  gauss(): number {
    if (this.hasGauss) {
      const cached = this.gauss_;
      this.hasGauss = false;
      this.gauss_ = 0;
      return cached;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.randomSample() - 1;
      x2 = 2 * this.randomSample() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * glibcLog(r2)) / r2);
    this.gauss_ = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /** `normal(loc, scale)`: one value, `loc + scale * gauss()`. */
  normal(loc?: number, scale?: number): number;
  /**
   * `normal(loc, scale, size)`: a flat C-order array of the given shape. `loc` and
   * `scale` may be arrays broadcast against the last axis (NumPy's broadcasting for
   * 1-D arguments), e.g. a centre vector with size [n, nFeatures]; values are drawn in
   * C order, `out[i] = loc[i % d] + scale[i % d] * gauss()`.
   */
  normal(loc: number | ArrayLike<number>, scale: number | ArrayLike<number>, size: Size): Float64Array;
  /**
   * The same, written into `out` (of the size's length), which is returned: for callers
   * that own the destination, e.g. a slice of a larger array, so nothing is copied.
   */
  normal(loc: number | ArrayLike<number>, scale: number | ArrayLike<number>, size: Size, out: Float64Array): Float64Array;
  normal(loc: number | ArrayLike<number> = 0, scale: number | ArrayLike<number> = 1, size?: Size, into?: Float64Array): number | Float64Array {
    if (typeof scale === 'number') checkScale(scale);
    else for (let i = 0; i < scale.length; i++) checkScale(scale[i]);
    if (size === undefined) {
      if (typeof loc !== 'number' || typeof scale !== 'number') {
        throw new TypeError('normal: give a size when loc or scale is an array');
      }
      return loc + scale * this.gauss();
    }
    const shape = toShape(size);
    const last = shape.length ? shape[shape.length - 1] : 1;
    const locs = broadcastLast(loc, last, shape, 0);
    const scales = broadcastLast(scale, last, shape, 1);
    const count = shape.reduce((a, b) => a * b, 1);
    if (into && into.length !== count) throw new RangeError(`normal: out has ${into.length} elements, the size ${count}`);
    const out = into ?? new Float64Array(count);
    this.fillNormal(out, locs, scales);
    return out;
  }

  /**
   * out[i] = locs[i % d] + scales[i % d] * gauss(), for d = locs.length: the same
   * stream, cache included, as calling gauss() out.length times. The pairs come from
   * the generator's WebAssembly module a batch at a time (see MT19937.normals).
   */
  private fillNormal(out: Float64Array, locs: Float64Array, scales: Float64Array): void {
    const n = out.length;
    const d = locs.length;
    let i = 0;
    let j = 0;
    if (this.hasGauss && n > 0) {
      out[i++] = locs[0] + scales[0] * this.gauss();
      if (++j === d) j = 0;
    }
    const mt = this.mt;
    const pairs = mt.pairs;
    while (n - i >= 2) {
      const count = Math.min((n - i) >> 1, NORMAL_PAIRS);
      mt.normals(count);
      // A pair per iteration: measured twice as fast as a value per iteration.
      for (let k = 0; k < 2 * count; k += 2, i += 2) {
        out[i] = locs[j] + scales[j] * pairs[k];
        if (++j === d) j = 0;
        out[i + 1] = locs[j] + scales[j] * pairs[k + 1];
        if (++j === d) j = 0;
      }
    }
    // An odd one out: gauss() draws its pair and caches the second value.
    if (i < n) out[i] = locs[j] + scales[j] * this.gauss();
  }

  /** `uniform(low, high)`: `low + (high - low) * random_sample()`. */
  uniform(low?: number, high?: number): number;
  /** `uniform(low, high, size)`: a flat C-order array of the given shape. */
  uniform(low: number, high: number, size: Size): Float64Array;
  uniform(low = 0, high = 1, size?: Size): number | Float64Array {
    const range = high - low;
    if (!Number.isFinite(range)) throw new RangeError('Range exceeds valid bounds');
    if (size === undefined) return low + range * this.randomSample();
    const out = new Float64Array(toShape(size).reduce((a, b) => a * b, 1));
    for (let i = 0; i < out.length; i++) out[i] = low + range * this.randomSample();
    return out;
  }

  /**
   * `randint(low, high)` with the default dtype (int64): an integer in [low, high), or
   * [0, low) when `high` is omitted, by masked rejection (`random_bounded_uint64_fill`:
   * 32-bit draws while high - 1 - low fits in 32 bits, 64-bit ones beyond). Bounds must
   * stay within what doubles hold exactly: ±2^53, at most 2^53 apart.
   */
  randint(low: number, high?: number): number;
  /** `randint(low, high, size)`: a C-order array of the given shape. */
  randint(low: number, high: number | undefined, size: Size): number[];
  randint(low: number, high?: number, size?: Size): number | number[] {
    if (high === undefined) {
      high = low;
      low = 0;
    }
    if (!Number.isInteger(low) || !Number.isInteger(high) || !(high - low <= TWO_53 && Math.max(-low, high) <= TWO_53)) {
      throw new RangeError(`randint: low and high must be integers within ±2^53, at most 2^53 apart; got ${low} and ${high}`);
    }
    if (low > high - 1) throw new RangeError(low === 0 ? 'high <= 0' : 'low >= high');
    const rng = high - 1 - low;
    if (size === undefined) return low + this.boundedMasked(rng);
    const out = new Array<number>(toShape(size).reduce((a, b) => a * b, 1));
    for (let i = 0; i < out.length; i++) out[i] = low + this.boundedMasked(rng);
    return out;
  }

  /**
   * `random_interval(max)`: an integer in [0, max] by masked rejection (32-bit draws
   * for max < 2^32, 64-bit ones beyond); what legacy `shuffle` uses. `max` must be a
   * non-negative safe integer.
   */
  randomInterval(max: number): number {
    return this.boundedMasked(max);
  }

  /**
   * Shuffles a 1-D array in place as legacy `RandomState.shuffle` does: Fisher–Yates
   * from the end, swapping `x[i]` with `x[random_interval(i)]`.
   */
  shuffle<T>(x: { length: number; [index: number]: T }): void {
    let i = x.length - 1;
    // Beyond int32 (arrays of over 2^31 elements), the general draw; never in practice.
    for (; i > 0x7fffffff; i--) swap(x, i, this.boundedMasked(i));
    if (i < 1) return;
    const partners = new Int32Array(Math.min(i, SHUFFLE_CHUNK));
    while (i > 0) {
      const count = this.shuffleDraws(i, partners);
      for (let k = 0; k < count; k++, i--) swap(x, i, partners[k]);
    }
  }

  /**
   * The swap partners of `shuffle`, a chunk at a time: writes random_interval(i),
   * random_interval(i - 1), … down to i = 1 (at most `out.length` of them) into `out`
   * and returns how many, consuming the stream as `shuffle` does. Shuffling a length-n
   * array is these draws from i = n - 1, swapping x[i] with x[out[k]] for i = n - 1 - k;
   * callers that move several arrays in step (a matrix's rows and their labels) apply
   * the swaps themselves. `i` must be below 2^31.
   */
  shuffleDraws(i: number, out: Int32Array): number {
    if (!(i < 2 ** 31)) throw new RangeError(`shuffleDraws: i must be below 2^31, got ${i}`);
    // random_interval(i) is a 32-bit word masked to i's bit length, redrawn while above
    // i. NumPy recomputes the mask per call; it only changes when i drops below a power
    // of two, so it is set once per octave here.
    const mt = this.mt;
    let k = 0;
    while (k < out.length && i > 0) {
      const mask = 0x7fffffff >>> (Math.clz32(i) - 1); // ones over i's bit length
      for (const low = mask >>> 1; k < out.length && i > low; k++, i--) {
        let j: number;
        do j = mt.nextUint32() & mask;
        while (j > i);
        out[k] = j;
      }
    }
    return k;
  }

  /**
   * A uniform integer in [0, rng] by masked rejection. `random_interval` and the int64
   * `randint` path consume the stream identically: nothing for rng = 0, one 32-bit word
   * per try for rng < 2^32, and two (high word first) per try beyond.
   */
  private boundedMasked(rng: number): number {
    if (rng === 0) return 0;
    if (rng > MAX_SEED) return this.boundedMasked64(rng);
    let mask = rng | (rng >>> 1);
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    let value: number;
    do value = (this.mt.nextUint32() & mask) >>> 0;
    while (value > rng);
    return value;
  }

  /** boundedMasked for rng >= 2^32: 64-bit draws, the mask's low word all ones. */
  private boundedMasked64(rng: number): number {
    let top = 2 * TWO_32;
    while (top <= rng) top *= 2;
    const maskHigh = top / TWO_32 - 1;
    let value: number;
    do value = (this.mt.nextUint32() & maskHigh) * TWO_32 + this.mt.nextUint32();
    while (value > rng);
    return value;
  }
}

function swap<T>(x: { [index: number]: T }, i: number, j: number): void {
  const tmp = x[j];
  x[j] = x[i];
  x[i] = tmp;
}

function checkSeedWord(seed: number): number {
  if (!Number.isInteger(seed)) throw new TypeError(`Seed must be an integer, got ${seed}`);
  if (seed < 0 || seed > MAX_SEED) throw new RangeError('Seed must be between 0 and 2**32 - 1');
  return seed;
}

function checkScale(scale: number): void {
  // NumPy rejects any scale with the sign bit set (so -0 too), but lets NaN through.
  if (scale < 0 || Object.is(scale, -0)) throw new RangeError('scale < 0');
}

function toShape(size: Size): number[] {
  const shape = typeof size === 'number' ? [size] : [...size];
  for (const n of shape) {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`Invalid size ${JSON.stringify(size)}: lengths must be non-negative integers`);
  }
  return shape;
}

/** A scalar or 1-D argument as `last` values, one per position along the last axis. */
function broadcastLast(arg: number | ArrayLike<number>, last: number, shape: number[], index: number): Float64Array {
  if (typeof arg === 'number') return new Float64Array(last).fill(arg);
  if (arg.length === last) return Float64Array.from(arg);
  if (arg.length === 1) return new Float64Array(last).fill(arg[0]);
  throw new RangeError(
    `shape mismatch: objects cannot be broadcast to a single shape. Mismatch is between arg ${index} with shape (${arg.length},) and the size (${shape.join(', ')})`,
  );
}
