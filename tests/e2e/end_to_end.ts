/**
 * End-to-end checks (`deno task test:e2e`): the demo's report and every
 * notebook, executed by the real Deno kernel and exported to HTML, open in
 * headless Chromium with the network off; every chart must draw and the
 * console must stay clean. Screenshots go to out/.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { BENGALI_SENTENCES, runDemo } from "../../mod.ts";
import { type Browser, inspectPage, launchBrowser, type PageReport } from "./browser.ts";
import { assertSliders, describeSliders } from "./sliders.ts";
import {
  errorOutputs,
  executeNotebook,
  EXPECTED_SLIDERS,
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
  const page = await inspectPage(`file://${result.report!.path}`, `${OUT}report.png`);
  assertCleanPage(page, result.report!.charts, "report");
  assertSliders(page.sliders, 2, "report");
  console.log(
    `report: ${page.drawn}/${result.report!.charts} charts drawn, ${page.svgRoots} SVG roots, ${
      (result.report!.bytes / 1e6).toFixed(2)
    } MB, sliders: ${describeSliders(page.sliders)} → out/report.png`,
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
  assertSliders(page.sliders, 2, "Bengali report");
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
    if (name.startsWith("04_")) assertLiveChart(executed);
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
    const bengali = name.startsWith("bn/");
    const page = await inspectPage(
      `file://${html}`,
      `${OUT}notebooks/${stem}.png`,
      { fontsOf: bengali ? BENGALI_TEXT : [] },
    );
    assertCleanPage(page, charts, name);
    if (bengali) assertBengaliFonts(page, name);
    assertSliders(page.sliders, EXPECTED_SLIDERS[name] ?? 0, name);
    console.log(
      `${name}: ${seconds.toFixed(1)} s, ${
        (bytes / 1e6).toFixed(2)
      } MB, ${page.drawn}/${charts} charts drawn, sliders: ${
        describeSliders(page.sliders) || "none"
      } → out/notebooks/${stem}.png`,
    );
  });
}

/** Charts on the page, those drawn, and the notes the others show. */
interface ChartCount {
  figures: number;
  drawn: number;
  notes: string[];
}

async function countCharts(browser: Browser, waitForAll: boolean): Promise<ChartCount> {
  const deadline = Date.now() + (waitForAll ? 30_000 : 3_000);
  while (true) {
    const count = await browser.evaluate<ChartCount>(`(() => {
      const figures = Array.from(document.querySelectorAll(".normlab-figure"));
      return {
        figures: figures.length,
        drawn: figures.filter((f) => f.querySelector("svg.main-svg")).length,
        notes: figures.map((f) => f.querySelector(".normlab-note")?.textContent ?? "").filter(Boolean),
      };
    })()`);
    if ((waitForAll && count.drawn === count.figures) || Date.now() > deadline) return count;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

Deno.test("an export that lost the plotly.js output: every chart says so, then draws from the browser's copy", async () => {
  const name = (await listNotebooks())[0]!;
  const stem = name.replace(/\.ipynb$/, "").replaceAll("/", "-");
  const committed = JSON.parse(await Deno.readTextFile(`${NOTEBOOK_DIR}${name}`)) as Notebook;
  const carries = (output: { data?: Record<string, unknown> }) =>
    [output.data?.["text/html"] ?? ""].flat().join("").includes(
      '<script type="application/x-normlab-plotly"',
    );
  const stripped = {
    ...committed,
    cells: committed.cells.map((cell) => ({
      ...cell,
      outputs: cell.outputs?.filter((output) => !carries(output)),
    })),
  };
  ok(
    committed.cells.some((cell) => cell.outputs?.some(carries)),
    `${name}: no output carries plotly.js`,
  );
  const intactPath = `${OUT}notebooks/${stem}-intact.ipynb`;
  const strippedPath = `${OUT}notebooks/${stem}-without-plotly.ipynb`;
  await Deno.writeTextFile(intactPath, JSON.stringify(committed));
  await Deno.writeTextFile(strippedPath, JSON.stringify(stripped));
  const intactHtml = await exportHtml(intactPath);
  const strippedHtml = await exportHtml(strippedPath);
  const browser = await launchBrowser(/^(file|data|blob|about):/);
  try {
    // A browser that has never seen plotly.js: nothing to draw with, and every chart says so.
    await browser.load(`file://${strippedHtml}`);
    const lost = await countCharts(browser, false);
    const charts = plotlyOutputCount(committed);
    strictEqual(lost.figures, charts, "chart containers");
    strictEqual(lost.drawn, 0, "charts drawn without plotly.js");
    strictEqual(lost.notes.length, charts, "one note per chart");
    for (const note of lost.notes) {
      ok(note.includes("plotly.js is not on this page"), `the note says why: ${note}`);
      ok(note.includes("loadPlotly()"), `the note says what to do: ${note}`);
    }
    await browser.screenshot(`${OUT}notebooks/${stem}-without-plotly.png`);
    // Once any page of this origin (file:) has loaded plotly.js, the browser keeps a copy.
    await browser.load(`file://${intactHtml}`);
    strictEqual((await countCharts(browser, true)).drawn, charts, "the intact export draws");
    await browser.load(`file://${strippedHtml}`);
    const cached = await countCharts(browser, true);
    strictEqual(cached.drawn, charts, "the export without plotly.js draws from the browser's copy");
    await browser.screenshot(`${OUT}notebooks/${stem}-without-plotly-cached.png`);
    deepStrictEqual(browser.errors, [], "console errors");
    deepStrictEqual(browser.outsideRequests, [], "requests that need a network");
    console.log(
      `${name} without its plotly.js output: 0/${charts} drawn and ${lost.notes.length} notes in a fresh browser; ${cached.drawn}/${charts} drawn from the browser's copy`,
    );
  } finally {
    await browser.close();
  }
});

/**
 * Lesson 4's live loss chart is one output that was updated in place: its cell
 * holds exactly one chart, and that chart holds the last update (one line per
 * norm, one point per epoch), not the first.
 */
function assertLiveChart(notebook: Notebook): void {
  const cell = notebook.cells.find((c) => [c.source].flat().join("").includes("new LiveOutput()"));
  ok(cell !== undefined, "lesson 4: the live-training cell");
  const charts = (cell.outputs ?? []).filter((o) =>
    o.data?.["application/vnd.plotly.v1+json"] !== undefined
  );
  strictEqual(charts.length, 1, "lesson 4: the live chart is one output, updated in place");
  const figure = charts[0]!.data!["application/vnd.plotly.v1+json"] as {
    data: { y: number[] }[];
  };
  strictEqual(figure.data.length, 5, "lesson 4: one line per norm in the final update");
  ok(figure.data.every((trace) => trace.y.length === 5), "lesson 4: five epochs per line");
}
