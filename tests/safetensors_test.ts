/**
 * safetensors: round trips, files written by PyTorch (tests/fixtures/modules/),
 * F16/BF16/I32/I64 decoding, and hostile headers that must fail cleanly.
 */
import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import fc from "fast-check";
import { decodeSafetensors, encodeSafetensors, loadSafetensors, tensor } from "../mod.ts";

/** A file from a header object and raw data bytes. */
function file(header: unknown, data: Uint8Array = new Uint8Array(0), claimed?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(claimed ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

Deno.test("safetensors: float32 and float64 round trip exactly (property)", () => {
  fc.assert(fc.property(
    fc.array(fc.float({ noNaN: true }), { minLength: 0, maxLength: 12 }),
    fc.array(fc.double({ noNaN: true }), { minLength: 1, maxLength: 6 }),
    fc.constantFrom("a", "__proto__", "constructor", "layers.0.norm1.weight", "ß∂"),
    (floats, doubles, name) => {
      const single = tensor(floats, { shape: [floats.length] });
      const double = tensor(Float64Array.from(doubles));
      const back = decodeSafetensors(encodeSafetensors({ [name]: single, other: double }));
      deepStrictEqual(Array.from(back[name]!.data), Array.from(single.data));
      deepStrictEqual(Array.from(back.other!.data), doubles);
      strictEqual(back.other!.dtype, "float64");
    },
  ));
});

Deno.test("safetensors: F16 and BF16 become float32, I32 and I64 float64 (exact)", () => {
  const data = new Uint8Array(2 * 2 + 2 * 2 + 4 + 8);
  const view = new DataView(data.buffer);
  view.setUint16(0, 0x3c00, true); // 1.0 in F16
  view.setUint16(2, 0xc000, true); // −2.0 in F16
  view.setUint16(4, 0x3fc0, true); // 1.5 in BF16
  view.setUint16(6, 0x4049, true); // ≈ 3.140625 in BF16
  view.setInt32(8, -7, true);
  view.setBigInt64(12, 2n ** 53n - 1n, true);
  const tensors = decodeSafetensors(file({
    h: { dtype: "F16", shape: [2], data_offsets: [0, 4] },
    b: { dtype: "BF16", shape: [2], data_offsets: [4, 8] },
    i: { dtype: "I32", shape: [1], data_offsets: [8, 12] },
    l: { dtype: "I64", shape: [], data_offsets: [12, 20] },
  }, data));
  deepStrictEqual(Array.from(tensors.h!.data), [1, -2]);
  deepStrictEqual(Array.from(tensors.b!.data), [1.5, 3.140625]);
  deepStrictEqual(Array.from(tensors.i!.data), [-7]);
  strictEqual(tensors.l!.item(), 2 ** 53 - 1);
  strictEqual(tensors.l!.dtype, "float64");
});

Deno.test("safetensors: reads the files PyTorch wrote (metadata skipped, I64 buffers)", async () => {
  const tensors = await loadSafetensors(
    new URL("./fixtures/modules/classifier_maskedBatch_post.safetensors", import.meta.url),
  );
  deepStrictEqual(tensors["embedding.weight"]!.shape, [24, 8]);
  strictEqual(tensors["layers.0.norm1.num_batches_tracked"]!.item(), 0);
  ok(!("__metadata__" in tensors));
});

Deno.test("safetensors: hostile or truncated files fail with a clear error", () => {
  const f32 = (n: number) => new Uint8Array(4 * n);
  const cases: [string, Uint8Array, RegExp][] = [
    ["too short", new Uint8Array(3), /fewer than its 8-byte header length/],
    ["header longer than file", file({}, new Uint8Array(0), 1e6), /claims 1000000 bytes/],
    ["huge claimed header", file({}, new Uint8Array(0), 2 ** 60), /claims/],
    [
      "not JSON",
      (() => {
        const f = file({ a: 1 });
        f[9] = 0x7b;
        f[10] = 0x7b;
        return f;
      })(),
      /not valid UTF-8 JSON/,
    ],
    ["array header", file([1, 2]), /JSON object/],
    [
      "unknown dtype",
      file({ a: { dtype: "C64", shape: [1], data_offsets: [0, 8] } }, f32(2)),
      /unsupported dtype "C64"/,
    ],
    [
      "negative shape",
      file({ a: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, f32(1)),
      /non-negative integers/,
    ],
    [
      "fractional shape",
      file({ a: { dtype: "F32", shape: [1.5], data_offsets: [0, 4] } }, f32(1)),
      /non-negative integers/,
    ],
    [
      "size mismatch",
      file({ a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, f32(4)),
      /needs 12 bytes/,
    ],
    [
      "lying huge shape",
      file({ a: { dtype: "F32", shape: [1e9, 1e9], data_offsets: [0, 8] } }, f32(2)),
      /needs more than 8 bytes/,
    ],
    [
      "past the end",
      file({ a: { dtype: "F32", shape: [2], data_offsets: [4, 12] } }, f32(2)),
      /run past the 8 bytes/,
    ],
    [
      "overlap",
      file({
        a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
        b: { dtype: "F32", shape: [1], data_offsets: [4, 8] },
      }, f32(2)),
      /overlapping/,
    ],
    ["gap", file({ a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, f32(2)), /a gap/],
    [
      "trailing bytes",
      file({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, f32(2)),
      /cover 4 bytes but the data section has 8/,
    ],
    [
      "offsets reversed",
      file({ a: { dtype: "F32", shape: [0], data_offsets: [4, 0] } }, f32(1)),
      /data_offsets \[4, 0\]/,
    ],
  ];
  for (const [label, bytes, pattern] of cases) {
    throws(() => decodeSafetensors(bytes), (error: Error) => {
      ok(error.message.startsWith("loadSafetensors:"), `${label}: ${error.message}`);
      ok(pattern.test(error.message), `${label}: ${error.message}`);
      return true;
    });
  }
  const big = new Uint8Array(8);
  new DataView(big.buffer).setBigInt64(0, 2n ** 60n, true);
  throws(
    () => decodeSafetensors(file({ a: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, big)),
    /beyond 2\^53/,
  );
});

Deno.test("safetensors: Python reads what normlab writes (when /usr/bin/python3 has torch)", async () => {
  const path = await Deno.makeTempFile({ suffix: ".safetensors" });
  const { saveSafetensors } = await import("../mod.ts");
  await saveSafetensors(path, {
    "w": tensor([[1, 2.5], [-3, 4]]),
    "d": tensor(Float64Array.from([0.1, 0.2])),
  }, { metadata: { format: "pt" } });
  const script = new URL("./fixtures/check_safetensors.py", import.meta.url).pathname;
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("/usr/bin/python3", { args: [script, path] }).output();
  } catch {
    console.log("no /usr/bin/python3: skipped");
    await Deno.remove(path);
    return;
  }
  await Deno.remove(path);
  const text = new TextDecoder().decode(output.stdout);
  if (output.code === 3) {
    console.log("no torch: skipped");
    return;
  }
  strictEqual(output.code, 0, new TextDecoder().decode(output.stderr));
  console.log(text.trim());
  ok(text.includes("w float32 [2, 2] [[1.0, 2.5], [-3.0, 4.0]]"));
  ok(text.includes("d float64 [2] [0.1, 0.2]"));
});
