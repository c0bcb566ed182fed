/**
 * Internal kernels over one contiguous row of a typed array: the reductions
 * of the normalisation layers, and a row copy for gathers and scatters. Each
 * reduction keeps four float64 accumulators, so the additions do not wait on
 * one another (a single running sum is bound by the latency of each add); the
 * result differs from a sequential sum only in rounding.
 *
 * @module
 */
import type { TypedArray } from "./_dtype.ts";

/** Σ (x[i] − center)² for i in [start, end) (with center 0: the sum of squares, for RMSNorm). */
export function rowSquaredDeviations(
  x: TypedArray,
  start: number,
  end: number,
  center: number,
): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = start;
  for (; i + 3 < end; i += 4) {
    const d0 = x[i]! - center;
    const d1 = x[i + 1]! - center;
    const d2 = x[i + 2]! - center;
    const d3 = x[i + 3]! - center;
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; i < end; i++) {
    const d = x[i]! - center;
    s0 += d * d;
  }
  return (s0 + s1) + (s2 + s3);
}

/**
 * The mean and M2 = Σ(x − mean)² of x[start, end) in one pass, written to
 * `result[0]` and `result[1]`. The sums are taken about K = x[start]:
 * S₁ = Σ(x − K), S₂ = Σ(x − K)², mean = K + S₁/n, M2 = S₂ − S₁²/n. Since K is
 * one of the values, (K − mean)² ≤ n·var and the subtraction loses at most
 * log₂(n) bits of float64: a row of 1e4 + noise keeps its variance, where
 * E[x²] − E[x]² would lose it.
 */
export function rowMoments(x: TypedArray, start: number, end: number, result: Float64Array): void {
  const shift = x[start]!;
  let a0 = 0;
  let a1 = 0;
  let q0 = 0;
  let q1 = 0;
  let i = start;
  for (; i + 1 < end; i += 2) {
    const e0 = x[i]! - shift;
    const e1 = x[i + 1]! - shift;
    a0 += e0;
    a1 += e1;
    q0 += e0 * e0;
    q1 += e1 * e1;
  }
  for (; i < end; i++) {
    const e = x[i]! - shift;
    a0 += e;
    q0 += e * e;
  }
  const n = end - start;
  const s1 = a0 + a1;
  result[0] = shift + s1 / n;
  result[1] = Math.max(0, q0 + q1 - (s1 * s1) / n);
}

/** Below this many elements a loop copies a row faster than `subarray` and `set`. */
const LOOP_COPY_LIMIT = 64;

/**
 * Copies the `width` elements at `from` in `source` to `to` in `target`
 * (a gather's or scatter's row): with a loop for short rows, where creating
 * a `subarray` view costs more than the copy, else with `set`.
 */
export function copyRow(
  source: TypedArray,
  from: number,
  target: TypedArray,
  to: number,
  width: number,
): void {
  if (width >= LOOP_COPY_LIMIT) {
    target.set(source.subarray(from, from + width), to);
    return;
  }
  for (let i = 0; i < width; i++) target[to + i] = source[from + i]!;
}
