/**
 * normlab: see, with real tensors, why transformers normalise with LayerNorm
 * and not BatchNorm on padded batches.
 *
 * Shape legend, used everywhere: **B** batch, **T** positions (tokens),
 * **D** features (always the last axis), **H** heads. A **mask** has the
 * leading axes of its input, typically (B, T), with **1 = real token,
 * 0 = padding** — the Hugging Face `attention_mask` convention, the opposite
 * of PyTorch's `key_padding_mask`.
 *
 * A short tour:
 *
 * ```ts
 * import { batchNorm, encodeBatch, featureStats, layerNorm, tokenStats } from "./mod.ts";
 * import { deepStrictEqual, ok } from "node:assert/strict";
 *
 * // Two sentences, 2 and 4 words, embedded in D = 3 and padded to (2, 4, 3).
 * const { x, mask } = encodeBatch(["Loved it", "The plot was dull"], { dim: 3, seed: 0 });
 * deepStrictEqual(x.shape, [2, 4, 3]);
 * deepStrictEqual(mask.toArray(), [[1, 1, 0, 0], [1, 1, 1, 1]]);
 *
 * // BatchNorm's view: per-feature statistics count the two padded rows...
 * const padded = featureStats(x).mean;
 * const real = featureStats(x, { mask }).mean;
 * ok(padded.sub(real).abs().max().item() > 0);
 *
 * // ...so BatchNorm's output for a real token depends on the padding, while
 * // LayerNorm's per-token statistics never see it.
 * deepStrictEqual(tokenStats(x).mean.shape, [2, 4]);
 * const y = layerNorm(x);
 * const alone = layerNorm(x.reshape(8, 3)).reshape(2, 4, 3);
 * deepStrictEqual(y.toArray(), alone.toArray());
 * ok(batchNorm(x).sub(batchNorm(x, { mask })).abs().max().item() > 0.1);
 * ```
 *
 * @module
 */
