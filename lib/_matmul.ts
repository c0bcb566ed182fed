/**
 * Internal batched matrix product kernels: a readable TypeScript reference
 * and, for float32 matrices with enough work, the WebAssembly SIMD kernel of
 * `_gemm.ts` (lib/wasm/gemm_f32x4.wat), which is tested against it.
 *
 * @module
 */
import type { TypedArray } from "./_dtype.ts";
import { forEachBroadcast } from "./_shape.ts";
import { gemm, usesWasm as usesWasmGemm } from "./_gemm.ts";

/**
 * The reference kernel: `out[b] = a[b] · bMatrix[b]` for every index `b` of
 * `batchShape`, where `a[b]` is (n, k) and `bMatrix[b]` is (k, m); the batch
 * axes of each operand broadcast into `batchShape`. Each output row is
 * accumulated in float64 in i-k-j order, so the inner loop runs over
 * contiguous memory.
 */
export function matmulReference(
  a: TypedArray,
  aBatchShape: readonly number[],
  b: TypedArray,
  bBatchShape: readonly number[],
  out: TypedArray,
  batchShape: readonly number[],
  n: number,
  k: number,
  m: number,
): void {
  const row = new Float64Array(m);
  forEachBroadcast(aBatchShape, bBatchShape, batchShape, (batch, batchA, batchB) => {
    const offsetA = batchA * n * k;
    const offsetB = batchB * k * m;
    const offsetOut = batch * n * m;
    for (let i = 0; i < n; i++) {
      row.fill(0);
      for (let p = 0; p < k; p++) {
        const aip = a[offsetA + i * k + p]!;
        const rowB = offsetB + p * m;
        for (let j = 0; j < m; j++) row[j]! += aip * b[rowB + j]!;
      }
      const rowOut = offsetOut + i * m;
      for (let j = 0; j < m; j++) out[rowOut + j] = row[j]!;
    }
  });
}

/**
 * Whether {@linkcode matmulKernel} will take the WebAssembly path for (n, k) ·
 * (k, m) products: float32 operands and enough work (see `_gemm.ts`).
 */
export function usesWasm(a: TypedArray, b: TypedArray, n: number, k: number, m: number): boolean {
  return usesWasmGemm(a, b, n, k, m);
}

/**
 * The batched product of {@linkcode matmulReference}, on the WebAssembly SIMD
 * kernel of `_gemm.ts` when it applies (float32 accumulation, as PyTorch),
 * otherwise on the reference. With `transA` the (…, n, k) operand is stored
 * as its transpose (…, k, n), with `transB` the (…, k, m) one as (…, m, k):
 * the products of the backward pass read transposes without copying them.
 */
export function matmulKernel(
  a: TypedArray,
  aBatchShape: readonly number[],
  b: TypedArray,
  bBatchShape: readonly number[],
  out: TypedArray,
  batchShape: readonly number[],
  n: number,
  k: number,
  m: number,
  transA = false,
  transB = false,
): void {
  if (!transA && !transB && !(usesWasmGemm(a, b, n, k, m) && out instanceof Float32Array)) {
    // Notebook sizes and float64: straight to the reference, without building a problem.
    matmulReference(a, aBatchShape, b, bBatchShape, out, batchShape, n, k, m);
    return;
  }
  const aOffsets: number[] = [];
  const bOffsets: number[] = [];
  forEachBroadcast(aBatchShape, bBatchShape, batchShape, (_, batchA, batchB) => {
    aOffsets.push(batchA * n * k);
    bOffsets.push(batchB * k * m);
  });
  gemm({ a, transA, aOffsets, b, transB, bOffsets, out, n, k, m });
}
