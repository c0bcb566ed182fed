/**
 * End-to-end checks (`deno task test:e2e`): the demo's report and every
 * notebook, executed by the real Deno kernel and exported to HTML, open in
 * headless Chromium with the network off; every chart must draw and the
 * console must stay clean. Screenshots go to out/.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { runDemo } from "../../mod.ts";
import { inspectPage, type PageReport } from "./browser.ts";
import {
  errorOutputs,
  executeNotebook,
  exportHtml,
  figureIds,
  listNotebooks,
  type Notebook,
  NOTEBOOK_DIR,
  outputsOf,
  plotlyOutputCount,
  silentCodeCells,
} from "./notebooks.ts";

const OUT = new URL("../../out/", import.meta.url).pathname;
await Deno.mkdir(`${OUT}notebooks`, { recursive: true });

function assertCleanPage(page: PageReport, expectedCharts: number, label: string): void {
  deepStrictEqual(page.errors, [], `${label}: console errors`);
  deepStrictEqual(page.outsideRequests, [], `${label}: requests that need a network`);
  ok(page.plotlyLoaded, `${label}: plotly.js did not load`);
  strictEqual(page.figures, expectedCharts, `${label}: chart containers on the page`);
  strictEqual(page.drawn, expectedCharts, `${label}: charts Plotly drew`);
  ok(page.svgRoots >= expectedCharts, `${label}: at least one SVG root per chart`);
}

Deno.test("the demo's report draws every chart offline", async () => {
  const result = await runDemo({
    out: `${OUT}normlab-report.html`,
    sentences: ["Loved it", "The acting was terrible"],
    dim: 3,
    seed: 0,
    maxLength: 100,
    json: true,
  });
  const page = await inspectPage(`file://${result.report.path}`, `${OUT}report.png`);
  assertCleanPage(page, result.report.charts, "report");
  console.log(
    `report: ${page.drawn}/${result.report.charts} charts drawn, ${page.svgRoots} SVG roots, ${
      (result.report.bytes / 1e6).toFixed(2)
    } MB → out/report.png`,
  );
});

for (const name of await listNotebooks()) {
  Deno.test(`notebook ${name}: executes cleanly, deterministically, and draws every chart`, async () => {
    const stem = name.replace(/\.ipynb$/, "");
    const executedPath = `${OUT}notebooks/${name}`;
    await Deno.mkdir(executedPath.slice(0, executedPath.lastIndexOf("/")), { recursive: true });
    const seconds = await executeNotebook(name, executedPath);
    const executed = JSON.parse(await Deno.readTextFile(executedPath)) as Notebook;
    deepStrictEqual(errorOutputs(executed), [], `${name}: error outputs`);
    const silent = silentCodeCells(executed).filter((index) => index > 1);
    deepStrictEqual(silent, [], `${name}: code cells without output (beyond the imports)`);
    ok(seconds < 30, `${name}: took ${seconds.toFixed(1)} s (limit 30 s)`);
    const committed = JSON.parse(await Deno.readTextFile(`${NOTEBOOK_DIR}${name}`)) as Notebook;
    ok(
      outputsOf(executed) === outputsOf(committed),
      `${name}: a clean run differs from the committed outputs (run deno task notebooks)`,
    );
    const bytes = (await Deno.stat(`${NOTEBOOK_DIR}${name}`)).size;
    ok(bytes < 2_000_000, `${name}: ${bytes} bytes (limit 2 MB)`);
    const charts = plotlyOutputCount(executed);
    ok(charts > 0, `${name}: no charts`);
    // Each chart's id appears twice in its output (the div and the script's draw call).
    const ids = figureIds(executed);
    strictEqual(new Set(ids).size, charts, `${name}: one id per chart output`);
    ok(
      figureIds(committed).every((id) => !ids.includes(id)),
      `${name}: a new run reuses none of the committed chart ids`,
    );
    const html = await exportHtml(executedPath);
    const page = await inspectPage(`file://${html}`, `${OUT}notebooks/${stem}.png`);
    assertCleanPage(page, charts, name);
    console.log(
      `${name}: ${seconds.toFixed(1)} s, ${
        (bytes / 1e6).toFixed(2)
      } MB, ${page.drawn}/${charts} charts drawn → out/notebooks/${stem}.png`,
    );
  });
}
