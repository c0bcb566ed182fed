/**
 * Slider figures: a chart whose traces change with a slider (and a play
 * button) entirely in the page. Every step is precomputed into a Plotly
 * animation frame, so the slider works in a live notebook, a saved one,
 * nbconvert's HTML and an offline report alike, with no kernel behind it.
 *
 * @module
 */
import { chartValue } from "./_chart_style.ts";
import { plotlyText } from "./_plotly_text.ts";
import { Figure, type FigureSpec, type Frame, type Layout, type Trace } from "./figure.ts";
import { type Language, translator } from "./i18n/translate.ts";

/** One position of the slider. */
export interface SliderStep {
  /** What the slider shows when this step is active (user text, shown literally). */
  label: string;
  /**
   * The changing attributes of each animated trace at this step, in the
   * order of `animated` (`{ y }`, `{ x, y }`, `{ y, text }`, …); attributes
   * left out keep the base figure's values.
   */
  data: Trace[];
}

/** Options for {@linkcode sliderFigure}. */
export interface SliderFigureOptions {
  /** The indices (into the base figure's traces) of the traces that change. @default {every trace} */
  animated?: readonly number[];
  /** The step shown first. @default {0} */
  active?: number;
  /** Milliseconds per step when the play button runs the slider. @default {400} */
  frameDuration?: number;
  /**
   * Labels under the slider's ticks: `"auto"` shows them when there are at
   * most 12 steps of at most 12 characters (else only the current step's
   * label shows, above the slider). @default {"auto"}
   */
  ticks?: "auto" | "all" | "none";
  /** Fix each numeric axis' range to the extent of every step, so that motion means change. @default {true} */
  fixRanges?: boolean;
  /** The significant digits a frame's numbers keep (fewer make a smaller page). @default {6} */
  significantDigits?: number;
  /** The language of the play and pause buttons. @default {"en"} */
  lang?: Language;
}

/**
 * The room the slider and, below it, its buttons take under the plot, in
 * pixels; tick labels under the slider push the buttons down by a row.
 */
const SLIDER_HEIGHT = 130;
const TICK_LABEL_ROW = 24;

/**
 * Slider steps jump: no transition, so a drag follows the pointer; "immediate"
 * drops frames still queued from a fast drag. (Plotly redraws by default.)
 */
const JUMP = {
  mode: "immediate",
  frame: { duration: 0 },
  transition: { duration: 0 },
};

/**
 * A figure with a slider: `base` gives the traces' look and the layout (any
 * normlab chart, or your own spec), each step gives the changing attributes
 * of the `animated` traces and a label. The result carries one Plotly frame
 * per step (only the animated traces' changed attributes, so a frame costs
 * little more than its numbers), a slider whose current label names the
 * step, play and pause buttons, and axis ranges fixed to the extent of all
 * steps. Numbers are stored with 6 significant digits.
 *
 * Shapes: each step's `data[k]` must hold the same attributes as the other
 * steps' `data[k]`; `data.length` equals the number of animated traces.
 *
 * @param base The still figure: its traces (styling, names) and layout.
 * @param steps The slider's positions, in order.
 * @returns A {@linkcode Figure} with `frames` and a `sliders` layout, showing step `active`.
 *
 * @example
 * ```ts
 * import { barChart } from "./plot.ts";
 * import { sliderFigure } from "./slider_figure.ts";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 *
 * const base = barChart([{ name: "mean", values: [0, 0] }], { categories: ["d0", "d1"] });
 * const figure = sliderFigure(base, [
 *   { label: "T = 4", data: [{ y: [1, 2] }] },
 *   { label: "T = 8", data: [{ y: [0.5, 1] }] },
 * ]);
 * strictEqual(figure.frames!.length, 2);
 * deepStrictEqual(figure.data[0]!.y, [1, 2]);
 * // The y axis holds every step's bars (and 0, where bars start).
 * const range = (figure.layout.yaxis as { range: number[] }).range;
 * strictEqual(range[0]! <= 0 && range[1]! >= 2, true);
 * ```
 */
