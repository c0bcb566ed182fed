/**
 * Figure builders: pure functions from tensors and numbers to a
 * {@linkcode Figure} (Plotly data and layout) with titles, axis labels and
 * legends by default.
 *
 * @module
 */
import { baseLayout, chartValue, PADDING_COLOR, PALETTE } from "./_chart_style.ts";
import { plotly3dText, plotlyText } from "./_plotly_text.ts";
import { formatShape } from "./_shape.ts";
import { Figure, type Trace } from "./figure.ts";
import { type Language, translator } from "./i18n/translate.ts";
import { Tensor } from "./tensor.ts";

/**
 * Throws unless `series` is a list of `{ name, values }`, naming the chart:
 * a bare Tensor or array passed where a list of series belongs would
 * otherwise fail deep inside with a TypeError.
 */
function checkSeries(series: readonly Series[], operation: string): void {
  if (!Array.isArray(series)) {
    throw new Error(
      `${operation}: expected a list of series ({ name, values }) but found ${describe(series)}${
        series instanceof Tensor ? " (wrap it: [{ name, values: tensor }])" : ""
      }`,
    );
  }
  for (const [i, s] of series.entries()) {
    const values = (s as Partial<Series> | null)?.values;
    const valid = typeof s === "object" && s !== null && typeof s.name === "string" &&
      (values instanceof Tensor || (typeof values === "object" && values !== null &&
        typeof (values as ArrayLike<number>).length === "number"));
    if (!valid) {
      throw new Error(
        `${operation}: expected series ${i} to be { name: string, values: Tensor | number[] } but found ${
          describe(s)
        }`,
      );
    }
  }
}