export { Tensor, tensor } from "./lib/tensor.ts";
export type {
  BackwardOptions,
  DType,
  NestedArray,
  ReduceOptions,
  TensorOptions,
  TypedArray,
  VarianceOptions,
} from "./lib/tensor.ts";
export { GradNode, isGradEnabled, noGrad } from "./lib/autograd.ts";
export type { VectorJacobianProduct } from "./lib/autograd.ts";
export { arange, full, ones, rand, randn, zeros } from "./lib/creation.ts";
export type { CreationOptions, RandomOptions } from "./lib/creation.ts";
export { allClose, concat, narrow, stack } from "./lib/ops.ts";
export type { AllCloseOptions } from "./lib/ops.ts";
export { layerNorm, layerNormBackward } from "./lib/layer_norm.ts";
export type { LayerNormBackwardOptions, LayerNormOptions } from "./lib/layer_norm.ts";
export { rmsNorm, rmsNormBackward } from "./lib/rms_norm.ts";
export type { RmsNormBackwardOptions, RmsNormOptions } from "./lib/rms_norm.ts";
export { batchNorm, batchNormBackward } from "./lib/batch_norm.ts";
export type { BatchNormBackwardOptions, BatchNormOptions } from "./lib/batch_norm.ts";
export { BatchNorm, LayerNorm, RMSNorm } from "./lib/nn/norm_layers.ts";
export type {
  BatchNormForwardOptions,
  BatchNormLayerOptions,
  LayerNormLayerOptions,
  NormForwardOptions,
  RmsNormLayerOptions,
} from "./lib/nn/norm_layers.ts";
export type { NormGradients } from "./lib/norm_gradients.ts";
export { gelu, relu } from "./lib/nn/activation.ts";
export { crossEntropy, logSoftmax } from "./lib/nn/loss.ts";
export type { CrossEntropyOptions } from "./lib/nn/loss.ts";
export { dropout } from "./lib/nn/dropout.ts";
export type { DropoutOptions } from "./lib/nn/dropout.ts";
export { Module } from "./lib/nn/module.ts";
export {
  Adam,
  AdamW,
  clipGradNorm,
  LRScheduler,
  Optimizer,
  SGD,
  warmupDecay,
} from "./lib/optim.ts";
export type { AdamOptions, SGDOptions, WarmupDecayOptions } from "./lib/optim.ts";
export {
  decodeSafetensors,
  encodeSafetensors,
  loadSafetensors,
  saveSafetensors,
} from "./lib/safetensors.ts";
export type { SafetensorsOptions } from "./lib/safetensors.ts";
export type { LoadStateDictOptions } from "./lib/nn/module.ts";
export { Linear, linear } from "./lib/nn/linear.ts";
export type { LinearOptions } from "./lib/nn/linear.ts";
export { Embedding, embedding } from "./lib/nn/embedding.ts";
export type { EmbeddingFunctionOptions, EmbeddingOptions } from "./lib/nn/embedding.ts";
export { MultiheadAttention } from "./lib/nn/multihead_attention.ts";
export type {
  MultiheadAttentionForwardOptions,
  MultiheadAttentionOptions,
  MultiheadAttentionResult,
} from "./lib/nn/multihead_attention.ts";
export {
  makeNorm,
  NORM_KINDS,
  TransformerClassifier,
  TransformerEncoderLayer,
} from "./lib/nn/transformer.ts";
export type {
  ClassifierForwardOptions,
  EncoderForwardOptions,
  NormKind,
  NormLayer,
  TransformerClassifierOptions,
  TransformerEncoderLayerOptions,
} from "./lib/nn/transformer.ts";
export { attentionBackward, scaledDotProductAttention, SelfAttention } from "./lib/attention.ts";
export type {
  AttentionBackwardOptions,
  AttentionGradients,
  AttentionOptions,
  AttentionResult,
  SelfAttentionForwardOptions,
  SelfAttentionOptions,
  SelfAttentionResult,
} from "./lib/attention.ts";
export { padSequences } from "./lib/padding.ts";
export type { PaddedBatch, PadOptions } from "./lib/padding.ts";
export { embed, encodeBatch, tokenize } from "./lib/text.ts";
export type { EmbedOptions, EncodedBatch, EncodeOptions } from "./lib/text.ts";
export { featureStats, tokenStats } from "./lib/stats.ts";
export type { FeatureStats, FeatureStatsOptions, TokenStats } from "./lib/stats.ts";
export { batchDependence, paddingSweep } from "./lib/experiments.ts";
export type {
  BatchDependenceOptions,
  BatchDependenceRow,
  PaddingSweep,
  PaddingSweepOptions,
  SweepRow,
} from "./lib/experiments.ts";
export {
  BENGALI_COMPANIONS,
  BENGALI_SENTENCES,
  CLASSIC_DIM,
  CLASSIC_SENTENCES,
  LONGEST_LENGTH,
  TYPICAL_LENGTH,
} from "./lib/examples.ts";
export { fontFamily, LANGUAGES, messages, translator } from "./lib/i18n/translate.ts";
export { EN } from "./lib/i18n/en.ts";
export { BN } from "./lib/i18n/bn.ts";
export type {
  Language,
  MessageKey,
  Messages,
  MessageValues,
  Translate,
} from "./lib/i18n/translate.ts";
// Data: the labelled review sentences, splits, vocabulary, batching and the AFINN baseline.
export { loadSentences, SENTENCE_SOURCES } from "./lib/data/sentences.ts";
export type {
  LabeledText,
  LoadSentencesOptions,
  Sentence,
  SentenceSource,
} from "./lib/data/sentences.ts";
export { splitExamples } from "./lib/data/split.ts";
export type { Split, SplitOptions } from "./lib/data/split.ts";
export { PAD_ID, PAD_TOKEN, UNK_ID, UNK_TOKEN, Vocabulary } from "./lib/data/vocabulary.ts";
export type { VocabularyOptions } from "./lib/data/vocabulary.ts";
export { batchExamples } from "./lib/data/batching.ts";
export type { Batch, BatchOptions, BatchOrder } from "./lib/data/batching.ts";
export { lengthStats, paddingShare } from "./lib/data/lengths.ts";
export type { LengthStats } from "./lib/data/lengths.ts";
export { afinnAccuracy, afinnPredict, afinnScore } from "./lib/data/afinn.ts";
export type { AfinnAccuracy } from "./lib/data/afinn.ts";
export { type StatisticsMode, withStatistics } from "./lib/train/batch_statistics.ts";
export { batchDependenceOfPredictions, evaluate, predict } from "./lib/train/evaluate.ts";
export type { BatchDependence, EvaluateOptions, Predictions } from "./lib/train/evaluate.ts";
export { sentenceInBatchings } from "./lib/train/sentence_batchings.ts";
export type {
  FollowedModel,
  SentenceBatching,
  SentenceInBatchingsOptions,
} from "./lib/train/sentence_batchings.ts";
export { trainClassifier } from "./lib/train/trainer.ts";
export type { EpochRecord, StepInfo, TrainOptions, TrainResult } from "./lib/train/trainer.ts";
export { trainBagOfWords } from "./lib/train/baselines.ts";
export type { BagOfWordsModel, BagOfWordsOptions } from "./lib/train/baselines.ts";
export { meanStd, runNormComparison } from "./lib/train/experiment.ts";
export type {
  ByMode,
  EpochContext,
  ExperimentOptions,
  ExperimentProgress,
  ExperimentResult,
  MeanStd,
  RunContext,
  RunMetrics,
  RunResult,
} from "./lib/train/experiment.ts";
export {
  compareWithLayerNorm,
  formatMeanStd,
  summarize,
  SUMMARY_METRICS,
  summaryRows,
} from "./lib/train/summary.ts";
export type { NormSummary, PairedComparison } from "./lib/train/summary.ts";
export { JUPYTER_DISPLAY } from "./lib/jupyter.ts";
export type { Displayable, MimeBundle } from "./lib/jupyter.ts";
export { Figure, loadPlotly } from "./lib/figure.ts";
export { show, SHOW_SETTLE_MS } from "./lib/show.ts";
export type { ShowOptions } from "./lib/show.ts";
export type { Config, Data, FigureSpec, Frame, Layout, Trace } from "./lib/figure.ts";
export { sliderFigure } from "./lib/slider_figure.ts";
export type { SliderFigureOptions, SliderStep } from "./lib/slider_figure.ts";
export { batchExplorable, paddingExplorable } from "./lib/explorables.ts";
export type { BatchExplorableOptions, PaddingExplorableOptions } from "./lib/explorables.ts";
export {
  barChart,
  featureStatsChart,
  heatmap,
  histogram,
  lineChart,
  scatter3d,
} from "./lib/plot.ts";
export type {
  BarChartOptions,
  FeatureStatsChartOptions,
  FeatureStatsInput,
  HeatmapOptions,
  HistogramOptions,
  LineChartOptions,
  PointGroup,
  Scatter3dOptions,
  Series,
} from "./lib/plot.ts";
export { displayTable, displayTensor, displayText } from "./lib/display.ts";
export type { DisplayTensorOptions, TableRow } from "./lib/display.ts";
export { Report } from "./lib/report.ts";
export type { ReportOptions } from "./lib/report.ts";
export { LiveOutput } from "./lib/live_display.ts";
export type { HasDisplay } from "./lib/live_display.ts";
export {
  accuracyChart,
  batchDependenceChart,
  lossCurvesChart,
  NORM_COLORS,
  NORM_NAMES,
  trainEvalChart,
} from "./lib/training_charts.ts";
export { batchingExplorable, confidenceExplorable } from "./lib/training_explorables.ts";
export type { BatchingExplorableOptions, EpochPredictions } from "./lib/training_explorables.ts";
export { buildTrainingReport, findings } from "./lib/train_report.ts";
export { parseTrainArgs, TRAIN_USAGE, trainMain } from "./lib/train_cli.ts";
export type { TrainCliOptions } from "./lib/train_cli.ts";
export { checkDemoOptions, DEMO_LIMITS, runDemo } from "./lib/demo.ts";
export type {
  DemoOptionNames,
  DemoOptions,
  DemoProgress,
  DemoResult,
  SweepSummary,
} from "./lib/demo.ts";
export { buildReport } from "./lib/demo_report.ts";
export type { ReportInputs } from "./lib/demo_report.ts";
export { main, parseDemoArgs } from "./lib/cli.ts";
export type { CliIO } from "./lib/cli.ts";

if (import.meta.main) {
  const { main } = await import("./lib/cli.ts");
  Deno.exit(await main(Deno.args));
}
