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
 * MT_WASM is the module text below, saved to a file and assembled by wabt 1.0.39's
 * `wat2wasm` (a dev dependency: `npx wat2wasm mt.wat -o mt.wasm`, then base64);
 * test/numerics/mt19937-wasm.test.ts holds the two to each other. mt19937.test.ts checks the
 * words against the reference algorithm written out in TypeScript and the normals
 * against glibcLog-based gauss(); the NumPy fixtures check both.
 */
import { glibcLog, LOG_TABLE } from './glibc-log.ts';

const N = 624;
/** The most pairs `normals()` draws at a time (their tries, 24 bytes each, fit the page from byte 12288). */
export const NORMAL_PAIRS = 2048;

/*
 * The module: the state (624 words at byte 0), the tempered outputs (624 words at
 * byte 2496), glibc's log table (LOG_TABLE, from byte 4992) and up to NORMAL_PAIRS
 * polar tries, then their normals (from byte 12288) in its memory. The twist is
 * vectorised where no word of a group of four depends on another's new value: word kk
 * needs the old kk + 1 and kk + 397 (for kk < 227) or the new kk - 227 (beyond); the
 * few words at the seams go one at a time.
 *
(module
  ;; glibcLog (glibc-log.ts), for the rare inputs $ln and $near1 leave to it.
  (import "js" "log" (func $log (param f64) (result f64)))
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
  ;; accepted ones (0 < r2 < 1) as (x1, x2, r2) from byte 12288; returns the next w.
  ;; A try is written before it is judged and kept by advancing past it, so the
  ;; rejections (a fifth of the tries, at random) cost no mispredicted branch.
  (func $polar (param $w i32) (param $count i32) (result i32)
    (local $a1 i32) (local $b1 i32) (local $a2 i32) (local $b2 i32)
    (local $x1 f64) (local $x2 f64) (local $r2 f64) (local $at i32) (local $kept i32)
    (local.set $at (i32.const 12288))
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
    (local.get $w))
  ;; logNear1 of glibc-log.ts, operation for operation, for 0.9375 <= x < 1, with the
  ;; rare exact tail by calling glibcLog.
  (func $near1 (param $x f64) (result f64)
    (local $r f64) (local $r2 f64) (local $r3 f64) (local $w f64) (local $rhi f64)
    (local $hh f64) (local $hi f64) (local $lo0 f64) (local $poly f64) (local $y f64)
    (local $s f64)
    (local.set $r (f64.sub (local.get $x) (f64.const 1)))
    (local.set $r2 (f64.mul (local.get $r) (local.get $r)))
    (local.set $r3 (f64.mul (local.get $r) (local.get $r2)))
    ;; rhi = r + w - w for w = r 2^27: r's top 26 bits.
    (local.set $w (f64.add (f64.mul (local.get $r) (f64.const 134217728)) (local.get $r)))
    (local.set $rhi (f64.sub (local.get $w) (f64.mul (local.get $r) (f64.const 134217728))))
    (local.set $hh (f64.mul (f64.mul (f64.const -0.5) (local.get $rhi)) (local.get $rhi)))
    (local.set $hi (f64.add (local.get $r) (local.get $hh)))
    (local.set $lo0 (f64.add (f64.sub (local.get $r) (local.get $hi)) (local.get $hh)))
    ;; poly = r3 (B1 + r B2 + r2 B3 + r3 (B4 + r B5 + r2 B6 + r3 (B7 + r B8 + r2 B9 + r3 B10))).
    (local.set $poly
      (f64.mul (local.get $r3)
        (f64.add
          (f64.add
            (f64.add (f64.const 0.3333333333333352) (f64.mul (local.get $r) (f64.const -0.24999999999998432)))
            (f64.mul (local.get $r2) (f64.const 0.19999999999320328)))
          (f64.mul (local.get $r3)
            (f64.add
              (f64.add
                (f64.add (f64.const -0.16666666669929706) (f64.mul (local.get $r) (f64.const 0.14285715076560868)))
                (f64.mul (local.get $r2) (f64.const -0.12499997863982555)))
              (f64.mul (local.get $r3)
                (f64.add
                  (f64.add
                    (f64.add (f64.const 0.11110712032936046) (f64.mul (local.get $r) (f64.const -0.10000486757818193)))
                    (f64.mul (local.get $r2) (f64.const 0.09181994006195467)))
                  (f64.mul (local.get $r3) (f64.const -0.08328363062289341)))))))))
    ;; y = lo0 + -0.5 (r - rhi) (rhi + r) + poly.
    (local.set $y
      (f64.add
        (f64.add (local.get $lo0)
          (f64.mul
            (f64.mul (f64.const -0.5) (f64.sub (local.get $r) (local.get $rhi)))
            (f64.add (local.get $rhi) (local.get $r))))
        (local.get $poly)))
    (local.set $s
      (f64.add
        (f64.mul (f64.abs (local.get $poly)) (f64.const 0x1p-48))
        (f64.mul (f64.abs (local.get $r)) (f64.const 0x1p-99))))
    (if (result f64)
      (f64.eq
        (f64.add (local.get $hi) (f64.add (local.get $y) (local.get $s)))
        (f64.add (local.get $hi) (f64.sub (local.get $y) (local.get $s))))
      (then (f64.add (local.get $hi) (local.get $y)))
      (else (call $log (local.get $x)))))

  ;; glibc's log(x) for 0 < x < 1 as glibcLog computes it: the main path (x < 0.9375)
  ;; here, with glibc's tail unfused when that provably rounds alike, and the rare
  ;; exact tail by calling glibcLog. Operation for operation logTable and
  ;; mulMinus1 of glibc-log.ts (see there), with x normal and k = kn; (invc, logc, ch,
  ;; cl) for subinterval i at byte 4992 + 32 i.
  (func $ln (param $x f64) (result f64)
    (local $tmp i32) (local $at i32) (local $kn i32) (local $k f64) (local $p f64)
    (local $t f64) (local $xh f64) (local $zh f64) (local $zl f64) (local $ph f64)
    (local $r f64) (local $w f64) (local $hi f64) (local $lo f64) (local $r2 f64)
    (local $y f64) (local $s f64)
    (if (f64.ge (local.get $x) (f64.const 0.9375))
      (then (return (call $near1 (local.get $x)))))
    (local.set $tmp
      (i32.sub
        (i32.wrap_i64 (i64.shr_u (i64.reinterpret_f64 (local.get $x)) (i64.const 32)))
        (i32.const 0x3fe60000)))
    (local.set $at
      (i32.add (i32.const 4992)
        (i32.shl (i32.and (i32.shr_u (local.get $tmp) (i32.const 11)) (i32.const 0x1fc)) (i32.const 3))))
    (local.set $kn (i32.shr_s (local.get $tmp) (i32.const 20)))
    (local.set $k (f64.convert_i32_s (local.get $kn)))
    ;; p = 2^-kn, built from its exponent bits.
    (local.set $p
      (f64.reinterpret_i64
        (i64.shl (i64.extend_i32_s (i32.sub (i32.const 1023) (local.get $kn))) (i64.const 52))))
    ;; mulMinus1(x, p): r = fma(x p, invc, -1) by Dekker's product.
    (local.set $t (f64.mul (f64.const 134217729) (local.get $x)))
    (local.set $xh (f64.sub (local.get $t) (f64.sub (local.get $t) (local.get $x))))
    (local.set $zh (f64.mul (local.get $xh) (local.get $p)))
    (local.set $zl (f64.mul (f64.sub (local.get $x) (local.get $xh)) (local.get $p)))
    (local.set $ph (f64.mul (f64.mul (local.get $x) (local.get $p)) (f64.load (local.get $at))))
    (local.set $r
      (f64.add
        (f64.sub (local.get $ph) (f64.const 1))
        (f64.sub
          (f64.mul (local.get $zl) (f64.load offset=24 (local.get $at)))
          (f64.sub
            (f64.sub
              (f64.sub (local.get $ph) (f64.mul (local.get $zh) (f64.load offset=16 (local.get $at))))
              (f64.mul (local.get $zl) (f64.load offset=16 (local.get $at))))
            (f64.mul (local.get $zh) (f64.load offset=24 (local.get $at)))))))
    ;; w = k LN2HI + logc; hi = w + r; lo = (w - hi + r) + k LN2LO.
    (local.set $w
      (f64.add (f64.mul (local.get $k) (f64.const 0.6931471805598903)) (f64.load offset=8 (local.get $at))))
    (local.set $hi (f64.add (local.get $w) (local.get $r)))
    (local.set $r2 (f64.mul (local.get $r) (local.get $r)))
    (local.set $lo
      (f64.add
        (f64.add (f64.sub (local.get $w) (local.get $hi)) (local.get $r))
        (f64.mul (local.get $k) (f64.const 5.497923018708371e-14))))
    ;; y = lo + r2 A0 + r r2 (A1 + r A2 + r2 (A3 + r A4)).
    (local.set $y
      (f64.add
        (f64.add (local.get $lo) (f64.mul (local.get $r2) (f64.const -0.5000000000000001)))
        (f64.mul
          (f64.mul (local.get $r) (local.get $r2))
          (f64.add
            (f64.add (f64.const 0.33333333331825593) (f64.mul (local.get $r) (f64.const -0.2499999999622955)))
            (f64.mul (local.get $r2)
              (f64.add (f64.const 0.20000304511814496) (f64.mul (local.get $r) (f64.const -0.16667054827627667))))))))
    (local.set $s
      (f64.mul
        (f64.add (f64.abs (local.get $lo)) (f64.mul (f64.const 2) (local.get $r2)))
        (f64.const 0x1p-48)))
    (if (result f64)
      (f64.eq
        (f64.add (local.get $hi) (f64.add (local.get $y) (local.get $s)))
        (f64.add (local.get $hi) (f64.sub (local.get $y) (local.get $s))))
      (then (f64.add (local.get $hi) (local.get $y)))
      (else (call $log (local.get $x)))))

  ;; `count` legacy_gauss pairs from output word w on: for each accepted polar try,
  ;; f = sqrt(-2 log(r2) / r2), then f x2 and f x1 (the order gauss() returns them in)
  ;; from byte 12288, over the tries (pair k at 16 k, try k at 24 k: a try is read
  ;; before its pair is written, and no pair reaches a later try). Returns the next w.
  (func (export "normals") (param $w i32) (param $count i32) (result i32)
    (local $try i32) (local $pair i32) (local $end i32) (local $x1 f64) (local $x2 f64) (local $r2 f64)
    (local $f f64)
    (local.set $w (call $polar (local.get $w) (local.get $count)))
    (local.set $try (i32.const 12288))
    (local.set $pair (i32.const 12288))
    (local.set $end (i32.add (i32.const 12288) (i32.mul (local.get $count) (i32.const 24))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $try) (local.get $end)))
        (local.set $r2 (f64.load offset=16 (local.get $try)))
        (local.set $f
          (f64.sqrt (f64.div (f64.mul (f64.const -2) (call $ln (local.get $r2))) (local.get $r2))))
        (local.set $x1 (f64.load (local.get $try)))
        (local.set $x2 (f64.load offset=8 (local.get $try)))
        (f64.store (local.get $pair) (f64.mul (local.get $f) (local.get $x2)))
        (f64.store offset=8 (local.get $pair) (f64.mul (local.get $f) (local.get $x1)))
        (local.set $try (i32.add (local.get $try) (i32.const 24)))
        (local.set $pair (i32.add (local.get $pair) (i32.const 16)))
        (br $each)))
    (local.get $w)))
*/

