/**
 * Internal: multi-head self-attention over a packed batch — the real tokens
 * of B sequences stored one after the other, (N, 3E) with N = Σ_b L_b —
 * each sequence attending to its own L_b tokens only. The numbers of
 * {@linkcode selfAttentionHeads} on the padded batch with the padding mask,
 * at the real rows (a padded key's weight is exactly 0 there, and adds
 * nothing), without computing scores, weights or outputs for padding.
 *
 * @module
 */
import { allocate, dtypeOf, type TypedArray } from "../_dtype.ts";
import { binaryKernel } from "../_elementwise.ts";
import {
  gemmAll,
  gemmMemory,
  type GemmProblem,
  gemmResident,
  gemmScratchBytes,
  kernelTakes,
  residentProblems,
} from "../_gemm.ts";
import {
  keyMaskLength,
  type ScoreBlock,
  softmaxGradientRows,
  softmaxKernelTakes,
  softmaxScoreBlocks,
  softmaxScoreBlocksIn,
} from "../_score_softmax.ts";
import { grownBuffer } from "../_wasm.ts";
import { workBuffer } from "../_scratch.ts";
import { formatShape } from "../_shape.ts";
import { needsGrad, record } from "../autograd.ts";
import { packedScoreMask } from "./_packed_dropout.ts";
import { Tensor, TRUSTED } from "../tensor.ts";

/**
 * Where a packed batch's rows came from: sequence b is packed rows
 * `starts[b]` … `starts[b + 1]`, and packed row r was row `rows[r]` = b·T + t
 * of the padded (B, T) batch.
 */
export interface PackedSequences {
  /** B, the number of sequences. */
  readonly count: number;
  /** T, the padded length. */
  readonly length: number;
  /** B + 1 offsets into the packed rows. */
  readonly starts: Int32Array;
  /** N padded row indices b·T + t, in packed order. */
  readonly rows: Int32Array;
  /** For each padded row b·T + t, its packed row, or −1 for padding. */
  readonly packedRow: Int32Array;
}

/**
 * The packing of a (B, T) mask of 0 and 1 (1 = real token): its real
 * positions in row-major order. Returns null when the mask holds another
 * value, or a row has no real token (the padded path defines that case).
 */
export function packingOf(mask: Tensor): PackedSequences | null {
  if (mask.ndim !== 2) return null;
  const [B, T] = mask.shape as [number, number];
  const values = mask.data;
  const starts = new Int32Array(B + 1);
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === 1) count++;
    else if (value !== 0) return null;
  }
  const rows = new Int32Array(count);
  const packedRow = new Int32Array(B * T).fill(-1);
  let r = 0;
  for (let b = 0; b < B; b++) {
    starts[b] = r;
    for (let t = 0; t < T; t++) {
      if (values[b * T + t] !== 1) continue;
      packedRow[b * T + t] = r;
      rows[r++] = b * T + t;
    }
    if (r === starts[b]) return null;
  }
  starts[B] = r;
  return { count: B, length: T, starts, rows, packedRow };
}

/** The scores of sequence b start a multiple of 4 keys apart: the SIMD softmax's rows. */
function keysOf(length: number): number {
  return Math.ceil(length / 4) * 4;
}

/**
 * `head_h(b) = softmax(Q_h K_hᵀ / √(E/H)) V_h` over the rows of sequence b
 * only, merged as {@linkcode selfAttentionHeads} merges them; gradient as
 * there, per sequence.
 *
 * With `dropout`, the weights are dropped as `dropout(weights, dropout)`
 * drops the padded batch's (B, H, T, T) weights (the same values:
 * _packed_dropout.ts) before they multiply V; the gradient passes the mask
 * back to the softmax.
 *
 * Float32 products large enough for the SIMD kernel keep their arrays in
 * its memory from the first product of a pass to the last; `inMemory` false
 * (for tests) copies them in and out around each step instead, with the same
 * numbers.
 *
 * Shape: qkv (…, N, 3E) packed as `sequences` says (leading axes of extent
 * 1) → (…, N, E).
 */
