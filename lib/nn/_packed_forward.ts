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
 * Naive BatchNorm counts padding in its statistics and active dropout draws
 * one random number per padded position: those models, and any whose layers
 * were replaced or subclassed, take the padded path (transformer.ts decides).
 *
 * @module
 */
import { allocate } from "../_dtype.ts";
import { needsGrad, record } from "../autograd.ts";
import { Tensor, TRUSTED } from "../tensor.ts";
import { gelu } from "./activation.ts";
import { linear, linearRelu } from "./linear.ts";
import { packedSelfAttentionHeads, type PackedSequences } from "./_packed_attention.ts";
import type { TransformerEncoderLayer } from "./transformer.ts";

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
    out.set(source.subarray(r * D, r * D + D), rows[r]! * D);
  }
  const y = new Tensor(out, [count, length, D], TRUSTED);
  if (needsGrad(x)) {
    record(y, "unpackRows", [x], (dy) => {
      const upstream = dy.data;
      const gradient = allocate(x.dtype, x.size);
      for (let r = 0; r < rows.length; r++) {
        gradient.set(upstream.subarray(rows[r]! * D, rows[r]! * D + D), r * D);
      }
      return [new Tensor(gradient, x.shape, TRUSTED)];
    });
  }
  return y;
}

/**
 * One encoder layer on packed rows x (1, N, D): its forward formula (post- or
 * pre-norm) with the norms given no mask (the rows are all real) and
 * attention within each sequence. Dropout must be inactive (the caller checks).
 */
export function packedEncoderLayer(
  layer: TransformerEncoderLayer,
  x: Tensor,
  sequences: PackedSequences,
): Tensor {
  const norm1 = (h: Tensor) => layer.norm1 === null ? h : layer.norm1.forward(h);
  const norm2 = (h: Tensor) => layer.norm2 === null ? h : layer.norm2.forward(h);
  const attention = layer.selfAttention;
  const selfAttention = (h: Tensor) => {
    const qkv = linear(h, attention.inProjectionWeight, attention.inProjectionBias);
    return attention.outProjection.forward(
      packedSelfAttentionHeads(qkv, attention.numHeads, sequences),
    );
  };
  const feedForward = (h: Tensor) => {
    const hidden = layer.activation === "gelu"
      ? gelu(layer.linear1.forward(h))
      : linearRelu(h, layer.linear1.weight, layer.linear1.bias);
    return layer.linear2.forward(hidden);
  };
  if (layer.normFirst) {
    const attended = x.add(selfAttention(norm1(x)));
    return attended.add(feedForward(norm2(attended)));
  }
  const attended = norm1(x.add(selfAttention(x)));
  return norm2(attended.add(feedForward(attended)));
}