const MT_WASM = [
  'AGFzbQEAAAABHgZgAXwBfGADf39/AGACf38AYAAAYAABf2ACf38BfwIKAQJqcwNsb2cAAAMJCAECAwQFAAAFBQMBAAEGBgF/',
  'AUEACwcdAwZtZW1vcnkCAAZyZWZpbGwAAwdub3JtYWxzAAgKowwIPwEBfyAAKAIAQYCAgIB4cSABKAIAQf////8HcXIhAyAA',
  'IAIoAgAgA0EBdnNBACADQQFxa0Hf4aLIeXFzNgIAC3MBAXsgAP0ABAD9DAAAAIAAAACAAAAAgAAAAID9TiAA/QAEBP0M////',
  'f////3////9/////f/1O/VAhAiAAIAH9AAQAIAJBAf2tAf1RIAJBH/2rAUEf/awB/QzfsAiZ37AImd+wCJnfsAiZ/U79Uf0L',
  'BAAL7QECAX8BewNAIAAgAEG0DGoQAiAAQRBqIQAgAEGAB0kNAAtBgAdBhAdBtBMQAUGEB0GIB0G4ExABQYgHQYwHQbwTEAFB',
  'jAchAANAIAAgAEGMB2sQAiAAQRBqIQAgAEG8E0kNAAtBvBNBAEGwDBABQQAhAANAIAD9AAQAIQEgASABQQv9rQH9USEBIAEg',
  'AUEH/asB/QyAViydgFYsnYBWLJ2AViyd/U79USEBIAEgAUEP/asB/QwAAMbvAADG7wAAxu8AAMbv/U79USEBIAAgASABQRL9',
  'rQH9Uf0LBMATIABBEGohACAAQcATSQ0ACwsnAQF/IwBB8ARGBEAQA0EAJAALIwBBAnQoAsATIQAjAEEBaiQAIAALkwIDBH8D',
  'fAJ/QYDgACEJIAFFBEAgAA8LA0AgAEHsBE0EQCAAQQJ0KALAEyECIABBAnQoAsQTIQMgAEECdCgCyBMhBCAAQQJ0KALMEyEF',
  'IABBBGohAAUgACQAEAQhAhAEIQMQBCEEEAQhBSMAIQALIAJBBXatQhqGIANBBnathLpEAAAAAAAAsDyiRAAAAAAAAPA/oSEG',
  'IARBBXatQhqGIAVBBnathLpEAAAAAAAAsDyiRAAAAAAAAPA/oSEHIAYgBqIgByAHoqAhCCAJIAY5AwAgCSAHOQMIIAkgCDkD',
  'ECAIRAAAAAAAAPA/YyAIRAAAAAAAAAAAYnEhCiAJQRhBACAKG2ohCSABIAprIQEgAQ0ACyAAC78CAQt8IABEAAAAAAAA8D+h',
  'IQEgASABoiECIAEgAqIhAyABRAAAAAAAAKBBoiABoCEEIAQgAUQAAAAAAACgQaKhIQVEAAAAAAAA4L8gBaIgBaIhBiABIAag',
  'IQcgASAHoSAGoCEIIANEd1VVVVVV1T8gAUTL/f/////Pv6KgIAJEDN2VmZmZyT+ioCADRKdFZ1VVVcW/IAFEMN5EoyRJwj+i',
  'oCACRGU9QqT//7+/oqAgA0TK1ioohHG8PyABRP9osEPrmbm/oqAgAkSF0K/3goG3P6KgIANEzUXRdRNStb+ioKKgoqCiIQkg',
  'CEQAAAAAAADgvyABIAWhoiAFIAGgoqAgCaAhCiAJmUQAAAAAAADwPKIgAZlEAAAAAAAAwDmioCELIAcgCiALoKAgByAKIAuh',
  'oGEEfCAHIAqgBSAAEAALC/sCAgN/DnwgAEQAAAAAAADuP2YEQCAAEAYPCyAAvUIgiKdBgICY/wNrIQFBgCcgAUELdkH8A3FB',
  'A3RqIQIgAUEUdSEDIAO3IQRB/wcgA2usQjSGvyEFRAAAAAIAAKBBIACiIQYgBiAGIAChoSEHIAcgBaIhCCAAIAehIAWiIQkg',
  'ACAFoiACKwMAoiEKIApEAAAAAAAA8D+hIAkgAisDGKIgCiAIIAIrAxCioSAJIAIrAxCioSAIIAIrAxiioaGgIQsgBEQAOPr+',
  'Qi7mP6IgAisDCKAhDCAMIAugIQ0gCyALoiEPIAwgDaEgC6AgBEQwZ8eTV/MuPaKgIQ4gDiAPRAEAAAAAAOC/oqAgCyAPokRb',
  'MFFVVVXVPyALRJBF6////8+/oqAgD0QRAfEks5nJPyALRJ/IBuV1VcW/oqCioKKgIRAgDplEAAAAAAAAAEAgD6KgRAAAAAAA',
  'APA8oiERIA0gECARoKAgDSAQIBGhoGEEfCANIBCgBSAAEAALC4IBAgN/BHwgACABEAUhAEGA4AAhAkGA4AAhA0GA4AAgAUEY',
  'bGohBAJAA0AgAiAETw0BIAIrAxAhB0QAAAAAAAAAwCAHEAeiIAejnyEIIAIrAwAhBSACKwMIIQYgAyAIIAaiOQMAIAMgCCAF',
  'ojkDCCACQRhqIQIgA0EQaiEDDAALCyAACw==',
].join('');

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
  new Float64Array(buffer, 8 * N, LOG_TABLE.length).set(LOG_TABLE);
  return {
    refill: exports.refill as () => void,
    normals: exports.normals as (index: number, count: number) => number,
    state: new Uint32Array(buffer, 0, N),
    out: new Int32Array(buffer, 4 * N, N),
    pairs: new Float64Array(buffer, 12288, 2 * NORMAL_PAIRS),
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
