/**
 * The 32-bit Mersenne Twister (Matsumoto & Nishimura, 1998), seeded the way both
 * NumPy's legacy RandomState (`mt19937_seed`) and PyTorch's CPU generator
 * (`at::mt19937::init_with_uint32`) seed it from one 32-bit integer.
 *
 * Seeding is plain TypeScript. The two hot loops run in a small WebAssembly module,
 * where V8 compiles them to about a third of the time of the same TypeScript:
 * - the twist and tempering of each block of 624 words, four words at a time (SIMD):
 *   5M words 31 -> 13 ms;
 * - the tries of legacy_gauss's polar method (the words to two uniforms in (-1, 1),
 *   their r^2 and the rejection), which RandomState's bulk normal() draws here so that
 *   the words never leave the module: 1M accepted tries 33 -> 10 ms beyond the words.
 * WebAssembly's f64 arithmetic is IEEE binary64 with no fused operations, so the tries
 * are the same doubles as the TypeScript computed. MT_WASM is the module text below,
 * saved to a file and assembled by wabt 1.0.39's `wat2wasm` (SIMD is on by default
 * there); test/numerics/mt19937.test.ts checks the words against the reference
 * algorithm written out in TypeScript, and the NumPy fixtures check the normals. Each
 * generator has its own instance (one 64 KiB page).
 */
const N = 624;
/** The most polar tries `polar()` draws at a time: 2048 triples of doubles fit the page from byte 8192. */
export const POLAR_TRIES = 2048;

/*
 * The module: the state (624 words at byte 0), the tempered outputs (624 words at
 * byte 2496) and up to POLAR_TRIES polar tries (from byte 8192) in its memory. The
 * twist is vectorised where no word of a group of four
 * depends on another's new value: word kk needs the old kk + 1 and kk + 397 (for
 * kk < 227) or the new kk - 227 (beyond); the few words at the seams go one at a time.
 *
(module
  (memory (export "memory") 1)
  ;; The next word's index in the outputs, for $next.
  (global $w (mut i32) (i32.const 0))

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

  (func $refill (export "refill")
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
      (br_if $temper (i32.lt_u (local.get $kk) (i32.const 2496)))))

  ;; Output word $w, refilling first when all 624 are used; advances $w.
  (func $next (result i32)
    (local $word i32)
    (if (i32.eq (global.get $w) (i32.const 624))
      (then (call $refill) (global.set $w (i32.const 0))))
    (local.set $word (i32.load offset=2496 (i32.shl (global.get $w) (i32.const 2))))
    (global.set $w (i32.add (global.get $w) (i32.const 1)))
    (local.get $word))

  ;; legacy_gauss's polar tries from output word w on: writes the first `count`
  ;; accepted ones (0 < r2 < 1) as (x1, x2, r2) from byte 8192; returns the next w.
  ;; A try is written before it is judged and kept by advancing past it, so the
  ;; rejections (a fifth of the tries, at random) cost no mispredicted branch.
  (func (export "polar") (param $w i32) (param $count i32) (result i32)
    (local $a1 i32) (local $b1 i32) (local $a2 i32) (local $b2 i32)
    (local $x1 f64) (local $x2 f64) (local $r2 f64) (local $at i32) (local $kept i32)
    (local.set $at (i32.const 8192))
    (if (i32.eqz (local.get $count)) (then (return (local.get $w))))
    (loop $try
      (if (i32.le_u (local.get $w) (i32.const 620))
        (then
          (local.set $a1 (i32.load offset=2496 (i32.shl (local.get $w) (i32.const 2))))
          (local.set $b1 (i32.load offset=2500 (i32.shl (local.get $w) (i32.const 2))))
          (local.set $a2 (i32.load offset=2504 (i32.shl (local.get $w) (i32.const 2))))
          (local.set $b2 (i32.load offset=2508 (i32.shl (local.get $w) (i32.const 2))))
          (local.set $w (i32.add (local.get $w) (i32.const 4))))
        (else
          ;; The try runs past this block of outputs: word by word.
          (global.set $w (local.get $w))
          (local.set $a1 (call $next))
          (local.set $b1 (call $next))
          (local.set $a2 (call $next))
          (local.set $b2 (call $next))
          (local.set $w (global.get $w))))
      ;; x = 2 legacy_double() - 1: (a >>> 5) 2^26 + (b >>> 6), an integer below 2^53
      ;; so exact as a double, times 2^-52 (exact), minus 1.
      (local.set $x1
        (f64.sub
          (f64.mul
            (f64.convert_i64_u
              (i64.or
                (i64.shl (i64.extend_i32_u (i32.shr_u (local.get $a1) (i32.const 5))) (i64.const 26))
                (i64.extend_i32_u (i32.shr_u (local.get $b1) (i32.const 6)))))
            (f64.const 0x1p-52))
          (f64.const 1)))
      (local.set $x2
        (f64.sub
          (f64.mul
            (f64.convert_i64_u
              (i64.or
                (i64.shl (i64.extend_i32_u (i32.shr_u (local.get $a2) (i32.const 5))) (i64.const 26))
                (i64.extend_i32_u (i32.shr_u (local.get $b2) (i32.const 6)))))
            (f64.const 0x1p-52))
          (f64.const 1)))
      (local.set $r2
        (f64.add (f64.mul (local.get $x1) (local.get $x1)) (f64.mul (local.get $x2) (local.get $x2))))
      (f64.store (local.get $at) (local.get $x1))
      (f64.store offset=8 (local.get $at) (local.get $x2))
      (f64.store offset=16 (local.get $at) (local.get $r2))
      (local.set $kept
        (i32.and (f64.lt (local.get $r2) (f64.const 1)) (f64.ne (local.get $r2) (f64.const 0))))
      (local.set $at (i32.add (local.get $at) (select (i32.const 24) (i32.const 0) (local.get $kept))))
      (local.set $count (i32.sub (local.get $count) (local.get $kept)))
      (br_if $try (local.get $count)))
    (local.get $w)))
*/

