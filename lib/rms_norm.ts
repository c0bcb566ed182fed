/**
 * Root-mean-square normalisation (Zhang & Sennrich 2019, arXiv:1910.07467):
 * LayerNorm without the centring.
 *
 * @module
 */
import { allocate, fromFloat64 } from "./_dtype.ts";
import { rowSquaredDeviations } from "./_row_kernels.ts";
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

/** Options for {@linkcode rmsNorm}. */
export interface RmsNormOptions {
  /**
   * The trailing axes to normalise over.
   * @default {the last axis of x}
   */
  normalizedShape?: number | readonly number[];
  /** γ, with the normalized shape; omitted means 1. */
  weight?: Tensor | null;
  /**
   * Added to the mean square before the square root.
   * @default {1e-6}
   */
  eps?: number;
  /**
   * A tensor of x's shape and dtype to write the result into (returned), instead of a new one.
   * Not allowed while recording gradients (when x or weight requires one).
   */
  out?: Tensor;
}

/**
 * RMS normalisation: `y = x / √(mean(x²) + eps) · γ`, the mean taken over the
 * last `normalizedShape.length` axes of each token. There is no centring and
 * no β: each token is scaled onto the sphere of radius √n.
 *
 * Differentiable in x and weight: when one of them requires a gradient,
 * `backward()` goes through {@linkcode rmsNormBackward}.
 *
 * Shape: x (B, T, D) → y (B, T, D); γ: (D).
 *
 * @example
 * ```ts
 * import { rmsNorm } from "./rms_norm.ts";
 * import { tensor } from "./tensor.ts";
 * import { ok } from "node:assert/strict";
 *
 * const y = rmsNorm(tensor([[3, 4]]));
 * // mean(x²) = 12.5, so y = x / √12.5; and ‖y‖² = n = 2.
 * ok(Math.abs(y.square().sum().item() - 2) < 1e-5);
 * ```
 */
export function rmsNorm(x: Tensor, options: RmsNormOptions = {}): Tensor {
  const operation = "rmsNorm";
  const { normalizedShape, rows, width } = resolveNormalizedShape(
    x,
    options.normalizedShape,
    operation,
  );
  const eps = options.eps ?? 1e-6;
  checkEps(eps, operation);
  const gamma = checkedParameter(
    options.weight,
    normalizedShape,
    "weight",
    operation,
    () => `the normalized shape of x ${formatShape(x.shape)}`,
  );
  const recording = needsGrad(x, options.weight);
  if (recording && options.out !== undefined) throw outWhileRecording(operation, x);
  const source = x.data;
  const out = outputData(x, options.out, operation);
  for (let row = 0; row < rows; row++) {
    const start = row * width;
    const end = start + width;
    const squares = rowSquaredDeviations(source, start, end, 0);
    if (!Number.isFinite(squares)) {
      throw nonFiniteError(
        operation,
        x,
        `token ${rowIndex(row, x.shape.slice(0, x.ndim - normalizedShape.length))}`,
      );
    }
    const meanSquare = squares / width + eps;
    if (meanSquare === 0) {
      throw zeroVarianceError(
        operation,
        x,
        `token ${rowIndex(row, x.shape.slice(0, x.ndim - normalizedShape.length))}`,
      );
    }
    const inverseRms = 1 / Math.sqrt(meanSquare);
    if (gamma === undefined) {
      for (let i = start; i < end; i++) out[i] = source[i]! * inverseRms;
    } else {
      for (let i = start, j = 0; i < end; i++, j++) out[i] = source[i]! * inverseRms * gamma[j]!;
    }
  }
  const y = options.out ?? new Tensor(out, x.shape, TRUSTED);
  if (!recording) return y;
  const weight = options.weight ?? null;
  // The VJP is the analytic kernel below.
  return record(y, "rmsNorm", [x, weight], (dy) => {
    const { dx, dWeight } = rmsNormBackward(x, dy, { normalizedShape, weight, eps });
    return [dx, weight === null ? null : dWeight];
  });
}

