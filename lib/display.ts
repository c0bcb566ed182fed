/**
 * Rich notebook display for tensors with masks and for tables of results.
 * Each helper returns an object that Deno Jupyter displays; nothing touches
 * `Deno.jupyter`.
 *
 * @module
 */
import { escapeHtml } from "./_html.ts";
import { neutralizeBidi } from "./_safe_text.ts";
import { type TableRow, tableToHtml, tableToText } from "./_table_html.ts";
import { type TensorHtmlOptions, tensorToHtml } from "./_tensor_html.ts";
import { type Displayable, JUPYTER_DISPLAY } from "./jupyter.ts";
import { Tensor } from "./tensor.ts";

export type { TableRow };

/** Options for {@linkcode displayTensor}. */
export interface DisplayTensorOptions {
  /** 1 = real, 0 = padding, (B, T): padded rows are shaded and marked "(pad)". */
  mask?: Tensor;
  /** Row labels (tokens): one list per batch item, or one for all. */
  rowLabels?: readonly string[] | readonly (readonly string[])[];
  /** Column labels (features). */
  colLabels?: readonly string[];
  /** A caption. */
  title?: string;
}

/**
 * A tensor as HTML tables — one per batch item for (B, T, D), padded rows
 * shaded when a mask is given — and as aligned text.
 *
 * @example
 * ```ts
 * import { displayTensor } from "./display.ts";
 * import { JUPYTER_DISPLAY } from "./jupyter.ts";
 * import { tensor } from "./tensor.ts";
 * import { ok } from "node:assert/strict";
 *
 * const shown = displayTensor(tensor([[[1, 2], [0, 0]]]), { mask: tensor([[1, 0]]), rowLabels: ["hi", "<pad>"] });
 * const html = String(shown[JUPYTER_DISPLAY]()["text/html"]);
 * ok(html.includes('class="padded"') && html.includes("&lt;pad&gt;"));
 * ```
 */
export function displayTensor(x: Tensor, options: DisplayTensorOptions = {}): Displayable {
  if (!(x instanceof Tensor)) throw new Error("displayTensor: expected x to be a Tensor");
  const rows = x.ndim >= 2 ? x.shape[x.ndim - 2]! : 1;
  const tables = x.ndim >= 2 ? x.size / (rows * (x.shape[x.ndim - 1]! || 1)) : 1;
  if (options.mask !== undefined && options.mask.size !== tables * rows) {
    throw new Error(
      `displayTensor: expected mask to have one entry per row of x [${x.shape.join(", ")}] (${
        tables * rows
      }) but found shape [${options.mask.shape.join(", ")}]`,
    );
  }
  const htmlOptions: TensorHtmlOptions = {
    mask: options.mask?.data,
    rowLabels: options.rowLabels,
    colLabels: options.colLabels,
    title: options.title,
  };
  return {
    [JUPYTER_DISPLAY]: () => ({
      "text/html": tensorToHtml(x.data, x.shape, x.dtype, htmlOptions),
      "text/plain": (options.title ? `${neutralizeBidi(options.title)}\n` : "") + x.toString(),
    }),
  };
}

/**
 * Rows of results as an HTML table (every cell escaped) and aligned text.
 *
 * @example
 * ```ts
 * import { displayTable } from "./display.ts";
 * import { JUPYTER_DISPLAY } from "./jupyter.ts";
 * import { ok } from "node:assert/strict";
 *
 * const bundle = displayTable([{ norm: "LayerNorm", shift: 0 }], { title: "drift" })[JUPYTER_DISPLAY]();
 * ok(String(bundle["text/plain"]).includes("LayerNorm"));
 * ```
 */
export function displayTable(
  rows: readonly TableRow[],
  options: { title?: string } = {},
): Displayable {
  return {
    [JUPYTER_DISPLAY]: () => ({
      "text/html": tableToHtml(rows, options.title),
      "text/plain": (options.title ? `${neutralizeBidi(options.title)}\n` : "") +
        tableToText(rows),
    }),
  };
}

/**
 * Short HTML text (escaped) for a notebook output, e.g. a conclusion.
 *
 * @example
 * ```ts
 * import { displayText } from "./display.ts";
 * import { JUPYTER_DISPLAY } from "./jupyter.ts";
 * import { ok } from "node:assert/strict";
 *
 * ok(String(displayText("<b>")[JUPYTER_DISPLAY]()["text/html"]).includes("&lt;b&gt;"));
 * ```
 */
export function displayText(text: string): Displayable {
  return {
    [JUPYTER_DISPLAY]: () => ({
      "text/html": `<p>${escapeHtml(text)}</p>`,
      "text/plain": neutralizeBidi(text),
    }),
  };
}
