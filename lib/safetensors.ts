/**
 * Weights as safetensors — the format of PyTorch and Hugging Face
 * (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON `{ name: { dtype, shape, data_offsets:
 * [begin, end] }, "__metadata__": { … } }`, then the raw little-endian data.
 *
 * @module
 */
import { formatShape } from "./_shape.ts";
import { Tensor } from "./tensor.ts";

/** Element types read, with their sizes in bytes. */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
};

/** The largest header accepted (the reference implementation's limit is 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/** Options for {@linkcode encodeSafetensors} and {@linkcode saveSafetensors}. */
export interface SafetensorsOptions {
  /** String key–value pairs stored in the header's `__metadata__`. */
  metadata?: Record<string, string>;
}

/**
 * The bytes of a safetensors file holding `tensors` (float32 as F32, float64
 * as F64), keys sorted, data contiguous and 8-byte aligned after the header.
 *
 * @example
 * ```ts
 * import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
 * import { tensor } from "./tensor.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const bytes = encodeSafetensors({ "layer.weight": tensor([[1, 2], [3, 4]]) });
 * deepStrictEqual(decodeSafetensors(bytes)["layer.weight"]!.toArray(), [[1, 2], [3, 4]]);
 * ```
 */
export function encodeSafetensors(
  tensors: Record<string, Tensor>,
  options: SafetensorsOptions = {},
): Uint8Array {
  const operation = "saveSafetensors";
  const header: Record<string, unknown> = Object.create(null);
  const names = Object.keys(tensors).sort();
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    if (!(t instanceof Tensor)) {
      throw new Error(`${operation}: expected ${JSON.stringify(name)} to be a Tensor`);
    }
    if (name === "__metadata__") {
      throw new Error(`${operation}: "__metadata__" is reserved and cannot name a tensor`);
    }
    const bytes = t.data.byteLength;
    header[name] = {
      dtype: t.dtype === "float64" ? "F64" : "F32",
      shape: [...t.shape],
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  if (options.metadata !== undefined) {
    for (const [key, value] of Object.entries(options.metadata)) {
      if (typeof value !== "string") {
        throw new Error(`${operation}: expected metadata values to be strings but ${key} is not`);
      }
    }
    header.__metadata__ = options.metadata;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padding = (8 - (json.length % 8)) % 8;
  if (padding > 0) {
    const padded = new Uint8Array(json.length + padding).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  const view = new DataView(out.buffer, 8 + json.length);
  let position = 0;
  for (const name of names) {
    const data = tensors[name]!.data;
    if (data instanceof Float64Array) {
      for (let i = 0; i < data.length; i++, position += 8) {
        view.setFloat64(position, data[i]!, true);
      }
    } else {
      for (let i = 0; i < data.length; i++, position += 4) {
        view.setFloat32(position, data[i]!, true);
      }
    }
  }
  return out;
}

/**
 * The tensors of a safetensors file's bytes. F32 and F64 keep their dtype;
 * F16 and BF16 become float32 (exactly); I32 and I64 become float64, exact
 * up to 2⁵³ (an I64 beyond is an error). Every field of
 * the header is checked before any data is read — offsets inside the data
 * section, contiguous and in order, sizes matching shape × dtype — so a
 * truncated or hostile file is a clear error, never an out-of-bounds read or
 * a huge allocation. The result has no prototype, so any tensor name works.
 *
 * @example
 * ```ts
 * import { decodeSafetensors } from "./safetensors.ts";
 * import { throws } from "node:assert/strict";
 *
 * throws(() => decodeSafetensors(new Uint8Array(4)), /loadSafetensors: the file has 4 bytes/);
 * ```
 */
export function decodeSafetensors(bytes: Uint8Array): Record<string, Tensor> {
  const operation = "loadSafetensors";
  if (bytes.length < 8) {
    throw new Error(
      `${operation}: the file has ${bytes.length} bytes, fewer than its 8-byte header length`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    throw new Error(
      `${operation}: the header claims ${headerLength} bytes but the file has ${
        bytes.length - 8
      } after its length field`,
    );
  }
  const headerBytes = Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(
      bytes.subarray(8, 8 + headerBytes),
    ));
  } catch (error) {
    throw new Error(
      `${operation}: the header is not valid UTF-8 JSON (${
        error instanceof Error ? error.message : String(error)
      })`,
    );
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    throw new Error(`${operation}: expected the header to be a JSON object`);
  }
  const dataStart = 8 + headerBytes;
  const dataLength = bytes.length - dataStart;
  const entries: { name: string; dtype: string; shape: number[]; begin: number; end: number }[] =
    [];
  for (const [name, value] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const entry = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const where = `${operation}: tensor ${JSON.stringify(name)}`;
    if (entry === null || typeof entry !== "object") {
      throw new Error(`${where}: expected an object with dtype, shape and data_offsets`);
    }
    if (typeof entry.dtype !== "string" || !Object.hasOwn(DTYPE_BYTES, entry.dtype)) {
      throw new Error(
        `${where}: unsupported dtype ${JSON.stringify(entry.dtype)} (expected one of ${
          Object.keys(DTYPE_BYTES).join(", ")
        })`,
      );
    }
    const shape = entry.shape;
    if (
      !Array.isArray(shape) ||
      !shape.every((e) => Number.isSafeInteger(e) && (e as number) >= 0)
    ) {
      throw new Error(`${where}: expected shape to be an array of non-negative integers`);
    }
    const offsets = entry.data_offsets;
    if (
      !Array.isArray(offsets) || offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)
    ) {
      throw new Error(`${where}: expected data_offsets to be two non-negative integers`);
    }
    const [begin, end] = offsets as [number, number];
    let size = 1;
    for (const extent of shape as number[]) {
      size *= extent;
      if (size * DTYPE_BYTES[entry.dtype]! > dataLength) break; // cannot fit: caught below
    }
    const expected = size * DTYPE_BYTES[entry.dtype]!;
    if (end < begin || end - begin !== expected) {
      throw new Error(
        `${where}: shape ${formatShape(shape as number[])} of ${entry.dtype} needs ${
          expected > dataLength ? `more than ${dataLength}` : expected
        } bytes but data_offsets [${begin}, ${end}] give ${end - begin}`,
      );
    }
    if (end > dataLength) {
      throw new Error(
        `${where}: data_offsets [${begin}, ${end}] run past the ${dataLength} bytes of data (truncated file?)`,
      );
    }
    entries.push({ name, dtype: entry.dtype, shape: shape as number[], begin, end });
  }
  // The data must be covered exactly once, in order: no overlap, no gap, nothing after.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const entry of sorted) {
    if (entry.begin !== cursor) {
      throw new Error(
        `${operation}: tensor ${
          JSON.stringify(entry.name)
        } starts at byte ${entry.begin} but the previous data ends at ${cursor} (${
          entry.begin < cursor ? "overlapping" : "a gap"
        })`,
      );
    }
    cursor = entry.end;
  }
  if (cursor !== dataLength) {
    throw new Error(
      `${operation}: the tensors cover ${cursor} bytes but the data section has ${dataLength}`,
    );
  }
  const result: Record<string, Tensor> = Object.create(null);
  for (const entry of entries) {
    const data = new DataView(bytes.buffer, bytes.byteOffset + dataStart + entry.begin);
    result[entry.name] = readTensor(data, entry.dtype, entry.shape, entry.name);
  }
  return result;
}

