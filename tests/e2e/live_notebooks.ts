/**
 * The lessons in a live front end (`deno task test:e2e`): Debian's classic
 * Jupyter Notebook with the Deno kernel, in headless Chromium driven over the
 * DevTools protocol. For every notebook (subfolders included): Kernel →
 * Restart & Run All with real clicks; every Plotly output must be drawn and
 * visible inside its own output area, with no error output and no page
 * exception; then save, reload without running anything, and the charts must
 * still draw. A fresh copy (untrusted) must show a note per chart instead; after the output that
 * carries plotly.js is cleared, saved and the page reloaded, every other chart must still draw.
 * Runs on copies under out/live/; screenshots go to out/live-*-{untrusted,run,reloaded,cleared}.png.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { launchBrowser } from "./browser.ts";
import {
  carrierCell,
  clearOutput,
  inspectNotebook,
  type LiveReport,
  restartAndRunAll,
  save,
  startNotebookServer,
  unrollForScreenshot,
  waitForNotebook,
} from "./classic_notebook.ts";
import { EXPECTED_SLIDERS, listNotebooks } from "./notebooks.ts";
import { assertSliders, checkSliders, describeSliders } from "./sliders.ts";

const OUT = new URL("../../out/", import.meta.url).pathname;
await Deno.mkdir(OUT, { recursive: true });

function assertAllDrawn(report: LiveReport, label: string): number {
  deepStrictEqual(report.errorOutputs, [], `${label}: error outputs`);
  const charts = report.cells.reduce((sum, cell) => sum + cell.plotlyOutputs, 0);
  ok(charts > 0, `${label}: no Plotly outputs`);
  for (const cell of report.cells) {
    strictEqual(
      cell.drawn,
      cell.plotlyOutputs,
      `${label}: cell ${cell.index} has ${cell.plotlyOutputs} Plotly output(s) but ${cell.drawn} drawn in its output area (${cell.figures} chart containers; notes: ${
        report.notes.join(" | ")
      })`,
    );
    strictEqual(cell.figures, cell.plotlyOutputs, `${label}: cell ${cell.index} chart containers`);
  }
  strictEqual(report.strayPlots, 0, `${label}: Plotly drew outside the charts' output areas`);
  return charts;
}

// NORMLAB_NOTEBOOKS=regex narrows the run while working on one lesson.
const only = new RegExp(Deno.env.get("NORMLAB_NOTEBOOKS") ?? "");
const names = (await listNotebooks()).filter((name) => only.test(name));

Deno.test({
  name: "classic Jupyter Notebook: Restart & Run All draws every chart; so does a reload",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const server = await startNotebookServer();
    const local = new RegExp(
      `^(${server.origin.replace(/[.]/g, "\\.")}|ws://127\\.0\\.0\\.1:|data:|blob:|about:)`,
    );
    try {
      for (const name of names) {
        await t.step(name, async () => {
          const stem = name.replace(/\.ipynb$/, "").replaceAll("/", "-");
          const browser = await launchBrowser(local);
          try {
            const started = performance.now();
            await browser.load(server.url(name));
            await waitForNotebook(browser);
            // A copy the server has never signed opens untrusted: its committed outputs' scripts
            // do not run, and every chart must say so (and what to do) instead of a blank gap.
            const untrusted = await inspectNotebook(browser, false);
            ok(!untrusted.trusted, `${name}: a fresh copy opens untrusted`);
            for (const cell of untrusted.cells) {
              strictEqual(cell.drawn, 0, `${name}: untrusted cell ${cell.index} drew a chart`);
              strictEqual(
                cell.trustHints,
                cell.plotlyOutputs,
                `${name}: untrusted cell ${cell.index}: one visible "not drawn … Trust Notebook" note per chart`,
              );
            }
            await unrollForScreenshot(browser);
            await browser.screenshot(`${OUT}live-${stem}-untrusted.png`);
            await restartAndRunAll(browser);
            const ran = await inspectNotebook(browser);
            await unrollForScreenshot(browser);
            await browser.screenshot(`${OUT}live-${stem}-run.png`);
            const charts = assertAllDrawn(ran, `${name} after Restart & Run All`);
            // Every slider works in the live page: Plotly.animate and a mouse drag.
            const sliders = await checkSliders(browser);
            assertSliders(sliders, EXPECTED_SLIDERS[name] ?? 0, `${name} after Restart & Run All`);
            await save(browser);
            await browser.load();
            await waitForNotebook(browser);
            const reloaded = await inspectNotebook(browser);
            await unrollForScreenshot(browser);
            await browser.screenshot(`${OUT}live-${stem}-reloaded.png`);
            ok(reloaded.trusted, `${name}: the saved notebook is trusted after the reload`);
            strictEqual(assertAllDrawn(reloaded, `${name} after save and reload`), charts);
            assertSliders(
              await checkSliders(browser),
              EXPECTED_SLIDERS[name] ?? 0,
              `${name} after save and reload`,
            );
            // Losing the output that carries plotly.js costs no chart: the browser kept a copy.
            const carrier = await carrierCell(browser);
            ok(carrier >= 0, `${name}: no output carries plotly.js`);
            await clearOutput(browser, carrier);
            await save(browser);
            await browser.load();
            await waitForNotebook(browser);
            const cleared = await inspectNotebook(browser);
            await unrollForScreenshot(browser);
            await browser.screenshot(`${OUT}live-${stem}-cleared.png`);
            strictEqual(await carrierCell(browser), -1, `${name}: the carrier was cleared`);
            const remaining = charts -
              (ran.cells.find((c) => c.index === carrier)?.plotlyOutputs ?? 0);
            strictEqual(
              assertAllDrawn(cleared, `${name} without the plotly.js output`),
              remaining,
            );
            deepStrictEqual(browser.errors, [], `${name}: page errors`);
            deepStrictEqual(browser.outsideRequests, [], `${name}: requests beyond the server`);
            console.log(
              `${name}: ${charts}/${charts} charts drawn after Restart & Run All and after reload (${
                ((performance.now() - started) / 1000).toFixed(1)
              } s); sliders: ${
                describeSliders(sliders) || "none"
              } → out/live-${stem}-{run,reloaded}.png`,
            );
          } finally {
            await browser.close();
          }
        });
      }
    } finally {
      await server.stop();
    }
  },
});
