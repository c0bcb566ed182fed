/**
 * Internal: plotly.js for offline pages, from the npm package
 * `plotly.js-dist-min` (never a CDN).
 *
 * The 4.5 MB bundle is inlined gzip-compressed and base64-encoded (≈1.8 MB)
 * and unpacked in the browser with `DecompressionStream`, so one notebook or
 * report carries it once and stays small. The loader sets
 * `window.__normlabPlotly` to a promise of the Plotly object; charts wait on it.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { gzipSync } from "node:zlib";
import plotlySource from "plotly.js-dist-min/plotly.min.js" with { type: "text" };

let cachedLoader: string | undefined;

/**
 * A `<script>` that loads plotly.js from inlined, compressed source, once per
 * page: a second copy on the same page does nothing.
 */
export function plotlyLoaderScript(): string {
  if (cachedLoader !== undefined) return cachedLoader;
  const packed = Buffer.from(gzipSync(new TextEncoder().encode(plotlySource), { level: 9 }))
    .toString("base64");
  // plotly's UMD wrapper would register with an AMD loader (require.js in
  // classic Jupyter) instead of defining window.Plotly: hide `define` while it runs.
  cachedLoader = `<script>
(function () {
  if (window.__normlabPlotly) return;
  var packed = "${packed}";
  var bytes = Uint8Array.from(atob(packed), function (c) { return c.charCodeAt(0); });
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
