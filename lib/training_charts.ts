/**
 * Charts of the training experiment: loss curves per norm, accuracies with
 * error bars, batch-dependence strip plots and the train-vs-eval comparison.
 *
 * @module
 */
import { Figure, type Trace } from "./figure.ts";
import type { NormKind } from "./nn/transformer.ts";
import { type ExperimentResult, meanStd } from "./train/experiment.ts";

/** How each norm is named in charts and tables. */
export const NORM_NAMES: Readonly<Record<NormKind, string>> = {
  layer: "LayerNorm",
  batch: "BatchNorm (naive)",
  maskedBatch: "BatchNorm (masked)",
  rms: "RMSNorm",
  none: "no norm",
};

/** One colour per norm, the same in every chart. */
export const NORM_COLORS: Readonly<Record<NormKind, string>> = {
  layer: "#2563eb",
  batch: "#dc2626",
  maskedBatch: "#ea580c",
  rms: "#16a34a",
  none: "#4b5563",
};

const FONT = { family: "system-ui, -apple-system, 'Segoe UI', sans-serif", size: 13 };

function layout(title: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    title: { text: title, x: 0.02, xanchor: "left" },
    font: FONT,
    margin: { l: 70, r: 30, t: 60, b: 80 },
    paper_bgcolor: "white",
    plot_bgcolor: "white",
    legend: { orientation: "h", y: -0.25 },
    ...extra,
  };
}

const round = (value: number) => Number.isFinite(value) ? Number(value.toPrecision(5)) : null;

/**
 * Mean training loss (solid) and test accuracy (dotted, right axis) per
 * epoch, one colour per norm, averaged over the finished seeds.
 *
 * @example
 * ```ts
 * import { lossCurvesChart } from "./training_charts.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const figure = lossCurvesChart({ config: { norms: ["layer"] }, runs: [] } as never);
 * strictEqual(figure.data.length, 0);
 * ```
 */
export function lossCurvesChart(result: Pick<ExperimentResult, "config" | "runs">): Figure {
  const data: Trace[] = [];
  for (const norm of result.config.norms) {
    const runs = result.runs.filter((r) => r.norm === norm);
    if (runs.length === 0) continue;
    const epochs = Math.max(...runs.map((r) => r.history.length));
    const x = Array.from({ length: epochs }, (_, i) => i + 1);
    const average = (read: (h: ExperimentResult["runs"][number]["history"][number]) => number) =>
      x.map((epoch) =>
        round(
          meanStd(runs.flatMap((r) => {
            const h = r.history[epoch - 1];
            return h === undefined ? [] : [read(h)];
          })).mean,
        )
      );
    const color = NORM_COLORS[norm];
    data.push({
      type: "scatter",
      mode: "lines+markers",
      name: `${NORM_NAMES[norm]} · train loss`,
      x,
      y: average((h) => h.loss),
      line: { color },
      hovertemplate: `${NORM_NAMES[norm]} epoch %{x}: loss %{y:.4f}<extra></extra>`,
    });
    data.push({
      type: "scatter",
      mode: "lines",
      name: `${NORM_NAMES[norm]} · test accuracy`,
      x,
      y: average((h) => h.testAccuracy),
      yaxis: "y2",
      line: { color, dash: "dot" },
      hovertemplate: `${NORM_NAMES[norm]} epoch %{x}: test accuracy %{y:.3f}<extra></extra>`,
    });
  }
  return new Figure({
    data,
    layout: layout("Training loss (solid) and test accuracy (dotted) per epoch", {
      height: 460,
      xaxis: { title: { text: "epoch" }, dtick: 1 },
      yaxis: { title: { text: "mean training loss" }, rangemode: "tozero" },
      yaxis2: { title: { text: "test accuracy" }, overlaying: "y", side: "right", range: [0.4, 1] },
    }),
  });
}

/**
 * Grouped bars: each norm's accuracy (mean over seeds, error bars ± one
 * standard deviation) under each measurement, with the baselines as lines.
 *
 * @example
 * ```ts
 * import { accuracyChart } from "./training_charts.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const figure = accuracyChart({ config: { norms: [] }, runs: [], baselines: {
 *   afinn: { testAccuracy: 0.8 }, bagOfWords: { testAccuracy: { mean: 0.8, std: 0 } } } } as never);
 * strictEqual(figure.data.length, 0);
 * ```
 */
