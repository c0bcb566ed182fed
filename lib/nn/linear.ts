/**
 * The affine map `y = x Wᵀ + b` as a function and as the `Linear` layer.
 *
 * @module
 */
import {
  allocate,
  checkAllocation,
  dtypeOf,
  fromFloat64,
  promote,
  type TypedArray,
} from "../_dtype.ts";
import { checkTensor } from "../_mask.ts";
import { columnSumsSimd, reluGradientColumnSumsSimd } from "../_float64_simd.ts";
import { workBuffer } from "../_scratch.ts";
import { gemm, gemmAll, type GemmProblem } from "../_gemm.ts";
import { formatShape } from "../_shape.ts";
import { needsGrad, record } from "../autograd.ts";
import { Tensor, TRUSTED } from "../tensor.ts";
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
  return affine(x, weight, bias ?? null, false);
}

/**
 * Internal (used by the encoder layer's feed-forward block; not re-exported):
 * `relu(x Wᵀ + b)` as one operation — the bias and the ReLU are applied by the
 * matrix kernel as it stores each block, so the hidden activations are
 * written once, not three times.
 *
 * Gradient: with y the output, `dh = dy · [y > 0]` (ReLU's rule: 0 where the
 * pre-activation is ≤ 0 or NaN), then {@linkcode linear}'s with dh.
 *
 * Shape: x (…, in), weight (out, in), bias (out) → y (…, out).
 */
export function linearRelu(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return affine(x, weight, bias ?? null, true);
}

/** `x Wᵀ + b`, then ReLU when `relu`; records "linear" or "linearRelu". */
function affine(x: Tensor, weight: Tensor, bias: Tensor | null, relu: boolean): Tensor {
  const operation = relu ? "linearRelu" : "linear";
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
  if (bias !== null) {
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
  // The kernel reads W (out, in) as Wᵀ in place (no transposed copy) and adds b as it stores.
  const rows = x.size / inFeatures;
  const dtype = promote(promote(x.dtype, weight.dtype), bias?.dtype ?? x.dtype);
  checkAllocation(outShape, dtype, operation);
  const out = allocate(dtype, rows * outFeatures);
  gemm({
    a: x.data,
    transA: false,
    aOffsets: ONE_MATRIX,
    b: weight.data,
    transB: true,
    bOffsets: ONE_MATRIX,
    out,
    n: rows,
    k: inFeatures,
    m: outFeatures,
    bias: bias?.data ?? null,
    relu,
  });
  const y = new Tensor(out, outShape, TRUSTED);
  if (!needsGrad(x, weight, bias)) return y;
  const vjp = (dy: Tensor): (Tensor | null)[] => {
    // (N, out); through the ReLU first: dh = dy · [y > 0], with db = Σ dh on the way when the
    // kernel takes them.
    let upstream = dy.data;
    const biasSums = new Float64Array(outFeatures);
    let summed = false; // whether biasSums holds Σ dh already
    if (relu) {
      upstream = workBuffer("linearRelu dh", dtypeOf(dy.data), dy.data.length);
      summed = bias?.requiresGrad === true && dy.data instanceof Float32Array &&
        out instanceof Float32Array && upstream instanceof Float32Array &&
        reluGradientColumnSumsSimd(dy.data, out, upstream, biasSums, rows, outFeatures);
      if (!summed) reluGradient(dy.data, out, upstream);
    }
    // dx (N, in) = dh (N, out) · W (out, in); dW (out, in) = dhᵀ (out, N) · x (N, in), dh read
    // transposed in place. One call, so that dh is copied into the kernel's memory once.
    const products: GemmProblem[] = [];
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      const data = allocate(promote(dy.dtype, weight.dtype), x.size);
      products.push({
        a: upstream,
        transA: false,
        aOffsets: ONE_MATRIX,
        b: weight.data,
        transB: false,
        bOffsets: ONE_MATRIX,
        out: data,
        n: rows,
        k: outFeatures,
        m: inFeatures,
      });
      dx = new Tensor(data, x.shape, TRUSTED);
    }
    let dWeight: Tensor | null = null;
    if (weight.requiresGrad) {
      const data = allocate(promote(dy.dtype, x.dtype), weight.size);
      products.push({
        a: upstream,
        transA: true,
        aOffsets: ONE_MATRIX,
        b: x.data,
        transB: false,
        bOffsets: ONE_MATRIX,
        out: data,
        n: outFeatures,
        k: rows,
        m: inFeatures,
      });
      dWeight = new Tensor(data, weight.shape, TRUSTED);
    }
    gemmAll(products);
    let dBias: Tensor | null = null;
    if (bias?.requiresGrad) {
      if (!summed && upstream instanceof Float32Array) {
        summed = columnSumsSimd(upstream, rows, outFeatures, biasSums);
      }
      if (!summed) columnSums(upstream, rows, outFeatures, biasSums);
      dBias = new Tensor(fromFloat64(biasSums, dy.dtype), [outFeatures], TRUSTED);
    }
    return [dx, dWeight, dBias];
  };
  // Two literal names, one per operation (tests/gradcheck_test.ts checks each).
  if (relu) return record(y, "linearRelu", [x, weight, bias], vjp);
  return record(y, "linear", [x, weight, bias], vjp);
}

/** One matrix at offset 0: the batch of a single product. */
const ONE_MATRIX = [0];

/**
 * Internal (not re-exported): the reference of the ReLU's gradient
 * (lib/wasm/rows_f64x2.wat's `reluGradientColumnSums` computes the same
 * values): `gradient = dy · [y > 0]` without a branch per element (signs
 * come in no pattern; see relu in activation.ts): an infinite or NaN dy
 * where y ≤ 0 gives 0, not NaN.
 */
export function reluGradient(dy: TypedArray, y: TypedArray, gradient: TypedArray): void {
  for (let i = 0; i < dy.length; i++) {
    const selected = +(y[i]! > 0);
    const result = dy[i]! * selected + 0;
    gradient[i] = result === result || selected === 1 ? result : 0;
  }
}

/**
 * Internal (not re-exported): the reference of the column sums of the
 * (rows, m) matrix `data`, added into the float64 `sums` (returned), four
 * rows per pass over the accumulators (each is loaded and stored once per
 * four values). lib/wasm/rows_f64x2.wat's `columnSums` adds the same values
 * in the same order (`columnSumsSimd`, for float32 data and an even m).
 */
export function columnSums(
  data: TypedArray,
  rows: number,
  m: number,
  sums: Float64Array,
): Float64Array {
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const start = r * m;
    for (let j = 0; j < m; j++) {
      const i = start + j;
      sums[j]! += data[i]! + data[i + m]! + data[i + 2 * m]! + data[i + 3 * m]!;
    }
  }
  for (; r < rows; r++) {
    const start = r * m;
    for (let j = 0; j < m; j++) sums[j]! += data[start + j]!;
  }
  return sums;
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
