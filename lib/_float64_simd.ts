/**
 * Internal: the float64 kernels of lib/wasm/rows_f64x2.wat — LayerNorm's
 * forward and backward rows, Adam's update, and the column sums of a linear
 * layer's bias gradient (with the ReLU gradient, or alone) — which compute on float32
 * storage with exactly the float64 operations of their TypeScript
 * references (`layerNorm`, `layerNormBackward`, `Adam`, `linearRelu`), two elements per
 * instruction. tests/float64_kernels_test.ts checks that they agree bit for bit.
 *
 * Each function returns false when it did not run (no WebAssembly SIMD, too
 * little work to pay for the copies, or a row the reference must report), and
 * the caller then runs its reference.
 *
 * @module
 */
import { compileModule, grownBuffer } from "./_wasm.ts";
import { WASM_BASE64 } from "./wasm/rows_f64x2.ts";

interface RowsKernel {
  memory: WebAssembly.Memory;
  layerNormForward: (
    x: number,
    out: number,
    gamma: number,
    beta: number,
    rows: number,
    width: number,
    eps: number,
    affine: number,
  ) => number;
  layerNormBackward: (
    x: number,
    dy: number,
    dx: number,
    gamma: number,
    dWeight: number,
    dBias: number,
    rows: number,
    width: number,
    eps: number,
    hasGamma: number,
  ) => number;
  columnSums: (data: number, sums: number, rows: number, m: number) => void;
  reluGradientColumnSums: (
    dy: number,
    y: number,
    out: number,
    sums: number,
    rows: number,
    m: number,
  ) => void;
  adamStep: (
    data: number,
    grad: number,
    first: number,
    second: number,
    count: number,
    decay: number,
    l2: number,
    beta1: number,
    keep1: number,
    beta2: number,
    keep2: number,
    stepSize: number,
    correction: number,
    eps: number,
  ) => void;
}

let compiled: WebAssembly.Module | null | undefined;

/** A new instance of the module (its own memory), or null where WebAssembly SIMD is unavailable. */
function newKernel(): RowsKernel | null {
  if (compiled === undefined) compiled = compileModule(WASM_BASE64);
  if (compiled === null) return null;
  return new WebAssembly.Instance(compiled).exports as unknown as RowsKernel;
}

let shared: RowsKernel | null | undefined;

/** The instance the LayerNorm kernels share, created on first use. */
function sharedKernel(): RowsKernel | null {
  if (shared === undefined) shared = newKernel();
  return shared;
}

/** Below this many elements the copies into WebAssembly memory do not pay. */
const MINIMUM_ELEMENTS = 1024;

/**
 * Rows go through the kernel's memory in chunks of about this many elements
 * (whole rows, at least one): the copies stay in cache, and a large tensor
 * does not leave its size in the memory, which never shrinks.
 */
const CHUNK_ELEMENTS = 16384;

/** 16 bytes after each array: the backward kernel's last pair may read one float past an odd row. */
const SLACK = 16;

/** Bytes of `count` floats of `size` bytes plus the slack, rounded up to 8. */
function span(count: number, size: number): number {
  return (count * size + SLACK + 7) & ~7;
}

/** Whole rows of `width` per chunk. */
function rowsPerChunk(width: number): number {
  return Math.max(1, Math.floor(CHUNK_ELEMENTS / width));
}

/**
 * Calls `each(count, start, end)` for the chunks of `chunkRows` rows (the
 * last may be shorter) of `rows` rows of `width`: `count` rows, elements
 * `start` to `end`. Stops and returns false when `each` does.
 */
function everyChunk(
  rows: number,
  chunkRows: number,
  width: number,
  each: (count: number, start: number, end: number) => boolean,
): boolean {
  for (let row = 0; row < rows; row += chunkRows) {
    const count = Math.min(chunkRows, rows - row);
    if (!each(count, row * width, (row + count) * width)) return false;
  }
  return true;
}

/**
 * LayerNorm's rows `out = (x − mean)·r·γ + β` (or `x·r + (−mean·r)` without
 * γ and β) of `rows` rows of `width`, as `layerNorm` computes them.
 */
