/**
 * Internal: the element types a tensor may hold.
 *
 * @module
 */

/** The element type of a tensor: 32-bit floats (the default, like PyTorch) or 64-bit floats. */
export type DType = "float32" | "float64";

/** The contiguous storage behind a tensor. */
export type TypedArray = Float32Array | Float64Array;

/** A new zero-filled array of `dtype` with `length` elements. */
export function allocate(dtype: DType, length: number): TypedArray {
  return dtype === "float64" ? new Float64Array(length) : new Float32Array(length);
}

/** The dtype of a typed array. */
export function dtypeOf(data: TypedArray): DType {
  return data instanceof Float64Array ? "float64" : "float32";
}

/** The wider of two dtypes (float64 wins, as in PyTorch's type promotion). */
export function promote(a: DType, b: DType): DType {
  return a === "float64" || b === "float64" ? "float64" : "float32";
}

/** A copy of float64 `values` (accumulators, typically) as an array of `dtype`. */
export function fromFloat64(values: Float64Array, dtype: DType): TypedArray {
  if (dtype === "float64") return values;
  const out = new Float32Array(values.length);
  out.set(values);
  return out;
}
