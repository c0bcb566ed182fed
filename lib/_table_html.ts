/**
 * Internal: rows of plain values as an HTML table (every cell escaped).
 *
 * @module
 */
import { escapeHtml } from "./_html.ts";
import { terminalText } from "./_safe_text.ts";

/** A table row: column name → value (numbers are formatted, arrays joined). */
export type TableRow = Record<string, unknown>;

/** Formats one cell: numbers with up to 4 significant decimals, arrays as [a, b]. */
export function formatCell(value: unknown): string {
  if (typeof value === "number") {
    if (Number.isInteger(value)) return String(value);
    if (value !== 0 && Math.abs(value) < 1e-3) return value.toExponential(2);
    return value.toFixed(4);
  }
  if (Array.isArray(value)) return `[${value.map(formatCell).join(", ")}]`;
  if (value === null || value === undefined) return "";
  return String(value);
}

/**
 * The value of column `column` in `row`, or undefined when the row lacks it:
 * its own property only, so a column named "constructor" or "toString" is
 * empty in a row without it rather than showing Object.prototype's function.
 */
export function cellOf(row: TableRow, column: string): unknown {
  return Object.hasOwn(row, column) ? row[column] : undefined;
}

/** The columns of `rows`: the keys in order of first appearance. */
export function columnsOf(rows: readonly TableRow[]): string[] {
  const columns: string[] = [];
  for (const row of rows) {
    for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  }
  return columns;
}

/** The rows as an HTML table with a header row. */
export function tableToHtml(rows: readonly TableRow[], caption?: string): string {
  const columns = columnsOf(rows);
  const cell =
    "padding:4px 10px;border:1px solid #e5e7eb;text-align:right;font-variant-numeric:tabular-nums";
  const head = columns.map((c) => `<th style="${cell};background:#f3f4f6">${escapeHtml(c)}</th>`)
    .join("");
  const body = rows.map((row) =>
    `<tr>${
      columns.map((c) => `<td style="${cell}">${escapeHtml(formatCell(cellOf(row, c)))}</td>`).join(
        "",
      )
    }</tr>`
  ).join("");
  const title = caption === undefined
    ? ""
    : `<caption style="text-align:left;font-weight:600;padding:4px 0">${
      escapeHtml(caption)
    }</caption>`;
  return `<table style="border-collapse:collapse;font-size:13px;margin:8px 0">${title}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** The rows as aligned plain text (control and bidi characters shown as code points). */
export function tableToText(rows: readonly TableRow[]): string {
  const keys = columnsOf(rows);
  const columns = keys.map(terminalText);
  const cells = rows.map((row) => keys.map((c) => terminalText(formatCell(cellOf(row, c)))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padStart(widths[i]!)).join("  ");
  return [line(columns), ...cells.map(line)].join("\n");
}
