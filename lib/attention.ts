/**
 * Scaled dot-product attention with padding masks (Vaswani et al. 2017,
 * arXiv:1706.03762) and a small multi-head self-attention layer.
 *
 * @module
 */
import { allocate, promote } from "./_dtype.ts";
import { checkedMask, checkTensor } from "./_mask.ts";
import { softmaxGradientRows, softmaxScoreRow, softmaxScoreRows } from "./_score_softmax.ts";
import { matmulKernel, usesWasm } from "./_matmul.ts";
import { RandomSource } from "./_random.ts";
import { formatShape, sizeOf } from "./_shape.ts";
import { needsGrad, record } from "./autograd.ts";
import { assertBinaryMask, matmulTransposed, Tensor, TRUSTED } from "./tensor.ts";

/** Options for {@linkcode scaledDotProductAttention}. */
export interface AttentionOptions {
  /**
   * Key mask, 1 = real token, 0 = padding: (B, T_k), or one row per index of
   * the leading axes (B, H, T_k). Padded keys get no weight. This is the
   * Hugging Face `attention_mask` convention — the opposite of PyTorch's
   * `key_padding_mask`, where `true` marks padding.
   */
  mask?: Tensor;
  /**
   * Hide the future: query i sees keys 0…i only.
   * @default {false}
   */
  causal?: boolean;
  /**
   * The factor applied to the scores.
   * @default {1/√d}
   */
  scale?: number;
}

/** What attention returns. */
export interface AttentionResult {
  /** Σⱼ wᵢⱼ vⱼ: (B, T_q, d_v). */
  output: Tensor;
  /** The attention weights wᵢⱼ, each row summing to 1 (or 0 when no key is visible): (B, T_q, T_k). */
  weights: Tensor;
}

/**
 * `Attention(Q, K, V) = softmax(Q·Kᵀ·scale + M) · V`, where M is 0 for a
 * visible key and −∞ for a padded (or, with `causal`, future) key.
 *
 * Why −∞ before the softmax and not zeros after it: exp(−∞) = 0, so a padded
 * key gets exactly zero weight and the remaining weights still sum to 1;
 * zeroing weights after the softmax would leave rows that no longer sum to 1.
 * The softmax subtracts each row's maximum first, so no exp overflows.
 *
 * Padded *queries* are not masked: their rows are ordinary weighted averages
 * of the real tokens, not zeros. Mask them downstream if they must vanish.
 *
 * A row with no visible key (a sequence with no real token) has no softmax;
 * here its weights and output are **zeros**. PyTorch's
 * `scaled_dot_product_attention` gives NaN there, and `nn.MultiheadAttention`
 * NaN as well.
 *
 * Shape: q (B, T_q, d), k (B, T_k, d), v (B, T_k, d_v), mask (B, T_k) →
 * output (B, T_q, d_v), weights (B, T_q, T_k). Any number of leading axes
 * works, e.g. heads: q (B, H, T, d) with mask (B, T_k).
 *
 * Differentiable in q, k and v (the mask takes no gradient), through
 * {@linkcode attentionBackward}; `weights` carries a gradient path too. A
 * query with no visible key gets zero gradients, like its zero output.
 *
 * @example
 * ```ts
 * import { scaledDotProductAttention } from "./attention.ts";
 * import { tensor } from "./tensor.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const x = tensor([[[1, 0], [0, 1], [9, 9]]]); // (1, 3, 2); the last row is padding
 * const { weights } = scaledDotProductAttention(x, x, x, { mask: tensor([[1, 1, 0]]) });
 * // No query gives any weight to the padded key.
 * deepStrictEqual((weights.toArray() as number[][][])[0]!.map((row) => row[2]), [0, 0, 0]);
 * ```
 */