function describe(value: unknown): string {
  if (value instanceof Tensor) return `a Tensor ${formatShape(value.shape)}`;
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

function valuesOf(values: ArrayLike<number> | Tensor): number[] {
  return Array.from(values instanceof Tensor ? values.data : values, chartValue);
}

/** Options for {@linkcode heatmap}. */
export interface HeatmapOptions {
  /** The chart title. */
  title?: string;
  /** Row labels (tokens, typically): one list for all panels or one per panel. */
  rowLabels?: readonly string[] | readonly (readonly string[])[];
  /** Column labels (features, or key tokens): one list or one per panel. */
  colLabels?: readonly string[] | readonly (readonly string[])[];
  /** 1 = real, 0 = padding, (B, T): padded **rows** are greyed and marked "pad". */
  mask?: Tensor;
  /** 1 = real, 0 = padding, (B, T_k): padded **columns** (keys) are greyed and marked "pad". */
  columnMask?: Tensor;
  /** A title per panel (batch item). */
  panelTitles?: readonly string[];
  /** The x-axis title. @default {"feature"} */
  xTitle?: string;
  /** The y-axis title. @default {"position"} */
  yTitle?: string;
  /** A Plotly colorscale. @default {"RdBu" centred on 0, or white → blue for non-negative data} */
  colorscale?: string | [number, string][];
  /** Print each value in its cell. @default {true up to 400 cells per panel} */
  showValues?: boolean;
  /** The language of the built-in labels ("feature", "pad", …) and the font stack. @default {"en"} */
  lang?: Language;
}

/**
 * A heatmap of a (T, D) matrix, or of a (B, T, D) tensor as B panels in a
 * grid (up to 4 per row for narrow matrices, 2 or 1 for wide ones, so every
 * panel stays readable however many sentences there are; the chart grows
 * taller and the page scrolls), with padded cells greyed and labelled "pad"
 * when a mask is given. Every label and title shows literally.
 *
 * @example
 * ```ts
 * import { heatmap } from "./plot.ts";
 * import { tensor } from "./tensor.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const x = tensor([[[1, 2], [0, 0]], [[3, 4], [5, 6]]]); // (B, T, D) = (2, 2, 2)
 * const figure = heatmap(x, { mask: tensor([[1, 0], [1, 1]]), title: "x" });
 * // One value trace and one padding trace per batch item.
 * deepStrictEqual(figure.data.length, 4);
 * ```
 */
export function heatmap(x: Tensor, options: HeatmapOptions = {}): Figure {
  if (!(x instanceof Tensor) || (x.ndim !== 2 && x.ndim !== 3)) {
    throw new Error(
      `heatmap: expected x to be a (T, D) or (B, T, D) tensor but found ${
        x instanceof Tensor ? formatShape(x.shape) : typeof x
      }`,
    );
  }
  const t = translator(options.lang);
  const panels = x.ndim === 3 ? x.shape[0]! : 1;
  const rows = x.shape[x.ndim - 2]!;
  const cols = x.shape[x.ndim - 1]!;
  const rowMask = checkPlotMask(options.mask, panels, rows, x, "mask");
  const colMask = checkPlotMask(options.columnMask, panels, cols, x, "columnMask");
  let min = Infinity;
  let max = -Infinity;
  for (const value of x.data) {
    if (Number.isFinite(value)) {
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
  }
  const nonNegative = min >= 0;
  const bound = Math.max(Math.abs(min), Math.abs(max), 1e-12);
  // Non-negative data (attention weights): white → dark blue, so larger is darker.
  const colorscale = options.colorscale ??
    (nonNegative ? [[0, "#f7fbff"], [0.5, "#6baed6"], [1, "#08306b"]] : "RdBu");
  const showValues = options.showValues ?? rows * cols <= 400;
  const data: Trace[] = [];
  const rowLabelChars = Math.max(
    0,
    ...Array.from({ length: panels }, (_, p) => labelsFor(options.rowLabels, p) ?? [])
      .flat().map((label) => Array.from(String(label)).length + 4), // "12 · " prefix
  );
  const grid = heatmapGrid(panels, rows, cols, rowLabelChars);
  const layout = baseLayout(
    options.title ?? t("chart.tensorTitle", { shape: formatShape(x.shape) }),
    { height: grid.height, annotations: [] },
    options.lang,
  );
  const pad = t("chart.pad");
  const xTitle = plotlyText(options.xTitle ?? t("chart.feature"));
  const yTitle = plotlyText(options.yTitle ?? t("chart.position"));
  // A panel's title fits over its panel (about 7 px a character); the full title is its trace's name.
  const titleChars = Math.max(8, Math.floor(grid.domains[0]!.x[1] * 1000 / 7));
  const panelTitle = (p: number) =>
    plotlyText(
      truncate(options.panelTitles?.[p] ?? t("chart.batchItem", { index: p }), titleChars),
    );
  for (let p = 0; p < panels; p++) {
    const suffix = p === 0 ? "" : String(p + 1);
    const rowNames = uniqueLabels(labelsFor(options.rowLabels, p), rows);
    const colNames = uniqueLabels(labelsFor(options.colLabels, p), cols);
    const z: (number | null)[][] = [];
    const padding: (number | null)[][] = [];
    const paddingText: string[][] = [];
    for (let r = 0; r < rows; r++) {
      const row: (number | null)[] = [];
      const padRow: (number | null)[] = [];
      const padText: string[] = [];
      for (let c = 0; c < cols; c++) {
        const padded = rowMask?.[p * rows + r] === 0 || colMask?.[p * cols + c] === 0;
        row.push(padded ? null : chartValue(x.data[(p * rows + r) * cols + c]!));
        padRow.push(padded ? 1 : null);
        // Padded cells are grey and say "pad", with their value: after BatchNorm it is not 0.
        const value = x.data[(p * rows + r) * cols + c]!;
        padText.push(padded ? (showValues ? `${pad}<br>${value.toFixed(2)}` : pad) : "");
      }
      z.push(row);
      padding.push(padRow);
      paddingText.push(padText);
    }
    const axes = { xaxis: `x${suffix}`, yaxis: `y${suffix}` };
    data.push({
      type: "heatmap",
      name: options.panelTitles?.[p] === undefined
        ? (panels > 1 ? t("chart.batchTrace", { index: p }) : t("chart.values"))
        : plotlyText(options.panelTitles[p]!),
      x: colNames,
      y: rowNames,
      z,
      colorscale,
      zmin: nonNegative ? 0 : -bound,
      zmax: nonNegative ? Math.max(max, 1e-12) : bound,
      showscale: p === panels - 1,
      texttemplate: showValues ? "%{z:.2f}" : undefined,
      hovertemplate: "%{y} · %{x}: %{z:.4f}<extra></extra>",
      ...axes,
    });
    data.push({
      type: "heatmap",
      name: t("chart.padding"),
      x: colNames,
      y: rowNames,
      z: padding,
      colorscale: [[0, PADDING_COLOR], [1, PADDING_COLOR]],
      showscale: false,
      // Label only the padded cells: a constant template would print over the real ones too.
      text: paddingText,
      texttemplate: "%{text}",
      hovertemplate: `%{y} · %{x}: ${t("chart.padding")}<extra></extra>`,
      ...axes,
    });
    const { x: xDomain, y: yDomain } = grid.domains[p]!;
    const column = p % grid.perRow;
    const record = layout as Record<string, unknown>;
    record[`xaxis${suffix}`] = {
      domain: xDomain,
      anchor: `y${suffix}`,
      // The x title under the bottom panel of each column only: it would collide with the panel below.
      title: { text: p + grid.perRow >= panels ? xTitle : "" },
      side: "bottom",
      type: "category",
    };
    record[`yaxis${suffix}`] = {
      domain: yDomain,
      anchor: `x${suffix}`,
      autorange: "reversed",
      automargin: true,
      type: "category",
      title: { text: column === 0 ? yTitle : "" },
    };
    if (panels > 1 || options.panelTitles !== undefined) {
      layout.annotations!.push({
        text: panelTitle(p),
        x: (xDomain[0] + xDomain[1]) / 2,
        y: yDomain[1],
        yshift: 4,
        xref: "paper",
        yref: "paper",
        xanchor: "center",
        yanchor: "bottom",
        showarrow: false,
      });
    }
  }
  return new Figure({ data, layout });
}

function checkPlotMask(
  mask: Tensor | undefined,
  panels: number,
  extent: number,
  x: Tensor,
  name: string,
): Float32Array | Float64Array | undefined {
  if (mask === undefined) return undefined;
  if (!(mask instanceof Tensor) || mask.size !== panels * extent) {
    throw new Error(
      `heatmap: expected ${name} to have shape ${
        formatShape(x.ndim === 3 ? [panels, extent] : [extent])
      } for x ${formatShape(x.shape)} but found ${
        mask instanceof Tensor ? formatShape(mask.shape) : typeof mask
      }`,
    );
  }
  return mask.data;
}

function labelsFor(
  labels: readonly string[] | readonly (readonly string[])[] | undefined,
  panel: number,
): readonly string[] | undefined {
  if (labels === undefined || labels.length === 0) return undefined;
  if (typeof labels[0] === "string") return labels as readonly string[];
  return (labels as readonly (readonly string[])[])[panel];
}

/**
 * "0 · the", "1 · cat": Plotly merges equal category labels, so every label
 * carries its index (and shows literally, see `plotlyText`).
 */
function uniqueLabels(labels: readonly string[] | undefined, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const label = labels?.[i];
    return label === undefined ? String(i) : `${i} · ${plotlyText(label)}`;
  });
}

