;; C = op(A) · op(B) for one float32 matrix pair, with WebAssembly SIMD, where
;; op(A) is (n, k) and op(B) is (k, m) and either may be stored transposed.
;;
;; Element (i, p) of op(A) is at a + i·aRow + p·aColumn and element (p, j) of
;; op(B) at b + p·bRow + j·bColumn (byte strides: a row-major (n, k) A has
;; aRow = 4k, aColumn = 4; a stored (k, n) Aᵀ has aRow = 4, aColumn = 4n).
;; C is (n, m) at c with rows ldc bytes apart. `work` is scratch memory of at least
;; gemmScratchBytes(m) bytes (see ../_gemm.ts). All offsets are bytes.
;;
;; The loops of GotoBLAS (Goto & van de Geijn 2008), at one level of cache:
;; - k is cut into blocks of KC = 256; for each block, B's rows are packed into
;;   panels of 8 columns (panel-major, then p, then the 8 values: one panel is
;;   8 KB, it stays in L1 while it is used);
;; - A is read in place, six rows at a time through six pointers (six rows of a
;;   KC block are at most 6 KB, or with A stored transposed 256 cache lines: both
;;   stay in L1 while every column panel of B passes by them);
;; - the micro-kernel computes a 6 × 8 block of C in twelve f32x4 accumulators
;;   (each B vector is used six times, each A value, splatted, twice), and adds
;;   into C from the second k block on; the first block may start from a bias
;;   row instead of 0, and the last may end with a ReLU (a linear layer's
;;   epilogue, fused so that y = relu(x Wᵀ + b) is one pass over C);
;; - edges (fewer than 6 rows or 8 columns) go through a 6 × 8 tile in `work`;
;;   B's packing pads with zeros, missing rows of A repeat the group's first.
;; The multiply-adds are relaxed SIMD's f32x4.relaxed_madd(x, y, z) = x·y + z,
;; one fused instruction where the CPU has FMA: with separate mul and add,
;; twelve accumulators, two B vectors, the splat and the product's temporary
;; need sixteen registers, one more than V8 has free on x64, and the kernel
;; spills (measured: ~22 against ~44 GFLOP/s). tools/build_wasm.ts also builds
;; a copy with f32x4.add(f32x4.mul(x, y), z) for engines without relaxed SIMD.
;; Accumulation is in float32, as in PyTorch's CPU matmul. The readable
;; reference is gemmReference in ../_gemm.ts.
(module
  (memory (export "memory") 1)

  ;; Packs kc rows × m columns starting at src into panels of 8 columns:
  ;; dst[(j / 8)·kc·8 + p·8 + j % 8], zero beyond m.
  (func $packB
    (param $src i32) (param $row i32) (param $column i32) (param $kc i32) (param $m i32)
    (param $dst i32)
    (local $j i32) (local $p i32) (local $c i32) (local $from i32) (local $panelStart i32)
    (local $columns i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $j (i32.const 0))
    (block $panelsDone
      (loop $panels
        (br_if $panelsDone (i32.ge_u (local.get $j) (local.get $m)))
        (local.set $columns (i32.sub (local.get $m) (local.get $j)))
        ;; &B[0, j]
        (local.set $panelStart
          (i32.add (local.get $src) (i32.mul (local.get $j) (local.get $column))))
        (local.set $p (i32.const 0))
        (if (i32.and (i32.eq (local.get $row) (i32.const 4))
                     (i32.ge_u (local.get $columns) (i32.const 8)))
          (then
            ;; B stored transposed (its p contiguous), a full panel: four p at a time, each
            ;; half of the panel a 4 × 4 transpose of four vector loads.
            (block $quadsDone
              (loop $quads
                (br_if $quadsDone
                  (i32.gt_u (i32.add (local.get $p) (i32.const 4)) (local.get $kc)))
                (local.set $from
                  (i32.add (local.get $panelStart) (i32.shl (local.get $p) (i32.const 2))))
                (local.set $c (i32.const 0))
                (block $halvesDone
                  (loop $halves
                    (br_if $halvesDone (i32.ge_u (local.get $c) (i32.const 32)))
                    ;; r_i = B[p … p + 3, j + i] for four columns j + i of this half.
                    (local.set $r0 (v128.load (local.get $from)))
                    (local.set $r1 (v128.load (i32.add (local.get $from) (local.get $column))))
                    (local.set $r2 (v128.load (i32.add (local.get $from)
                      (i32.shl (local.get $column) (i32.const 1)))))
                    (local.set $r3 (v128.load (i32.add (local.get $from)
                      (i32.mul (local.get $column) (i32.const 3)))))
                    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
                      (local.get $r0) (local.get $r1)))
                    (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31
                      (local.get $r0) (local.get $r1)))
                    (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
                      (local.get $r2) (local.get $r3)))
                    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31
                      (local.get $r2) (local.get $r3)))
                    ;; Row p + q of the panel's half: B[p + q, j … j + 3].
                    (v128.store (i32.add (local.get $dst) (local.get $c))
                      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                        (local.get $t0) (local.get $t2)))
                    (v128.store offset=32 (i32.add (local.get $dst) (local.get $c))
                      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
                        (local.get $t0) (local.get $t2)))
                    (v128.store offset=64 (i32.add (local.get $dst) (local.get $c))
                      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                        (local.get $t1) (local.get $t3)))
                    (v128.store offset=96 (i32.add (local.get $dst) (local.get $c))
                      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
                        (local.get $t1) (local.get $t3)))
                    (local.set $from (i32.add (local.get $from) (i32.shl (local.get $column) (i32.const 2))))
                    (local.set $c (i32.add (local.get $c) (i32.const 16)))
                    (br $halves)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 128)))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (br $quads)))))
        ;; The remaining p (all of them unless transposed above), row by row.
        (block $rowsDone
          (loop $rows
            (br_if $rowsDone (i32.ge_u (local.get $p) (local.get $kc)))
            (local.set $from
              (i32.add (local.get $panelStart) (i32.mul (local.get $p) (local.get $row))))
            (if (i32.and (i32.eq (local.get $column) (i32.const 4))
                         (i32.ge_u (local.get $columns) (i32.const 8)))
              (then
                ;; Contiguous full row of the panel: two vector copies.
                (v128.store (local.get $dst) (v128.load (local.get $from)))
                (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $from))))
              (else
                (local.set $c (i32.const 0))
                (block $valuesDone
                  (loop $values
                    (br_if $valuesDone (i32.ge_u (local.get $c) (i32.const 8)))
                    (f32.store
                      (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 2)))
                      (if (result f32) (i32.lt_u (local.get $c) (local.get $columns))
                        (then (f32.load (local.get $from)))
                        (else (f32.const 0))))
                    (local.set $from (i32.add (local.get $from) (local.get $column)))
                    (local.set $c (i32.add (local.get $c) (i32.const 1)))
                    (br $values)))))
            (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $rows)))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $panels))))

  ;; The 6 × 8 block at c (row stride ldc bytes) = start + Σ_p A[·, p] B[p, ·] from six rows
  ;; of A read in place (row r's value for p at a_r + p·aStep) and a packed B panel (8 per
  ;; p), where start is 0 (init 0), the block of C
  ;; itself (init 1: a later k block) or the 8 values of the bias row at `bias` in every row
  ;; (init 2); with `relu`, max(·, 0) is taken before the store (NaN stays NaN, −0 becomes 0).
  (func $kernel
    (param $a0 i32) (param $a1 i32) (param $a2 i32) (param $a3 i32) (param $a4 i32)
    (param $a5 i32) (param $aStep i32)
    (param $bp i32) (param $kc i32) (param $c i32) (param $ldc i32)
    (param $init i32) (param $bias i32) (param $relu i32)
    (local $end i32) (local $row i32)
    (local $b0 v128) (local $b1 v128) (local $s v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $c40 v128) (local $c41 v128) (local $c50 v128) (local $c51 v128)
    (if (i32.eq (local.get $init) (i32.const 1))
      (then
        (local.set $row (local.get $c))
        (local.set $c00 (v128.load (local.get $row)))
        (local.set $c01 (v128.load offset=16 (local.get $row)))
        (local.set $row (i32.add (local.get $row) (local.get $ldc)))
        (local.set $c10 (v128.load (local.get $row)))
        (local.set $c11 (v128.load offset=16 (local.get $row)))
        (local.set $row (i32.add (local.get $row) (local.get $ldc)))
        (local.set $c20 (v128.load (local.get $row)))
        (local.set $c21 (v128.load offset=16 (local.get $row)))
        (local.set $row (i32.add (local.get $row) (local.get $ldc)))
        (local.set $c30 (v128.load (local.get $row)))
        (local.set $c31 (v128.load offset=16 (local.get $row)))
        (local.set $row (i32.add (local.get $row) (local.get $ldc)))
        (local.set $c40 (v128.load (local.get $row)))
        (local.set $c41 (v128.load offset=16 (local.get $row)))
        (local.set $row (i32.add (local.get $row) (local.get $ldc)))
        (local.set $c50 (v128.load (local.get $row)))
        (local.set $c51 (v128.load offset=16 (local.get $row)))))
    (if (i32.eq (local.get $init) (i32.const 2))
      (then
        (local.set $c00 (v128.load (local.get $bias)))
        (local.set $c01 (v128.load offset=16 (local.get $bias)))
        (local.set $c10 (local.get $c00))
        (local.set $c11 (local.get $c01))
        (local.set $c20 (local.get $c00))
        (local.set $c21 (local.get $c01))
        (local.set $c30 (local.get $c00))
        (local.set $c31 (local.get $c01))
        (local.set $c40 (local.get $c00))
        (local.set $c41 (local.get $c01))
        (local.set $c50 (local.get $c00))
        (local.set $c51 (local.get $c01))))
    ;; The packed B panel ends 32 bytes per p after bp.
    (local.set $end (i32.add (local.get $bp) (i32.shl (local.get $kc) (i32.const 5))))
    (block $done
      (loop $inner
        (br_if $done (i32.ge_u (local.get $bp) (local.get $end)))
        (local.set $b0 (v128.load (local.get $bp)))
        (local.set $b1 (v128.load offset=16 (local.get $bp)))
        (local.set $s (v128.load32_splat (local.get $a0)))
        (local.set $c00 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c00)))
        (local.set $c01 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c01)))
        (local.set $s (v128.load32_splat (local.get $a1)))
        (local.set $c10 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c10)))
        (local.set $c11 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c11)))
        (local.set $s (v128.load32_splat (local.get $a2)))
        (local.set $c20 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c20)))
        (local.set $c21 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c21)))
        (local.set $s (v128.load32_splat (local.get $a3)))
        (local.set $c30 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c30)))
        (local.set $c31 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c31)))
        (local.set $s (v128.load32_splat (local.get $a4)))
        (local.set $c40 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c40)))
        (local.set $c41 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c41)))
        (local.set $s (v128.load32_splat (local.get $a5)))
        (local.set $c50 (f32x4.relaxed_madd (local.get $s) (local.get $b0) (local.get $c50)))
        (local.set $c51 (f32x4.relaxed_madd (local.get $s) (local.get $b1) (local.get $c51)))
        (local.set $a0 (i32.add (local.get $a0) (local.get $aStep)))
        (local.set $a1 (i32.add (local.get $a1) (local.get $aStep)))
        (local.set $a2 (i32.add (local.get $a2) (local.get $aStep)))
        (local.set $a3 (i32.add (local.get $a3) (local.get $aStep)))
        (local.set $a4 (i32.add (local.get $a4) (local.get $aStep)))
        (local.set $a5 (i32.add (local.get $a5) (local.get $aStep)))
        (local.set $bp (i32.add (local.get $bp) (i32.const 32)))
        (br $inner)))
    (if (local.get $relu)
      (then
        ;; f32x4.max(x, 0): 0 for x ≤ 0 (and for −0), NaN for NaN.
        (local.set $s (v128.const i32x4 0 0 0 0))
        (local.set $c00 (f32x4.max (local.get $c00) (local.get $s)))
        (local.set $c01 (f32x4.max (local.get $c01) (local.get $s)))
        (local.set $c10 (f32x4.max (local.get $c10) (local.get $s)))
        (local.set $c11 (f32x4.max (local.get $c11) (local.get $s)))
        (local.set $c20 (f32x4.max (local.get $c20) (local.get $s)))
        (local.set $c21 (f32x4.max (local.get $c21) (local.get $s)))
        (local.set $c30 (f32x4.max (local.get $c30) (local.get $s)))
        (local.set $c31 (f32x4.max (local.get $c31) (local.get $s)))
        (local.set $c40 (f32x4.max (local.get $c40) (local.get $s)))
        (local.set $c41 (f32x4.max (local.get $c41) (local.get $s)))
        (local.set $c50 (f32x4.max (local.get $c50) (local.get $s)))
        (local.set $c51 (f32x4.max (local.get $c51) (local.get $s)))))
    (local.set $row (local.get $c))
    (v128.store (local.get $row) (local.get $c00))
    (v128.store offset=16 (local.get $row) (local.get $c01))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (v128.store (local.get $row) (local.get $c10))
    (v128.store offset=16 (local.get $row) (local.get $c11))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (v128.store (local.get $row) (local.get $c20))
    (v128.store offset=16 (local.get $row) (local.get $c21))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (v128.store (local.get $row) (local.get $c30))
    (v128.store offset=16 (local.get $row) (local.get $c31))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (v128.store (local.get $row) (local.get $c40))
    (v128.store offset=16 (local.get $row) (local.get $c41))
    (local.set $row (i32.add (local.get $row) (local.get $ldc)))
    (v128.store (local.get $row) (local.get $c50))
    (v128.store offset=16 (local.get $row) (local.get $c51)))

  ;; Copies rows × columns floats between a C block (row stride ldc) and the 6 × 8 tile (row
  ;; stride 32); toTile selects the direction. A full row of 8 is two vector copies.
  (func $copyTile
    (param $c i32) (param $ldc i32) (param $tile i32) (param $rows i32) (param $columns i32)
    (param $toTile i32)
    (local $from i32) (local $to i32) (local $end i32) (local $j i32)
    (local.set $from (select (local.get $c) (local.get $tile) (local.get $toTile)))
    (local.set $to (select (local.get $tile) (local.get $c) (local.get $toTile)))
    (local.set $end
      (i32.add (local.get $tile) (i32.shl (local.get $rows) (i32.const 5))))
    (block $done
      (loop $eachRow
        (br_if $done
          (i32.ge_u (select (local.get $to) (local.get $from) (local.get $toTile)) (local.get $end)))
        (if (i32.eq (local.get $columns) (i32.const 8))
          (then
            (v128.store (local.get $to) (v128.load (local.get $from)))
            (v128.store offset=16 (local.get $to) (v128.load offset=16 (local.get $from))))
          (else
            (local.set $j (i32.const 0))
            (block $rowDone
              (loop $eachValue
                (br_if $rowDone (i32.ge_u (local.get $j) (i32.shl (local.get $columns) (i32.const 2))))
                (f32.store (i32.add (local.get $to) (local.get $j))
                  (f32.load (i32.add (local.get $from) (local.get $j))))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $eachValue)))))
        (local.set $from
          (i32.add (local.get $from) (select (i32.const 32) (local.get $ldc) (i32.eqz (local.get $toTile)))))
        (local.set $to
          (i32.add (local.get $to) (select (local.get $ldc) (i32.const 32) (i32.eqz (local.get $toTile)))))
        (br $eachRow))))