export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  options: AttentionOptions = {},
): AttentionResult {
  const operation = "scaledDotProductAttention";
  checkTensor(q, operation, "q");
  checkTensor(k, operation, "k");
  checkTensor(v, operation, "v");
  const rank = q.ndim;
  // Shape checks without building lists: this runs on every call, and notebook sizes are tiny.
  let sameLeading = rank >= 2 && k.ndim === rank && v.ndim === rank &&
    k.shape[rank - 1] === q.shape[rank - 1] && v.shape[rank - 2] === k.shape[rank - 2];
  let batches = 1;
  for (let axis = 0; sameLeading && axis < rank - 2; axis++) {
    const extent = q.shape[axis]!;
    sameLeading = k.shape[axis] === extent && v.shape[axis] === extent;
    batches *= extent;
  }
  if (!sameLeading) {
    throw new Error(
      `${operation}: expected q (…, T_q, d), k (…, T_k, d) and v (…, T_k, d_v) with the same leading axes but found q ${
        formatShape(q.shape)
      }, k ${formatShape(k.shape)}, v ${formatShape(v.shape)}`,
    );
  }
  const queries = q.shape[rank - 2]!;
  const keys = k.shape[rank - 2]!;
  const depth = q.shape[rank - 1]!;
  const valueDepth = v.shape[rank - 1]!;
  const scale = options.scale ?? 1 / Math.sqrt(depth);
  if (!Number.isFinite(scale)) {
    throw new Error(`${operation}: expected a finite scale but found ${scale} (d = ${depth})`);
  }
  const causal = options.causal ?? false;
  // The mask's leading axes are a prefix of q's: (B, T_k) serves every head of (B, H, T, d).
  let mask: ArrayLike<number> | undefined;
  let batchesPerMaskRow = 1;
  const givenMask = options.mask;
  if (
    givenMask instanceof Tensor && rank === 3 && givenMask.ndim === 2 &&
    givenMask.shape[0] === batches && givenMask.shape[1] === keys
  ) {
    // The common case, (B, T_k) for (B, T, d): no shape lists to build.
    assertBinaryMask(givenMask, operation);
    mask = givenMask.data;
  } else if (options.mask !== undefined) {
    const maskRank = options.mask.ndim;
    const prefix = Math.min(Math.max(maskRank - 1, 0), rank - 2);
    const expected = [...q.shape.slice(0, maskRank - 1 <= rank - 2 ? prefix : 1), keys];
    mask = checkedMask(
      options.mask,
      expected,
      operation,
      () => `(leading axes of q ${formatShape(q.shape)}, T_k = ${keys})`,
    );
    batchesPerMaskRow = sizeOf(q.shape.slice(prefix, rank - 2));
  }
  const dtype = q.dtype === "float64" || k.dtype === "float64" || v.dtype === "float64"
    ? "float64"
    : "float32";
  const weights = allocate(dtype, batches * queries * keys);
  const output = allocate(dtype, batches * queries * valueDepth);
  const rows = { weights, queries, keys, scale, mask, batchesPerMaskRow, causal };
  if (
    dtype === "float32" && usesWasm(q.data, k.data, queries, depth, keys) &&
    usesWasm(weights, v.data, queries, keys, valueDepth)
  ) {
    // Large float32 inputs: both products on the SIMD matmul kernel.
    // scores (…, T_q, T_k) = Q · Kᵀ (K read transposed in place), then the masked softmax in
    // place, then output = W · V.
    matmulKernel(
      q.data,
      [batches],
      k.data,
      [batches],
      weights,
      [batches],
      queries,
      depth,
      keys,
      false,
      true,
    );
    softmaxScoreRows(rows, batches);
    matmulKernel(
      weights,
      [batches],
      v.data,
      [batches],
      output,
      [batches],
      queries,
      keys,
      valueDepth,
    );
  } else {
    // Small inputs: direct loops, no copies.
    const qData = q.data;
    const kData = k.data;
    const vData = v.data;
    for (let batch = 0; batch < batches; batch++) {
      const kBase = batch * keys * depth;
      const vBase = batch * keys * valueDepth;
      for (let i = 0; i < queries; i++) {
        const qBase = (batch * queries + i) * depth;
        const wBase = (batch * queries + i) * keys;
        for (let j = 0; j < keys; j++) {
          let dot = 0;
          const kRow = kBase + j * depth;
          for (let c = 0; c < depth; c++) dot += qData[qBase + c]! * kData[kRow + c]!;
          weights[wBase + j] = dot;
        }
        softmaxScoreRow(rows, batch, i);
        // output_i = Σ_j w_ij v_j
        const oBase = (batch * queries + i) * valueDepth;
        for (let j = 0; j < keys; j++) {
          const w = weights[wBase + j]!;
          if (w === 0) continue;
          const vRow = vBase + j * valueDepth;
          for (let c = 0; c < valueDepth; c++) output[oBase + c]! += w * vData[vRow + c]!;
        }
      }
    }
  }
  const outputShape = rank === 3 ? [batches, queries, valueDepth] : q.shape.slice();
  outputShape[rank - 1] = valueDepth;
  const weightsShape = rank === 3 ? [batches, queries, keys] : q.shape.slice();
  weightsShape[rank - 1] = keys;
  const result = {
    output: new Tensor(output, outputShape, TRUSTED),
    weights: new Tensor(weights, weightsShape, TRUSTED),
  };
  if (needsGrad(q, k, v)) recordAttention(result, q, k, v, scale);
  return result;
}

