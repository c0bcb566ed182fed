/**
 * Internal: checking padding masks (1 = real token, 0 = padding).
 *
 * @module
 */
import type { TypedArray } from "./_dtype.ts";
import { formatShape, shapesEqual } from "./_shape.ts";
import { notATensorError } from "./_validate.ts";
import { assertBinaryMask, Tensor } from "./tensor.ts";

/**
 * Checks that `mask` is a Tensor of `expectedShape` holding only 0 and 1 and
 * returns its data; `undefined` passes through. `context()` explains where the
 * expected shape comes from, e.g. "the leading axes of x [2, 4, 3]".
 */
export function checkedMask(
  mask: Tensor | undefined,
  expectedShape: readonly number[],
  operation: string,
  context: () => string,
): TypedArray | undefined {
  if (mask === undefined) return undefined;
  if (!(mask instanceof Tensor)) {
    throw new Error(`${operation}: expected mask to be a Tensor but found ${typeof mask}`);
  }
  if (!shapesEqual(mask.shape, expectedShape)) {
    throw new Error(
      `${operation}: expected mask to have shape ${
        formatShape(expectedShape)
      } (${context()}) but found ${formatShape(mask.shape)}`,
    );
  }
  assertBinaryMask(mask, operation);
  return mask.data;
}

/** Throws unless `x` is a Tensor, naming the operation and the argument. */
export function checkTensor(x: unknown, operation: string, name: string): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw notATensorError(operation, name, x);
}