/** Panels per grid row: narrow matrices 4 side by side, wider ones 2, the widest 1. */
function panelsPerRow(panels: number, cols: number): number {
  return Math.min(panels, cols <= 8 ? 4 : cols <= 24 ? 2 : 1);
}

/** Pixels between two rows of panels: x tick labels, the next panel's title. */
const PANEL_GAP_PX = 80;
/** The narrowest a panel may be, as a share of the plot's width (about 200 px in a report). */
const MIN_PANEL_WIDTH = 0.2;
/** Roughly one character of a 12 px tick label, as a share of a report chart's width. */
const CHARACTER_WIDTH = 0.0065;

/**
 * Where each heatmap panel goes: a grid filled row by row, with the paper
 * domains (within [0, 1]) of every panel and the chart's height in pixels.
 * Panels side by side are parted by room for the row labels (`labelChars`
 * characters) of the panel on the right; fewer go in a row when that room
 * would leave a panel narrower than {@linkcode MIN_PANEL_WIDTH}.
 */
function heatmapGrid(
  panels: number,
  rows: number,
  cols: number,
  labelChars: number,
): { perRow: number; height: number; domains: { x: [number, number]; y: [number, number] }[] } {
  const gapX = Math.min(0.3, Math.max(0.06, 0.02 + labelChars * CHARACTER_WIDTH));
  let perRow = Math.max(1, panelsPerRow(panels, cols));
  while (perRow > 1 && (1 - gapX * (perRow - 1)) / perRow < MIN_PANEL_WIDTH) perRow--;
  const gridRows = Math.max(1, Math.ceil(panels / perRow));
  const width = (1 - gapX * (perRow - 1)) / perRow;
  // One row: the chart's usual height. More: each row of panels gets a readable height; the
  // chart grows and the page scrolls.
  const panelHeight = gridRows === 1
    ? Math.min(900, Math.max(260, 60 * rows + 140)) - 120
    : Math.min(600, Math.max(160, 40 * rows + 40));
  const plotHeight = gridRows * panelHeight + (gridRows - 1) * PANEL_GAP_PX;
  const height = plotHeight + 120; // the layout's top and bottom margins
  return {
    perRow,
    height,
    domains: Array.from({ length: panels }, (_, p) => {
      const row = Math.floor(p / perRow);
      const column = p % perRow;
      const top = 1 - (row * (panelHeight + PANEL_GAP_PX)) / plotHeight;
      const bottom = Math.max(0, top - panelHeight / plotHeight);
      const start = column * (width + gapX);
      return { x: [start, Math.min(1, start + width)], y: [bottom, top] };
    }),
  };
}

