/**
 * Internal shape helpers: strides, broadcasting, axis normalisation and shape
 * formatting. Never re-exported from `mod.ts`.
 *
 * @module
 */

/** Formats a shape the way error messages print it: `[2, 4, 3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** The number of elements of a tensor with this shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const extent of shape) size *= extent;
  return size;
}

/**
 * Row-major (C-order) strides of a contiguous tensor, in elements.
 *
 * `stridesOf([2, 4, 3])` is `[12, 3, 1]`; a scalar has no strides.
 */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis]!;
  }
  return strides;
}

/** Whether two shapes are equal axis by axis. */
export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let axis = 0; axis < a.length; axis++) {
    if (a[axis] !== b[axis]) return false;
  }
  return true;
}

/**
 * NumPy broadcasting of two shapes, aligned on the right.
 *
 * - `broadcastShapes([2, 4, 3], [3])` is `[2, 4, 3]`;
 * - `broadcastShapes([2, 1, 3], [4, 1])` is `[2, 4, 3]`;
 * - `broadcastShapes([2, 0], [1])` is `[2, 0]` (an extent of 1 stretches to 0);
 * - `broadcastShapes([2, 3], [4])` throws, naming `operation` and both shapes.
 */
export function broadcastShapes(
  a: readonly number[],
  b: readonly number[],
  operation: string,
): number[] {
  const rank = Math.max(a.length, b.length);
  const result = new Array<number>(rank);
  for (let i = 1; i <= rank; i++) {
    const extentA = i <= a.length ? a[a.length - i]! : 1;
    const extentB = i <= b.length ? b[b.length - i]! : 1;
    if (extentA !== extentB && extentA !== 1 && extentB !== 1) {
      throw new Error(
        `${operation}: expected shapes that broadcast together but found ${formatShape(a)} and ${
          formatShape(b)
        } (axis ${rank - i} has ${extentA} against ${extentB})`,
      );
    }
    result[rank - i] = extentA === 1 ? extentB : extentA;
  }
  return result;
}

/**
 * The strides with which a tensor of shape `shape` is read when broadcast to
 * `target`: 0 on every axis it is stretched along (or does not have).
 */
export function broadcastStrides(shape: readonly number[], target: readonly number[]): number[] {
  const own = stridesOf(shape);
  const strides = new Array<number>(target.length).fill(0);
  const offset = target.length - shape.length;
  for (let axis = 0; axis < shape.length; axis++) {
    strides[axis + offset] = shape[axis] === 1 && target[axis + offset] !== 1 ? 0 : own[axis]!;
  }
  return strides;
}

/** Turns a possibly negative axis into one in `[0, rank)`, or throws naming the operation. */
export function normalizeAxis(
  axis: number,
  rank: number,
  operation: string,
  shape: readonly number[],
): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new Error(
      `${operation}: expected an axis in [${-rank}, ${rank - 1}] for shape ${
        formatShape(shape)
      } but found ${axis}`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * Normalises an `axis` argument (one axis, a list, or `undefined` = every axis)
 * to a sorted list of distinct non-negative axes.
 */
export function normalizeAxes(
  axis: number | readonly number[] | undefined,
  rank: number,
  operation: string,
  shape: readonly number[],
): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  if (typeof axis !== "number" && !Array.isArray(axis)) {
    throw new Error(
      `${operation}: expected an axis (a number or a list of numbers) for shape ${
        formatShape(shape)
      } but found ${axis === null ? "null" : typeof axis}`,
    );
  }
  const list = typeof axis === "number" ? [axis] : axis;
  const result = list.map((a) => normalizeAxis(a, rank, operation, shape));
  result.sort((p, q) => p - q);
  for (let i = 1; i < result.length; i++) {
    if (result[i] === result[i - 1]) {
      throw new Error(
        `${operation}: expected distinct axes for shape ${formatShape(shape)} but found ${
          JSON.stringify(list)
        }`,
      );
    }
  }
  return result;
}

/** Throws unless `shape` is a list of non-negative integers, naming the operation. */
export function assertValidShape(shape: readonly number[], operation: string): void {
  if (!Array.isArray(shape)) {
    throw new Error(
      `${operation}: expected a shape (a list of non-negative integers) but found ${
        shape === null ? "null" : typeof shape
      }`,
    );
  }
  for (const extent of shape) {
    if (!Number.isInteger(extent) || extent < 0) {
      throw new Error(
        `${operation}: expected a shape of non-negative integers but found ${formatShape(shape)}`,
      );
    }
  }
}

/**
 * Calls `visit(index, indexA, indexB)` for every flat index of `shape`, with
 * the flat indices of the elements of `aShape` and `bShape` that broadcast
 * to it — an odometer over the axes, one call per index (callers visit
 * rows or matrices with it, never single elements).
 */
export function forEachBroadcast(
  aShape: readonly number[],
  bShape: readonly number[],
  shape: readonly number[],
  visit: (index: number, indexA: number, indexB: number) => void,
): void {
  const count = sizeOf(shape);
  const stridesA = broadcastStrides(aShape, shape);
  const stridesB = broadcastStrides(bShape, shape);
  const rank = shape.length;
  const position = new Array<number>(rank).fill(0);
  let indexA = 0;
  let indexB = 0;
  for (let index = 0; index < count; index++) {
    visit(index, indexA, indexB);
    for (let axis = rank - 1; axis >= 0; axis--) {
      position[axis]!++;
      indexA += stridesA[axis]!;
      indexB += stridesB[axis]!;
      if (position[axis]! < shape[axis]!) break;
      indexA -= stridesA[axis]! * shape[axis]!;
      indexB -= stridesB[axis]! * shape[axis]!;
      position[axis] = 0;
    }
  }
}
