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
import { WASM_BASE64, WASM_FALLBACK_BASE64 } from "./wasm/gemm_f32x4.ts";

/**
 * One batched product. Matrix pair `i` is op(A) from `a` at element
 * `aOffsets[i]` and op(B) from `b` at `bOffsets[i]`; its (n, m) result goes
 * to `out` at `i · n · m`.
 *
 * - `transA` false: A is stored row-major (n, k); true: Aᵀ is stored, (k, n).
 * - `transB` false: B is stored row-major (k, m); true: Bᵀ is stored, (m, k).
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
}

/**
 * The reference: `out[i][r, j] = Σ_p op(A)[r, p] · op(B)[p, j]`, each output
 * row accumulated in float64 in r-p-j order (contiguous in j when B is not
 * transposed).
 */
export function gemmReference(problem: GemmProblem): void {
  const { a, transA, aOffsets, b, transB, bOffsets, out, n, k, m } = problem;
  const bias = problem.bias ?? null;
  const relu = problem.relu ?? false;
  // Element strides of op(A) and op(B).
  const aRow = transA ? 1 : k;
  const aColumn = transA ? n : 1;
  const bRow = transB ? 1 : m;
  const bColumn = transB ? k : 1;
  const row = new Float64Array(m);
  for (let batch = 0; batch < aOffsets.length; batch++) {
    const offsetA = aOffsets[batch]!;
    const offsetB = bOffsets[batch]!;
    const offsetOut = batch * n * m;
    for (let r = 0; r < n; r++) {
      if (bias === null) row.fill(0);
      else row.set(bias);
      for (let p = 0; p < k; p++) {
        const arp = a[offsetA + r * aRow + p * aColumn]!;
        const rowB = offsetB + p * bRow;
        for (let j = 0; j < m; j++) row[j]! += arp * b[rowB + j * bColumn]!;
      }
      const rowOut = offsetOut + r * m;
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
  try {
    const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    const { memory, gemm } = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
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

/** Scratch bytes the kernel needs for products with m columns: the tile, then packed B. */
function workBytes(m: number): number {
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
  return a instanceof Float32Array && b instanceof Float32Array &&
    n * k * m * batches >= WASM_MINIMUM_WORK && wasmKernel() !== null;
}

/** Internal (bench/step.ts): told the shape of every product as {@linkcode gemm} runs it. */
let gemmListener: ((problem: GemmProblem) => void) | null = null;

/**
 * Internal, for profiling (bench/step.ts): calls `listener` with each
 * problem {@linkcode gemm} is given, or stops with `null`.
 */
export function setGemmListener(listener: ((problem: GemmProblem) => void) | null): void {
  gemmListener = listener;
}

/**
 * The product of {@linkcode gemmReference}, on the WebAssembly SIMD kernel
 * when {@linkcode usesWasm} allows and `out` is float32 (float32
 * accumulation, as PyTorch), otherwise on the reference.
 */
export function gemm(problem: GemmProblem): void {
  const { a, transA, aOffsets, b, transB, bOffsets, out, n, k, m } = problem;
  const batches = aOffsets.length;
  if (gemmListener !== null) gemmListener(problem);
  if (n * m * batches === 0) return;
  const bias = problem.bias ?? null;
  if (
    !usesWasm(a, b, n, k, m, batches) || !(out instanceof Float32Array) || k === 0 ||
    (bias !== null && !(bias instanceof Float32Array))
  ) {
    gemmReference(problem);
    return;
  }
  const kernel = wasmKernel()!;
  // Layout in the module's memory (bytes): scratch, all of a, all of b, the bias (8 floats of
  // slack: the kernel reads it 8 at a time), then all of out.
  const work = workBytes(m);
  const baseA = work;
  const baseB = baseA + a.length * 4;
  const baseBias = baseB + b.length * 4;
  const baseOut = baseBias + (bias === null ? 0 : (m + 8) * 4);
  const needed = baseOut + batches * n * m * 4;
  const pages = Math.ceil(needed / 65536) - kernel.memory.buffer.byteLength / 65536;
  if (pages > 0) kernel.memory.grow(pages);
  const memory = kernel.memory.buffer;
  new Float32Array(memory, baseA, a.length).set(a);
  new Float32Array(memory, baseB, b.length).set(b);
  if (bias !== null) new Float32Array(memory, baseBias, m).set(bias);
  const flags = (bias === null ? 0 : 1) | (problem.relu ? 2 : 0);
  // Byte strides of op(A) (i, p) and op(B) (p, j).
  const aRow = transA ? 4 : 4 * k;
  const aColumn = transA ? 4 * n : 4;
  const bRow = transB ? 4 : 4 * m;
  const bColumn = transB ? 4 * k : 4;
  for (let batch = 0; batch < batches; batch++) {
    kernel.gemm(
      baseA + aOffsets[batch]! * 4,
      aRow,
      aColumn,
      baseB + bOffsets[batch]! * 4,
      bRow,
      bColumn,
      baseOut + batch * n * m * 4,
      n,
      k,
      m,
      0,
      baseBias,
      flags,
    );
  }
  out.set(new Float32Array(memory, baseOut, batches * n * m));
}

/** Offsets `0, stride, 2·stride, …` (`count` of them): a batch of equally spaced matrices. */
export function stridedOffsets(count: number, stride: number): Int32Array | Float64Array {
  const offsets = count * stride < 2 ** 31 ? new Int32Array(count) : new Float64Array(count);
  for (let i = 0; i < count; i++) offsets[i] = i * stride;
  return offsets;
}
