/**
 * Inputs shared by the benchmarks: the sizes named in the performance issue.
 *
 * - S  (2, 4, 3): the notebook example;
 * - M  (32, 128, 64): batched matmul;
 * - L  (32, 512, 768): a BERT-base activation;
 * - L' (8, 512, 64): attention with a key mask.
 *
 * @module
 */
import { randn, type Tensor, tensor } from "../mod.ts";

/** A (B, T) mask whose sentence b has `length(b)` real tokens. */
export function lengthsMask(
  batch: number,
  positions: number,
  length: (b: number) => number,
): Tensor {
  const data = new Float32Array(batch * positions);
  for (let b = 0; b < batch; b++) data.fill(1, b * positions, b * positions + length(b));
  return tensor(data, { shape: [batch, positions] });
}

export const S = randn([2, 4, 3], { seed: 1 });
export const S_MASK = tensor([[1, 1, 0, 0], [1, 1, 1, 1]]);
export const S_DY = randn([2, 4, 3], { seed: 2 });

let large: { x: Tensor; dy: Tensor; mask: Tensor } | undefined;
/** L = (32, 512, 768), made on first use (50 MB each). */
export function largeInputs(): { x: Tensor; dy: Tensor; mask: Tensor } {
  large ??= {
    x: randn([32, 512, 768], { seed: 3 }),
    dy: randn([32, 512, 768], { seed: 4 }),
    mask: lengthsMask(32, 512, (b) => 128 + 12 * b),
  };
  return large;
}

/** Effective bytes of a normalisation at L: read x and write y, float32. */
export const L_BYTES = 2 * 32 * 512 * 768 * 4;

export const M_A = randn([32, 128, 64], { seed: 5 });
export const M_B = randn([32, 64, 128], { seed: 6 });
/** 2·B·T²·D for (32, 128, 64) · (32, 64, 128). */
export const M_FLOPS = 2 * 32 * 128 * 128 * 64;

export const LP_Q = randn([8, 512, 64], { seed: 7 });
export const LP_K = randn([8, 512, 64], { seed: 8 });
export const LP_V = randn([8, 512, 64], { seed: 9 });
export const LP_MASK = lengthsMask(8, 512, (b) => 256 + 32 * b);
/** 4·B·T²·D for attention at (8, 512, 64). */
export const LP_FLOPS = 4 * 8 * 512 * 512 * 64;
