/**
 * Internal reduction kernels over one contiguous row of a typed array, used
 * by the normalisation layers. Each keeps four float64 accumulators, so the
 * additions do not wait on one another (a single running sum is bound by the
 * latency of each add); the result differs from a sequential sum only in
 * rounding.
 *
 * @module
 */
import type { TypedArray } from "./_dtype.ts";

/** Σ x[i] for i in [start, end). */
export function rowSum(x: TypedArray, start: number, end: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = start;
  for (; i + 3 < end; i += 4) {
    s0 += x[i]!;
    s1 += x[i + 1]!;
    s2 += x[i + 2]!;
    s3 += x[i + 3]!;
  }
  for (; i < end; i++) s0 += x[i]!;
  return (s0 + s1) + (s2 + s3);
}

/** Σ (x[i] − center)² for i in [start, end): the second pass of a two-pass variance. */
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
