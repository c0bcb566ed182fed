/**
 * The normalisation layers as Modules, with PyTorch's semantics and
 * state-dict keys: `LayerNorm`, `RMSNorm` (`weight`, `bias`) and `BatchNorm`
 * (also `running_mean`, `running_var`, `num_batches_tracked`).
 *
 * @module
 */
import { checkDtype, type DType } from "../_dtype.ts";
import { featureStatistics } from "../_feature_statistics.ts";
import { checkTensor } from "../_mask.ts";
import { checkEps, layerShape } from "../_norm_checks.ts";
import { formatShape } from "../_shape.ts";
import { batchNorm, batchNormBackward } from "../batch_norm.ts";
import { layerNorm, layerNormBackward } from "../layer_norm.ts";
import type { NormGradients } from "../norm_gradients.ts";
import { rmsNorm } from "../rms_norm.ts";
import { Tensor } from "../tensor.ts";
import { Module } from "./module.ts";

/** Options for a normalisation layer's `forward`. */
export interface NormForwardOptions {
  /**
   * 1 = real token, 0 = padding, (B, T). Only a masking BatchNorm uses it;
   * LayerNorm and RMSNorm never need it (a token's statistics are its own).
   */
  mask?: Tensor;
}

/** Options for the {@linkcode LayerNorm} layer. */
export interface LayerNormLayerOptions {
  /**
   * Added to the variance before the square root.
   * @default {1e-5}
   */
  eps?: number;
  /**
   * Whether the layer has a learnable γ (initialised to 1) and β (to 0).
   * @default {true}
   */
  elementwiseAffine?: boolean;
  /**
   * Whether the layer has β (only with `elementwiseAffine`).
   * @default {true}
   */
  bias?: boolean;
}

/**
 * The layer form of {@linkcode layerNorm}, like `torch.nn.LayerNorm`:
 * `y = (x − mean) / √(var + eps) · γ + β` per token, γ (`weight`, ones) and β
 * (`bias`, zeros) learnable, public and reassignable.
 *
 * Shape: x (B, T, D) → y (B, T, D), with `normalizedShape` = D.
 *
 * @example
 * ```ts
 * import { LayerNorm } from "./norm_layers.ts";
 * import { tensor } from "../tensor.ts";
 * import { deepStrictEqual, ok } from "node:assert/strict";
 *
 * const norm = new LayerNorm(3);
 * norm.bias = tensor([5, 5, 5]);
 * const y = norm.forward(tensor([[1, 2, 3]]));
 * ok(Math.abs(y.mean().item() - 5) < 1e-6);
 * deepStrictEqual(Object.keys(norm.stateDict()), ["weight", "bias"]);
 * ```
 */
export class LayerNorm extends Module {
  /** The normalized shape (the trailing axes of the input). */
  readonly normalizedShape: readonly number[];
  /** Added to the variance. */
  readonly eps: number;
  /** γ, with the normalized shape, or null without `elementwiseAffine`. */
  weight: Tensor | null;
  /** β, with the normalized shape, or null. */
  bias: Tensor | null;

  /** A LayerNorm over trailing axes `normalizedShape` (a number for one axis). */
  constructor(normalizedShape: number | readonly number[], options: LayerNormLayerOptions = {}) {
    super();
    this.normalizedShape = layerShape(normalizedShape, "LayerNorm");
    this.eps = options.eps ?? 1e-5;
    checkEps(this.eps, "LayerNorm");
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? filledParameter(this.normalizedShape, 1) : null;
    this.bias = affine && (options.bias ?? true) ? filledParameter(this.normalizedShape, 0) : null;
    this.registerParameter("weight");
    this.registerParameter("bias");
  }

  /** Normalises x (…, *normalizedShape) with this layer's γ, β and eps (a mask is ignored). */
  forward(x: Tensor, _options: NormForwardOptions = {}): Tensor {
    return layerNorm(x, {
      normalizedShape: this.normalizedShape,
      weight: this.weight,
      bias: this.bias,
      eps: this.eps,
    });
  }

  /** The gradients of the forward pass at x for upstream gradient dy (analytic). */
  backward(x: Tensor, dy: Tensor): NormGradients {
    return layerNormBackward(x, dy, {
      normalizedShape: this.normalizedShape,
      weight: this.weight,
      eps: this.eps,
    });
  }
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
 * 1e-6 by default rather than PyTorch's machine epsilon):
 * `y = x / √(mean(x²) + eps) · γ`; γ is `weight`.
 *
 * Shape: x (B, T, D) → y (B, T, D).
 *
 * @example
 * ```ts
 * import { RMSNorm } from "./norm_layers.ts";
 * import { tensor } from "../tensor.ts";
 * import { ok } from "node:assert/strict";
 *
 * const norm = new RMSNorm(2);
 * norm.weight = tensor([2, 2]);
 * ok(Math.abs(norm.forward(tensor([[3, 4]])).square().sum().item() - 8) < 1e-4);
 * ```
 */
export class RMSNorm extends Module {
  /** The normalized shape. */
  readonly normalizedShape: readonly number[];
  /** Added to the mean square. */
  readonly eps: number;
  /** γ, or null without `elementwiseAffine`. */
  weight: Tensor | null;