/** Options for {@linkcode attentionBackward}: the upstream gradients and the forward scale. */
export interface AttentionBackwardOptions {
  /** ∂L/∂output, (…, T_q, d_v); omitted means none flows through the output. */
  dOutput?: Tensor | null;
  /** ∂L/∂weights, (…, T_q, T_k); omitted means none flows through the weights. */
  dWeights?: Tensor | null;
  /**
   * The forward pass's scale.
   * @default {1/√d}
   */
  scale?: number;
}

/** What {@linkcode attentionBackward} returns: ∂L/∂q, ∂L/∂k, ∂L/∂v. */
export interface AttentionGradients {
  /** ∂L/∂q, (…, T_q, d). */
  dq: Tensor;
  /** ∂L/∂k, (…, T_k, d). */
  dk: Tensor;
  /** ∂L/∂v, (…, T_k, d_v). */
  dv: Tensor;
}

/**
 * The gradients of {@linkcode scaledDotProductAttention} given the upstream
 * gradient `dOutput` of its output, from its attention weights P (the
 * `weights` it returned), with S = Q·Kᵀ·scale the scores:
 *
 * The upstream gradients and the scale come in `gradients`.
 *
 * - `dV = Pᵀ · dO`
 * - `dP = dO · Vᵀ`
 * - `dS = P ⊙ (dP − rowsum(dP ⊙ P))` (the softmax's VJP, row by row)
 * - `dQ = scale · dS · K`, `dK = scale · dSᵀ · Q`
 *
 * Hidden keys have P = 0, hence dS = 0: no gradient reaches a padded key
 * through the scores, and a query with no visible key (a row of zeros) gets
 * none at all. Pass `dWeights` for an upstream gradient on the weights
 * themselves (it is added to dP).
 *
 * Shape: q (…, T_q, d), k (…, T_k, d), v (…, T_k, d_v), weights (…, T_q, T_k),
 * dOutput (…, T_q, d_v) → dq, dk, dv with the shapes of q, k, v.
 *
 * @example
 * ```ts
 * import { attentionBackward, scaledDotProductAttention } from "./attention.ts";
 * import { tensor } from "./tensor.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const x = tensor([[[1, 0], [0, 1]]]); // (1, 2, 2)
 * const mask = tensor([[1, 0]]);
 * const { weights } = scaledDotProductAttention(x, x, x, { mask });
 * const { dv } = attentionBackward(x, x, x, weights, { dOutput: tensor([[[1, 1], [1, 1]]]) });
 * // Every query copies the only real key, so all the gradient lands on its value.
 * deepStrictEqual(dv.toArray(), [[[2, 2], [0, 0]]]);
 * ```
 */