/** `text` cut to `max` characters (code points) with an ellipsis, so a panel title fits its panel. */
function truncate(text: string, max: number): string {
  const characters = Array.from(text);
  return characters.length <= max ? text : `${characters.slice(0, Math.max(1, max - 1)).join("")}…`;
}

/** One series of a bar, line or histogram chart. */
export interface Series {
  /** The legend entry. */
  name: string;
  /** The values. */
  values: ArrayLike<number> | Tensor;
  /** x positions (lines) — categories come from the chart's options for bars. */
  x?: ArrayLike<number> | readonly string[];
  /** A CSS colour. */
  color?: string;
  /** Line dash: "solid", "dash", "dot". */
  dash?: "solid" | "dash" | "dot" | "dashdot";
}

/** Options for {@linkcode barChart}. */
export interface BarChartOptions {
  /** The chart title. */
  title?: string;
  /** The category of each bar position (x axis). */
  categories?: readonly string[];
  /** The x-axis title. */
  xTitle?: string;
  /** The y-axis title. */
  yTitle?: string;
  /** The language of the default title and the font stack. @default {"en"} */
  lang?: Language;
}

/**
 * Grouped bars: one colour per series, one group per category.
 *
 * @example
 * ```ts
 * import { barChart } from "./plot.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const figure = barChart([{ name: "mean", values: [1, 2] }], { categories: ["d0", "d1"] });
 * deepStrictEqual(figure.data.length, 1);
 * ```
 */
export function barChart(series: readonly Series[], options: BarChartOptions = {}): Figure {
  checkSeries(series, "barChart");
  const data: Trace[] = series.map((s, i) => {
    const y = valuesOf(s.values);
    return {
      type: "bar",
      name: plotlyText(s.name),
      x: options.categories ? options.categories.map(plotlyText) : y.map((_, j) => String(j)),
      y,
      marker: { color: s.color ?? PALETTE[i % PALETTE.length] },
      hovertemplate: `${plotlyText(s.name)} · %{x}: %{y:.4f}<extra></extra>`,
    };
  });
  return new Figure({
    data,
    layout: baseLayout(options.title ?? translator(options.lang)("chart.barTitle"), {
      barmode: "group",
      xaxis: { title: { text: plotlyText(options.xTitle ?? "") }, type: "category" },
      yaxis: { title: { text: plotlyText(options.yTitle ?? "") }, zeroline: true },
    }, options.lang),
  });
}

