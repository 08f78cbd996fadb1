/**
 * The 32-bit Mersenne Twister (Matsumoto & Nishimura, 1998), seeded the way both
 * NumPy's legacy RandomState (`mt19937_seed`) and PyTorch's CPU generator
 * (`at::mt19937::init_with_uint32`) seed it from one 32-bit integer.
 *
 * Seeding is plain TypeScript. The hot loops run in a small WebAssembly module, where
 * V8 compiles them to a fraction of the time of the same TypeScript:
 * - the twist and tempering of each block of 624 words, four words at a time (SIMD):
 *   5M words 31 -> 13 ms;
 * - NumPy's legacy_gauss in bulk, for RandomState's normal() with a size: the polar
 *   method's tries (words to two uniforms in (-1, 1), r^2, the rejection) and
 *   sqrt(-2 log(r^2) / r^2) with glibc's log (both paths ported; their rare exact
 *   tails call glibcLog): 2M normals 79 -> 52 ms. The ported log matched this
 *   machine's glibc 2.36 on 12M inputs in (0, 1) and on the glibc-log fixture.
 * WebAssembly's f64 arithmetic is IEEE binary64, correctly rounded with no fused
 * operations, so each operation, written as in the TypeScript, gives the same double.
 * The module's source is wasm/mt19937.wat, assembled by scripts/build-wasm.ts (with wabt)
 * into mt19937.wasm.ts, with its memory layout from mt19937-layout.ts and glibc's log
 * coefficients from glibc-log.ts; test/numerics/mt19937-wasm.test.ts rebuilds it and
 * compares the bytes. mt19937.test.ts checks the words against the reference algorithm
 * written out in TypeScript and the normals against glibcLog-based gauss(); the NumPy
 * fixtures check both.
 */
import { glibcLog, LOG_TABLE } from './glibc-log.ts';
import { MT_LAYOUT, MT_N, NORMAL_PAIRS } from './mt19937-layout.ts';
import { MT_WASM } from './mt19937.wasm.ts';

const N = MT_N;
export { NORMAL_PAIRS };

/** The module's exports and views on its memory (one page that never grows, so they stay valid). */
interface Kernel {
  refill: () => void;
  normals: (index: number, count: number) => number;
  state: Uint32Array;
  out: Int32Array;
  pairs: Float64Array;
}

/**
 * One instance serves every generator: each call copies the generator's state and
 * current outputs in (and back), 5 KB, so that a generator costs no more to create
 * than before (7 µs rather than 80, and no 64 KiB memory with its address-space
 * reservation each). Made on first use, not on import: the CLI imports every stage,
 * and most of its runs draw nothing.
 */
let kernel: Kernel | undefined;

function makeKernel(): Kernel {
  const module = new WebAssembly.Module(Buffer.from(MT_WASM, 'base64'));
  const exports = new WebAssembly.Instance(module, { js: { log: glibcLog } }).exports;
  const { buffer } = exports.memory as WebAssembly.Memory;
  new Float64Array(buffer, MT_LAYOUT.LOG_TABLE, LOG_TABLE.length).set(LOG_TABLE);
  return {
    refill: exports.refill as () => void,
    normals: exports.normals as (index: number, count: number) => number,
    state: new Uint32Array(buffer, MT_LAYOUT.STATE, N),
    out: new Int32Array(buffer, MT_LAYOUT.OUT, N),
    pairs: new Float64Array(buffer, MT_LAYOUT.TRIES, 2 * NORMAL_PAIRS),
  };
}

export class MT19937 {
  /** The 624-word state; exposed so array seeding (`init_by_array`) can rewrite it. */
  readonly state = new Uint32Array(N);
  /**
   * The current block's 624 outputs, already tempered, as int32 (the bit pattern of
   * each uint32 output); `out[index]` is the next.
   */
  readonly out = new Int32Array(N);
  /** Index of the next word of `out`; N means "refill first". */
  index = N;
  /**
   * What the last `normals(count)`, of any generator, drew: `count` pairs, each as
   * gauss() returns them. Read them before the next call.
   */
  readonly pairs: Float64Array;
  private readonly kernel: Kernel;

  constructor(seed = 5489) {
    this.kernel = kernel ??= makeKernel();
    this.pairs = this.kernel.pairs;
    this.seed(seed);
  }

  /** Knuth's linear recurrence; `seed` is taken modulo 2^32. */
  seed(seed: number): void {
    const mt = this.state;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = N;
  }

  /**
   * Seeds from a key of 32-bit words: the reference `init_by_array` (2002), which is
   * NumPy's `mt19937_init_by_array`, used by `RandomState([...])`. Words are taken
   * modulo 2^32.
   */
  initByArray(key: ArrayLike<number>): void {
    const mt = this.state;
    const len = key.length;
    this.seed(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, len); k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (mt[i] ^ Math.imul(prev, 1664525)) + (key[j] >>> 0) + j;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= len) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (mt[i] ^ Math.imul(prev, 1566083941)) - i;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000; // MSB set: assures a non-zero initial state
    this.index = N;
  }

  /** The next tempered 32-bit output, as an unsigned integer. */
  nextUint32(): number {
    if (this.index >= N) this.refill();
    return this.out[this.index++] >>> 0;
  }

  /**
   * The next `count` (at most NORMAL_PAIRS) pairs of legacy_gauss normals, into
   * `pairs`: from each accepted polar try (x1, x2 from the next four words, redrawn
   * until 0 < r2 < 1), f x2 then f x1 for f = sqrt(-2 log(r2) / r2), log being glibc's.
   */
  normals(count: number): void {
    const kernel = this.kernel;
    kernel.state.set(this.state);
    kernel.out.set(this.out);
    this.index = kernel.normals(this.index, count);
    this.state.set(kernel.state);
    this.out.set(kernel.out);
  }

  /** Twists the state into the next 624 words and tempers them all into `out`; returns the new index, 0. */
  refill(): number {
    const kernel = this.kernel;
    kernel.state.set(this.state);
    kernel.refill();
    this.state.set(kernel.state);
    this.out.set(kernel.out);
    return (this.index = 0);
  }
}
