/**
 * Internal: attention's masked softmax, turning rows of raw scores q_i · k_j
 * into weights in place — a readable TypeScript reference
 * ({@linkcode softmaxScoreRow}) and, for float32 rows whose length is a
 * multiple of 4, the WebAssembly SIMD kernel of lib/wasm/softmax_f32x4.wat
 * (tests/kernels_test.ts compares them).
 *
 * @module
 */
import { expNonPositive } from "./_exp.ts";
import { compileModule, grownBuffer } from "./_wasm.ts";
import { WASM_BASE64 } from "./wasm/softmax_f32x4.ts";

/** The score rows that {@linkcode softmaxScoreRow} turns into weights. */
export interface ScoreRows {
  weights: Float32Array | Float64Array;
  queries: number;
  keys: number;
  scale: number;
  mask: ArrayLike<number> | undefined;
  batchesPerMaskRow: number;
  causal: boolean;
}

/**
 * The reference: turns row i of batch `batch` of raw scores q_i · k_j into attention weights, in place: scale,
 * −∞ for hidden keys (padding, or the future with `causal`), subtract the
 * row's maximum, exp, normalise. A row with no visible key becomes zeros.
 */
export function softmaxScoreRow(rows: ScoreRows, batch: number, i: number): void {
  const { weights, keys, scale, mask, causal } = rows;
  const base = (batch * rows.queries + i) * keys;
  const maskRow = Math.floor(batch / rows.batchesPerMaskRow) * keys;
  const visible = causal ? Math.min(keys, i + 1) : keys;
  let max = -Infinity;
  for (let j = 0; j < keys; j++) {
    if (j >= visible || (mask !== undefined && mask[maskRow + j] === 0)) {
      weights[base + j] = -Infinity;
      continue;
    }
    const score = weights[base + j]! * scale;
    weights[base + j] = score;
    if (score > max || score !== score) max = score;
  }
  if (max === -Infinity) {
    weights.fill(0, base, base + keys); // no visible key: zeros, not NaN
    return;
  }
  let total = 0;
  if (weights instanceof Float32Array) {
    // Every argument is ≤ 0: the table-and-polynomial exp is exact to float32 and twice as fast.
    for (let j = 0; j < keys; j++) {
      const e = expNonPositive(weights[base + j]! - max);
      weights[base + j] = e;
      total += e;
    }
  } else {
    for (let j = 0; j < keys; j++) {
      const e = Math.exp(weights[base + j]! - max);
      weights[base + j] = e;
      total += e;
    }
  }
  const inverse = 1 / total;
  for (let j = 0; j < keys; j++) weights[base + j]! *= inverse;
}

/**
 * The softmax's vector-Jacobian product, scaled, row by row:
 * `out = scale · P ⊙ (dP − rowsum(dP ⊙ P))` for the rows of `stride`
 * elements from `start` to `end`, over the first `visible` entries of each
 * (the rest are padded keys, left as they are). `out` may be `dP` (in place).
 */
export function softmaxGradientRows(
  dP: ArrayLike<number>,
  weights: ArrayLike<number>,
  out: Float32Array | Float64Array,
  start: number,
  end: number,
  stride: number,
  visible: number,
  scale: number,
): void {
  for (let row = start; row < end; row += stride) {
    const stop = row + visible;
    let total = 0;
    for (let i = row; i < stop; i++) total += dP[i]! * weights[i]!;
    for (let i = row; i < stop; i++) out[i] = scale * weights[i]! * (dP[i]! - total);
  }
}

interface WasmSoftmax {
  memory: WebAssembly.Memory;
  softmaxRows: (
    w: number,
    rows: number,
    n: number,
    scale: number,
    queries: number,
    mask: number,
    hasMask: number,
    groupsPerMaskRow: number,
    causal: number,
  ) => void;
}

let compiled: WebAssembly.Module | null | undefined;
let ownKernel: WasmSoftmax | null | undefined;
let sharedKernel: WasmSoftmax | null = null;

