/**
 * Embedding lookup as a function and as the `Embedding` layer.
 *
 * @module
 */
import { allocate } from "../_dtype.ts";
import { copyRow } from "../_row_kernels.ts";
import { checkTensor } from "../_mask.ts";
import { flattenInto, type NestedArray, nestedShape } from "../_nested.ts";
import { formatShape } from "../_shape.ts";
import { needsGrad, record } from "../autograd.ts";
import { Tensor } from "../tensor.ts";
import { childSeed, normalParameter } from "./_init.ts";
import { Module } from "./module.ts";

/** Options for {@linkcode embedding}. */
export interface EmbeddingFunctionOptions {
  /** A row index whose row receives no gradient (the padding id). */
  paddingIdx?: number;
}

/**
 * Looks up rows of `weight`: `y[b, t] = weight[ids[b, t]]`, PyTorch's
 * `F.embedding`. Ids are integers in [0, V); they take no gradient.
 *
 * Gradient: `dW[v] = Σ_{(b, t): ids[b, t] = v} dy[b, t]` — a repeated id
 * accumulates into one row; the `paddingIdx` row gets none.
 *
 * Shape: ids (B, T) (any shape), weight (V, D) → y (B, T, D).
 *
 * @example
 * ```ts
 * import { embedding } from "./embedding.ts";
 * import { tensor } from "../tensor.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const weight = tensor([[0, 0], [1, 2], [3, 4]], { requiresGrad: true });
 * const y = embedding([[1, 2, 1]], weight);
 * deepStrictEqual(y.toArray(), [[[1, 2], [3, 4], [1, 2]]]);
 * y.sum().backward();
 * deepStrictEqual(weight.grad?.toArray(), [[0, 0], [2, 2], [1, 1]]);
 * ```
 */
export function embedding(
  ids: Tensor | NestedArray,
  weight: Tensor,
  options: EmbeddingFunctionOptions = {},
): Tensor {
  const operation = "embedding";
  checkTensor(weight, operation, "weight");
  if (weight.ndim !== 2) {
    throw new Error(
      `${operation}: expected weight of shape (V, D) but found ${formatShape(weight.shape)}`,
    );
  }
  const [rows, dim] = weight.shape as [number, number];
  let idShape: readonly number[];
  let idValues: ArrayLike<number>;
  if (ids instanceof Tensor) {
    idShape = ids.shape;
    idValues = ids.data;
  } else {
    idShape = nestedShape(ids, operation);
    const flat = new Float64Array(idShape.reduce((p, e) => p * e, 1));
    flattenInto(ids, flat);
    idValues = flat;
  }
  const count = idValues.length;
  const indices = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const id = idValues[i]!;
    if (!Number.isInteger(id) || id < 0 || id >= rows) {
      throw new Error(
        `${operation}: expected ids in [0, ${rows}) (the rows of weight ${
          formatShape(weight.shape)
        }) but found ${id} at flat index ${i} of ids ${formatShape(idShape)}`,
      );
    }
    indices[i] = id;
  }
  const table = weight.data;
  const out = allocate(weight.dtype, count * dim);
  for (let i = 0; i < count; i++) {
    copyRow(table, indices[i]! * dim, out, i * dim, dim);
  }
  const y = new Tensor(out, [...idShape, dim]);
  if (needsGrad(weight)) {
    const skip = options.paddingIdx ?? -1;
    record(y, operation, [weight], (dy) => {
      const gradient = allocate(weight.dtype, weight.size);
      const upstream = dy.data;
      for (let i = 0; i < count; i++) {
        const row = indices[i]!;
        if (row === skip) continue;
        const target = row * dim;
        const source = i * dim;
        for (let d = 0; d < dim; d++) gradient[target + d]! += upstream[source + d]!;
      }
      return [new Tensor(gradient, weight.shape)];
    });
  }
  return y;
}

/** Options for {@linkcode Embedding}. */
export interface EmbeddingOptions {
  /** The id of the padding token: its row starts at zero and never receives a gradient. */
  paddingIdx?: number;
  /**
   * The seed of the initial weights, drawn from N(0, 1) as in PyTorch.
   * @default {0}
   */
  seed?: number;
}

/**
 * A learnable lookup table, like `torch.nn.Embedding`: `weight` (V, D) from
 * N(0, 1), with the `paddingIdx` row zero and frozen.
 *
 * Shape: ids (B, T) → y (B, T, D).
 *
 * @example
 * ```ts
 * import { Embedding } from "./embedding.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const table = new Embedding(10, 4, { paddingIdx: 0, seed: 1 });
 * const y = table.forward([[3, 0]]);
 * deepStrictEqual(y.shape, [1, 2, 4]);
 * deepStrictEqual(Array.from(y.data.subarray(4)), [0, 0, 0, 0]);
 * ```
 */
export class Embedding extends Module {
  /** V, the number of rows. */
  readonly numEmbeddings: number;
  /** D, the width of each row. */
  readonly embeddingDim: number;
  /** The padding id, or undefined. */
  readonly paddingIdx: number | undefined;
  /** The table, (V, D). */
  weight: Tensor;

  /** An embedding of `numEmbeddings` rows of width `embeddingDim`. */
  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    for (
      const [name, value] of [["numEmbeddings", numEmbeddings], [
        "embeddingDim",
        embeddingDim,
      ]] as const
    ) {
      if (!Number.isInteger(value) || value < 1) {
        throw new Error(`Embedding: expected ${name} to be a positive integer but found ${value}`);
      }
    }
    const paddingIdx = options.paddingIdx;
    if (
      paddingIdx !== undefined &&
      (!Number.isInteger(paddingIdx) || paddingIdx < 0 || paddingIdx >= numEmbeddings)
    ) {
      throw new Error(
        `Embedding: expected paddingIdx in [0, ${numEmbeddings}) but found ${paddingIdx}`,
      );
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = paddingIdx;
    this.weight = normalParameter(
      [numEmbeddings, embeddingDim],
      childSeed(options.seed ?? 0, "weight"),
    );
    if (paddingIdx !== undefined) {
      this.weight.data.fill(0, paddingIdx * embeddingDim, (paddingIdx + 1) * embeddingDim);
    }
    this.registerParameter("weight");
  }

  /** The rows of `weight` for `ids` (any shape of integer ids) → (…, D). */
  forward(ids: Tensor | NestedArray): Tensor {
    return embedding(ids, this.weight, { paddingIdx: this.paddingIdx });
  }
}
