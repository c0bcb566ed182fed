/**
 * Internal: a tensor as HTML tables, for notebooks and reports.
 *
 * @module
 */
import type { DType, TypedArray } from "./_dtype.ts";
import { numberFormatter, printedIndices, SUMMARY_THRESHOLD } from "./_format.ts";
import { escapeHtml } from "./_html.ts";
import { formatShape, sizeOf } from "./_shape.ts";

/** Options for {@linkcode tensorToHtml}. */
export interface TensorHtmlOptions {
  /** 1 = real row, 0 = padded row (shaded), one entry per row of every table: (B, T). */
  mask?: ArrayLike<number>;
  /** Labels of the rows (positions); tokens, typically. One list per table or one for all. */
  rowLabels?: readonly (readonly string[])[] | readonly string[];
  /** Labels of the columns (features). */
  colLabels?: readonly string[];
  /** A caption placed above the tables. */
  title?: string;
}

const TABLE_STYLE =
  "border-collapse:collapse;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;margin:4px 12px 8px 0;display:inline-table;vertical-align:top";
const CELL_STYLE = "padding:2px 8px;text-align:right;border:1px solid #ddd";
const HEAD_STYLE = CELL_STYLE + ";background:#f3f4f6;color:#374151;font-weight:600";
const PADDED_STYLE = CELL_STYLE + ";background:#e5e7eb;color:#9ca3af;font-style:italic";

/**
 * Renders a tensor as HTML: a (T, D) matrix is one table with a row per
 * position, a (B, T, D) tensor one table per batch item, higher ranks one
 * table per index of the leading axes. Large tensors are abbreviated with
 * `…` rows and columns like NumPy. Every label is escaped.
 */
export function tensorToHtml(
  data: TypedArray,
  shape: readonly number[],
  dtype: DType,
  options: TensorHtmlOptions = {},
): string {
  const summary = `Tensor ${escapeHtml(formatShape(shape))} ${dtype}`;
  const title = options.title === undefined
    ? ""
    : `<div style="font-weight:600;margin:4px 0">${escapeHtml(options.title)}</div>`;
  if (shape.length === 0) {
    return `<div>${title}<code>${
      escapeHtml(String(data[0]))
    }</code> <small>${summary}</small></div>`;
  }
  const summarize = sizeOf(shape) > SUMMARY_THRESHOLD;
  const columns = shape[shape.length - 1]!;
  const rows = shape.length >= 2 ? shape[shape.length - 2]! : 1;
  const leading = shape.slice(0, -2);
  const tableCount = sizeOf(leading);
  const format = numberFormatter(data);
  const columnIndices = printedIndices(columns, summarize);
  const rowIndices = printedIndices(rows, summarize);
  const tableIndices = printedIndices(tableCount, summarize);
  const tables: string[] = [];
  for (const table of tableIndices) {
    if (table < 0) {
      tables.push(`<div style="display:inline-block;padding:8px">…</div>`);
      continue;
    }
    const labels = rowLabelsFor(options.rowLabels, table);
    const caption = leading.length > 0
      ? `<caption style="text-align:left;font-weight:600">[${
        unravel(table, leading).join(", ")
      }]</caption>`
      : "";
    const head = columnIndices.map((c) =>
      `<th style="${HEAD_STYLE}">${
        c < 0 ? "…" : escapeHtml(options.colLabels?.[c] ?? String(c))
      }</th>`
    ).join("");
    const body = rowIndices.map((r) => {
      if (r < 0) {
        return `<tr><th style="${HEAD_STYLE}">⋮</th>${
          columnIndices.map(() => `<td style="${CELL_STYLE}">⋮</td>`).join("")
        }</tr>`;
      }
      const padded = options.mask !== undefined && options.mask[table * rows + r] === 0;
      const style = padded ? PADDED_STYLE : CELL_STYLE;
      // Index labels get a "(pad)" note; given labels (tokens) stand as they are.
      const label = labels?.[r] === undefined
        ? String(r) + (padded ? " (pad)" : "")
        : escapeHtml(labels[r]!);
      const cells = columnIndices.map((c) =>
        `<td style="${style}">${
          c < 0 ? "…" : escapeHtml(format(data[(table * rows + r) * columns + c]!).trim())
        }</td>`
      ).join("");
      return `<tr${
        padded ? ' class="padded"' : ""
      }><th style="${HEAD_STYLE}">${label}</th>${cells}</tr>`;
    }).join("");
    tables.push(
      `<table style="${TABLE_STYLE}">${caption}<thead><tr><th style="${HEAD_STYLE}"></th>${head}</tr></thead><tbody>${body}</tbody></table>`,
    );
  }
  return `<div class="normlab-tensor">${title}${
    tables.join("")
  }<div><small style="color:#6b7280">${summary}</small></div></div>`;
}

function rowLabelsFor(
  labels: TensorHtmlOptions["rowLabels"],
  table: number,
): readonly string[] | undefined {
  if (labels === undefined || labels.length === 0) return undefined;
  if (typeof labels[0] === "string") return labels as readonly string[];
  return (labels as readonly (readonly string[])[])[table];
}

function unravel(index: number, shape: readonly number[]): number[] {
  const result = new Array<number>(shape.length);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    result[axis] = index % shape[axis]!;
    index = Math.floor(index / shape[axis]!);
  }
  return result;
}
