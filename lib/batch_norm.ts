/**
 * Batch normalisation (Ioffe & Szegedy 2015, arXiv:1502.03167) over padded
 * batches, with and without a padding mask: the forward pass, its gradient,
 * and the `BatchNorm` layer with running statistics.
 *
 * Each feature (column) is normalised by statistics taken down the column,
 * over every position of every sentence in the batch. Without a mask the
 * padding zeros are counted in them, so they describe no real sentence.
 *
 * @module
 */
import {
  allocate,
  checkDtype,
  type DType,
  fromFloat64,
  scratchArray,
  type TypedArray,
} from "./_dtype.ts";
import {
  checkFeatureInput,
  checkTrainingCount,
  featureStatistics,
  firstNonFiniteRow,
  fourRealRows,
} from "./_feature_statistics.ts";
import { scratch } from "./_scratch.ts";
import { checkTensor } from "./_mask.ts";
import {
  checkedParameter,
  checkEps,
  nonFiniteError,
  outputData,
  rowIndex,
  zeroVarianceError,
} from "./_norm_checks.ts";
import { formatShape, shapesEqual } from "./_shape.ts";
import type { NormGradients } from "./norm_gradients.ts";
import { Tensor, TRUSTED } from "./tensor.ts";

/** Options for {@linkcode batchNorm}. */
export interface BatchNormOptions {
  /**
   * 1 = real token, 0 = padding, with the leading axes of x: (B, T). Only real
   * positions enter the statistics, and padded positions are 0 in the output.
   * (The Hugging Face `attention_mask` convention; PyTorch's
   * `key_padding_mask` is the opposite.)
   */
  mask?: Tensor;
  /** γ, (D); omitted means 1. */
  weight?: Tensor | null;
  /** β, (D); omitted means 0. */
  bias?: Tensor | null;
  /**
   * Added to the variance before the square root.
   * @default {1e-5}
   */
  eps?: number;
  /** Per-feature mean (D) to use instead of the batch's (inference); needs `variance`. */
  mean?: Tensor;
  /** Per-feature variance (D) to use instead of the batch's (inference); needs `mean`. */
  variance?: Tensor;
  /** A tensor of x's shape and dtype to write the result into (returned), instead of a new one. */
  out?: Tensor;
}

/**
 * Batch normalisation with training-mode statistics:
 * `y = (x − mean_d) / √(var_d + eps) · γ_d + β_d`, where mean_d and the
 * **biased** var_d of feature d are taken over every position of every axis
 * but the last — BatchNorm stacks (B, T, D) to (B·T, D) and normalises each
 * column. With `mask`, only positions where the mask is 1 count, and padded
 * positions are 0 in the output. With `mean` and `variance`, those are used
 * instead (inference).
 *
 * Features are last here; PyTorch's `BatchNorm1d` wants (B, D, T), so this is
 * `bn(x.transpose(1, 2)).transpose(1, 2)` in PyTorch.
 *
 * Shape: x (B, T, D), mask (B, T) → y (B, T, D); γ, β, mean, variance: (D).
 *
 * Throws when no position is real (the statistics would be 0/0) or a feature
 * has NaN or ±Infinity at a real position.
 *
 * @example
 * ```ts
 * import { batchNorm } from "./batch_norm.ts";
 * import { tensor } from "./tensor.ts";
 * import { ok } from "node:assert/strict";
 *
 * // One real token per sentence, one padded position each (zeros).
 * const x = tensor([[[2], [0]], [[4], [0]]]);
 * const mask = tensor([[1, 0], [1, 0]]);
 * const plain = batchNorm(x).toArray() as number[][][];
 * const masked = batchNorm(x, { mask }).toArray() as number[][][];
 * // Without the mask the zeros drag the mean to 1.5: the token "2" lands at +0.33.
 * ok(Math.abs(plain[0]![0]![0]! - 0.3015) < 1e-3);
 * // With it the mean is 3, and "2" is one standard deviation below: −1.
 * ok(Math.abs(masked[0]![0]![0]! + 1) < 1e-4 && masked[0]![1]![0] === 0);
 * ```
 */
