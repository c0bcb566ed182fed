/**
 * Internal: the classifier's forward pass on a packed batch — the real tokens
 * only, (1, N, D) with N = Σ_b L_b — for layers whose every step treats a
 * position on its own or through attention to real keys: linear layers,
 * LayerNorm, RMSNorm, masked BatchNorm (its statistics count real positions
 * only, which are exactly the packed rows) and key-masked attention. On such
 * a model a padded position never reaches a real one, so skipping it changes
 * no number of the logits or the gradients; it saves the work the padding
 * costs (a quarter of a typical batch, a third of its attention).
 *
 * The encoder layers run their own formula on the packed rows
 * (TransformerEncoderLayer's #layer, with attention within each sequence).
 * Dropout draws the padded batch's masks and keeps their real rows, so a
 * packed model drops what its padded twin drops. Naive BatchNorm counts
 * padding in its statistics: those models, and any whose layers were
 * replaced or subclassed, take the padded path (transformer.ts decides).
 *
 * @module
 */
import { allocate } from "../_dtype.ts";
import { copyRow } from "../_row_kernels.ts";
import { needsGrad, record } from "../autograd.ts";
import { Tensor, TRUSTED } from "../tensor.ts";
import type { PackedSequences } from "./_packed_attention.ts";
import { packedRowMask } from "./_packed_dropout.ts";

/** The packed rows of a (B, T) tensor of ids or mask values: (1, N). */
export function packValues(values: Tensor, sequences: PackedSequences): Tensor {
  const { rows } = sequences;
  const source = values.data;
  const out = allocate(values.dtype, rows.length);
  for (let r = 0; r < rows.length; r++) out[r] = source[rows[r]!]!;
  return new Tensor(out, [1, rows.length], TRUSTED);
}

/** The padded position t of each packed row, (1, N): the rows of the position table. */
export function packedPositions(sequences: PackedSequences): Tensor {
  const { rows, length } = sequences;
  const out = allocate("float32", rows.length);
  for (let r = 0; r < rows.length; r++) out[r] = rows[r]! % length;
  return new Tensor(out, [1, rows.length], TRUSTED);
}

/**
 * The packed rows (1, N, D) back in their padded places, (B, T, D) with
 * zeros at padding; gradient: the padded gradient's packed rows.
 */
export function unpackRows(x: Tensor, sequences: PackedSequences): Tensor {
  const { rows, count, length } = sequences;
  const D = x.shape[x.ndim - 1]!;
  const source = x.data;
  const out = allocate(x.dtype, count * length * D);
  for (let r = 0; r < rows.length; r++) {
    copyRow(source, r * D, out, rows[r]! * D, D);
  }
  const y = new Tensor(out, [count, length, D], TRUSTED);
  if (needsGrad(x)) {
    record(y, "unpackRows", [x], (dy) => {
      const upstream = dy.data;
      const gradient = allocate(x.dtype, x.size);
      for (let r = 0; r < rows.length; r++) {
        copyRow(upstream, rows[r]! * D, gradient, r * D, D);
      }
      return [new Tensor(gradient, x.shape, TRUSTED)];
    });
  }
  return y;
}

/**
 * The mean of each sequence's packed rows, (B, D): the classifier's pooling
 * `Σ_t mask_bt h_bt / max(1, Σ_t mask_bt)` of the padded path on
 * `unpackRows(x)`, with its numbers — each sum taken in float64 over the
 * sequence's positions in order, rounded to x's dtype, then divided by the
 * sequence's length — without building the padded (B, T, D) tensor. Gradient: `dy_b / L_b` at each of sequence b's rows.
 *
 * Shape: x (1, N, D) packed as `sequences` says → (B, D).
 */
export function packedMeanPool(x: Tensor, sequences: PackedSequences): Tensor {
  const { count, starts } = sequences;
  const D = x.shape[x.ndim - 1]!;
  const source = x.data;
  const single = x.dtype === "float32";
  const out = allocate(x.dtype, count * D);
  const sums = new Float64Array(D);
  for (let b = 0; b < count; b++) {
    // The sequence's rows in position order. The padded positions add 0 · 0 = +0 there, which
    // changes no sum: a sum that starts at +0 never becomes −0.
    sums.fill(0);
    for (let r = starts[b]!; r < starts[b + 1]!; r++) {
      for (let d = 0; d < D; d++) sums[d]! += source[r * D + d]!;
    }
    const size = Math.max(1, starts[b + 1]! - starts[b]!);
    for (let d = 0; d < D; d++) {
      out[b * D + d] = (single ? Math.fround(sums[d]!) : sums[d]!) / size;
    }
  }
  const y = new Tensor(out, [count, D], TRUSTED);
  if (needsGrad(x)) {
    record(y, "packedMeanPool", [x], (dy) => {
      const upstream = dy.data;
      const gradient = allocate(x.dtype, x.size);
      // Sequence b's row of dy_b / L_b (in x's dtype, rounded as the padded path rounds it) is
      // computed once and copied to each of its rows.
      const row = allocate(x.dtype, D);
      for (let b = 0; b < count; b++) {
        const size = Math.max(1, starts[b + 1]! - starts[b]!);
        for (let d = 0; d < D; d++) row[d] = upstream[b * D + d]! / size;
        for (let r = starts[b]!; r < starts[b + 1]!; r++) gradient.set(row, r * D);
      }
      return [new Tensor(gradient, x.shape, TRUSTED)];
    });
  }
  return y;
}

/**
 * `dropout(x, { p, seed })` of the padded batch, applied to its packed rows x
 * (1, N, D): the same mask values (see _packed_dropout.ts).
 */
export function packedDropout(
  x: Tensor,
  p: number,
  seed: number,
  sequences: PackedSequences,
): Tensor {
  const D = x.shape[x.ndim - 1]!;
  const out = allocate(x.dtype, x.size);
  const mask = packedRowMask(sequences, D, p, seed, x.dtype, x.data, out);
  const y = new Tensor(out, x.shape, TRUSTED);
  if (needsGrad(x)) {
    const scaledMask = new Tensor(mask, x.shape, TRUSTED);
    record(y, "dropout", [x], (dy) => [dy.mul(scaledMask)]);
  }
  return y;
}
