/**
 * Batching labelled texts into padded id tensors with masks, in random or
 * length-bucketed order.
 *
 * @module
 */
import { tensor } from "../tensor.ts";
import type { Tensor } from "../tensor.ts";
import { RandomSource } from "../_random.ts";
import { shuffleInPlace } from "./_shuffle.ts";
import type { LabeledText } from "./sentences.ts";
import type { Vocabulary } from "./vocabulary.ts";

/**
 * How examples are grouped into batches:
 * - "random": a seeded shuffle, cut into batches — each batch is padded to its longest
 *   sentence, so how much of it is padding varies from batch to batch;
 * - "bucketed": sorted by length (ties in a seeded random order), cut into batches, and the
 *   batches shuffled — sentences of similar length share a batch, so there is little padding.
 */
export type BatchOrder = "random" | "bucketed";

/** Options for {@linkcode batchExamples}. */
export interface BatchOptions {
  /** B, the number of examples per batch (the last batch may be smaller). */
  batchSize: number;
  /**
   * "random" or "bucketed" (by length).
   * @default {"random"}
   */
  order?: BatchOrder;
  /**
   * The seed of the shuffle; use a different one each epoch (e.g. seed + epoch).
   * @default {0}
   */
  seed?: number;
  /**
   * Pad every batch to this many positions T instead of its longest sentence. A sentence
   * longer than `padTo` (after `maxLength`) is an error, never silently cut.
   */
  padTo?: number;
  /**
   * Truncate every sentence to its first `maxLength` words (e.g. a model's number of
   * positions). Without it, nothing is truncated.
   */
  maxLength?: number;
}

/** One batch of encoded examples. */
export interface Batch {
  /** The word ids, right-padded with 0: (B, T), float32 holding integers. */
  ids: Tensor;
  /** 1 = real token, 0 = padding: (B, T). */
  mask: Tensor;
  /** Each example's label. */
  labels: number[];
  /** Each example's number of real tokens (after truncation). */
  lengths: number[];
  /** Each example's index in the `examples` passed to {@linkcode batchExamples}. */
  indices: number[];
}

/**
 * Encodes examples with `vocab` and groups them into batches of `batchSize`
 * — one epoch: every example appears in exactly one batch. Each batch is
 * right-padded to its longest sentence, or to `padTo`; `mask` is 1 at the
 * real tokens (the first `lengths[b]` positions of row b).
 *
 * Shapes: ids, mask (B, T); labels, lengths, indices (B).
 *
 * @param examples `{ text, label }` objects, e.g. from `loadSentences`.
 * @param vocab The vocabulary that encodes the texts.
 * @param options Batch size, order, seed, fixed padding, truncation.
 * @returns The batches; none for no examples.
 *
 * @example
 * ```ts
 * import { batchExamples } from "./batching.ts";
 * import { Vocabulary } from "./vocabulary.ts";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 *
 * const examples = [
 *   { text: "Loved it", label: 1 },
 *   { text: "The acting was terrible", label: 0 },
 *   { text: "Great", label: 1 },
 * ];
 * const vocab = Vocabulary.fromTexts(examples.map((e) => e.text));
 * const batches = batchExamples(examples, vocab, { batchSize: 2, seed: 0 });
 * strictEqual(batches.length, 2);
 * const seen = batches.flatMap((b) => b.indices).sort();
 * deepStrictEqual(seen, [0, 1, 2]); // each example once
 *
 * const [fixed] = batchExamples(examples, vocab, { batchSize: 3, padTo: 6 });
 * deepStrictEqual(fixed!.ids.shape, [3, 6]);
 * deepStrictEqual(fixed!.mask.sum(1).toArray(), fixed!.lengths);
 * ```
 */
export function batchExamples(
  examples: readonly LabeledText[],
  vocab: Vocabulary,
  options: BatchOptions,
): Batch[] {
  const { batchSize, order = "random", seed = 0, padTo, maxLength } = options ?? {};
  if (!Array.isArray(examples)) {
    throw new Error("batchExamples: expected an array of { text, label } examples");
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(
      `batchExamples: expected batchSize to be a positive integer but found ${batchSize}`,
    );
  }
  if (order !== "random" && order !== "bucketed") {
    throw new Error(
      `batchExamples: expected order to be "random" or "bucketed" but found ${
        JSON.stringify(order)
      }`,
    );
  }
  if (padTo !== undefined && (!Number.isInteger(padTo) || padTo < 1)) {
    throw new Error(`batchExamples: expected padTo to be a positive integer but found ${padTo}`);
  }
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 1)) {
    throw new Error(
      `batchExamples: expected maxLength to be a positive integer but found ${maxLength}`,
    );
  }
  const random = new RandomSource(seed, "batchExamples");

  const encoded = examples.map((example, index) => {
    if (typeof example?.text !== "string" || typeof example.label !== "number") {
      throw new Error(
        `batchExamples: expected example ${index} to be { text: string, label: number }`,
      );
    }
    const ids = vocab.encode(example.text);
    if (ids.length === 0) {
      throw new Error(
        `batchExamples: expected every example to have at least one word but example ${index} (${
          JSON.stringify(example.text)
        }) has none`,
      );
    }
    return maxLength !== undefined && ids.length > maxLength ? ids.slice(0, maxLength) : ids;
  });
  if (padTo !== undefined) {
    const index = encoded.findIndex((ids) => ids.length > padTo);
    if (index >= 0) {
      throw new Error(
        `batchExamples: expected sentences of at most padTo ${padTo} words but example ${index} has ${
          encoded[index]!.length
        }; pass maxLength to truncate`,
      );
    }
  }

  const sequence = shuffleInPlace([...examples.keys()], random);
  // A stable sort after the shuffle: equal lengths stay in the seeded random order.
  if (order === "bucketed") sequence.sort((a, b) => encoded[a]!.length - encoded[b]!.length);
  const groups: number[][] = [];
  for (let start = 0; start < sequence.length; start += batchSize) {
    groups.push(sequence.slice(start, start + batchSize));
  }
  // Shuffle the buckets, so training does not see short sentences first and long ones last.
  if (order === "bucketed") shuffleInPlace(groups, random);

  return groups.map((indices) => {
    const lengths = indices.map((index) => encoded[index]!.length);
    const width = padTo ?? lengths.reduce((a, b) => Math.max(a, b), 0);
    const ids = new Float32Array(indices.length * width);
    const mask = new Float32Array(indices.length * width);
    for (const [row, index] of indices.entries()) {
      const words = encoded[index]!;
      ids.set(words, row * width); // positions past the sentence stay 0, the padding id
      mask.fill(1, row * width, row * width + words.length);
    }
    return {
      ids: tensor(ids, { shape: [indices.length, width] }),
      mask: tensor(mask, { shape: [indices.length, width] }),
      labels: indices.map((index) => examples[index]!.label),
      lengths,
      indices,
    };
  });
}
