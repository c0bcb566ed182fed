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

/** The report of a demo run. */
export function buildReport(options: DemoOptions, r: ReportInputs): Report {
  const { x, mask, tokens } = r.batch;
  const [B, T, D] = [x.shape[0]!, x.shape[1]!, x.shape[2]!];
  const report = new Report("normlab: LayerNorm vs BatchNorm on a padded batch");
  const common = { mask, rowLabels: r.rowLabels, colLabels: r.featureLabels };
  report.markdown(
    `${B} sentences, embedded in D = ${D} (seed ${options.seed}) and right-padded to one tensor of shape (B, T, D) = (${B}, ${T}, ${D}) with a mask (1 = real token, 0 = padding).`,
  );
  report.heading("1. The padded batch");
  report.table(
    tokens.map((words, b) => ({
      sentence: options.sentences[b],
      tokens: words.join(" "),
      length: words.length,
      padding: T - words.length,
    })),
  );
  report.tensor(x, { ...common, title: "x (B, T, D), padded rows shaded" });
  report.figure(
    heatmap(x, {
      ...common,
      title: "The padded batch x: padding rows are all zeros",
      panelTitles: tokens.map((w) => w.join(" ")),
    }),
  );
  report.heading("2. Self-attention (Q = K = V = x)");
  report.markdown(
    "Without a key mask every query also attends to the padding. With it, padded keys get −∞ before the softmax and exactly zero weight. Padded *queries* still produce outputs — averages of the real tokens — so they are not zero after attention.",
  );
  report.figure(
    heatmap(r.unmasked.weights, {
      rowLabels: r.rowLabels,
      colLabels: r.rowLabels,
      title: "Attention weights without the mask",
      xTitle: "key",
      yTitle: "query",
    }),
  );
  report.figure(
    heatmap(r.masked.weights, {
      rowLabels: r.rowLabels,
      colLabels: r.rowLabels,
      columnMask: mask,
      title: "Attention weights with the key mask (padded keys greyed)",
      xTitle: "key",
      yTitle: "query",
    }),
  );
  report.heading("3. BatchNorm: statistics down each column");
  report.markdown(
    `BatchNorm stacks (B, T, D) to (B·T, D) = (${
      B * T
    }, ${D}) and normalises each feature with the mean and standard deviation of its column — padding included, unless masked.`,
  );
  const std = (v: typeof r.padded.variance) => v.sqrt();
  report.figure(
    featureStatsChart({
      meanWithPadding: r.padded.mean,
      stdWithPadding: std(r.padded.variance),
      meanReal: r.real.mean,
      stdReal: std(r.real.variance),
    }, { featureLabels: r.featureLabels }),
  );
  report.figure(
    heatmap(r.plainBatchNorm, {
      ...common,
      title: "BatchNorm output, padding counted in the statistics",
    }),
  );
  report.figure(
    heatmap(r.maskedBatchNorm, {
      ...common,
      title: "Masked BatchNorm output: real tokens only, padding stays 0",
    }),
  );
  report.heading("4. LayerNorm: statistics across each row");
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
    barChart([{ name: "token mean", values: means }, { name: "token std", values: stds }], {
      title: "LayerNorm's row statistics: each real token's own mean and std",
      categories: realLabels,
      xTitle: "token",
      yTitle: "value",
    }),
  );
  report.figure(
    heatmap(r.normalized, {
      ...common,
      title: "LayerNorm output: every real token has mean 0 and variance ≈ 1",
    }),
  );
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
      { name: "embeddings x", points: points(realRows(x)), labels },
      { name: "LayerNorm(x)", points: points(realRows(r.normalized)), labels },
    ], {
      title:
        "With D = 3, LayerNorm puts every token on a circle of radius √3 in the plane x + y + z = 0",
      reference: "circle",
    }));
  }
  report.heading("5. The padding sweep");
  report.markdown(
    `In a corpus whose longest document has ${LONGEST_LENGTH} words and a typical one ${TYPICAL_LENGTH}, a typical document in a batch padded to ${LONGEST_LENGTH} is about two-thirds padding. Here the same batch is padded from ${r.sweep.naturalLength} to ${options.maxLength} positions.`,
  );
  const lengths = r.sweep.rows.map((row) => row.length);
  const markers = [TYPICAL_LENGTH, LONGEST_LENGTH].filter((m) =>
    m >= r.sweep.naturalLength && m <= Math.max(options.maxLength, r.sweep.naturalLength)
  ).map((m) => ({ x: m, label: m === TYPICAL_LENGTH ? `typical (${m})` : `longest (${m})` }));
  report.figure(lineChart([
    ...r.featureLabels.map((name, d) => ({
      name: `${name} mean, padding counted`,
      x: lengths,
      values: r.sweep.rows.map((row) => row.meanWithPadding[d]!),
    })),
    ...r.featureLabels.map((name, d) => ({
      name: `${name} std, padding counted`,
      x: lengths,
      values: r.sweep.rows.map((row) => row.stdWithPadding[d]!),
      dash: "dash" as const,
    })),
  ], {
    title: "BatchNorm's column statistics shrink toward the padding as T grows",
    xTitle: "padded length T",
    yTitle: "statistic",
    markers,
  }));
  report.figure(lineChart([
    {
      name: "BatchNorm",
      x: lengths,
      values: r.sweep.rows.map((row) => row.batchNormShift),
      color: "#dc2626",
    },
    {
      name: "masked BatchNorm",
      x: lengths,
      values: r.sweep.rows.map((row) => row.maskedBatchNormShift),
      color: "#2563eb",
      dash: "dash",
    },
    {
      name: "LayerNorm",
      x: lengths,
      values: r.sweep.rows.map((row) => row.layerNormShift),
      color: "#16a34a",
      dash: "dot",
    },
  ], {
    title: "How far padding moves the real tokens' outputs (max |Δy| vs the unpadded batch)",
    xTitle: "padded length T",
    yTitle: "max |Δy|",
    markers,
  }));
  report.heading("6. The same sentence in different batches");
  report.table(
    r.dependence.map((row) => ({
      "other sentences": row.batch,
      T: row.length,
      "BatchNorm shift": row.batchNormShift,
      "masked BatchNorm shift": row.maskedBatchNormShift,
      "LayerNorm shift": row.layerNormShift,
    })),
  );
  report.figure(barChart([
    { name: "BatchNorm", values: r.dependence.map((row) => row.batchNormShift), color: "#dc2626" },
    {
      name: "masked BatchNorm",
      values: r.dependence.map((row) => row.maskedBatchNormShift),
      color: "#2563eb",
    },
    { name: "LayerNorm", values: r.dependence.map((row) => row.layerNormShift), color: "#16a34a" },
  ], {
    title: `"${options.sentences[0]}": how much its output changes with its batch companions`,
    categories: r.dependence.map((_, i) => `batch ${i}`),
    xTitle: "batch",
    yTitle: "max |Δy| vs batch 0",
  }));
  report.heading("7. Side by side");
  report.table([
    {
      "": "statistics over",
      BatchNorm: "each feature, down the batch (B·T rows)",
      "masked BatchNorm": "each feature, real rows only",
      LayerNorm: "each token, across its D features",
    },
    {
      "": "padding enters the statistics",
      BatchNorm: "yes",
      "masked BatchNorm": "no",
      LayerNorm: "no",
    },
    {
      "": "output depends on other sentences",
      BatchNorm: "yes",
      "masked BatchNorm": "yes",
      LayerNorm: "no",
    },
    {
      "": "train/eval behave alike",
      BatchNorm: "no (running statistics)",
      "masked BatchNorm": "no (running statistics)",
      LayerNorm: "yes",
    },
  ]);
  return report;
}
