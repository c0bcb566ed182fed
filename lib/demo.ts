/**
 * The demo: the padding story on a batch of sentences — padding,
 * self-attention, BatchNorm's columns, LayerNorm's rows, the padding sweep,
 * batch dependence — as numbers and an offline HTML report.
 *
 * @module
 */
import { reserveOutput } from "./_atomic_write.ts";
import { terminalText } from "./_safe_text.ts";
import { SelfAttention } from "./attention.ts";
import { batchNorm } from "./batch_norm.ts";
import { buildReport } from "./demo_report.ts";
import { BENGALI_COMPANIONS, TYPICAL_LENGTH } from "./examples.ts";
import { batchDependence, type BatchDependenceRow, paddingSweep } from "./experiments.ts";
import { checkLanguage, type Language } from "./i18n/translate.ts";
import { layerNorm } from "./layer_norm.ts";
import { featureStats, tokenStats } from "./stats.ts";
import { encodeBatch, tokenize } from "./text.ts";

/** What the demo runs on. */
export interface DemoOptions {
  /** The report's path (written atomically), or null for no report. */
  out: string | null;
  /** The batch's sentences. */
  sentences: string[];
  /** D, the embedding width. */
  dim: number;
  /** The embedding seed. */
  seed: number;
  /** The sweep's last padded length. */
  maxLength: number;
  /** Machine-readable results on stdout instead of the summary. */
  json: boolean;
  /**
   * The language of the summary and the report; Bengali also puts the
   * followed sentence among Bengali companions in the batch-dependence
   * experiment.
   * @default {"en"}
   */
  lang?: Language;
}

/** Where the demo reports progress: a line that overwrites itself, when given. */
export interface DemoProgress {
  /** Shows progress text; "" clears it. */
  progress?: (text: string) => void;
}

/** The demo's results, as `--json` prints them. */
export interface DemoResult {
  /** The batch's sentences. */
  sentences: string[];
  /** Their tokens. */
  tokens: string[][];
  /** The padded batch's shape (B, T, D). */
  shape: number[];
  /** How many positions hold real tokens. */
  realPositions: number;
  /** How many are padding. */
  paddedPositions: number;
  /** Self-attention with Q = K = V = x, with and without the key mask. */
  attention: {
    /** Share of the real queries' attention that goes to padded keys without the mask. */
    weightOnPaddingUnmasked: number;
    /** The same with the mask: 0. */
    weightOnPaddingMasked: number;
    /** The largest |output| at a padded query position (not zero after the softmax). */
    paddedQueryOutputMax: number;
  };
  /** BatchNorm's column statistics, (D) each. */
  batchNorm: {
    /** Per-feature mean, padding counted. */
    meanWithPadding: number[];
    /** Per-feature mean over real tokens. */
    meanReal: number[];
    /** Per-feature standard deviation, padding counted. */
    stdWithPadding: number[];
    /** Per-feature standard deviation over real tokens. */
    stdReal: number[];
    /** max |plain − masked| BatchNorm output over real tokens. */
    realTokenError: number;
  };
  /** LayerNorm's row statistics. */
  layerNorm: {
    /** Per-token mean and variance of x (B, T). */
    tokenMean: number[][];
    tokenVariance: number[][];
    /** The largest |mean| and |variance − 1| of LayerNorm's output over real tokens. */
    outputMeanMax: number;
    outputVarianceDeviationMax: number;
  };
  /** The padding sweep, summarised. */
  sweep: {
    /** The batch's own length, where the sweep starts. */
    naturalLength: number;
    /** Where it ends. */
    maxLength: number;
    /** The real token whose BatchNorm output the sweep follows. */
    trackedToken: string;
    /** The sweep at the typical document length (32), when it is reached. */
    atTypical?: SweepSummary;
    /** The sweep at its last length. */
    atEnd: SweepSummary;
  };
  /** The first sentence normalised in different batches. */
  batchDependence: BatchDependenceRow[];
  /** The report written: absolute path, size, number of charts; null when `out` was null. */
  report: { path: string; bytes: number; charts: number } | null;
}

