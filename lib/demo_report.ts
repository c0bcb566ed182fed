/**
 * The demo's report: the padding story as one offline HTML page of text,
 * tables and charts, built from the numbers `runDemo` computed.
 *
 * @module
 */
import type { SelfAttentionResult } from "./attention.ts";
import type { DemoOptions } from "./demo.ts";
import { LONGEST_LENGTH, TYPICAL_LENGTH } from "./examples.ts";
import type { BatchDependenceRow, PaddingSweep } from "./experiments.ts";
import { translator } from "./i18n/translate.ts";
import { batchExplorable, paddingExplorable } from "./explorables.ts";
import { barChart, featureStatsChart, heatmap, lineChart, scatter3d } from "./plot.ts";
import { Report } from "./report.ts";
import type { FeatureStats, TokenStats } from "./stats.ts";
import { type Tensor, tensor } from "./tensor.ts";
import type { EncodedBatch } from "./text.ts";

/** What the report shows: the demo's intermediate results. */
export interface ReportInputs {
  /** The padded batch: x (B, T, D), mask (B, T), tokens. */
  batch: EncodedBatch;
  /** Row labels per batch item: the tokens, "<pad>" at padding. */
  rowLabels: string[][];
  /** Feature names: d0, d1, … */
  featureLabels: string[];
  /** Self-attention (Q = K = V = x) without the key mask. */
  unmasked: SelfAttentionResult;
  /** Self-attention with the key mask. */
  masked: SelfAttentionResult;
  /** Per-feature statistics with the padding counted. */
  padded: FeatureStats;
  /** Per-feature statistics over real tokens. */
  real: FeatureStats;
  /** BatchNorm(x), padding counted. */
  plainBatchNorm: Tensor;
  /** Masked BatchNorm(x). */
  maskedBatchNorm: Tensor;
  /** LayerNorm(x). */
  normalized: Tensor;
  /** Per-token statistics of x. */
  inputTokens: TokenStats;
  /** The padding sweep. */
  sweep: PaddingSweep;
  /** The first sentence in different batches. */
  dependence: BatchDependenceRow[];
}

/**
 * The report of a demo run, in `options.lang` (English by default): every
 * heading, text, table heading and chart label comes from the message
 * catalogue.
 */
