/**
 * Explorables of training: slider charts over epochs (how sure each model is
 * of the right label) and over batchings (one sentence's prediction as its
 * batch companions change).
 *
 * @module
 */
import { baseLayout } from "./_chart_style.ts";
import { plotlyText } from "./_plotly_text.ts";
import type { Figure, Trace } from "./figure.ts";
import type { NormKind } from "./nn/transformer.ts";
import { sliderFigure } from "./slider_figure.ts";
import type { SentenceBatching } from "./train/sentence_batchings.ts";
import { NORM_COLORS, NORM_NAMES } from "./training_charts.ts";

/** One model's test-split predictions after one epoch. */
export interface EpochPredictions {
  /** The model's normalisation. */
  norm: NormKind;
  /** The epoch, from 1. */
  epoch: number;
  /** P(positive) per test sentence. */
  probabilities: ArrayLike<number>;
  /** The true label (0 or 1) per test sentence, in the same order. */
  labels: ArrayLike<number>;
}

/** The bins of P(true label): [0, 0.1), [0.1, 0.2), …, [0.9, 1]. */
const BINS = 10;

/** The share of sentences per bin of the probability the model gives their true label. */
function confidenceShares(predictions: EpochPredictions): number[] {
  const { probabilities, labels } = predictions;
  if (probabilities.length !== labels.length || probabilities.length === 0) {
    throw new Error(
      `confidenceExplorable: expected as many labels as probabilities (and some) but found ${labels.length} labels and ${probabilities.length} probabilities (${
        NORM_NAMES[predictions.norm]
      }, epoch ${predictions.epoch})`,
    );
  }
  const counts = new Array<number>(BINS).fill(0);
  for (let i = 0; i < probabilities.length; i++) {
    const p = labels[i] === 1 ? probabilities[i]! : 1 - probabilities[i]!;
    counts[Math.min(BINS - 1, Math.max(0, Math.floor(p * BINS)))]!++;
  }
  return counts.map((count) => count / probabilities.length);
}

/**
 * A slider over epochs: for each norm, the distribution over the test
 * sentences of the probability the model gives the **true** label, in ten
 * bins. Mass on the right is confident and right, on the left confident and
 * wrong, in the middle unsure; a model that has not learned piles up near 0.5.
 * One line per norm (the norms of the first epoch, in order), one step per epoch.
 *
 * @param predictions Every norm's predictions after every epoch (any order).
 * @returns A slider {@linkcode Figure}, one frame per epoch.
 *
 * @example
 * ```ts
 * import { confidenceExplorable } from "./training_explorables.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const labels = [1, 0, 1, 0];
 * const figure = confidenceExplorable([
 *   { norm: "layer", epoch: 1, probabilities: [0.5, 0.5, 0.6, 0.4], labels },
 *   { norm: "layer", epoch: 2, probabilities: [0.95, 0.05, 0.9, 0.2], labels },
 * ]);
 * strictEqual(figure.frames!.length, 2);
 * // After epoch 2, three of the four sentences get P(true label) ≥ 0.9 (0.95, 0.95, 0.9).
 * strictEqual((figure.frames![1]!.data[0]!.y as number[])[9], 0.75);
 * ```
 */
export function confidenceExplorable(predictions: readonly EpochPredictions[]): Figure {
  const epochs = [...new Set(predictions.map((p) => p.epoch))].sort((a, b) => a - b);
  const norms = [...new Set(predictions.map((p) => p.norm))];
  if (epochs.length === 0) {
    throw new Error(
      "confidenceExplorable: expected predictions of at least one epoch but found none",
    );
  }
  const find = (norm: NormKind, epoch: number) => {
    const found = predictions.find((p) => p.norm === norm && p.epoch === epoch);
    if (found === undefined) {
      throw new Error(
        `confidenceExplorable: ${NORM_NAMES[norm]} has no predictions for epoch ${epoch}`,
      );
    }
    return found;
  };
  const centres = Array.from({ length: BINS }, (_, b) => (b + 0.5) / BINS);
  const data: Trace[] = norms.map((norm) => ({
    type: "scatter",
    mode: "lines+markers",
    name: plotlyText(NORM_NAMES[norm]),
    x: centres,
    y: confidenceShares(find(norm, epochs[0]!)),
    line: { color: NORM_COLORS[norm], width: 2, shape: "spline", smoothing: 0.4 },
    hovertemplate: `${plotlyText(NORM_NAMES[norm])}: %{y:.1%} of the sentences<extra></extra>`,
  }));
  const layout = baseLayout(
    "How sure each model is of the right label, epoch by epoch (test split)",
    {
      xaxis: {
        title: { text: "P(true label): left of 0.5 wrong, right of it right" },
        range: [0, 1],
        dtick: 0.1,
      },
      yaxis: { title: { text: "share of test sentences" }, tickformat: ".0%", rangemode: "tozero" },
      shapes: [{
        type: "line",
        x0: 0.5,
        x1: 0.5,
        yref: "paper",
        y0: 0,
        y1: 1,
        line: { color: "#6b7280", dash: "dot", width: 1 },
      }],
    },
  );
  return sliderFigure(
    { data, layout },
    epochs.map((epoch) => ({
      label: `epoch ${epoch} of ${epochs[epochs.length - 1]}`,
      data: norms.map((norm) => ({ y: confidenceShares(find(norm, epoch)) })),
    })),
    { frameDuration: 700, significantDigits: 4 },
  );
}

