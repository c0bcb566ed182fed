/**
 * Tensors made from a shape: constants, ranges and seeded random numbers.
 *
 * @module
 */
import { allocate, checkAllocation, checkDtype, type DType } from "./_dtype.ts";
import { RandomSource } from "./_random.ts";
import { assertValidShape, sizeOf } from "./_shape.ts";
import { Tensor } from "./tensor.ts";

/** Options for tensors made from a shape. */
export interface CreationOptions {
  /**
   * The element type.
   * @default {"float32"}
   */
  dtype?: DType;
}

/** Options for {@linkcode randn} and {@linkcode rand}. */
export interface RandomOptions extends CreationOptions {
  /**
   * The seed: the same seed gives the same numbers on every machine and run.
   * @default {0}
   */
  seed?: number;
}

/**
 * A tensor of `shape` filled with `value`.
 *
 * @example
 * ```ts
 * import { full } from "./creation.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(full([2, 2], 7).toArray(), [[7, 7], [7, 7]]);
 * ```
 */
export function full(
  shape: readonly number[],
  value: number,
  options: CreationOptions = {},
): Tensor {
  return filled(shape, value, options, "full");
}

/** The dtype of `options`, checked, for a new tensor of `shape` (checked and within the size limit). */
function creationDtype(
  shape: readonly number[],
  options: CreationOptions | undefined,
  operation: string,
): DType {
  assertValidShape(shape, operation);
  const dtype = options?.dtype ?? "float32";
  checkDtype(dtype, operation);
  checkAllocation(shape, dtype, operation);
  return dtype;
}

function filled(
  shape: readonly number[],
  value: number,
  options: CreationOptions,
  operation: string,
): Tensor {
  if (typeof value !== "number") {
    throw new Error(
      `${operation}: expected the fill value to be a number but found ${typeof value}`,
    );
  }
  const data = allocate(creationDtype(shape, options, operation), sizeOf(shape));
  if (!Object.is(value, 0)) data.fill(value); // fresh memory is already +0
  return new Tensor(data, shape);
}

/**
 * A tensor of `shape` filled with 0.
 *
 * @example
 * ```ts
 * import { zeros } from "./creation.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(zeros([2, 3]).toArray(), [[0, 0, 0], [0, 0, 0]]);
 * ```
 */
export function zeros(shape: readonly number[], options: CreationOptions = {}): Tensor {
  return filled(shape, 0, options, "zeros");
}

/**
 * A tensor of `shape` filled with 1.
 *
 * @example
 * ```ts
 * import { ones } from "./creation.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(ones([3], { dtype: "float64" }).toArray(), [1, 1, 1]);
 * ```
 */
export function ones(shape: readonly number[], options: CreationOptions = {}): Tensor {
  return filled(shape, 1, options, "ones");
}

/**
 * `[start, start + step, …]` up to but excluding `stop`, like `torch.arange`;
 * `arange(n)` is `[0, 1, …, n − 1]`.
 *
 * @example
 * ```ts
 * import { arange } from "./creation.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(arange(4).toArray(), [0, 1, 2, 3]);
 * deepStrictEqual(arange(1, 2, 0.25).toArray(), [1, 1.25, 1.5, 1.75]);
 * ```
 */
export function arange(
  start: number,
  stop?: number,
  step = 1,
  options: CreationOptions = {},
): Tensor {
  const from = stop === undefined ? 0 : start;
  const to = stop === undefined ? start : stop;
  if (!Number.isFinite(from) || !Number.isFinite(to) || !Number.isFinite(step) || step === 0) {
    throw new Error(
      `arange: expected finite start and stop and a non-zero step but found start ${from}, stop ${to}, step ${step}`,
    );
  }
  const count = Math.max(0, Math.ceil((to - from) / step));
  const data = allocate(creationDtype([count], options, "arange"), count);
  for (let i = 0; i < count; i++) data[i] = from + i * step;
  return new Tensor(data, [count]);
}

/**
 * Standard normal numbers N(0, 1), reproducible from `seed` on every machine.
 *
 * @example
 * ```ts
 * import { randn } from "./creation.ts";
 * import { deepStrictEqual, ok } from "node:assert/strict";
 *
 * const a = randn([1000], { seed: 42 });
 * deepStrictEqual(a.toArray(), randn([1000], { seed: 42 }).toArray());
 * ok(Math.abs(a.mean().item()) < 0.1 && Math.abs(a.std().item() - 1) < 0.1);
 * ```
 */
export function randn(shape: readonly number[], options: RandomOptions = {}): Tensor {
  const dtype = creationDtype(shape, options, "randn");
  const source = new RandomSource(options.seed ?? 0, "randn");
  const data = allocate(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = source.normal();
  return new Tensor(data, shape);
}

/**
 * Uniform numbers in [0, 1), reproducible from `seed` on every machine.
 *
 * @example
 * ```ts
 * import { rand } from "./creation.ts";
 * import { ok } from "node:assert/strict";
 *
 * const u = rand([2, 3], { seed: 7 });
 * ok(u.min().item() >= 0 && u.max().item() < 1);
 * ```
 */
export function rand(shape: readonly number[], options: RandomOptions = {}): Tensor {
  const dtype = creationDtype(shape, options, "rand");
  const source = new RandomSource(options.seed ?? 0, "rand");
  const data = allocate(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = source.uniform();
  return new Tensor(data, shape);
}