/** One padded length of the sweep, as the demo reports it. */
export interface SweepSummary {
  /** The padded length T. */
  length: number;
  /** The share of positions that are padding. */
  paddingFraction: number;
  /** max |Δy| of the real tokens under BatchNorm, against the unpadded batch. */
  batchNormShift: number;
  /** The same under masked BatchNorm. */
  maskedBatchNormShift: number;
  /** The same under LayerNorm (0). */
  layerNormShift: number;
}

/**
 * The demo's limits, set by what a person can read and what finishes in
 * seconds: checked before any work by {@linkcode checkDemoOptions}.
 */
export const DEMO_LIMITS: {
  /** Sentences in the batch (a heatmap panel each). */
  readonly sentences: number;
  /** Words in one sentence (a 64 × 64 attention heatmap is about as much as one reads). */
  readonly words: number;
  /** Characters in one sentence. */
  readonly characters: number;
  /** The embedding width D (heatmap columns). */
  readonly dim: number;
  /** The padding sweep's last length. */
  readonly maxLength: number;
  /** The sweep's work, B·D·Σ T over its lengths (1e7: a few seconds, with the report). */
  readonly sweepWork: number;
} = Object.freeze({
  sentences: 16,
  words: 64,
  characters: 1000,
  dim: 32,
  maxLength: 1000,
  sweepWork: 1e7,
});

/** How {@linkcode checkDemoOptions} names the options in its errors. */
export interface DemoOptionNames {
  /** The sentences (the CLI says `--sentence`). */
  sentences: string;
  /** The width (`--dim`). */
  dim: string;
  /** The seed (`--seed`). */
  seed: string;
  /** The sweep's last length (`--max-length`). */
  maxLength: string;
}

const API_NAMES: DemoOptionNames = {
  sentences: "runDemo: sentences",
  dim: "runDemo: dim",
  seed: "runDemo: seed",
  maxLength: "runDemo: maxLength",
};

/**
 * Checks the demo's options against {@linkcode DEMO_LIMITS} before any work
 * starts and returns each sentence's tokens; throws an `Error` naming the
 * option and the limit. BatchNorm in training mode needs more than one real
 * position, so the sentences need at least 2 words in all.
 *
 * @example
 * ```ts
 * import { checkDemoOptions } from "./demo.ts";
 * import { throws } from "node:assert/strict";
 *
 * const options = { out: null, sentences: ["Loved it"], dim: 3, seed: 0, maxLength: 100, json: false };
 * checkDemoOptions(options);
 * throws(() => checkDemoOptions({ ...options, dim: 100000 }), /runDemo: dim: expected an integer from 1 to 32/);
 * ```
 */
export function checkDemoOptions(
  options: DemoOptions,
  names: DemoOptionNames = API_NAMES,
): string[][] {
  if (typeof options !== "object" || options === null) {
    throw new Error(`${names.sentences.split(":")[0]}: expected options but found ${options}`);
  }
  const { sentences, dim, seed, maxLength } = options;
  if (!Number.isInteger(dim) || dim < 1 || dim > DEMO_LIMITS.dim) {
    throw new Error(
      `${names.dim}: expected an integer from 1 to ${DEMO_LIMITS.dim} but found ${dim}`,
    );
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new Error(`${names.seed}: expected an integer ≥ 0 but found ${seed}`);
  }
  if (!Array.isArray(sentences) || sentences.length === 0) {
    throw new Error(`${names.sentences}: expected at least one sentence but found none`);
  }
  if (sentences.length > DEMO_LIMITS.sentences) {
    throw new Error(
      `${names.sentences}: expected at most ${DEMO_LIMITS.sentences} sentences but found ${sentences.length}`,
    );
  }
  const tokens: string[][] = [];
  for (const [i, sentence] of sentences.entries()) {
    if (typeof sentence !== "string") {
      throw new Error(
        `${names.sentences}: expected sentence ${i} to be a string but found ${typeof sentence}`,
      );
    }
    if (sentence.length > DEMO_LIMITS.characters) {
      throw new Error(
        `${names.sentences}: expected at most ${DEMO_LIMITS.characters} characters per sentence but sentence ${i} has ${sentence.length}`,
      );
    }
    const words = tokenize(sentence);
    if (words.length === 0) {
      throw new Error(
        `${names.sentences}: expected at least one word in sentence ${i} but found none in ${
          JSON.stringify(terminalText(sentence))
        } (punctuation and spaces are not words)`,
      );
    }
    if (words.length > DEMO_LIMITS.words) {
      throw new Error(
        `${names.sentences}: expected at most ${DEMO_LIMITS.words} words per sentence but sentence ${i} has ${words.length}`,
      );
    }
    tokens.push(words);
  }
  const total = tokens.reduce((sum, words) => sum + words.length, 0);
  if (total < 2) {
    throw new Error(
      `${names.sentences}: expected at least 2 words in all (BatchNorm's training statistics need more than one real position) but found ${total}`,
    );
  }
  const length = Math.max(...tokens.map((words) => words.length));
  if (!Number.isInteger(maxLength) || maxLength < length || maxLength > DEMO_LIMITS.maxLength) {
    throw new Error(
      `${names.maxLength}: expected an integer from the batch's length ${length} (its longest sentence) to ${DEMO_LIMITS.maxLength} but found ${maxLength}`,
    );
  }
  // The sweep normalises (B, L, D) for every L from T to maxLength.
  const work = sentences.length * dim * ((maxLength * (maxLength + 1) - (length - 1) * length) / 2);
  if (work > DEMO_LIMITS.sweepWork) {
    throw new Error(
      `${names.maxLength}: the padding sweep of ${sentences.length} sentences × dim ${dim} up to ${maxLength} positions is too large (${
        work.toExponential(1)
      } values > ${
        DEMO_LIMITS.sweepWork.toExponential(0)
      }); lower it, the dim or the number of sentences`,
    );
  }
  return tokens;
}