export function attentionBackward(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  weights: Tensor,
  gradients: AttentionBackwardOptions,
): AttentionGradients {
  const scale = gradients.scale ?? 1 / Math.sqrt(q.shape[q.ndim - 1]!);
  const dOutput = gradients.dOutput ?? null;
  const dWeights = gradients.dWeights ?? null;
  // The transposed operands are read in place by the kernel, never copied.
  // dP (…, T_q, T_k) = dO · Vᵀ (+ the weights' own upstream gradient)
  let dP = dOutput === null ? null : matmulTransposed(dOutput, false, v, true);
  if (dWeights !== null) dP = dP === null ? dWeights : dP.add(dWeights);
  // dV (…, T_k, d_v) = Pᵀ · dO
  const dv = dOutput === null ? v.detach().mul(0) : matmulTransposed(weights, true, dOutput, false);
  if (dP === null) return { dq: q.detach().mul(0), dk: k.detach().mul(0), dv };
  const dS = softmaxBackwardScaled(dP, weights, scale);
  return {
    dq: matmulTransposed(dS, false, k, false), // (…, T_q, d) = dS · K
    dk: matmulTransposed(dS, true, q, false), // (…, T_k, d) = dSᵀ · Q
    dv,
  };
}

/**
 * `dS = scale · P ⊙ (dP − rowsum(dP ⊙ P))`, the softmax's VJP row by row
 * (rows of the last axis), in one pass per row with the row sum in float64.
 */
function softmaxBackwardScaled(dP: Tensor, p: Tensor, scale: number): Tensor {
  const upstream = dP.data;
  const weights = p.data;
  const n = p.shape[p.ndim - 1]!;
  const out = allocate(promote(dP.dtype, p.dtype), p.size);
  softmaxGradientRows(upstream, weights, out, 0, out.length, n, n, scale);
  return new Tensor(out, p.shape, TRUSTED);
}

/**
 * Records the output and the weights of one attention call on the tape. The
 * VJPs keep their own copy of the weights P, so a caller who writes into the
 * returned `weights` cannot change the gradients.
 */
function recordAttention(
  result: AttentionResult,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  scale: number,
): void {
  const p = new Tensor(result.weights.data.slice(), result.weights.shape, TRUSTED);
  record(result.output, "scaledDotProductAttention", [q, k, v], (dOutput) => {
    const { dq, dk, dv } = attentionBackward(q, k, v, p, { dOutput, scale });
    return [dq, dk, dv];
  });
  // The weights do not depend on v.
  record(result.weights, "scaledDotProductAttention weights", [q, k], (dWeights) => {
    const { dq, dk } = attentionBackward(q, k, v, p, { dWeights, scale });
    return [dq, dk];
  });
}

/** Options for the {@linkcode SelfAttention} layer. */
export interface SelfAttentionOptions {
  /**
   * The number of heads H; it must divide dModel.
   * @default {1}
   */
  numHeads?: number;
  /**
   * Seed of the projection matrices.
   * @default {0}
   */
  seed?: number;
  /**
   * Whether Q, K, V and the output are linear projections of x. With `false`,
   * Q = K = V = x and there is no output projection: the classic explanation
   * of attention as similarity-weighted averaging.
   * @default {true}
   */
  projections?: boolean;
}

/** Options for {@linkcode SelfAttention.forward}. */
export interface SelfAttentionForwardOptions {
  /** 1 = real token, 0 = padding, (B, T): padded keys get no weight. */
  mask?: Tensor;
  /**
   * Hide the future.
   * @default {false}
   */
  causal?: boolean;
}

/** What {@linkcode SelfAttention.forward} returns. */
export interface SelfAttentionResult {
  /** (B, T, D). */
  output: Tensor;
  /** The weights averaged over heads, as PyTorch's `nn.MultiheadAttention` returns them: (B, T, T). */
  weights: Tensor;
  /** The weights of every head: (B, H, T, T). */
  headWeights: Tensor;
}

