/**
 * Internal: the general matrix product `C = op(A) · op(B)` over a batch of
 * matrix pairs, where either operand may be stored transposed — so that the
 * backward passes (`dY · Wᵀ`, `Xᵀ · dY`) and attention (`Q · Kᵀ`) never copy
 * a transpose. A readable TypeScript reference, and a WebAssembly SIMD
 * kernel (lib/wasm/gemm_f32x4.wat, packed panels and a 6 × 8 register
 * block) that tests/kernels_test.ts checks against it.
 *
 * @module
 */
import type { TypedArray } from "./_dtype.ts";
import { compileModule, grownBuffer } from "./_wasm.ts";
import { WASM_BASE64, WASM_FALLBACK_BASE64 } from "./wasm/gemm_f32x4.ts";

/**
 * One batched product. Matrix pair `i` is op(A) from `a` at element
 * `aOffsets[i]` and op(B) from `b` at `bOffsets[i]`; its (n, m) result goes
 * to `out` at `outOffsets[i]` (default `i · n · m`).
 *
 * - `transA` false: A is stored row-major (n, k); true: Aᵀ is stored, (k, n).
 * - `transB` false: B is stored row-major (k, m); true: Bᵀ is stored, (m, k).
 * - The stored rows are `aStride`, `bStride`, `outStride` elements apart
 *   (default: dense, k or n for A, m or k for B, m for the result), so that a
 *   matrix can be a slice of a wider one: one head's columns of (B, T, 3E).
 */
export interface GemmProblem {
  a: TypedArray;
  transA: boolean;
  aOffsets: ArrayLike<number>;
  b: TypedArray;
  transB: boolean;
  bOffsets: ArrayLike<number>;
  out: TypedArray;
  n: number;
  k: number;
  m: number;
  /** A row vector (m) added to every row of every result: a linear layer's bias. */
  bias?: TypedArray | null;
  /** Whether the results end with `max(·, 0)` (NaN stays NaN): a fused ReLU. */
  relu?: boolean;
  /** Elements between stored rows of A (default: dense). */
  aStride?: number;
  /** Elements between stored rows of B (default: dense). */
  bStride?: number;
  /** Where each result starts in `out`; elements outside the results are left as they are. */
  outOffsets?: ArrayLike<number>;
  /** Elements between rows of a result (default m). */
  outStride?: number;
  /**
   * With `outOffsets`: the caller never reads the elements of `out` outside
   * the results (they may hold anything afterwards), so `out` need not be
   * copied into WebAssembly memory first.
   */
  outsideIgnored?: boolean;
}

/**
 * Internal: a {@linkcode GemmProblem} whose arrays are already in the
 * kernel's memory ({@linkcode gemmMemory}): `a`, `b`, `out` and `bias` are
 * where each starts, in elements of a Float32Array over that memory. For
 * callers that keep their operands there across several products and other
 * kernels (lib/nn/_packed_attention.ts), so that nothing is copied between them.
 */
export interface ResidentProblem
  extends Omit<GemmProblem, "a" | "b" | "out" | "bias" | "outsideIgnored"> {
  a: number;
  b: number;
  out: number;
  bias?: number | null;
}

/** The element strides (row, column) of op(A) and op(B) and the result's row stride. */
function stridesOf(
  problem: GemmProblem | ResidentProblem,
): [number, number, number, number, number] {
  const { transA, transB, n, k, m } = problem;
  const aStride = problem.aStride ?? (transA ? n : k);
  const bStride = problem.bStride ?? (transB ? k : m);
  return [
    transA ? 1 : aStride,
    transA ? aStride : 1,
    transB ? 1 : bStride,
    transB ? bStride : 1,
    problem.outStride ?? m,
  ];
}

/**
 * The reference: `out[i][r, j] = Σ_p op(A)[r, p] · op(B)[p, j]`, each output
 * row accumulated in float64 in r-p-j order (contiguous in j when B is not
 * transposed).
 */
