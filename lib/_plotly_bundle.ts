/**
 * Internal: plotly.js for offline pages, from the npm package
 * `plotly.js-dist-min` (never a CDN).
 *
 * The 4.5 MB bundle is carried gzip-compressed and base85-encoded (≈1.7 MB)
 * in a data block, `<script type="application/x-normlab-plotly">`, which no
 * browser executes and any chart on the page can find (see
 * `_chart_runtime.ts`); it is unpacked in the browser with
 * `DecompressionStream`. The base85 alphabet is printable ASCII without `"`,
 * `'`, `\`, `<`, `&` and backtick, so the text needs no escaping in HTML or in
 * a notebook's JSON, and can never spell `</script>`.
 *
 * @module
 */
import { gzipSync } from "node:zlib";
// A full npm: specifier (not an import-map name) so that mod.ts works when imported by path
// from any folder: a notebook, a script, another project.
import plotlySource from "npm:plotly.js-dist-min@2.35.3/plotly.min.js" with { type: "text" };
import { encodeBase85 } from "./_base85.ts";
import { chartRuntimeSource, PLOTLY_BLOCK_TYPE, runtimeName } from "./_chart_runtime.ts";

let cachedCarrier: string | undefined;

/** The version of plotly.js that the loader carries. */
export function plotlyVersion(): string {
  return /plotly\.js v([\d.]+)/.exec(plotlySource.slice(0, 200))?.[1] ?? "unknown";
}

/**
 * plotly.js for a page: the data block with the compressed bundle, then a
 * script that loads it (keeping a copy in the browser) and draws any chart
 * that was waiting for it. A second copy on the same page does no harm.
 */
export function plotlyLoaderScript(): string {
  if (cachedCarrier !== undefined) return cachedCarrier;
  const compressed = gzipSync(new TextEncoder().encode(plotlySource), { level: 9 });
  const version = plotlyVersion();
  cachedCarrier =
    `<script type="${PLOTLY_BLOCK_TYPE}" data-version="${version}" data-bytes="${compressed.length}">${
      encodeBase85(compressed)
    }</script>
<script>
${chartRuntimeSource(version)}
window[${JSON.stringify(runtimeName(version))}].load().then(null, function () {});
window[${JSON.stringify(runtimeName(version))}].retry();
</script>`;
  return cachedCarrier;
}

/** The script every chart runs: the page-wide runtime, then `draw(id, spec)`. */
export function chartScript(id: string, specJson: string): string {
  const version = plotlyVersion();
  return `<script>
${chartRuntimeSource(version)}
window[${JSON.stringify(runtimeName(version))}].draw(${JSON.stringify(id)}, ${specJson});
</script>`;
}