export function sliderFigure(
  base: FigureSpec,
  steps: readonly SliderStep[],
  options: SliderFigureOptions = {},
): Figure {
  const { animated, active, ticks, digits, frameDuration } = checkSliderInput(
    base,
    steps,
    options,
  );
  const frames: Frame[] = steps.map((step, i) => ({
    name: frameName(i),
    data: step.data.map((trace) => roundTrace(trace, digits)),
    traces: [...animated],
  }));
  const data = base.data.map((trace, i) => {
    const k = animated.indexOf(i);
    return k < 0 ? trace : { ...trace, ...frames[active]!.data[k] };
  });
  const t = translator(options.lang);
  const showTicks = ticks === "all" ||
    (ticks === "auto" && steps.length <= 12 &&
      steps.every((step) => Array.from(step.label).length <= 12));
  const below = SLIDER_HEIGHT + (showTicks ? TICK_LABEL_ROW : 0);
  const baseMargin = (base.layout.margin ?? {}) as { b?: number };
  const layout: Partial<Layout> = {
    ...base.layout,
    height: (typeof base.layout.height === "number" ? base.layout.height : 420) + below,
    margin: { ...baseMargin, b: (baseMargin.b ?? 60) + below },
    legend: legendAboveThePlot(base.layout.legend),
    sliders: [{
      active,
      steps: steps.map((step, i) => ({
        label: plotlyText(step.label),
        method: "animate",
        args: [[frameName(i)], JUMP],
      })),
      currentvalue: { visible: true, xanchor: "left", font: { size: 14, color: "#111827" } },
      font: showTicks ? { size: 11 } : { size: 11, color: "rgba(0,0,0,0)" },
      // The whole width, so the slider never shares a row with the buttons in a narrow output.
      x: 0,
      len: 1,
      y: 0,
      yanchor: "top",
      pad: { t: 60, b: 10, r: 40 }, // room for the last tick label
    }],
    updatemenus: [{
      type: "buttons",
      direction: "left",
      showactive: false,
      x: 0,
      xanchor: "left",
      y: 0,
      yanchor: "top",
      // Below the slider, whatever the chart's width.
      pad: { t: 122 + (showTicks ? TICK_LABEL_ROW : 0), r: 10 },
      buttons: [
        {
          label: plotlyText(t("chart.play")),
          method: "animate",
          args: [null, {
            fromcurrent: true,
            frame: { duration: frameDuration, redraw: true },
            transition: { duration: Math.round(frameDuration / 2), easing: "cubic-in-out" },
          }],
        },
        {
          label: plotlyText(t("chart.pause")),
          method: "animate",
          args: [[null], JUMP],
        },
      ],
    }],
  };
  if (options.fixRanges ?? true) fixRanges(layout, base.data, frames);
  return new Figure({ data, layout, config: base.config, frames });
}

/**
 * The slider takes the room below the plot, where normlab's charts keep their
 * legend: a legend placed below (or nowhere) moves above the plot, one placed
 * elsewhere stays.
 */
function legendAboveThePlot(legend: unknown): unknown {
  const y = (legend as { y?: unknown } | undefined)?.y;
  if (typeof y === "number" && y >= 0) return legend;
  return {
    ...(legend ?? {}),
    orientation: "h",
    x: 1,
    xanchor: "right",
    y: 1.02,
    yanchor: "bottom",
  };
}

/** The frame of step `i`: short names, never user text (Plotly keys frames by name). */
function frameName(i: number): string {
  return `s${i}`;
}

/** The options with their defaults filled in, after checking every argument. */
function checkSliderInput(
  base: FigureSpec,
  steps: readonly SliderStep[],
  options: SliderFigureOptions,
): {
  animated: readonly number[];
  active: number;
  ticks: "auto" | "all" | "none";
  digits: number;
  frameDuration: number;
} {
  if (!Array.isArray(base?.data)) {
    throw new Error("sliderFigure: expected base to be a figure ({ data, layout }) but found none");
  }
  if (!Array.isArray(steps) || steps.length === 0) {
    throw new Error("sliderFigure: expected at least one step but found none");
  }
  const animated = options.animated ?? base.data.map((_, i) => i);
  for (const index of animated) {
    if (!Number.isInteger(index) || index < 0 || index >= base.data.length) {
      throw new Error(
        `sliderFigure: expected animated trace indices in [0, ${base.data.length}) but found ${index}`,
      );
    }
  }
  for (const [i, step] of steps.entries()) {
    if (typeof step?.label !== "string" || !Array.isArray(step.data)) {
      throw new Error(`sliderFigure: expected step ${i} to be { label: string, data: Trace[] }`);
    }
    if (step.data.length !== animated.length) {
      throw new Error(
        `sliderFigure: step ${i} has ${step.data.length} trace(s) but ${animated.length} are animated`,
      );
    }
  }
  const active = options.active ?? 0;
  if (!Number.isInteger(active) || active < 0 || active >= steps.length) {
    throw new Error(
      `sliderFigure: expected active to be a step index in [0, ${steps.length}) but found ${active}`,
    );
  }
  const ticks = options.ticks ?? "auto";
  if (!["auto", "all", "none"].includes(ticks)) {
    throw new Error(
      `sliderFigure: expected ticks to be "auto", "all" or "none" but found ${
        JSON.stringify(ticks)
      }`,
    );
  }
  const digits = options.significantDigits ?? 6;
  if (!Number.isInteger(digits) || digits < 1 || digits > 17) {
    throw new Error(
      `sliderFigure: expected significantDigits to be an integer in [1, 17] but found ${digits}`,
    );
  }
  const frameDuration = options.frameDuration ?? 400;
  if (!(frameDuration >= 0) || !Number.isFinite(frameDuration)) {
    throw new Error(
      `sliderFigure: expected frameDuration to be a non-negative number but found ${frameDuration}`,
    );
  }
  return { animated, active, ticks, digits, frameDuration };
}

