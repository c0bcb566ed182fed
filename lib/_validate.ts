/**
 * Internal: describing arguments of the wrong kind in error messages, so that
 * `matmul([[1]])` says what it expected instead of failing inside with a
 * TypeError.
 *
 * @module
 */

/** A short description of a value: "null", "an array (wrap it with tensor())", "number", … */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array (wrap it with tensor())";
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} (wrap it with tensor())`;
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "no class"})`;
  return typeof value;
}

/** The error for an argument that should have been a Tensor. */
export function notATensorError(operation: string, name: string, value: unknown): Error {
  return new Error(
    `${operation}: expected ${name} to be a Tensor but found ${describeValue(value)}`,
  );
}
