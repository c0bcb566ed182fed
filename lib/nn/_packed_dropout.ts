/**
 * Internal: dropout on a packed batch with the masks that {@linkcode dropout}
 * draws for the padded batch. The padded call draws one uniform number per
 * element in row-major order, padding included; these skip the numbers that
 * fall on padding (`RandomSource.skip`) and draw the others in the same
 * order, so a packed model drops exactly the values its padded twin drops.
 *
 * @module
 */
import { allocate, type DType, type TypedArray } from "../_dtype.ts";
import { RandomSource } from "../_random.ts";
import type { ScoreBlock } from "../_score_softmax.ts";
import type { PackedSequences } from "./_packed_attention.ts";
import { keptScale } from "./dropout.ts";

/**
 * The mask (N, width) of `dropout(x, { p, seed })` for the padded x
 * (B, T, width), at the packed rows: `1 / (1 − p)` where a value is kept, 0
 * where it is dropped. With the packed rows `source` (N, width) and `out`,
 * also `out = source ⊙ mask`, in the loop that draws the mask.
 */
export function packedRowMask(
  sequences: PackedSequences,
  width: number,
  p: number,
  seed: number,
  dtype: DType,
  source: TypedArray | null = null,
  out: TypedArray | null = null,
): TypedArray {
  const random = new RandomSource(seed, "dropout");
  // The mask's own value of the scale (float32 rounds it), so that out = source ⊙ mask.
  const scale = dtype === "float32" ? Math.fround(keptScale(p)) : keptScale(p);
  const { packedRow } = sequences;
  const mask = allocate(dtype, sequences.rows.length * width);
  let next = 0; // the padded element whose number the generator draws next
  for (let padded = 0; padded < packedRow.length; padded++) {
    const row = packedRow[padded]!;
    if (row < 0) continue;
    random.skip(2 * (padded * width - next)); // two draws a number
    random.fillKept(mask, row * width, width, p, scale, source, out);
    next = (padded + 1) * width;
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
  let next = 0; // the padded entry whose number the generator draws next
  for (let b = 0; b < B; b++) {
    const start = starts[b]!;
    const { offset, groups: heads, queries: L, keys: stride } = blocks[b]!;
    const keyRuns = realKeyRuns(packedRow, b * T, T);
    for (let h = 0; h < heads; h++) {
      const block = offset + h * L * stride;
      for (let t = 0; t < T; t++) {
        const i = packedRow[b * T + t]!;
        if (i < 0) continue; // a padded query's row: its numbers are skipped
        const row = block + (i - start) * stride;
        const padded = ((b * heads + h) * T + t) * T; // entry (b, h, t, 0) of the padded weights
        // Runs of real keys [u, u + n) fill consecutive entries from key packedRow[u] (packingOf
        // numbers a sentence's real positions in order); the padded keys' numbers are skipped.
        for (let run = 0; run < keyRuns.length; run += 2) {
          const first = keyRuns[run]!;
          const count = keyRuns[run + 1]!;
          random.skip(2 * (padded + first - next)); // two draws a number
          random.fillKept(mask, row + packedRow[b * T + first]! - start, count, p, scale);
          next = padded + first + count;
        }
      }
    }
  }
  return mask;
}

/**
 * The runs of real positions of the sentence whose T positions start at
 * `base` in `packedRow`: flat (first position, length) pairs, in order.
 */
function realKeyRuns(packedRow: Int32Array, base: number, length: number): number[] {
  const runs: number[] = [];
  for (let u = 0; u < length; u++) {
    if (packedRow[base + u]! < 0) continue;
    if (runs.length > 0 && runs[runs.length - 2]! + runs[runs.length - 1]! === u) {
      runs[runs.length - 1] = runs[runs.length - 1]! + 1;
    } else {
      runs.push(u, 1);
    }
  }
  return runs;
}