  /** An RMSNorm over trailing axes `normalizedShape`. */
  constructor(normalizedShape: number | readonly number[], options: RmsNormLayerOptions = {}) {
    super();
    this.normalizedShape = layerShape(normalizedShape, "RMSNorm");
    this.eps = options.eps ?? 1e-6;
    checkEps(this.eps, "RMSNorm");
    this.weight = (options.elementwiseAffine ?? true)
      ? filledParameter(this.normalizedShape, 1)
      : null;
    this.registerParameter("weight");
  }

  /** Normalises x with this layer's γ and eps (a mask is ignored). */
  forward(x: Tensor, _options: NormForwardOptions = {}): Tensor {
    return rmsNorm(x, {
      normalizedShape: this.normalizedShape,
      weight: this.weight,
      eps: this.eps,
    });
  }
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
   * `running = (1 − momentum)·running + momentum·batch`, in [0, 1]; `null`
   * keeps a cumulative (equal-weight) average instead, as in PyTorch.
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
   * Whether `forward`'s mask is used: `true` gives masked BatchNorm (padding
   * neither enters the statistics nor the output); `false` ignores the mask,
   * so every position counts — the naive BatchNorm of the lesson.
   * @default {true}
   */
  useMask?: boolean;
  /**
   * The element type of γ, β and the running statistics.
   * @default {"float32"}
   */
  dtype?: DType;
}

/** Options for {@linkcode BatchNorm.forward} (kept for the earlier name). */
export type BatchNormForwardOptions = NormForwardOptions;

/**
 * The layer form of {@linkcode batchNorm}, with PyTorch's semantics: in
 * training mode it normalises with the batch's statistics (biased variance)
 * and updates `runningMean` and `runningVar`; in evaluation mode it uses
 * those running statistics — then each feature is a fixed affine map. The
 * running variance is updated with the **unbiased** batch variance
 * (Σ(x − mean)² / (n − 1)): it estimates the population's variance for
 * inference. With a mask (and `useMask`), only real positions enter either,
 * and padded positions output 0 in both modes.
 *
 * Shape: x (B, T, D), mask (B, T) → y (B, T, D), D = `numFeatures`.
 *
 * @example
 * ```ts
 * import { BatchNorm } from "./norm_layers.ts";
 * import { tensor } from "../tensor.ts";
 * import { deepStrictEqual, ok } from "node:assert/strict";
 *
 * const norm = new BatchNorm(1, { momentum: 1 });
 * norm.forward(tensor([[[1], [3]]]));
 * // Unbiased variance of {1, 3} is 2; the running statistics now hold the batch's.
 * ok(norm.runningMean!.item() === 2 && norm.runningVar!.item() === 2);
 * norm.eval();
 * ok(Math.abs(norm.forward(tensor([[[2 + Math.SQRT2]]])).item() - 1) < 1e-4);
 * deepStrictEqual(Object.keys(norm.stateDict()), [
 *   "weight", "bias", "running_mean", "running_var", "num_batches_tracked",
 * ]);
 * ```
 */
export class BatchNorm extends Module {
  /** D, the number of features (the last axis). */
  readonly numFeatures: number;
  /** Added to the variance. */
  readonly eps: number;
  /** Whether `forward` uses its mask (masked BatchNorm) or ignores it (naive). */
  readonly useMask: boolean;
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
  /** The count of training batches, as the scalar buffer `num_batches_tracked`. */
  batchesTracked: Tensor | null;
  /**
   * Whether training mode updates the running statistics (PyTorch always
   * does). Set it to false to measure a trained model with batch statistics
   * without changing it; then a batch with a single real position is allowed.
   */
  updateRunningStats = true;