const MT_WASM = [
  'AGFzbQEAAAABGQVgA39/fwBgAn9/AGAAAGAAAX9gAn9/AX8DBgUAAQIDBAUDAQABBgYBfwFBAAsHGwMGbWVtb3J5AgAGcmVm',
  'aWxsAAIFcG9sYXIABArhBQU/AQF/IAAoAgBBgICAgHhxIAEoAgBB/////wdxciEDIAAgAigCACADQQF2c0EAIANBAXFrQd/h',
  'osh5cXM2AgALcwEBeyAA/QAEAP0MAAAAgAAAAIAAAACAAAAAgP1OIAD9AAQE/Qz///9/////f////3////9//U79UCECIAAg',
  'Af0ABAAgAkEB/a0B/VEgAkEf/asBQR/9rAH9DN+wCJnfsAiZ37AImd+wCJn9Tv1R/QsEAAvtAQIBfwF7A0AgACAAQbQMahAB',
  'IABBEGohACAAQYAHSQ0AC0GAB0GEB0G0ExAAQYQHQYgHQbgTEABBiAdBjAdBvBMQAEGMByEAA0AgACAAQYwHaxABIABBEGoh',
  'ACAAQbwTSQ0AC0G8E0EAQbAMEABBACEAA0AgAP0ABAAhASABIAFBC/2tAf1RIQEgASABQQf9qwH9DIBWLJ2AViydgFYsnYBW',
  'LJ39Tv1RIQEgASABQQ/9qwH9DAAAxu8AAMbvAADG7wAAxu/9Tv1RIQEgACABIAFBEv2tAf1R/QsEwBMgAEEQaiEAIABBwBNJ',
  'DQALCycBAX8jAEHwBEYEQBACQQAkAAsjAEECdCgCwBMhACMAQQFqJAAgAAuTAgMEfwN8An9BgMAAIQkgAUUEQCAADwsDQCAA',
  'QewETQRAIABBAnQoAsATIQIgAEECdCgCxBMhAyAAQQJ0KALIEyEEIABBAnQoAswTIQUgAEEEaiEABSAAJAAQAyECEAMhAxAD',
  'IQQQAyEFIwAhAAsgAkEFdq1CGoYgA0EGdq2EukQAAAAAAACwPKJEAAAAAAAA8D+hIQYgBEEFdq1CGoYgBUEGdq2EukQAAAAA',
  'AACwPKJEAAAAAAAA8D+hIQcgBiAGoiAHIAeioCEIIAkgBjkDACAJIAc5AwggCSAIOQMQIAhEAAAAAAAA8D9jIAhEAAAAAAAA',
  'AABicSEKIAlBGEEAIAobaiEJIAEgCmshASABDQALIAAL',
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
   * each uint32 output), in the module's memory; `out[index]` is the next.
   */
  readonly out: Int32Array;
  /** Index of the next word of `out`; N means "refill first". */
  index = N;
  /** What `polar(count)` drew: `count` accepted tries as (x1, x2, r2), one after another. */
  readonly tries: Float64Array;
  /** The module's refill: twists `state` and tempers it into `out`. */
  private readonly twist: () => void;
  /** The module's polar(index, count): draws into `tries`, returns the new index. */
  private readonly polarTries: (index: number, count: number) => number;

  constructor(seed = 5489) {
    const { exports } = new WebAssembly.Instance(mtModule);
    // One 64 KiB page that never grows, so these views stay valid.
    const { buffer } = exports.memory as WebAssembly.Memory;
    this.state = new Uint32Array(buffer, 0, N);
    this.out = new Int32Array(buffer, 4 * N, N);
    this.tries = new Float64Array(buffer, 8192, 3 * POLAR_TRIES);
    this.twist = exports.refill as () => void;
    this.polarTries = exports.polar as (index: number, count: number) => number;
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
   * The next `count` (at most POLAR_TRIES) accepted tries of legacy_gauss's polar
   * method, into `tries`: x1 = 2 legacy_double() - 1 and x2 likewise, from the next
   * four words, redrawn until 0 < r2 = x1^2 + x2^2 < 1.
   */
  polar(count: number): void {
    this.index = this.polarTries(this.index, count);
  }

  /** Twists the state into the next 624 words and tempers them all into `out`; returns the new index, 0. */
  refill(): number {
    this.twist();
    return (this.index = 0);
  }
}