/** The module instantiated on `memory`, or null where WebAssembly SIMD is unavailable. */
function instantiateOn(memory: WebAssembly.Memory): WasmSoftmax | null {
  if (compiled === undefined) compiled = compileModule(WASM_BASE64);
  if (compiled === null) return null;
  try {
    const { softmaxRows } = new WebAssembly.Instance(compiled, { kernel: { memory } }).exports;
    return typeof softmaxRows === "function"
      ? { memory, softmaxRows: softmaxRows as WasmSoftmax["softmaxRows"] }
      : null;
  } catch {
    return null;
  }
}

/** The SIMD kernel on a memory of its own, instantiated on first use; null where WebAssembly SIMD is unavailable. */
function wasmKernel(): WasmSoftmax | null {
  if (ownKernel === undefined) ownKernel = instantiateOn(new WebAssembly.Memory({ initial: 1 }));
  return ownKernel;
}

/**
 * The SIMD kernel on `memory` (another kernel's: the matrix products'), so
 * that scores can stay there between their products and their softmax;
 * null where WebAssembly SIMD is unavailable.
 */
function kernelOn(memory: WebAssembly.Memory): WasmSoftmax | null {
  if (sharedKernel?.memory !== memory) sharedKernel = instantiateOn(memory);
  return sharedKernel;
}

/** Below this many scores the copies into WebAssembly memory do not pay. */
const WASM_MINIMUM_SCORES = 4096;

/** Whether `scores` float32 scores (keys a multiple of 4) take the SIMD kernel: enough to pay for the copies, and SIMD here. */
export function softmaxKernelTakes(scores: number): boolean {
  return scores >= WASM_MINIMUM_SCORES && wasmKernel() !== null;
}

/**
 * Every row of `groups` batches of `rows.queries` rows, as
 * {@linkcode softmaxScoreRow} does one: on the SIMD kernel for float32 rows
 * whose length is a multiple of 4 (float32 sums and a float32 exp within about
 * 1 ulp, where the reference sums in float64), otherwise on the reference.
 */
export function softmaxScoreRows(rows: ScoreRows, groups: number): void {
  const { weights, queries, keys, mask } = rows;
  const count = groups * queries * keys;
  const kernel = weights instanceof Float32Array && keys % 4 === 0 && softmaxKernelTakes(count)
    ? wasmKernel()
    : null;
  if (kernel === null) {
    for (let group = 0; group < groups; group++) {
      for (let i = 0; i < queries; i++) softmaxScoreRow(rows, group, i);
    }
    return;
  }
  // Layout in the module's memory (bytes): the scores, then the mask rows.
  const maskLength = mask === undefined ? 0 : mask.length;
  const memory = grownBuffer(kernel.memory, (count + maskLength) * 4);
  const scores = new Float32Array(memory, 0, count);
  scores.set(weights.subarray(0, count));
  if (mask !== undefined) new Float32Array(memory, count * 4, maskLength).set(mask);
  kernel.softmaxRows(
    0,
    groups * queries,
    keys,
    rows.scale,
    queries,
    count * 4,
    mask === undefined ? 0 : 1,
    rows.batchesPerMaskRow,
    rows.causal ? 1 : 0,
  );
  weights.set(scores);
}

/**
 * One block of score rows for {@linkcode softmaxScoreBlocks}: `groups`
 * matrices of (`queries`, `keys`) at element `offset`, of which the first
 * `visible` keys are real (the rest are padding to a multiple of 4).
 */
export interface ScoreBlock {
  offset: number;
  groups: number;
  queries: number;
  keys: number;
  visible: number;
}

/**
 * Every block's rows as {@linkcode softmaxScoreRows} does them (keys past
 * `visible` hidden), with the scores copied into WebAssembly memory once for
 * all blocks: a packed batch's sequences, each with its own length.
 */
