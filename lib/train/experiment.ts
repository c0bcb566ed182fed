/**
 * The training experiment: the same small transformer trained with each
 * normalisation on the UCI review sentences, over several seeds, with every
 * measurement of the lesson and two honest baselines. `deno task train` and
 * notebook 04 share it.
 *
 * @module
 */
import { afinnAccuracy } from "../data/afinn.ts";
import { batchExamples, type BatchOrder } from "../data/batching.ts";
import { lengthStats, paddingShare } from "../data/lengths.ts";
import {
  type LabeledText,
  loadSentences,
  type Sentence,
  type SentenceSource,
} from "../data/sentences.ts";
import { splitExamples } from "../data/split.ts";
import { Vocabulary } from "../data/vocabulary.ts";
import type { NormKind, TransformerClassifier } from "../nn/transformer.ts";
import { trainBagOfWords } from "./baselines.ts";
import { batchDependenceOfPredictions, predict } from "./evaluate.ts";
import { type EpochRecord, trainClassifier } from "./trainer.ts";

/** Options for {@linkcode runNormComparison}. */
export interface ExperimentOptions {
  /**
   * The normalisations to compare.
   * @default {["layer", "batch", "maskedBatch", "rms", "none"]}
   */
  norms?: readonly NormKind[];
  /**
   * One training run per seed and norm (seeds change the weights, dropout and batch order;
   * the data split stays the same, so seeds pair across norms).
   * @default {[0, 1, 2]}
   */
  seeds?: readonly number[];
  /**
   * Which reviews.
   * @default {"all"}
   */
  source?: SentenceSource | "all";
  /**
   * Training epochs per run.
   * @default {12}
   */
  epochs?: number;
  /**
   * Training batch order.
   * @default {"random"}
   */
  order?: BatchOrder;
  /**
   * Pre-norm layers.
   * @default {false}
   */
  normFirst?: boolean;
  /**
   * Model width.
   * @default {32}
   */
  dModel?: number;
  /**
   * Sentences per batch, in training and in the measurements.
   * @default {32}
   */
  batchSize?: number;
  /**
   * Batchings per test sentence for the batch-dependence measurement.
   * @default {5}
   */
  batchings?: number;
  /**
   * Use only this many sentences (stratified), for quick runs; all by default.
   */
  limit?: number;
  /** Progress after every step. */
  onProgress?: (progress: ExperimentProgress) => void;
  /**
   * Called when a run finishes (may be async, e.g. to redraw a chart), with
   * the trained model and the test split it was measured on.
   */
  onRun?: (run: RunResult, context: RunContext) => void | Promise<void>;
  /**
   * Called after every epoch of every run (may be async), with the model as
   * it is after that epoch and its test-split predictions.
   */
  onEpoch?: (
    norm: NormKind,
    seed: number,
    record: EpochRecord,
    context: EpochContext,
  ) => void | Promise<void>;
  /** Stops after the current step; the finished runs are returned. */
  signal?: AbortSignal;
}

/** What a run's callback gets besides the numbers: the model and the data it was measured on. */
export interface RunContext {
  /** The model (after training: the kept epoch's weights, in evaluation mode). */
  model: TransformerClassifier;
  /** The test split, in the order of every per-sentence array. */
  test: readonly LabeledText[];
  /** The vocabulary the model reads. */
  vocabulary: Vocabulary;
}

/** What {@linkcode ExperimentOptions.onEpoch} gets besides the epoch's record. */
export interface EpochContext extends RunContext {
  /** P(positive) for each test sentence after this epoch (running statistics, random batches). */
  testProbabilities: Float64Array;
}

/** Where a running experiment is. */
export interface ExperimentProgress {
  /** The run, from 1. */
  run: number;
  /** The number of runs. */
  runs: number;
  /** The run's norm. */
  norm: NormKind;
  /** The run's seed. */
  seed: number;
  /** The epoch, from 1. */
  epoch: number;
  /** Epochs per run. */
  epochs: number;
  /** The step within the epoch, from 1. */
  step: number;
  /** Steps per epoch. */
  stepsPerEpoch: number;
  /** The step's loss. */
  loss: number;
}

/** A value under running (`eval`) and batch (`train`) statistics. */
export interface ByMode<T> {
  /** With running statistics (evaluation mode). */
  eval: T;
  /** With batch statistics (training mode, dropout off). */
  train: T;
}