export function packedSelfAttentionHeads(
  qkv: Tensor,
  numHeads: number,
  sequences: PackedSequences,
  dropout: { p: number; seed: number } | null = null,
  inMemory = true,
): Tensor {
  const operation = "packedSelfAttentionHeads";
  const width = qkv.shape[qkv.ndim - 1] ?? 0;
  const N = sequences.rows.length;
  const E = width / 3;
  const H = numHeads;
  const depth = E / H;
  if (!Number.isInteger(depth) || depth < 1 || qkv.size !== N * width) {
    throw new Error(
      `${operation}: expected qkv (${sequences.rows.length}, 3E) with E a multiple of ${H} heads but found ${
        formatShape(qkv.shape)
      }`,
    );
  }
  const dtype = qkv.dtype;
  const { starts, count: B } = sequences;
  // Sequence b's scores for head h: an (L, keysOf(L)) block at blockOffset[b] + h·L·keysOf(L).
  const blocks: ScoreBlock[] = [];
  let total = 0;
  for (let b = 0; b < B; b++) {
    const L = starts[b + 1]! - starts[b]!;
    const keys = keysOf(L);
    blocks.push({ offset: total, groups: H, queries: L, keys, visible: L });
    total += H * L * keys;
  }
  // Plain arrays: a few elements each, and creating a typed array costs ten times as much.
  const headOffsets = (b: number, base: number, rowWidth: number) => {
    const offsets: number[] = [];
    for (let h = 0; h < H; h++) offsets.push(starts[b]! * rowWidth + base + h * depth);
    return offsets;
  };
  const squareOffsets = (b: number) => {
    const { offset, queries, keys } = blocks[b]!;
    const offsets: number[] = [];
    for (let h = 0; h < H; h++) offsets.push(offset + h * queries * keys);
    return offsets;
  };
  const q = blocks.map((_, b) => headOffsets(b, 0, 3 * E));
  const k = blocks.map((_, b) => headOffsets(b, E, 3 * E));
  const v = blocks.map((_, b) => headOffsets(b, 2 * E, 3 * E));
  const o = blocks.map((_, b) => headOffsets(b, 0, E));
  const squares = blocks.map((_, b) => squareOffsets(b));
  const source = qkv.data;
  const scale = 1 / Math.sqrt(depth);
  // Float32 on the SIMD kernels: the arrays of each pass stay in the matrix products' memory
  // from its first product to its last (the same kernel calls as gemmAll and
  // softmaxScoreBlocks would make, on the same values), each copied in once and out once.
  let multiplyAdds = 0;
  for (const { queries: L } of blocks) multiplyAdds += H * L * L * depth;
  const memory = inMemory && dtype === "float32" && kernelTakes(multiplyAdds) &&
      softmaxKernelTakes(total)
    ? gemmMemory()
    : null;
  // Per sequence and head, into its score block: rows of A (L, E/H) · rows of qkv's K or V
  // columns, transposed (L, E/H)ᵀ. First scores = Q · Kᵀ, then the softmax over the L keys.
  const scoreProducts = (
    a: Float32Array | Float64Array,
    aOffsets: number[][],
    aStride: number,
    bOffsets: number[][],
    out: Float32Array | Float64Array,
  ): GemmProblem[] =>
    blocks.map(({ queries: L, keys }, b) => ({
      a,
      transA: false,
      aOffsets: aOffsets[b]!,
      aStride,
      b: source,
      transB: true,
      bOffsets: bOffsets[b]!,
      bStride: 3 * E,
      out,
      outOffsets: squares[b]!,
      outStride: keys,
      // The padded key columns: the softmax sets them to 0 (weights), nothing reads them (dP).
      outsideIgnored: true,
      n: L,
      k: depth,
      m: L,
    }));
  // output (N, E), head by head: P · V.
  const valueProducts = (weights: Float32Array | Float64Array, out: Float32Array | Float64Array) =>
    blocks.map(({ queries: L, keys }, b): GemmProblem => ({
      a: weights,
      transA: false,
      aOffsets: squares[b]!,
      aStride: keys,
      b: source,
      transB: false,
      bOffsets: v[b]!,
      bStride: 3 * E,
      out,
      outOffsets: o[b]!,
      outStride: E,
      outsideIgnored: true, // the heads' columns cover every row
      n: L,
      k: L,
      m: depth,
    }));
  const widest = Math.max(depth, ...blocks.map((block) => block.queries));
  const weights = allocate(dtype, total);
  const out = allocate(dtype, N * E);
  // With dropout, P · V reads the dropped weights P ⊙ mask (the mask does not depend on P).
  const dropMask = dropout === null
    ? null
    : packedScoreMask(sequences, blocks, total, dropout.p, dropout.seed, dtype);
  let dropped = weights;
  if (memory === null) {
    gemmAll(scoreProducts(source, q, 3 * E, k, weights));
    softmaxScoreBlocks(weights, blocks, scale);
    if (dropMask !== null) dropped = masked(weights, dropMask);
    gemmAll(valueProducts(dropped, out));
  } else {
    const { view, places, starts: [, scores, outputs, masks] } = placeInMemory(
      memory,
      gemmScratchBytes(widest),
      [[source, source.length], [weights, total], [out, N * E], [null, keyMaskLength(blocks)]],
    );
    view.set(source, places.get(source)!);
    gemmResident(residentProblems(scoreProducts(source, q, 3 * E, k, weights), places));
    softmaxScoreBlocksIn(memory, scores!, blocks, scale, masks!);
    weights.set(view.subarray(scores!, scores! + total));
    if (dropMask !== null) {
      dropped = masked(weights, dropMask);
      view.set(dropped, scores!);
      places.set(dropped, scores!);
    }
    gemmResident(residentProblems(valueProducts(dropped, out), places));
    out.set(view.subarray(outputs!, outputs! + N * E));
  }
  const output = new Tensor(out, [...qkv.shape.slice(0, -1), E], TRUSTED);
  if (needsGrad(qkv)) {
    record(output, operation, [qkv], (dy) => {
      const upstream = dy.data;
      const gradient = allocate(dtype, qkv.size);
      // dP = dO · Vᵀ (times the dropout mask), then dS = s · P ⊙ (dP − rowsum(dP ⊙ P)) in
      // place, row by row.
      const softmaxGradient = (dS: Float32Array | Float64Array) => {
        if (dropMask !== null) multiply(dS, dropMask, dS);
        for (const { offset, groups, queries, keys, visible } of blocks) {
          const end = offset + groups * queries * keys;
          softmaxGradientRows(dS, weights, dS, offset, end, keys, visible, scale);
        }
      };
      // dV = Pᵀ · dO, dQ = dS · K, dK = dSᵀ · Q, into their columns of the gradient (N, 3E).
      const gradientProducts = (dS: Float32Array | Float64Array) => {
        const problems: GemmProblem[] = [];
        for (const [b, { queries: L, keys }] of blocks.entries()) {
          const into = (
            a: Float32Array | Float64Array,
            transA: boolean,
            from: Float32Array | Float64Array,
            offsets: number[],
            stride: number,
            target: number[],
          ): GemmProblem => ({
            a,
            transA,
            aOffsets: squares[b]!,
            aStride: keys,
            b: from,
            transB: false,
            bOffsets: offsets,
            bStride: stride,
            out: gradient,
            outOffsets: target,
            outStride: 3 * E,
            outsideIgnored: true, // dQ, dK and dV cover every row's 3E columns
            n: L,
            k: L,
            m: depth,
          });
          problems.push(
            into(dropped, true, upstream, o[b]!, E, v[b]!),
            into(dS, false, source, k[b]!, 3 * E, q[b]!),
            into(dS, true, source, q[b]!, 3 * E, k[b]!),
          );
        }
        return problems;
      };
      if (memory === null || !(upstream instanceof Float32Array)) {
        // Not zeroed: the products write every visible score, and nothing reads the others.
        const dS = workBuffer("packedSelfAttentionHeads dS", dtype, total);
        gemmAll(scoreProducts(upstream, o, E, v, dS));
        softmaxGradient(dS);
        gemmAll(gradientProducts(dS));
      } else {
        const { view, places, starts: [, , , scoreGradients, gradients] } = placeInMemory(
          memory,
          gemmScratchBytes(widest),
          [
            [source, source.length],
            [upstream, N * E],
            [dropped, total],
            [null, total],
            [gradient, gradient.length],
          ],
        );
        view.set(source, places.get(source)!);
        view.set(upstream, places.get(upstream)!);
        view.set(dropped, places.get(dropped)!);
        // dS in memory, between its products: a view of its region is its array.
        const dS = view.subarray(scoreGradients!, scoreGradients! + total);
        places.set(dS, scoreGradients!);
        gemmResident(residentProblems(scoreProducts(upstream, o, E, v, dS), places));
        softmaxGradient(dS);
        gemmResident(residentProblems(gradientProducts(dS), places));
        gradient.set(view.subarray(gradients!, gradients! + gradient.length));
      }
      return [new Tensor(gradient, qkv.shape, TRUSTED)];
    });
  }
  return output;
}