/** A trace's numeric arrays with `digits` significant digits; everything else as given. */
function roundTrace(trace: Trace, digits: number): Trace {
  const round = (v: number) => Number.isFinite(v) ? Number(v.toPrecision(digits)) : v;
  const rounded: Trace = {};
  for (const [key, value] of Object.entries(trace)) {
    rounded[key] = Array.isArray(value) && value.every((v) => typeof v === "number")
      ? value.map(round)
      : value;
  }
  return rounded;
}

/** The numbers of `values` if every entry is a finite number, else null. */
function numbersOf(values: unknown): number[] | null {
  if (!Array.isArray(values)) return null;
  return values.every((v) => typeof v === "number" && Number.isFinite(v)) ? values : null;
}

/**
 * Sets `range` (and `autorange: false`) on every linear, numeric axis that
 * a trace uses and the layout has no range for, from the extent of the
 * traces' values over the base figure and all frames; bars add 0, where
 * they start. A 5% margin keeps extreme points off the frame.
 */
function fixRanges(
  layout: Partial<Layout>,
  traces: readonly Trace[],
  frames: readonly Frame[],
): void {
  const extents = new Map<string, { low: number; high: number; numeric: boolean }>();
  const include = (axis: string, values: unknown, fromZero: boolean) => {
    if (values === undefined) return;
    const extent = extents.get(axis) ?? { low: Infinity, high: -Infinity, numeric: true };
    const numbers = numbersOf(values);
    if (numbers === null) extent.numeric = false;
    else {
      for (const v of fromZero ? [...numbers, 0] : numbers) {
        if (v < extent.low) extent.low = v;
        if (v > extent.high) extent.high = v;
      }
    }
    extents.set(axis, extent);
  };
  const visit = (base: Trace, changes: Trace) => {
    const trace = { ...base, ...changes };
    if (trace.type === "histogram" || trace.type === "heatmap") return;
    const horizontal = trace.type === "bar" && trace.orientation === "h";
    const xAxis = `xaxis${String(base.xaxis ?? "x").slice(1)}`;
    const yAxis = `yaxis${String(base.yaxis ?? "y").slice(1)}`;
    include(xAxis, trace.x, trace.type === "bar" && horizontal);
    include(yAxis, trace.y, trace.type === "bar" && !horizontal);
  };
  // An animated trace shows a frame's values, never its base values: only the frames count for it.
  const moving = new Set(frames[0]?.traces ?? []);
  traces.forEach((trace, index) => {
    if (!moving.has(index)) visit(trace, {});
  });
  for (const frame of frames) {
    frame.traces.forEach((index, k) => visit(traces[index]!, frame.data[k]!));
  }
  for (const [axis, { low, high, numeric }] of extents) {
    const settings = (layout[axis] ?? {}) as Record<string, unknown>;
    if (!numeric || low > high || settings.range !== undefined) continue;
    if (settings.type !== undefined && settings.type !== "linear" && settings.type !== "-") {
      continue;
    }
    const margin = high > low ? (high - low) * 0.05 : Math.max(Math.abs(high) * 0.1, 0.5);
    layout[axis] = {
      ...settings,
      range: [chartValue(low - margin), chartValue(high + margin)],
      autorange: false,
    };
  }
}
