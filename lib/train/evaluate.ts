/**
 * Measuring a trained classifier: accuracy and predicted probabilities under
 * any batching, with running or batch statistics, and how much a sentence's
 * prediction depends on its batch.
 *
 * @module
 */
import { noGrad } from "../autograd.ts";
import { batchExamples, type BatchOrder } from "../data/batching.ts";
import type { LabeledText } from "../data/sentences.ts";
import type { Vocabulary } from "../data/vocabulary.ts";
import type { TransformerClassifier } from "../nn/transformer.ts";
import { type StatisticsMode, withStatistics } from "./batch_statistics.ts";

/** Options for {@linkcode predict} and {@linkcode evaluate}. */
export interface EvaluateOptions {
  /**
   * Sentences per batch.
   * @default {32}
   */
  batchSize?: number;
  /** Pad every batch to this many positions (e.g. 100) instead of its longest sentence. */
  padTo?: number;
  /**
   * How the sentences are grouped into batches.
   * @default {"random"}
   */
  order?: BatchOrder;
  /**
   * The seed of the grouping: other seeds give other batch companions.
   * @default {0}
   */
  seed?: number;
  /**
   * Running statistics (`"eval"`) or batch statistics (`"train"`) in BatchNorm layers.
   * @default {"eval"}
   */
  mode?: StatisticsMode;
}

/** Predictions for a list of examples, in the examples' order. */
export interface Predictions {
  /** P(label = 1) for each example (softmax of the logits). */
  probabilities: Float64Array;
  /** The predicted label (argmax) of each example. */
  predicted: Uint8Array;
  /** The share of examples whose predicted label is their label. */
  accuracy: number;
  /** The mean cross-entropy of the examples. */
  loss: number;
}

/**
 * Predicts every example with `model` (no gradients, no dropout), batched as
 * `options` says, and returns per-example probabilities in the examples'
 * order with the accuracy and mean loss. The model's modes and running
 * statistics are unchanged afterwards.
 *
 * Shape: each batch ids (B, T) → logits (B, 2) → P(positive) = softmax(logits)₁.
 *
 * @example
 * ```ts
 * import { predict } from "./evaluate.ts";
 * import { Vocabulary } from "../data/vocabulary.ts";
 * import { TransformerClassifier } from "../nn/transformer.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const examples = [{ text: "good film", label: 1 }, { text: "bad", label: 0 }];
 * const vocab = Vocabulary.fromTexts(examples.map((e) => e.text));
 * const model = new TransformerClassifier({ vocabSize: vocab.size, dModel: 8, numHeads: 2 });
 * const { probabilities, accuracy } = predict(model, examples, vocab, { batchSize: 2 });
 * strictEqual(probabilities.length, 2);
 * strictEqual(accuracy >= 0 && accuracy <= 1, true);
 * ```
 */
export function predict(
  model: TransformerClassifier,
  examples: readonly LabeledText[],
  vocab: Vocabulary,
  options: EvaluateOptions = {},
): Predictions {
  const count = examples.length;
  const probabilities = new Float64Array(count);
  const predicted = new Uint8Array(count);
  let correct = 0;
  let lossTotal = 0;
  const batches = batchExamples(examples, vocab, {
    batchSize: options.batchSize ?? 32,
    order: options.order ?? "random",
    seed: options.seed ?? 0,
    padTo: options.padTo,
    maxLength: model.config.maxLength,
  });
  withStatistics(model, options.mode ?? "eval", () =>
    noGrad(() => {
      for (const batch of batches) {
        const logits = model.forward(batch.ids, { mask: batch.mask }).data;
        const classes = model.config.numClasses;
        batch.indices.forEach((index, row) => {
          const base = row * classes;
          let best = 0;
          let max = -Infinity;
          for (let c = 0; c < classes; c++) {
            if (logits[base + c]! > max) {
              max = logits[base + c]!;
              best = c;
            }
          }
          let total = 0;
          for (let c = 0; c < classes; c++) total += Math.exp(logits[base + c]! - max);
          const label = batch.labels[row]!;
          probabilities[index] = Math.exp(logits[base + Math.min(1, classes - 1)]! - max) / total;
          predicted[index] = best;
          if (best === label) correct++;
          lossTotal += Math.log(total) - (logits[base + label]! - max);
        });
      }
    }));
  return {
    probabilities,
    predicted,
    accuracy: count === 0 ? 0 : correct / count,
    loss: count === 0 ? 0 : lossTotal / count,
  };
}