;; C = op(A) · op(B), plus the bias row vector at `bias` (m floats) when flags & 1, then
  ;; max(·, 0) when flags & 2. The bias is read 8 values at a time: at least 32 readable bytes
  ;; must follow its last value.
  (func (export "gemm")
    (param $a i32) (param $aRow i32) (param $aColumn i32)
    (param $b i32) (param $bRow i32) (param $bColumn i32)
    (param $c i32) (param $ldc i32) (param $n i32) (param $k i32) (param $m i32)
    (param $work i32) (param $bias i32) (param $flags i32)
    (local $pc i32) (local $kc i32) (local $i i32) (local $j i32) (local $rows i32)
    (local $columns i32) (local $tile i32) (local $panel i32) (local $block i32)
    (local $init i32) (local $relu i32) (local $panelStart i32) (local $biasAt i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $a4 i32) (local $a5 i32)
    ;; work: the 6 × 8 tile (192 bytes, 256 reserved), then packed B.
    (local.set $tile (local.get $work))
    (local.set $panel (i32.add (local.get $work) (i32.const 256)))
    (local.set $pc (i32.const 0))
    (block $blocksDone
      (loop $blocks
        (br_if $blocksDone (i32.ge_u (local.get $pc) (local.get $k)))
        (local.set $kc (i32.sub (local.get $k) (local.get $pc)))
        (if (i32.gt_u (local.get $kc) (i32.const 256)) (then (local.set $kc (i32.const 256))))
        ;; The first k block starts from 0 or the bias, later ones from C; ReLU after the last.
        (local.set $init
          (if (result i32) (local.get $pc)
            (then (i32.const 1))
            (else (i32.shl (i32.and (local.get $flags) (i32.const 1)) (i32.const 1)))))
        (local.set $relu
          (i32.and
            (i32.eq (i32.add (local.get $pc) (local.get $kc)) (local.get $k))
            (i32.ne (i32.and (local.get $flags) (i32.const 2)) (i32.const 0))))
        (call $packB
          (i32.add (local.get $b) (i32.mul (local.get $pc) (local.get $bRow)))
          (local.get $bRow) (local.get $bColumn) (local.get $kc) (local.get $m)
          (local.get $panel))
        (local.set $i (i32.const 0))
        (block $rowsDone
          (loop $rowGroups
            (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $rows (i32.sub (local.get $n) (local.get $i)))
            (if (i32.gt_u (local.get $rows) (i32.const 6)) (then (local.set $rows (i32.const 6))))
            ;; &A[i + r, pc] for the group's rows, read in place (A's values for one row and
            ;; successive p are aColumn bytes apart); rows past n repeat row i, whose results
            ;; land in the tile and are dropped.
            (local.set $a0
              (i32.add (local.get $a)
                (i32.add (i32.mul (local.get $i) (local.get $aRow))
                  (i32.mul (local.get $pc) (local.get $aColumn)))))
            (local.set $a1 (select (i32.add (local.get $a0) (local.get $aRow)) (local.get $a0)
              (i32.gt_u (local.get $rows) (i32.const 1))))
            (local.set $a2 (select (i32.add (local.get $a1) (local.get $aRow)) (local.get $a0)
              (i32.gt_u (local.get $rows) (i32.const 2))))
            (local.set $a3 (select (i32.add (local.get $a2) (local.get $aRow)) (local.get $a0)
              (i32.gt_u (local.get $rows) (i32.const 3))))
            (local.set $a4 (select (i32.add (local.get $a3) (local.get $aRow)) (local.get $a0)
              (i32.gt_u (local.get $rows) (i32.const 4))))
            (local.set $a5 (select (i32.add (local.get $a4) (local.get $aRow)) (local.get $a0)
              (i32.gt_u (local.get $rows) (i32.const 5))))
            (local.set $j (i32.const 0))
            (block $columnsDone
              (loop $columnPanels
                (br_if $columnsDone (i32.ge_u (local.get $j) (local.get $m)))
                (local.set $columns (i32.sub (local.get $m) (local.get $j)))
                (if (i32.gt_u (local.get $columns) (i32.const 8))
                  (then (local.set $columns (i32.const 8))))
                ;; &C[i, j], the packed panel of columns j … j + 8 and &bias[j]
                (local.set $block
                  (i32.add (local.get $c)
                    (i32.add (i32.mul (local.get $i) (local.get $ldc))
                      (i32.shl (local.get $j) (i32.const 2)))))
                (local.set $panelStart
                  (i32.add (local.get $panel)
                    (i32.mul (local.get $j) (i32.shl (local.get $kc) (i32.const 2)))))
                (local.set $biasAt (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))
                (if (i32.and (i32.eq (local.get $rows) (i32.const 6))
                             (i32.eq (local.get $columns) (i32.const 8)))
                  (then
                    (call $kernel
                      (local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3)
                      (local.get $a4) (local.get $a5) (local.get $aColumn)
                      (local.get $panelStart) (local.get $kc) (local.get $block) (local.get $ldc)
                      (local.get $init) (local.get $biasAt) (local.get $relu)))
                  (else
                    (if (i32.eq (local.get $init) (i32.const 1))
                      (then
                        (call $copyTile (local.get $block) (local.get $ldc) (local.get $tile)
                          (local.get $rows) (local.get $columns) (i32.const 1))))
                    (call $kernel
                      (local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3)
                      (local.get $a4) (local.get $a5) (local.get $aColumn)
                      (local.get $panelStart) (local.get $kc) (local.get $tile) (i32.const 32)
                      (local.get $init) (local.get $biasAt) (local.get $relu))
                    (call $copyTile (local.get $block) (local.get $ldc) (local.get $tile)
                      (local.get $rows) (local.get $columns) (i32.const 0))))
                (local.set $j (i32.add (local.get $j) (i32.const 8)))
                (br $columnPanels)))
            (local.set $i (i32.add (local.get $i) (i32.const 6)))
            (br $rowGroups)))
        (local.set $pc (i32.add (local.get $pc) (i32.const 256)))
        (br $blocks)))))