export function layerNormForwardSimd(
  x: Float32Array,
  out: Float32Array,
  gamma: Float32Array | null,
  beta: Float32Array | null,
  rows: number,
  width: number,
  eps: number,
): boolean {
  const kernel = rows * width >= MINIMUM_ELEMENTS ? sharedKernel() : null;
  if (kernel === null) return false;
  const affine = gamma !== null || beta !== null;
  const chunkRows = Math.min(rows, rowsPerChunk(width));
  const chunk = chunkRows * width;
  const xBase = 0;
  const outBase = span(chunk, 4);
  const gammaBase = outBase + span(chunk, 4);
  const betaBase = gammaBase + span(width, 4);
  const memory = grownBuffer(kernel.memory, betaBase + span(width, 4));
  if (affine) {
    // A missing γ is 1 and a missing β is 0: the reference multiplies and adds those.
    const g = new Float32Array(memory, gammaBase, width);
    if (gamma === null) g.fill(1);
    else g.set(gamma.subarray(0, width));
    const b = new Float32Array(memory, betaBase, width);
    if (beta === null) b.fill(0);
    else b.set(beta.subarray(0, width));
  }
  const xChunk = new Float32Array(memory, xBase, chunk);
  const outChunk = new Float32Array(memory, outBase, chunk);
  const flag = affine ? 1 : 0;
  return everyChunk(rows, chunkRows, width, (count, start, end) => {
    xChunk.set(x.subarray(start, end));
    const failed = kernel.layerNormForward(
      xBase,
      outBase,
      gammaBase,
      betaBase,
      count,
      width,
      eps,
      flag,
    );
    if (failed !== -1) return false;
    out.set(outChunk.subarray(0, end - start), start);
    return true;
  });
}

/**
 * LayerNorm's gradient rows, as `layerNormBackward` computes them: dx, and
 * dγ, dβ added into the float64 `dWeight`, `dBias` (zeros on entry).
 */
export function layerNormBackwardSimd(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  gamma: Float32Array | null,
  dWeight: Float64Array,
  dBias: Float64Array,
  rows: number,
  width: number,
  eps: number,
): boolean {
  const kernel = rows * width >= MINIMUM_ELEMENTS ? sharedKernel() : null;
  if (kernel === null) return false;
  const chunkRows = Math.min(rows, rowsPerChunk(width));
  const chunk = chunkRows * width;
  const dWeightBase = 0;
  const dBiasBase = span(width, 8);
  const xBase = dBiasBase + span(width, 8);
  const dyBase = xBase + span(chunk, 4);
  const dxBase = dyBase + span(chunk, 4);
  const gammaBase = dxBase + span(chunk, 4);
  const memory = grownBuffer(kernel.memory, gammaBase + span(width, 4));
  new Float64Array(memory, dWeightBase, 2 * (dBiasBase / 8)).fill(0);
  if (gamma !== null) new Float32Array(memory, gammaBase, width).set(gamma.subarray(0, width));
  const [xChunk, dyChunk, dxChunk] = [xBase, dyBase, dxBase].map((base) =>
    new Float32Array(memory, base, chunk)
  ) as [Float32Array, Float32Array, Float32Array];
  const hasGamma = gamma === null ? 0 : 1;
  const done = everyChunk(rows, chunkRows, width, (count, start, end) => {
    xChunk.set(x.subarray(start, end));
    dyChunk.set(dy.subarray(start, end));
    const failed = kernel.layerNormBackward(
      xBase,
      dyBase,
      dxBase,
      gammaBase,
      dWeightBase,
      dBiasBase,
      count,
      width,
      eps,
      hasGamma,
    );
    if (failed !== -1) return false;
    dx.set(dxChunk.subarray(0, end - start), start);
    return true;
  });
  if (!done) return false;
  dWeight.set(new Float64Array(memory, dWeightBase, width));
  dBias.set(new Float64Array(memory, dBiasBase, width));
  return true;
}

/**
 * The gradient through a ReLU, `out = dy · [y > 0]` (0 where y ≤ 0 or NaN,
 * even for an infinite dy), and its column sums added into `sums` (m
 * float64, zeros on entry): linear.ts's `reluGradient`, then `columnSums`,
 * for (rows, m) float32 matrices with m even.
 */
export function reluGradientColumnSumsSimd(
  dy: Float32Array,
  y: Float32Array,
  out: Float32Array,
  sums: Float64Array,
  rows: number,
  m: number,
): boolean {
  const setup = columnSumsSetup(rows, m);
  if (setup === null) return false;
  const { kernel, chunkRows } = setup;
  const chunk = chunkRows * m;
  const sumsBase = 0;
  const dyBase = span(m, 8);
  const yBase = dyBase + span(chunk, 4);
  const outBase = yBase + span(chunk, 4);
  const memory = grownBuffer(kernel.memory, outBase + span(chunk, 4));
  new Float64Array(memory, sumsBase, m).fill(0);
  const [dyChunk, yChunk, outChunk] = [dyBase, yBase, outBase].map((base) =>
    new Float32Array(memory, base, chunk)
  ) as [Float32Array, Float32Array, Float32Array];
  everyChunk(rows, chunkRows, m, (count, start, end) => {
    dyChunk.set(dy.subarray(start, end));
    yChunk.set(y.subarray(start, end));
    kernel.reluGradientColumnSums(dyBase, yBase, outBase, sumsBase, count, m);
    out.set(outChunk.subarray(0, end - start), start);
    return true;
  });
  sums.set(new Float64Array(memory, sumsBase, m));
  return true;
}

