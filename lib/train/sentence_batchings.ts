/**
 * One sentence, many batches: the prediction trained models make for the same
 * sentence when random batchings give it different companions and different
 * padding.
 *
 * @module
 */
import { noGrad } from "../autograd.ts";
import { batchExamples } from "../data/batching.ts";
import type { LabeledText } from "../data/sentences.ts";
import type { Vocabulary } from "../data/vocabulary.ts";
import type { TransformerClassifier } from "../nn/transformer.ts";
import { type StatisticsMode, withStatistics } from "./batch_statistics.ts";

/** A model to follow the sentence with, and the statistics its BatchNorm layers use. */
export interface FollowedModel {
  /** The name charts and tables show. */
  name: string;
  /** The trained model. */
  model: TransformerClassifier;
  /** Batch statistics (`"train"`, as in training) or running statistics (`"eval"`). @default {"train"} */
  mode?: StatisticsMode;
}

/** Options for {@linkcode sentenceInBatchings}. */
export interface SentenceInBatchingsOptions {
  /** The sentence to follow: its index in `examples`. */
  index: number;
  /** How many random batchings (seeds `seed`, `seed + 1`, …). @default {8} */
  batchings?: number;
  /** Sentences per batch. @default {32} */
  batchSize?: number;
  /** The first batching's seed (the seeds of `batchDependenceOfPredictions`). @default {0} */
  seed?: number;
}

/** The followed sentence in one batching. */
export interface SentenceBatching {
  /** The batching's seed. */
  seed: number;
  /** The other sentences of its batch, in batch order. */
  companions: string[];
  /** The batch's padded length T. */
  length: number;
  /** P(positive) for the sentence, one per model, in the order given. */
  probabilities: number[];
}

/**
 * Follows `examples[index]` through `batchings` random batchings of
 * `examples` (the groupings `predict` makes with `order: "random"` and seeds
 * `seed`, `seed + 1`, …) and records, in each, its batch companions, the
 * batch's padded length and each model's P(positive) for it. A model whose
 * prediction does not depend on the batch (LayerNorm, or BatchNorm with
 * running statistics) gives the same number in every batching, up to float32
 * rounding (~1e-7: batches of other shapes accumulate in other orders).
 *
 * Shapes: each batch ids (B, T) → logits (B, 2) → P(positive) of the followed row.
 *
 * @example
 * ```ts
 * import { sentenceInBatchings } from "./sentence_batchings.ts";
 * import { Vocabulary } from "../data/vocabulary.ts";
 * import { TransformerClassifier } from "../nn/transformer.ts";
 * import { ok, strictEqual } from "node:assert/strict";
 *
 * const examples = ["good", "bad film", "so very good", "awful", "fine", "dull"].map((text, i) => ({
 *   text,
 *   label: i % 2,
 * }));
 * const vocab = Vocabulary.fromTexts(examples.map((e) => e.text));
 * const batch = new TransformerClassifier({ vocabSize: vocab.size, dModel: 8, norm: "batch" });
 * const layer = new TransformerClassifier({ vocabSize: vocab.size, dModel: 8, norm: "layer" });
 * const rows = sentenceInBatchings(
 *   [{ name: "BatchNorm", model: batch }, { name: "LayerNorm", model: layer }],
 *   examples, vocab, { index: 0, batchSize: 3, batchings: 4 },
 * );
 * strictEqual(rows.length, 4);
 * strictEqual(rows[0]!.companions.length, 2);
 * // LayerNorm: the same in every batching (up to float32 rounding).
 * ok(rows.every((row) => Math.abs(row.probabilities[1]! - rows[0]!.probabilities[1]!) < 1e-6));
 * ```
 */
export function sentenceInBatchings(
  models: readonly FollowedModel[],
  examples: readonly LabeledText[],
  vocabulary: Vocabulary,
  options: SentenceInBatchingsOptions,
): SentenceBatching[] {
  const { index } = options;
  if (!Number.isInteger(index) || index < 0 || index >= examples.length) {
    throw new Error(
      `sentenceInBatchings: expected index to be an integer in [0, ${examples.length}) but found ${index}`,
    );
  }
  if (models.length === 0) {
    throw new Error("sentenceInBatchings: expected at least one model but found none");
  }
  const batchings = options.batchings ?? 8;
  if (!Number.isInteger(batchings) || batchings < 1) {
    throw new Error(
      `sentenceInBatchings: expected batchings to be a positive integer but found ${batchings}`,
    );
  }
  const seed = options.seed ?? 0;
  const rows: SentenceBatching[] = [];
  for (let k = 0; k < batchings; k++) {
    const batches = batchExamples(examples, vocabulary, {
      batchSize: options.batchSize ?? 32,
      order: "random",
      seed: seed + k,
      maxLength: models[0]!.model.config.maxLength,
    });
    const batch = batches.find((b) => b.indices.includes(index))!;
    const row = batch.indices.indexOf(index);
    const probabilities = models.map(({ model, mode }) =>
      withStatistics(model, mode ?? "train", () =>
        noGrad(() => {
          const logits = model.forward(batch.ids, { mask: batch.mask });
          const classes = model.config.numClasses;
          const scores = Array.from(logits.data.subarray(row * classes, (row + 1) * classes));
          const max = Math.max(...scores);
          const total = scores.reduce((sum, s) => sum + Math.exp(s - max), 0);
          return Math.exp(scores[Math.min(1, classes - 1)]! - max) / total;
        }))
    );
    rows.push({
      seed: seed + k,
      companions: batch.indices.filter((i) => i !== index).map((i) => examples[i]!.text),
      length: batch.ids.shape[1]!,
      probabilities,
    });
  }
  return rows;
}