export function batchNorm(x: Tensor, options: BatchNormOptions = {}): Tensor {
  const operation = "batchNorm";
  const eps = options.eps ?? 1e-5;
  checkEps(eps, operation);
  if ((options.mean === undefined) !== (options.variance === undefined)) {
    throw new Error(
      `${operation}: expected both mean and variance (inference) or neither (training) but found only ${
        options.mean === undefined ? "variance" : "mean"
      }`,
    );
  }
  if (options.mean !== undefined && options.variance !== undefined) {
    const { mean, variance } = options;
    return normalizeWithStatistics(x, { ...options, mean, variance }, eps, operation);
  }
  const stats = featureStatistics(x, options.mask, operation);
  checkTrainingCount(stats.count, x, operation);
  return normalizeColumns(x, stats, eps, options, operation);
}

/** Inference: `options.mean` and `options.variance` (given) instead of the batch's statistics. */
function normalizeWithStatistics(
  x: Tensor,
  options: BatchNormOptions & { mean: Tensor; variance: Tensor },
  eps: number,
  operation: string,
): Tensor {
  const { mask, rows, features } = checkFeatureInput(x, options.mask, operation);
  const context = () => `the features of x ${formatShape(x.shape)}`;
  const mean = checkedParameter(options.mean, [features], "mean", operation, context)!;
  const variance = checkedParameter(
    options.variance,
    [features],
    "variance",
    operation,
    context,
  )!;
  // Inference: x was not seen by any statistics, so check its real positions here.
  const bad = firstNonFiniteRow(x.data, mask, rows, features);
  if (bad >= 0) {
    throw nonFiniteError(operation, x, `position ${rowIndex(bad, x.shape.slice(0, -1))}`);
  }
  return normalizeColumns(x, { mean, variance, mask, rows, features }, eps, options, operation);
}

/** `y = (x − mean) / √(var + eps) · γ + β` per column; 0 at padded rows. */
function normalizeColumns(
  x: Tensor,
  stats: {
    mean: ArrayLike<number>;
    variance: ArrayLike<number>;
    mask: TypedArray | undefined;
    rows: number;
    features: number;
  },
  eps: number,
  affine: { weight?: Tensor | null; bias?: Tensor | null; out?: Tensor },
  operation: string,
): Tensor {
  const { mean, variance, mask, rows, features } = stats;
  const context = () => `the features of x ${formatShape(x.shape)}`;
  const gamma = affine.weight == null
    ? undefined
    : checkedParameter(affine.weight, [features], "weight", operation, context);
  const beta = affine.bias == null
    ? undefined
    : checkedParameter(affine.bias, [features], "bias", operation, context);
  // Fold the statistics and the affine parameters into one scale and shift per feature.
  const scale = scratch(2, features);
  const shift = scratch(3, features);
  for (let d = 0; d < features; d++) {
    if (!(variance[d]! >= 0)) {
      throw new Error(
        `${operation}: expected non-negative variances but feature ${d} has ${variance[d]}`,
      );
    }
    if (variance[d]! + eps === 0) throw zeroVarianceError(operation, x, `feature ${d}`);
    scale[d] = (gamma === undefined ? 1 : gamma[d]!) / Math.sqrt(variance[d]! + eps);
    shift[d] = (beta === undefined ? 0 : beta[d]!) - mean[d]! * scale[d]!;
  }
  const source = x.data;
  const out = outputData(x, affine.out, operation);
  for (let row = 0; row < rows;) {
    if (fourRealRows(mask, row, rows)) {
      // Four rows per pass over the features: each scale and shift is loaded once for four values.
      const b0 = row * features;
      const b1 = b0 + features;
      const b2 = b1 + features;
      const b3 = b2 + features;
      for (let d = 0; d < features; d++) {
        const a = scale[d]!;
        const c = shift[d]!;
        out[b0 + d] = source[b0 + d]! * a + c;
        out[b1 + d] = source[b1 + d]! * a + c;
        out[b2 + d] = source[b2 + d]! * a + c;
        out[b3 + d] = source[b3 + d]! * a + c;
      }
      row += 4;
      continue;
    }
    const base = row * features;
    if (mask !== undefined && mask[row] === 0) {
      out.fill(0, base, base + features); // padding is 0 in the output
    } else {
      for (let d = 0; d < features; d++) out[base + d] = source[base + d]! * scale[d]! + shift[d]!;
    }
    row++;
  }
  return affine.out ?? new Tensor(out, x.shape, TRUSTED);
}

/** Options for {@linkcode batchNormBackward}. */
export interface BatchNormBackwardOptions {
  /** The forward pass's mask (B, T): padded positions get no gradient and did not count. */
  mask?: Tensor;
  /** γ used in the forward pass; omitted means 1. */
  weight?: Tensor | null;
  /**
   * The forward pass's eps.
   * @default {1e-5}
   */
  eps?: number;
}