/** Options for {@linkcode featureStatsChart}. */
export interface FeatureStatsChartOptions {
  /** The chart title. */
  title?: string;
  /** Names of the features. @default {"d0", "d1", …} */
  featureLabels?: readonly string[];
  /** The language of the title, axes and legend. @default {"en"} */
  lang?: Language;
}

/** Per-feature statistics, with padding counted and with real tokens only. */
export interface FeatureStatsInput {
  /** (D) means, padding counted. */
  meanWithPadding: ArrayLike<number> | Tensor;
  /** (D) standard deviations, padding counted. */
  stdWithPadding: ArrayLike<number> | Tensor;
  /** (D) means over real tokens. */
  meanReal: ArrayLike<number> | Tensor;
  /** (D) standard deviations over real tokens. */
  stdReal: ArrayLike<number> | Tensor;
}

/**
 * BatchNorm's view as bars: each feature's mean and standard deviation with
 * the padding counted against real tokens only.
 *
 * @example
 * ```ts
 * import { featureStatsChart } from "./plot.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const figure = featureStatsChart({ meanWithPadding: [0.5], stdWithPadding: [0.5], meanReal: [1], stdReal: [0] });
 * deepStrictEqual(figure.data.length, 4);
 * ```
 */
export function featureStatsChart(
  stats: FeatureStatsInput,
  options: FeatureStatsChartOptions = {},
): Figure {
  for (const key of ["meanWithPadding", "stdWithPadding", "meanReal", "stdReal"] as const) {
    const values = (stats as Partial<FeatureStatsInput> | null)?.[key];
    if (!(values instanceof Tensor) && !(typeof values === "object" && values !== null)) {
      throw new Error(
        `featureStatsChart: expected stats.${key} to be a Tensor or an array of numbers but found ${
          describe(values)
        }`,
      );
    }
  }
  const t = translator(options.lang);
  const features = valuesOf(stats.meanReal).length;
  const categories = options.featureLabels
    ? [...options.featureLabels]
    : Array.from({ length: features }, (_, d) => `d${d}`);
  return barChart(
    [
      { name: t("chart.meanWithPadding"), values: stats.meanWithPadding, color: "#93c5fd" },
      { name: t("chart.meanReal"), values: stats.meanReal, color: "#1d4ed8" },
      { name: t("chart.stdWithPadding"), values: stats.stdWithPadding, color: "#fca5a5" },
      { name: t("chart.stdReal"), values: stats.stdReal, color: "#b91c1c" },
    ],
    {
      title: options.title ?? t("chart.featureStatsTitle"),
      categories,
      xTitle: t("chart.featureColumn"),
      yTitle: t("chart.value"),
      lang: options.lang,
    },
  );
}

/** Options for {@linkcode lineChart}. */
export interface LineChartOptions {
  /** The chart title. */
  title?: string;
  /** The x-axis title. */
  xTitle?: string;
  /** The y-axis title. */
  yTitle?: string;
  /** Vertical reference lines with labels, e.g. `{ x: 32, label: "typical" }`. */
  markers?: readonly { x: number; label: string }[];
  /** A log y axis. @default {false} */
  logY?: boolean;
  /** A log x axis. @default {false} */
  logX?: boolean;
  /** The language of the default title and the font stack. @default {"en"} */
  lang?: Language;
}

/**
 * Lines, one per series (`x` per series, or 0, 1, …), with optional labelled
 * vertical markers — for sweeps.
 *
 * @example
 * ```ts
 * import { lineChart } from "./plot.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const figure = lineChart([{ name: "drift", x: [4, 8], values: [0, 0.3] }], { markers: [{ x: 8, label: "T = 8" }] });
 * deepStrictEqual(figure.data.length, 1);
 * ```
 */