/**
 * The accuracy of `model` on `examples`, read with `options.vocabulary` and
 * batched as `options` says (see {@linkcode predict}).
 *
 * @example
 * ```ts
 * import { evaluate } from "./evaluate.ts";
 * import { Vocabulary } from "../data/vocabulary.ts";
 * import { TransformerClassifier } from "../nn/transformer.ts";
 * import { ok } from "node:assert/strict";
 *
 * const examples = [{ text: "good film", label: 1 }, { text: "bad", label: 0 }];
 * const vocabulary = Vocabulary.fromTexts(examples.map((e) => e.text));
 * const model = new TransformerClassifier({ vocabSize: vocabulary.size, dModel: 8 });
 * const accuracy = evaluate(model, examples, { vocabulary, batchSize: 2, padTo: 100 });
 * ok(accuracy >= 0 && accuracy <= 1);
 * ```
 */
export function evaluate(
  model: TransformerClassifier,
  examples: readonly LabeledText[],
  options: EvaluateOptions & { vocabulary: Vocabulary },
): number {
  return predict(model, examples, options.vocabulary, options).accuracy;
}

/** How much predictions move when the same sentences are batched differently. */
export interface BatchDependence {
  /** The mean over sentences of (max − min) of P(positive) across the batchings. */
  mean: number;
  /** The largest such spread. */
  max: number;
  /** The share of sentences whose predicted label is not the same in every batching. */
  labelFlips: number;
  /** Each sentence's spread, in the examples' order. */
  spreads: Float64Array;
  /** P(positive) per batching (rows) and sentence (columns). */
  probabilities: Float64Array[];
}

/**
 * Predicts `examples` in `batchings` random groupings (seeds `seed`,
 * `seed + 1`, …): each sentence meets different companions and different
 * padding. Returns each sentence's spread of P(positive) and the share of
 * sentences whose predicted label flips. With running statistics every norm
 * here makes a sentence's prediction independent of its batch; with batch
 * statistics BatchNorm's does not.
 *
 * @example
 * ```ts
 * import { batchDependenceOfPredictions } from "./evaluate.ts";
 * import { Vocabulary } from "../data/vocabulary.ts";
 * import { TransformerClassifier } from "../nn/transformer.ts";
 * import { ok } from "node:assert/strict";
 *
 * const examples = ["good", "bad film", "so very good", "awful", "fine"].map((text, i) => ({
 *   text,
 *   label: i % 2,
 * }));
 * const vocab = Vocabulary.fromTexts(examples.map((e) => e.text));
 * const model = new TransformerClassifier({ vocabSize: vocab.size, dModel: 8, norm: "batch" });
 * const options = { batchSize: 2, batchings: 4 };
 * ok(batchDependenceOfPredictions(model, examples, vocab, { ...options, mode: "eval" }).max < 1e-6);
 * ok(batchDependenceOfPredictions(model, examples, vocab, { ...options, mode: "train" }).max > 1e-3);
 * ```
 */
export function batchDependenceOfPredictions(
  model: TransformerClassifier,
  examples: readonly LabeledText[],
  vocab: Vocabulary,
  options: EvaluateOptions & { batchings?: number } = {},
): BatchDependence {
  const batchings = options.batchings ?? 5;
  const seed = options.seed ?? 0;
  const runs: Float64Array[] = [];
  const labels: Uint8Array[] = [];
  for (let k = 0; k < batchings; k++) {
    const result = predict(model, examples, vocab, { ...options, order: "random", seed: seed + k });
    runs.push(result.probabilities);
    labels.push(result.predicted);
  }
  const spreads = new Float64Array(examples.length);
  let flips = 0;
  let total = 0;
  let max = 0;
  for (let i = 0; i < examples.length; i++) {
    let low = Infinity;
    let high = -Infinity;
    let flipped = false;
    for (let k = 0; k < batchings; k++) {
      const p = runs[k]![i]!;
      low = Math.min(low, p);
      high = Math.max(high, p);
      if (labels[k]![i] !== labels[0]![i]) flipped = true;
    }
    spreads[i] = high - low;
    total += high - low;
    max = Math.max(max, high - low);
    if (flipped) flips++;
  }
  const count = Math.max(1, examples.length);
  return { mean: total / count, max, labelFlips: flips / count, spreads, probabilities: runs };
}
