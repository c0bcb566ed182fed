/**
 * Multi-head attention with PyTorch's parameters and numbers
 * (`torch.nn.MultiheadAttention(batch_first=True)`).
 *
 * @module
 */
import { checkTensor } from "../_mask.ts";
import { scaledDotProductAttention } from "../attention.ts";
import { formatShape, shapesEqual } from "../_shape.ts";
import { narrow } from "../ops.ts";
import { Tensor } from "../tensor.ts";
import { childSeed, constantParameter, uniformParameter } from "./_init.ts";
import { dropout } from "./dropout.ts";
import { Linear, linear } from "./linear.ts";
import { Module } from "./module.ts";
import { selfAttentionHeads } from "./_self_attention.ts";
import { packedSelfAttentionHeads, type PackedSequences } from "./_packed_attention.ts";

/** Set by {@linkcode MultiheadAttention}'s static block: a layer's next dropout seed. */
let nextDropoutSeed: (attention: MultiheadAttention) => number;

/**
 * Internal (the classifier's packed forward pass, not exported by mod.ts):
 * `attention` as self-attention over packed rows x (1, N, E), each sequence
 * attending to its own tokens, drawing the layer's next dropout seed as
 * {@linkcode MultiheadAttention.forward} would.
 */
export function packedSelfAttention(
  attention: MultiheadAttention,
  x: Tensor,
  sequences: PackedSequences,
): Tensor {
  const qkv = linear(x, attention.inProjectionWeight, attention.inProjectionBias);
  const dropout = attention.training && attention.dropout > 0
    ? { p: attention.dropout, seed: nextDropoutSeed(attention) }
    : null;
  return attention.outProjection.forward(
    packedSelfAttentionHeads(qkv, attention.numHeads, sequences, dropout),
  );
}

/** Options for {@linkcode MultiheadAttention}. */
export interface MultiheadAttentionOptions {
  /**
   * Whether the projections have biases (`in_proj_bias`, `out_proj.bias`).
   * @default {true}
   */
  bias?: boolean;
  /**
   * Dropout on the attention weights in training mode.
   * @default {0}
   */
  dropout?: number;
  /**
   * The seed of the initial weights and of the dropout masks.
   * @default {0}
   */
  seed?: number;
}

/** Options for {@linkcode MultiheadAttention.forward}. */
export interface MultiheadAttentionForwardOptions {
  /**
   * Key mask (B, T_k): 1 = real token, 0 = padding (padded keys get no weight).
   * The opposite of PyTorch's `key_padding_mask`, which is `mask == 0`.
   */
  mask?: Tensor;
  /**
   * Hide the future: query i attends to keys 0…i only.
   * @default {false}
   */
  causal?: boolean;
}

/** What {@linkcode MultiheadAttention.forward} returns. */
export interface MultiheadAttentionResult {
  /** The attended values after the output projection: (B, T_q, E). */
  output: Tensor;
  /** The attention weights averaged over the heads: (B, T_q, T_k). */
  weights: Tensor;
}

/**
 * Multi-head attention (Vaswani et al. 2017, arXiv:1706.03762):
 * `headᵢ = softmax(Q Wᵢ^Q (K Wᵢ^K)ᵀ / √(E/H) + M) V Wᵢ^V`,
 * `output = concat(head₁…head_H) W^O + b^O`, where M is −∞ for padded (and,
 * with `causal`, future) keys. The parameters are PyTorch's: `in_proj_weight`
 * (3E, E) = [W^Q; W^K; W^V] (Xavier-uniform), `in_proj_bias` (3E, zeros),
 * `out_proj.weight` (E, E; Kaiming-uniform like Linear), `out_proj.bias`
 * (zeros). A query with no visible key gives zeros (PyTorch: NaN).
 *
 * Shape: query (B, T_q, E), key and value (B, T_k, E), mask (B, T_k) →
 * output (B, T_q, E), weights (B, T_q, T_k).
 *
 * @example
 * ```ts
 * import { MultiheadAttention } from "./multihead_attention.ts";
 * import { randn } from "../creation.ts";
 * import { tensor } from "../tensor.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const attention = new MultiheadAttention(4, 2, { seed: 1 });
 * const x = randn([2, 3, 4], { seed: 2 });
 * const { output, weights } = attention.forward(x, x, x, { mask: tensor([[1, 1, 0], [1, 1, 1]]) });
 * deepStrictEqual(output.shape, [2, 3, 4]);
 * deepStrictEqual((weights.toArray() as number[][][])[0]!.map((row) => row[2]), [0, 0, 0]);
 * deepStrictEqual(Object.keys(attention.stateDict()), [
 *   "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias",
 * ]);
 * ```
 */
