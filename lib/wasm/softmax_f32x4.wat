;; Attention's masked softmax over rows of scores, in place, with WebAssembly SIMD.
;;
;; Row r of the (rows, n) float32 scores at w is query i = r mod queries of
;; group g = ⌊r / queries⌋; its key mask is the n floats at
;; mask + 4n·⌊g / groupsPerMaskRow⌋ (1 = real key, 0 = padding) when hasMask.
;; Each row becomes softmax(scale · row + M), where M is −∞ for padded keys and,
;; with causal, keys j > i: subtract the row's maximum, exp, divide by the sum
;; (in float32). A row with no visible key becomes zeros; a NaN score at a
;; visible key makes its row NaN. n must be
;; a multiple of 4 (the caller uses the TypeScript loop otherwise).
;;
;; exp(x) for x ≤ 0 is Cephes' expf: k = round(x·log₂e), r = x − k·ln 2 (ln 2
;; in two parts), e^r by a degree-7 polynomial, 2^k put into the exponent bits;
;; about 1 ulp of float32. Arguments below −87.3 (where 2^k leaves the normal
;; range) are clamped there, and hidden keys are set to exactly 0 afterwards.
;; The readable reference is softmaxScoreRow in ../attention.ts.
;;
;; The memory is imported ("kernel" "memory"): ../_score_softmax.ts gives the
;; module one of its own, or the matrix-product kernel's, so that attention's
;; scores stay in one memory between their products and their softmax.
(module
  (import "kernel" "memory" (memory 1))

  (func (export "softmaxRows")
    (param $w i32) (param $rows i32) (param $n i32) (param $scale f32)
    (param $queries i32) (param $mask i32) (param $hasMask i32) (param $groupsPerMaskRow i32)
    (param $causal i32)
    (local $r i32) (local $i i32) (local $row i32) (local $end i32) (local $p i32)
    (local $maskRow i32) (local $visible i32) (local $j i32) (local $groupInMaskRow i32)
    (local $v v128) (local $hidden v128) (local $max v128) (local $total v128)
    (local $scaleVector v128) (local $columns v128) (local $limit v128) (local $m f32)
    (local $sum f32) (local $ex v128) (local $ek v128) (local $er v128) (local $ep v128)
    (local.set $scaleVector (f32x4.splat (local.get $scale)))
    (local.set $r (i32.const 0))
    (local.set $i (i32.const 0))
    (local.set $groupInMaskRow (i32.const 0))
    (local.set $row (local.get $w))
    (local.set $maskRow (local.get $mask))
    (block $rowsDone
      (loop $eachRow
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        ;; i = r mod queries, the group g = ⌊r / queries⌋ and its mask row, kept by counting.
        (local.set $end (i32.add (local.get $row) (i32.shl (local.get $n) (i32.const 2))))
        ;; Keys j ≥ visible are in the future (causal).
        (local.set $visible
          (if (result i32) (local.get $causal)
            (then (i32.add (local.get $i) (i32.const 1)))
            (else (local.get $n))))
        (local.set $limit (i32x4.splat (local.get $visible)))
        (local.set $columns (v128.const i32x4 0 1 2 3))
        ;; Pass 1: scale, hide, and the running maximum.
        (local.set $max (v128.const f32x4 -inf -inf -inf -inf))
        (local.set $p (local.get $row))
        (local.set $j (local.get $maskRow))
        (block $scoresDone
          (loop $scores
            (br_if $scoresDone (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $hidden (i32x4.ge_s (local.get $columns) (local.get $limit)))
            (if (local.get $hasMask)
              (then
                (local.set $hidden (v128.or (local.get $hidden)
                  (f32x4.eq (v128.load (local.get $j)) (v128.const f32x4 0 0 0 0))))))
            (local.set $v (v128.bitselect
              (v128.const f32x4 -inf -inf -inf -inf)
              (f32x4.mul (v128.load (local.get $p)) (local.get $scaleVector))
              (local.get $hidden)))
            (v128.store (local.get $p) (local.get $v))
            ;; f32x4.max is NaN when either lane is: a NaN score makes the maximum NaN.
            (local.set $max (f32x4.max (local.get $max) (local.get $v)))
            (local.set $columns (i32x4.add (local.get $columns) (v128.const i32x4 4 4 4 4)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $scores)))
        ;; The row's maximum from the four lanes (NaN wins through f32x4.max).
        (local.set $max (f32x4.max (local.get $max)
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $max) (local.get $max))))
        (local.set $max (f32x4.max (local.get $max)
          (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $max) (local.get $max))))
        (local.set $m (f32x4.extract_lane 0 (local.get $max)))
        (if (i32.or (f32.eq (local.get $m) (f32.const -inf)) (f32.ne (local.get $m) (local.get $m)))
          (then
            ;; No visible key: zeros, not NaN; a NaN score: the whole row NaN.
            (local.set $p (local.get $row))
            (block $fillDone
              (loop $fill
                (br_if $fillDone (i32.ge_u (local.get $p) (local.get $end)))
                (v128.store (local.get $p)
                  (if (result v128) (f32.eq (local.get $m) (f32.const -inf))
                    (then (v128.const i32x4 0 0 0 0))
                    (else (local.get $max))))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (br $fill))))
          (else
            ;; Pass 2: exp(s − max), exactly 0 where hidden (s = −∞), and the sum.
            (local.set $total (v128.const f32x4 0 0 0 0))
            (local.set $p (local.get $row))
            (block $expDone
              (loop $exps
                (br_if $expDone (i32.ge_u (local.get $p) (local.get $end)))
                (local.set $v (v128.load (local.get $p)))
                (local.set $hidden (f32x4.eq (local.get $v) (v128.const f32x4 -inf -inf -inf -inf)))
                ;; e^x for each lane of x = s − max ≤ 0 (NaN stays NaN), written out here: as a
                ;; function call it cost about a fifth of the kernel's time. pmax(x, c) = x < c ? c : x:
                ;; one maxps, where f32x4.max is several instructions for its NaN and ±0 rules; with c
                ;; a constant below 0 the two agree for every x, NaN included.
                (local.set $ex (f32x4.sub (local.get $v) (local.get $max)))
                (local.set $ex (f32x4.pmax (local.get $ex) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)))
                (local.set $ek (f32x4.nearest
                  (f32x4.mul (local.get $ex) (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504))))
                ;; r = x − k·0.693359375 + k·2.12194440e-4
                (local.set $er (f32x4.sub (local.get $ex)
                  (f32x4.mul (local.get $ek) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
                (local.set $er (f32x4.add (local.get $er)
                  (f32x4.mul (local.get $ek) (v128.const f32x4 2.12194440e-4 2.12194440e-4 2.12194440e-4 2.12194440e-4))))
                ;; p = ((((c5 r + c4) r + c3) r + c2) r + c1) r + c0, then e^r ≈ p·r² + r + 1
                (local.set $ep (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
                (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er))
                  (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
                (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er))
                  (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
                (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er))
                  (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
                (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er))
                  (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
                (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er))
                  (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
                (local.set $ep (f32x4.add
                  (f32x4.add (f32x4.mul (local.get $ep) (f32x4.mul (local.get $er) (local.get $er)))
                    (local.get $er))
                  (v128.const f32x4 1 1 1 1)))
                ;; · 2^k: (k + 127) << 23 is 2^k as float32 bits for k in [−126, 0]. The float
                ;; k + 127 + 1.5·2²³ (exact) holds k + 127 in its low mantissa bits above
                ;; 0x4B400000, whose low 9 bits are 0: shifted left 23, only k + 127 is left —
                ;; the integer that i32x4.trunc_sat_f32x4_s(k) + 127 gives, in fewer instructions
                ;; (a NaN k comes with a NaN p, and their product is p's NaN either way).
                (local.set $v (v128.andnot
                  (f32x4.mul (local.get $ep)
                    (i32x4.shl
                      (f32x4.add (local.get $ek) (v128.const f32x4 12583039 12583039 12583039 12583039))
                      (i32.const 23)))
                  (local.get $hidden)))
                (v128.store (local.get $p) (local.get $v))
                (local.set $total (f32x4.add (local.get $total) (local.get $v)))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (br $exps)))
            (local.set $sum (f32.add
              (f32.add (f32x4.extract_lane 0 (local.get $total)) (f32x4.extract_lane 1 (local.get $total)))
              (f32.add (f32x4.extract_lane 2 (local.get $total)) (f32x4.extract_lane 3 (local.get $total)))))
            ;; Pass 3: divide by the sum.
            (local.set $v (f32x4.splat (f32.div (f32.const 1) (local.get $sum))))
            (local.set $p (local.get $row))
            (block $scaleDone
              (loop $normalise
                (br_if $scaleDone (i32.ge_u (local.get $p) (local.get $end)))
                (v128.store (local.get $p) (f32x4.mul (v128.load (local.get $p)) (local.get $v)))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (br $normalise)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (local.set $row (local.get $end))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (if (i32.eq (local.get $i) (local.get $queries))
          (then
            (local.set $i (i32.const 0))
            (local.set $groupInMaskRow (i32.add (local.get $groupInMaskRow) (i32.const 1)))
            (if (i32.eq (local.get $groupInMaskRow) (local.get $groupsPerMaskRow))
              (then
                (local.set $groupInMaskRow (i32.const 0))
                (local.set $maskRow
                  (i32.add (local.get $maskRow) (i32.shl (local.get $n) (i32.const 2))))))))
        (br $eachRow)))))
