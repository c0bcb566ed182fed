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
  if (rank >= 2 && swapsLastTwoOnly(axes)) {
    transposeLastTwo(data, shape, out);
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

/** Whether `axes` keeps every leading axis in place and swaps the last two (a batched transpose). */
function swapsLastTwoOnly(axes: readonly number[]): boolean {
  const rank = axes.length;
  for (let axis = 0; axis < rank - 2; axis++) if (axes[axis] !== axis) return false;
  return axes[rank - 2] === rank - 1 && axes[rank - 1] === rank - 2;
}

/** The tile edge of the blocked transpose: a 32 × 32 tile of float64 is 8 KB, well inside L1. */
const TILE = 32;

/**
 * Batched matrix transpose, (…, r, c) → (…, c, r), in 32 × 32 tiles so that
 * both the reads and the writes stay within a few cache lines per row.
 */
function transposeLastTwo(data: TypedArray, shape: readonly number[], out: TypedArray): void {
  const rank = shape.length;
  const rows = shape[rank - 2]!;
  const columns = shape[rank - 1]!;
  const matrix = rows * columns;
  const batches = matrix === 0 ? 0 : data.length / matrix;
  for (let batch = 0; batch < batches; batch++) {
    const base = batch * matrix;
    for (let rowTile = 0; rowTile < rows; rowTile += TILE) {
      const rowEnd = Math.min(rowTile + TILE, rows);
      for (let columnTile = 0; columnTile < columns; columnTile += TILE) {
        const columnEnd = Math.min(columnTile + TILE, columns);
        for (let r = rowTile; r < rowEnd; r++) {
          const from = base + r * columns;
          for (let c = columnTile; c < columnEnd; c++) out[base + c * rows + r] = data[from + c]!;
        }
      }
    }
  }
}
