/**
 * Explorables: the lessons' experiments as slider charts that run in the
 * page. Drag the padded length and watch BatchNorm's column statistics and a
 * real token's output slide while masked BatchNorm's and LayerNorm's stay
 * still; step through batches and watch one sentence's BatchNorm output
 * change with its companions while LayerNorm's does not.
 *
 * @module
 */
import { baseLayout } from "./_chart_style.ts";
import { plotlyText } from "./_plotly_text.ts";
import type { BatchDependenceRow, PaddingSweep } from "./experiments.ts";
import type { Figure, Layout, Trace } from "./figure.ts";
import { type Language, translator } from "./i18n/translate.ts";
import { sliderFigure } from "./slider_figure.ts";

const COLORS = { batchNorm: "#dc2626", masked: "#2563eb", layerNorm: "#16a34a" };

/** Options for {@linkcode paddingExplorable}. */
export interface PaddingExplorableOptions {
  /** The chart title. @default {"Drag the padding: …"} */
  title?: string;
  /** The feature names on the x axes. @default {["d0", "d1", …]} */
  featureLabels?: readonly string[];
  /**
   * At most this many slider steps: a longer sweep is thinned to evenly spaced
   * lengths, always keeping the first and the last. @default {100}
   */
  maxSteps?: number;
  /** The language of the titles, legend and slider label. @default {"en"} */
  lang?: Language;
}

/**
 * The padding sweep as a slider: one step per padded length T of `sweep`
 * (from the batch's natural length to the sweep's last length), three panels
 * of bars per feature — BatchNorm's column mean and standard deviation with
 * the padding counted (moving) and over the real tokens only (still), and the
 * tracked real token's output under BatchNorm (moving), masked BatchNorm and
 * LayerNorm (still). The slider label shows T and the padding's share of the
 * batch's B·T positions.
 *
 * Shapes: each row's statistics and outputs are (D) vectors.
 *
 * @param sweep A {@linkcode paddingSweep} result.
 * @returns A slider {@linkcode Figure}, one frame per row of the sweep.
 *
 * @example
 * ```ts
 * import { paddingSweep } from "./experiments.ts";
 * import { paddingExplorable } from "./explorables.ts";
 * import { plotlyDisplayText } from "./_plotly_text.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const sweep = paddingSweep({ maxLength: 12 });
 * const figure = paddingExplorable(sweep);
 * strictEqual(figure.frames!.length, sweep.rows.length);
 * const slider = (figure.layout.sliders as { steps: { label: string }[] }[])[0]!;
 * // Labels are stored escaped for Plotly ("%" as "&#37;"); Plotly shows them as written.
 * strictEqual(plotlyDisplayText(slider.steps.at(-1)!.label), "T = 12 · padding 75% of the batch");
 * ```
 */
export function paddingExplorable(
  sweep: PaddingSweep,
  options: PaddingExplorableOptions = {},
): Figure {
  const first = sweep.rows[0];
  if (first === undefined) {
    throw new Error("paddingExplorable: expected a sweep with at least one row but found none");
  }
  const t = translator(options.lang);
  const dim = first.meanWithPadding.length;
  const features = checkFeatureLabels(options.featureLabels, dim, "paddingExplorable");
  const bars = (name: string, color: string, panel: number, y: number[], legend: boolean) =>
    barTrace(name, color, panel, features, y, legend);
  const names = {
    counted: t("explore.paddingCounted"),
    masked: t("explore.masked"),
    layer: t("name.layerNorm"),
  };
  // Traces 0, 2 and 4 move with T; the others are the same at every length.
  const data: Trace[] = [
    bars(names.counted, COLORS.batchNorm, 1, first.meanWithPadding, true),
    bars(names.masked, COLORS.masked, 1, first.meanReal, true),
    bars(names.counted, COLORS.batchNorm, 2, first.stdWithPadding, false),
    bars(names.masked, COLORS.masked, 2, first.stdReal, false),
    bars(names.counted, COLORS.batchNorm, 3, first.trackedBatchNorm, false),
    bars(names.masked, COLORS.masked, 3, first.trackedMaskedBatchNorm, false),
    bars(names.layer, COLORS.layerNorm, 3, first.trackedLayerNorm, true),
  ];
  const panels = [
    t("explore.meanPanel"),
    t("explore.stdPanel"),
    t("explore.tokenPanel", { token: sweep.trackedToken }),
  ];
  const base = {
    data,
    layout: panelLayout(options.title ?? t("explore.paddingTitle"), panels, options.lang),
  };
  return sliderFigure(
    base,
    evenlySpaced(sweep.rows, options.maxSteps ?? 100).map((row) => ({
      label: t("explore.paddingLabel", {
        length: row.length,
        share: Math.round(100 * row.paddingFraction),
      }),
      data: [{ y: row.meanWithPadding }, { y: row.stdWithPadding }, { y: row.trackedBatchNorm }],
    })),
    { animated: [0, 2, 4], lang: options.lang, frameDuration: 120, significantDigits: 4 },
  );
}