export function accuracyChart(
  result: Pick<ExperimentResult, "config" | "runs" | "baselines">,
): Figure {
  const measurements: [string, (r: ExperimentResult["runs"][number]) => number][] = [
    ["batches, running stats", (r) => r.metrics.testAccuracy],
    ["batches, batch stats", (r) => r.metrics.trainModeAccuracy],
    ["alone, running stats", (r) => r.metrics.singleSentenceAccuracy.eval],
    ["alone, batch stats", (r) => r.metrics.singleSentenceAccuracy.train],
    ["padded to 100, running", (r) => r.metrics.padded100Accuracy.eval],
    ["padded to 100, batch", (r) => r.metrics.padded100Accuracy.train],
  ];
  const categories = measurements.map(([label]) => label);
  const data: Trace[] = [];
  for (const norm of result.config.norms) {
    const runs = result.runs.filter((r) => r.norm === norm);
    if (runs.length === 0) continue;
    const stats = measurements.map(([, read]) => meanStd(runs.map(read)));
    data.push({
      type: "bar",
      name: NORM_NAMES[norm],
      x: categories,
      y: stats.map((s) => round(s.mean)),
      error_y: { type: "data", array: stats.map((s) => round(s.std)), visible: true },
      marker: { color: NORM_COLORS[norm] },
      hovertemplate: `${NORM_NAMES[norm]} · %{x}: %{y:.3f}<extra></extra>`,
    });
  }
  const afinn = result.baselines.afinn.testAccuracy;
  const bag = result.baselines.bagOfWords.testAccuracy.mean;
  const line = (y: number, color: string) => ({
    type: "line",
    xref: "paper",
    x0: 0,
    x1: 1,
    y0: y,
    y1: y,
    line: { color, dash: "dash", width: 1.5 },
  });
  return new Figure({
    data,
    layout: layout("Test accuracy by norm and measurement (mean ± std over seeds)", {
      height: 480,
      barmode: "group",
      xaxis: { type: "category" },
      yaxis: { title: { text: "accuracy" }, range: [0.3, 1] },
      shapes: [line(afinn, "#7c3aed"), line(bag, "#0891b2")],
      annotations: [
        {
          xref: "paper",
          x: 1,
          y: afinn,
          xanchor: "right",
          yanchor: "bottom",
          text: `AFINN word list ${afinn.toFixed(3)}`,
          showarrow: false,
          font: { color: "#7c3aed" },
        },
        {
          xref: "paper",
          x: 0,
          y: bag,
          xanchor: "left",
          yanchor: "bottom",
          text: `bag-of-words logistic regression ${bag.toFixed(3)}`,
          showarrow: false,
          font: { color: "#0891b2" },
        },
      ],
    }),
  });
}

/**
 * A strip plot: each test sentence's spread of P(positive) across random
 * batchings, with batch statistics, one column of points per norm (the first
 * seed's run), drawn as Plotly box traces with every point shown (Plotly
 * jitters them sideways, so only the values are stored).
 *
 * @example
 * ```ts
 * import { batchDependenceChart } from "./training_charts.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(batchDependenceChart({ config: { norms: [] }, runs: [] } as never).data.length, 0);
 * ```
 */
export function batchDependenceChart(result: Pick<ExperimentResult, "config" | "runs">): Figure {
  const data: Trace[] = [];
  for (const norm of result.config.norms) {
    const run = result.runs.find((r) => r.norm === norm);
    if (run === undefined) continue;
    data.push({
      type: "box",
      name: NORM_NAMES[norm],
      y: run.trainModeSpreads.map((v) => Math.round(v * 1000) / 1000),
      boxpoints: "all",
      jitter: 0.6,
      pointpos: 0,
      marker: { color: NORM_COLORS[norm], size: 4, opacity: 0.55 },
      line: { color: NORM_COLORS[norm], width: 1 },
      fillcolor: "rgba(0,0,0,0)",
      hoverinfo: "y",
    });
  }
  return new Figure({
    data,
    layout: layout(
      "How much a test sentence's P(positive) moves with its batch (batch statistics)",
      {
        height: 440,
        showlegend: false,
        yaxis: { title: { text: "max − min of P(positive) over batchings" }, range: [0, 1] },
      },
    ),
  });
}

/**
 * Train vs eval: per norm, the mean label-flip share and the mean shift of a
 * sentence's probability between batch and running statistics.
 *
 * @example
 * ```ts
 * import { trainEvalChart } from "./training_charts.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(trainEvalChart({ config: { norms: [] }, runs: [] } as never).data.length, 2);
 * ```
 */
export function trainEvalChart(result: Pick<ExperimentResult, "config" | "runs">): Figure {
  const norms = result.config.norms.filter((n) => result.runs.some((r) => r.norm === n));
  const stat = (read: (r: ExperimentResult["runs"][number]) => number) =>
    norms.map((n) => meanStd(result.runs.filter((r) => r.norm === n).map(read)));
  const bar = (name: string, color: string, values: ReturnType<typeof stat>): Trace => ({
    type: "bar",
    name,
    x: norms.map((n) => NORM_NAMES[n]),
    y: values.map((s) => round(s.mean)),
    error_y: { type: "data", array: values.map((s) => round(s.std)), visible: true },
    marker: { color },
    hovertemplate: `${name} · %{x}: %{y:.3f}<extra></extra>`,
  });
  return new Figure({
    data: [
      bar(
        "label flips across batchings (batch stats)",
        "#dc2626",
        stat((r) => r.metrics.labelFlips.train),
      ),
      bar(
        "|P(batch stats) − P(running stats)|",
        "#2563eb",
        stat((r) => r.metrics.trainEvalShift.mean),
      ),
    ],
    layout: layout("Batch statistics vs running statistics (mean ± std over seeds)", {
      height: 420,
      barmode: "group",
      xaxis: { type: "category" },
      yaxis: { title: { text: "share / probability" }, rangemode: "tozero" },
    }),
  });
}
