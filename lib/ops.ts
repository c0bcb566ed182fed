/**
 * Operations on several tensors: stacking, concatenation and comparison.
 *
 * @module
 */
import { allocate, promote } from "./_dtype.ts";
import { checkTensor } from "./_mask.ts";
import { broadcastShapes, formatShape, normalizeAxis, shapesEqual, sizeOf } from "./_shape.ts";
import { anyNeedsGrad, record } from "./autograd.ts";
import { describeValue } from "./_validate.ts";
import { Tensor } from "./tensor.ts";

/**
 * Joins tensors of one shape along a new axis: n tensors of (T, D) stacked
 * on axis 0 give (n, T, D).
 *
 * @example
 * ```ts
 * import { stack } from "./ops.ts";
 * import { tensor } from "./tensor.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const s = stack([tensor([1, 2]), tensor([3, 4])], 1);
 * deepStrictEqual(s.toArray(), [[1, 3], [2, 4]]);
 * ```
 */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  checkTensorList(tensors, "stack");
  if (tensors.length === 0) throw new Error("stack: expected at least one tensor but found none");
  const first = tensors[0]!;
  for (const [i, t] of tensors.entries()) {
    if (!shapesEqual(t.shape, first.shape)) {
      throw new Error(
        `stack: expected every tensor to have shape ${
          formatShape(first.shape)
        } but tensor ${i} has ${formatShape(t.shape)}`,
      );
    }
  }
  const dim = normalizeAxis(axis, first.ndim + 1, "stack", first.shape);
  const expanded = [...first.shape.slice(0, dim), 1, ...first.shape.slice(dim)];
  return concat(tensors.map((t) => t.reshape(expanded)), dim);
}

/**
 * Joins tensors along an existing axis; the other extents must agree:
 * (2, 3) and (4, 3) on axis 0 give (6, 3).
 *
 * @example
 * ```ts
 * import { concat } from "./ops.ts";
 * import { tensor } from "./tensor.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(concat([tensor([[1], [2]]), tensor([[3], [4]])], 1).toArray(), [[1, 3], [2, 4]]);
 * ```
 */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  checkTensorList(tensors, "concat");
  if (tensors.length === 0) throw new Error("concat: expected at least one tensor but found none");
  const first = tensors[0]!;
  if (first.ndim === 0) {
    throw new Error("concat: expected tensors with at least 1 axis but found a scalar");
  }
  const dim = normalizeAxis(axis, first.ndim, "concat", first.shape);
  let total = 0;
  let dtype = first.dtype;
  for (const [i, t] of tensors.entries()) {
    const same = t.ndim === first.ndim &&
      t.shape.every((extent, a) => a === dim || extent === first.shape[a]);
    if (!same) {
      throw new Error(
        `concat: expected shapes that match ${
          formatShape(first.shape)
        } except on axis ${dim} but tensor ${i} has ${formatShape(t.shape)}`,
      );
    }
    total += t.shape[dim]!;
    dtype = promote(dtype, t.dtype);
  }
  const shape = [...first.shape];
  shape[dim] = total;
  const outer = sizeOf(first.shape.slice(0, dim));
  const inner = sizeOf(first.shape.slice(dim + 1));
  const out = allocate(dtype, sizeOf(shape));
  const outRow = total * inner;
  let offset = 0;
  for (const t of tensors) {
    const chunk = t.shape[dim]! * inner;
    for (let o = 0; o < outer; o++) {
      out.set(t.data.subarray(o * chunk, (o + 1) * chunk), o * outRow + offset);
    }
    offset += chunk;
  }
  const result = new Tensor(out, shape);
  if (anyNeedsGrad(tensors)) {
    // d concat: each input gets its own slice of dy along the axis.
    record(result, "concat", tensors, (dy) => {
      const grads: Tensor[] = [];
      let start = 0;
      for (const t of tensors) {
        const chunk = t.shape[dim]! * inner;
        const piece = allocate(dy.dtype, t.size);
        for (let o = 0; o < outer; o++) {
          piece.set(dy.data.subarray(o * outRow + start, o * outRow + start + chunk), o * chunk);
        }
        grads.push(new Tensor(piece, t.shape));
        start += chunk;
      }
      return grads;
    });
  }
  return result;
}

