/**
 * Layer normalisation (Ba, Kiros & Hinton 2016, arXiv:1607.06450): the
 * forward pass, its gradient, and the `LayerNorm` layer.
 *
 * Each token (row) is normalised by its own statistics, taken across its
 * features, so padding and the other sentences in a batch never enter them.
 *
 * @module
 */
import { allocate, fromFloat64, scratchArray, type TypedArray } from "./_dtype.ts";
import { layerNormBackwardSimd, layerNormForwardSimd } from "./_float64_simd.ts";
import { scratch } from "./_scratch.ts";
import { rowMoments } from "./_row_kernels.ts";
import {
  checkedParameter,
  checkEps,
  nonFiniteError,
  outputData,
  outWhileRecording,
  resolveNormalizedShape,
  rowIndex,
  rowNormBackwardInputs,
  zeroVarianceError,
} from "./_norm_checks.ts";
import { formatShape } from "./_shape.ts";
import { needsGrad, record } from "./autograd.ts";
import type { NormGradients } from "./norm_gradients.ts";
import { Tensor, TRUSTED } from "./tensor.ts";

/** Options for {@linkcode layerNorm}. */
export interface LayerNormOptions {
  /**
   * The trailing axes to normalise over, as in PyTorch.
   * @default {the last axis of x}
   */
  normalizedShape?: number | readonly number[];
  /** γ, with the normalized shape; omitted means 1. */
  weight?: Tensor | null;
  /** β, with the normalized shape; omitted means 0. */
  bias?: Tensor | null;
  /**
   * Added to the variance before the square root.
   * @default {1e-5}
   */
  eps?: number;
  /**
   * A tensor of x's shape and dtype to write the result into (returned), instead of a new one.
   * Not allowed while recording gradients (when x, weight or bias requires one).
   */
  out?: Tensor;
}

/**
 * Layer normalisation: `y = (x − mean) / √(var + eps) · γ + β`, with the mean
 * and the **biased** variance (divided by n, as in PyTorch) taken over the
 * last `normalizedShape.length` axes of each token: across its features, not
 * across the batch.
 *
 * Shape: x (B, T, D) → y (B, T, D); γ, β: (D) (the normalized shape).
 *
 * The statistics are float64 sums taken about one of the token's own values
 * (see `rowMoments`: at most log₂ n bits lost), so a token of 1e4 + noise
 * normalises correctly in float32. A token containing NaN or ±Infinity
 * throws, naming it. An empty batch gives an empty result.
 *
 * Differentiable in x, weight and bias: when one of them requires a gradient,
 * `backward()` goes through {@linkcode layerNormBackward}.
 *
 * @example
 * ```ts
 * import { layerNorm } from "./layer_norm.ts";
 * import { tensor } from "./tensor.ts";
 * import { allClose } from "./ops.ts";
 * import { ok } from "node:assert/strict";
 *
 * const x = tensor([[[1, 2, 3], [10, 20, 30]]]); // (B, T, D) = (1, 2, 3)
 * const y = layerNorm(x);
 * // Both tokens become (−1.2247, 0, 1.2247): the scale of a token does not matter.
 * ok(allClose(y, tensor([[[-1.2247, 0, 1.2247], [-1.2247, 0, 1.2247]]]), { atol: 1e-4 }));
 * ```
 */
export function layerNorm(x: Tensor, options: LayerNormOptions = {}): Tensor {
  const operation = "layerNorm";
  const { normalizedShape, rows, width } = resolveNormalizedShape(
    x,
    options.normalizedShape,
    operation,
  );
  const eps = options.eps ?? 1e-5;
  checkEps(eps, operation);
  const context = () => `the normalized shape of x ${formatShape(x.shape)}`;
  const gamma = checkedParameter(options.weight, normalizedShape, "weight", operation, context);
  const beta = checkedParameter(options.bias, normalizedShape, "bias", operation, context);
  const recording = needsGrad(x, options.weight, options.bias);
  if (recording && options.out !== undefined) throw outWhileRecording(operation, x);
  const source = x.data;
  const out = outputData(x, options.out, operation);
  const onKernel = source instanceof Float32Array && out instanceof Float32Array &&
    !(gamma instanceof Float64Array) && !(beta instanceof Float64Array) &&
    layerNormForwardSimd(source, out, gamma ?? null, beta ?? null, rows, width, eps);
  if (!onKernel) {
    layerNormRows(x, out, gamma, beta, rows, width, normalizedShape.length, eps, operation);
  }
  const y = options.out ?? new Tensor(out, x.shape, TRUSTED);
  if (!recording) return y;
  const weight = options.weight ?? null;
  const bias = options.bias ?? null;
  // The VJP is the analytic kernel below: dx, dγ = Σ dy·x̂, dβ = Σ dy.
  return record(y, "layerNorm", [x, weight, bias], (dy) => {
    const { dx, dWeight, dBias } = layerNormBackward(x, dy, { normalizedShape, weight, eps });
    return [dx, weight === null ? null : dWeight, bias === null ? null : dBias];
  });
}