export function buildReport(options: DemoOptions, r: ReportInputs): Report {
  const { x, mask, tokens } = r.batch;
  const [B, T, D] = [x.shape[0]!, x.shape[1]!, x.shape[2]!];
  const lang = options.lang ?? "en";
  const t = translator(lang);
  const report = new Report(t("report.title"), { lang });
  const common = { mask, rowLabels: r.rowLabels, colLabels: r.featureLabels, lang };
  report.markdown(t("report.intro", { B, T, D, seed: options.seed }));
  report.heading(t("report.batchHeading"));
  report.table(
    tokens.map((words, b) => ({
      [t("table.sentence")]: options.sentences[b],
      [t("table.tokens")]: words.join(" "),
      [t("table.length")]: words.length,
      [t("table.padding")]: T - words.length,
    })),
  );
  report.tensor(x, { ...common, title: t("report.xTable") });
  report.figure(
    heatmap(x, {
      ...common,
      title: t("report.xHeatmap"),
      panelTitles: tokens.map((w) => w.join(" ")),
    }),
  );
  report.heading(t("report.attentionHeading"));
  report.markdown(t("report.attentionText"));
  report.figure(
    heatmap(r.unmasked.weights, {
      rowLabels: r.rowLabels,
      colLabels: r.rowLabels,
      title: t("report.attentionUnmasked"),
      xTitle: t("name.key"),
      yTitle: t("name.query"),
      lang,
    }),
  );
  report.figure(
    heatmap(r.masked.weights, {
      rowLabels: r.rowLabels,
      colLabels: r.rowLabels,
      columnMask: mask,
      title: t("report.attentionMasked"),
      xTitle: t("name.key"),
      yTitle: t("name.query"),
      lang,
    }),
  );
  report.heading(t("report.batchNormHeading"));
  report.markdown(t("report.batchNormText", { rows: B * T, D }));
  const std = (v: typeof r.padded.variance) => v.sqrt();
  report.figure(
    featureStatsChart({
      meanWithPadding: r.padded.mean,
      stdWithPadding: std(r.padded.variance),
      meanReal: r.real.mean,
      stdReal: std(r.real.variance),
    }, { featureLabels: r.featureLabels, lang }),
  );
  report.figure(heatmap(r.plainBatchNorm, { ...common, title: t("report.batchNormOutput") }));
  report.figure(
    heatmap(r.maskedBatchNorm, { ...common, title: t("report.maskedBatchNormOutput") }),
  );
  report.heading(t("report.layerNormHeading"));
  const realLabels: string[] = [];
  const means: number[] = [];
  const stds: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < tokens[b]!.length; t++) {
      realLabels.push(`${b}:${t} ${tokens[b]![t]}`);
      means.push(r.inputTokens.mean.data[b * T + t]!);
      stds.push(Math.sqrt(r.inputTokens.variance.data[b * T + t]!));
    }
  }
  report.figure(
    barChart([{ name: t("name.tokenMean"), values: means }, {
      name: t("name.tokenStd"),
      values: stds,
    }], {
      title: t("report.layerNormStats"),
      categories: realLabels,
      xTitle: t("name.token"),
      yTitle: t("chart.value"),
      lang,
    }),
  );
  report.figure(heatmap(r.normalized, { ...common, title: t("report.layerNormOutput") }));
  if (D === 3) {
    const realRows = (t: typeof x) => {
      const picked: number[] = [];
      for (let row = 0; row < B * T; row++) {
        if (mask.data[row] === 1) picked.push(...t.data.subarray(row * 3, row * 3 + 3));
      }
      return picked;
    };
    const labels = tokens.flat();
    const points = (values: number[]) => tensor(values, { shape: [values.length / 3, 3] });
    report.figure(scatter3d([
      { name: t("report.embeddings"), points: points(realRows(x)), labels },
      { name: t("report.layerNormPoints"), points: points(realRows(r.normalized)), labels },
    ], { title: t("report.circleTitle"), reference: "circle", lang }));
  }
  report.heading(t("report.sweepHeading"));
  report.markdown(
    t("report.sweepText", {
      longest: LONGEST_LENGTH,
      typical: TYPICAL_LENGTH,
      from: r.sweep.naturalLength,
      to: options.maxLength,
    }),
  );
  const lengths = r.sweep.rows.map((row) => row.length);
  const markers = [TYPICAL_LENGTH, LONGEST_LENGTH].filter((m) =>
    m >= r.sweep.naturalLength && m <= Math.max(options.maxLength, r.sweep.naturalLength)
  ).map((m) => ({
    x: m,
    label: t(m === TYPICAL_LENGTH ? "name.typical" : "name.longest", { length: m }),
  }));
  report.figure(lineChart([
    ...r.featureLabels.map((name, d) => ({
      name: t("name.featureMean", { feature: name }),
      x: lengths,
      values: r.sweep.rows.map((row) => row.meanWithPadding[d]!),
    })),
    ...r.featureLabels.map((name, d) => ({
      name: t("name.featureStd", { feature: name }),
      x: lengths,
      values: r.sweep.rows.map((row) => row.stdWithPadding[d]!),
      dash: "dash" as const,
    })),
  ], {
    title: t("report.sweepStats"),
    xTitle: t("name.paddedLength"),
    yTitle: t("name.statistic"),
    markers,
    lang,
  }));
  report.figure(lineChart([
    {
      name: t("name.batchNorm"),
      x: lengths,
      values: r.sweep.rows.map((row) => row.batchNormShift),
      color: "#dc2626",
    },
    {
      name: t("name.maskedBatchNorm"),
      x: lengths,
      values: r.sweep.rows.map((row) => row.maskedBatchNormShift),
      color: "#2563eb",
      dash: "dash",
    },
    {
      name: t("name.layerNorm"),
      x: lengths,
      values: r.sweep.rows.map((row) => row.layerNormShift),
      color: "#16a34a",
      dash: "dot",
    },
  ], {
    title: t("report.sweepShift"),
    xTitle: t("name.paddedLength"),
    yTitle: t("name.maxShift"),
    markers,
    lang,
  }));
  const lastLength = r.sweep.rows[r.sweep.rows.length - 1]?.length ?? r.sweep.naturalLength;
  report.markdown(t("report.explorePadding", {
    from: r.sweep.naturalLength,
    to: lastLength,
    token: r.sweep.trackedToken,
  }));
  report.figure(paddingExplorable(r.sweep, { featureLabels: r.featureLabels, lang }));
  report.heading(t("report.dependenceHeading"));
  report.table(
    r.dependence.map((row) => ({
      [t("table.otherSentences")]: row.batch,
      T: row.length,
      [t("table.batchNormShift")]: row.batchNormShift,
      [t("table.maskedBatchNormShift")]: row.maskedBatchNormShift,
      [t("table.layerNormShift")]: row.layerNormShift,
    })),
  );
  report.figure(barChart([
    {
      name: t("name.batchNorm"),
      values: r.dependence.map((row) => row.batchNormShift),
      color: "#dc2626",
    },
    {
      name: t("name.maskedBatchNorm"),
      values: r.dependence.map((row) => row.maskedBatchNormShift),
      color: "#2563eb",
    },
    {
      name: t("name.layerNorm"),
      values: r.dependence.map((row) => row.layerNormShift),
      color: "#16a34a",
    },
  ], {
    title: t("report.dependenceChart", { sentence: options.sentences[0] ?? "" }),
    categories: r.dependence.map((_, i) => t("chart.batchTrace", { index: i })),
    xTitle: t("name.batch"),
    yTitle: t("report.maxShiftVsFirst"),
    lang,
  }));
  report.markdown(t("report.exploreBatch"));
  report.figure(batchExplorable(r.dependence, {
    sentence: options.sentences[0] ?? "",
    token: tokens[0]?.[0] ?? "",
    featureLabels: r.featureLabels,
    lang,
  }));
  report.heading(t("report.sideBySideHeading"));
  const [batchNorm, masked, layerNorm] = [
    t("name.batchNorm"),
    t("name.maskedBatchNorm"),
    t("name.layerNorm"),
  ];
  const [yes, no, noRunning] = [t("table.yes"), t("table.no"), t("table.noRunning")];
  report.table([
    {
      "": t("table.statisticsOver"),
      [batchNorm]: t("table.statisticsOverBatchNorm"),
      [masked]: t("table.statisticsOverMasked"),
      [layerNorm]: t("table.statisticsOverLayerNorm"),
    },
    { "": t("table.paddingEnters"), [batchNorm]: yes, [masked]: no, [layerNorm]: no },
    { "": t("table.dependsOnOthers"), [batchNorm]: yes, [masked]: yes, [layerNorm]: no },
    {
      "": t("table.trainEvalAlike"),
      [batchNorm]: noRunning,
      [masked]: noRunning,
      [layerNorm]: yes,
    },
  ]);
  return report;
}
