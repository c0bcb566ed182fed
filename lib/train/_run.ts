/**
 * Internal: one run of the training experiment (train, then measure), and
 * the data every run shares: what `runNormComparison` (./experiment.ts) does
 * per norm and seed, on this thread or on a worker (./_run_worker.ts).
 *
 * @module
 */
import { loadSentences, type Sentence } from "../data/sentences.ts";
import { splitExamples } from "../data/split.ts";
import { Vocabulary } from "../data/vocabulary.ts";
import type { NormKind, TransformerClassifier } from "../nn/transformer.ts";
import { batchDependenceOfPredictions, predict } from "./evaluate.ts";
import type { EpochContext, ExperimentOptions, RunResult } from "./experiment.ts";
import { type EpochRecord, type StepInfo, trainClassifier } from "./trainer.ts";

/** The share of the sentences held out for testing (split seed 0). */
export const TEST_FRACTION = 0.2;
/** The share of the rest held out for validation (split seed 0). */
export const VALIDATION_FRACTION = 0.1;
/** How often a word must occur in the training split to enter the vocabulary. */
export const MIN_COUNT = 2;

/** The experiment's settings with defaults filled in: all a worker needs to rebuild the data. */
export interface ExperimentSettings {
  norms: NormKind[];
  seeds: number[];
  source: NonNullable<ExperimentOptions["source"]>;
  epochs: number;
  order: NonNullable<ExperimentOptions["order"]>;
  normFirst: boolean;
  dModel: number;
  batchSize: number;
  batchings: number;
  limit: number | null;
}

/** The settings and the data every run shares. */
export interface ExperimentSetup {
  settings: ExperimentSettings;
  sentences: Sentence[];
  train: Sentence[];
  validation: Sentence[];
  test: Sentence[];
  vocabulary: Vocabulary;
}

/** `options` with defaults filled in, without callbacks. */
export function experimentSettings(options: ExperimentOptions): ExperimentSettings {
  return {
    norms: [...(options.norms ?? ["layer", "batch", "maskedBatch", "rms", "none"])],
    seeds: [...(options.seeds ?? [0, 1, 2])],
    source: options.source ?? "all",
    epochs: options.epochs ?? 12,
    order: options.order ?? "random",
    normFirst: options.normFirst ?? false,
    dModel: options.dModel ?? 32,
    batchSize: options.batchSize ?? 32,
    batchings: options.batchings ?? 5,
    limit: options.limit ?? null,
  };
}

/**
 * The sentences (a stratified `limit` of them, split seed 99), split with
 * seed 0 into train, validation and test, and the training split's
 * vocabulary: the same on every thread for the same settings.
 */
export function prepareExperiment(settings: ExperimentSettings): ExperimentSetup {
  let sentences: Sentence[] = loadSentences({ source: settings.source });
  if (settings.limit !== null && settings.limit < sentences.length) {
    sentences = splitExamples(sentences, {
      testFraction: settings.limit / sentences.length,
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
  return { settings, sentences, train, validation, test, vocabulary };
}

/** What a run tells its caller while it trains. */
export interface RunHooks {
  /** Stops the run after the current step; the run then returns null. */
  signal?: AbortSignal;
  /** After every step. */
  onStep?: (step: StepInfo) => void;
  /** After every epoch, with the model and its test predictions. */
  onEpoch?: (record: EpochRecord, context: EpochContext) => void | Promise<void>;
}

/**
 * Trains the classifier with `norm` and `seed` on `setup`'s data and
 * measures it (the measurements of `RunMetrics`); null when the signal
 * stopped it, since an unfinished run is not measured.
 */
export async function trainAndMeasure(
  setup: ExperimentSetup,
  norm: NormKind,
  seed: number,
  hooks: RunHooks = {},
): Promise<{ run: RunResult; model: TransformerClassifier } | null> {
  const { train, validation, test, vocabulary } = setup;
  const { normFirst, dModel, epochs, batchSize, order, batchings } = setup.settings;
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
    signal: hooks.signal,
    onStep: hooks.onStep,
    onEpoch: async (record, model) => {
      const predictions = predict(model, test, vocabulary, { batchSize, seed });
      testAccuracies.push(predictions.accuracy);
      await hooks.onEpoch?.(record, {
        model,
        test,
        vocabulary,
        testProbabilities: predictions.probabilities,
      });
    },
  });
  if (trained.stopped) return null;
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
  return { run: runResult, model };
}
