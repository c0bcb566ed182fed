/**
 * Internal: the heads of multi-head self-attention as one recorded operation,
 * from the packed in-projection `qkv = x W_inᵀ + b_in` (one matrix product
 * instead of three) to the merged heads before the output projection.
 *
 * The composed form — narrow the weight three times, three products, three
 * permutes to (B, H, T, E/H), attention, a permute back — makes eight copies
 * of the activations forward and as many backward, each a fresh allocation;
 * this op makes none: the batched kernel reads each head's Q, K and V in place
 * from qkv (strided rows) and writes each head's output, and backward each
 * head's gradients, straight into their columns.
 *
 * @module
 */
import { allocate } from "../_dtype.ts";
import { gemm, gemmAll, type GemmProblem, stridedOffsets } from "../_gemm.ts";
import { workBuffer } from "../_scratch.ts";
import { formatShape } from "../_shape.ts";
import { type ScoreRows, softmaxGradientRows, softmaxScoreRows } from "../_score_softmax.ts";
import { needsGrad, record } from "../autograd.ts";
import { assertBinaryMask, Tensor, TRUSTED } from "../tensor.ts";

/** What {@linkcode selfAttentionHeads} returns. */
export interface SelfAttentionHeads {
  /** The heads' outputs side by side, (B, T, E): ready for the output projection. */
  output: Tensor;
  /** The attention weights of every head, (B, H, T, T); no gradient flows through them. */
  weights: Tensor;
}

/**
 * `head_h = softmax(Q_h K_hᵀ / √(E/H) + M) V_h` for every head h, merged:
 * `output[b, t, h·E/H + c] = head_h[b, t, c]`, where `qkv = [Q | K | V]` along
 * the last axis (PyTorch's `in_proj` layout: each of Q, K, V is E wide, head h
 * its columns h·E/H … (h + 1)·E/H) and M is −∞ at padded keys (`mask` 0) and,
 * with `causal`, future ones. The numbers of {@linkcode scaledDotProductAttention}
 * per head (same kernels): a query with no visible key gives zeros.
 *
 * Gradient (per head, with P the weights and s = 1/√(E/H)): `dV = Pᵀ dO`,
 * `dP = dO Vᵀ`, `dS = s · P ⊙ (dP − rowsum(dP ⊙ P))`, `dQ = dS K`,
 * `dK = dSᵀ Q`, packed back into the layout of qkv.
 *
 * Shape: qkv (B, T, 3E), mask (B, T) → output (B, T, E), weights (B, H, T, T).
 */
export function selfAttentionHeads(
  qkv: Tensor,
  numHeads: number,
  mask: Tensor | undefined,
  causal: boolean,
): SelfAttentionHeads {
  const operation = "selfAttentionHeads";
  const [B, T, width] = qkv.shape as [number, number, number];
  const E = width / 3;
  const H = numHeads;
  const depth = E / H;
  if (qkv.ndim !== 3 || !Number.isInteger(depth) || depth < 1) {
    throw new Error(
      `${operation}: expected qkv (B, T, 3E) with E a multiple of ${H} heads but found ${
        formatShape(qkv.shape)
      }`,
    );
  }
  if (mask !== undefined) {
    if (mask.ndim !== 2 || mask.shape[0] !== B || mask.shape[1] !== T) {
      throw new Error(
        `${operation}: expected mask to have shape [${B}, ${T}] (B, T) but found ${
          formatShape(mask.shape)
        }`,
      );
    }
    assertBinaryMask(mask, operation);
  }
  const dtype = qkv.dtype;
  const groups = B * H; // one attention per (batch, head)
  // Every product reads its head in place: Q of (b, h) is the (T, E/H) slice of qkv at row
  // b·T, column h·E/H, with rows 3E apart; K and V follow E and 2E columns later. The merged
  // output (B, T, E) takes head h at column h·E/H, rows E apart.
  const qOffsets = new Int32Array(groups);
  const outputOffsets = new Int32Array(groups);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      qOffsets[b * H + h] = b * T * 3 * E + h * depth;
      outputOffsets[b * H + h] = b * T * E + h * depth;
    }
  }
  const kOffsets = qOffsets.map((offset) => offset + E);
  const vOffsets = qOffsets.map((offset) => offset + 2 * E);
  const squareOffsets = stridedOffsets(groups, T * T);
  const scale = 1 / Math.sqrt(depth);
  const source = qkv.data;
  // scores (B·H, T, T) = Q · Kᵀ, then the masked softmax in place.
  const weights = allocate(dtype, groups * T * T);
  gemm({
    a: source,
    transA: false,
    aOffsets: qOffsets,
    aStride: 3 * E,
    b: source,
    transB: true,
    bOffsets: kOffsets,
    bStride: 3 * E,
    out: weights,
    n: T,
    k: depth,
    m: T,
  });
  const rows: ScoreRows = {
    weights,
    queries: T,
    keys: T,
    scale,
    mask: mask?.data,
    batchesPerMaskRow: H,
    causal,
  };
  softmaxScoreRows(rows, groups);
  // output (B, T, E), head by head: P · V.
  const out = allocate(dtype, B * T * E);
  gemm({
    a: weights,
    transA: false,
    aOffsets: squareOffsets,
    b: source,
    transB: false,
    bOffsets: vOffsets,
    bStride: 3 * E,
    out,
    outOffsets: outputOffsets,
    outStride: E,
    n: T,
    k: T,
    m: depth,
  });
  const output = new Tensor(out, [B, T, E], TRUSTED);
  const weightsTensor = new Tensor(weights, [B, H, T, T], TRUSTED);
  if (needsGrad(qkv)) {
    record(output, operation, [qkv, mask ?? null], (dy) => {
      const upstream = dy.data; // dO of head (b, h): columns h·E/H of dy's rows b·T…
      // dP = dO · Vᵀ, then dS = s · P ⊙ (dP − rowsum(dP ⊙ P)) in place.
      const dS = workBuffer("selfAttentionHeads dS", dtype, groups * T * T);
      gemm({
        a: upstream,
        transA: false,
        aOffsets: outputOffsets,
        aStride: E,
        b: source,
        transB: true,
        bOffsets: vOffsets,
        bStride: 3 * E,
        out: dS,
        n: T,
        k: depth,
        m: T,
      });
      softmaxGradientRows(dS, weights, dS, 0, dS.length, T, T, scale);
      // dV = Pᵀ · dO, dQ = dS · K, dK = dSᵀ · Q, each written into its columns of the
      // gradient (B, T, 3E) (transposes read in place).
      const gradient = allocate(dtype, qkv.size);
      const intoGradient = (
        a: Float32Array | Float64Array,
        transA: boolean,
        b: Float32Array | Float64Array,
        bOffsets: ArrayLike<number>,
        bStride: number,
        outOffsets: ArrayLike<number>,
      ): GemmProblem => ({
        a,
        transA,
        aOffsets: squareOffsets,
        b,
        transB: false,
        bOffsets,
        bStride,
        out: gradient,
        outOffsets,
        outStride: 3 * E,
        n: T,
        k: T,
        m: depth,
      });
      // One call: qkv, dS and the gradient go into the kernel's memory once for all three.
      gemmAll([
        intoGradient(weights, true, upstream, outputOffsets, E, vOffsets),
        intoGradient(dS, false, source, kOffsets, 3 * E, qOffsets),
        intoGradient(dS, true, source, qOffsets, 3 * E, kOffsets),
      ]);
      return [new Tensor(gradient, qkv.shape, TRUSTED), null];
    });
  }
  return { output, weights: weightsTensor };
}
