/**
 * Experiments shared by the notebooks and the command line. Each returns
 * plain data (rows of numbers), ready for a table, a chart or JSON.
 *
 * @module
 */
import { batchNorm } from "./batch_norm.ts";
import { CLASSIC_SENTENCES, LONGEST_LENGTH } from "./examples.ts";
import { layerNorm } from "./layer_norm.ts";
import { padSequences } from "./padding.ts";
import { featureStats } from "./stats.ts";
import type { Tensor } from "./tensor.ts";
import { embed, encodeBatch, tokenize } from "./text.ts";

/** Options for {@linkcode paddingSweep}. */
export interface PaddingSweepOptions {
  /** The batch. @default {the classic two sentences} */
  sentences?: readonly string[];
  /** D, the embedding width. @default {3} */
  dim?: number;
  /** The embedding seed. @default {0} */
  seed?: number;
  /** The last padded length T. @default {100, the longest document} */
  maxLength?: number;
  /** The step between padded lengths. @default {1} */
  step?: number;
  /** Called after each padded length with (done, total), e.g. for a progress line. */
  onProgress?: (done: number, total: number) => void;
}

/** One padded length of the sweep. */
export interface SweepRow {
  /** The padded length T. */
  length: number;
  /** The fraction of the (B·T) positions that are padding. */
  paddingFraction: number;
  /** BatchNorm's per-feature mean (D) with the padding counted. */
  meanWithPadding: number[];
  /** BatchNorm's per-feature standard deviation (D), padding counted. */
  stdWithPadding: number[];
  /** Per-feature mean over real tokens only (what masked BatchNorm uses; constant). */
  meanReal: number[];
  /** Per-feature standard deviation over real tokens only. */
  stdReal: number[];
  /** The tracked real token's BatchNorm output (D), padding counted. */
  trackedBatchNorm: number[];
  /** The tracked token's masked BatchNorm output (D): the same at every length. */
  trackedMaskedBatchNorm: number[];
  /** The tracked token's LayerNorm output (D): the same at every length. */
  trackedLayerNorm: number[];
  /** max |BatchNorm(x_T) − BatchNorm(x_natural)| over real tokens: how far padding moved them. */
  batchNormShift: number;
  /** max |BatchNorm(x_T) − masked BatchNorm(x_T)| over real tokens: the error padding causes. */
  batchNormError: number;
  /** The same shift for masked BatchNorm (0 up to rounding). */
  maskedBatchNormShift: number;
  /** The same shift for LayerNorm: exactly 0. */
  layerNormShift: number;
}

/** The result of {@linkcode paddingSweep}. */
export interface PaddingSweep {
  /** The sentences' tokens. */
  tokens: string[][];
  /** The natural (longest) length, where the sweep starts. */
  naturalLength: number;
  /** The real token whose output is tracked: the first token of the first sentence. */
  trackedToken: string;
  /** One row per padded length. */
  rows: SweepRow[];
}

/**
 * The padding sweep: pads one fixed batch from its natural length up to
 * `maxLength` (100 by default: in a corpus whose longest document has 100
 * words, a typical 32-word one is mostly padding) and records, at each
 * length, BatchNorm's per-feature statistics with and without the mask, how
 * far BatchNorm moves the real tokens' outputs, and the same for masked
 * BatchNorm and LayerNorm (which stay put).
 *
 * @example
 * ```ts
 * import { paddingSweep } from "./experiments.ts";
 * import { ok } from "node:assert/strict";
 *
 * const sweep = paddingSweep({ maxLength: 32, step: 4 });
 * const last = sweep.rows[sweep.rows.length - 1]!;
 * ok(last.batchNormShift > 0.1 && last.layerNormShift === 0);
 * ```
 */
export function paddingSweep(options: PaddingSweepOptions = {}): PaddingSweep {
  const sentences = options.sentences ?? CLASSIC_SENTENCES;
  const dim = options.dim ?? 3;
  const step = options.step ?? 1;
  const base = encodeBatch(sentences, { dim, seed: options.seed });
  const naturalLength = base.x.shape[1]!;
  const maxLength = options.maxLength ?? Math.max(LONGEST_LENGTH, naturalLength);
  if (!Number.isInteger(maxLength) || maxLength < naturalLength) {
    throw new Error(
      `paddingSweep: expected maxLength to be an integer ≥ the natural length ${naturalLength} but found ${maxLength}`,
    );
  }
  if (!Number.isInteger(step) || step < 1) {
    throw new Error(`paddingSweep: expected step to be a positive integer but found ${step}`);
  }
  const sequences = base.tokens.map((words) => embed(words, { dim, seed: options.seed }));
  const lengths: number[] = [];
  for (let length = naturalLength; length <= maxLength; length += step) lengths.push(length);
  if (lengths[lengths.length - 1] !== maxLength) lengths.push(maxLength);
  const reference = {
    plain: batchNorm(base.x),
    masked: batchNorm(base.x, { mask: base.mask }),
    layer: layerNorm(base.x),
  };
  const real = featureStats(base.x, { mask: base.mask });
  const rows: SweepRow[] = [];
  for (const [done, length] of lengths.entries()) {
    const { x, mask, lengths: realLengths } = padSequences(sequences, { maxLength: length });
    const padded = featureStats(x);
    const plain = batchNorm(x);
    const masked = batchNorm(x, { mask });
    const layer = layerNorm(x);
    const realCount = realLengths.reduce((sum, n) => sum + n, 0);
    rows.push({
      length,
      paddingFraction: 1 - realCount / (sentences.length * length),
      meanWithPadding: Array.from(padded.mean.data),
      stdWithPadding: Array.from(padded.variance.sqrt().data),
      meanReal: Array.from(real.mean.data),
      stdReal: Array.from(real.variance.sqrt().data),
      trackedBatchNorm: Array.from(plain.data.subarray(0, dim)),
      trackedMaskedBatchNorm: Array.from(masked.data.subarray(0, dim)),
      trackedLayerNorm: Array.from(layer.data.subarray(0, dim)),
      batchNormShift: realShift(plain, reference.plain, realLengths),
      batchNormError: realShift(plain, masked, realLengths),
      maskedBatchNormShift: realShift(masked, reference.masked, realLengths),
      layerNormShift: realShift(layer, reference.layer, realLengths),
    });
    options.onProgress?.(done + 1, lengths.length);
  }
  return { tokens: base.tokens, naturalLength, trackedToken: base.tokens[0]?.[0] ?? "", rows };
}