export function lineChart(series: readonly Series[], options: LineChartOptions = {}): Figure {
  checkSeries(series, "lineChart");
  const data: Trace[] = series.map((s, i) => {
    const y = valuesOf(s.values);
    return {
      type: "scatter",
      mode: y.length > 40 ? "lines" : "lines+markers",
      name: plotlyText(s.name),
      x: s.x === undefined ? y.map((_, j) => j) : Array.from(
        s.x as ArrayLike<number | string>,
        (v) => typeof v === "string" ? plotlyText(v) : v,
      ),
      y,
      line: { color: s.color ?? PALETTE[i % PALETTE.length], dash: s.dash ?? "solid", width: 2 },
    };
  });
  const markers = options.markers ?? [];
  return new Figure({
    data,
    layout: baseLayout(options.title ?? translator(options.lang)("chart.lineTitle"), {
      xaxis: {
        title: { text: plotlyText(options.xTitle ?? "") },
        type: options.logX ? "log" : "linear",
      },
      yaxis: {
        title: { text: plotlyText(options.yTitle ?? "") },
        type: options.logY ? "log" : "linear",
      },
      shapes: markers.map((m) => ({
        type: "line",
        x0: m.x,
        x1: m.x,
        yref: "paper",
        y0: 0,
        y1: 1,
        line: { color: "#6b7280", dash: "dot", width: 1 },
      })),
      annotations: markers.map((m) => ({
        x: m.x,
        y: 1,
        yref: "paper",
        text: plotlyText(m.label),
        showarrow: false,
        yanchor: "bottom",
        font: { size: 11, color: "#374151" },
      })),
    }, options.lang),
  });
}

/** One group of points in a 3-D scatter. */
export interface PointGroup {
  /** The legend entry. */
  name: string;
  /** The points, (N, 3). */
  points: Tensor;
  /** A label per point (shown on hover and next to the point). */
  labels?: readonly string[];
  /** A CSS colour. */
  color?: string;
}

/** Options for {@linkcode scatter3d}. */
export interface Scatter3dOptions {
  /** The chart title. */
  title?: string;
  /**
   * A reference shape: `"circle"` — radius √3 in the plane x + y + z = 0,
   * where every LayerNorm output of D = 3 lies — or `"sphere"` — radius √3,
   * where every RMSNorm output lies.
   */
  reference?: "circle" | "sphere";
  /** The language of the built-in labels and the font stack. @default {"en"} */
  lang?: Language;
}

/**
 * A 3-D scatter of D = 3 vectors (embeddings, normalised tokens), with an
 * optional reference circle or sphere.
 *
 * @example
 * ```ts
 * import { scatter3d } from "./plot.ts";
 * import { tensor } from "./tensor.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const figure = scatter3d([{ name: "tokens", points: tensor([[1, 0, -1]]) }], { reference: "circle" });
 * deepStrictEqual(figure.data.length, 2);
 * ```
 */