function rows2d(values: Float32Array | Float64Array, rows: number, cols: number): number[][] {
  return Array.from(
    { length: rows },
    (_, r) => Array.from(values.subarray(r * cols, (r + 1) * cols)),
  );
}

/**
 * Runs the story — padding, self-attention, BatchNorm's columns, LayerNorm's
 * rows, the padding sweep, batch dependence — writes the report to
 * `options.out` and returns the numbers.
 *
 * @example
 * ```ts
 * import { runDemo } from "./demo.ts";
 * import { parseDemoArgs } from "./cli.ts";
 * import { ok, strictEqual } from "node:assert/strict";
 *
 * const out = await Deno.makeTempFile({ suffix: ".html" });
 * const result = await runDemo({ ...parseDemoArgs(["--max-length", "16"])!, out }, {});
 * strictEqual(result.sweep.atEnd.layerNormShift, 0);
 * ok(result.sweep.atEnd.batchNormShift > 0);
 * await Deno.remove(out);
 * ```
 */
export async function runDemo(
  options: DemoOptions,
  io: DemoProgress = {},
): Promise<DemoResult> {
  checkDemoOptions(options);
  // Reserve the report's file first: an unwritable path fails now, not after the work.
  const output = options.out === null ? null : await reserveOutput(options.out, "runDemo: out");
  try {
    return await computeDemo(options, io, output === null ? null : output.commit);
  } catch (error) {
    await output?.abort();
    throw error;
  }
}