/**
 * The kernel for column sums over (rows, m) and the rows of each chunk — a
 * multiple of 4, since the sums group rows by four from the first — or null
 * when they stay on the references (too little work, an odd m, no SIMD).
 */
function columnSumsSetup(
  rows: number,
  m: number,
): { kernel: RowsKernel; chunkRows: number } | null {
  const kernel = rows * m >= MINIMUM_ELEMENTS && m % 2 === 0 ? sharedKernel() : null;
  if (kernel === null) return null;
  return { kernel, chunkRows: Math.min(rows, Math.max(4, rowsPerChunk(m) & ~3)) };
}

/**
 * The column sums `sums[j] += Σ_r data[r, j]` of `rows` float32 rows of `m`
 * (m even) into the float64 `sums`, as `columnSums` in nn/linear.ts adds
 * them: a linear layer's bias gradient.
 */
export function columnSumsSimd(
  data: Float32Array,
  rows: number,
  m: number,
  sums: Float64Array,
): boolean {
  const setup = columnSumsSetup(rows, m);
  if (setup === null) return false;
  const { kernel, chunkRows } = setup;
  const sumsBase = 0;
  const dataBase = span(m, 8);
  const memory = grownBuffer(kernel.memory, dataBase + span(chunkRows * m, 4));
  const total = new Float64Array(memory, sumsBase, m);
  total.set(sums);
  const chunk = new Float32Array(memory, dataBase, chunkRows * m);
  everyChunk(rows, chunkRows, m, (count, start, end) => {
    chunk.set(data.subarray(start, end));
    kernel.columnSums(dataBase, sumsBase, count, m);
    return true;
  });
  sums.set(total);
  return true;
}

/** The constants of one Adam step of one parameter (see `Adam` in optim.ts). */
export interface AdamStepConstants {
  decay: number;
  l2: number;
  beta1: number;
  beta2: number;
  stepSize: number;
  correction: number;
  eps: number;
}

/**
 * Adam's moments (first, second) for parameters of the given sizes, in
 * float64, kept in the memory of the optimiser's own kernel instance, so that
 * a step copies only the parameter and its gradient in.
 */
export interface AdamMoments {
  readonly first: readonly Float64Array[];
  readonly second: readonly Float64Array[];
  /** One step of parameter `index` on the kernel; false (nothing done) when the arrays are not float32. */
  step(
    index: number,
    data: Float32Array | Float64Array,
    grad: Float32Array | Float64Array,
    constants: AdamStepConstants,
  ): boolean;
}

/** Moments in a kernel instance's memory, or null where the kernel or that much memory is unavailable. */
export function adamMoments(sizes: readonly number[]): AdamMoments | null {
  const kernel = newKernel();
  if (kernel === null) return null;
  const largest = Math.max(0, ...sizes);
  const gradBase = span(largest, 4);
  let offset = gradBase + span(largest, 4);
  const bases = sizes.map((size) => {
    const base = offset;
    offset += 2 * span(size, 8);
    return base;
  });
  let memory: ArrayBufferLike;
  try {
    memory = grownBuffer(kernel.memory, offset);
  } catch {
    return null; // beyond what this engine gives one memory
  }
  const first = sizes.map((size, i) => new Float64Array(memory, bases[i]!, size));
  const second = sizes.map((size, i) => new Float64Array(memory, bases[i]! + span(size, 8), size));
  const staging = new Float32Array(memory, 0, largest);
  const gradients = new Float32Array(memory, gradBase, largest);
  return {
    first,
    second,
    step(index, data, grad, constants) {
      if (!(data instanceof Float32Array && grad instanceof Float32Array)) return false;
      const count = data.length;
      staging.set(data);
      gradients.set(grad);
      const { decay, l2, beta1, beta2, stepSize, correction, eps } = constants;
      kernel.adamStep(
        0,
        gradBase,
        first[index]!.byteOffset,
        second[index]!.byteOffset,
        count,
        decay,
        l2,
        beta1,
        1 - beta1,
        beta2,
        1 - beta2,
        stepSize,
        correction,
        eps,
      );
      data.set(staging.subarray(0, count));
      return true;
    },
  };
}