/** Options for {@linkcode batchExplorable}. */
export interface BatchExplorableOptions {
  /** The followed sentence's first token, for the panel title. */
  token?: string;
  /** The followed sentence, for the chart title. */
  sentence?: string;
  /** The chart title. @default {"Swap the batch: …"} */
  title?: string;
  /** The feature names on the x axis. @default {["d0", "d1", …]} */
  featureLabels?: readonly string[];
  /** The language of the titles, legend and slider label. @default {"en"} */
  lang?: Language;
}

/**
 * The batch-dependence experiment as a slider: one step per batch of
 * `rows`, showing the followed sentence's first-token output per feature under
 * BatchNorm, masked BatchNorm and LayerNorm, and how far each norm moved the
 * whole sentence against batch 0. The slider label names the companions and
 * the batch's padded length T.
 *
 * Shapes: each row's first-token outputs are (D) vectors.
 *
 * @param rows A {@linkcode batchDependence} result.
 * @returns A slider {@linkcode Figure}, one frame per batch.
 *
 * @example
 * ```ts
 * import { batchDependence } from "./experiments.ts";
 * import { batchExplorable } from "./explorables.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const figure = batchExplorable(batchDependence(), { sentence: "Loved it", token: "loved" });
 * strictEqual(figure.frames!.length, 4);
 * const slider = (figure.layout.sliders as { steps: { label: string }[] }[])[0]!;
 * strictEqual(slider.steps[2]!.label, "batch 2: with “Wonderful”, “Boring” · T = 2");
 * ```
 */
export function batchExplorable(
  rows: readonly BatchDependenceRow[],
  options: BatchExplorableOptions = {},
): Figure {
  const first = rows[0];
  if (first === undefined) {
    throw new Error("batchExplorable: expected at least one batch but found none");
  }
  const t = translator(options.lang);
  const dim = first.batchNormFirstToken.length;
  const features = checkFeatureLabels(options.featureLabels, dim, "batchExplorable");
  const names = [t("name.batchNorm"), t("name.maskedBatchNorm"), t("name.layerNorm")];
  const colors = [COLORS.batchNorm, COLORS.masked, COLORS.layerNorm];
  const outputs = (row: BatchDependenceRow) => [
    row.batchNormFirstToken,
    row.maskedBatchNormFirstToken,
    row.layerNormFirstToken,
  ];
  // The shifts carry their value as text, so that LayerNorm's 0 shows as a number, not a gap.
  const shifts = (row: BatchDependenceRow) =>
    [row.batchNormShift, row.maskedBatchNormShift, row.layerNormShift].map((v, i) => ({
      ...barTrace(names[i]!, colors[i]!, 2, [names[i]!], [v], false),
      texttemplate: "%{y:.3f}",
      textposition: "outside",
      cliponaxis: false,
    }));
  const data: Trace[] = [
    ...outputs(first).map((y, i) => barTrace(names[i]!, colors[i]!, 1, features, y, true)),
    ...shifts(first),
  ];
  const panels = [
    t("explore.firstTokenPanel", { token: options.token ?? "" }),
    t("explore.shiftPanel"),
  ];
  const title = options.title ??
    t("explore.batchTitle", { sentence: options.sentence ?? "" });
  const base = { data, layout: panelLayout(title, panels, options.lang) };
  return sliderFigure(
    base,
    rows.map((row, index) => ({
      label: t("explore.batchLabel", {
        index,
        companions: row.companions.length === 0
          ? t("explore.alone")
          : row.companions.map((c) => `“${c}”`).join(", "),
        length: row.length,
      }),
      data: [
        ...outputs(row).map((y) => ({ y })),
        ...[row.batchNormShift, row.maskedBatchNormShift, row.layerNormShift].map((v) => ({
          y: [v],
        })),
      ],
    })),
    { lang: options.lang, frameDuration: 900, significantDigits: 4 },
  );
}

