/**
 * Internal: dropout on a packed batch with the masks that {@linkcode dropout}
 * draws for the padded batch. The padded call draws one uniform number per
 * element in row-major order, padding included; these draw the same numbers
 * in the same order and keep the ones that fall on real positions, so a
 * packed model drops exactly the values its padded twin drops.
 *
 * @module
 */
import { allocate, type DType, type TypedArray } from "../_dtype.ts";
import { RandomSource } from "../_random.ts";
import type { ScoreBlock } from "../_score_softmax.ts";
import type { PackedSequences } from "./_packed_attention.ts";
import { keptScale, maskValue } from "./dropout.ts";

/**
 * The mask (N, width) of `dropout(x, { p, seed })` for the padded x
 * (B, T, width), at the packed rows: `1 / (1 − p)` where a value is kept, 0
 * where it is dropped.
 */
export function packedRowMask(
  sequences: PackedSequences,
  width: number,
  p: number,
  seed: number,
  dtype: DType,
): TypedArray {
  const random = new RandomSource(seed, "dropout");
  const scale = keptScale(p);
  const { packedRow } = sequences;
  const mask = allocate(dtype, sequences.rows.length * width);
  for (let padded = 0; padded < packedRow.length; padded++) {
    const row = packedRow[padded]!;
    if (row < 0) {
      for (let d = 0; d < width; d++) random.uniform();
      continue;
    }
    const base = row * width;
    for (let d = 0; d < width; d++) mask[base + d] = maskValue(random, p, scale);
  }
  return mask;
}

/**
 * The mask of `dropout(weights, { p, seed })` for the padded attention
 * weights (B, H, T, T), laid out as the packed scores (`blocks[b]`: sequence
 * b's H blocks, see packedSelfAttentionHeads): entry (i, j) of block (b, h)
 * is the padded entry (b, h, t_i, t_j) of the real positions t_i, t_j.
 */
export function packedScoreMask(
  sequences: PackedSequences,
  blocks: readonly ScoreBlock[],
  total: number,
  p: number,
  seed: number,
  dtype: DType,
): TypedArray {
  const random = new RandomSource(seed, "dropout");
  const scale = keptScale(p);
  const { count: B, length: T, packedRow, starts } = sequences;
  const mask = allocate(dtype, total);
  for (let b = 0; b < B; b++) {
    const start = starts[b]!;
    const { offset, groups: heads, queries: L, keys: stride } = blocks[b]!;
    for (let h = 0; h < heads; h++) {
      const block = offset + h * L * stride;
      for (let t = 0; t < T; t++) {
        const i = packedRow[b * T + t]!;
        if (i < 0) {
          for (let u = 0; u < T; u++) random.uniform();
          continue;
        }
        const row = block + (i - start) * stride;
        for (let u = 0; u < T; u++) {
          const value = maskValue(random, p, scale); // drawn for padded keys too
          const j = packedRow[b * T + u]!;
          if (j >= 0) mask[row + j - start] = value;
        }
      }
    }
  }
  return mask;
}