/**
 * `length` consecutive entries of `t` along `axis` from `start` (PyTorch's
 * `narrow`, `t[..., start:start + length, ...]`), copied. Differentiable:
 * the gradient is dy placed back into those entries, zeros elsewhere.
 *
 * Shape: (…, n, …) → (…, length, …).
 *
 * @example
 * ```ts
 * import { narrow } from "./ops.ts";
 * import { tensor } from "./tensor.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(narrow(tensor([[1, 2, 3], [4, 5, 6]]), 1, 1, 2).toArray(), [[2, 3], [5, 6]]);
 * ```
 */
export function narrow(t: Tensor, axis: number, start: number, length: number): Tensor {
  const dim = normalizeAxis(axis, t.ndim, "narrow", t.shape);
  const extent = t.shape[dim]!;
  if (
    !Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 ||
    start + length > extent
  ) {
    throw new Error(
      `narrow: expected 0 ≤ start and start + length ≤ ${extent} on axis ${dim} of ${
        formatShape(t.shape)
      } but found start ${start} and length ${length}`,
    );
  }
  const outer = sizeOf(t.shape.slice(0, dim));
  const inner = sizeOf(t.shape.slice(dim + 1));
  const shape = [...t.shape];
  shape[dim] = length;
  const out = allocate(t.dtype, outer * length * inner);
  const chunk = length * inner;
  for (let o = 0; o < outer; o++) {
    const from = (o * extent + start) * inner;
    out.set(t.data.subarray(from, from + chunk), o * chunk);
  }
  const result = new Tensor(out, shape);
  if (anyNeedsGrad([t])) {
    record(result, "narrow", [t], (dy) => {
      const gradient = allocate(dy.dtype, t.size);
      for (let o = 0; o < outer; o++) {
        gradient.set(dy.data.subarray(o * chunk, (o + 1) * chunk), (o * extent + start) * inner);
      }
      return [new Tensor(gradient, t.shape)];
    });
  }
  return result;
}

/** Tolerances for {@linkcode allClose}. */
export interface AllCloseOptions {
  /**
   * Relative tolerance.
   * @default {1e-5}
   */
  rtol?: number;
  /**
   * Absolute tolerance.
   * @default {1e-8}
   */
  atol?: number;
  /**
   * Whether NaN equals NaN.
   * @default {false}
   */
  equalNan?: boolean;
}

/**
 * Whether `|a − b| ≤ atol + rtol·|b|` holds element-wise (with broadcasting),
 * like `torch.allclose`. Shapes that do not broadcast throw.
 *
 * @example
 * ```ts
 * import { allClose } from "./ops.ts";
 * import { tensor } from "./tensor.ts";
 * import { ok } from "node:assert/strict";
 *
 * ok(allClose(tensor([1, 2]), tensor([1, 2 + 1e-7])));
 * ok(!allClose(tensor([1, 2]), tensor([1, 2.1])));
 * ```
 */
export function allClose(a: Tensor, b: Tensor, options: AllCloseOptions = {}): boolean {
  checkTensor(a, "allClose", "a");
  checkTensor(b, "allClose", "b");
  const rtol = options.rtol ?? 1e-5;
  const atol = options.atol ?? 1e-8;
  const shape = broadcastShapes(a.shape, b.shape, "allClose");
  const x = a.shape.length === shape.length && shapesEqual(a.shape, shape)
    ? a
    : a.add(zerosLike(shape));
  const y = b.shape.length === shape.length && shapesEqual(b.shape, shape)
    ? b
    : b.add(zerosLike(shape));
  for (let i = 0; i < x.size; i++) {
    const p = x.data[i]!;
    const q = y.data[i]!;
    if (p !== p || q !== q) {
      if (options.equalNan && p !== p && q !== q) continue;
      return false;
    }
    if (p === q) continue; // equal infinities
    if (!(Math.abs(p - q) <= atol + rtol * Math.abs(q))) return false;
  }
  return true;
}

/** Throws unless `tensors` is a list of Tensors, naming the operation and the first misfit. */
function checkTensorList(tensors: readonly Tensor[], operation: string): void {
  if (!Array.isArray(tensors)) {
    throw new Error(
      `${operation}: expected a list of tensors but found ${
        tensors instanceof Tensor ? "one Tensor (wrap it: [t])" : describeValue(tensors)
      }`,
    );
  }
  for (const [i, t] of tensors.entries()) checkTensor(t, operation, `tensor ${i}`);
}

function zerosLike(shape: readonly number[]): Tensor {
  return new Tensor(new Float64Array(sizeOf(shape)), shape);
}
