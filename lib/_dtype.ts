/**
 * Internal: the element types a tensor may hold.
 *
 * @module
 */

/** The element type of a tensor: 32-bit floats (the default, like PyTorch) or 64-bit floats. */
export type DType = "float32" | "float64";

/**
 * Throws unless `dtype` is one normlab supports ("float32" or "float64"),
 * naming the operation: "float16", "int32" or "complex64" would otherwise
 * be silently float32.
 */
export function checkDtype(dtype: unknown, operation: string): asserts dtype is DType {
  if (dtype !== "float32" && dtype !== "float64") {
    throw new Error(
      `${operation}: expected dtype "float32" or "float64" but found ${
        typeof dtype === "string" ? JSON.stringify(dtype) : String(dtype)
      }`,
    );
  }
}

/**
 * The largest tensor normlab allocates: 4 GiB. A notebook's tensors are
 * kilobytes and BERT-size activations (32, 512, 768) are 50 MB; anything
 * near this is a mistake that would otherwise page for minutes or fail
 * with a bare RangeError.
 */
export const MAX_TENSOR_BYTES = 2 ** 32;

/** Throws, naming the operation and the shape, unless a tensor of `shape` fits the limit. */
export function checkAllocation(shape: readonly number[], dtype: DType, operation: string): void {
  let size = 1;
  for (const extent of shape) size *= extent;
  const bytes = size * (dtype === "float64" ? 8 : 4);
  if (bytes > MAX_TENSOR_BYTES) {
    throw new Error(
      `${operation}: expected a tensor of at most ${MAX_TENSOR_BYTES / 2 ** 30} GiB but shape [${
        shape.join(", ")
      }] of ${dtype} needs ${(bytes / 2 ** 30).toPrecision(3)} GiB`,
    );
  }
}

/** The contiguous storage behind a tensor. */
export type TypedArray = Float32Array | Float64Array;

/**
 * A new zero-filled array of `dtype` with `length` elements and its own
 * ArrayBuffer: the storage of a public tensor. A tensor's `data.buffer`
 * holds its values and nothing else, so reading it shows no other tensor
 * and transferring it (as `postMessage` does) detaches only this tensor.
 */
export function allocate(dtype: DType, length: number): TypedArray {
  if (length >= MIN_RECYCLED_LENGTH) {
    const reused = recycled.get(recycleKey(dtype, length))?.pop();
    if (reused !== undefined) {
      recycledBytes -= reused.byteLength;
      tracked?.add(reused.buffer);
      return reused.fill(0);
    }
  }
  try {
    if (tracked !== null && length >= MIN_RECYCLED_LENGTH) {
      const fresh = dtype === "float64" ? new Float64Array(length) : new Float32Array(length);
      tracked.add(fresh.buffer);
      return fresh;
    }
    return dtype === "float64" ? new Float64Array(length) : new Float32Array(length);
  } catch (error) {
    // The operations check their shapes first (checkAllocation); this is the last resort.
    const bytes = length * (dtype === "float64" ? 8 : 4);
    throw new Error(
      `allocate: expected memory for ${length} ${dtype} elements (${
        (bytes / 2 ** 30).toPrecision(3)
      } GiB) but the allocation failed: ${error instanceof Error ? error.message : error}`,
    );
  }
}

// ---- recycled storage ------------------------------------------------------------------
// A fresh large typed array costs V8 far more than reusing one: on this project's machine a
// 160 KB Float32Array written once costs 8–200 µs fresh against 1.6 µs reused and zeroed
// (calloc, first-write page faults, and the garbage collections that external memory
// triggers). The autograd engine knows which gradient arrays die during a backward pass (see
// runBackward): it hands them back here, and `allocate` gives them out again, zeroed.

/** Arrays shorter than this are cheap to make and are never recycled. */
const MIN_RECYCLED_LENGTH = 1024;
/** At most this many bytes wait for reuse; beyond it, returned arrays are left to the GC. */
const MAX_RECYCLED_BYTES = 2 ** 27;
const recycled = new Map<number, TypedArray[]>();
let recycledBytes = 0;
/** The buffers `allocate` made since {@linkcode trackAllocations} began, or null. */
let tracked: Set<ArrayBufferLike> | null = null;

