/**
 * The 32-bit Mersenne Twister (Matsumoto & Nishimura, 1998), seeded the way both
 * NumPy's legacy RandomState (`mt19937_seed`) and PyTorch's CPU generator
 * (`at::mt19937::init_with_uint32`) seed it from one 32-bit integer.
 */
const N = 624;
const M = 397;
// As int32 (| 0): the twist runs on an int32 view (see `words`), and int32 constants
// keep it in integer registers.
const MATRIX_A = 0x9908b0df | 0;
const UPPER_MASK = 0x80000000 | 0;
const LOWER_MASK = 0x7fffffff;

export class MT19937 {
  /** The 624-word state; exposed so array seeding (`init_by_array`) can rewrite it. */
  readonly state = new Uint32Array(N);
  /**
   * The current block's 624 outputs, already tempered, as int32 (the bit pattern of
   * each uint32 output). A bulk consumer (RandomState's normal loop) reads
   * `out[index++]` itself and calls `refill()` when `index` reaches 624: a word is then
   * one load in the consumer's loop (measured: 2M normals 126 -> 108 ms).
   */
  readonly out = new Int32Array(N);
  /** Index of the next word of `out`; N means "refill first". */
  index = N;
  /**
   * The state viewed as int32: the hot loops run on this view because V8 handles
   * uint32 values of 2^31 and above as doubles, which costs a third of the speed.
   */
  private readonly words = new Int32Array(this.state.buffer);

  constructor(seed = 5489) {
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

  /** Twists the state into the next 624 words and tempers them all into `out`; returns the new index, 0. */
  refill(): number {
    this.twist();
    const mt = this.words;
    const out = this.out;
    for (let i = 0; i < N; i++) {
      let y = mt[i];
      y ^= y >>> 11;
      y ^= (y << 7) & 0x9d2c5680;
      y ^= (y << 15) & 0xefc60000;
      out[i] = y ^ (y >>> 18);
    }
    return (this.index = 0);
  }

  // -(y & 1) & MATRIX_A rather than a conditional: the low bit is random, and a
  // mispredicted branch per word costs more than the rest of the twist.
  private twist(): void {
    const mt = this.words;
    let kk = 0;
    for (; kk < N - M; kk++) {
      const y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
      mt[kk] = mt[kk + M] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    for (; kk < N - 1; kk++) {
      const y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
      mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    const y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
  }
}