/**
 * Multi-head self-attention: Q = x·W_Q, K = x·W_K, V = x·W_V, split into H
 * heads of D/H features, {@linkcode scaledDotProductAttention} per head, the
 * heads concatenated and projected by W_O. The matrices (D, D) are drawn
 * Xavier-uniform, U(±√(6 / 2D)), from `seed`, and have no bias.
 *
 * Shape: x (B, T, D), mask (B, T) → output (B, T, D), weights (B, T, T).
 *
 * @example
 * ```ts
 * import { SelfAttention } from "./attention.ts";
 * import { tensor } from "./tensor.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const attention = new SelfAttention(2, { projections: false });
 * const x = tensor([[[1, 0], [0, 1]]]);
 * const { output, weights } = attention.forward(x, { mask: tensor([[1, 0]]) });
 * // With the second token padded, every position copies the first one.
 * deepStrictEqual(output.toArray(), [[[1, 0], [1, 0]]]);
 * deepStrictEqual(weights.shape, [1, 2, 2]);
 * ```
 */
export class SelfAttention {
  /** D, the model width. */
  readonly dModel: number;
  /** H, the number of heads. */
  readonly numHeads: number;
  /** W_Q, W_K, W_V, W_O: (D, D) each, or null with `projections: false`. */
  queryWeight: Tensor | null;
  /** W_K (D, D). */
  keyWeight: Tensor | null;
  /** W_V (D, D). */
  valueWeight: Tensor | null;
  /** W_O (D, D). */
  outputWeight: Tensor | null;

  /** A self-attention layer of width `dModel`. */
  constructor(dModel: number, options: SelfAttentionOptions = {}) {
    const numHeads = options.numHeads ?? 1;
    if (!Number.isInteger(dModel) || dModel < 1) {
      throw new Error(
        `SelfAttention: expected dModel to be a positive integer but found ${dModel}`,
      );
    }
    if (!Number.isInteger(numHeads) || numHeads < 1 || dModel % numHeads !== 0) {
      throw new Error(
        `SelfAttention: expected numHeads to divide dModel ${dModel} but found ${numHeads}`,
      );
    }
    this.dModel = dModel;
    this.numHeads = numHeads;
    if (options.projections ?? true) {
      const source = new RandomSource(options.seed ?? 0, "SelfAttention");
      const bound = Math.sqrt(6 / (2 * dModel));
      const matrix = (): Tensor => {
        const data = new Float32Array(dModel * dModel);
        for (let i = 0; i < data.length; i++) data[i] = (2 * source.uniform() - 1) * bound;
        return new Tensor(data, [dModel, dModel]);
      };
      this.queryWeight = matrix();
      this.keyWeight = matrix();
      this.valueWeight = matrix();
      this.outputWeight = matrix();
    } else {
      this.queryWeight = null;
      this.keyWeight = null;
      this.valueWeight = null;
      this.outputWeight = null;
    }
  }

  /** Attends x (B, T, D) to itself, hiding padded keys when `mask` is given. */
  forward(x: Tensor, options: SelfAttentionForwardOptions = {}): SelfAttentionResult {
    checkTensor(x, "SelfAttention.forward", "x");
    if (x.ndim !== 3 || x.shape[2] !== this.dModel) {
      throw new Error(
        `SelfAttention.forward: expected x to have shape (B, T, ${this.dModel}) but found ${
          formatShape(x.shape)
        }`,
      );
    }
    const [batch, positions] = [x.shape[0]!, x.shape[1]!];
    const heads = this.numHeads;
    const headDepth = this.dModel / heads;
    // (B, T, D) → (B, H, T, D/H)
    const split = (t: Tensor): Tensor =>
      t.reshape(batch, positions, heads, headDepth).permute(0, 2, 1, 3);
    const project = (weight: Tensor | null): Tensor =>
      split(weight === null ? x : x.matmul(weight));
    const { output, weights } = scaledDotProductAttention(
      project(this.queryWeight),
      project(this.keyWeight),
      project(this.valueWeight),
      { mask: options.mask, causal: options.causal },
    );
    // (B, H, T, D/H) → (B, T, D)
    const merged = output.permute(0, 2, 1, 3).reshape(batch, positions, this.dModel);
    return {
      output: this.outputWeight === null ? merged : merged.matmul(this.outputWeight),
      weights: heads === 1 ? weights.reshape(batch, positions, positions) : weights.mean(1),
      headWeights: weights,
    };
  }
}
