/**
 * Internal batched matrix product kernel.
 *
 * @module
 */
import type { TypedArray } from "./_dtype.ts";
import { broadcastStrides, sizeOf } from "./_shape.ts";

/**
 * `out[b] = a[b] · bMatrix[b]` for every index `b` of `batchShape`, where
 * `a[b]` is (n, k) and `bMatrix[b]` is (k, m); the batch axes of each operand
 * broadcast into `batchShape`. Each output row is accumulated in float64 in
 * i-k-j order, so the inner loop runs over contiguous memory.
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
): void {
  const batchCount = sizeOf(batchShape);
  const stridesA = broadcastStrides(aBatchShape, batchShape);
  const stridesB = broadcastStrides(bBatchShape, batchShape);
  const rank = batchShape.length;
  const index = new Array<number>(rank).fill(0);
  const row = new Float64Array(m);
  let batchA = 0;
  let batchB = 0;
  for (let batch = 0; batch < batchCount; batch++) {
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
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]!++;
      batchA += stridesA[axis]!;
      batchB += stridesB[axis]!;
      if (index[axis]! < batchShape[axis]!) break;
      batchA -= stridesA[axis]! * batchShape[axis]!;
      batchB -= stridesB[axis]! * batchShape[axis]!;
      index[axis] = 0;
    }
  }
}
