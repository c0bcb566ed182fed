/**
 * Internal reduction kernels: sum, mean, max, min and variance over any set
 * of axes, accumulated in float64.
 *
 * The input is viewed as (outer, R, inner), where R is the product of the
 * reduced extents. When the reduced axes are one contiguous block that view
 * needs no copy; otherwise the reduced axes are first permuted to the end.
 *
 * @module
 */
import { dtypeOf, scratchArray, type TypedArray } from "./_dtype.ts";
import { permuteKernel } from "./_permute.ts";
import { formatShape, sizeOf } from "./_shape.ts";

/** A reduction. */
export type ReduceOp = "sum" | "mean" | "max" | "min" | "variance";

/** The result of a reduction: the values and the shape with reduced axes kept as 1. */
export interface Reduced {
  values: Float64Array;
  keptShape: number[];
}

/**
 * Reduces `data` of shape `shape` over the sorted, distinct `axes`.
 * `correction` is Bessel's correction for `variance` (0 biased, 1 unbiased).
 */
export function reduceKernel(
  op: ReduceOp,
  data: TypedArray,
  shape: readonly number[],
  axes: readonly number[],
  correction: number,
  operation: string,
): Reduced {
  const keptShape = shape.map((extent, axis) => (axes.includes(axis) ? 1 : extent));
  let reducedCount = 1;
  for (const axis of axes) reducedCount *= shape[axis]!;
  const outSize = sizeOf(keptShape);
  if (reducedCount === 0 && op !== "sum" && outSize > 0) {
    throw new Error(
      `${operation}: expected at least one element along axes ${
        formatShape(axes)
      } but the shape is ${formatShape(shape)}`,
    );
  }
  if (op === "variance" && reducedCount - correction <= 0 && outSize > 0) {
    throw new Error(
      `${operation}: expected more than ${correction} element(s) along axes ${
        formatShape(axes)
      } for the correction ${correction} but the shape is ${formatShape(shape)}`,
    );
  }
  let source = data;
  let outer: number;
  let inner: number;
  const first = axes[0] ?? 0;
  const last = axes[axes.length - 1] ?? -1;
  if (axes.length === 0 || last - first + 1 === axes.length) {
    outer = sizeOf(shape.slice(0, first));
    inner = sizeOf(shape.slice(last + 1));
  } else {
    const kept = shape.map((_, axis) => axis).filter((axis) => !axes.includes(axis));
    source = scratchArray(dtypeOf(data), data.length);
    permuteKernel(data, shape, [...kept, ...axes], source);
    outer = outSize;
    inner = 1;
  }
  const values = scratchArray("float64", outSize) as Float64Array;
  if (outSize === 0 || reducedCount === 0) return { values, keptShape };
  const R = reducedCount;
  switch (op) {
    case "sum":
    case "mean":
    case "variance": {
      sumInto(source, outer, R, inner, values);
      if (op === "sum") break;
      for (let i = 0; i < outSize; i++) values[i]! /= R;
      if (op === "mean") break;
      // Two passes: Σ(x − mean)² does not cancel the way E[x²] − E[x]² does.
      const squares = scratchArray("float64", outSize) as Float64Array;
      for (let o = 0; o < outer; o++) {
        for (let r = 0; r < R; r++) {
          const base = (o * R + r) * inner;
          for (let i = 0; i < inner; i++) {
            const deviation = source[base + i]! - values[o * inner + i]!;
            squares[o * inner + i]! += deviation * deviation;
          }
        }
      }
      for (let i = 0; i < outSize; i++) values[i] = squares[i]! / (R - correction);
      break;
    }
    case "max":
    case "min": {
      const isMax = op === "max";
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) values[o * inner + i] = source[o * R * inner + i]!;
        for (let r = 1; r < R; r++) {
          const base = (o * R + r) * inner;
          for (let i = 0; i < inner; i++) {
            const x = source[base + i]!;
            const best = values[o * inner + i]!;
            // NaN wins, as in PyTorch's max and min.
            if (x !== x || (isMax ? x > best : x < best)) values[o * inner + i] = x;
          }
        }
      }
      break;
    }
  }
  return { values, keptShape };
}

function sumInto(
  source: TypedArray,
  outer: number,
  R: number,
  inner: number,
  values: Float64Array,
): void {
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < R; r++) {
      const base = (o * R + r) * inner;
      for (let i = 0; i < inner; i++) values[o * inner + i]! += source[base + i]!;
    }
  }
}