/** The measurements of one trained model on the test split. */
export interface RunMetrics {
  /** Accuracy with running statistics, random batches of `batchSize`. */
  testAccuracy: number;
  /** Accuracy with batch statistics, the same batches. */
  trainModeAccuracy: number;
  /** Accuracy one sentence at a time (batch size 1, no padding). */
  singleSentenceAccuracy: ByMode<number>;
  /** Accuracy with every batch padded to 100 positions. */
  padded100Accuracy: ByMode<number>;
  /** Spread (max − min) of a sentence's P(positive) across `batchings` random batchings. */
  batchDependence: ByMode<{ mean: number; max: number }>;
  /** The share of test sentences whose predicted label changes across those batchings. */
  labelFlips: ByMode<number>;
  /** |P(batch statistics) − P(running statistics)| per sentence, same batches. */
  trainEvalShift: { mean: number; max: number };
  /** Mean seconds per training epoch. */
  secondsPerEpoch: number;
  /** The epoch whose weights were kept (best validation accuracy). */
  bestEpoch: number;
}

/** One training run and its measurements. */
export interface RunResult {
  /** The normalisation. */
  norm: NormKind;
  /** Pre-norm or post-norm. */
  normFirst: boolean;
  /** The training batch order. */
  order: BatchOrder;
  /** The seed. */
  seed: number;
  /** Per-epoch loss and accuracies (`testAccuracy` is measured after each epoch, for the curves). */
  history: (EpochRecord & { testAccuracy: number })[];
  /** The measurements of the kept weights. */
  metrics: RunMetrics;
  /** Each test sentence's spread across batchings, with batch statistics (for strip plots). */
  trainModeSpreads: number[];
}

/** Mean and standard deviation over seeds. */
export interface MeanStd {
  /** The mean. */
  mean: number;
  /** The sample standard deviation (0 for one seed). */
  std: number;
}

/** What {@linkcode runNormComparison} returns (the `--json` output of `deno task train`). */
export interface ExperimentResult {
  /** The settings. */
  config:
    & Required<Omit<ExperimentOptions, "onProgress" | "onRun" | "onEpoch" | "signal" | "limit">>
    & {
      limit: number | null;
      testFraction: number;
      validationFraction: number;
      minCount: number;
    };
  /** The data: split sizes, vocabulary, sentence lengths, padding shares. */
  data: {
    sentences: number;
    train: number;
    validation: number;
    test: number;
    vocabulary: number;
    lengths: { median: number; p90: number; longest: number; mean: number };
    paddingShare: { random: number; bucketed: number; padded100: number };
  };
  /** Baselines on the same test split. */
  baselines: { afinn: { testAccuracy: number }; bagOfWords: { testAccuracy: MeanStd } };
  /** Every finished run. */
  runs: RunResult[];
  /** Whether the signal stopped the experiment early. */
  stopped: boolean;
}

const TEST_FRACTION = 0.2;
const VALIDATION_FRACTION = 0.1;
const MIN_COUNT = 2;

/**
 * Trains the classifier with each norm and seed and measures it (see
 * {@linkcode RunMetrics}); the data split is fixed (seed 0): 20 % test, then
 * 10 % of the rest for validation. Runs in order norm by norm within each
 * seed, so a stopped experiment has paired results.
 *
 * @example
 * ```ts
 * import { runNormComparison } from "./experiment.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const result = await runNormComparison({
 *   norms: ["layer"], seeds: [0], epochs: 1, limit: 120, dModel: 8, batchings: 2,
 * });
 * strictEqual(result.runs.length, 1);
 * strictEqual(result.data.sentences, 120);
 * ```
 */
