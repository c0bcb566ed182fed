/**
 * End-to-end checks (`deno task test:e2e`): the demo's report and every
 * notebook, executed by the real Deno kernel and exported to HTML, open in
 * headless Chromium with the network off; every chart must draw and the
 * console must stay clean. Screenshots go to out/.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { BENGALI_SENTENCES, runDemo } from "../../mod.ts";
import { inspectPage, type PageReport } from "./browser.ts";
import {
  errorOutputs,
  executeNotebook,
  exportHtml,
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
  const page = await inspectPage(`file://${result.report!.path}`, `${OUT}report.png`);
  assertCleanPage(page, result.report!.charts, "report");
  console.log(
    `report: ${page.drawn}/${result.report!.charts} charts drawn, ${page.svgRoots} SVG roots, ${
      (result.report!.bytes / 1e6).toFixed(2)
    } MB → out/report.png`,
  );
});

/** Text in Bengali must be drawn with a Bengali font (the stack's fonts), never as boxes. */
const BENGALI_FONT = /Bengali|Vrinda|Shonar Bangla/;
const BENGALI_TEXT = ["h1", ".normlab-figure .gtitle", ".normlab-figure .ytick text", "table td"];

function assertBengaliFonts(page: PageReport, label: string): void {
  for (const selector of BENGALI_TEXT) {
    const fonts = page.fonts[selector] ?? [];
    ok(fonts.some((font) => BENGALI_FONT.test(font)), `${label}: ${selector} drawn in ${fonts}`);
  }
}

Deno.test("the Bengali report (--lang bn) draws every chart offline in a Bengali font", async () => {
  const result = await runDemo({
    out: `${OUT}normlab-report-bn.html`,
    sentences: [...BENGALI_SENTENCES],
    dim: 3,
    seed: 0,
    maxLength: 100,
    json: true,
    lang: "bn",
  });
  const page = await inspectPage(`file://${result.report!.path}`, `${OUT}report-bn.png`, {
    fontsOf: BENGALI_TEXT,
  });
  assertCleanPage(page, result.report!.charts, "Bengali report");
  assertBengaliFonts(page, "Bengali report");
  console.log(
    `Bengali report: ${page.drawn}/${result.report!.charts} charts drawn, fonts ${
      JSON.stringify(page.fonts)
    } → out/report-bn.png`,
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
    // Lesson 4 trains five models in the kernel; the others are quick.
    const limit = name.startsWith("04_") ? 400 : 30;
    ok(seconds < limit, `${name}: took ${seconds.toFixed(1)} s (limit ${limit} s)`);
    const committed = JSON.parse(await Deno.readTextFile(`${NOTEBOOK_DIR}${name}`)) as Notebook;
    ok(
      outputsOf(executed) === outputsOf(committed),
      `${name}: a clean run differs from the committed outputs (run deno task notebooks)`,
    );
    const bytes = (await Deno.stat(`${NOTEBOOK_DIR}${name}`)).size;
    ok(bytes < 2_000_000, `${name}: ${bytes} bytes (limit 2 MB)`);
    const charts = plotlyOutputCount(executed);
    ok(charts > 0, `${name}: no charts`);
    const html = await exportHtml(executedPath);
    const bengali = name.startsWith("bn/");
    const page = await inspectPage(
      `file://${html}`,
      `${OUT}notebooks/${stem}.png`,
      { fontsOf: bengali ? BENGALI_TEXT : [] },
    );
    assertCleanPage(page, charts, name);
    if (bengali) assertBengaliFonts(page, name);
    console.log(
      `${name}: ${seconds.toFixed(1)} s, ${
        (bytes / 1e6).toFixed(2)
      } MB, ${page.drawn}/${charts} charts drawn → out/notebooks/${stem}.png`,
    );
  });
}
