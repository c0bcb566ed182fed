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
import type { LabeledText, SentenceSource } from "../data/sentences.ts";
import type { Vocabulary } from "../data/vocabulary.ts";
import type { NormKind, TransformerClassifier } from "../nn/transformer.ts";
import {
  experimentSettings,
  MIN_COUNT,
  prepareExperiment,
  TEST_FRACTION,
  trainAndMeasure,
  VALIDATION_FRACTION,
} from "./_run.ts";
import { runInWorkers } from "./_run_pool.ts";
import { trainBagOfWords } from "./baselines.ts";
import type { EpochRecord, StepInfo } from "./trainer.ts";

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
  /**
   * Runs trained at the same time, each on a worker thread of its own (which
   * needs read permission for its module); a single run stays on this
   * thread, and `config.workers` records how many threads there were. Every
   * run gives the same numbers as with 1; its `secondsPerEpoch` is measured
   * while the other runs share the machine. `onRun` and `onEpoch` receive the
   * model, which stays on its thread: they need `workers: 1`.
   * @default {1}
   */
  workers?: number;
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
  /** Steps taken so far in all runs (a finished run counts all its steps). */
  stepsDone: number;
  /** Runs in progress (more than one with `workers`). */
  running: number;
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

/**
 * Trains the classifier with each norm and seed and measures it (see
 * {@linkcode RunMetrics}); the data split is fixed (seed 0): 20 % test, then
 * 10 % of the rest for validation. Runs in order norm by norm within each
 * seed, so that with one worker a stopped experiment has paired results; with
 * more, the runs start in that order but a stop keeps whichever had finished
 * (returned in that order).
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
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1 || workers > 16) {
    throw new Error(`runNormComparison: workers must be an integer from 1 to 16, got ${workers}`);
  }
  if (workers > 1 && (options.onRun !== undefined || options.onEpoch !== undefined)) {
    throw new Error(
      `runNormComparison: onRun and onEpoch receive the model, which stays on its worker thread: ` +
        `use workers: 1 with them (got workers: ${workers})`,
    );
  }
  const settings = experimentSettings(options);
  const { norms, seeds, epochs, batchSize } = settings;
  // Worker threads only when two runs or more can share the machine.
  const threads = Math.max(1, Math.min(workers, norms.length * seeds.length));
  const setup = prepareExperiment(settings);
  const { sentences, train, validation, test, vocabulary } = setup;
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
      source: settings.source,
      epochs,
      order: settings.order,
      normFirst: settings.normFirst,
      dModel: settings.dModel,
      batchSize,
      batchings: settings.batchings,
      workers: threads,
      limit: settings.limit,
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
  const jobs = seeds.flatMap((seed) => norms.map((norm) => ({ norm, seed })));
  // Progress: the steps each run has taken (a finished run's are all of them).
  const stepsTaken = new Map<number, number>();
  const progress = (index: number, step: StepInfo, running: number) => {
    if (options.onProgress === undefined) return;
    stepsTaken.set(index, (step.epoch - 1) * step.stepsPerEpoch + step.step);
    let stepsDone = 0;
    for (const steps of stepsTaken.values()) stepsDone += steps;
    const { norm, seed } = jobs[index]!;
    options.onProgress({
      run: index + 1,
      runs: jobs.length,
      norm,
      seed,
      epoch: step.epoch,
      epochs,
      step: step.step,
      stepsPerEpoch: step.stepsPerEpoch,
      loss: step.loss,
      stepsDone,
      running,
    });
  };
  if (threads > 1) {
    const runs = await runInWorkers(settings, jobs, threads, progress, options.signal);
    for (const run of runs) if (run !== undefined) result.runs.push(run);
    result.stopped = result.runs.length < jobs.length;
    return result;
  }
  for (const [index, { norm, seed }] of jobs.entries()) {
    if (options.signal?.aborted) {
      result.stopped = true;
      return result;
    }
    const outcome = await trainAndMeasure(setup, norm, seed, {
      signal: options.signal,
      onStep: (step) => progress(index, step, 1),
      onEpoch: options.onEpoch === undefined
        ? undefined
        : (record, context) => options.onEpoch!(norm, seed, record, context),
    });
    if (outcome === null) {
      result.stopped = true;
      return result;
    }
    result.runs.push(outcome.run);
    await options.onRun?.(outcome.run, { model: outcome.model, test, vocabulary });
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
