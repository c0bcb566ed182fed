/**
 * Internal: reusable float64 work arrays, so small calls do not allocate.
 *
 * @module
 */

// Slots in use: 0, 1 featureStatistics' block sums; 2, 3 batchNorm's scale and shift, and
// 2, 3, 4 batchNormBackward's coefficients; 6 layerNorm's row moments. A function must not
// call another that uses its slots.
const scratchBuffers: Float64Array[] = [];

/**
 * A reusable float64 work array of at least `length` elements (slot 0, 1, …),
 * so small calls do not allocate. Only for use within one synchronous call.
 */
export function scratch(slot: number, length: number): Float64Array {
  let buffer = scratchBuffers[slot];
  if (buffer === undefined || buffer.length < length) {
    buffer = new Float64Array(Math.max(length, 64));
    scratchBuffers[slot] = buffer;
  }
  return buffer;
}

/** The reusable work arrays of {@linkcode workBuffer}, one per use site. */
export type WorkBufferName =
  | "linearRelu dh"
  | "selfAttentionHeads dS"
  | "packedSelfAttentionHeads dS";

const workBuffers = new Map<string, Float32Array | Float64Array>();

/** Work arrays larger than this many bytes are not kept between calls. */
const MAX_KEPT_WORK_BYTES = 2 ** 26;

/**
 * A reusable work array of `dtype` with `length` elements for the use site
 * `name`, **not zeroed**: for intermediate values that one operation writes
 * in full and reads before it returns, never a tensor's data. A training
 * step makes the same intermediates every time; reusing them saves the
 * allocation, its zeroing and the garbage collections that external memory
 * triggers. Each site has its own name, so arrays in use at once never alias.
 */
export function workBuffer(
  name: WorkBufferName,
  dtype: "float32" | "float64",
  length: number,
): Float32Array | Float64Array {
  const key = `${name} ${dtype}`;
  let buffer = workBuffers.get(key);
  if (buffer === undefined || buffer.length < length) {
    buffer = dtype === "float64" ? new Float64Array(length) : new Float32Array(length);
    if (buffer.byteLength > MAX_KEPT_WORK_BYTES) return buffer;
    workBuffers.set(key, buffer);
  }
  return buffer.length === length ? buffer : buffer.subarray(0, length);
}
