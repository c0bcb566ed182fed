/**
 * Internal: plotly.js for offline pages, from the npm package
 * `plotly.js-dist-min` (never a CDN).
 *
 * The 4.5 MB bundle is carried gzip-compressed and base85-encoded (≈1.6 MB)
 * in a data block, `<script type="application/x-normlab-plotly">`, which no
 * browser executes and any chart on the page can find (see
 * `_chart_runtime.ts`); it is unpacked in the browser with
 * `DecompressionStream`. The base85 alphabet is printable ASCII without `"`,
 * `'`, `\`, `<`, `&` and backtick, so the text needs no escaping in HTML or in
 * a notebook's JSON, and can never spell `</script>`.
 *
 * The compressed text is committed (lib/_plotly_gzip.ts, written by
 * tools/build_plotly.ts with zopfli, 3.5 % smaller than gzip -9); a test checks
 * that it decompresses to the pinned npm package's plotly.min.js.
 *
 * @module
 */
import { chartRuntimeSource, PLOTLY_BLOCK_TYPE, runtimeName } from "./_chart_runtime.ts";
import { PLOTLY_GZIP_BASE85, PLOTLY_GZIP_BYTES, PLOTLY_VERSION } from "./_plotly_gzip.ts";

let cachedCarrier: string | undefined;

/** The version of plotly.js that the loader carries. */
export function plotlyVersion(): string {
  return PLOTLY_VERSION;
}

/**
 * plotly.js for a page: the data block with the compressed bundle, then a
 * script that loads it (keeping a copy in the browser) and draws any chart
 * that was waiting for it. A second copy on the same page does no harm.
 */
export function plotlyLoaderScript(): string {
  if (cachedCarrier !== undefined) return cachedCarrier;
  const version = plotlyVersion();
  cachedCarrier =
    `<script type="${PLOTLY_BLOCK_TYPE}" data-version="${version}" data-bytes="${PLOTLY_GZIP_BYTES}">${PLOTLY_GZIP_BASE85}</script>
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