/** max |a − b| over the real tokens of (B, T_a, D) and (B, T_b, D), right-padded. */
function realShift(a: Tensor, b: Tensor, lengths: readonly number[]): number {
  const dim = a.shape[2]!;
  const positionsA = a.shape[1]!;
  const positionsB = b.shape[1]!;
  let worst = 0;
  for (const [item, length] of lengths.entries()) {
    for (let t = 0; t < length; t++) {
      for (let d = 0; d < dim; d++) {
        const difference = Math.abs(
          a.data[(item * positionsA + t) * dim + d]! - b.data[(item * positionsB + t) * dim + d]!,
        );
        if (difference > worst) worst = difference;
      }
    }
  }
  return worst;
}

/** Options for {@linkcode batchDependence}. */
export interface BatchDependenceOptions {
  /** The sentence followed through the batches. @default {the first classic sentence} */
  sentence?: string;
  /** The batches' other sentences: one list per batch. @default {four built-in batches} */
  companions?: readonly (readonly string[])[];
  /** D. @default {3} */
  dim?: number;
  /** The embedding seed. @default {0} */
  seed?: number;
}

/** The followed sentence in one batch. */
export interface BatchDependenceRow {
  /** The other sentences in the batch ("(alone)" for none). */
  batch: string;
  /** The other sentences in the batch, as a list (empty for none). */
  companions: string[];
  /** The padded length of the batch. */
  length: number;
  /** BatchNorm's output for the sentence's first token (D). */
  batchNormFirstToken: number[];
  /** Masked BatchNorm's output for the first token (D). */
  maskedBatchNormFirstToken: number[];
  /** LayerNorm's output for the first token (D). */
  layerNormFirstToken: number[];
  /** max |Δ| of the sentence's BatchNorm output against the first batch. */
  batchNormShift: number;
  /** The same for masked BatchNorm: padding excluded, companions still count. */
  maskedBatchNormShift: number;
  /** The same for LayerNorm: 0. */
  layerNormShift: number;
}

const DEFAULT_COMPANIONS: readonly (readonly string[])[] = [
  ["The acting was terrible"],
  ["A slow and painfully long film with a plot that goes nowhere at all"],
  ["Wonderful", "Boring"],
  ["I would watch it again tomorrow with all of my friends and family"],
];

/**
 * Batch dependence: the same sentence normalised in different batches. Its
 * BatchNorm output changes with its companions (through their values and
 * their padding); masked BatchNorm removes the padding's share but not the
 * companions'; LayerNorm's output is identical in every batch.
 *
 * @example
 * ```ts
 * import { batchDependence } from "./experiments.ts";
 * import { ok } from "node:assert/strict";
 *
 * const rows = batchDependence();
 * ok(rows.some((row) => row.batchNormShift > 0.1));
 * ok(rows.every((row) => row.layerNormShift === 0));
 * ```
 */
export function batchDependence(options: BatchDependenceOptions = {}): BatchDependenceRow[] {
  const sentence = options.sentence ?? CLASSIC_SENTENCES[0]!;
  const companions = options.companions ?? DEFAULT_COMPANIONS;
  const dim = options.dim ?? 3;
  const words = tokenize(sentence).length;
  if (words === 0) {
    throw new Error(
      `batchDependence: expected a sentence with at least one word but found ${
        JSON.stringify(sentence)
      }`,
    );
  }
  const outputs = companions.map((others) => {
    const { x, mask } = encodeBatch([sentence, ...others], { dim, seed: options.seed });
    const take = (y: Tensor) => Array.from(y.data.subarray(0, words * dim));
    return {
      batch: others.length === 0 ? "(alone)" : others.join(" | "),
      companions: [...others],
      length: x.shape[1]!,
      plain: take(batchNorm(x)),
      masked: take(batchNorm(x, { mask })),
      layer: take(layerNorm(x)),
    };
  });
  const first = outputs[0];
  const shift = (a: number[], b: number[] | undefined) =>
    b === undefined
      ? 0
      : a.reduce((worst, value, i) => Math.max(worst, Math.abs(value - b[i]!)), 0);
  return outputs.map((o) => ({
    batch: o.batch,
    companions: o.companions,
    length: o.length,
    batchNormFirstToken: o.plain.slice(0, dim),
    maskedBatchNormFirstToken: o.masked.slice(0, dim),
    layerNormFirstToken: o.layer.slice(0, dim),
    batchNormShift: shift(o.plain, first?.plain),
    maskedBatchNormShift: shift(o.masked, first?.masked),
    layerNormShift: shift(o.layer, first?.layer),
  }));
}