export function gemmReference(problem: GemmProblem): void {
  const { a, aOffsets, b, bOffsets, out, n, k, m } = problem;
  const bias = problem.bias ?? null;
  const relu = problem.relu ?? false;
  const [aRow, aColumn, bRow, bColumn, outRow] = stridesOf(problem);
  const row = new Float64Array(m);
  for (let batch = 0; batch < aOffsets.length; batch++) {
    const offsetA = aOffsets[batch]!;
    const offsetB = bOffsets[batch]!;
    const offsetOut = problem.outOffsets?.[batch] ?? batch * n * m;
    for (let r = 0; r < n; r++) {
      if (bias === null) row.fill(0);
      else row.set(bias);
      for (let p = 0; p < k; p++) {
        const arp = a[offsetA + r * aRow + p * aColumn]!;
        const rowB = offsetB + p * bRow;
        for (let j = 0; j < m; j++) row[j]! += arp * b[rowB + j * bColumn]!;
      }
      const rowOut = offsetOut + r * outRow;
      for (let j = 0; j < m; j++) {
        const value = row[j]!;
        out[rowOut + j] = relu && !(value > 0) && value === value ? 0 : value;
      }
    }
  }
}

interface WasmGemm {
  memory: WebAssembly.Memory;
  gemm: (
    a: number,
    aRow: number,
    aColumn: number,
    b: number,
    bRow: number,
    bColumn: number,
    c: number,
    cRow: number,
    n: number,
    k: number,
    m: number,
    work: number,
    bias: number,
    flags: number,
  ) => void;
}

let wasm: WasmGemm | null | undefined;
let relaxed = false;

/** The module from base64 `text`, or null when this engine cannot compile it. */
function instantiate(text: string): WasmGemm | null {
  const module = compileModule(text);
  if (module === null) return null;
  try {
    const { memory, gemm } = new WebAssembly.Instance(module).exports;
    if (!(memory instanceof WebAssembly.Memory) || typeof gemm !== "function") return null;
    return { memory, gemm: gemm as WasmGemm["gemm"] };
  } catch {
    return null;
  }
}

/**
 * The SIMD kernel, instantiated on first use: the build with relaxed SIMD's
 * fused multiply-add where the engine has it, else the one with separate
 * multiply and add; null where WebAssembly SIMD is unavailable.
 */
function wasmKernel(): WasmGemm | null {
  if (wasm !== undefined) return wasm;
  wasm = instantiate(WASM_BASE64);
  relaxed = wasm !== null;
  wasm ??= instantiate(WASM_FALLBACK_BASE64);
  return wasm;
}

/** Which kernel the products run on: "relaxed-simd", "simd" or "typescript". */
export function gemmBackend(): "relaxed-simd" | "simd" | "typescript" {
  const kernel = wasmKernel();
  return kernel === null ? "typescript" : relaxed ? "relaxed-simd" : "simd";
}

/** Below this many multiply-adds in all, the copies into WebAssembly memory do not pay. */
const WASM_MINIMUM_WORK = 16384;

/** The kernel's k block (KC in the .wat) and the bytes it reserves for its edge tile. */
const KC = 256;
const TILE_BYTES = 256;

/**
 * Internal: the scratch bytes the kernel needs at the start of its memory
 * ({@linkcode gemmMemory}) for products with m columns: the tile, then packed B.
 */
export function gemmScratchBytes(m: number): number {
  return TILE_BYTES + KC * Math.ceil(m / 8) * 8 * 4;
}

/**
 * Whether {@linkcode gemm} takes the WebAssembly path: float32 operands and
 * output and at least 16384 multiply-adds over the batch.
 */
export function usesWasm(
  a: TypedArray,
  b: TypedArray,
  n: number,
  k: number,
  m: number,
  batches = 1,
): boolean {
  return a instanceof Float32Array && b instanceof Float32Array && kernelTakes(n * k * m * batches);
}

