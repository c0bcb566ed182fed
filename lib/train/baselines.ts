/**
 * The honest baseline a reader asks about: bag-of-words logistic regression,
 * trained with normlab's own autograd and Adam.
 *
 * @module
 */
import { noGrad } from "../autograd.ts";
import { batchExamples } from "../data/batching.ts";
import type { LabeledText } from "../data/sentences.ts";
import type { Vocabulary } from "../data/vocabulary.ts";
import { childSeed, constantParameter, uniformParameter } from "../nn/_init.ts";
import { embedding } from "../nn/embedding.ts";
import { crossEntropy } from "../nn/loss.ts";
import { Adam } from "../optim.ts";
import type { Tensor } from "../tensor.ts";

/** Options for {@linkcode trainBagOfWords}. */
export interface BagOfWordsOptions {
  /** Training sentences. */
  train: readonly LabeledText[];
  /** Held-out sentences that choose the best epoch. */
  validation?: readonly LabeledText[];
  /** The vocabulary (the transformer's, so both see the same words). */
  vocabulary: Vocabulary;
  /**
   * Passes over the training data.
   * @default {20}
   */
  epochs?: number;
  /**
   * Adam's learning rate.
   * @default {0.05}
   */
  lr?: number;
  /**
   * Adam's L2 weight decay.
   * @default {1e-4}
   */
  weightDecay?: number;
  /**
   * Seed of the initial weights and the batch order.
   * @default {0}
   */
  seed?: number;
}

/** A trained bag-of-words classifier. */
export interface BagOfWordsModel {
  /** P(positive) for each example, in order. */
  probabilities(examples: readonly LabeledText[]): Float64Array;
  /** The share of examples classified correctly. */
  accuracy(examples: readonly LabeledText[]): number;
}

/**
 * Logistic regression on term frequencies: `logits = W · tf(sentence) + b`
 * with `tf` each word's count divided by the sentence's length — computed
 * as the mean of the embedding rows `W[id]` over the sentence's words, so no
 * (N, V) matrix is built. Adam, batches of 32, best validation epoch kept.
 *
 * Shape: ids (B, T) → rows (B, T, 2) → mean over real positions (B, 2).
 *
 * @example
 * ```ts
 * import { trainBagOfWords } from "./baselines.ts";
 * import { Vocabulary } from "../data/vocabulary.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const train = ["good", "good fun", "bad", "bad mess"].map((text, i) => ({ text, label: i < 2 ? 1 : 0 }));
 * const vocabulary = Vocabulary.fromTexts(train.map((e) => e.text));
 * const model = trainBagOfWords({ train, vocabulary, epochs: 30 });
 * strictEqual(model.accuracy(train), 1);
 * ```
 */
export function trainBagOfWords(options: BagOfWordsOptions): BagOfWordsModel {
  const { train, vocabulary } = options;
  const seed = options.seed ?? 0;
  const weight = uniformParameter([vocabulary.size, 2], 0.01, childSeed(seed, "bag-of-words"));
  const bias = constantParameter([2], 0);
  const optimizer = new Adam([weight, bias], {
    lr: options.lr ?? 0.05,
    weightDecay: options.weightDecay ?? 1e-4,
  });
  const logitsOf = (ids: Tensor, mask: Tensor): Tensor => {
    const [B, T] = ids.shape as [number, number];
    const rows = embedding(ids, weight); // (B, T, 2); padding id 0 has its own (unused) row
    const counts = mask.sum(1, { keepDims: true }).maximum(1); // (B, 1)
    return rows.mul(mask.reshape(B, T, 1)).sum(1).div(counts).add(bias);
  };
  const probabilities = (examples: readonly LabeledText[]): Float64Array => {
    const out = new Float64Array(examples.length);
    noGrad(() => {
      for (const batch of batchExamples(examples, vocabulary, { batchSize: 256 })) {
        const logits = logitsOf(batch.ids, batch.mask).data;
        batch.indices.forEach((index, row) => {
          out[index] = 1 / (1 + Math.exp(logits[row * 2]! - logits[row * 2 + 1]!));
        });
      }
    });
    return out;
  };
  const accuracy = (examples: readonly LabeledText[]): number => {
    const p = probabilities(examples);
    let correct = 0;
    examples.forEach((example, i) => {
      if ((p[i]! > 0.5 ? 1 : 0) === example.label) correct++;
    });
    return examples.length === 0 ? 0 : correct / examples.length;
  };
  let best = { accuracy: -1, weight: weight.data.slice(), bias: bias.data.slice() };
  for (let epoch = 1; epoch <= (options.epochs ?? 20); epoch++) {
    for (const batch of batchExamples(train, vocabulary, { batchSize: 32, seed: seed + epoch })) {
      const loss = crossEntropy(logitsOf(batch.ids, batch.mask), batch.labels);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
    }
    if (options.validation !== undefined && options.validation.length > 0) {
      const score = accuracy(options.validation);
      if (score > best.accuracy) {
        best = { accuracy: score, weight: weight.data.slice(), bias: bias.data.slice() };
      }
    }
  }
  if (best.accuracy >= 0) {
    weight.data.set(best.weight);
    bias.data.set(best.bias);
    weight.markModified();
    bias.markModified();
  }
  return { probabilities, accuracy };
}
