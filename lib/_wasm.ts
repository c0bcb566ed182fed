/**
 * Internal: what each WebAssembly kernel module (lib/wasm/*.wat) needs from
 * JavaScript — its compiled module from the base64 bytes committed in
 * lib/wasm/NAME.ts, and its memory grown to hold a call's arrays.
 *
 * @module
 */

/**
 * The module of the base64 binary `text`, or null when this engine cannot
 * compile it (no WebAssembly SIMD, or no relaxed SIMD for a module using it).
 */
export function compileModule(text: string): WebAssembly.Module | null {
  try {
    return new WebAssembly.Module(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

/**
 * The buffer of `memory` after growing it to at least `bytes` (64 KiB pages).
 * A memory never shrinks, and growing it detaches views of the old buffer:
 * make views after this call.
 */
export function grownBuffer(memory: WebAssembly.Memory, bytes: number): ArrayBufferLike {
  const pages = Math.ceil(bytes / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
  return memory.buffer;
}
