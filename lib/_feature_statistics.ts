/**
 * Internal: BatchNorm's statistics, per feature over every position, with an
 * optional padding mask. Shared by `batchNorm`, the `BatchNorm` layer and
 * `featureStats`, so masked BatchNorm is BatchNorm with mask-weighted
 * statistics and not a separate copy.
 *
 * @module
 */
import { allocate, type TypedArray } from "./_dtype.ts";
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

/** Rows per block: 64 rows of 768 float32 features are 196 KB, so a block's second pass hits cache. */
const BLOCK_ROWS = 64;

/**
 * Mean and biased variance per feature over the positions where the mask is
 * 1 (every position without a mask), in float64. Throws when no position
 * counts or when a feature's values are not finite.
 *
 * The rows are taken in blocks: each block gets an exact two-pass mean and
 * Σ(x − mean)² while it is in cache, and the blocks are merged with Chan et
 * al.'s pairwise update (M2 += M2_b + δ²·n·n_b/(n + n_b)), so x streams
 * from memory once and no E[x²] − E[x]² cancellation can occur. A batch of
 * at most 64 rows is plain two-pass.
 */
export function featureStatistics(
  x: Tensor,
  mask: Tensor | undefined,
  operation: string,
): FeatureStatistics {
  const { mask: weights, rows, features } = checkFeatureInput(x, mask, operation);
  const source = x.data;
  const mean = allocate("float64", features) as Float64Array;
  const m2 = allocate("float64", features) as Float64Array;
  const blockMean = scratch(0, features);
  const blockM2 = scratch(1, features);
  let count = 0;
  for (let blockStart = 0; blockStart < rows; blockStart += BLOCK_ROWS) {
    const blockEnd = Math.min(rows, blockStart + BLOCK_ROWS);
    blockMean.fill(0, 0, features);
    let n = 0;
    let row = blockStart;
    if (weights === undefined) {
      // No mask: four rows at a time, so each accumulator is read and written once per four values.
      for (; row + 3 < blockEnd; row += 4) {
        const b0 = row * features;
        const b1 = b0 + features;
        const b2 = b1 + features;
        const b3 = b2 + features;
        for (let d = 0; d < features; d++) {
          blockMean[d]! += (source[b0 + d]! + source[b1 + d]!) +
            (source[b2 + d]! + source[b3 + d]!);
        }
      }
      n = row - blockStart;
    }
    for (; row < blockEnd; row++) {
      if (weights !== undefined && weights[row] === 0) continue;
      n++;
      const base = row * features;
      for (let d = 0; d < features; d++) blockMean[d]! += source[base + d]!;
    }
    if (n === 0) continue;
    for (let d = 0; d < features; d++) blockMean[d]! /= n;
    blockM2.fill(0, 0, features);
    row = blockStart;
    if (weights === undefined) {
      for (; row + 3 < blockEnd; row += 4) {
        const b0 = row * features;
        const b1 = b0 + features;
        const b2 = b1 + features;
        const b3 = b2 + features;
        for (let d = 0; d < features; d++) {
          const center = blockMean[d]!;
          const e0 = source[b0 + d]! - center;
          const e1 = source[b1 + d]! - center;
          const e2 = source[b2 + d]! - center;
          const e3 = source[b3 + d]! - center;
          blockM2[d]! += (e0 * e0 + e1 * e1) + (e2 * e2 + e3 * e3);
        }
      }
    }
    for (; row < blockEnd; row++) {
      if (weights !== undefined && weights[row] === 0) continue;
      const base = row * features;
      for (let d = 0; d < features; d++) {
        const deviation = source[base + d]! - blockMean[d]!;
        blockM2[d]! += deviation * deviation;
      }
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

const scratchBuffers: Float64Array[] = [];

/**
 * A reusable float64 work array of at least `length` elements (slot 0, 1, …),
 * so small calls do not allocate. Only for use within one synchronous call.
 */
export function scratch(slot: number, length: number): Float64Array {
  let buffer = scratchBuffers[slot];
  if (buffer === undefined || buffer.length < length) {
    buffer = new Float64Array(Math.max(length, 64));
    scratchBuffers[slot] = buffer;
  }
  return buffer;
}