export class MultiheadAttention extends Module {
  /** E, the model width. */
  readonly embedDim: number;
  /** H, the number of heads. */
  readonly numHeads: number;
  /** The dropout probability on the attention weights (training mode only). */
  readonly dropout: number;
  /** [W^Q; W^K; W^V], (3E, E). */
  inProjectionWeight: Tensor;
  /** [b^Q; b^K; b^V], (3E), or null. */
  inProjectionBias: Tensor | null;
  /** The output projection (`out_proj`). */
  outProjection: Linear;
  readonly #seed: number;
  #dropoutCalls = 0;

  /** Attention over `embedDim` features split into `numHeads` heads. */
  constructor(embedDim: number, numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    if (!Number.isInteger(embedDim) || embedDim < 1) {
      throw new Error(
        `MultiheadAttention: expected embedDim to be a positive integer but found ${embedDim}`,
      );
    }
    if (!Number.isInteger(numHeads) || numHeads < 1 || embedDim % numHeads !== 0) {
      throw new Error(
        `MultiheadAttention: expected numHeads to be a positive divisor of embedDim ${embedDim} but found ${numHeads}`,
      );
    }
    const rate = options.dropout ?? 0;
    if (!(rate >= 0 && rate <= 1)) {
      throw new Error(`MultiheadAttention: expected dropout in [0, 1] but found ${rate}`);
    }
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.dropout = rate;
    const seed = options.seed ?? 0;
    this.#seed = seed;
    const bias = options.bias ?? true;
    // Xavier-uniform on (3E, E): bound √(6 / (fan_in + fan_out)) = √(6 / 4E).
    this.inProjectionWeight = uniformParameter(
      [3 * embedDim, embedDim],
      Math.sqrt(6 / (4 * embedDim)),
      childSeed(seed, "in_proj_weight"),
    );
    this.inProjectionBias = bias ? constantParameter([3 * embedDim], 0) : null;
    this.outProjection = new Linear(embedDim, embedDim, {
      bias,
      seed: childSeed(seed, "out_proj"),
    });
    this.outProjection.bias?.data.fill(0);
    this.registerParameter("in_proj_weight", "inProjectionWeight");
    this.registerParameter("in_proj_bias", "inProjectionBias");
    this.registerModule("out_proj", "outProjection");
  }

  static {
    nextDropoutSeed = (attention) => attention.#nextDropoutSeed();
  }

  /** The seed of this layer's next dropout mask (one per call in training mode). */
  #nextDropoutSeed(): number {
    return childSeed(this.#seed, `dropout:${this.#dropoutCalls++}`);
  }

