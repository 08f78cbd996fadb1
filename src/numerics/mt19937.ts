/**
 * The 32-bit Mersenne Twister (Matsumoto & Nishimura, 1998), seeded the way both
 * NumPy's legacy RandomState (`mt19937_seed`) and PyTorch's CPU generator
 * (`at::mt19937::init_with_uint32`) seed it from one 32-bit integer.
 *
 * Seeding is plain TypeScript; the twist and tempering of each block of 624 words,
 * which legacy_gauss's draws spend a third of their time in, run in a small
 * WebAssembly module four words at a time (SIMD): 5M words 31 -> 13 ms, and 2M
 * legacy normals about 25 ms faster. MT_WASM is the module text below, saved to a file
 * and assembled by wabt 1.0.39's `wat2wasm` (SIMD is on by default there);
 * test/numerics/mt19937.test.ts checks the words against the reference algorithm
 * written out in TypeScript. Each generator has its own instance (one 64 KiB page).
 */
const N = 624;

/*
 * The module: the state (624 words at byte 0) and the tempered outputs (624 words at
 * byte 2496) in its memory. The twist is vectorised where no word of a group of four
 * depends on another's new value: word kk needs the old kk + 1 and kk + 397 (for
 * kk < 227) or the new kk - 227 (beyond); the few words at the seams go one at a time.
 *
(module
  (memory (export "memory") 1)

  ;; One word of the twist, at byte offsets kk, next (kk + 4, or 0 for the last
  ;; word) and far: mt[kk] = mt[far] ^ (y >>> 1) ^ (y odd ? MATRIX_A : 0) for
  ;; y = (mt[kk] & UPPER_MASK) | (mt[next] & LOWER_MASK).
  (func $word (param $kk i32) (param $next i32) (param $far i32)
    (local $y i32)
    (local.set $y
      (i32.or
        (i32.and (i32.load (local.get $kk)) (i32.const 0x80000000))
        (i32.and (i32.load (local.get $next)) (i32.const 0x7fffffff))))
    (i32.store (local.get $kk)
      (i32.xor
        (i32.xor (i32.load (local.get $far)) (i32.shr_u (local.get $y) (i32.const 1)))
        (i32.and
          (i32.sub (i32.const 0) (i32.and (local.get $y) (i32.const 1)))
          (i32.const 0x9908b0df)))))

  ;; The same for the four words from byte kk, whose far words start at byte far.
  (func $four (param $kk i32) (param $far i32)
    (local $y v128)
    (local.set $y
      (v128.or
        (v128.and (v128.load (local.get $kk)) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
        (v128.and (v128.load offset=4 (local.get $kk)) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))))
    (v128.store (local.get $kk)
      (v128.xor
        (v128.xor (v128.load (local.get $far)) (i32x4.shr_u (local.get $y) (i32.const 1)))
        (v128.and
          (i32x4.shr_s (i32x4.shl (local.get $y) (i32.const 31)) (i32.const 31))
          (v128.const i32x4 0x9908b0df 0x9908b0df 0x9908b0df 0x9908b0df)))))

  (func (export "refill")
    (local $kk i32)
    (local $v v128)
    ;; Words 0..223, four at a time: far = kk + 397, not yet twisted.
    (loop $low
      (call $four (local.get $kk) (i32.add (local.get $kk) (i32.const 1588)))
      (local.set $kk (i32.add (local.get $kk) (i32.const 16)))
      (br_if $low (i32.lt_u (local.get $kk) (i32.const 896))))
    ;; Words 224..226 one at a time: a group of four would reach far word 624.
    (call $word (i32.const 896) (i32.const 900) (i32.const 2484))
    (call $word (i32.const 900) (i32.const 904) (i32.const 2488))
    (call $word (i32.const 904) (i32.const 908) (i32.const 2492))
    ;; Words 227..622, four at a time: far = kk - 227, already twisted.
    (local.set $kk (i32.const 908))
    (loop $high
      (call $four (local.get $kk) (i32.sub (local.get $kk) (i32.const 908)))
      (local.set $kk (i32.add (local.get $kk) (i32.const 16)))
      (br_if $high (i32.lt_u (local.get $kk) (i32.const 2492))))
    ;; Word 623: next is word 0, already twisted; far = 396.
    (call $word (i32.const 2492) (i32.const 0) (i32.const 1584))
    ;; Temper the 624 words into the outputs at byte 2496.
    (local.set $kk (i32.const 0))
    (loop $temper
      (local.set $v (v128.load (local.get $kk)))
      (local.set $v (v128.xor (local.get $v) (i32x4.shr_u (local.get $v) (i32.const 11))))
      (local.set $v
        (v128.xor (local.get $v)
          (v128.and (i32x4.shl (local.get $v) (i32.const 7))
            (v128.const i32x4 0x9d2c5680 0x9d2c5680 0x9d2c5680 0x9d2c5680))))
      (local.set $v
        (v128.xor (local.get $v)
          (v128.and (i32x4.shl (local.get $v) (i32.const 15))
            (v128.const i32x4 0xefc60000 0xefc60000 0xefc60000 0xefc60000))))
      (v128.store offset=2496 (local.get $kk)
        (v128.xor (local.get $v) (i32x4.shr_u (local.get $v) (i32.const 18))))
      (local.set $kk (i32.add (local.get $kk) (i32.const 16)))
      (br_if $temper (i32.lt_u (local.get $kk) (i32.const 2496))))))
*/