/**
 * The gradients of training-mode {@linkcode batchNorm} given upstream `dy`.
 *
 * With n real positions, x̂ = (x − mean)·r, r = 1/√(var + eps) and g = dy·γ,
 * per feature over the real positions:
 *
 * - `dx = r/n · (n·g − Σ g − x̂ · Σ g·x̂)` (0 at padded positions)
 * - `dγ = Σ dy · x̂`, `dβ = Σ dy`
 *
 * The sums run over the whole batch, so a token's dx depends on every other
 * sentence in it — unlike LayerNorm's.
 *
 * Shape: x, dy (B, T, D), mask (B, T) → dx (B, T, D); dγ, dβ (D).
 *
 * @example
 * ```ts
 * import { batchNormBackward } from "./batch_norm.ts";
 * import { tensor } from "./tensor.ts";
 * import { ok } from "node:assert/strict";
 *
 * const x = tensor([[1], [2], [4]]);
 * // A constant upstream gradient is absorbed by the mean: dx = 0, dβ = 3.
 * const { dx, dBias } = batchNormBackward(x, tensor([[1], [1], [1]]));
 * ok(dx.abs().max().item() < 1e-6 && dBias.item() === 3);
 * ```
 */
export function batchNormBackward(
  x: Tensor,
  dy: Tensor,
  options: BatchNormBackwardOptions = {},
): NormGradients {
  const operation = "batchNormBackward";
  const eps = options.eps ?? 1e-5;
  checkEps(eps, operation);
  checkTensor(dy, operation, "dy");
  if (x instanceof Tensor && !shapesEqual(dy.shape, x.shape)) {
    throw new Error(
      `${operation}: expected dy to have the shape of x ${formatShape(x.shape)} but found ${
        formatShape(dy.shape)
      }`,
    );
  }
  const { mean, variance, count, mask, rows, features } = featureStatistics(
    x,
    options.mask,
    operation,
  );
  checkTrainingCount(count, x, operation);
  const gamma = checkedParameter(
    options.weight,
    [features],
    "weight",
    operation,
    () => `the features of x ${formatShape(x.shape)}`,
  );
  const source = x.data;
  const upstream = dy.data;
  // Σ dy (= dβ) and Σ dy·(x − mean) per feature; dγ = Σ dy·x̂ = r·Σ dy·(x − mean).
  const sumDy = scratchArray("float64", features) as Float64Array;
  const sumDyXhat = scratchArray("float64", features) as Float64Array;
  for (let row = 0; row < rows;) {
    if (fourRealRows(mask, row, rows)) {
      // Four rows per pass over the features, as in the forward pass.
      const b0 = row * features;
      const b1 = b0 + features;
      const b2 = b1 + features;
      const b3 = b2 + features;
      for (let d = 0; d < features; d++) {
        const center = mean[d]!;
        const y0 = upstream[b0 + d]!;
        const y1 = upstream[b1 + d]!;
        const y2 = upstream[b2 + d]!;
        const y3 = upstream[b3 + d]!;
        sumDy[d]! += (y0 + y1) + (y2 + y3);
        sumDyXhat[d]! += (y0 * (source[b0 + d]! - center) + y1 * (source[b1 + d]! - center)) +
          (y2 * (source[b2 + d]! - center) + y3 * (source[b3 + d]! - center));
      }
      row += 4;
      continue;
    }
    if (mask === undefined || mask[row] !== 0) {
      const base = row * features;
      for (let d = 0; d < features; d++) {
        const dyValue = upstream[base + d]!;
        sumDy[d]! += dyValue;
        sumDyXhat[d]! += dyValue * (source[base + d]! - mean[d]!);
      }
    }
    row++;
  }
  // dx = (γr/n)·(n·dy − Σdy − x̂·Σdy·x̂) is affine in dy and x per feature: a·dy + b·x + c.
  const a = scratch(2, features);
  const b = scratch(3, features);
  const c = scratch(4, features);
  for (let d = 0; d < features; d++) {
    if (variance[d]! + eps === 0) throw zeroVarianceError(operation, x, `feature ${d}`);
    const r = 1 / Math.sqrt(variance[d]! + eps);
    sumDyXhat[d]! *= r;
    const factor = (gamma === undefined ? 1 : gamma[d]!) * r / count;
    a[d] = factor * count;
    b[d] = -factor * sumDyXhat[d]! * r;
    c[d] = -factor * sumDy[d]! - b[d]! * mean[d]!;
  }
  const dx = allocate(x.dtype, x.size);
  for (let row = 0; row < rows;) {
    if (fourRealRows(mask, row, rows)) {
      const b0 = row * features;
      const b1 = b0 + features;
      const b2 = b1 + features;
      const b3 = b2 + features;
      for (let d = 0; d < features; d++) {
        const ad = a[d]!;
        const bd = b[d]!;
        const cd = c[d]!;
        dx[b0 + d] = ad * upstream[b0 + d]! + bd * source[b0 + d]! + cd;
        dx[b1 + d] = ad * upstream[b1 + d]! + bd * source[b1 + d]! + cd;
        dx[b2 + d] = ad * upstream[b2 + d]! + bd * source[b2 + d]! + cd;
        dx[b3 + d] = ad * upstream[b3 + d]! + bd * source[b3 + d]! + cd;
      }
      row += 4;
      continue;
    }
    if (mask === undefined || mask[row] !== 0) {
      const base = row * features;
      for (let d = 0; d < features; d++) {
        dx[base + d] = a[d]! * upstream[base + d]! + b[d]! * source[base + d]! + c[d]!;
      }
    }
    row++;
  }
  return {
    dx: new Tensor(dx, x.shape, TRUSTED),
    dWeight: new Tensor(fromFloat64(sumDyXhat, x.dtype), [features]),
    dBias: new Tensor(fromFloat64(sumDy, x.dtype), [features]),
  };
}