export function softmaxScoreBlocks(
  weights: Float32Array | Float64Array,
  blocks: readonly ScoreBlock[],
  scale: number,
): void {
  const kernel = weights instanceof Float32Array && blocks.every((b) => b.keys % 4 === 0) &&
      softmaxKernelTakes(weights.length)
    ? wasmKernel()
    : null;
  if (kernel === null) {
    const masks = keyMasks(blocks);
    for (const block of blocks) {
      const rows: ScoreRows = {
        weights: weights.subarray(block.offset),
        queries: block.queries,
        keys: block.keys,
        scale,
        mask: block.visible < block.keys ? masks.get(maskKey(block)) : undefined,
        batchesPerMaskRow: block.groups,
        causal: false,
      };
      for (let group = 0; group < block.groups; group++) {
        for (let i = 0; i < block.queries; i++) softmaxScoreRow(rows, group, i);
      }
    }
    return;
  }
  // Layout in the module's memory (elements): the scores, then each distinct key mask.
  const memory = grownBuffer(kernel.memory, (weights.length + keyMaskLength(blocks)) * 4);
  const scores = new Float32Array(memory, 0, weights.length);
  scores.set(weights);
  runBlocks(kernel, 0, blocks, scale, weights.length);
  weights.set(scores);
}

/**
 * Internal: {@linkcode softmaxScoreBlocks} on float32 scores that are
 * already in `memory` (the matrix products' memory: lib/_gemm.ts
 * `gemmMemory`) from element `scores` on, on the SIMD kernel (every block's
 * keys a multiple of 4). The key masks are written from element `spare` on:
 * {@linkcode keyMaskLength} floats there must be free. Throws where
 * WebAssembly SIMD is unavailable (the caller asks
 * {@linkcode softmaxKernelTakes} first).
 */
export function softmaxScoreBlocksIn(
  memory: WebAssembly.Memory,
  scores: number,
  blocks: readonly ScoreBlock[],
  scale: number,
  spare: number,
): void {
  const kernel = kernelOn(memory);
  if (kernel === null) throw new Error("softmaxScoreBlocksIn: WebAssembly SIMD is unavailable");
  runBlocks(kernel, scores, blocks, scale, spare);
}

/** Where a block's key mask is kept: one per (visible, keys) pair. */
function maskKey(block: ScoreBlock): number {
  return block.visible * 65536 + block.keys;
}

/** The first block of each (visible, keys) pair with padded keys, in order: one key mask each. */
function maskedBlocks(blocks: readonly ScoreBlock[]): ScoreBlock[] {
  const seen = new Set<number>();
  return blocks.filter((block) => {
    const key = maskKey(block);
    if (block.visible >= block.keys || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One key mask (1 for the first `visible` keys, 0 after) per (visible, keys) pair of the blocks with padded keys. */
function keyMasks(blocks: readonly ScoreBlock[]): Map<number, Float32Array> {
  return new Map(
    maskedBlocks(blocks).map((block) => [
      maskKey(block),
      new Float32Array(block.keys).fill(1, 0, block.visible),
    ]),
  );
}

/** Internal: the floats the key masks of `blocks` take in memory (see {@linkcode softmaxScoreBlocksIn}). */
export function keyMaskLength(blocks: readonly ScoreBlock[]): number {
  return maskedBlocks(blocks).reduce((length, block) => length + block.keys, 0);
}

/**
 * Writes the blocks' key masks from element `spare` on (as
 * {@linkcode keyMasks} makes them), then runs the kernel on each block of
 * the scores from element `scores` on.
 */
function runBlocks(
  kernel: WasmSoftmax,
  scores: number,
  blocks: readonly ScoreBlock[],
  scale: number,
  spare: number,
): void {
  const memory = new Float32Array(kernel.memory.buffer);
  const bases = new Map<number, number>();
  let end = spare;
  for (const block of maskedBlocks(blocks)) {
    memory.fill(1, end, end + block.visible).fill(0, end + block.visible, end + block.keys);
    bases.set(maskKey(block), end);
    end += block.keys;
  }
  for (const block of blocks) {
    const masked = block.visible < block.keys;
    kernel.softmaxRows(
      (scores + block.offset) * 4,
      block.groups * block.queries,
      block.keys,
      scale,
      block.queries,
      masked ? bases.get(maskKey(block))! * 4 : 0,
      masked ? 1 : 0,
      block.groups,
      0,
    );
  }
}