/** Options for {@linkcode rmsNormBackward}. */
export interface RmsNormBackwardOptions {
  /**
   * The trailing axes that were normalised.
   * @default {the last axis of x}
   */
  normalizedShape?: number | readonly number[];
  /** γ used in the forward pass; omitted means 1. */
  weight?: Tensor | null;
  /**
   * The forward pass's eps.
   * @default {1e-6}
   */
  eps?: number;
}

/**
 * The gradients of {@linkcode rmsNorm} given the upstream gradient `dy`.
 *
 * With r = 1/√(mean(x²) + eps), x̂ = x·r and g = dy·γ, per token over its n
 * normalised elements (∂r/∂xᵢ = −r³·xᵢ/n):
 *
 * - `dx = r · (g − x̂ · mean(g·x̂))`
 * - `dγ = Σ_tokens dy · x̂`; `dBias` is `Σ_tokens dy` (RMSNorm has no β; it is
 *   returned for symmetry with the other norms)
 *
 * Unlike LayerNorm's, dx keeps its component along the all-ones direction:
 * there is no centring to remove it.
 *
 * Shape: x, dy (B, T, D) → dx (B, T, D); dγ (D).
 *
 * @example
 * ```ts
 * import { rmsNormBackward } from "./rms_norm.ts";
 * import { tensor } from "./tensor.ts";
 * import { ok } from "node:assert/strict";
 *
 * const x = tensor([[3, 4]]);
 * // A gradient along x itself only rescales the token, which the norm undoes: dx ≈ 0.
 * const { dx, dWeight } = rmsNormBackward(x, tensor([[3, 4]]));
 * ok(dx.abs().max().item() < 1e-6);
 * // dγ = dy · x̂ with x̂ = x / √12.5.
 * ok(Math.abs(dWeight.data[0]! - 9 / Math.sqrt(12.5)) < 1e-5);
 * ```
 */
export function rmsNormBackward(
  x: Tensor,
  dy: Tensor,
  options: RmsNormBackwardOptions = {},
): NormGradients {
  const operation = "rmsNormBackward";
  const { normalizedShape, rows, width, eps, gamma } = rowNormBackwardInputs(
    x,
    dy,
    options,
    1e-6,
    operation,
  );
  const source = x.data;
  const upstream = dy.data;
  const dx = allocate(x.dtype, x.size);
  const dWeight = allocate("float64", width) as Float64Array;
  const dBias = allocate("float64", width) as Float64Array;
  for (let row = 0; row < rows; row++) {
    const start = row * width;
    const end = start + width;
    const inverseRms = tokenInverseRms(x, row, width, normalizedShape.length, eps, operation);
    // mean(g·x̂) over the token, with g = dy·γ; dγ and dβ on the way.
    let sumGXhat = 0;
    for (let i = start, j = 0; i < end; i++, j++) {
      const xhat = source[i]! * inverseRms;
      const d = upstream[i]!;
      sumGXhat += (gamma === undefined ? d : d * gamma[j]!) * xhat;
      dWeight[j]! += d * xhat;
      dBias[j]! += d;
    }
    const meanGXhat = sumGXhat / width;
    for (let i = start, j = 0; i < end; i++, j++) {
      const g = gamma === undefined ? upstream[i]! : upstream[i]! * gamma[j]!;
      dx[i] = inverseRms * (g - source[i]! * inverseRms * meanGXhat);
    }
  }
  return {
    dx: new Tensor(dx, x.shape, TRUSTED),
    dWeight: new Tensor(fromFloat64(dWeight, x.dtype), normalizedShape),
    dBias: new Tensor(fromFloat64(dBias, x.dtype), normalizedShape),
  };
}

/** r = 1/√(mean(x²) + eps) of token `row`; throws, naming the token, for NaN or ±Infinity. */
function tokenInverseRms(
  x: Tensor,
  row: number,
  width: number,
  normalizedRank: number,
  eps: number,
  operation: string,
): number {
  const start = row * width;
  const squares = rowSquaredDeviations(x.data, start, start + width, 0);
  if (!Number.isFinite(squares)) {
    throw nonFiniteError(
      operation,
      x,
      `token ${rowIndex(row, x.shape.slice(0, x.ndim - normalizedRank))}`,
    );
  }
  return 1 / Math.sqrt(squares / width + eps);
}