/** Options for the {@linkcode BatchNorm} layer. */
export interface BatchNormLayerOptions {
  /**
   * Added to the variance.
   * @default {1e-5}
   */
  eps?: number;
  /**
   * Weight of the new batch in the running statistics:
   * `running = (1 − momentum)·running + momentum·batch`; `null` keeps a
   * cumulative (equal-weight) average instead, as in PyTorch.
   * @default {0.1}
   */
  momentum?: number | null;
  /**
   * Whether the layer has a learnable γ (ones) and β (zeros).
   * @default {true}
   */
  affine?: boolean;
  /**
   * Whether the layer keeps running statistics for evaluation mode; without
   * them it uses the batch's statistics in both modes.
   * @default {true}
   */
  trackRunningStats?: boolean;
  /**
   * The element type of γ, β and the running statistics.
   * @default {"float32"}
   */
  dtype?: DType;
}

/** Options for {@linkcode BatchNorm.forward}. */
export interface BatchNormForwardOptions {
  /** 1 = real token, 0 = padding, (B, T). */
  mask?: Tensor;
}

/**
 * The layer form of {@linkcode batchNorm}, with PyTorch's semantics: in
 * training mode it normalises with the batch's statistics and updates
 * `runningMean` and `runningVar`; in evaluation mode it uses those running
 * statistics. The running variance is updated with the **unbiased** batch
 * variance (Σ(x − mean)² / (n − 1)) — it estimates the population's variance
 * for inference — while the batch is normalised with the biased one. With a
 * mask, only real positions enter either.
 *
 * Shape: x (B, T, D), mask (B, T) → y (B, T, D), D = `numFeatures`.
 *
 * @example
 * ```ts
 * import { BatchNorm } from "./batch_norm.ts";
 * import { tensor } from "./tensor.ts";
 * import { ok } from "node:assert/strict";
 *
 * const norm = new BatchNorm(1, { momentum: 1 });
 * norm.forward(tensor([[[1], [3]]]));
 * // Unbiased variance of {1, 3} is 2; the running statistics now hold the batch's.
 * ok(norm.runningMean!.item() === 2 && norm.runningVar!.item() === 2);
 * norm.eval();
 * ok(Math.abs(norm.forward(tensor([[[2 + Math.SQRT2]]])).item() - 1) < 1e-4);
 * ```
 */
export class BatchNorm {
  /** D, the number of features (the last axis). */
  readonly numFeatures: number;
  /** Added to the variance. */
  readonly eps: number;
  /** The running statistics' momentum, or null for a cumulative average. */
  momentum: number | null;
  /** γ (D), or null without `affine`. */
  weight: Tensor | null;
  /** β (D), or null without `affine`. */
  bias: Tensor | null;
  /** The running mean (D), or null without `trackRunningStats`. */
  runningMean: Tensor | null;
  /** The running unbiased variance (D), or null without `trackRunningStats`. */
  runningVar: Tensor | null;
  /** How many training batches updated the running statistics. */
  numBatchesTracked = 0;
  /** Whether the layer is in training mode (the default). */
  training = true;