/**
 * Internal (tests/float64_kernels_test.ts; not re-exported): the reference of
 * {@linkcode layerNorm}'s rows (lib/wasm/rows_f64x2.wat's
 * `layerNormForward` computes the same values, bit for bit): per token,
 * `out = (x − mean)·r·γ + β`, or `x·r + (−mean·r)` without γ and β; throws,
 * naming the token, on a value that is not finite or a zero variance.
 */
export function layerNormRows(
  x: Tensor,
  out: TypedArray,
  gamma: TypedArray | undefined,
  beta: TypedArray | undefined,
  rows: number,
  width: number,
  normalizedRank: number,
  eps: number,
  operation: string,
): void {
  const source = x.data;
  const moments = scratch(6, 2);
  for (let row = 0; row < rows; row++) {
    const start = row * width;
    const end = start + width;
    const inverseStd = tokenInverseStd(
      x,
      row,
      width,
      normalizedRank,
      eps,
      moments,
      operation,
    );
    const mean = moments[0]!;
    if (gamma === undefined && beta === undefined) {
      // (x − mean)·r as one multiply-add: x·r + (−mean·r).
      const shift = -mean * inverseStd;
      for (let i = start; i < end; i++) out[i] = source[i]! * inverseStd + shift;
    } else if (gamma !== undefined && beta !== undefined) {
      for (let i = start, j = 0; i < end; i++, j++) {
        out[i] = (source[i]! - mean) * inverseStd * gamma[j]! + beta[j]!;
      }
    } else {
      for (let i = start, j = 0; i < end; i++, j++) {
        out[i] = (source[i]! - mean) * inverseStd * (gamma === undefined ? 1 : gamma[j]!) +
          (beta === undefined ? 0 : beta[j]!);
      }
    }
  }
}

/** Options for {@linkcode layerNormBackward}. */
export interface LayerNormBackwardOptions {
  /**
   * The trailing axes that were normalised.
   * @default {the last axis of x}
   */
  normalizedShape?: number | readonly number[];
  /** γ used in the forward pass; omitted means 1. */
  weight?: Tensor | null;
  /**
   * The forward pass's eps.
   * @default {1e-5}
   */
  eps?: number;
}

/**
 * The gradients of {@linkcode layerNorm} given the upstream gradient `dy`.
 *
 * With x̂ = (x − mean)·r, r = 1/√(var + eps) and g = dy·γ, per token over its
 * n normalised elements:
 *
 * - `dx = r · (g − mean(g) − x̂ · mean(g·x̂))`
 * - `dγ = Σ_tokens dy · x̂`, `dβ = Σ_tokens dy`
 *
 * A token's dx depends only on that token: no other sentence or padding.
 *
 * Shape: x, dy (B, T, D) → dx (B, T, D); dγ, dβ (D).
 *
 * @example
 * ```ts
 * import { layerNormBackward } from "./layer_norm.ts";
 * import { tensor } from "./tensor.ts";
 * import { ok } from "node:assert/strict";
 *
 * const x = tensor([[1, 2, 4]]);
 * // A gradient along the all-ones direction is removed by the centring.
 * const { dx, dBias } = layerNormBackward(x, tensor([[1, 1, 1]]));
 * ok(dx.abs().max().item() < 1e-6);
 * ok(dBias.toArray().toString() === "1,1,1");
 * ```
 */
