;; Float64 arithmetic on float32 storage, two elements at a time (f64x2): the
;; row kernels of LayerNorm (forward and backward), Adam's update, and the ReLU
;; gradient of the fused linear + ReLU layer with its bias gradient's column sums.
;;
;; Each kernel does, element by element, exactly the float64 operations of its
;; TypeScript reference, in the same order — float32 values are widened on
;; load and rounded once on store — so the results are bit for bit those of
;; the references, which tests/kernels_test.ts checks:
;;   - rowMoments (../_row_kernels.ts): the sums about the row's first value
;;     in two interleaved accumulators, which are exactly the two lanes here;
;;   - layerNorm / layerNormBackward (../layer_norm.ts): the sums Σg and Σg·x̂
;;     are sequential there, so they are taken lane 0 then lane 1 here;
;;   - Adam's update (../optim.ts), with its moments in float64;
;;   - reluGradient and columnSums (../nn/linear.ts): the sums of four rows at a
;;     time, each column's in row order.
;; The SIMD gain is two lanes per instruction, where the reference does one
;; float64 operation at a time (Adam is bound by its divisions and square root).
(module
  (memory (export "memory") 1)

  ;; Two float32 at p, widened to float64.
  (func $load2 (param $p i32) (result v128)
    (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p))))

  ;; Stores the two float64 of v at p as float32 (rounded to nearest, ties to even).
  (func $store2 (param $p i32) (param $v v128)
    (v128.store64_lane 0 (local.get $p) (f32x4.demote_f64x2_zero (local.get $v))))

  ;; The float32 at p, widened.
  (func $load1 (param $p i32) (result f64)
    (f64.promote_f32 (f32.load (local.get $p))))

  ;; The mean and M2 = Σ(x − mean)² of the n float32 at p, as rowMoments: sums of
  ;; e = x − x₀ in lanes (even, odd elements), an odd last element into lane 0,
  ;; mean = x₀ + S₁/n, M2 = max(0, Q − S₁²/n).
  (func $moments (param $p i32) (param $n i32) (result f64 f64)
    (local $shift f64) (local $shiftVector v128) (local $end i32) (local $pairsEnd i32)
    (local $e v128) (local $sums v128) (local $squares v128)
    (local $a0 f64) (local $q0 f64) (local $last f64) (local $s1 f64) (local $count f64)
    (local.set $shift (call $load1 (local.get $p)))
    (local.set $shiftVector (f64x2.splat (local.get $shift)))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $pairsEnd
      (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 2))))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $p) (local.get $pairsEnd)))
        (local.set $e (f64x2.sub (call $load2 (local.get $p)) (local.get $shiftVector)))
        (local.set $sums (f64x2.add (local.get $sums) (local.get $e)))
        (local.set $squares (f64x2.add (local.get $squares) (f64x2.mul (local.get $e) (local.get $e))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $pairs)))
    (local.set $a0 (f64x2.extract_lane 0 (local.get $sums)))
    (local.set $q0 (f64x2.extract_lane 0 (local.get $squares)))
    (if (i32.lt_u (local.get $p) (local.get $end))
      (then
        (local.set $last (f64.sub (call $load1 (local.get $p)) (local.get $shift)))
        (local.set $a0 (f64.add (local.get $a0) (local.get $last)))
        (local.set $q0 (f64.add (local.get $q0) (f64.mul (local.get $last) (local.get $last))))))
    (local.set $s1 (f64.add (local.get $a0) (f64x2.extract_lane 1 (local.get $sums))))
    (local.set $count (f64.convert_i32_u (local.get $n)))
    (f64.add (local.get $shift) (f64.div (local.get $s1) (local.get $count)))
    (f64.max
      (f64.const 0)
      (f64.sub
        (f64.add (local.get $q0) (f64x2.extract_lane 1 (local.get $squares)))
        (f64.div (f64.mul (local.get $s1) (local.get $s1)) (local.get $count)))))

  ;; 1/√(M2/n + eps) of the row at p, with its mean; NaN when M2 is not finite or
  ;; the variance is 0 (the caller then lets the reference throw its error).
  (func $inverseStd (param $p i32) (param $n i32) (param $eps f64) (result f64 f64)
    (local $mean f64) (local $squares f64) (local $variance f64)
    (call $moments (local.get $p) (local.get $n))
    (local.set $squares)
    (local.set $mean)
    (local.set $variance
      (f64.add (f64.div (local.get $squares) (f64.convert_i32_u (local.get $n))) (local.get $eps)))
    (local.get $mean)
    (if (result f64)
      (i32.or
        (f64.ne (f64.sub (local.get $squares) (local.get $squares)) (f64.const 0))
        (f64.eq (local.get $variance) (f64.const 0)))
      (then (f64.const nan))
      (else (f64.div (f64.const 1) (f64.sqrt (local.get $variance))))))

  ;; LayerNorm of `rows` rows of n float32 at x into out: with `affine`,
  ;; (x − mean)·r·γ + β (γ, β: n float32 each), else x·r + (−mean·r). Returns −1,
  ;; or the first row whose values are not finite or whose variance is 0 (rows
  ;; before it are written).
  (func (export "layerNormForward")
    (param $x i32) (param $out i32) (param $gamma i32) (param $beta i32) (param $rows i32)
    (param $n i32) (param $eps f64) (param $affine i32) (result i32)
    (local $row i32) (local $mean f64) (local $r f64) (local $j i32) (local $pairs i32)
    (local $rowBytes i32) (local $meanVector v128) (local $rVector v128) (local $shift f64)
    (local $shiftVector v128)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $pairs (i32.and (local.get $n) (i32.const -2)))
    (block $done
      (loop $eachRow
        (br_if $done (i32.ge_u (local.get $row) (local.get $rows)))
        (call $inverseStd (local.get $x) (local.get $n) (local.get $eps))
        (local.set $r)
        (local.set $mean)
        (if (f64.ne (local.get $r) (local.get $r)) (then (return (local.get $row))))
        (local.set $rVector (f64x2.splat (local.get $r)))
        (local.set $j (i32.const 0))
        (if (local.get $affine)
          (then
            (local.set $meanVector (f64x2.splat (local.get $mean)))
            (block $affineDone
              (loop $affinePairs
                (br_if $affineDone (i32.ge_u (local.get $j) (local.get $pairs)))
                (call $store2 (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))
                  (f64x2.add
                    (f64x2.mul
                      (f64x2.mul
                        (f64x2.sub
                          (call $load2 (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 2))))
                          (local.get $meanVector))
                        (local.get $rVector))
                      (call $load2 (i32.add (local.get $gamma) (i32.shl (local.get $j) (i32.const 2)))))
                    (call $load2 (i32.add (local.get $beta) (i32.shl (local.get $j) (i32.const 2))))))
                (local.set $j (i32.add (local.get $j) (i32.const 2)))
                (br $affinePairs)))
            (if (i32.lt_u (local.get $j) (local.get $n))
              (then
                (f32.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))
                  (f32.demote_f64
                    (f64.add
                      (f64.mul
                        (f64.mul
                          (f64.sub
                            (call $load1 (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 2))))
                            (local.get $mean))
                          (local.get $r))
                        (call $load1 (i32.add (local.get $gamma) (i32.shl (local.get $j) (i32.const 2)))))
                      (call $load1 (i32.add (local.get $beta) (i32.shl (local.get $j) (i32.const 2))))))))))
          (else
            (local.set $shift (f64.mul (f64.neg (local.get $mean)) (local.get $r)))
            (local.set $shiftVector (f64x2.splat (local.get $shift)))
            (block $plainDone
              (loop $plainPairs
                (br_if $plainDone (i32.ge_u (local.get $j) (local.get $pairs)))
                (call $store2 (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))
                  (f64x2.add
                    (f64x2.mul
                      (call $load2 (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 2))))
                      (local.get $rVector))
                    (local.get $shiftVector)))
                (local.set $j (i32.add (local.get $j) (i32.const 2)))
                (br $plainPairs)))
            (if (i32.lt_u (local.get $j) (local.get $n))
              (then
                (f32.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))
                  (f32.demote_f64
                    (f64.add
                      (f64.mul
                        (call $load1 (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 2))))
                        (local.get $r))
                      (local.get $shift))))))))
        (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
        (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $eachRow)))
    (i32.const -1))

  ;; LayerNorm's gradient for `rows` rows of n float32: x, dy in; dx out; dγ += dy·x̂
  ;; and dβ += dy into n float64 each at dWeight, dBias; γ (n float32) when hasGamma.
  ;; Per row, with g = dy·γ: x̂ is parked in dx (as float32, like the reference), then
  ;; dx = r·(g − mean(g) − x̂·mean(g·x̂)). Returns −1, or the first row that fails as
  ;; in layerNormForward.
  (func (export "layerNormBackward")
    (param $x i32) (param $dy i32) (param $dx i32) (param $gamma i32) (param $dWeight i32)
    (param $dBias i32) (param $rows i32) (param $n i32) (param $eps f64) (param $hasGamma i32)
    (result i32)
    (local $row i32) (local $mean f64) (local $r f64) (local $j i32) (local $pairs i32)
    (local $rowBytes i32) (local $meanVector v128) (local $rVector v128)
    (local $xhat v128) (local $d v128) (local $g v128) (local $product v128)
    (local $sumG f64) (local $sumGXhat f64) (local $meanG v128) (local $meanGXhat v128)
    (local $xhat1 f64) (local $d1 f64) (local $g1 f64) (local $count f64)
    (local $at i32) (local $wide i32)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $pairs (i32.and (local.get $n) (i32.const -2)))
    (local.set $count (f64.convert_i32_u (local.get $n)))
    (block $done
      (loop $eachRow
        (br_if $done (i32.ge_u (local.get $row) (local.get $rows)))
        (call $inverseStd (local.get $x) (local.get $n) (local.get $eps))
        (local.set $r)
        (local.set $mean)
        (if (f64.ne (local.get $r) (local.get $r)) (then (return (local.get $row))))
        (local.set $rVector (f64x2.splat (local.get $r)))
        (local.set $meanVector (f64x2.splat (local.get $mean)))
        (local.set $sumG (f64.const 0))
        (local.set $sumGXhat (f64.const 0))
        ;; Pass 1: x̂ into dx, Σg and Σg·x̂ in element order, dγ and dβ.
        (local.set $j (i32.const 0))
        (block $firstDone
          (loop $first
            (br_if $firstDone (i32.ge_u (local.get $j) (local.get $pairs)))
            (local.set $at (i32.shl (local.get $j) (i32.const 2)))
            (local.set $wide (i32.shl (local.get $j) (i32.const 3)))
            (local.set $xhat (f64x2.mul
              (f64x2.sub (call $load2 (i32.add (local.get $x) (local.get $at))) (local.get $meanVector))
              (local.get $rVector)))
            (local.set $d (call $load2 (i32.add (local.get $dy) (local.get $at))))
            (local.set $g
              (if (result v128) (local.get $hasGamma)
                (then (f64x2.mul (local.get $d) (call $load2 (i32.add (local.get $gamma) (local.get $at)))))
                (else (local.get $d))))
            (local.set $sumG (f64.add
              (f64.add (local.get $sumG) (f64x2.extract_lane 0 (local.get $g)))
              (f64x2.extract_lane 1 (local.get $g))))
            (local.set $product (f64x2.mul (local.get $g) (local.get $xhat)))
            (local.set $sumGXhat (f64.add
              (f64.add (local.get $sumGXhat) (f64x2.extract_lane 0 (local.get $product)))
              (f64x2.extract_lane 1 (local.get $product))))
            (v128.store (i32.add (local.get $dWeight) (local.get $wide))
              (f64x2.add (v128.load (i32.add (local.get $dWeight) (local.get $wide)))
                (f64x2.mul (local.get $d) (local.get $xhat))))
            (v128.store (i32.add (local.get $dBias) (local.get $wide))
              (f64x2.add (v128.load (i32.add (local.get $dBias) (local.get $wide))) (local.get $d)))
            (call $store2 (i32.add (local.get $dx) (local.get $at)) (local.get $xhat))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $first)))
        (if (i32.lt_u (local.get $j) (local.get $n))
          (then
            (local.set $at (i32.shl (local.get $j) (i32.const 2)))
            (local.set $wide (i32.shl (local.get $j) (i32.const 3)))
            (local.set $xhat1 (f64.mul
              (f64.sub (call $load1 (i32.add (local.get $x) (local.get $at))) (local.get $mean))
              (local.get $r)))
            (local.set $d1 (call $load1 (i32.add (local.get $dy) (local.get $at))))
            (local.set $g1
              (if (result f64) (local.get $hasGamma)
                (then (f64.mul (local.get $d1) (call $load1 (i32.add (local.get $gamma) (local.get $at)))))
                (else (local.get $d1))))
            (local.set $sumG (f64.add (local.get $sumG) (local.get $g1)))
            (local.set $sumGXhat (f64.add (local.get $sumGXhat) (f64.mul (local.get $g1) (local.get $xhat1))))
            (f64.store (i32.add (local.get $dWeight) (local.get $wide))
              (f64.add (f64.load (i32.add (local.get $dWeight) (local.get $wide)))
                (f64.mul (local.get $d1) (local.get $xhat1))))
            (f64.store (i32.add (local.get $dBias) (local.get $wide))
              (f64.add (f64.load (i32.add (local.get $dBias) (local.get $wide))) (local.get $d1)))
            (f32.store (i32.add (local.get $dx) (local.get $at)) (f32.demote_f64 (local.get $xhat1)))))
        (local.set $meanG (f64x2.splat (f64.div (local.get $sumG) (local.get $count))))
        (local.set $meanGXhat (f64x2.splat (f64.div (local.get $sumGXhat) (local.get $count))))
        ;; Pass 2: dx = r·(g − mean(g) − x̂·mean(g·x̂)), x̂ read back from dx.
        (local.set $j (i32.const 0))
        (block $secondDone
          (loop $second
            (br_if $secondDone (i32.ge_u (local.get $j) (local.get $n)))
            (local.set $at (i32.shl (local.get $j) (i32.const 2)))
            (local.set $d (call $load2 (i32.add (local.get $dy) (local.get $at))))
            (local.set $g
              (if (result v128) (local.get $hasGamma)
                (then (f64x2.mul (local.get $d) (call $load2 (i32.add (local.get $gamma) (local.get $at)))))
                (else (local.get $d))))
            (local.set $g (f64x2.mul (local.get $rVector)
              (f64x2.sub
                (f64x2.sub (local.get $g) (local.get $meanG))
                (f64x2.mul (call $load2 (i32.add (local.get $dx) (local.get $at))) (local.get $meanGXhat)))))
            (if (i32.lt_u (local.get $j) (local.get $pairs))
              (then (call $store2 (i32.add (local.get $dx) (local.get $at)) (local.get $g)))
              (else
                (f32.store (i32.add (local.get $dx) (local.get $at))
                  (f32.demote_f64 (f64x2.extract_lane 0 (local.get $g))))))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $second)))
        (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
        (local.set $dy (i32.add (local.get $dy) (local.get $rowBytes)))
        (local.set $dx (i32.add (local.get $dx) (local.get $rowBytes)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $eachRow)))
    (i32.const -1))

  ;; One Adam step of `count` float32 parameters at data (gradients at grad) with
  ;; their moments m, v (count float64 each at first, second), in float64:
  ;; g = ∇ + l2·θ; m = β₁m + (1 − β₁)g; v = β₂v + (1 − β₂)g·g;
  ;; θ = θ·decay − (stepSize·m) / (√v / correction + eps).
  (func (export "adamStep")
    (param $data i32) (param $grad i32) (param $first i32) (param $second i32) (param $count i32)
    (param $decay f64) (param $l2 f64) (param $beta1 f64) (param $keep1 f64) (param $beta2 f64)
    (param $keep2 f64) (param $stepSize f64) (param $correction f64) (param $eps f64)
    (local $i i32) (local $pairs i32) (local $at i32) (local $wide i32)
    (local $theta v128) (local $g v128) (local $m v128) (local $v v128)
    (local $theta1 f64) (local $g1 f64) (local $m1 f64) (local $v1 f64)
    (local.set $pairs (i32.and (local.get $count) (i32.const -2)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $pairs)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (local.set $wide (i32.shl (local.get $i) (i32.const 3)))
        (local.set $theta (call $load2 (i32.add (local.get $data) (local.get $at))))
        (local.set $g (f64x2.add
          (call $load2 (i32.add (local.get $grad) (local.get $at)))
          (f64x2.mul (f64x2.splat (local.get $l2)) (local.get $theta))))
        (local.set $m (f64x2.add
          (f64x2.mul (f64x2.splat (local.get $beta1)) (v128.load (i32.add (local.get $first) (local.get $wide))))
          (f64x2.mul (f64x2.splat (local.get $keep1)) (local.get $g))))
        (local.set $v (f64x2.add
          (f64x2.mul (f64x2.splat (local.get $beta2)) (v128.load (i32.add (local.get $second) (local.get $wide))))
          (f64x2.mul (f64x2.mul (f64x2.splat (local.get $keep2)) (local.get $g)) (local.get $g))))
        (v128.store (i32.add (local.get $first) (local.get $wide)) (local.get $m))
        (v128.store (i32.add (local.get $second) (local.get $wide)) (local.get $v))
        (call $store2 (i32.add (local.get $data) (local.get $at))
          (f64x2.sub
            (f64x2.mul (local.get $theta) (f64x2.splat (local.get $decay)))
            (f64x2.div
              (f64x2.mul (f64x2.splat (local.get $stepSize)) (local.get $m))
              (f64x2.add
                (f64x2.div (f64x2.sqrt (local.get $v)) (f64x2.splat (local.get $correction)))
                (f64x2.splat (local.get $eps))))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $each)))
    (if (i32.lt_u (local.get $i) (local.get $count))
      (then
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (local.set $wide (i32.shl (local.get $i) (i32.const 3)))
        (local.set $theta1 (call $load1 (i32.add (local.get $data) (local.get $at))))
        (local.set $g1 (f64.add
          (call $load1 (i32.add (local.get $grad) (local.get $at)))
          (f64.mul (local.get $l2) (local.get $theta1))))
        (local.set $m1 (f64.add
          (f64.mul (local.get $beta1) (f64.load (i32.add (local.get $first) (local.get $wide))))
          (f64.mul (local.get $keep1) (local.get $g1))))
        (local.set $v1 (f64.add
          (f64.mul (local.get $beta2) (f64.load (i32.add (local.get $second) (local.get $wide))))
          (f64.mul (f64.mul (local.get $keep2) (local.get $g1)) (local.get $g1))))
        (f64.store (i32.add (local.get $first) (local.get $wide)) (local.get $m1))
        (f64.store (i32.add (local.get $second) (local.get $wide)) (local.get $v1))
        (f32.store (i32.add (local.get $data) (local.get $at))
          (f32.demote_f64
            (f64.sub
              (f64.mul (local.get $theta1) (local.get $decay))
              (f64.div
                (f64.mul (local.get $stepSize) (local.get $m1))
                (f64.add
                  (f64.div (f64.sqrt (local.get $v1)) (local.get $correction))
                  (local.get $eps)))))))))
  ;; The gradient through a ReLU and its column sums, for `rows` rows of m float32:
  ;; out = dy + 0 where y > 0, else +0 (a NaN or infinite dy where y ≤ 0 gives 0);
  ;; then sums (m float64) += the columns of out, as columnSums adds them: four rows
  ;; at a time, ((r₀ + r₁) + r₂) + r₃, then one row at a time for the last rows.
  ;; m must be even (the caller uses the TypeScript loops otherwise).
  (func (export "reluGradientColumnSums")
    (param $dy i32) (param $y i32) (param $out i32) (param $sums i32) (param $rows i32)
    (param $m i32)
    (local $i i32) (local $count i32) (local $at i32)
    ;; Pass 1: the gradient, four floats at a time (the tail one at a time).
    (local.set $count (i32.mul (local.get $rows) (local.get $m)))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $count)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (v128.store (i32.add (local.get $out) (local.get $at))
          (f32x4.add
            (v128.and
              (v128.load (i32.add (local.get $dy) (local.get $at)))
              (f32x4.gt (v128.load (i32.add (local.get $y) (local.get $at))) (v128.const f32x4 0 0 0 0)))
            (v128.const f32x4 0 0 0 0)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vectors)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (f32.store (i32.add (local.get $out) (local.get $at))
          (if (result f32) (f32.gt (f32.load (i32.add (local.get $y) (local.get $at))) (f32.const 0))
            (then (f32.add (f32.load (i32.add (local.get $dy) (local.get $at))) (f32.const 0)))
            (else (f32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
    ;; Pass 2: the column sums of the gradient.
    (call $columnSums (local.get $out) (local.get $sums) (local.get $rows) (local.get $m)))

  ;; sums[j] += Σ_r data[r, j] over `rows` float32 rows of m (m even) at `data`, into the m
  ;; float64 sums at `sums`, two columns at a time: each group of four rows from the first is
  ;; added up first, ((r0 + r1) + r2) + r3, then to the sum, and the last rows one by one —
  ;; columnSums's order in ../nn/linear.ts.
  (func $columnSums (export "columnSums")
    (param $out i32) (param $sums i32) (param $rows i32) (param $m i32)
    (local $r i32) (local $j i32) (local $rowBytes i32) (local $at i32) (local $total v128)
    (local.set $rowBytes (i32.shl (local.get $m) (i32.const 2)))
    (block $groupsDone
      (loop $groups
        (br_if $groupsDone (i32.gt_u (i32.add (local.get $r) (i32.const 4)) (local.get $rows)))
        (local.set $at (i32.add (local.get $out) (i32.mul (local.get $r) (local.get $rowBytes))))
        (local.set $j (i32.const 0))
        (block $columnsDone
          (loop $columns
            (br_if $columnsDone (i32.ge_u (local.get $j) (local.get $m)))
            (local.set $total
              (f64x2.add
                (f64x2.add
                  (f64x2.add
                    (call $load2 (local.get $at))
                    (call $load2 (i32.add (local.get $at) (local.get $rowBytes))))
                  (call $load2 (i32.add (local.get $at) (i32.shl (local.get $rowBytes) (i32.const 1)))))
                (call $load2 (i32.add (local.get $at) (i32.mul (local.get $rowBytes) (i32.const 3))))))
            (v128.store (i32.add (local.get $sums) (i32.shl (local.get $j) (i32.const 3)))
              (f64x2.add
                (v128.load (i32.add (local.get $sums) (i32.shl (local.get $j) (i32.const 3))))
                (local.get $total)))
            (local.set $at (i32.add (local.get $at) (i32.const 8)))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $columns)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $groups)))
    (block $rowsDone
      (loop $lastRows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $at (i32.add (local.get $out) (i32.mul (local.get $r) (local.get $rowBytes))))
        (local.set $j (i32.const 0))
        (block $lastColumnsDone
          (loop $lastColumns
            (br_if $lastColumnsDone (i32.ge_u (local.get $j) (local.get $m)))
            (v128.store (i32.add (local.get $sums) (i32.shl (local.get $j) (i32.const 3)))
              (f64x2.add
                (v128.load (i32.add (local.get $sums) (i32.shl (local.get $j) (i32.const 3))))
                (call $load2 (local.get $at))))
            (local.set $at (i32.add (local.get $at) (i32.const 8)))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $lastColumns)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $lastRows))))
)
