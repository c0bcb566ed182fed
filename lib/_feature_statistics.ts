/**
 * Internal: BatchNorm's statistics, per feature over every position, with an
 * optional padding mask. Shared by `batchNorm`, the `BatchNorm` layer and
 * `featureStats`, so masked BatchNorm is BatchNorm with mask-weighted
 * statistics and not a separate copy.
 *
 * @module
 */
import type { TypedArray } from "./_dtype.ts";
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
  const leading = x.shape.slice(0, -1);
  const maskData = checkedMask(
    mask,
    leading,
    operation,
    `the leading axes of x ${formatShape(x.shape)}`,
  );
  return { mask: maskData, rows: features === 0 ? 0 : x.size / features, features };
}

/**
 * Mean and biased variance per feature over the positions where the mask is
 * 1 (every position without a mask), in two passes in float64. Throws when no
 * position counts or when a feature's values are not finite.
 */
export function featureStatistics(
  x: Tensor,
  mask: Tensor | undefined,
  operation: string,
): FeatureStatistics {
  const { mask: weights, rows, features } = checkFeatureInput(x, mask, operation);
  const source = x.data;
  const mean = new Float64Array(features);
  const variance = new Float64Array(features);
  let count = 0;
  for (let row = 0; row < rows; row++) {
    if (weights !== undefined && weights[row] === 0) continue;
    count++;
    const base = row * features;
    for (let d = 0; d < features; d++) mean[d]! += source[base + d]!;
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
  for (let d = 0; d < features; d++) mean[d]! /= count;
  for (let row = 0; row < rows; row++) {
    if (weights !== undefined && weights[row] === 0) continue;
    const base = row * features;
    for (let d = 0; d < features; d++) {
      const deviation = source[base + d]! - mean[d]!;
      variance[d]! += deviation * deviation;
    }
  }
  for (let d = 0; d < features; d++) {
    variance[d]! /= count;
    if (!Number.isFinite(variance[d]!)) {
      throw nonFiniteError(operation, x, `feature ${d} (at a real position)`);
    }
  }
  return { mean, variance, count, mask: weights, rows, features };
}
