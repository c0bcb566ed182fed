/**
 * Internal: PyTorch's parameter initialisations, seeded.
 *
 * @module
 */
import { allocate } from "../_dtype.ts";
import { hashString, RandomSource } from "../_random.ts";
import { Tensor } from "../tensor.ts";

/** A seed for the part `label` of a module seeded with `seed` (stable, machine-independent). */
export function childSeed(seed: number, label: string): number {
  return hashString(`${seed}:${label}`);
}

/** A new leaf parameter of `shape` filled from U(−bound, bound). */
export function uniformParameter(shape: readonly number[], bound: number, seed: number): Tensor {
  const random = new RandomSource(seed, "initialisation");
  const size = shape.reduce((p, e) => p * e, 1);
  const data = allocate("float32", size);
  for (let i = 0; i < size; i++) data[i] = (2 * random.uniform() - 1) * bound;
  return parameter(data, shape);
}

/** A new leaf parameter of `shape` filled from N(0, 1). */
export function normalParameter(shape: readonly number[], seed: number): Tensor {
  const random = new RandomSource(seed, "initialisation");
  const size = shape.reduce((p, e) => p * e, 1);
  const data = allocate("float32", size);
  for (let i = 0; i < size; i++) data[i] = random.normal();
  return parameter(data, shape);
}

/** A new leaf parameter of `shape` filled with `value`. */
export function constantParameter(shape: readonly number[], value: number): Tensor {
  const size = shape.reduce((p, e) => p * e, 1);
  return parameter(allocate("float32", size).fill(value), shape);
}

function parameter(data: Float32Array | Float64Array, shape: readonly number[]): Tensor {
  const t = new Tensor(data, shape);
  t.requiresGrad = true;
  return t;
}
