/**
 * Training a {@linkcode TransformerClassifier} on labelled sentences with Adam,
 * gradient clipping, warm-up and best-epoch selection on a validation split.
 *
 * @module
 */
import { batchExamples, type BatchOrder } from "../data/batching.ts";
import type { LabeledText } from "../data/sentences.ts";
import { Vocabulary } from "../data/vocabulary.ts";
import { crossEntropy } from "../nn/loss.ts";
import { type NormKind, TransformerClassifier } from "../nn/transformer.ts";
import { Adam, clipGradNorm } from "../optim.ts";
import type { Tensor } from "../tensor.ts";
import { predict } from "./evaluate.ts";

/** Options for {@linkcode trainClassifier}. */
export interface TrainOptions {
  /** The training sentences. */
  train: readonly LabeledText[];
  /** Sentences held out from training to choose the best epoch (never the test split). */
  validation?: readonly LabeledText[];
  /** The vocabulary; by default built from `train` with `minCount`. */
  vocabulary?: Vocabulary;
  /**
   * Words seen fewer times in `train` become unknown (id 1).
   * @default {2}
   */
  minCount?: number;
  /**
   * The normalisation in every layer.
   * @default {"layer"}
   */
  norm?: NormKind;
  /**
   * Pre-norm layers (and a final norm).
   * @default {false}
   */
  normFirst?: boolean;
  /**
   * Model width D.
   * @default {32}
   */
  dModel?: number;
  /**
   * Attention heads.
   * @default {2}
   */
  numHeads?: number;
  /**
   * Encoder layers.
   * @default {2}
   */
  numLayers?: number;
  /**
   * Feed-forward width.
   * @default {128}
   */
  dimFeedforward?: number;
  /**
   * Dropout in the layers.
   * @default {0.1}
   */
  dropout?: number;
  /**
   * Passes over the training data.
   * @default {12}
   */
  epochs?: number;
  /**
   * Sentences per batch.
   * @default {32}
   */
  batchSize?: number;
  /**
   * Adam's learning rate (after warm-up).
   * @default {1e-3}
   */
  lr?: number;
  /**
   * Adam's L2 weight decay.
   * @default {0}
   */
  weightDecay?: number;
  /**
   * Steps of linear learning-rate warm-up from 0.
   * @default {0}
   */
  warmupSteps?: number;
  /**
   * The largest gradient norm (clipped above it); 0 disables clipping.
   * @default {1}
   */
  clipNorm?: number;
  /**
   * Batch order: random (padding varies from batch to batch) or bucketed by length.
   * @default {"random"}
   */
  order?: BatchOrder;
  /** Pad every training batch to this length (e.g. 100). */
  padTo?: number;
  /**
   * The positions the model has (longer sentences are cut).
   * @default {128}
   */
  maxLength?: number;
  /**
   * Seed of the weights, dropout masks and batch orders.
   * @default {0}
   */
  seed?: number;
  /** Called after every step. */
  onStep?: (step: StepInfo) => void;
  /** Called after every epoch (may be async: it is awaited, so a notebook can redraw). */
  onEpoch?: (epoch: EpochRecord, model: TransformerClassifier) => void | Promise<void>;
  /**
   * Stops training after the current step when aborted; what finished is
   * returned. Training lets the event loop run every 200 ms or so, so the
   * signal may be aborted from a timer, a message or a signal handler.
   */
  signal?: AbortSignal;
}

/** Training gives the event loop a turn after a step once this long has passed since the last. */
const YIELD_MILLISECONDS = 200;

/**
 * Resolves after a turn of the event loop in which due timers, messages and
 * signal handlers run. An awaited `setTimeout(0)` took 2.1–2.2 ms here, so
 * training yields only every {@linkcode YIELD_MILLISECONDS} (about 1 % of
 * its time). Faster turns did not do: `setImmediate` (0.04 ms) let a Ctrl-C
 * handler wait 1.4 s, and a `MessageChannel` message to itself (0.11 ms) did
 * not let a due timer run during training.
 */
function eventLoopTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** What {@linkcode TrainOptions.onStep} receives. */
export interface StepInfo {
  /** The epoch, from 1. */
  epoch: number;
  /** The step within the epoch, from 1. */
  step: number;
  /** Steps per epoch. */
  stepsPerEpoch: number;
  /** The batch's mean cross-entropy. */
  loss: number;
  /** The learning rate used. */
  lr: number;
}

/** One epoch of training history. */
export interface EpochRecord {
  /** The epoch, from 1. */
  epoch: number;
  /** The mean training loss over the epoch's steps. */
  loss: number;
  /** Training accuracy over the epoch's batches (as trained: batch statistics, dropout). */
  trainAccuracy: number;
  /** Validation loss (running statistics), or NaN without a validation split. */
  validationLoss: number;
  /** Validation accuracy (running statistics), or NaN without a validation split. */
  validationAccuracy: number;
  /** Wall-clock seconds of the epoch's training steps. */
  seconds: number;
}

/** What {@linkcode trainClassifier} returns. */
export interface TrainResult {
  /** The model, with the weights of the best validation epoch (or the last). */
  model: TransformerClassifier;
  /** The vocabulary the model reads. */
  vocabulary: Vocabulary;
  /** One record per finished epoch. */
  history: EpochRecord[];
  /** The epoch whose weights the model holds. */
  bestEpoch: number;
  /** Mean seconds per epoch. */
  secondsPerEpoch: number;
  /** Whether `signal` stopped training early. */
  stopped: boolean;
  /** The kept epoch's numbers: its validation accuracy and loss, and the mean seconds per epoch. */
  metrics: {
    bestEpoch: number;
    validationAccuracy: number;
    validationLoss: number;
    secondsPerEpoch: number;
  };
}

/**
 * Trains a {@linkcode TransformerClassifier} with Adam on `train`:
 * each epoch shuffles the batches (seed + epoch), each step computes the
 * cross-entropy, backpropagates, clips the gradient norm and updates. After
 * each epoch the validation split (running statistics) is measured; the
 * weights of the epoch with the best validation accuracy (then lowest loss)
 * are restored at the end. Reproducible from `seed` on any machine.
 *
 * @example
 * ```ts
 * import { trainClassifier } from "./trainer.ts";
 * import { ok } from "node:assert/strict";
 *
 * const train = ["good", "great fun", "bad", "awful mess", "good fun", "bad mess"]
 *   .map((text, i) => ({ text, label: i < 2 || i === 4 ? 1 : 0 }));
 * const { history } = await trainClassifier({ train, minCount: 1, dModel: 8, epochs: 3, batchSize: 3 });
 * ok(history.length === 3 && Number.isFinite(history[2]!.loss));
 * ```
 */
