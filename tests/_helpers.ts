/**
 * Shared test helpers: closeness assertions that report the largest deviation.
 *
 * @module
 */
import { type NestedArray, Tensor, tensor } from "../mod.ts";

/** The largest |actual − expected| over all elements; throws when the shapes differ. */
export function maxDeviation(actual: Tensor, expected: NestedArray | Tensor): number {
  const reference = expected instanceof Tensor ? expected : tensor(expected, { dtype: "float64" });
  if (actual.shape.join() !== reference.shape.join()) {
    throw new Error(
      `shape mismatch: actual [${actual.shape}] but expected [${reference.shape}]`,
    );
  }
  let worst = 0;
  for (let i = 0; i < actual.size; i++) {
    const difference = Math.abs(actual.data[i]! - reference.data[i]!);
    if (!(difference <= worst)) worst = difference; // NaN makes it NaN
  }
  return worst;
}

/** Throws unless every element is within `tolerance` of the reference (absolute). */
export function assertClose(
  actual: Tensor,
  expected: NestedArray | Tensor,
  tolerance: number,
  label = "",
): number {
  const deviation = maxDeviation(actual, expected);
  if (!(deviation <= tolerance)) {
    throw new Error(`${label}: max deviation ${deviation} exceeds ${tolerance}`);
  }
  return deviation;
}