export function layerNormBackward(
  x: Tensor,
  dy: Tensor,
  options: LayerNormBackwardOptions = {},
): NormGradients {
  const operation = "layerNormBackward";
  const { normalizedShape, rows, width, eps, gamma } = rowNormBackwardInputs(
    x,
    dy,
    options,
    1e-5,
    operation,
  );
  const source = x.data;
  const upstream = dy.data;
  const dx = allocate(x.dtype, x.size);
  const dWeight = scratchArray("float64", width) as Float64Array;
  const dBias = scratchArray("float64", width) as Float64Array;
  const onKernel = source instanceof Float32Array && upstream instanceof Float32Array &&
    dx instanceof Float32Array && !(gamma instanceof Float64Array) &&
    layerNormBackwardSimd(source, upstream, dx, gamma ?? null, dWeight, dBias, rows, width, eps);
  if (!onKernel) {
    layerNormBackwardRows(
      x,
      dy,
      dx,
      gamma,
      dWeight,
      dBias,
      rows,
      width,
      normalizedShape.length,
      eps,
    );
  }
  return {
    dx: new Tensor(dx, x.shape, TRUSTED),
    dWeight: new Tensor(fromFloat64(dWeight, x.dtype), normalizedShape),
    dBias: new Tensor(fromFloat64(dBias, x.dtype), normalizedShape),
  };
}

/**
 * Internal (tests/float64_kernels_test.ts; not re-exported): the reference of
 * {@linkcode layerNormBackward}'s rows
 * (lib/wasm/rows_f64x2.wat's `layerNormBackward` computes the same values,
 * bit for bit): dx, and dγ, dβ added into `dWeight`, `dBias` (zeros on entry).
 */
export function layerNormBackwardRows(
  x: Tensor,
  dy: Tensor,
  dx: TypedArray,
  gamma: TypedArray | undefined,
  dWeight: Float64Array,
  dBias: Float64Array,
  rows: number,
  width: number,
  normalizedRank: number,
  eps: number,
): void {
  const source = x.data;
  const upstream = dy.data;
  const moments = scratch(6, 2);
  for (let row = 0; row < rows; row++) {
    const start = row * width;
    const end = start + width;
    const inverseStd = tokenInverseStd(
      x,
      row,
      width,
      normalizedRank,
      eps,
      moments,
      "layerNormBackward",
    );
    const mean = moments[0]!;
    // Σ g and Σ g·x̂ over the token, with g = dy·γ; dγ and dβ on the way. x̂ is parked in dx
    // for the second loop, which then reads it from cache instead of recomputing it.
    let sumG = 0;
    let sumGXhat = 0;
    for (let i = start, j = 0; i < end; i++, j++) {
      const xhat = (source[i]! - mean) * inverseStd;
      const d = upstream[i]!;
      const g = gamma === undefined ? d : d * gamma[j]!;
      sumG += g;
      sumGXhat += g * xhat;
      dWeight[j]! += d * xhat;
      dBias[j]! += d;
      dx[i] = xhat;
    }
    const meanG = sumG / width;
    const meanGXhat = sumGXhat / width;
    if (gamma === undefined) {
      for (let i = start; i < end; i++) {
        dx[i] = inverseStd * (upstream[i]! - meanG - dx[i]! * meanGXhat);
      }
    } else {
      for (let i = start, j = 0; i < end; i++, j++) {
        dx[i] = inverseStd * (upstream[i]! * gamma[j]! - meanG - dx[i]! * meanGXhat);
      }
    }
  }
}

/**
 * r = 1/√(var + eps) of token `row` (the `width` values at row·width), with
 * its mean left in `moments[0]`; throws, naming the token, when its values
 * are not finite.
 */
function tokenInverseStd(
  x: Tensor,
  row: number,
  width: number,
  normalizedRank: number,
  eps: number,
  moments: Float64Array,
  operation: string,
): number {
  const start = row * width;
  rowMoments(x.data, start, start + width, moments);
  const squares = moments[1]!;
  if (!Number.isFinite(squares)) {
    throw nonFiniteError(
      operation,
      x,
      `token ${rowIndex(row, x.shape.slice(0, x.ndim - normalizedRank))}`,
    );
  }
  const variance = squares / width + eps;
  if (variance === 0) {
    throw zeroVarianceError(
      operation,
      x,
      `token ${rowIndex(row, x.shape.slice(0, x.ndim - normalizedRank))}`,
    );
  }
  return 1 / Math.sqrt(variance);
}
