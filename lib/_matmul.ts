/**
 * Internal batched matrix product kernels: a readable TypeScript reference
 * and, for float32 matrices of suitable shape, a WebAssembly SIMD kernel
 * (lib/wasm/matmul_f32x4.wat) that is tested against it.
 *
 * @module
 */
import type { TypedArray } from "./_dtype.ts";
import { forEachBroadcast } from "./_shape.ts";
import { WASM_BASE64 } from "./wasm/matmul_f32x4.ts";

/**
 * The reference kernel: `out[b] = a[b] · bMatrix[b]` for every index `b` of
 * `batchShape`, where `a[b]` is (n, k) and `bMatrix[b]` is (k, m); the batch
 * axes of each operand broadcast into `batchShape`. Each output row is
 * accumulated in float64 in i-k-j order, so the inner loop runs over
 * contiguous memory.
 */
export function matmulReference(
  a: TypedArray,
  aBatchShape: readonly number[],
  b: TypedArray,
  bBatchShape: readonly number[],
  out: TypedArray,
  batchShape: readonly number[],
  n: number,
  k: number,
  m: number,
): void {
  const row = new Float64Array(m);
  forEachBroadcast(aBatchShape, bBatchShape, batchShape, (batch, batchA, batchB) => {
    const offsetA = batchA * n * k;
    const offsetB = batchB * k * m;
    const offsetOut = batch * n * m;
    for (let i = 0; i < n; i++) {
      row.fill(0);
      for (let p = 0; p < k; p++) {
        const aip = a[offsetA + i * k + p]!;
        const rowB = offsetB + p * m;
        for (let j = 0; j < m; j++) row[j]! += aip * b[rowB + j]!;
      }
      const rowOut = offsetOut + i * m;
      for (let j = 0; j < m; j++) out[rowOut + j] = row[j]!;
    }
  });
}

interface WasmMatmul {
  memory: WebAssembly.Memory;
  matmul: (a: number, b: number, c: number, n: number, k: number, m: number) => void;
}

let wasm: WasmMatmul | null | undefined;

/** The SIMD kernel, instantiated on first use; null where WebAssembly SIMD is unavailable. */
function wasmKernel(): WasmMatmul | null {
  if (wasm !== undefined) return wasm;
  try {
    const bytes = Uint8Array.from(atob(WASM_BASE64), (c) => c.charCodeAt(0));
    const { memory, matmul } = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
    if (!(memory instanceof WebAssembly.Memory) || typeof matmul !== "function") {
      throw new Error("matmul: the WebAssembly module lacks its exports");
    }
    wasm = { memory, matmul: matmul as WasmMatmul["matmul"] };
  } catch {
    wasm = null;
  }
  return wasm;
}

/** Below this many multiply-adds per matrix the copies into WebAssembly memory do not pay. */
const WASM_MINIMUM_WORK = 16384;

/**
 * Whether {@linkcode matmulKernel} will take the WebAssembly path: float32
 * operands, n a multiple of 4, m a multiple of 8, and enough work.
 */
export function usesWasm(a: TypedArray, b: TypedArray, n: number, k: number, m: number): boolean {
  return a instanceof Float32Array && b instanceof Float32Array && n % 4 === 0 &&
    m % 8 === 0 && n * k * m >= WASM_MINIMUM_WORK && wasmKernel() !== null;
}

/**
 * The batched product of {@linkcode matmulReference}, on the WebAssembly SIMD
 * kernel when {@linkcode usesWasm} allows (float32 accumulation, as PyTorch),
 * otherwise on the reference.
 */
export function matmulKernel(
  a: TypedArray,
  aBatchShape: readonly number[],
  b: TypedArray,
  bBatchShape: readonly number[],
  out: TypedArray,
  batchShape: readonly number[],
  n: number,
  k: number,
  m: number,
): void {
  if (!usesWasm(a, b, n, k, m) || !(out instanceof Float32Array)) {
    matmulReference(a, aBatchShape, b, bBatchShape, out, batchShape, n, k, m);
    return;
  }
  const kernel = wasmKernel()!;
  // Layout in the module's memory: all of a, then all of b, then all of out (bytes).
  const bytesA = a.length * 4;
  const bytesB = b.length * 4;
  const needed = bytesA + bytesB + out.length * 4;
  const pages = Math.ceil(needed / 65536) - kernel.memory.buffer.byteLength / 65536;
  if (pages > 0) kernel.memory.grow(pages);
  const memory = kernel.memory.buffer;
  new Float32Array(memory, 0, a.length).set(a);
  new Float32Array(memory, bytesA, b.length).set(b);
  const base = bytesA + bytesB;
  forEachBroadcast(aBatchShape, bBatchShape, batchShape, (batch, batchA, batchB) => {
    kernel.matmul(
      batchA * n * k * 4,
      bytesA + batchB * k * m * 4,
      base + batch * n * m * 4,
      n,
      k,
      m,
    );
  });
  out.set(new Float32Array(memory, base, out.length));
}
