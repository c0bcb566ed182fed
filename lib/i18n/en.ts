/**
 * The English message catalogue: every word the charts, the demo's summary,
 * its report and the lessons show, one key per string. `{name}` marks a
 * value filled in by {@linkcode translator}. The Bengali catalogue
 * (`bn.ts`) defines exactly the same keys.
 *
 * @module
 */

/** English messages, by key. */
export const EN = {
  // Chart builders (lib/plot.ts): defaults and built-in labels.
  "chart.tensorTitle": "Tensor {shape}",
  "chart.feature": "feature",
  "chart.position": "position",
  "chart.values": "values",
  "chart.padding": "padding",
  "chart.pad": "pad",
  "chart.batchTrace": "batch {index}",
  "chart.batchItem": "batch item {index}",
  "chart.barTitle": "Bar chart",
  "chart.lineTitle": "Line chart",
  "chart.scatterTitle": "Vectors in 3-D",
  "chart.circle": "circle r = √3 in x + y + z = 0",
  "chart.sphere": "sphere r = √3",
  "chart.histogramTitle": "Histogram",
  "chart.value": "value",
  "chart.count": "count",
  "chart.featureStatsTitle": "BatchNorm's column statistics: padding counted vs excluded",
  "chart.featureColumn": "feature (column)",
  "chart.meanWithPadding": "mean, padding counted",
  "chart.meanReal": "mean, real tokens only",
  "chart.stdWithPadding": "std, padding counted",
  "chart.stdReal": "std, real tokens only",
  "chart.play": "▶ play",
  "chart.pause": "❚❚ pause",

  // Explorables (lib/explorables.ts): slider charts.
  "explore.paddingTitle":
    "Drag the padding: BatchNorm's statistics and a real token's output move, LayerNorm's stay",
  "explore.paddingLabel": "T = {length} · padding {share}% of the batch",
  "explore.meanPanel": "per-feature mean",
  "explore.stdPanel": "per-feature standard deviation",
  "explore.tokenPanel": 'normalised output of "{token}"',
  "explore.paddingCounted": "BatchNorm, padding counted",
  "explore.masked": "masked BatchNorm (real tokens only)",
  "explore.batchTitle": 'Swap the batch: "{sentence}" normalised with different companions',
  "explore.batchLabel": "batch {index}: with {companions} · T = {length}",
  "explore.alone": "no companions",
  "explore.firstTokenPanel": 'output of its first token "{token}"',
  "explore.shiftPanel": "max |Δ| of the sentence vs batch 0",

  // Names shared by the summary, the report and the lesson.
  "name.batchNorm": "BatchNorm",
  "name.maskedBatchNorm": "masked BatchNorm",
  "name.layerNorm": "LayerNorm",
  "name.key": "key",
  "name.query": "query",
  "name.token": "token",
  "name.batch": "batch",
  "name.paddedLength": "padded length T",
  "name.statistic": "statistic",
  "name.maxShift": "max |Δy|",
  "name.tokenMean": "token mean",
  "name.tokenStd": "token std",
  "name.featureMean": "{feature} mean, padding counted",
  "name.featureStd": "{feature} std, padding counted",
  "name.typical": "typical ({length})",
  "name.longest": "longest ({length})",

  // Table headings.
  "table.sentence": "sentence",
  "table.tokens": "tokens",
  "table.length": "length",
  "table.padding": "padding",
  "table.otherSentences": "other sentences",
  "table.batchNormShift": "BatchNorm shift",
  "table.maskedBatchNormShift": "masked BatchNorm shift",
  "table.layerNormShift": "LayerNorm shift",
  "table.statisticsOver": "statistics over",
  "table.statisticsOverBatchNorm": "each feature, down the batch (B·T rows)",
  "table.statisticsOverMasked": "each feature, real rows only",
  "table.statisticsOverLayerNorm": "each token, across its D features",
  "table.paddingEnters": "padding enters the statistics",
  "table.dependsOnOthers": "output depends on other sentences",
  "table.trainEvalAlike": "train/eval behave alike",
  "table.yes": "yes",
  "table.no": "no",
  "table.noRunning": "no (running statistics)",

  // The demo's report (lib/demo_report.ts).
  "report.title": "normlab: LayerNorm vs BatchNorm on a padded batch",
  "report.intro":
    "{B} sentences, embedded in D = {D} (seed {seed}) and right-padded to one tensor of shape (B, T, D) = ({B}, {T}, {D}) with a mask (1 = real token, 0 = padding).",
  "report.batchHeading": "1. The padded batch",
  "report.xTable": "x (B, T, D), padded rows shaded",
  "report.xHeatmap": "The padded batch x: padding rows are all zeros",
  "report.attentionHeading": "2. Self-attention (Q = K = V = x)",
  "report.attentionText":
    "Without a key mask every query also attends to the padding. With it, padded keys get −∞ before the softmax and exactly zero weight. Padded *queries* still produce outputs — averages of the real tokens — so they are not zero after attention.",
  "report.attentionUnmasked": "Attention weights without the mask",
  "report.attentionMasked": "Attention weights with the key mask (padded keys greyed)",
  "report.batchNormHeading": "3. BatchNorm: statistics down each column",
  "report.batchNormText":
    "BatchNorm stacks (B, T, D) to (B·T, D) = ({rows}, {D}) and normalises each feature with the mean and standard deviation of its column — padding included, unless masked.",
  "report.batchNormOutput": "BatchNorm output, padding counted in the statistics",
  "report.maskedBatchNormOutput": "Masked BatchNorm output: real tokens only, padding stays 0",
  "report.layerNormHeading": "4. LayerNorm: statistics across each row",
  "report.layerNormStats": "LayerNorm's row statistics: each real token's own mean and std",
  "report.layerNormOutput": "LayerNorm output: every real token has mean 0 and variance ≈ 1",
  "report.embeddings": "embeddings x",
  "report.layerNormPoints": "LayerNorm(x)",
  "report.circleTitle":
    "With D = 3, LayerNorm puts every token on a circle of radius √3 in the plane x + y + z = 0",
  "report.sweepHeading": "5. The padding sweep",
  "report.sweepText":
    "In a corpus whose longest document has {longest} words and a typical one {typical}, a typical document in a batch padded to {longest} is about two-thirds padding. Here the same batch is padded from {from} to {to} positions.",
  "report.sweepStats": "BatchNorm's column statistics shrink toward the padding as T grows",
  "report.sweepShift":
    "How far padding moves the real tokens' outputs (max |Δy| vs the unpadded batch)",
  "report.dependenceHeading": "6. The same sentence in different batches",
  "report.dependenceChart": '"{sentence}": how much its output changes with its batch companions',
  "report.explorePadding":
    "**Drag the slider** (or press play) to pad the same batch from T = {from} to T = {to}. The red bars move: BatchNorm's column statistics sink toward the padding's zeros, and the output of the real token \"{token}\" drifts with them. The blue and green bars — masked BatchNorm and LayerNorm — stay exactly where they are. The chart runs in this page: no kernel, no network.",
  "report.exploreBatch":
    "**Step through the batches**: the same sentence with other companions. Its BatchNorm output changes with every batch, masked BatchNorm's with the companions (not the padding), LayerNorm's never.",
  "report.maxShiftVsFirst": "max |Δy| vs batch 0",
  "report.sideBySideHeading": "7. Side by side",

  // The demo's summary on the terminal (lib/cli.ts).
  "summary.title": "normlab demo: LayerNorm vs BatchNorm on a padded batch",
  "summary.batch":
    "Batch: {B} sentences → x (B, T, D) = ({B}, {T}, {D}), mask ({B}, {T}): {real} real positions, {padded} padding ({percent}%)",
  "summary.sentence": "  [{index}] {tokens}  ({count} tokens)",
  "summary.attention": "Self-attention (Q = K = V = x):",
  "summary.attentionWeight":
    "  weight real queries give to padded keys: {unmasked}% without the mask, {masked}% with it",
  "summary.paddedQueries": "  padded queries are not zero after attention: max |output| {max}",
  "summary.columns": "BatchNorm's column statistics over B·T = {rows} rows:",
  "summary.meanWithPadding": "  mean, padding counted   {values}",
  "summary.meanReal": "  mean, real tokens only  {values}",
  "summary.stdWithPadding": "  std,  padding counted   {values}",
  "summary.stdReal": "  std,  real tokens only  {values}",
  "summary.realTokenError":
    "  real tokens' BatchNorm output moves by up to {error} because of the padding",
  "summary.layerNorm":
    "LayerNorm's row statistics: per token; after LayerNorm every real token has |mean| ≤ {mean} and |variance − 1| ≤ {variance}",
  "summary.sweep":
    "Padding sweep, T = {from} → {to} (max |Δy| of real tokens vs the unpadded batch):",
  "summary.sweepPoint":
    "  T = {length} ({percent}% padding): BatchNorm {batchNorm}, masked BatchNorm {masked}, LayerNorm {layerNorm}",
  "summary.dependence":
    "Same sentence in {count} batches: BatchNorm shifts up to {batchNorm}, masked BatchNorm {masked}, LayerNorm {layerNorm}",
  "summary.report": "Report: {path} ({charts} charts, {megabytes} MB, opens offline)",

  // Lesson 1 (notebooks/…/01_padding_problem.ipynb): chart titles and table headings.
  "lesson.batchTitle": "The batch",
  "lesson.words": "words",
  "lesson.embeddingTitle": '"{sentence}": ({T}, {D})',
  "lesson.xTitle": "x: (B, T, D) = ({B}, {T}, {D}), padded rows shaded",
  "lesson.maskTitle": "mask: (B, T) = ({B}, {T}), 1 = real token",
  "lesson.paddedHeatmap": "The padded batch: the padding rows are zeros",
  "lesson.attentionUnmasked":
    "Attention weights without a mask: real queries give weight to <pad> keys",
  "lesson.attentionMasked": "Attention weights with the key mask: padded keys get exactly 0",
  "lesson.attentionOutput": "Attention output with the key mask: padded rows are NOT zero",
  "lesson.attentionTimesMask": "Attention output × mask: padded rows are zero again",
  "lesson.stackedTitle": "Stacked: (B·T, D) = ({rows}, {D}); the shaded rows are padding",
  "lesson.columnStatsTitle":
    "Column statistics over {counted} rows (padding counted) vs {real} real rows",
  "lesson.meanReal": "mean, real only",
  "lesson.stdReal": "std, real only",
  "lesson.typicalDocument": "typical document ({length})",
  "lesson.sweepStats": "BatchNorm's column statistics collapse toward the padding",
  "lesson.sweepShift":
    "How far padding moves the real tokens' normalised outputs (max |Δy| vs no extra padding)",
  "lesson.paddingPercent": "padding %",
  "lesson.trackedOutput": 'BatchNorm("{token}")',
  "lesson.sweepTable": "The sweep at a few lengths",
  "lesson.position": "position",
  "lesson.real": "real",
  "lesson.rowMean": "row mean",
  "lesson.rowVariance": "row variance",
  "lesson.rowStatsTitle": "LayerNorm's view: one mean and one variance per token",
  "lesson.layerNormHeatmap": "LayerNorm output: each real row has mean 0 and variance ≈ 1",
  "lesson.comparison": "comparison",
  "lesson.alonePadded": "alone vs padded to {length}",
  "lesson.aloneInBatch": "alone vs in this batch",
  "lesson.proofTitle": '"{sentence}": max |Δ| of its normalised output',
  "lesson.dependenceTitle":
    '"{sentence}" in {count} batches: max |Δ| of its output against batch 0',
  "lesson.paddingCounted": "padding counted",
  "lesson.never": "never (a row is its own statistics)",
  "lesson.movesWhenPadded": "real tokens move when padded to {length}",
  "lesson.movesWithCompanions": "output moves with batch companions",
  "lesson.trainEvalAlike": "train and eval behave alike",
} as const;

/** A message's key: the keys of the English catalogue, which every catalogue defines. */
export type MessageKey = keyof typeof EN;

/** A whole catalogue: one string per key. */
export type Messages = Readonly<Record<MessageKey, string>>;