  /** Attends from `query` to `key`/`value`; see the class for the formula. */
  forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    options: MultiheadAttentionForwardOptions = {},
  ): MultiheadAttentionResult {
    const operation = "MultiheadAttention.forward";
    checkTensor(query, operation, "query");
    checkTensor(key, operation, "key");
    checkTensor(value, operation, "value");
    const E = this.embedDim;
    const H = this.numHeads;
    const valid = query.ndim === 3 && key.ndim === 3 && shapesEqual(key.shape, value.shape) &&
      query.shape[0] === key.shape[0] && query.shape[2] === E && key.shape[2] === E;
    if (!valid) {
      throw new Error(
        `${operation}: expected query (B, T_q, ${E}) and key, value (B, T_k, ${E}) but found query ${
          formatShape(query.shape)
        }, key ${formatShape(key.shape)}, value ${formatShape(value.shape)}`,
      );
    }
    const [B, Tq] = query.shape as [number, number];
    const Tk = key.shape[1]!;
    const headDim = E / H;
    const w = this.inProjectionWeight;
    const b = this.inProjectionBias;
    const causal = options.causal ?? false;
    if (query === key && key === value && !(this.training && this.dropout > 0)) {
      // Self-attention: one product for Q, K and V, and the heads as one operation.
      checkMask(options.mask, B, Tk, operation);
      const qkv = linear(query, w, b); // (B, T, 3E)
      const heads = selfAttentionHeads(qkv, H, options.mask, causal);
      return withLazyWeights(this.outProjection.forward(heads.output), heads.weights);
    }
    // Project, then split heads: (B, T, E) → (B, T, H, E/H) → (B, H, T, E/H).
    const project = (x: Tensor, part: number, length: number): Tensor => {
      const weight = narrow(w, 0, part * E, E);
      const bias = b === null ? null : narrow(b, 0, part * E, E);
      return linear(x, weight, bias).reshape(B, length, H, headDim).permute(0, 2, 1, 3);
    };
    const q = project(query, 0, Tq);
    const k = project(key, 1, Tk);
    const v = project(value, 2, Tk);
    let attended: Tensor; // (B, H, T_q, E/H)
    let weights: Tensor; // (B, H, T_q, T_k)
    if (this.training && this.dropout > 0) {
      // Dropout on the weights needs them as a tensor of the graph: the composed form.
      // scores: (B, H, T_q, T_k)
      let scores = q.matmul(k.transpose(-1, -2)).mul(1 / Math.sqrt(headDim));
      // −∞ added at hidden keys (a constant: its gradient is not needed, so `add` passes dy on).
      const hidden = hiddenKeyBias(options.mask, causal, B, Tq, Tk, operation);
      if (hidden !== null) scores = scores.add(hidden);
      weights = scores.softmax(-1); // a row with every key hidden is all zeros
      const dropped = dropout(weights, {
        p: this.dropout,
        seed: this.#nextDropoutSeed(),
      });
      attended = dropped.matmul(v);
    } else {
      // The fused kernel with its analytic gradient (the mask (B, T_k) broadcasts over heads).
      checkMask(options.mask, B, Tk, operation);
      const result = scaledDotProductAttention(q, k, v, { mask: options.mask, causal });
      attended = result.output;
      weights = result.weights;
    }
    // (B, H, T_q, E/H) → (B, T_q, H, E/H) → (B, T_q, E)
    const heads = attended.permute(0, 2, 1, 3).reshape(B, Tq, E);
    return withLazyWeights(this.outProjection.forward(heads), weights);
  }
}

/**
 * The result with `weights` the head average of `headWeights` (B, H, T_q, T_k),
 * made when first read: an encoder layer never reads it, and at
 * (32, 4, 128, 128) it costs as much as a small matmul.
 */
function withLazyWeights(output: Tensor, headWeights: Tensor): MultiheadAttentionResult {
  let averaged: Tensor | undefined;
  return {
    output,
    get weights(): Tensor {
      averaged ??= headWeights.detach().mean(1);
      return averaged;
    },
  };
}

/**
 * The additive bias of the scores: −∞ where a query may not attend (a padded
 * key, or with `causal` a future one), 0 elsewhere, shaped (B, 1, T_q, T_k)
 * to broadcast over the heads; null when nothing is hidden.
 */
function hiddenKeyBias(
  mask: Tensor | undefined,
  causal: boolean,
  B: number,
  Tq: number,
  Tk: number,
  operation: string,
): Tensor | null {
  if (mask === undefined && !causal) return null;
  checkMask(mask, B, Tk, operation);
  const bias = new Float32Array(B * Tq * Tk);
  const keep = mask?.data;
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < Tq; i++) {
      const row = (b * Tq + i) * Tk;
      for (let j = 0; j < Tk; j++) {
        const padded = keep !== undefined && keep[b * Tk + j] === 0;
        if (padded || (causal && j > i)) bias[row + j] = -Infinity;
      }
    }
  }
  return new Tensor(bias, [B, 1, Tq, Tk]);
}

/** Throws unless `mask` is undefined or a (B, T_k) tensor. */
function checkMask(mask: Tensor | undefined, B: number, Tk: number, operation: string): void {
  if (mask === undefined) return;
  checkTensor(mask, operation, "mask");
  if (!shapesEqual(mask.shape, [B, Tk])) {
    throw new Error(
      `${operation}: expected mask to have shape [${B}, ${Tk}] (B, T_k) but found ${
        formatShape(mask.shape)
      }`,
    );
  }
}
