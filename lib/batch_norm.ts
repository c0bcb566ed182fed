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
import { allocate, fromFloat64, scratchArray, type TypedArray } from "./_dtype.ts";
import {
  checkFeatureInput,
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
  outWhileRecording,
  rowIndex,
  zeroVarianceError,
} from "./_norm_checks.ts";
import { formatShape, shapesEqual } from "./_shape.ts";
import { needsGrad, record } from "./autograd.ts";
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
  /**
   * A tensor of x's shape and dtype to write the result into (returned), instead of a new one.
   * Not allowed while recording gradients.
   */
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
 * Differentiable in x, weight and bias (the mask takes no gradient): in
 * training mode through {@linkcode batchNormBackward}; in inference mode the
 * layer is a per-feature affine map `y = x·s + c` with s = γ/√(var + eps), so
 * dx = dy·s, dγ = Σ dy·x̂, dβ = Σ dy (sums over real positions), and a given
 * `mean` or `variance` that requires a gradient gets
 * d mean = −Σ dy·s and d var = −½·Σ dy·γ·(x − mean)·(var + eps)^(−3/2).
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
  const recording = needsGrad(x, options.weight, options.bias) ||
    needsGrad(options.mean, options.variance);
  if (recording && options.out !== undefined) throw outWhileRecording(operation, x);
  const weight = options.weight ?? null;
  const bias = options.bias ?? null;
  if (options.mean !== undefined && options.variance !== undefined) {
    const given = { mean: options.mean, variance: options.variance };
    const y = normalizeWithStatistics(x, { ...options, ...given }, eps, operation);
    if (!recording) return y;
    const { mask, rows, features } = checkFeatureInput(x, options.mask, operation);
    const stats = { mean: given.mean.data, variance: given.variance.data, mask, rows, features };
    return record(
      y,
      "batchNorm (inference)",
      [x, weight, bias, given.mean, given.variance],
      (dy) => inferenceGradients(x, dy, stats, eps, weight, bias, given),
    );
  }
  const stats = featureStatistics(x, options.mask, operation);
  const y = normalizeColumns(x, stats, eps, options, operation);
  if (!recording) return y;
  const mask = options.mask;
  // The VJP is the analytic kernel below (it recomputes the statistics from x).
  return record(y, "batchNorm", [x, weight, bias], (dy) => {
    const { dx, dWeight, dBias } = batchNormBackward(x, dy, { mask, weight, eps });
    return [dx, weight === null ? null : dWeight, bias === null ? null : dBias];
  });
}

/**
 * The VJP of inference-mode batchNorm, `y = x·s + c` per feature with
 * s = γ/√(var + eps) and 0 at padded rows: dx = dy·s; dγ = Σ dy·(x − mean)/√(var + eps);
 * dβ = Σ dy; d mean = −Σ dy·s; d var = −½·Σ dy·γ·(x − mean)·(var + eps)^(−3/2),
 * the sums over real rows. Returns the gradients of [x, weight, bias, mean, variance].
 */
function inferenceGradients(
  x: Tensor,
  dy: Tensor,
  stats: ColumnStatistics,
  eps: number,
  weight: Tensor | null,
  bias: Tensor | null,
  given: { mean: Tensor; variance: Tensor },
): (Tensor | null)[] {
  const { mean, variance, mask, rows, features } = stats;
  const gamma = weight?.data;
  const inverseStd = new Float64Array(features);
  for (let d = 0; d < features; d++) inverseStd[d] = 1 / Math.sqrt(variance[d]! + eps);
  const source = x.data;
  const upstream = dy.data;
  const dx = allocate(x.dtype, x.size);
  const sumDy = new Float64Array(features);
  const sumDyCentred = new Float64Array(features);
  for (let row = 0; row < rows; row++) {
    if (mask !== undefined && mask[row] === 0) continue; // padding: constant 0, no gradient
    const base = row * features;
    for (let d = 0; d < features; d++) {
      const g = upstream[base + d]!;
      const scale = (gamma === undefined ? 1 : gamma[d]!) * inverseStd[d]!;
      dx[base + d] = g * scale;
      sumDy[d]! += g;
      sumDyCentred[d]! += g * (source[base + d]! - mean[d]!);
    }
  }
  const dWeight = new Float64Array(features);
  const dMean = new Float64Array(features);
  const dVariance = new Float64Array(features);
  for (let d = 0; d < features; d++) {
    const r = inverseStd[d]!;
    const g = gamma === undefined ? 1 : gamma[d]!;
    dWeight[d] = sumDyCentred[d]! * r;
    dMean[d] = -sumDy[d]! * g * r;
    dVariance[d] = -0.5 * g * sumDyCentred[d]! * r * r * r;
  }
  const vector = (values: Float64Array, like: Tensor | null): Tensor | null =>
    like === null || !like.requiresGrad
      ? null
      : new Tensor(fromFloat64(values, like.dtype), [features]);
  return [
    new Tensor(dx, x.shape, TRUSTED),
    vector(dWeight, weight),
    vector(sumDy, bias),
    vector(dMean, given.mean),
    vector(dVariance, given.variance),
  ];
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

/** Per-feature statistics and the layout of x as (rows, features), padded rows marked by mask. */
interface ColumnStatistics {
  mean: ArrayLike<number>;
  variance: ArrayLike<number>;
  mask: TypedArray | undefined;
  rows: number;
  features: number;
}

/** `y = (x − mean) / √(var + eps) · γ + β` per column; 0 at padded rows. */
function normalizeColumns(
  x: Tensor,
  stats: ColumnStatistics,
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