function readTensor(view: DataView, dtype: string, shape: number[], name: string): Tensor {
  const size = shape.reduce((p, e) => p * e, 1);
  if (dtype === "F64" || dtype === "I32" || dtype === "I64") {
    const out = new Float64Array(size);
    if (dtype === "F64") {
      for (let i = 0; i < size; i++) out[i] = view.getFloat64(i * 8, true);
    } else if (dtype === "I32") {
      for (let i = 0; i < size; i++) out[i] = view.getInt32(i * 4, true);
    } else {
      for (let i = 0; i < size; i++) {
        const value = view.getBigInt64(i * 8, true);
        if (value > 9007199254740991n || value < -9007199254740991n) {
          throw new Error(
            `loadSafetensors: tensor ${JSON.stringify(name)} holds ${value}, beyond 2^53`,
          );
        }
        out[i] = Number(value);
      }
    }
    return new Tensor(out, shape);
  }
  const out = new Float32Array(size);
  switch (dtype) {
    case "F32":
      for (let i = 0; i < size; i++) out[i] = view.getFloat32(i * 4, true);
      break;
    case "F16":
      for (let i = 0; i < size; i++) out[i] = halfToNumber(view.getUint16(i * 2, true));
      break;
    case "BF16":
      // bfloat16 is the top half of a float32.
      for (let i = 0; i < size; i++) {
        out[i] = new Float32Array(new Uint32Array([view.getUint16(i * 2, true) << 16]).buffer)[0]!;
      }
      break;
  }
  return new Tensor(out, shape);
}

/** An IEEE 754 half-precision number from its 16 bits. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * Writes `tensors` to `path` as safetensors (see {@linkcode encodeSafetensors}),
 * through a temporary file and a rename, so no partial file is left.
 *
 * @example
 * ```ts
 * import { loadSafetensors, saveSafetensors } from "./safetensors.ts";
 * import { tensor } from "./tensor.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile({ suffix: ".safetensors" });
 * await saveSafetensors(path, { w: tensor([1.5, -2]) }, { metadata: { note: "example" } });
 * deepStrictEqual((await loadSafetensors(path)).w!.toArray(), [1.5, -2]);
 * await Deno.remove(path);
 * ```
 */
export async function saveSafetensors(
  path: string | URL,
  tensors: Record<string, Tensor>,
  options: SafetensorsOptions = {},
): Promise<void> {
  const bytes = encodeSafetensors(tensors, options);
  const target = path instanceof URL ? path.pathname : path;
  const temporary = `${target}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeFile(temporary, bytes);
    await Deno.rename(temporary, target);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}

/**
 * Reads a safetensors file (see {@linkcode decodeSafetensors}), e.g. weights
 * saved by PyTorch: `model.loadStateDict(await loadSafetensors(path))`.
 */
export async function loadSafetensors(path: string | URL): Promise<Record<string, Tensor>> {
  return decodeSafetensors(await Deno.readFile(path));
}
