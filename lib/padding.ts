/**
 * Padding a list of sequences of different lengths into one batch tensor
 * with a mask.
 *
 * @module
 */
import { allocate, checkAllocation, type DType } from "./_dtype.ts";
import type { NestedArray } from "./_nested.ts";
import { formatShape, shapesEqual, sizeOf } from "./_shape.ts";
import { Tensor, tensor } from "./tensor.ts";

/** Options for {@linkcode padSequences}. */
export interface PadOptions {
  /**
   * The padded length T. A longer sequence is an error unless `truncate`.
   * @default {the longest sequence's length}
   */
  maxLength?: number;
  /**
   * The value written at padded positions.
   * @default {0}
   */
  value?: number;
  /**
   * Where the padding goes: after the tokens ("right") or before them ("left").
   * @default {"right"}
   */
  side?: "right" | "left";
  /**
   * Cut sequences longer than `maxLength` to their first `maxLength` tokens.
   * @default {false}
   */
  truncate?: boolean;
}

/** A padded batch. */
export interface PaddedBatch {
  /** The sequences padded to one length: (B, T, D). */
  x: Tensor;
  /** 1 = real token, 0 = padding: (B, T). */
  mask: Tensor;
  /** The number of real tokens of each sequence (after truncation). */
  lengths: number[];
}

/**
 * Pads sequences of shape (T_i, D) — tensors or nested arrays — to one
 * length T = `maxLength` (or the longest T_i), giving x (B, T, D) and the
 * mask (B, T) with 1 at real tokens and 0 at padding. Sequences may also be
 * 1-D (T_i), giving x (B, T). An empty sequence is allowed: its mask row is
 * all 0.
 *
 * @example
 * ```ts
 * import { padSequences } from "./padding.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const { x, mask, lengths } = padSequences([[[1, 1]], [[2, 2], [3, 3]]]);
 * deepStrictEqual(x.toArray(), [[[1, 1], [0, 0]], [[2, 2], [3, 3]]]);
 * deepStrictEqual(mask.toArray(), [[1, 0], [1, 1]]);
 * deepStrictEqual(lengths, [1, 2]);
 * ```
 */
export function padSequences(
  sequences: readonly (Tensor | NestedArray)[],
  options: PadOptions = {},
): PaddedBatch {
  const operation = "padSequences";
  if (!Array.isArray(sequences) || sequences.length === 0) {
    throw new Error(
      `${operation}: expected a non-empty list of sequences but found ${
        Array.isArray(sequences) ? "an empty list" : typeof sequences
      }`,
    );
  }
  const tensors = sequences.map((sequence, i) => {
    const t = sequence instanceof Tensor ? sequence : tensor(sequence as NestedArray);
    if (t.ndim === 0) {
      throw new Error(
        `${operation}: expected sequence ${i} to have shape (T, …) but found a scalar`,
      );
    }
    return t;
  });
  const featureShape = tensors[0]!.shape.slice(1);
  for (const [i, t] of tensors.entries()) {
    if (!shapesEqual(t.shape.slice(1), featureShape)) {
      throw new Error(
        `${operation}: expected every sequence to have shape (T, ${
          featureShape.join(", ")
        }) like sequence 0 but sequence ${i} has ${formatShape(t.shape)}`,
      );
    }
  }
  const longest = Math.max(...tensors.map((t) => t.shape[0]!));
  const length = options.maxLength ?? longest;
  if (!Number.isInteger(length) || length < 0) {
    throw new Error(
      `${operation}: expected maxLength to be a non-negative integer but found ${length}`,
    );
  }
  const value = options.value ?? 0;
  const side = options.side ?? "right";
  if (side !== "right" && side !== "left") {
    throw new Error(
      `${operation}: expected side "right" or "left" but found ${JSON.stringify(side)}`,
    );
  }
  const dtype: DType = tensors.some((t) => t.dtype === "float64") ? "float64" : "float32";
  const width = sizeOf(featureShape);
  const batch = tensors.length;
  checkAllocation([batch, length, width], dtype, "padSequences");
  const x = allocate(dtype, batch * length * width).fill(value);
  const mask = new Float32Array(batch * length);
  const lengths: number[] = [];
  for (const [i, t] of tensors.entries()) {
    let real = t.shape[0]!;
    if (real > length) {
      if (!options.truncate) {
        throw new Error(
          `${operation}: expected sequences of at most maxLength ${length} positions but sequence ${i} has ${real} (shape ${
            formatShape(t.shape)
          }); pass truncate: true to cut it`,
        );
      }
      real = length;
    }
    const start = side === "right" ? 0 : length - real;
    x.set(t.data.subarray(0, real * width), (i * length + start) * width);
    mask.fill(1, i * length + start, i * length + start + real);
    lengths.push(real);
  }
  return {
    x: new Tensor(x, [batch, length, ...featureShape]),
    mask: new Tensor(mask, [batch, length]),
    lengths,
  };
}
