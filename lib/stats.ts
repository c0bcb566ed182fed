/**
 * The two views of normalisation statistics: BatchNorm's, per feature down
 * the batch, and LayerNorm's, per token across its features.
 *
 * @module
 */
import { fromFloat64 } from "./_dtype.ts";
import { featureStatistics } from "./_feature_statistics.ts";
import { checkTensor } from "./_mask.ts";
import { Tensor } from "./tensor.ts";

/** Options for {@linkcode featureStats}. */
export interface FeatureStatsOptions {
  /** 1 = real token, 0 = padding, (B, T): only real positions count. */
  mask?: Tensor;
}

/** Per-feature statistics. */
export interface FeatureStats {
  /** The mean of each feature over the positions that counted: (D). */
  mean: Tensor;
  /** The biased variance of each feature: (D). */
  variance: Tensor;
  /** How many positions counted. */
  count: number;
}

/**
 * BatchNorm's view: each feature's (column's) mean and biased variance over
 * every position of the batch — stacked to (B·T, D) — or, with `mask`, over
 * the real positions only.
 *
 * Shape: x (B, T, D), mask (B, T) → mean, variance (D).
 *
 * @example
 * ```ts
 * import { featureStats } from "./stats.ts";
 * import { tensor } from "./tensor.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const x = tensor([[[2, 4], [0, 0]]]); // one real token, one padded
 * deepStrictEqual(featureStats(x).mean.toArray(), [1, 2]); // padding counted
 * deepStrictEqual(featureStats(x, { mask: tensor([[1, 0]]) }).mean.toArray(), [2, 4]);
 * ```
 */
export function featureStats(x: Tensor, options: FeatureStatsOptions = {}): FeatureStats {
  const stats = featureStatistics(x, options.mask, "featureStats");
  return {
    mean: new Tensor(fromFloat64(stats.mean, x.dtype), [stats.features]),
    variance: new Tensor(fromFloat64(stats.variance, x.dtype), [stats.features]),
    count: stats.count,
  };
}

/** Per-token statistics. */
export interface TokenStats {
  /** Each token's mean over its features: (B, T). */
  mean: Tensor;
  /** Each token's biased variance over its features: (B, T). */
  variance: Tensor;
}

/**
 * LayerNorm's view: each token's (row's) mean and biased variance across its
 * D features. A token's statistics involve only that token.
 *
 * Shape: x (B, T, D) → mean, variance (B, T).
 *
 * @example
 * ```ts
 * import { tokenStats } from "./stats.ts";
 * import { tensor } from "./tensor.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const { mean, variance } = tokenStats(tensor([[[1, 2, 3], [0, 0, 0]]]));
 * deepStrictEqual(mean.toArray(), [[2, 0]]);
 * deepStrictEqual(variance.toArray(), [[2 / 3, 0]].map((row) => row.map(Math.fround)));
 * ```
 */
export function tokenStats(x: Tensor): TokenStats {
  checkTensor(x, "tokenStats", "x");
  if (x.ndim < 1 || x.shape[x.ndim - 1] === 0) {
    throw new Error(
      `tokenStats: expected x (…, D) with D ≥ 1 but found shape [${x.shape.join(", ")}]`,
    );
  }
  return { mean: x.mean(-1), variance: x.variance(-1) };
}
