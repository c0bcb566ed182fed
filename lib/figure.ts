/**
 * The `Figure`: Plotly data and layout that draw themselves in Deno Jupyter,
 * in standalone HTML and in reports, offline.
 *
 * @module
 */
import { escapeHtml, scriptSafeJson } from "./_html.ts";
import { plotlyDisplayText } from "./_plotly_text.ts";
import { NOTE_STYLE } from "./_chart_runtime.ts";
import { chartScript, plotlyLoaderScript, plotlyVersion } from "./_plotly_bundle.ts";
import { type Displayable, JUPYTER_DISPLAY, type MimeBundle } from "./jupyter.ts";

/**
 * One Plotly trace: its `type` and Plotly's attributes for that type, as in
 * plotly.js's reference (https://plotly.com/javascript/reference/). normlab's
 * chart builders fill them in checked against `@types/plotly.js`; a trace you
 * write yourself is passed to plotly.js as given.
 */
export interface Trace {
  /** The kind of trace: "heatmap", "bar", "scatter", "scatter3d", "histogram", …; Plotly's default is "scatter". */
  type?: string;
  /** Any other Plotly trace attribute (`x`, `y`, `z`, `name`, `marker`, …). */
  [attribute: string]: unknown;
}

/** One Plotly trace, by the name plotly.js gives it; the same as {@linkcode Trace}. */
export type Data = Trace;

/**
 * A Plotly layout (https://plotly.com/javascript/reference/layout/): the title,
 * size, axes, margins, fonts and legend of a chart.
 */
export interface Layout {
  /** The chart's title: its text, or `{ text, x, xanchor, font, … }`. */
  title?: string | { text?: string; [attribute: string]: unknown };
  /** The height in pixels. */
  height?: number;
  /** The width in pixels (the container's width when not set). */
  width?: number;
  /** Any other Plotly layout attribute (`xaxis`, `yaxis`, `margin`, `font`, `legend`, …). */
  [attribute: string]: unknown;
}

/** Plotly's configuration options (https://plotly.com/javascript/configuration-options/). */
export interface Config {
  /** Whether the chart resizes with its container. @default {true} */
  responsive?: boolean;
  /** Whether the Plotly logo shows in the mode bar. @default {false} */
  displaylogo?: boolean;
  /** Any other Plotly configuration option (`displayModeBar`, `toImageButtonOptions`, …). */
  [option: string]: unknown;
}

/**
 * One animation frame (https://plotly.com/javascript/animations/): the
 * attributes of the traces listed in `traces` at one step. A slider or the
 * play button shows it with `Plotly.animate`; attributes not given keep the
 * figure's values.
 */
export interface Frame {
  /** The frame's name, which slider steps and buttons refer to. */
  name: string;
  /** For each index in `traces`, that trace's changed attributes (`y`, `x`, `text`, …). */
  data: Trace[];
  /** The indices (into the figure's `data`) of the traces this frame changes. */
  traces: number[];
  /** Layout attributes this frame changes, if any. */
  layout?: Partial<Layout>;
}

/** What the figure builders return: Plotly traces and layout. */
export interface FigureSpec {
  /** The traces. */
  data: Trace[];
  /** The layout (title, axes, size, legend). */
  layout: Layout;
  /** Plotly's config; `responsive` and no logo by default. */
  config?: Config;
  /** Animation frames, shown by the layout's sliders and buttons (see `sliderFigure`). */
  frames?: Frame[];
}

const DEFAULT_CONFIG: Partial<Config> = { responsive: true, displaylogo: false };

/** Whether this kernel has already sent plotly.js to the notebook page. */
const pageState = { plotlySent: false };

/** `bytes` random bytes as hex: unique ids without a counter that restarts per kernel. */
function randomHex(bytes: number): string {
  const values = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(values, (value) => value.toString(16).padStart(2, "0")).join("");
}

/**
 * A chart: Plotly `data` and `layout`. In Deno Jupyter it displays itself
 * (`application/vnd.plotly.v1+json`, offline `text/html`, `text/plain`); it
 * also renders to a standalone HTML page (`toHTML`, `save`) or into a report.
 *
 * @example
 * ```ts
 * import { Figure } from "./figure.ts";
 * import { JUPYTER_DISPLAY } from "./jupyter.ts";
 * import { ok } from "node:assert/strict";
 *
 * const figure = new Figure({ data: [{ type: "bar", x: ["a"], y: [1] }], layout: { title: { text: "<b>" } } });
 * const bundle = figure[JUPYTER_DISPLAY]();
 * ok("application/vnd.plotly.v1+json" in bundle && "text/html" in bundle);
 * ok(!figure.toHTML().includes("<title><b>"), "titles are escaped");
 * ```
 */
export class Figure implements FigureSpec, Displayable {
  /** The traces. */
  data: Trace[];
  /** The layout. */
  layout: Partial<Layout>;
  /** Plotly's config. */
  config: Partial<Config>;
  /** Animation frames (none for a still chart). */
  frames?: Frame[];