export async function runNormComparison(
  options: ExperimentOptions = {},
): Promise<ExperimentResult> {
  const norms = options.norms ?? ["layer", "batch", "maskedBatch", "rms", "none"];
  const seeds = options.seeds ?? [0, 1, 2];
  const epochs = options.epochs ?? 12;
  const order = options.order ?? "random";
  const normFirst = options.normFirst ?? false;
  const dModel = options.dModel ?? 32;
  const batchSize = options.batchSize ?? 32;
  const batchings = options.batchings ?? 5;
  const source = options.source ?? "all";
  let sentences: Sentence[] = loadSentences({ source });
  if (options.limit !== undefined && options.limit < sentences.length) {
    sentences = splitExamples(sentences, {
      testFraction: options.limit / sentences.length,
      seed: 99,
    }).test;
  }
  const { train: trainAll, test } = splitExamples(sentences, {
    testFraction: TEST_FRACTION,
    seed: 0,
  });
  const { train, test: validation } = splitExamples(trainAll, {
    testFraction: VALIDATION_FRACTION,
    seed: 0,
  });
  const vocabulary = Vocabulary.fromTexts(train.map((e) => e.text), { minCount: MIN_COUNT });
  const lengths = lengthStats(sentences);
  const share = (order: BatchOrder, padTo?: number) =>
    paddingShare(batchExamples(train, vocabulary, { batchSize, order, seed: 0, padTo }));
  const bagOfWords = seeds.map((seed) =>
    trainBagOfWords({ train, validation, vocabulary, seed }).accuracy(test)
  );
  const result: ExperimentResult = {
    config: {
      norms: [...norms],
      seeds: [...seeds],
      source,
      epochs,
      order,
      normFirst,
      dModel,
      batchSize,
      batchings,
      limit: options.limit ?? null,
      testFraction: TEST_FRACTION,
      validationFraction: VALIDATION_FRACTION,
      minCount: MIN_COUNT,
    },
    data: {
      sentences: sentences.length,
      train: train.length,
      validation: validation.length,
      test: test.length,
      vocabulary: vocabulary.size,
      lengths: {
        median: lengths.median,
        p90: lengths.p90,
        longest: lengths.longest,
        mean: lengths.mean,
      },
      paddingShare: {
        random: share("random"),
        bucketed: share("bucketed"),
        padded100: share("random", 100),
      },
    },
    baselines: {
      afinn: { testAccuracy: afinnAccuracy(test).accuracy },
      bagOfWords: { testAccuracy: meanStd(bagOfWords) },
    },
    runs: [],
    stopped: false,
  };
  const total = norms.length * seeds.length;
  let run = 0;
  for (const seed of seeds) {
    for (const norm of norms) {
      if (options.signal?.aborted) {
        result.stopped = true;
        return result;
      }
      run++;
      const testAccuracies: number[] = [];
      const trained = await trainClassifier({
        train,
        validation,
        vocabulary,
        norm,
        normFirst,
        dModel,
        epochs,
        batchSize,
        order,
        seed,
        signal: options.signal,
        onStep: (step) =>
          options.onProgress?.({
            run,
            runs: total,
            norm,
            seed,
            epoch: step.epoch,
            epochs,
            step: step.step,
            stepsPerEpoch: step.stepsPerEpoch,
            loss: step.loss,
          }),
        onEpoch: async (record, model) => {
          const predictions = predict(model, test, vocabulary, { batchSize, seed });
          testAccuracies.push(predictions.accuracy);
          await options.onEpoch?.(norm, seed, record, {
            model,
            test,
            vocabulary,
            testProbabilities: predictions.probabilities,
          });
        },
      });
      if (trained.stopped) {
        result.stopped = true;
        return result;
      }
      const model = trained.model;
      const measure = (extra: Parameters<typeof predict>[3]) =>
        predict(model, test, vocabulary, { batchSize, seed, ...extra });
      const evalBatches = measure({ mode: "eval" });
      const trainBatches = measure({ mode: "train" });
      let shiftTotal = 0;
      let shiftMax = 0;
      for (let i = 0; i < test.length; i++) {
        const shift = Math.abs(
          trainBatches.probabilities[i]! - evalBatches.probabilities[i]!,
        );
        shiftTotal += shift;
        shiftMax = Math.max(shiftMax, shift);
      }
      const dependence = {
        eval: batchDependenceOfPredictions(model, test, vocabulary, {
          batchSize,
          batchings,
          seed,
          mode: "eval",
        }),
        train: batchDependenceOfPredictions(model, test, vocabulary, {
          batchSize,
          batchings,
          seed,
          mode: "train",
        }),
      };
      const runResult: RunResult = {
        norm,
        normFirst,
        order,
        seed,
        history: trained.history.map((record, i) => ({
          ...record,
          testAccuracy: testAccuracies[i] ?? NaN,
        })),
        metrics: {
          testAccuracy: evalBatches.accuracy,
          trainModeAccuracy: trainBatches.accuracy,
          singleSentenceAccuracy: {
            eval: measure({ batchSize: 1, mode: "eval" }).accuracy,
            train: measure({ batchSize: 1, mode: "train" }).accuracy,
          },
          padded100Accuracy: {
            eval: measure({ padTo: 100, mode: "eval" }).accuracy,
            train: measure({ padTo: 100, mode: "train" }).accuracy,
          },
          batchDependence: {
            eval: { mean: dependence.eval.mean, max: dependence.eval.max },
            train: { mean: dependence.train.mean, max: dependence.train.max },
          },
          labelFlips: { eval: dependence.eval.labelFlips, train: dependence.train.labelFlips },
          trainEvalShift: { mean: shiftTotal / Math.max(1, test.length), max: shiftMax },
          secondsPerEpoch: trained.secondsPerEpoch,
          bestEpoch: trained.bestEpoch,
        },
        trainModeSpreads: Array.from(dependence.train.spreads, (v) => Math.round(v * 1e4) / 1e4),
      };
      result.runs.push(runResult);
      await options.onRun?.(runResult, { model, test, vocabulary });
    }
  }
  return result;
}

/** Mean and sample standard deviation. */
export function meanStd(values: readonly number[]): MeanStd {
  if (values.length === 0) return { mean: NaN, std: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length === 1) return { mean, std: 0 };
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}