async function computeDemo(
  options: DemoOptions,
  io: DemoProgress,
  write: ((html: string) => Promise<void>) | null,
): Promise<DemoResult> {
  const { sentences, dim, seed } = options;
  const lang = checkLanguage(options.lang, "demo");
  const batch = encodeBatch(sentences, { dim, seed });
  const { x, mask, tokens } = batch;
  const [B, T] = [x.shape[0]!, x.shape[1]!];
  const maskData = mask.data;
  const realPositions = batch.lengths.reduce((sum, n) => sum + n, 0);
  const rowLabels = tokens.map((words) => Array.from({ length: T }, (_, t) => words[t] ?? "<pad>"));
  const featureLabels = Array.from({ length: dim }, (_, d) => `d${d}`);

  // Self-attention, Q = K = V = x, with and without the key mask.
  const attention = new SelfAttention(dim, { projections: false });
  const unmasked = attention.forward(x);
  const masked = attention.forward(x, { mask });
  let paddingWeight = 0;
  let paddingWeightMasked = 0;
  let paddedQueryOutputMax = 0;
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < T; i++) {
      const queryIsReal = maskData[b * T + i] === 1;
      for (let j = 0; j < T; j++) {
        if (maskData[b * T + j] === 0 && queryIsReal) {
          paddingWeight += unmasked.weights.data[(b * T + i) * T + j]!;
          paddingWeightMasked += masked.weights.data[(b * T + i) * T + j]!;
        }
      }
      if (!queryIsReal) {
        for (let d = 0; d < dim; d++) {
          paddedQueryOutputMax = Math.max(
            paddedQueryOutputMax,
            Math.abs(masked.output.data[(b * T + i) * dim + d]!),
          );
        }
      }
    }
  }

  // BatchNorm's columns and LayerNorm's rows.
  const padded = featureStats(x);
  const real = featureStats(x, { mask });
  const plainBatchNorm = batchNorm(x);
  const maskedBatchNorm = batchNorm(x, { mask });
  const normalized = layerNorm(x);
  const inputTokens = tokenStats(x);
  const outputTokens = tokenStats(normalized);
  let realTokenError = 0;
  let outputMeanMax = 0;
  let outputVarianceDeviationMax = 0;
  for (let row = 0; row < B * T; row++) {
    if (maskData[row] === 0) continue;
    outputMeanMax = Math.max(outputMeanMax, Math.abs(outputTokens.mean.data[row]!));
    outputVarianceDeviationMax = Math.max(
      outputVarianceDeviationMax,
      Math.abs(outputTokens.variance.data[row]! - 1),
    );
    for (let d = 0; d < dim; d++) {
      realTokenError = Math.max(
        realTokenError,
        Math.abs(plainBatchNorm.data[row * dim + d]! - maskedBatchNorm.data[row * dim + d]!),
      );
    }
  }

  const sweepMax = options.maxLength;
  const sweep = paddingSweep({
    sentences,
    dim,
    seed,
    maxLength: sweepMax,
    onProgress: io.progress
      ? (done, total) => io.progress!(`padding sweep ${done}/${total}`)
      : undefined,
  });
  io.progress?.("");
  const dependence = batchDependence({
    sentence: sentences[0],
    dim,
    seed,
    companions: lang === "bn" ? BENGALI_COMPANIONS : undefined,
  });

  let written: { bytes: number; charts: number } | null = null;
  if (write !== null) {
    const report = buildReport(options, {
      batch,
      rowLabels,
      featureLabels,
      unmasked,
      masked,
      padded,
      real,
      plainBatchNorm,
      maskedBatchNorm,
      normalized,
      inputTokens,
      sweep,
      dependence,
    });
    const html = report.toHTML();
    await write(html);
    written = { bytes: new TextEncoder().encode(html).length, charts: report.figureCount };
  }
  const summarize = (length: number): SweepSummary | undefined => {
    const row = sweep.rows.find((r) => r.length === length);
    return row && {
      length: row.length,
      paddingFraction: row.paddingFraction,
      batchNormShift: row.batchNormShift,
      maskedBatchNormShift: row.maskedBatchNormShift,
      layerNormShift: row.layerNormShift,
    };
  };
  const sd = (variance: Float32Array | Float64Array) => Array.from(variance, Math.sqrt);
  return {
    sentences,
    tokens,
    shape: [...x.shape],
    realPositions,
    paddedPositions: B * T - realPositions,
    /** Self-attention with Q = K = V = x, with and without the key mask. */
    attention: {
      weightOnPaddingUnmasked: paddingWeight / Math.max(1, realPositions),
      weightOnPaddingMasked: paddingWeightMasked / Math.max(1, realPositions),
      paddedQueryOutputMax,
    },
    batchNorm: {
      meanWithPadding: Array.from(padded.mean.data),
      meanReal: Array.from(real.mean.data),
      stdWithPadding: sd(padded.variance.data),
      stdReal: sd(real.variance.data),
      realTokenError,
    },
    /** LayerNorm's row statistics. */
    layerNorm: {
      tokenMean: rows2d(inputTokens.mean.data, B, T),
      tokenVariance: rows2d(inputTokens.variance.data, B, T),
      outputMeanMax,
      outputVarianceDeviationMax,
    },
    sweep: {
      naturalLength: sweep.naturalLength,
      maxLength: sweepMax,
      trackedToken: sweep.trackedToken,
      atTypical: summarize(TYPICAL_LENGTH),
      atEnd: summarize(sweepMax)!,
    },
    batchDependence: dependence,
    report: options.out === null || written === null
      ? null
      : { path: await Deno.realPath(options.out), ...written },
  };
}