export async function trainClassifier(options: TrainOptions): Promise<TrainResult> {
  const train = options.train;
  if (train.length === 0) {
    throw new Error("trainClassifier: expected training examples but found none");
  }
  const vocabulary = options.vocabulary ??
    Vocabulary.fromTexts(train.map((e) => e.text), { minCount: options.minCount ?? 2 });
  const seed = options.seed ?? 0;
  const epochs = options.epochs ?? 12;
  const batchSize = options.batchSize ?? 32;
  const lr = options.lr ?? 1e-3;
  const warmupSteps = options.warmupSteps ?? 0;
  const clipNorm = options.clipNorm ?? 1;
  const maxLength = options.maxLength ?? 128;
  const model = new TransformerClassifier({
    vocabSize: vocabulary.size,
    numClasses: 2,
    dModel: options.dModel ?? 32,
    numHeads: options.numHeads ?? 2,
    numLayers: options.numLayers ?? 2,
    dimFeedforward: options.dimFeedforward ?? 128,
    maxLength,
    norm: options.norm ?? "layer",
    normFirst: options.normFirst ?? false,
    dropout: options.dropout ?? 0.1,
    seed,
  });
  const parameters = model.parameters();
  const optimizer = new Adam(parameters, { lr, weightDecay: options.weightDecay ?? 0 });
  const history: EpochRecord[] = [];
  let best: { epoch: number; accuracy: number; loss: number; state: Map<string, Tensor> } | null =
    null;
  let globalStep = 0;
  let stopped = false;
  let lastYield = performance.now();
  for (let epoch = 1; epoch <= epochs && !stopped; epoch++) {
    model.train();
    const batches = batchExamples(train, vocabulary, {
      batchSize,
      order: options.order ?? "random",
      seed: seed * 1000 + epoch,
      padTo: options.padTo,
      maxLength,
    });
    const started = performance.now();
    let lossTotal = 0;
    let correct = 0;
    let seen = 0;
    let steps = 0;
    for (const [index, batch] of batches.entries()) {
      if (options.signal?.aborted) {
        stopped = true;
        break;
      }
      globalStep++;
      const currentLr = warmupSteps > 0 ? lr * Math.min(1, globalStep / warmupSteps) : lr;
      optimizer.lr = currentLr;
      const logits = model.forward(batch.ids, { mask: batch.mask });
      const loss = crossEntropy(logits, batch.labels);
      optimizer.zeroGrad();
      loss.backward();
      if (clipNorm > 0) clipGradNorm(parameters, clipNorm);
      optimizer.step();
      const value = loss.item();
      lossTotal += value;
      steps++;
      const scores = logits.data;
      batch.labels.forEach((label, row) => {
        const predicted = scores[row * 2 + 1]! > scores[row * 2]! ? 1 : 0;
        if (predicted === label) correct++;
      });
      seen += batch.labels.length;
      options.onStep?.({
        epoch,
        step: index + 1,
        stepsPerEpoch: batches.length,
        loss: value,
        lr: currentLr,
      });
      // Let the event loop run now and then, so that a timer, a message or a Ctrl-C handler
      // can abort the signal mid-epoch (awaiting a resolved promise would not let them run).
      if (performance.now() - lastYield > YIELD_MILLISECONDS) {
        await eventLoopTurn();
        lastYield = performance.now();
      }
    }
    if (stopped || steps === 0) break; // an unfinished epoch is not recorded
    const seconds = (performance.now() - started) / 1000;
    const validation = options.validation !== undefined && options.validation.length > 0
      ? predict(model, options.validation, vocabulary, { batchSize, seed })
      : null;
    const record: EpochRecord = {
      epoch,
      loss: lossTotal / steps,
      trainAccuracy: correct / seen,
      validationLoss: validation?.loss ?? NaN,
      validationAccuracy: validation?.accuracy ?? NaN,
      seconds,
    };
    history.push(record);
    if (validation !== null) {
      const better = best === null || validation.accuracy > best.accuracy ||
        (validation.accuracy === best.accuracy && validation.loss < best.loss);
      if (better) {
        best = {
          epoch,
          accuracy: validation.accuracy,
          loss: validation.loss,
          state: snapshot(model),
        };
      }
    }
    await options.onEpoch?.(record, model);
  }
  if (best !== null) model.loadStateDict(Object.fromEntries(best.state));
  model.eval();
  const secondsPerEpoch = history.length === 0
    ? 0
    : history.reduce((total, h) => total + h.seconds, 0) / history.length;
  const bestEpoch = best?.epoch ?? history.length;
  const kept = history[bestEpoch - 1];
  return {
    model,
    vocabulary,
    history,
    bestEpoch,
    secondsPerEpoch,
    stopped,
    metrics: {
      bestEpoch,
      validationAccuracy: kept?.validationAccuracy ?? NaN,
      validationLoss: kept?.validationLoss ?? NaN,
      secondsPerEpoch,
    },
  };
}

/** A copy of every parameter and buffer (the state dict shares storage). */
function snapshot(model: TransformerClassifier): Map<string, Tensor> {
  const state = new Map<string, Tensor>();
  for (const [name, value] of Object.entries(model.stateDict())) state.set(name, value.clone());
  return state;
}
