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

  /**
   * Twists the state into the next 624 words and tempers them into `out` in one pass:
   * each new word is tempered as it is made, and word kk + 1 is read once for the
   * twists of both kk and kk + 1 (5M words: 34 -> 31 ms). Written out three times,
   * not through helpers, because that measured faster still. Returns the new index, 0.
   *
   * The twist's MATRIX_A term is masked by (y << 31) >> 31 (all ones when y is odd)
   * rather than chosen by a conditional: the low bit is random, and a mispredicted
   * branch per word costs more than the rest of the twist.
   */
  refill(): number {
    const mt = this.words;
    const out = this.out;
    let cur = mt[0];
    let kk = 0;
    for (; kk < N - M; kk++) {
      const next = mt[kk + 1];
      const y = (cur & UPPER_MASK) | (next & LOWER_MASK);
      let v = mt[kk + M] ^ (y >>> 1) ^ (((y << 31) >> 31) & MATRIX_A);
      mt[kk] = v;
      v ^= v >>> 11;
      v ^= (v << 7) & 0x9d2c5680;
      v ^= (v << 15) & 0xefc60000;
      out[kk] = v ^ (v >>> 18);
      cur = next;
    }
    for (; kk < N - 1; kk++) {
      const next = mt[kk + 1];
      const y = (cur & UPPER_MASK) | (next & LOWER_MASK);
      let v = mt[kk + (M - N)] ^ (y >>> 1) ^ (((y << 31) >> 31) & MATRIX_A);
      mt[kk] = v;
      v ^= v >>> 11;
      v ^= (v << 7) & 0x9d2c5680;
      v ^= (v << 15) & 0xefc60000;
      out[kk] = v ^ (v >>> 18);
      cur = next;
    }
    // The last word wraps round to mt[0], already twisted, as in the reference.
    const y = (cur & UPPER_MASK) | (mt[0] & LOWER_MASK);
    let v = mt[M - 1] ^ (y >>> 1) ^ (((y << 31) >> 31) & MATRIX_A);
    mt[N - 1] = v;
    v ^= v >>> 11;
    v ^= (v << 7) & 0x9d2c5680;
    v ^= (v << 15) & 0xefc60000;
    out[N - 1] = v ^ (v >>> 18);
    return (this.index = 0);
  }
}