  /** A BatchNorm over `numFeatures` features. */
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1) {
      throw new Error(
        `BatchNorm: expected numFeatures to be a positive integer but found ${numFeatures}`,
      );
    }
    this.numFeatures = numFeatures;
    this.eps = options.eps ?? 1e-5;
    checkEps(this.eps, "BatchNorm");
    const momentum = options.momentum === undefined ? 0.1 : options.momentum;
    if (momentum !== null && !(momentum >= 0 && momentum <= 1)) {
      throw new Error(
        `BatchNorm: expected momentum to be a number from 0 to 1 or null but found ${momentum}`,
      );
    }
    this.momentum = momentum;
    this.useMask = options.useMask ?? true;
    const dtype = options.dtype ?? "float32";
    checkDtype(dtype, "BatchNorm");
    const affine = options.affine ?? true;
    const shape = [numFeatures];
    this.weight = affine ? filledParameter(shape, 1, dtype) : null;
    this.bias = affine ? filledParameter(shape, 0, dtype) : null;
    const track = options.trackRunningStats ?? true;
    this.runningMean = track ? filled(shape, 0, dtype) : null;
    this.runningVar = track ? filled(shape, 1, dtype) : null;
    this.batchesTracked = track ? filled([], 0, "float64") : null;
    this.registerParameter("weight");
    this.registerParameter("bias");
    this.registerBuffer("running_mean", "runningMean");
    this.registerBuffer("running_var", "runningVar");
    this.registerBuffer("num_batches_tracked", "batchesTracked");
  }

  /** How many training batches updated the running statistics. */
  get numBatchesTracked(): number {
    return this.batchesTracked?.data[0] ?? 0;
  }

  /** Normalises x (…, D); in training mode also updates the running statistics. */
  forward(x: Tensor, options: NormForwardOptions = {}): Tensor {
    const operation = "BatchNorm.forward";
    checkTensor(x, operation, "x");
    if (x.shape[x.ndim - 1] !== this.numFeatures) {
      throw new Error(
        `${operation}: expected x to have ${this.numFeatures} features on its last axis but found shape ${
          formatShape(x.shape)
        }`,
      );
    }
    const mask = this.useMask ? options.mask : undefined;
    const common = { weight: this.weight, bias: this.bias, mask, eps: this.eps };
    const tracking = this.runningMean !== null && this.runningVar !== null;
    if (!this.training && tracking) {
      return asLayer(() =>
        batchNorm(x, { ...common, mean: this.runningMean!, variance: this.runningVar! })
      );
    }
    if (this.training && tracking && this.updateRunningStats) {
      const stats = featureStatistics(x.detach(), mask, operation);
      this.#updateRunningStatistics(stats.mean, stats.variance, stats.count, x);
    }
    return asLayer(() => batchNorm(x, common));
  }

  /** The gradients of the training-mode forward pass at x for upstream dy (analytic). */
  backward(x: Tensor, dy: Tensor, options: NormForwardOptions = {}): NormGradients {
    const mask = this.useMask ? options.mask : undefined;
    return batchNormBackward(x, dy, { mask, weight: this.weight, eps: this.eps });
  }

  #updateRunningStatistics(
    mean: Float64Array,
    biasedVariance: Float64Array,
    count: number,
    x: Tensor,
  ): void {
    if (count < 2) {
      // The unbiased variance divides by n − 1 = 0; PyTorch refuses this too.
      throw new Error(
        `BatchNorm.forward: expected more than 1 real position per feature in training mode but found ${count} in x ${
          formatShape(x.shape)
        }`,
      );
    }
    const momentumNow = this.momentum; // public and reassignable: checked where it is used
    if (momentumNow !== null && !(momentumNow >= 0 && momentumNow <= 1)) {
      throw new Error(
        `BatchNorm.forward: expected momentum to be a number from 0 to 1 or null but found ${momentumNow}`,
      );
    }
    const tracked = this.batchesTracked!;
    tracked.data[0]! += 1;
    tracked.markModified();
    const momentum = this.momentum ?? 1 / tracked.data[0]!;
    const runningMean = this.runningMean!;
    const runningVar = this.runningVar!;
    const bessel = count / (count - 1);
    for (let d = 0; d < this.numFeatures; d++) {
      runningMean.data[d] = (1 - momentum) * runningMean.data[d]! + momentum * mean[d]!;
      runningVar.data[d] = (1 - momentum) * runningVar.data[d]! +
        momentum * biasedVariance[d]! * bessel;
    }
    runningMean.markModified();
    runningVar.markModified();
  }
}

/** Runs the functional batchNorm; its errors name the layer's method, which the user called. */
function asLayer(run: () => Tensor): Tensor {
  try {
    return run();
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("batchNorm: ")) {
      error.message = `BatchNorm.forward: ${error.message.slice("batchNorm: ".length)}`;
    }
    throw error;
  }
}

/** A new learnable tensor of `shape` filled with `value`. */
function filledParameter(
  shape: readonly number[],
  value: number,
  dtype: DType = "float32",
): Tensor {
  const t = filled(shape, value, dtype);
  t.requiresGrad = true;
  return t;
}

function filled(shape: readonly number[], value: number, dtype: DType): Tensor {
  const size = shape.reduce((p, e) => p * e, 1);
  const data = dtype === "float64" ? new Float64Array(size) : new Float32Array(size);
  return new Tensor(data.fill(value), shape);
}
