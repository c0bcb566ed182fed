/**
 * The committed plotly.js (lib/_plotly_gzip.ts) is the pinned npm package's
 * plotly.min.js, byte for byte: a version bump of the package fails here until
 * tools/build_plotly.ts is rerun.
 */
import { strictEqual } from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import plotlySource from "npm:plotly.js-dist-min@2.35.3/plotly.min.js" with { type: "text" };
import { PLOTLY_GZIP_BASE85, PLOTLY_GZIP_BYTES, PLOTLY_VERSION } from "../lib/_plotly_gzip.ts";
import { BASE85_ALPHABET } from "../lib/_base85.ts";

/** Base85 back to bytes (the browser runtime's `unpack`, in TypeScript). */
function decodeBase85(text: string, length: number): Uint8Array {
  const digit = new Map([...BASE85_ALPHABET].map((character, i) => [character, i]));
  const bytes = new Uint8Array(Math.ceil(length / 4) * 4);
  for (let i = 0, o = 0; i < text.length; i += 5, o += 4) {
    let n = 0;
    for (let k = 0; k < 5; k++) n = n * 85 + digit.get(text[i + k]!)!;
    for (let b = 3; b >= 0; b--) {
      bytes[o + b] = n % 256;
      n = Math.floor(n / 256);
    }
  }
  return bytes.subarray(0, length);
}

Deno.test("the committed plotly.js decompresses to the npm package's plotly.min.js", () => {
  const compressed = decodeBase85(PLOTLY_GZIP_BASE85, PLOTLY_GZIP_BYTES);
  const text = new TextDecoder().decode(gunzipSync(compressed));
  strictEqual(text.length, plotlySource.length, "length");
  strictEqual(text === plotlySource, true, "the same characters");
  strictEqual(PLOTLY_VERSION, /plotly\.js v([\d.]+)/.exec(plotlySource.slice(0, 200))?.[1]);
});
