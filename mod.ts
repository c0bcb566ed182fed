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
  DType,
  NestedArray,
  ReduceOptions,
  TensorOptions,
  TypedArray,
  VarianceOptions,
} from "./lib/tensor.ts";
export { arange, full, ones, rand, randn, zeros } from "./lib/creation.ts";
export type { CreationOptions, RandomOptions } from "./lib/creation.ts";
export { allClose, concat, stack } from "./lib/ops.ts";
export type { AllCloseOptions } from "./lib/ops.ts";
export { LayerNorm, layerNorm, layerNormBackward } from "./lib/layer_norm.ts";
export type {
  LayerNormBackwardOptions,
  LayerNormLayerOptions,
  LayerNormOptions,
} from "./lib/layer_norm.ts";
export { RMSNorm, rmsNorm } from "./lib/rms_norm.ts";
export type { RmsNormLayerOptions, RmsNormOptions } from "./lib/rms_norm.ts";
export { BatchNorm, batchNorm, batchNormBackward } from "./lib/batch_norm.ts";
export type {
  BatchNormBackwardOptions,
  BatchNormForwardOptions,
  BatchNormLayerOptions,
  BatchNormOptions,
} from "./lib/batch_norm.ts";
export type { NormGradients } from "./lib/norm_gradients.ts";
export { scaledDotProductAttention, SelfAttention } from "./lib/attention.ts";
export type {
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
export { CLASSIC_DIM, CLASSIC_SENTENCES, LONGEST_LENGTH, TYPICAL_LENGTH } from "./lib/examples.ts";
export { JUPYTER_DISPLAY } from "./lib/jupyter.ts";
export type { Displayable, MimeBundle } from "./lib/jupyter.ts";
export { Figure, loadPlotly } from "./lib/figure.ts";
export { show, SHOW_SETTLE_MS } from "./lib/show.ts";
export type { ShowOptions } from "./lib/show.ts";
export type { Config, Data, FigureSpec, Layout, Trace } from "./lib/figure.ts";
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
export { runDemo } from "./lib/demo.ts";
export type { DemoOptions, DemoProgress, DemoResult, SweepSummary } from "./lib/demo.ts";
export { buildReport } from "./lib/demo_report.ts";
export type { ReportInputs } from "./lib/demo_report.ts";
export { main, parseDemoArgs } from "./lib/cli.ts";
export type { CliIO } from "./lib/cli.ts";

if (import.meta.main) {
  const { main } = await import("./lib/cli.ts");
  Deno.exit(await main(Deno.args));
}