/** Whether products of `multiplyAdds` in all take the SIMD kernel (float32 operands): enough to pay for the copies, and SIMD here. */
export function kernelTakes(multiplyAdds: number): boolean {
  return multiplyAdds >= WASM_MINIMUM_WORK && wasmKernel() !== null;
}

/** What {@linkcode setGemmListener} is told: one call's problems, copied or resident. */
export type GemmCall =
  | { resident: false; problems: readonly GemmProblem[] }
  | { resident: true; problems: readonly ResidentProblem[] };

/** Internal (bench/step.ts): told the products of every {@linkcode gemmAll} call. */
let gemmListener: ((call: GemmCall) => void) | null = null;

/**
 * Internal, for profiling (bench/step.ts): calls `listener` with the
 * problems of each {@linkcode gemmAll} (or {@linkcode gemm}) and
 * {@linkcode gemmResident} call, or stops with `null`.
 */
export function setGemmListener(listener: ((call: GemmCall) => void) | null): void {
  gemmListener = listener;
}

/**
 * The product of {@linkcode gemmReference}, on the WebAssembly SIMD kernel
 * when {@linkcode usesWasm} allows and `out` is float32 (float32
 * accumulation, as PyTorch), otherwise on the reference.
 */
export function gemm(problem: GemmProblem): void {
  gemmAll([problem]);
}

/** Whether the SIMD kernel can take `problem`: float32 throughout and k > 0 (any size). */
function kernelCompatible(problem: GemmProblem): boolean {
  const { a, b, out, k } = problem;
  const bias = problem.bias ?? null;
  return a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array &&
    k > 0 && (bias === null || bias instanceof Float32Array);
}

/** Multiply-adds of `problem` over its batch. */
function workOf(problem: GemmProblem): number {
  return problem.n * problem.k * problem.m * problem.aOffsets.length;
}

/** Whether the SIMD kernel takes `problem` alone (see {@linkcode gemm}). */
function onKernel(problem: GemmProblem): boolean {
  const { a, b, n, k, m, aOffsets } = problem;
  return kernelCompatible(problem) && usesWasm(a, b, n, k, m, aOffsets.length);
}

/**
 * Several products in order, as {@linkcode gemm} runs each — with each
 * distinct array copied into WebAssembly memory once for all of them (a
 * backward pass reads dY for both dX and dW) and each result array copied
 * out once. A product may read an array that an earlier one wrote. Products
 * too small for the kernel alone (one sequence's attention) take it together
 * when their multiply-adds add up to its minimum.
 */
export function gemmAll(problems: readonly GemmProblem[]): void {
  if (gemmListener !== null) gemmListener({ resident: false, problems });
  runProducts(problems);
}

/**
 * Internal: the kernel's memory, where {@linkcode gemmResident} finds its
 * operands — null when WebAssembly SIMD is unavailable. Its first
 * {@linkcode gemmScratchBytes} bytes are the kernel's scratch; a caller
 * places its arrays after them (growing the memory with `grownBuffer`) and
 * may run other kernels on the same memory between products.
 */
export function gemmMemory(): WebAssembly.Memory | null {
  return wasmKernel()?.memory ?? null;
}

/**
 * Internal: {@linkcode gemmAll} for problems whose arrays are already in
 * {@linkcode gemmMemory} (on the SIMD kernel always, whatever their size;
 * the caller decides whether the kernel pays). The memory's start must hold
 * the scratch of the widest product.
 */
export function gemmResident(problems: readonly ResidentProblem[]): void {
  if (gemmListener !== null) gemmListener({ resident: true, problems });
  const kernel = wasmKernel();
  if (kernel === null) throw new Error("gemmResident: WebAssembly SIMD is unavailable");
  runResident(kernel, problems);
}

/**
 * Internal: `problems` with each array replaced by where `places` puts it in
 * {@linkcode gemmMemory} (in elements), for {@linkcode gemmResident}.
 */
