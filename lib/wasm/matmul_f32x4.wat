;; C = A · B for one row-major float32 matrix pair, with WebAssembly SIMD.
;;
;; A is (n, k), B is (k, m), C is (n, m); all offsets are in bytes into this
;; module's memory. Requires n % 4 == 0 and m % 8 == 0 (the caller falls back
;; to the TypeScript kernel otherwise).
;;
;; C is computed in 4 × 8 blocks: for each block, eight f32x4 accumulators
;; (4 rows × 2 vectors of 4 columns) collect Σ_p A[i + r, p] · B[p, j..j + 8]
;; over p, so each loaded B vector is used four times and each A element
;; (splatted) twice. Accumulation is in float32, as in PyTorch's CPU matmul.
;; The readable reference is matmulKernel in ../_matmul.ts.
(module
  (memory (export "memory") 1)
  (func (export "matmul")
    (param $a i32) (param $b i32) (param $c i32)
    (param $n i32) (param $k i32) (param $m i32)
    (local $i i32) (local $j i32) (local $p i32)
    (local $kBytes i32) (local $mBytes i32)
    (local $row0 i32) (local $row1 i32) (local $row2 i32) (local $row3 i32)
    (local $bPointer i32) (local $cPointer i32)
    (local $b0 v128) (local $b1 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $kBytes (i32.shl (local.get $k) (i32.const 2)))
    (local.set $mBytes (i32.shl (local.get $m) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $n)))
        ;; The four rows of A in this block.
        (local.set $row0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $kBytes))))
        (local.set $row1 (i32.add (local.get $row0) (local.get $kBytes)))
        (local.set $row2 (i32.add (local.get $row1) (local.get $kBytes)))
        (local.set $row3 (i32.add (local.get $row2) (local.get $kBytes)))
        (local.set $j (i32.const 0))
        (block $columnsDone
          (loop $columns
            (br_if $columnsDone (i32.ge_u (local.get $j) (local.get $m)))
            (local.set $c00 (v128.const i32x4 0 0 0 0))
            (local.set $c01 (v128.const i32x4 0 0 0 0))
            (local.set $c10 (v128.const i32x4 0 0 0 0))
            (local.set $c11 (v128.const i32x4 0 0 0 0))
            (local.set $c20 (v128.const i32x4 0 0 0 0))
            (local.set $c21 (v128.const i32x4 0 0 0 0))
            (local.set $c30 (v128.const i32x4 0 0 0 0))
            (local.set $c31 (v128.const i32x4 0 0 0 0))
            ;; &B[0, j]
            (local.set $bPointer (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $p (i32.const 0))
            (block $innerDone
              (loop $inner
                (br_if $innerDone (i32.ge_u (local.get $p) (local.get $kBytes)))
                (local.set $b0 (v128.load (local.get $bPointer)))
                (local.set $b1 (v128.load offset=16 (local.get $bPointer)))
                (local.set $s0 (f32x4.splat (f32.load (i32.add (local.get $row0) (local.get $p)))))
                (local.set $s1 (f32x4.splat (f32.load (i32.add (local.get $row1) (local.get $p)))))
                (local.set $s2 (f32x4.splat (f32.load (i32.add (local.get $row2) (local.get $p)))))
                (local.set $s3 (f32x4.splat (f32.load (i32.add (local.get $row3) (local.get $p)))))
                (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s0) (local.get $b0))))
                (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s0) (local.get $b1))))
                (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s1) (local.get $b0))))
                (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s1) (local.get $b1))))
                (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s2) (local.get $b0))))
                (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s2) (local.get $b1))))
                (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s3) (local.get $b0))))
                (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s3) (local.get $b1))))
                (local.set $bPointer (i32.add (local.get $bPointer) (local.get $mBytes)))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (br $inner)))
            ;; &C[i, j], then the block's four rows.
            (local.set $cPointer
              (i32.add (local.get $c)
                (i32.add (i32.mul (local.get $i) (local.get $mBytes)) (i32.shl (local.get $j) (i32.const 2)))))
            (v128.store (local.get $cPointer) (local.get $c00))
            (v128.store offset=16 (local.get $cPointer) (local.get $c01))
            (local.set $cPointer (i32.add (local.get $cPointer) (local.get $mBytes)))
            (v128.store (local.get $cPointer) (local.get $c10))
            (v128.store offset=16 (local.get $cPointer) (local.get $c11))
            (local.set $cPointer (i32.add (local.get $cPointer) (local.get $mBytes)))
            (v128.store (local.get $cPointer) (local.get $c20))
            (v128.store offset=16 (local.get $cPointer) (local.get $c21))
            (local.set $cPointer (i32.add (local.get $cPointer) (local.get $mBytes)))
            (v128.store (local.get $cPointer) (local.get $c30))
            (v128.store offset=16 (local.get $cPointer) (local.get $c31))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $columns)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows)))))
