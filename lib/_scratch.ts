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
