/**
 * Internal: converting between nested JavaScript arrays and flat storage.
 *
 * @module
 */
import type { TypedArray } from "./_dtype.ts";
import { formatShape } from "./_shape.ts";

/** A number or an arbitrarily nested array of numbers. */
export type NestedArray = number | readonly NestedArray[];

/**
 * The shape of a nested array, read along its first elements, then checked
 * against every element; a ragged array or a non-number throws.
 */
export function nestedShape(data: NestedArray, operation: string): number[] {
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0] as NestedArray;
  }
  checkNested(data, shape, 0, [], operation);
  return shape;
}

function checkNested(
  data: NestedArray,
  shape: readonly number[],
  depth: number,
  path: number[],
  operation: string,
): void {
  const where = path.length > 0 ? ` at index ${formatShape(path)}` : "";
  if (depth === shape.length) {
    if (typeof data !== "number") {
      throw new Error(
        `${operation}: expected a number${where} (a ragged array: the first elements give shape ${
          formatShape(shape)
        }) but found ${Array.isArray(data) ? "an array" : typeof data}`,
      );
    }
    return;
  }
  if (!Array.isArray(data)) {
    throw new Error(
      `${operation}: expected an array of length ${
        shape[depth]
      }${where} (a ragged array: the first elements give shape ${
        formatShape(shape)
      }) but found ${typeof data}`,
    );
  }
  if (data.length !== shape[depth]) {
    throw new Error(
      `${operation}: expected an array of length ${
        shape[depth]
      }${where} (a ragged array: the first elements give shape ${
        formatShape(shape)
      }) but found length ${data.length}`,
    );
  }
  for (let i = 0; i < data.length; i++) {
    path.push(i);
    checkNested(data[i] as NestedArray, shape, depth + 1, path, operation);
    path.pop();
  }
}

/** Copies a nested array of a checked shape into `out`, in row-major order. */
export function flattenInto(data: NestedArray, out: TypedArray): void {
  let position = 0;
  const visit = (node: NestedArray): void => {
    if (typeof node === "number") {
      out[position++] = node;
      return;
    }
    for (const child of node) visit(child);
  };
  visit(data);
}

/** The nested-array form of flat row-major data (a number for a scalar). */
export function unflatten(data: TypedArray, shape: readonly number[]): NestedArray {
  if (shape.length === 0) return data[0]!;
  let position = 0;
  const build = (axis: number): NestedArray[] => {
    const extent = shape[axis]!;
    const result = new Array<NestedArray>(extent);
    if (axis === shape.length - 1) {
      for (let i = 0; i < extent; i++) result[i] = data[position++]!;
    } else {
      for (let i = 0; i < extent; i++) result[i] = build(axis + 1);
    }
    return result;
  };
  return build(0);
}