function recycleKey(dtype: DType, length: number): number {
  return dtype === "float64" ? -length : length;
}

/**
 * Internal (autograd's runBackward): from now until the returned function is
 * called, records every array `allocate` hands out; `isTracked` tells whether
 * an array's buffer is one of them — storage that nothing outside the
 * backward pass can hold.
 */
export function trackAllocations(): {
  isTracked: (array: TypedArray) => boolean;
  stop: () => void;
} {
  const previous = tracked;
  const own = new Set<ArrayBufferLike>();
  tracked = own;
  return {
    isTracked: (array) => own.has(array.buffer),
    stop: () => {
      tracked = previous;
    },
  };
}

/**
 * Internal (autograd's runBackward): `array`, which nothing references any
 * more, for `allocate` to give out again (zeroed). Only whole buffers of at
 * least 1024 elements are kept, up to 128 MB in all.
 */
export function recycle(array: TypedArray): void {
  if (
    array.length < MIN_RECYCLED_LENGTH || array.byteOffset !== 0 ||
    array.byteLength !== array.buffer.byteLength ||
    recycledBytes + array.byteLength > MAX_RECYCLED_BYTES
  ) {
    return;
  }
  const key = recycleKey(dtypeOf(array), array.length);
  let list = recycled.get(key);
  if (list === undefined) {
    list = [];
    recycled.set(key, list);
  }
  if (list.includes(array)) return; // returned twice: keep it once, or two tensors would share it
  list.push(array);
  recycledBytes += array.byteLength;
}

/** Work arrays up to this many bytes are carved out of a shared slab. */
const SMALL_ARRAY_BYTES = 4096;
/** The size of each slab. */
const SLAB_BYTES = 65536;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabOffset = 0;

/**
 * A zero-filled **work** array of `dtype` with `length` elements, for values
 * that live within one operation (accumulators, a transposed copy, a
 * broadcast mask) and never become a tensor's `data`.
 *
 * Small ones (≤ 4 KB) are views into a shared 64 KB slab, handed out once
 * each: allocating an ArrayBuffer costs ~0.5 µs in V8, a view on an existing
 * one ~0.05 µs, and that dominates small calls. Public tensors never get
 * slab memory (see {@linkcode allocate}): a slab's buffer holds other
 * arrays' values, and transferring it would empty them all.
 */
export function scratchArray(dtype: DType, length: number): TypedArray {
  const bytes = length * (dtype === "float64" ? 8 : 4);
  if (bytes > SMALL_ARRAY_BYTES) return allocate(dtype, length);
  if (slabOffset + bytes > SLAB_BYTES || slab.byteLength === 0) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabOffset = 0;
  }
  const offset = slabOffset;
  slabOffset += (bytes + 7) & ~7; // keep every array 8-byte aligned
  return dtype === "float64"
    ? new Float64Array(slab, offset, length)
    : new Float32Array(slab, offset, length);
}

/** Whether two arrays share any bytes (arrays from one slab share a buffer but not bytes). */
export function overlaps(a: TypedArray, b: TypedArray): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength &&
    b.byteOffset < a.byteOffset + a.byteLength;
}

/** The dtype of a typed array. */
export function dtypeOf(data: TypedArray): DType {
  return data instanceof Float64Array ? "float64" : "float32";
}

/** The wider of two dtypes (float64 wins, as in PyTorch's type promotion). */
export function promote(a: DType, b: DType): DType {
  return a === "float64" || b === "float64" ? "float64" : "float32";
}

/** A copy of float64 `values` (work accumulators, typically) as a new array of `dtype`. */
export function fromFloat64(values: Float64Array, dtype: DType): TypedArray {
  const out = allocate(dtype, values.length);
  out.set(values);
  return out;
}