/**
 * Regions of the matrix products' memory after its first `scratchBytes`
 * bytes, one per entry (an array or null, and its length in elements), in
 * order: a Float32Array over the memory grown to hold them, where each
 * region starts, and where each array's region starts.
 */
function placeInMemory(
  memory: WebAssembly.Memory,
  scratchBytes: number,
  entries: readonly (readonly [TypedArray | null, number])[],
): { view: Float32Array; starts: number[]; places: Map<TypedArray, number> } {
  let end = Math.ceil(scratchBytes / 4);
  const starts: number[] = [];
  const places = new Map<TypedArray, number>();
  for (const [array, length] of entries) {
    starts.push(end);
    if (array !== null) places.set(array, end);
    end += length;
  }
  return { view: new Float32Array(grownBuffer(memory, end * 4)), starts, places };
}

/** A new array `values ⊙ mask` (the dropped attention weights). */
function masked(values: TypedArray, mask: TypedArray): TypedArray {
  const out = allocate(dtypeOf(values), values.length);
  multiply(values, mask, out);
  return out;
}

/** `out = values ⊙ mask`, element by element (`out` may be `values`). */
function multiply(values: TypedArray, mask: TypedArray, out: TypedArray): void {
  const shape = [values.length];
  binaryKernel("mul", values, shape, mask, shape, out, shape);
}