/** Options for {@linkcode batchingExplorable}. */
export interface BatchingExplorableOptions {
  /** The followed sentence. */
  sentence: string;
  /** Its true label (0 negative, 1 positive). */
  label: number;
  /** A name per model, in the order of each row's probabilities. */
  names: readonly string[];
  /** A colour per model. @default {the palette} */
  colors?: readonly string[];
}

const FALLBACK_COLORS = ["#dc2626", "#ea580c", "#9333ea", "#2563eb", "#16a34a", "#4b5563"];

/** `text`, shortened to `max` characters with an ellipsis. */
function shorten(text: string, max: number): string {
  const characters = Array.from(text);
  return characters.length <= max ? text : `${characters.slice(0, max - 1).join("")}…`;
}

/**
 * A slider over batchings: one sentence's P(positive) under each model in
 * each random batching of {@linkcode sentenceInBatchings}, with the decision
 * threshold 0.5 drawn. The slider label names the first companions and the
 * batch's padded length. A model whose prediction does not depend on the
 * batch shows a bar that does not move.
 *
 * @param rows The sentence in each batching.
 * @returns A slider {@linkcode Figure}, one frame per batching.
 *
 * @example
 * ```ts
 * import { batchingExplorable } from "./training_explorables.ts";
 * import { plotlyDisplayText } from "./_plotly_text.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const figure = batchingExplorable([
 *   { seed: 0, companions: ["fine", "awful"], length: 3, probabilities: [0.7, 0.6] },
 *   { seed: 1, companions: ["so so"], length: 2, probabilities: [0.4, 0.6] },
 * ], { sentence: "good", label: 1, names: ["BatchNorm", "LayerNorm"] });
 * const steps = (figure.layout.sliders as { steps: { label: string }[] }[])[0]!.steps;
 * strictEqual(plotlyDisplayText(steps[0]!.label), "batching 0: with “fine”, “awful” · T = 3");
 * ```
 */
export function batchingExplorable(
  rows: readonly SentenceBatching[],
  options: BatchingExplorableOptions,
): Figure {
  const first = rows[0];
  if (first === undefined) {
    throw new Error("batchingExplorable: expected at least one batching but found none");
  }
  const { names } = options;
  for (const [i, row] of rows.entries()) {
    if (row.probabilities.length !== names.length) {
      throw new Error(
        `batchingExplorable: batching ${i} has ${row.probabilities.length} probabilities but ${names.length} model names`,
      );
    }
  }
  const colors = options.colors ?? FALLBACK_COLORS;
  const data: Trace[] = names.map((name, m) => ({
    type: "bar",
    name: plotlyText(name),
    x: [plotlyText(name)],
    y: [first.probabilities[m]!],
    marker: { color: colors[m % colors.length] },
    texttemplate: "%{y:.3f}",
    textposition: "outside",
    cliponaxis: false,
    hovertemplate: `${plotlyText(name)}: P(positive) = %{y:.4f}<extra></extra>`,
  }));
  const truth = options.label === 1 ? "positive" : "negative";
  const layout = baseLayout(
    `"${shorten(options.sentence.trim(), 70)}" (${truth}) in ${rows.length} random batchings`,
    {
      barmode: "group",
      showlegend: false,
      xaxis: { type: "category" },
      yaxis: { title: { text: "P(positive)" }, range: [0, 1.08], autorange: false },
      shapes: [{
        type: "line",
        xref: "paper",
        x0: 0,
        x1: 1,
        y0: 0.5,
        y1: 0.5,
        line: { color: "#6b7280", dash: "dot", width: 1 },
      }],
    },
  );
  return sliderFigure(
    { data, layout },
    rows.map((row, k) => {
      const shown = row.companions.slice(0, 3).map((c) => `“${shorten(c, 32)}”`).join(", ");
      const more = row.companions.length > 3 ? ` and ${row.companions.length - 3} more` : "";
      return {
        label: `batching ${k}: with ${shown || "no companions"}${more} · T = ${row.length}`,
        data: row.probabilities.map((p) => ({ y: [p] })),
      };
    }),
    { frameDuration: 900, significantDigits: 4 },
  );
}
