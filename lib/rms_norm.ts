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
  layerShape,
  nonFiniteError,
  outputData,
  resolveNormalizedShape,
  rowIndex,
  zeroVarianceError,
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
  return options.out ?? new Tensor(out, x.shape, TRUSTED);
}

/** Options for the {@linkcode RMSNorm} layer. */
export interface RmsNormLayerOptions {
  /**
   * Added to the mean square.
   * @default {1e-6}
   */
  eps?: number;
  /**
   * Whether the layer has a learnable γ (initialised to 1).
   * @default {true}
   */
  elementwiseAffine?: boolean;
}

/**
 * The layer form of {@linkcode rmsNorm}, like `torch.nn.RMSNorm` (with eps
 * 1e-6 by default rather than PyTorch's machine epsilon); γ is `weight`.
 *
 * Shape: x (B, T, D) → y (B, T, D).
 *
 * @example
 * ```ts
 * import { RMSNorm } from "./rms_norm.ts";
 * import { tensor } from "./tensor.ts";
 * import { ok } from "node:assert/strict";
 *
 * const norm = new RMSNorm(2);
 * norm.weight = tensor([2, 2]);
 * ok(Math.abs(norm.forward(tensor([[3, 4]])).square().sum().item() - 8) < 1e-4);
 * ```
 */
export class RMSNorm {
  /** The normalized shape. */
  readonly normalizedShape: readonly number[];
  /** Added to the mean square. */
  readonly eps: number;
  /** γ, or null without `elementwiseAffine`. */
  weight: Tensor | null;

  /** An RMSNorm over trailing axes `normalizedShape`. */
  constructor(normalizedShape: number | readonly number[], options: RmsNormLayerOptions = {}) {
    this.normalizedShape = layerShape(normalizedShape, "RMSNorm");
    this.eps = options.eps ?? 1e-6;
    checkEps(this.eps, "RMSNorm");
    const size = this.normalizedShape.reduce((p, e) => p * e, 1);
    this.weight = (options.elementwiseAffine ?? true)
      ? new Tensor(new Float32Array(size).fill(1), this.normalizedShape)
      : null;
  }

  /** Normalises x with this layer's γ and eps. */
  forward(x: Tensor): Tensor {
    return rmsNorm(x, {
      normalizedShape: this.normalizedShape,
      weight: this.weight,
      eps: this.eps,
    });
  }
}
