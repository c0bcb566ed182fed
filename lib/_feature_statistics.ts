/**
 * Internal: BatchNorm's statistics, per feature over every position, with an
 * optional padding mask. Shared by `batchNorm`, the `BatchNorm` layer and
 * `featureStats`, so masked BatchNorm is BatchNorm with mask-weighted
 * statistics and not a separate copy.
 *
 * @module
 */
import { scratchArray, type TypedArray } from "./_dtype.ts";
import { scratch } from "./_scratch.ts";
import { checkedMask, checkTensor } from "./_mask.ts";
import { nonFiniteError } from "./_norm_checks.ts";
import { formatShape } from "./_shape.ts";
import type { Tensor } from "./tensor.ts";

/** Per-feature statistics of a (…, D) tensor. */
export interface FeatureStatistics {
  /** Σ m·x / Σ m per feature, (D). */
  mean: Float64Array;
  /** Σ m·(x − mean)² / Σ m per feature (biased), (D). */
  variance: Float64Array;
  /** Σ m: the number of positions that counted. */
  count: number;
  /** The mask's data (1 = real), when one was given. */
  mask: TypedArray | undefined;
  /** The number of positions (rows) and features. */
  rows: number;
  features: number;
}

/** Checks x (…, D) with at least 2 axes and its mask (the leading axes of x). */
export function checkFeatureInput(
  x: Tensor,
  mask: Tensor | undefined,
  operation: string,
): { mask: TypedArray | undefined; rows: number; features: number } {
  checkTensor(x, operation, "x");
  if (x.ndim < 2) {
    throw new Error(
      `${operation}: expected x to have at least 2 axes (…, D) with the features last but found ${
        formatShape(x.shape)
      }`,
    );
  }
  const features = x.shape[x.ndim - 1]!;
  const maskData = mask === undefined ? undefined : checkedMask(
    mask,
    x.shape.slice(0, -1),
    operation,
    () => `the leading axes of x ${formatShape(x.shape)}`,
  );
  return { mask: maskData, rows: features === 0 ? 0 : x.size / features, features };
}

/** Rows per block: 32 rows of 768 float32 features are 98 KB, so a block's second pass hits cache. */
const BLOCK_ROWS = 32;

/**
 * Mean and biased variance per feature over the positions where the mask is
 * 1 (every position without a mask), in float64. Throws when no position
 * counts or when a feature's values are not finite.
 *
 * The rows are taken in blocks of 32, and x streams from memory once. Within
 * a block, each feature's sums are taken about K, the block's first real
 * value of that feature: S₁ = Σ(x − K), S₂ = Σ(x − K)², so the block's mean
 * is K + S₁/n and its M2 = Σ(x − mean)² = S₂ − S₁²/n. Because K is one of the
 * block's own values, (K − mean)² ≤ n·var, so the subtraction loses at most
 * log₂(n) bits of float64 — unlike E[x²] − E[x]², which loses everything to
 * an offset like 1e4 + noise. The blocks are then merged with Chan et al.'s
 * pairwise update (M2 += M2_b + δ²·n·n_b/(n + n_b)).
 */
