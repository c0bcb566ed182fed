/**
 * Root-mean-square normalisation (Zhang & Sennrich 2019, arXiv:1910.07467):
 * LayerNorm without the centring.
 *
 * @module
 */
import { rowSquaredDeviations } from "./_row_kernels.ts";
import {
  checkedParameter,
  checkEps,
  nonFiniteError,
  outputData,
  resolveNormalizedShape,
  rowIndex,
} from "./_norm_checks.ts";
import { formatShape } from "./_shape.ts";
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
  /** A tensor of x's shape and dtype to write the result into (returned), instead of a new one. */
  out?: Tensor;
}

/**
 * RMS normalisation: `y = x / √(mean(x²) + eps) · γ`, the mean taken over the
 * last `normalizedShape.length` axes of each token. There is no centring and
 * no β: each token is scaled onto the sphere of radius √n.
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
    const inverseRms = 1 / Math.sqrt(squares / width + eps);
    if (gamma === undefined) {
      for (let i = start; i < end; i++) out[i] = source[i]! * inverseRms;
    } else {
      for (let i = start, j = 0; i < end; i++, j++) out[i] = source[i]! * inverseRms * gamma[j]!;
    }
  }
  return options.out ?? new Tensor(out, x.shape, TRUSTED);
}