export function scatter3d(groups: readonly PointGroup[], options: Scatter3dOptions = {}): Figure {
  if (!Array.isArray(groups)) {
    throw new Error(
      `scatter3d: expected a list of point groups ({ name, points }) but found ${describe(groups)}`,
    );
  }
  const t = translator(options.lang);
  const data: Trace[] = [];
  for (const [i, group] of groups.entries()) {
    if (typeof group !== "object" || group === null || typeof group.name !== "string") {
      throw new Error(
        `scatter3d: expected group ${i} to be { name: string, points: Tensor } but found ${
          describe(group)
        }`,
      );
    }
    const points = group.points;
    if (!(points instanceof Tensor) || points.ndim !== 2 || points.shape[1] !== 3) {
      throw new Error(
        `scatter3d: expected the points of group "${group.name}" to have shape (N, 3) but found ${
          points instanceof Tensor ? formatShape(points.shape) : typeof points
        }`,
      );
    }
    if (
      group.labels !== undefined &&
      (!Array.isArray(group.labels) || group.labels.length !== points.shape[0])
    ) {
      throw new Error(
        `scatter3d: expected the labels of group "${group.name}" to be ${
          points.shape[0]
        } strings (one per point) but found ${
          Array.isArray(group.labels) ? group.labels.length : describe(group.labels)
        }`,
      );
    }
    const n = points.shape[0]!;
    const column = (c: number) =>
      Array.from({ length: n }, (_, r) => chartValue(points.data[r * 3 + c]!));
    data.push({
      type: "scatter3d",
      mode: group.labels ? "markers+text" : "markers",
      name: plotlyText(group.name),
      x: column(0),
      y: column(1),
      z: column(2),
      // WebGL labels next to the points, and SVG hover labels: each escaped for its renderer.
      text: group.labels ? group.labels.map(plotly3dText) : undefined,
      hovertext: group.labels ? group.labels.map(plotlyText) : undefined,
      marker: { size: 5, color: group.color ?? PALETTE[i % PALETTE.length] },
    });
  }
  if (options.reference === "circle") {
    // Orthonormal basis of the plane x + y + z = 0, scaled to radius √3.
    const u = [1 / Math.SQRT2, -1 / Math.SQRT2, 0];
    const v = [1 / Math.sqrt(6), 1 / Math.sqrt(6), -2 / Math.sqrt(6)];
    const angles = Array.from({ length: 121 }, (_, k) => (2 * Math.PI * k) / 120);
    const at = (c: number) =>
      angles.map((a) => chartValue(Math.sqrt(3) * (Math.cos(a) * u[c]! + Math.sin(a) * v[c]!)));
    data.push({
      type: "scatter3d",
      mode: "lines",
      name: t("chart.circle"),
      x: at(0),
      y: at(1),
      z: at(2),
      line: { color: "#6b7280", width: 3 },
    });
  } else if (options.reference === "sphere") {
    const steps = 24;
    const x: number[][] = [];
    const y: number[][] = [];
    const z: number[][] = [];
    for (let i = 0; i <= steps; i++) {
      const theta = (Math.PI * i) / steps;
      x.push([]);
      y.push([]);
      z.push([]);
      for (let j = 0; j <= steps; j++) {
        const phi = (2 * Math.PI * j) / steps;
        x[i]!.push(chartValue(Math.sqrt(3) * Math.sin(theta) * Math.cos(phi)));
        y[i]!.push(chartValue(Math.sqrt(3) * Math.sin(theta) * Math.sin(phi)));
        z[i]!.push(chartValue(Math.sqrt(3) * Math.cos(theta)));
      }
    }
    data.push({
      type: "surface",
      name: t("chart.sphere"),
      x,
      y,
      z,
      opacity: 0.15,
      showscale: false,
      colorscale: [[0, "#9ca3af"], [1, "#9ca3af"]],
      hoverinfo: "skip",
    });
  }
  return new Figure({
    data,
    layout: baseLayout(options.title ?? t("chart.scatterTitle"), {
      height: 520,
      scene: {
        aspectmode: "cube",
        xaxis: { title: { text: "d0" } },
        yaxis: { title: { text: "d1" } },
        zaxis: { title: { text: "d2" } },
      },
    }, options.lang),
  });
}

/** Options for {@linkcode histogram}. */
export interface HistogramOptions {
  /** The chart title. */
  title?: string;
  /** The x-axis title. */
  xTitle?: string;
  /** The number of bins. @default {30} */
  bins?: number;
  /** The language of the default labels and the font stack. @default {"en"} */
  lang?: Language;
}

/**
 * Overlaid histograms, one per series.
 *
 * @example
 * ```ts
 * import { histogram } from "./plot.ts";
 * import { randn } from "./creation.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const figure = histogram([{ name: "x", values: randn([100], { seed: 1 }) }]);
 * deepStrictEqual(figure.data.length, 1);
 * ```
 */
export function histogram(series: readonly Series[], options: HistogramOptions = {}): Figure {
  checkSeries(series, "histogram");
  const t = translator(options.lang);
  const data: Trace[] = series.map((s, i) => ({
    type: "histogram",
    name: plotlyText(s.name),
    x: valuesOf(s.values),
    nbinsx: options.bins ?? 30,
    opacity: series.length > 1 ? 0.6 : 0.9,
    marker: { color: s.color ?? PALETTE[i % PALETTE.length] },
  }));
  return new Figure({
    data,
    layout: baseLayout(options.title ?? t("chart.histogramTitle"), {
      barmode: "overlay",
      xaxis: { title: { text: plotlyText(options.xTitle ?? t("chart.value")) } },
      yaxis: { title: { text: t("chart.count") } },
    }, options.lang),
  });
}
