/**
 * Internal: the heads of multi-head self-attention as one recorded operation,
 * from the packed in-projection `qkv = x W_inᵀ + b_in` (one matrix product
 * instead of three) to the merged heads before the output projection.
 *
 * The composed form — narrow the weight three times, three products, three
 * permutes to (B, H, T, E/H), attention, a permute back — makes eight copies
 * of the activations forward and as many backward, each a fresh allocation;
 * this op makes one permute in, one out (and the same two backward), and runs
 * the products on the batched kernel with per-head offsets.
 *
 * @module
 */
import { allocate } from "../_dtype.ts";
import { gemm, stridedOffsets } from "../_gemm.ts";
import { permuteKernel } from "../_permute.ts";
import { workBuffer } from "../_scratch.ts";
import { formatShape } from "../_shape.ts";
import { type ScoreRows, softmaxScoreRows } from "../_score_softmax.ts";
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
  const part = groups * T * depth; // the elements of each of Q, K, V
  // heads (3, B, H, T, E/H) from qkv viewed as (B, T, 3, H, E/H): one pass.
  const heads = allocate(dtype, qkv.size);
  permuteKernel(qkv.data, [B, T, 3, H, depth], [2, 0, 3, 1, 4], heads);
  const headOffsets = stridedOffsets(groups, T * depth);
  const offsetsOf = (slot: number) => headOffsets.map((offset) => offset + slot * part);
  const [qOffsets, kOffsets, vOffsets] = [offsetsOf(0), offsetsOf(1), offsetsOf(2)];
  const squareOffsets = stridedOffsets(groups, T * T);
  const scale = 1 / Math.sqrt(depth);
  // scores (B·H, T, T) = Q · Kᵀ, then the masked softmax in place.
  const weights = allocate(dtype, groups * T * T);
  gemm({
    a: heads,
    transA: false,
    aOffsets: qOffsets,
    b: heads,
    transB: true,
    bOffsets: kOffsets,
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
  // attended (B·H, T, E/H) = P · V, then merged to (B, T, H, E/H) = (B, T, E).
  const attended = workBuffer("selfAttentionHeads attended", dtype, part);
  gemm({
    a: weights,
    transA: false,
    aOffsets: squareOffsets,
    b: heads,
    transB: false,
    bOffsets: vOffsets,
    out: attended,
    n: T,
    k: T,
    m: depth,
  });
  const out = allocate(dtype, part);
  permuteKernel(attended, [B, H, T, depth], [0, 2, 1, 3], out);
  const output = new Tensor(out, [B, T, E], TRUSTED);
  const weightsTensor = new Tensor(weights, [B, H, T, T], TRUSTED);
  if (needsGrad(qkv)) {
    record(output, operation, [qkv, mask ?? null], (dy) => {
      // dO (B·H, T, E/H) from dy (B, T, H, E/H).
      const dO = workBuffer("selfAttentionHeads dO", dtype, part);
      permuteKernel(dy.data, [B, T, H, depth], [0, 2, 1, 3], dO);
      const dHeads = workBuffer("selfAttentionHeads dHeads", dtype, qkv.size);
      // dP = dO · Vᵀ, then dS = s · P ⊙ (dP − rowsum(dP ⊙ P)) in place.
      const dS = workBuffer("selfAttentionHeads dS", dtype, groups * T * T);
      gemm({
        a: dO,
        transA: false,
        aOffsets: headOffsets,
        b: heads,
        transB: true,
        bOffsets: vOffsets,
        out: dS,
        n: T,
        k: depth,
        m: T,
      });
      for (let start = 0; start < dS.length; start += T) {
        const end = start + T;
        let total = 0;
        for (let i = start; i < end; i++) total += dS[i]! * weights[i]!;
        for (let i = start; i < end; i++) dS[i] = scale * weights[i]! * (dS[i]! - total);
      }
      // dV = Pᵀ · dO, dQ = dS · K, dK = dSᵀ · Q (transposes read in place): (T, T) · (T, E/H).
      const square = (
        a: Float32Array | Float64Array,
        transA: boolean,
        b: Float32Array | Float64Array,
        bOffsets: ArrayLike<number>,
        out: Float32Array | Float64Array,
      ) =>
        gemm({
          a,
          transA,
          aOffsets: squareOffsets,
          b,
          transB: false,
          bOffsets,
          out,
          n: T,
          k: T,
          m: depth,
        });
      square(weights, true, dO, headOffsets, dHeads.subarray(2 * part, 3 * part));
      square(dS, false, heads, kOffsets, dHeads.subarray(0, part));
      square(dS, true, heads, qOffsets, dHeads.subarray(part, 2 * part));
      // Back to the layout of qkv: (3, B, H, T, E/H) → (B, T, 3, H, E/H).
      const gradient = allocate(dtype, qkv.size);
      permuteKernel(dHeads, [3, B, H, T, depth], [1, 3, 0, 2, 4], gradient);
      return [new Tensor(gradient, qkv.shape, TRUSTED), null];
    });
  }
  return { output, weights: weightsTensor };
}
