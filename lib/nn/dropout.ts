/**
 * Dropout with its gradient.
 *
 * @module
 */
import { allocate } from "../_dtype.ts";
import { checkTensor } from "../_mask.ts";
import { RandomSource } from "../_random.ts";
import { needsGrad, record } from "../autograd.ts";
import { Tensor } from "../tensor.ts";

/** Options for {@linkcode dropout}. */
export interface DropoutOptions {
  /**
   * The probability of zeroing each element, in [0, 1].
   * @default {0.5}
   */
  p?: number;
  /**
   * The seed of the random mask (each call needs its own for fresh masks).
   * @default {0}
   */
  seed?: number;
  /**
   * Apply dropout; `false` returns x unchanged (evaluation).
   * @default {true}
   */
  training?: boolean;
}

/**
 * Inverted dropout (Srivastava et al. 2014): `y = x · m / (1 − p)` with
 * `m ~ Bernoulli(1 − p)` per element, so `E[y] = x`; the identity when not
 * training or p = 0, zeros when p = 1. The mask comes from normlab's seeded
 * generator: the same seed gives the same mask on every machine (not
 * PyTorch's mask).
 *
 * Gradient: `dx = dy · m / (1 − p)`.
 *
 * Shape: any → the same.
 *
 * @example
 * ```ts
 * import { dropout } from "./dropout.ts";
 * import { ones } from "../creation.ts";
 * import { ok } from "node:assert/strict";
 *
 * const y = dropout(ones([1000]), { p: 0.25, seed: 3 });
 * const values = new Set(y.data);
 * ok(values.size === 2 && values.has(0) && values.has(Math.fround(1 / 0.75)));
 * ```
 */
export function dropout(x: Tensor, options: DropoutOptions = {}): Tensor {
  checkTensor(x, "dropout", "x");
  const p = options.p ?? 0.5;
  if (!(p >= 0 && p <= 1)) {
    throw new Error(`dropout: expected p in [0, 1] but found ${p}`);
  }
  if (!(options.training ?? true) || p === 0) return x;
  const random = new RandomSource(options.seed ?? 0, "dropout");
  const scale = keptScale(p);
  const mask = allocate(x.dtype, x.size);
  const source = x.data;
  const out = allocate(x.dtype, x.size);
  random.fillKept(mask, 0, mask.length, p, scale, source, out);
  const y = new Tensor(out, x.shape);
  if (needsGrad(x)) {
    const scaledMask = new Tensor(mask, x.shape);
    record(y, "dropout", [x], (dy) => [dy.mul(scaledMask)]);
  }
  return y;
}

/**
 * Internal (dropout here and on packed batches, nn/_packed_dropout.ts): the
 * factor of a kept value, 1 / (1 − p), and 0 when p = 1 (everything dropped).
 * (The masks are drawn by `RandomSource.fillKept`, which says how.)
 */
export function keptScale(p: number): number {
  return p === 1 ? 0 : 1 / (1 - p);
}
