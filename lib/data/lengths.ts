/**
 * How long the sentences are, and how much of a set of batches is padding.
 *
 * @module
 */
import { tokenize } from "../text.ts";
import type { Batch } from "./batching.ts";
import { UNK_ID, type Vocabulary } from "./vocabulary.ts";

/** The length distribution of a set of texts, in words. */
export interface LengthStats {
  /** How many texts. */
  count: number;
  /** The mean length. */
  mean: number;
  /** The median length (linear interpolation, NumPy's default percentile rule). */
  median: number;
  /** The 90th percentile of the lengths (same rule). */
  p90: number;
  /** The shortest length. */
  shortest: number;
  /** The longest length: what padding to the longest sentence pads to. */
  longest: number;
  /** Every text's length, in input order (for a histogram). */
  lengths: number[];
  /**
   * With a vocabulary: the share of all words that it encodes as unknown (id 1), e.g.
   * the test split's out-of-vocabulary rate for a vocabulary built on the training split.
   */
  unknownShare?: number;
}

/**
 * The length distribution of the texts, in words of `tokenize` (the same
 * count a {@linkcode Vocabulary} encodes: unknown words still take a
 * position). The percentiles interpolate linearly between the sorted
 * lengths at position q · (n − 1), as `numpy.percentile` does by default.
 *
 * @param examples Objects with a `text`.
 * @param vocab Optional: also report the share of words it does not know.
 * @returns count, mean, median, p90, shortest, longest, the lengths (and unknownShare).
 *
 * @example
 * ```ts
 * import { lengthStats } from "./lengths.ts";
 * import { Vocabulary } from "./vocabulary.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const texts = ["Great", "Loved it", "It was fine", "The plot was really dull"];
 * const stats = lengthStats(texts.map((text) => ({ text })));
 * strictEqual(stats.median, 2.5);
 * strictEqual(stats.longest, 5);
 * strictEqual(stats.mean, 11 / 4);
 * const vocab = Vocabulary.fromTexts(["it was fine"]);
 * strictEqual(lengthStats([{ text: "It was dull" }], vocab).unknownShare, 1 / 3);
 * ```
 */
export function lengthStats(
  examples: readonly { text: string }[],
  vocab?: Vocabulary,
): LengthStats {
  if (!Array.isArray(examples) || examples.length === 0) {
    throw new Error("lengthStats: expected a non-empty array of { text } examples");
  }
  let unknown = 0;
  const lengths = examples.map((example, index) => {
    if (typeof example?.text !== "string") {
      throw new Error(`lengthStats: expected example ${index} to have a string text`);
    }
    if (vocab === undefined) return tokenize(example.text).length;
    const ids = vocab.encode(example.text);
    for (const id of ids) if (id === UNK_ID) unknown++;
    return ids.length;
  });
  const sorted = [...lengths].sort((a, b) => a - b);
  const total = lengths.reduce((sum, length) => sum + length, 0);
  const stats: LengthStats = {
    count: lengths.length,
    mean: total / lengths.length,
    median: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    shortest: sorted[0]!,
    longest: sorted[sorted.length - 1]!,
    lengths,
  };
  if (vocab !== undefined) stats.unknownShare = total === 0 ? 0 : unknown / total;
  return stats;
}

/** The q-quantile of ascending `sorted` values, interpolating at q · (n − 1). */
function percentile(sorted: readonly number[], q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const low = sorted[below]!;
  return low + (sorted[above]! - low) * (position - below);
}

/**
 * The share of padded positions in a set of batches: Σ (1 − mask) / Σ B·T,
 * over every position of every batch — how much of the (B·T, D) columns
 * naive BatchNorm averages over is padding.
 *
 * @param batches Batches with a 0/1 `mask` (B, T), e.g. from `batchExamples`.
 * @returns A number in [0, 1]; 0 for no positions.
 *
 * @example
 * ```ts
 * import { paddingShare } from "./lengths.ts";
 * import { tensor } from "../tensor.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const batches = [{ mask: tensor([[1, 1, 0, 0], [1, 1, 1, 1]]) }, { mask: tensor([[1, 1]]) }];
 * strictEqual(paddingShare(batches), 2 / 10);
 * ```
 */
export function paddingShare(batches: readonly Pick<Batch, "mask">[]): number {
  if (!Array.isArray(batches)) {
    throw new Error("paddingShare: expected an array of batches with a mask");
  }
  let positions = 0;
  let padded = 0;
  for (const [index, batch] of batches.entries()) {
    const mask = batch?.mask;
    if (mask === undefined || mask.ndim !== 2) {
      throw new Error(
        `paddingShare: expected batch ${index} to have a mask of shape (B, T) but found ${
          mask === undefined ? "none" : `[${mask.shape.join(", ")}]`
        }`,
      );
    }
    const data = mask.data;
    for (let i = 0; i < data.length; i++) if (data[i] === 0) padded++;
    positions += data.length;
  }
  return positions === 0 ? 0 : padded / positions;
}
