;; MT19937's hot loops (see src/numerics/mt19937.ts). A template: scripts/build-wasm.ts
;; replaces each placeholder, a NAME or NAME+k in double braces, with that value from
;; src/numerics/mt19937-layout.ts (the memory layout: MT_LAYOUT) or from glibc-log.ts
;; (LOG_COEFFICIENTS), then assembles it with wabt into src/numerics/mt19937.wasm.ts.
;;
;; The memory: the state (624 words at byte STATE = 0), the tempered outputs (624 words
;; at byte OUT), glibc's log table (LOG_TABLE) and up to NORMAL_PAIRS polar tries, then
;; their normals (from byte TRIES). The twist is vectorised where no word of a group of
;; four depends on another's new value: word kk needs the old kk + 1 and kk + 397 (for
;; kk < 227) or the new kk - 227 (beyond); the few words at the seams go one at a time;
;; the byte offsets of the twist (896, 1588, ...) are 4 × those word indices.
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
    ;; Temper the 624 words (bytes 0 to 2496) into the outputs.
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
      (v128.store offset={{OUT}} (local.get $kk)
        (v128.xor (local.get $v) (i32x4.shr_u (local.get $v) (i32.const 18))))
      (local.set $kk (i32.add (local.get $kk) (i32.const 16)))
      (br_if $temper (i32.lt_u (local.get $kk) (i32.const 2496)))))

  ;; Output word $w, refilling first when all 624 are used; advances $w.
  (func $next (result i32)
    (local $word i32)
    (if (i32.eq (global.get $w) (i32.const 624))
      (then (call $refill) (global.set $w (i32.const 0))))
    (local.set $word (i32.load offset={{OUT}} (i32.shl (global.get $w) (i32.const 2))))
    (global.set $w (i32.add (global.get $w) (i32.const 1)))
    (local.get $word))

  ;; legacy_gauss's polar tries from output word w on: writes the first `count`
  ;; accepted ones (0 < r2 < 1) as (x1, x2, r2) from byte TRIES; returns the next w.
  ;; A try is written before it is judged and kept by advancing past it, so the
  ;; rejections (a fifth of the tries, at random) cost no mispredicted branch.
  (func $polar (param $w i32) (param $count i32) (result i32)
    (local $a1 i32) (local $b1 i32) (local $a2 i32) (local $b2 i32)
    (local $x1 f64) (local $x2 f64) (local $r2 f64) (local $at i32) (local $kept i32)
    (local.set $at (i32.const {{TRIES}}))
    (if (i32.eqz (local.get $count)) (then (return (local.get $w))))
    (loop $try
      (if (i32.le_u (local.get $w) (i32.const 620))
        (then
          (local.set $a1 (i32.load offset={{OUT}} (i32.shl (local.get $w) (i32.const 2))))
          (local.set $b1 (i32.load offset={{OUT+4}} (i32.shl (local.get $w) (i32.const 2))))
          (local.set $a2 (i32.load offset={{OUT+8}} (i32.shl (local.get $w) (i32.const 2))))
          (local.set $b2 (i32.load offset={{OUT+12}} (i32.shl (local.get $w) (i32.const 2))))
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
            (f64.add (f64.const {{B1}}) (f64.mul (local.get $r) (f64.const {{B2}})))
            (f64.mul (local.get $r2) (f64.const {{B3}})))
          (f64.mul (local.get $r3)
            (f64.add
              (f64.add
                (f64.add (f64.const {{B4}}) (f64.mul (local.get $r) (f64.const {{B5}})))
                (f64.mul (local.get $r2) (f64.const {{B6}})))
              (f64.mul (local.get $r3)
                (f64.add
                  (f64.add
                    (f64.add (f64.const {{B7}}) (f64.mul (local.get $r) (f64.const {{B8}})))
                    (f64.mul (local.get $r2) (f64.const {{B9}})))
                  (f64.mul (local.get $r3) (f64.const {{B10}})))))))))
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
  ;; cl) for subinterval i at byte LOG_TABLE + 32 i.
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
      (i32.add (i32.const {{LOG_TABLE}})
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
      (f64.add (f64.mul (local.get $k) (f64.const {{LN2HI}})) (f64.load offset=8 (local.get $at))))
    (local.set $hi (f64.add (local.get $w) (local.get $r)))
    (local.set $r2 (f64.mul (local.get $r) (local.get $r)))
    (local.set $lo
      (f64.add
        (f64.add (f64.sub (local.get $w) (local.get $hi)) (local.get $r))
        (f64.mul (local.get $k) (f64.const {{LN2LO}}))))
    ;; y = lo + r2 A0 + r r2 (A1 + r A2 + r2 (A3 + r A4)).
    (local.set $y
      (f64.add
        (f64.add (local.get $lo) (f64.mul (local.get $r2) (f64.const {{A0}})))
        (f64.mul
          (f64.mul (local.get $r) (local.get $r2))
          (f64.add
            (f64.add (f64.const {{A1}}) (f64.mul (local.get $r) (f64.const {{A2}})))
            (f64.mul (local.get $r2)
              (f64.add (f64.const {{A3}}) (f64.mul (local.get $r) (f64.const {{A4}}))))))))
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
  ;; from byte TRIES, over the tries (pair k at 16 k, try k at 24 k: a try is read
  ;; before its pair is written, and no pair reaches a later try). Returns the next w.
  (func (export "normals") (param $w i32) (param $count i32) (result i32)
    (local $try i32) (local $pair i32) (local $end i32) (local $x1 f64) (local $x2 f64) (local $r2 f64)
    (local $f f64)
    (local.set $w (call $polar (local.get $w) (local.get $count)))
    (local.set $try (i32.const {{TRIES}}))
    (local.set $pair (i32.const {{TRIES}}))
    (local.set $end (i32.add (i32.const {{TRIES}}) (i32.mul (local.get $count) (i32.const 24))))
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
