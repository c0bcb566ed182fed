/**
 * Internal: printing tensors aligned like PyTorch and NumPy.
 *
 * @module
 */
import type { TypedArray } from "./_dtype.ts";
import { sizeOf, stridesOf } from "./_shape.ts";

/** Tensors with more elements than this are abbreviated with `...`. */
export const SUMMARY_THRESHOLD = 1000;
/** Rows of numbers wrap onto continuation lines past this width, as in PyTorch. */
export const LINE_WIDTH = 80;
/** How many leading and trailing items an abbreviated axis keeps. */
export const EDGE_ITEMS = 3;

/**
 * The indices of an axis that are printed: all of them, or the first and last
 * `EDGE_ITEMS` with `-1` standing for the `...` between them.
 */
export function printedIndices(extent: number, summarize: boolean): number[] {
  if (!summarize || extent <= 2 * EDGE_ITEMS) {
    return Array.from({ length: extent }, (_, i) => i);
  }
  const head = Array.from({ length: EDGE_ITEMS }, (_, i) => i);
  const tail = Array.from({ length: EDGE_ITEMS }, (_, i) => extent - EDGE_ITEMS + i);
  return [...head, -1, ...tail];
}

/**
 * A formatter that prints every value with one style and width, chosen from
 * the values that will be shown: integers as `3.`, moderate values with four
 * decimals, very large or very small ranges in scientific notation.
 */
export function numberFormatter(values: ArrayLike<number>): (value: number) => string {
  let allIntegers = true;
  let maxAbs = 0;
  let minAbs = Infinity;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value)) continue;
    const magnitude = Math.abs(value);
    if (!Number.isInteger(value)) allIntegers = false;
    if (magnitude > maxAbs) maxAbs = magnitude;
    if (magnitude !== 0 && magnitude < minAbs) minAbs = magnitude;
  }
  let style: (value: number) => string;
  if (allIntegers && maxAbs < 1e8) {
    style = (value) => `${value.toFixed(0)}.`;
  } else if (maxAbs >= 1e8 || (minAbs !== Infinity && (minAbs < 1e-4 || maxAbs / minAbs > 1e3))) {
    // Two-digit exponents, as PyTorch and NumPy print them: 1.2340e-05.
    style = (value) => value.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2");
  } else {
    style = (value) => value.toFixed(4);
  }
  const text = (value: number): string => {
    if (Number.isNaN(value)) return "nan";
    if (value === Infinity) return "inf";
    if (value === -Infinity) return "-inf";
    return style(value);
  };
  let width = 0;
  for (let i = 0; i < values.length; i++) width = Math.max(width, text(values[i]!).length);
  return (value) => text(value).padStart(width);
}

/** The values a print will show (every value, or the corners of an abbreviated tensor). */
function shownValues(data: TypedArray, shape: readonly number[], summarize: boolean): number[] {
  if (!summarize) return Array.from(data);
  const strides = stridesOf(shape);
  const result: number[] = [];
  const visit = (axis: number, offset: number): void => {
    if (axis === shape.length) {
      result.push(data[offset]!);
      return;
    }
    for (const i of printedIndices(shape[axis]!, true)) {
      if (i >= 0) visit(axis + 1, offset + i * strides[axis]!);
    }
  };
  visit(0, 0);
  return result;
}

/**
 * The body of a tensor's printout, without the `tensor(` prefix: nested
 * brackets, one row per line, continuation lines indented by `indent`.
 */
export function formatTensorBody(
  data: TypedArray,
  shape: readonly number[],
  indent: number,
): string {
  const summarize = sizeOf(shape) > SUMMARY_THRESHOLD;
  const format = numberFormatter(shownValues(data, shape, summarize));
  if (shape.length === 0) return format(data[0]!).trim();
  const strides = stridesOf(shape);
  const rank = shape.length;
  const visit = (axis: number, offset: number): string => {
    const indices = printedIndices(shape[axis]!, summarize);
    if (axis === rank - 1) {
      const items = indices.map((i) => (i < 0 ? "..." : format(data[offset + i]!)));
      return `[${wrapItems(items, indent + axis + 1)}]`;
    }
    const pad = " ".repeat(indent + axis + 1);
    const separator = "," + "\n".repeat(rank - axis - 1) + pad;
    const items = indices.map((
      i,
    ) => (i < 0 ? "..." : visit(axis + 1, offset + i * strides[axis]!)));
    return `[${items.join(separator)}]`;
  };
  return visit(0, 0);
}

/** Joins items with ", ", starting a new line (indented by `indent`) before the width is exceeded. */
function wrapItems(items: readonly string[], indent: number): string {
  const lines: string[] = [];
  let line = "";
  for (const item of items) {
    if (line.length > 0 && indent + line.length + item.length + 2 > LINE_WIDTH) {
      lines.push(line + ",");
      line = item;
    } else {
      line = line.length > 0 ? `${line}, ${item}` : item;
    }
  }
  lines.push(line);
  return lines.join("\n" + " ".repeat(indent));
}