const MT_WASM = [
  'AGFzbQEAAAABDwNgA39/fwBgAn9/AGAAAAMEAwABAgUDAQABBxMCBm1lbW9yeQIABnJlZmlsbAACCqQDAz8BAX8gACgCAEGA',
  'gICAeHEgASgCAEH/////B3FyIQMgACACKAIAIANBAXZzQQAgA0EBcWtB3+GiyHlxczYCAAtzAQF7IAD9AAQA/QwAAACAAAAA',
  'gAAAAIAAAACA/U4gAP0ABAT9DP///3////9/////f////3/9Tv1QIQIgACAB/QAEACACQQH9rQH9USACQR/9qwFBH/2sAf0M',
  '37AImd+wCJnfsAiZ37AImf1O/VH9CwQAC+0BAgF/AXsDQCAAIABBtAxqEAEgAEEQaiEAIABBgAdJDQALQYAHQYQHQbQTEABB',
  'hAdBiAdBuBMQAEGIB0GMB0G8ExAAQYwHIQADQCAAIABBjAdrEAEgAEEQaiEAIABBvBNJDQALQbwTQQBBsAwQAEEAIQADQCAA',
  '/QAEACEBIAEgAUEL/a0B/VEhASABIAFBB/2rAf0MgFYsnYBWLJ2AViydgFYsnf1O/VEhASABIAFBD/2rAf0MAADG7wAAxu8A',
  'AMbvAADG7/1O/VEhASAAIAEgAUES/a0B/VH9CwTAEyAAQRBqIQAgAEHAE0kNAAsL',
].join('');

const mtModule = new WebAssembly.Module(Buffer.from(MT_WASM, 'base64'));

export class MT19937 {
  /**
   * The 624-word state, in the module's memory; exposed so array seeding
   * (`init_by_array`) can rewrite it.
   */
  readonly state: Uint32Array;
  /**
   * The current block's 624 outputs, already tempered, as int32 (the bit pattern of
   * each uint32 output). A bulk consumer (RandomState's normal loop) reads
   * `out[index++]` itself and calls `refill()` when `index` reaches 624: a word is then
   * one load in the consumer's loop (measured: 2M normals 126 -> 108 ms).
   */
  readonly out: Int32Array;
  /** Index of the next word of `out`; N means "refill first". */
  index = N;
  /** The module's refill: twists `state` and tempers it into `out`. */
  private readonly twist: () => void;

  constructor(seed = 5489) {
    const { exports } = new WebAssembly.Instance(mtModule);
    // One 64 KiB page that never grows, so these views stay valid.
    const { buffer } = exports.memory as WebAssembly.Memory;
    this.state = new Uint32Array(buffer, 0, N);
    this.out = new Int32Array(buffer, 4 * N, N);
    this.twist = exports.refill as () => void;
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
    return (this.index = 0);
  }
}
