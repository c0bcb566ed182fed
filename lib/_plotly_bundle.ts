/**
 * Internal: plotly.js for offline pages, from the npm package
 * `plotly.js-dist-min` (never a CDN).
 *
 * The 4.5 MB bundle is inlined gzip-compressed and base85-encoded (≈1.7 MB)
 * and unpacked in the browser with `DecompressionStream`, so one notebook or
 * report carries it once and stays small. The base85 alphabet is printable
 * ASCII without `"`, `'`, `\`, `<`, `&` and backtick, so the text needs no
 * escaping in a JavaScript string, in HTML or in a notebook's JSON, and can
 * never spell `</script>`. The loader sets
 * `window.__normlabPlotly` to a promise of the Plotly object; charts wait on it.
 *
 * @module
 */
import { gzipSync } from "node:zlib";
// A full npm: specifier (not an import-map name) so that mod.ts works when imported by path
// from any folder: a notebook, a script, another project.
import plotlySource from "npm:plotly.js-dist-min@2.35.3/plotly.min.js" with { type: "text" };

let cachedLoader: string | undefined;

/**
 * A `<script>` that loads plotly.js from inlined, compressed source, once per
 * page: a second copy on the same page does nothing.
 */
export function plotlyLoaderScript(): string {
  if (cachedLoader !== undefined) return cachedLoader;
  const compressed = gzipSync(new TextEncoder().encode(plotlySource), { level: 9 });
  const packed = encodeBase85(compressed);
  // plotly's UMD wrapper would register with an AMD loader (require.js in
  // classic Jupyter) instead of defining window.Plotly: hide `define` while it runs.
  cachedLoader = `<script>
(function () {
  if (window.__normlabPlotly) return;
  var packed = "${packed}";
  var alphabet = ${JSON.stringify(BASE85_ALPHABET)};
  var digit = new Uint8Array(128);
  for (var a = 0; a < 85; a++) digit[alphabet.charCodeAt(a)] = a;
  var bytes = new Uint8Array(${compressed.length});
  for (var i = 0, o = 0; i < packed.length; i += 5) {
    var n = 0;
    for (var k = 0; k < 5; k++) n = n * 85 + digit[packed.charCodeAt(i + k)];
    for (var b = 3; b >= 0; b--) {
      if (o + b < bytes.length) bytes[o + b] = n & 255;
      n = Math.floor(n / 256);
    }
    o += 4;
  }
  var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  window.__normlabPlotly = new Response(stream).text().then(function (code) {
    var savedDefine = window.define;
    window.define = undefined;
    try {
      var script = document.createElement("script");
      script.textContent = code;
      document.head.appendChild(script);
    } finally {
      window.define = savedDefine;
    }
    if (!window.Plotly) throw new Error("plotly.js did not load");
    return window.Plotly;
  });
})();
</script>`;
  return cachedLoader;
}

/** The version of plotly.js that the loader carries. */
export function plotlyVersion(): string {
  return /plotly\.js v([\d.]+)/.exec(plotlySource.slice(0, 200))?.[1] ?? "unknown";
}

/** 85 printable ASCII characters, none of which needs escaping in JS, HTML or JSON. */
export const BASE85_ALPHABET =
  "!#$%()*+,-./0123456789:;=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdefghijklmnopqrstuvwxyz~";

/**
 * Base85: every 4 bytes (big-endian, the last group zero-padded) become 5
 * digits of {@linkcode BASE85_ALPHABET}, most significant first.
 */
export function encodeBase85(bytes: Uint8Array): string {
  const groups = Math.ceil(bytes.length / 4);
  const out = new Array<string>(groups);
  const digits = new Array<string>(5);
  for (let g = 0; g < groups; g++) {
    let n = 0;
    for (let k = 0; k < 4; k++) n = n * 256 + (bytes[g * 4 + k] ?? 0);
    for (let k = 4; k >= 0; k--) {
      digits[k] = BASE85_ALPHABET[n % 85]!;
      n = Math.floor(n / 85);
    }
    out[g] = digits.join("");
  }
  return out.join("");
}