  /** Wraps a spec; data, layout and frames are used as given (not copied). */
  constructor(spec: FigureSpec) {
    this.data = spec.data;
    this.layout = spec.layout;
    this.config = { ...DEFAULT_CONFIG, ...spec.config };
    if (spec.frames !== undefined) this.frames = spec.frames;
  }

  /** The title as Plotly shows it (entities such as `&lt;` decoded), or "" without one. */
  get title(): string {
    const title = this.layout.title;
    return plotlyDisplayText((typeof title === "string" ? title : title?.text) ?? "");
  }

  /**
   * `{ data, layout, config }` and, for an animated chart, `frames`: the
   * figure object that `Plotly.newPlot` and the Jupyter Plotly renderers take.
   */
  toJSON(): FigureSpec & { config: Partial<Config> } {
    const figure = { data: this.data, layout: this.layout, config: this.config };
    return this.frames === undefined ? figure : { ...figure, frames: this.frames };
  }

  /** A one-line description: the title and the kinds of trace. */
  toString(): string {
    const kinds = this.data.map((trace) => (trace as { type?: string }).type ?? "scatter");
    return `Figure${this.title ? ` "${this.title}"` : ""}: ${this.data.length} trace(s) (${
      [...new Set(kinds)].join(", ")
    })`;
  }

  /**
   * An HTML fragment that draws this chart once plotly.js is on the page (see
   * {@linkcode Figure.toHTML} for a whole page). The chart's `div` has a
   * unique id (random, so ids never repeat across kernel sessions) and its
   * script finds the `div` by that id, never by DOM position. Until it draws,
   * the `div` shows a note saying what to do if it stays (a front end that
   * does not run the script: an untrusted notebook). Every label is inside
   * script-safe JSON or escaped, so none can close the script.
   */
  toFragment(): string {
    const id = `normlab-figure-${randomHex(8)}`;
    const height = typeof this.layout.height === "number" ? this.layout.height : 420;
    const title = this.title ? ` “${escapeHtml(this.title)}”` : "";
    return `<div id="${id}" class="normlab-figure" style="width:100%;min-height:${height}px">\
<div class="normlab-note" style="${NOTE_STYLE}">Chart${title} not drawn: this page did not run \
the output's script. Classic Jupyter Notebook: File → Trust Notebook. JupyterLab / Notebook 7: run \
the cell again, or trust the notebook (command palette: “Trust Notebook”). VS Code draws it \
from the Plotly output instead.</div></div>
${chartScript(id, scriptSafeJson(this.toJSON()))}`;
  }

  /** A self-contained HTML page with plotly.js inlined: it opens from disk with no network. */
  toHTML(): string {
    const title = escapeHtml(this.title || "normlab figure");
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
${plotlyLoaderScript()}
</head>
<body style="font-family:system-ui,sans-serif;margin:16px">
${this.toFragment()}
</body>
</html>
`;
  }

  /** Writes {@linkcode Figure.toHTML} to `path`. */
  async save(path: string | URL): Promise<void> {
    await Deno.writeTextFile(path, this.toHTML());
  }

  /**
   * The notebook display: the Plotly JSON for front ends that render it, HTML
   * that draws offline (carrying plotly.js the first time in this kernel),
   * and a text summary.
   */
  [JUPYTER_DISPLAY](): MimeBundle {
    return {
      "application/vnd.plotly.v1+json": this.toJSON(),
      "text/html": notebookPrelude() + this.toFragment(),
      "text/plain": this.toString(),
    };
  }
}

/** plotly.js, the first time a kernel displays a chart; nothing afterwards. */
function notebookPrelude(): string {
  if (pageState.plotlySent) return "";
  pageState.plotlySent = true;
  return plotlyLoaderScript();
}

/**
 * plotly.js as a notebook output of its own. Charts find it wherever it is on
 * the page, and the browser keeps a copy, so a lesson that displays it once at
 * the top never depends on which chart output carries plotly.js; a chart
 * whose page lost plotly.js (its carrying output cleared) draws as soon as
 * this is displayed. Display it with `await Deno.jupyter.display(loadPlotly())`
 * or as a cell's value.
 *
 * @example
 * ```ts
 * import { loadPlotly } from "./figure.ts";
 * import { JUPYTER_DISPLAY } from "./jupyter.ts";
 * import { ok } from "node:assert/strict";
 *
 * const bundle = loadPlotly()[JUPYTER_DISPLAY]();
 * ok(String(bundle["text/html"]).includes('type="application/x-normlab-plotly"'));
 * ok(String(bundle["text/plain"]).startsWith("plotly.js"));
 * ```
 */
export function loadPlotly(): Displayable {
  return {
    [JUPYTER_DISPLAY]: () => {
      pageState.plotlySent = true;
      const text = `plotly.js ${plotlyVersion()} for this notebook's charts (an offline copy)`;
      return {
        "text/html": `${plotlyLoaderScript()}
<p class="normlab-plotly" style="color:#6b7280;font-size:12px;margin:0">${escapeHtml(text)}</p>`,
        "text/plain": text,
      };
    },
  };
}