/** One bar trace in panel `panel` (1-based), its legend entry shared by name. */
function barTrace(
  name: string,
  color: string,
  panel: number,
  categories: readonly string[],
  y: readonly number[],
  showLegend: boolean,
): Trace {
  const suffix = panel === 1 ? "" : String(panel);
  return {
    type: "bar",
    name: plotlyText(name),
    legendgroup: plotlyText(name),
    showlegend: showLegend,
    x: categories.map(plotlyText),
    y: [...y],
    xaxis: `x${suffix}`,
    yaxis: `y${suffix}`,
    marker: { color },
    hovertemplate: `${plotlyText(name)} · %{x}: %{y:.4f}<extra></extra>`,
  };
}

/** Side-by-side panels, each with its own axes and a title above it. */
function panelLayout(title: string, panels: readonly string[], lang?: Language): Partial<Layout> {
  const gap = 0.08;
  const width = (1 - gap * (panels.length - 1)) / panels.length;
  const layout: Partial<Layout> = baseLayout(title, {
    title: { text: plotlyText(title), x: 0.02, xanchor: "left", y: 0.985, yanchor: "top" },
    barmode: "group",
    height: 440,
    margin: { l: 60, r: 20, t: 120, b: 60 },
    legend: { orientation: "h", x: 0, xanchor: "left", y: 1.12, yanchor: "bottom" },
    annotations: panels.map((text, i) => ({
      text: plotlyText(text),
      x: i * (width + gap) + width / 2,
      xref: "paper",
      y: 1.02,
      yref: "paper",
      xanchor: "center",
      yanchor: "bottom",
      showarrow: false,
      font: { size: 13 },
    })),
  }, lang);
  panels.forEach((_, i) => {
    const suffix = i === 0 ? "" : String(i + 1);
    layout[`xaxis${suffix}`] = {
      domain: [i * (width + gap), i * (width + gap) + width],
      anchor: `y${suffix}`,
      type: "category",
    };
    layout[`yaxis${suffix}`] = { anchor: `x${suffix}`, zeroline: true, zerolinecolor: "#9ca3af" };
  });
  return layout;
}

/** At most `count` items of `items`, evenly spaced, the first and the last always among them. */
function evenlySpaced<T>(items: readonly T[], count: number): T[] {
  if (!Number.isInteger(count) || count < 2) {
    throw new Error(
      `paddingExplorable: expected maxSteps to be an integer ≥ 2 but found ${count}`,
    );
  }
  if (items.length <= count) return [...items];
  const chosen = new Set<number>();
  for (let k = 0; k < count; k++) chosen.add(Math.round((k * (items.length - 1)) / (count - 1)));
  return [...chosen].map((i) => items[i]!);
}

/** The feature labels: given (one per feature) or d0, d1, …. */
function checkFeatureLabels(
  labels: readonly string[] | undefined,
  dim: number,
  operation: string,
): string[] {
  if (labels === undefined) return Array.from({ length: dim }, (_, d) => `d${d}`);
  if (!Array.isArray(labels) || labels.length !== dim) {
    throw new Error(
      `${operation}: expected ${dim} feature labels (one per feature) but found ${
        Array.isArray(labels) ? labels.length : typeof labels
      }`,
    );
  }
  return [...labels];
}
