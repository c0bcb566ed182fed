/**
 * The affine map `y = x Wᵀ + b` as a function and as the `Linear` layer.
 *
 * @module
 */
import { checkTensor } from "../_mask.ts";
import { formatShape } from "../_shape.ts";
import { needsGrad, record } from "../autograd.ts";
import { Tensor } from "../tensor.ts";
import { childSeed, uniformParameter } from "./_init.ts";
import { Module } from "./module.ts";

/**
 * `y = x Wᵀ + b`, PyTorch's `F.linear`, with the weight in PyTorch's
 * (out, in) layout.
 *
 * Gradients: `dx = dy W`, `dW = dyᵀ x` (summed over every leading axis),
 * `db = Σ dy`.
 *
 * Shape: x (…, in), weight (out, in), bias (out) → y (…, out); e.g.
 * (B, T, D) → (B, T, out).
 *
 * @example
 * ```ts
 * import { linear } from "./linear.ts";
 * import { tensor } from "../tensor.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const y = linear(tensor([[1, 2]]), tensor([[1, 0], [1, 1], [0, 2]]), tensor([0, 0, 1]));
 * deepStrictEqual(y.toArray(), [[1, 3, 5]]);
 * ```
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const operation = "linear";
  checkTensor(x, operation, "x");
  checkTensor(weight, operation, "weight");
  if (weight.ndim !== 2 || x.ndim === 0 || x.shape[x.ndim - 1] !== weight.shape[1]) {
    throw new Error(
      `${operation}: expected x (…, in) and weight (out, in) with the same in but found x ${
        formatShape(x.shape)
      } and weight ${formatShape(weight.shape)}`,
    );
  }
  const [outFeatures, inFeatures] = weight.shape as [number, number];
  if (bias != null) {
    checkTensor(bias, operation, "bias");
    if (bias.ndim !== 1 || bias.shape[0] !== outFeatures) {
      throw new Error(
        `${operation}: expected bias to have shape [${outFeatures}] (the out features of weight ${
          formatShape(weight.shape)
        }) but found ${formatShape(bias.shape)}`,
      );
    }
  }
  const outShape = [...x.shape.slice(0, -1), outFeatures];
  // rows: (N, in) with N the product of the leading axes; y = rows · Wᵀ + b: (N, out).
  const rows = x.detach().reshape(-1, inFeatures);
  let product = rows.matmul(weight.detach().transpose());
  if (bias != null) product = product.add(bias.detach());
  const y = product.reshape(outShape);
  if (needsGrad(x, weight, bias)) {
    record(y, operation, [x, weight, bias ?? null], (dy) => {
      const upstream = dy.reshape(-1, outFeatures); // (N, out)
      return [
        x.requiresGrad ? upstream.matmul(weight.detach()).reshape(x.shape) : null,
        weight.requiresGrad ? upstream.transpose().matmul(rows) : null,
        bias?.requiresGrad ? upstream.sum(0) : null,
      ];
    });
  }
  return y;
}

/** Options for {@linkcode Linear}. */
export interface LinearOptions {
  /**
   * Whether the layer adds a learnable bias.
   * @default {true}
   */
  bias?: boolean;
  /**
   * The seed of the initial weights.
   * @default {0}
   */
  seed?: number;
}

/**
 * The layer `y = x Wᵀ + b`, like `torch.nn.Linear`: `weight` (out, in) and
 * `bias` (out) start from U(−1/√in, 1/√in) (PyTorch's Kaiming-uniform with
 * a = √5), seeded.
 *
 * Shape: x (…, in) → y (…, out).
 *
 * @example
 * ```ts
 * import { Linear } from "./linear.ts";
 * import { randn } from "../creation.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const layer = new Linear(3, 5, { seed: 1 });
 * deepStrictEqual(layer.forward(randn([2, 4, 3], { seed: 2 })).shape, [2, 4, 5]);
 * deepStrictEqual(Object.keys(layer.stateDict()), ["weight", "bias"]);
 * ```
 */
export class Linear extends Module {
  /** The number of input features. */
  readonly inFeatures: number;
  /** The number of output features. */
  readonly outFeatures: number;
  /** W, (out, in). */
  weight: Tensor;
  /** b, (out), or null. */
  bias: Tensor | null;

  /** A Linear layer from `inFeatures` to `outFeatures`. */
  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    for (
      const [name, value] of [["inFeatures", inFeatures], ["outFeatures", outFeatures]] as const
    ) {
      if (!Number.isInteger(value) || value < 1) {
        throw new Error(`Linear: expected ${name} to be a positive integer but found ${value}`);
      }
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const seed = options.seed ?? 0;
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = uniformParameter([outFeatures, inFeatures], bound, childSeed(seed, "weight"));
    this.bias = (options.bias ?? true)
      ? uniformParameter([outFeatures], bound, childSeed(seed, "bias"))
      : null;
    this.registerParameter("weight");
    this.registerParameter("bias");
  }

  /** `x Wᵀ + b` for x (…, in). */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}