export function residentProblems(
  problems: readonly GemmProblem[],
  places: ReadonlyMap<TypedArray, number>,
): ResidentProblem[] {
  const placeOf = (array: TypedArray) => {
    const place = places.get(array);
    if (place === undefined) throw new Error("residentProblems: an array has no place in memory");
    return place;
  };
  return problems.map((p) => ({
    ...p,
    a: placeOf(p.a),
    b: placeOf(p.b),
    out: placeOf(p.out),
    bias: p.bias ? placeOf(p.bias) : null,
  }));
}

/** Each product of `problems`, batch by batch, on the kernel: arrays at their places in its memory. */
function runResident(kernel: WasmGemm, problems: readonly ResidentProblem[]): void {
  for (const p of problems) {
    const flags = ((p.bias ?? null) !== null ? 1 : 0) | (p.relu ? 2 : 0);
    const [aRow, aColumn, bRow, bColumn, outRow] = stridesOf(p);
    for (let batch = 0; batch < p.aOffsets.length; batch++) {
      kernel.gemm(
        (p.a + p.aOffsets[batch]!) * 4,
        aRow * 4,
        aColumn * 4,
        (p.b + p.bOffsets[batch]!) * 4,
        bRow * 4,
        bColumn * 4,
        (p.out + (p.outOffsets?.[batch] ?? batch * p.n * p.m)) * 4,
        outRow * 4,
        p.n,
        p.k,
        p.m,
        0,
        (p.bias ?? 0) * 4,
        flags,
      );
    }
  }
}

/** {@linkcode gemmAll} without telling the listener. */
function runProducts(problems: readonly GemmProblem[]): void {
  const work = problems.filter((p) => p.n * p.m * p.aOffsets.length > 0);
  const together = work.every(kernelCompatible) &&
    kernelTakes(work.reduce((total, p) => total + workOf(p), 0));
  if (!together) {
    for (const problem of work) {
      if (onKernel(problem)) runProducts([problem]);
      else gemmReference(problem);
    }
    return; // also when there is no work
  }
  const kernel = wasmKernel()!;
  // Layout in the module's memory (elements): scratch for the widest product, then every
  // distinct array once (inputs, biases with 8 floats of slack — the kernel reads them 8 at a
  // time — and results).
  let offset = Math.max(...work.map((p) => gemmScratchBytes(p.m))) / 4;
  const bases = new Map<TypedArray, number>();
  const place = (array: TypedArray, slack: number) => {
    if (bases.has(array)) return;
    bases.set(array, offset);
    offset += array.length + slack;
  };
  for (const p of work) {
    place(p.a, 0);
    place(p.b, 0);
    if (p.bias) place(p.bias, 8);
    place(p.out, 0);
  }
  const memory = new Float32Array(grownBuffer(kernel.memory, offset * 4));
  // Copy in every array that is read: inputs, and results placed among values to keep.
  const read = new Set<TypedArray>();
  for (const p of work) {
    read.add(p.a).add(p.b);
    if (p.bias) read.add(p.bias);
    if (p.outOffsets !== undefined && !p.outsideIgnored) read.add(p.out);
  }
  for (const array of read) memory.set(array, bases.get(array)!);
  runResident(kernel, residentProblems(work, bases));
  // Copy out what was written: all of an array that was copied in, else the results' extent.
  const written = new Map<TypedArray, number>();
  for (const p of work) {
    const extent = read.has(p.out) || p.outOffsets !== undefined
      ? p.out.length
      : p.aOffsets.length * p.n * p.m;
    written.set(p.out, Math.max(written.get(p.out) ?? 0, extent));
  }
  for (const [out, length] of written) {
    const base = bases.get(out)!;
    out.set(memory.subarray(base, base + length));
  }
}

/** Offsets `0, stride, 2·stride, …` (`count` of them): a batch of equally spaced matrices. */
export function stridedOffsets(count: number, stride: number): Int32Array | Float64Array {
  const offsets = count * stride < 2 ** 31 ? new Int32Array(count) : new Float64Array(count);
  for (let i = 0; i < count; i++) offsets[i] = i * stride;
  return offsets;
}
