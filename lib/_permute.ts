/**
 * Internal: copies a contiguous tensor into a new axis order.
 *
 * @module
 */
import type { TypedArray } from "./_dtype.ts";
import { sizeOf, stridesOf } from "./_shape.ts";

/**
 * Writes `data` (shape `shape`) into `out` with its axes reordered so that
 * output axis `i` is input axis `axes[i]`. The innermost output axis is a
 * strided loop; the outer axes advance like an odometer.
 */
export function permuteKernel(
  data: TypedArray,
  shape: readonly number[],
  axes: readonly number[],
  out: TypedArray,
): void {
  const rank = shape.length;
  const size = sizeOf(shape);
  if (size === 0) return;
  if (rank === 0) {
    out[0] = data[0]!;
    return;
  }
  const inputStrides = stridesOf(shape);
  const outShape = axes.map((axis) => shape[axis]!);
  const readStrides = axes.map((axis) => inputStrides[axis]!);
  const inner = outShape[rank - 1]!;
  const innerStride = readStrides[rank - 1]!;
  const index = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let start = 0; start < size; start += inner) {
    for (let i = 0, read = offset; i < inner; i++, read += innerStride) {
      out[start + i] = data[read]!;
    }
    for (let axis = rank - 2; axis >= 0; axis--) {
      index[axis]!++;
      offset += readStrides[axis]!;
      if (index[axis]! < outShape[axis]!) break;
      offset -= readStrides[axis]! * outShape[axis]!;
      index[axis] = 0;
    }
  }
}