export function featureStatistics(
  x: Tensor,
  mask: Tensor | undefined,
  operation: string,
): FeatureStatistics {
  const { mask: weights, rows, features } = checkFeatureInput(x, mask, operation);
  const source = x.data;
  const mean = scratchArray("float64", features) as Float64Array;
  const m2 = scratchArray("float64", features) as Float64Array;
  const blockMean = scratch(0, features);
  const blockM2 = scratch(1, features);
  let count = 0;
  for (let blockStart = 0; blockStart < rows; blockStart += BLOCK_ROWS) {
    const blockEnd = Math.min(rows, blockStart + BLOCK_ROWS);
    // K: the first real row of the block.
    let first = blockStart;
    while (first < blockEnd && weights !== undefined && weights[first] === 0) first++;
    if (first === blockEnd) continue;
    const shiftBase = first * features;
    // blockMean collects S₁ and blockM2 collects S₂ until they are turned into mean and M2.
    blockMean.fill(0, 0, features);
    blockM2.fill(0, 0, features);
    let n = 0;
    for (let row = blockStart; row < blockEnd;) {
      if (fourRealRows(weights, row, blockEnd)) {
        // Four rows at a time: each accumulator is read and written once per four values.
        const b0 = row * features;
        const b1 = b0 + features;
        const b2 = b1 + features;
        const b3 = b2 + features;
        for (let d = 0; d < features; d++) {
          const shift = source[shiftBase + d]!;
          const e0 = source[b0 + d]! - shift;
          const e1 = source[b1 + d]! - shift;
          const e2 = source[b2 + d]! - shift;
          const e3 = source[b3 + d]! - shift;
          blockMean[d]! += (e0 + e1) + (e2 + e3);
          blockM2[d]! += (e0 * e0 + e1 * e1) + (e2 * e2 + e3 * e3);
        }
        n += 4;
        row += 4;
        continue;
      }
      if (weights === undefined || weights[row] !== 0) {
        n++;
        const base = row * features;
        for (let d = 0; d < features; d++) {
          const e = source[base + d]! - source[shiftBase + d]!;
          blockMean[d]! += e;
          blockM2[d]! += e * e;
        }
      }
      row++;
    }
    for (let d = 0; d < features; d++) {
      const s1 = blockMean[d]!;
      blockMean[d] = source[shiftBase + d]! + s1 / n;
      blockM2[d] = Math.max(0, blockM2[d]! - (s1 * s1) / n); // ≥ 0 up to rounding
    }
    if (count === 0) {
      for (let d = 0; d < features; d++) {
        mean[d] = blockMean[d]!;
        m2[d] = blockM2[d]!;
      }
      count = n;
      continue;
    }
    const total = count + n;
    const weight = (count * n) / total;
    for (let d = 0; d < features; d++) {
      const delta = blockMean[d]! - mean[d]!;
      mean[d]! += (delta * n) / total;
      m2[d]! += blockM2[d]! + delta * delta * weight;
    }
    count = total;
  }
  if (count === 0 || features === 0) {
    throw new Error(
      `${operation}: expected at least one real position and one feature in x ${
        formatShape(x.shape)
      } but found ${
        rows === 0 || features === 0
          ? "an empty tensor"
          : "a mask with no 1 (every position is padding)"
      }`,
    );
  }
  const variance = m2;
  for (let d = 0; d < features; d++) {
    variance[d]! /= count;
    if (!Number.isFinite(variance[d]!) || !Number.isFinite(mean[d]!)) {
      throw nonFiniteError(operation, x, `feature ${d} (at a real position)`);
    }
  }
  return { mean, variance, count, mask: weights, rows, features };
}

/**
 * Throws unless more than one position counted: training-mode BatchNorm
 * (the function, the layer and the gradient alike, as PyTorch's
 * "Expected more than 1 value per channel when training") — with one real
 * position each feature's variance is 0 and its output carries no information.
 */
export function checkTrainingCount(count: number, x: Tensor, operation: string): void {
  if (count < 2) {
    throw new Error(
      `${operation}: expected more than 1 real position per feature in training mode but found ${count} in x ${
        formatShape(x.shape)
      }`,
    );
  }
}

/**
 * The first real row (mask 1, or any row without a mask) of `data` (rows ×
 * features) holding NaN or ±Infinity, or −1.
 */
export function firstNonFiniteRow(
  data: TypedArray,
  mask: TypedArray | undefined,
  rows: number,
  features: number,
): number {
  for (let row = 0; row < rows; row++) {
    if (mask !== undefined && mask[row] === 0) continue;
    let check = 0;
    const base = row * features;
    // x − x is 0 for finite x and NaN for NaN and ±Infinity; one NaN makes the sum NaN.
    for (let d = 0; d < features; d++) check += data[base + d]! - data[base + d]!;
    if (check !== 0) return row;
  }
  return -1;
}

/** Whether rows row … row + 3 exist before `end` and are all real (no mask: all are). */
export function fourRealRows(
  weights: ArrayLike<number> | undefined,
  row: number,
  end: number,
): boolean {
  if (row + 3 >= end) return false;
  return weights === undefined ||
    (weights[row] !== 0 && weights[row + 1] !== 0 && weights[row + 2] !== 0 &&
      weights[row + 3] !== 0);
}
