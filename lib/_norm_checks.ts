/**
 * Internal: argument checks shared by the normalisation layers.
 *
 * @module
 */
import { allocate, overlaps, type TypedArray } from "./_dtype.ts";
import { checkTensor } from "./_mask.ts";
import { formatShape, shapesEqual, sizeOf } from "./_shape.ts";
import type { Tensor } from "./tensor.ts";

/**
 * Resolves `normalizedShape` (default: the last axis of x) and checks that it
 * equals the trailing axes of x. Returns it with the number of groups
 * (`rows`) and the size of each (`width`).
 */
export function resolveNormalizedShape(
  x: Tensor,
  normalizedShape: number | readonly number[] | undefined,
  operation: string,
): { normalizedShape: number[]; rows: number; width: number } {
  checkTensor(x, operation, "x");
  if (x.ndim === 0) {
    throw new Error(`${operation}: expected x to have at least 1 axis but found shape []`);
  }
  if (normalizedShape === undefined) {
    // The common case, the last axis: no shape lists to build or compare.
    const width = x.shape[x.ndim - 1]!;
    if (width === 0) return resolveNormalizedShape(x, [0], operation);
    return { normalizedShape: [width], rows: x.size / width, width };
  }
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  const trailing = x.shape.slice(x.ndim - shape.length);
  if (shape.length === 0 || shape.length > x.ndim || !shapesEqual(trailing, shape)) {
    throw new Error(
      `${operation}: expected the normalized shape ${
        formatShape(shape)
      } to equal the trailing axes of x ${formatShape(x.shape)} but found ${formatShape(trailing)}`,
    );
  }
  const width = sizeOf(shape);
  if (width === 0) {
    throw new Error(
      `${operation}: expected a non-empty normalized shape but found ${formatShape(shape)} (x ${
        formatShape(x.shape)
      }): there is nothing to take statistics over`,
    );
  }
  return { normalizedShape: shape, rows: x.size / width, width };
}

/**
 * Checks that a per-feature parameter (`weight`, `bias`, or inference
 * `mean`/`variance`) has `expected` shape and finite values; returns its
 * data. `context` explains the expected shape; it is only called to build an
 * error message, so the happy path formats no strings.
 */
export function checkedParameter(
  parameter: Tensor | null | undefined,
  expected: readonly number[],
  name: string,
  operation: string,
  context: () => string,
): Float32Array | Float64Array | undefined {
  if (parameter === undefined || parameter === null) return undefined;
  checkTensor(parameter, operation, name);
  if (!shapesEqual(parameter.shape, expected)) {
    throw new Error(
      `${operation}: expected ${name} to have shape ${
        formatShape(expected)
      } (${context()}) but found ${formatShape(parameter.shape)}`,
    );
  }
  const data = parameter.data;
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    // value − value is 0 for every finite value and NaN for NaN and ±Infinity.
    if (value - value !== 0) {
      throw new Error(
        `${operation}: expected finite values in ${name} ${
          formatShape(parameter.shape)
        } but found ${value} at index ${i}`,
      );
    }
  }
  return data;
}

/**
 * The error for a group whose variance (or mean square) is 0 when eps is 0:
 * its output would be 0/0 = NaN.
 */
export function zeroVarianceError(operation: string, x: Tensor, what: string): Error {
  return new Error(
    `${operation}: expected eps > 0 or a non-zero variance but ${what} of x ${
      formatShape(x.shape)
    } is constant and eps is 0 (its output would be 0/0)`,
  );
}

/** Checks that `eps` is a finite non-negative number. */
export function checkEps(eps: number, operation: string): void {
  if (typeof eps !== "number" || !(eps >= 0) || !Number.isFinite(eps)) {
    throw new Error(`${operation}: expected eps to be a finite number ≥ 0 but found ${eps}`);
  }
}

/** The error for a group of values whose statistics are not finite (NaN or ±Infinity in x). */
export function nonFiniteError(
  operation: string,
  x: Tensor,
  what: string,
): Error {
  return new Error(
    `${operation}: expected finite values in x ${
      formatShape(x.shape)
    } but ${what} contains NaN or ±Infinity`,
  );
}

/** The multi-index of flat row `row` in the leading axes `shape`, formatted `[b, t]`. */
export function rowIndex(row: number, shape: readonly number[]): string {
  const index = new Array<number>(shape.length);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index[axis] = row % shape[axis]!;
    row = Math.floor(row / shape[axis]!);
  }
  return formatShape(index);
}

/** A layer's normalized shape (a number means one axis), checked to be positive integers. */
export function layerShape(normalizedShape: number | readonly number[], layer: string): number[] {
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  if (shape.length === 0 || shape.some((extent) => !Number.isInteger(extent) || extent < 1)) {
    throw new Error(
      `${layer}: expected a normalized shape of positive integers but found ${formatShape(shape)}`,
    );
  }
  return shape;
}

/**
 * The storage a result is written to: `out`'s data when given (it must have
 * x's shape and dtype, and must not be x itself), else a new array. Writing
 * into a reused buffer skips the page faults of fresh memory, which dominate
 * large outputs.
 */
export function outputData(
  x: Tensor,
  out: Tensor | undefined,
  operation: string,
): Float32Array | Float64Array {
  if (out === undefined) return allocate(x.dtype, x.size);
  checkTensor(out, operation, "out");
  if (!shapesEqual(out.shape, x.shape) || out.dtype !== x.dtype) {
    throw new Error(
      `${operation}: expected out to have the shape ${
        formatShape(x.shape)
      } and dtype ${x.dtype} of x but found ${formatShape(out.shape)} ${out.dtype}`,
    );
  }
  if (overlaps(out.data, x.data)) {
    throw new Error(`${operation}: expected out to have its own storage, not x's`);
  }
  return out.data;
}

/**
 * The error for an `out` buffer combined with gradient recording: an
 * in-place result would leave the graph pointing at storage the caller
 * reuses, so the gradient could silently be wrong.
 */
export function outWhileRecording(operation: string, x: Tensor): Error {
  return new Error(
    `${operation}: cannot write into \`out\` while recording gradients (x ${
      formatShape(x.shape)
    } or a parameter requires a gradient); drop \`out\`, or run the call inside noGrad()`,
  );
}

/**
 * The checks both row-norm backward passes (layerNorm, rmsNorm) make: the
 * normalized shape, dy of x's shape, eps, and γ of the normalized shape.
 */
export function rowNormBackwardInputs(
  x: Tensor,
  dy: Tensor,
  options: { normalizedShape?: number | readonly number[]; weight?: Tensor | null; eps?: number },
  defaultEps: number,
  operation: string,
): {
  normalizedShape: number[];
  rows: number;
  width: number;
  eps: number;
  gamma: TypedArray | undefined;
} {
  const { normalizedShape, rows, width } = resolveNormalizedShape(
    x,
    options.normalizedShape,
    operation,
  );
  checkTensor(dy, operation, "dy");
  if (!shapesEqual(dy.shape, x.shape)) {
    throw new Error(
      `${operation}: expected dy to have the shape of x ${formatShape(x.shape)} but found ${
        formatShape(dy.shape)
      }`,
    );
  }
  const eps = options.eps ?? defaultEps;
  checkEps(eps, operation);
  const gamma = checkedParameter(
    options.weight,
    normalizedShape,
    "weight",
    operation,
    () => `the normalized shape of x ${formatShape(x.shape)}`,
  );
  return { normalizedShape, rows, width, eps, gamma };
}