  /** A BatchNorm over `numFeatures` features. */
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) {
    if (!Number.isInteger(numFeatures) || numFeatures < 1) {
      throw new Error(
        `BatchNorm: expected numFeatures to be a positive integer but found ${numFeatures}`,
      );
    }
    this.numFeatures = numFeatures;
    this.eps = options.eps ?? 1e-5;
    checkEps(this.eps, "BatchNorm");
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    checkMomentum(this.momentum, "BatchNorm");
    const dtype = options.dtype ?? "float32";
    checkDtype(dtype, "BatchNorm");
    const filled = (value: number): Tensor =>
      new Tensor(allocate(dtype, numFeatures).fill(value), [numFeatures]);
    const affine = options.affine ?? true;
    this.weight = affine ? filled(1) : null;
    this.bias = affine ? filled(0) : null;
    const track = options.trackRunningStats ?? true;
    this.runningMean = track ? filled(0) : null;
    this.runningVar = track ? filled(1) : null;
  }

  /** Sets training mode (or evaluation mode with `false`); returns the layer. */
  train(mode = true): this {
    this.training = mode;
    return this;
  }

  /** Sets evaluation mode; returns the layer. */
  eval(): this {
    return this.train(false);
  }

  /** Normalises x (…, D); in training mode also updates the running statistics. */
  forward(x: Tensor, options: BatchNormForwardOptions = {}): Tensor {
    const operation = "BatchNorm.forward";
    checkTensor(x, operation, "x");
    if (x.shape[x.ndim - 1] !== this.numFeatures) {
      throw new Error(
        `${operation}: expected x to have ${this.numFeatures} features on its last axis but found shape ${
          formatShape(x.shape)
        }`,
      );
    }
    const affine = { weight: this.weight, bias: this.bias };
    if (!this.training && this.runningMean !== null && this.runningVar !== null) {
      return normalizeWithStatistics(
        x,
        { ...affine, mask: options.mask, mean: this.runningMean, variance: this.runningVar },
        this.eps,
        operation,
      );
    }
    const stats = featureStatistics(x, options.mask, operation);
    checkTrainingCount(stats.count, x, operation);
    if (this.training && this.runningMean !== null && this.runningVar !== null) {
      this.#updateRunningStatistics(stats.mean, stats.variance, stats.count);
    }
    return normalizeColumns(x, stats, this.eps, affine, operation);
  }

  /** The gradients of the training-mode forward pass at x for upstream dy. */
  backward(x: Tensor, dy: Tensor, options: BatchNormForwardOptions = {}): NormGradients {
    return batchNormBackward(x, dy, { mask: options.mask, weight: this.weight, eps: this.eps });
  }

  #updateRunningStatistics(
    mean: Float64Array,
    biasedVariance: Float64Array,
    count: number,
  ): void {
    // count ≥ 2 (checkTrainingCount): the unbiased variance divides by n − 1.
    checkMomentum(this.momentum, "BatchNorm.forward");
    this.numBatchesTracked++;
    const momentum = this.momentum ?? 1 / this.numBatchesTracked;
    const runningMean = this.runningMean!.data.slice();
    const runningVar = this.runningVar!.data.slice();
    const bessel = count / (count - 1);
    for (let d = 0; d < this.numFeatures; d++) {
      runningMean[d] = (1 - momentum) * runningMean[d]! + momentum * mean[d]!;
      runningVar[d] = (1 - momentum) * runningVar[d]! + momentum * biasedVariance[d]! * bessel;
    }
    this.runningMean = new Tensor(runningMean, [this.numFeatures]);
    this.runningVar = new Tensor(runningVar, [this.numFeatures]);
  }
}

/**
 * Throws unless `momentum` is null (a cumulative average) or a number in
 * [0, 1]: outside it the running variance is no longer a weighted average of
 * variances and can turn negative.
 */
function checkMomentum(momentum: number | null, operation: string): void {
  if (momentum === null) return;
  if (typeof momentum !== "number" || !(momentum >= 0 && momentum <= 1)) {
    throw new Error(
      `${operation}: expected momentum to be a number from 0 to 1 or null but found ${momentum}`,
    );
  }
}
