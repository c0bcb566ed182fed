/**
 * Debian's classic Jupyter Notebook (6.x) as a learner runs it: a server on
 * 127.0.0.1 with a throw-away token and its own config, data and runtime
 * folders (so nothing of the machine's Jupyter state is read or changed), the
 * Deno kernel, and copies of the notebooks (the committed ones are never
 * touched), driven through the page with real clicks.
 *
 * @module
 */
import type { Browser } from "./browser.ts";
import { NOTEBOOK_DIR, PYTHON } from "./notebooks.ts";

const REPO = new URL("../../", import.meta.url).pathname;

/** A running Notebook server over a temporary copy of notebooks/. */
export interface NotebookServer {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** The token that the page URL carries. */
  token: string;
  /** The folder holding the copies (`notebooks/…` under it). */
  root: string;
  /** The page URL of a notebook, by its path under notebooks/. */
  url(name: string): string;
  /** Stops the server and removes every temporary folder. */
  stop(): Promise<void>;
  /** The end of the server's log. */
  log(): string;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.name.startsWith(".")) continue;
    if (entry.isDirectory) await copyTree(`${from}/${entry.name}`, `${to}/${entry.name}`);
    else if (entry.isFile) await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
}

/**
 * Starts `python3 -m notebook` on a free port. The copies live in
 * `out/live/notebooks/`, next to links to the repository's `mod.ts` and
 * `lib/`, so `../mod.ts` resolves as in the repository and Deno finds the
 * repository's deno.json.
 */
export async function startNotebookServer(): Promise<NotebookServer> {
  const root = `${REPO}out/live`;
  await Deno.remove(root, { recursive: true }).catch(() => {});
  await copyTree(NOTEBOOK_DIR.replace(/\/$/, ""), `${root}/notebooks`);
  await Deno.symlink(`${REPO}mod.ts`, `${root}/mod.ts`);
  await Deno.symlink(`${REPO}lib`, `${root}/lib`);
  const jupyter = await Deno.makeTempDir({ prefix: "normlab-jupyter-" });
  for (const folder of ["config", "data", "runtime"]) await Deno.mkdir(`${jupyter}/${folder}`);
  // The Deno kernel, declared in the temporary data folder (not the user's).
  await Deno.mkdir(`${jupyter}/data/kernels/deno`, { recursive: true });
  await Deno.writeTextFile(
    `${jupyter}/data/kernels/deno/kernel.json`,
    JSON.stringify({
      argv: [Deno.execPath(), "jupyter", "--kernel", "--conn", "{connection_file}"],
      display_name: "Deno",
      language: "typescript",
    }),
  );
  const port = freePort();
  const token = crypto.randomUUID().replaceAll("-", "");
  const server = new Deno.Command(PYTHON, {
    args: [
      "-m",
      "notebook",
      "--no-browser",
      "--ip=127.0.0.1",
      `--port=${port}`,
      "--port-retries=0",
      `--NotebookApp.token=${token}`,
      `--NotebookApp.notebook_dir=${root}`,
      "--NotebookApp.open_browser=False",
      // CI containers run as root, which the server refuses without this.
      ...(Deno.uid() === 0 ? ["--allow-root"] : []),
    ],
    env: {
      JUPYTER_CONFIG_DIR: `${jupyter}/config`,
      JUPYTER_DATA_DIR: `${jupyter}/data`,
      JUPYTER_RUNTIME_DIR: `${jupyter}/runtime`,
      JUPYTER_PATH: `${jupyter}/data`,
      PYDEVD_DISABLE_FILE_VALIDATION: "1",
      NO_COLOR: "1",
    },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  // Keep the server's log (it writes to stderr) for error messages; draining it also keeps
  // the server from blocking on a full pipe.
  let serverLog = "";
  (async () => {
    for await (const chunk of server.stderr.pipeThrough(new TextDecoderStream())) {
      serverLog = (serverLog + chunk).slice(-20_000);
    }
  })();
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      server.kill("SIGTERM");
    } catch { /* already gone */ }
    const timer = setTimeout(() => {
      try {
        server.kill("SIGKILL");
      } catch { /* gone */ }
    }, 5000);
    await server.status;
    clearTimeout(timer);
    await Deno.remove(jupyter, { recursive: true }).catch(() => {});
    await Deno.remove(root, { recursive: true }).catch(() => {});
  };
  let exited = false;
  server.status.then(() => exited = true);
  const deadline = Date.now() + 60_000;
  while (true) {
    try {
      const response = await fetch(`${origin}/api/status?token=${token}`);
      await response.body?.cancel();
      if (response.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline || exited) {
      await stop();
      throw new Error(`the Notebook server did not start on ${origin}:\n${serverLog}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    origin,
    token,
    root,
    url: (name) => `${origin}/notebooks/notebooks/${encodeURI(name)}?token=${token}`,
    stop,
    log: () => serverLog,
  };
}

/** What one notebook page showed, per code cell and overall. */
export interface LiveReport {
  /** Per code cell: its index, Plotly outputs in the model, drawn charts in its own output area. */
  cells: {
    index: number;
    plotlyOutputs: number;
    figures: number;
    drawn: number;
    /** How many visible "File → Trust Notebook" hints its outputs show (text, whatever the markup). */
    trustHints: number;
  }[];
  /** Error outputs and stderr streams in the model. */
  errorOutputs: string[];
  /** Plotly SVG roots that are not inside a normlab chart of an output area (say, in `<head>`). */
  strayPlots: number;
  /** The notes still shown in chart containers (the reasons a chart is not drawn). */
  notes: string[];
  /** Whether the page says the notebook is trusted. */
  trusted: boolean;
}

/** Waits until the notebook page has loaded its notebook. */
export async function waitForNotebook(browser: Browser): Promise<void> {
  await poll(browser, "window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded", 60);
}

async function poll(browser: Browser, condition: string, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await browser.evaluate<boolean>(`Boolean(${condition})`))) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${seconds} s waiting for ${condition}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Kernel → Restart & Run All with real clicks (menu, menu item, the
 * confirmation button), then waits until every code cell has run in the new
 * kernel (execution counts 1…n, nothing running) and the outputs have been
 * still for `settleSeconds` (late outputs would arrive then).
 */
export async function restartAndRunAll(browser: Browser, settleSeconds = 3): Promise<void> {
  await poll(browser, "Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()", 60);
  await browser.evaluate(`window.__normlabRestarted = false;
    Jupyter.notebook.events.one("kernel_restarting.Kernel", () => { window.__normlabRestarted = true; });`);
  await browser.click("#kernellink");
  await poll(browser, "document.querySelector('#restart_run_all a').offsetParent !== null", 10);
  await browser.click("#restart_run_all a");
  await poll(browser, "document.querySelector('.modal.in .modal-footer .btn-danger')", 10);
  await new Promise((resolve) => setTimeout(resolve, 500)); // the dialog fades in
  await browser.click(".modal.in .modal-footer .btn-danger");
  await poll(browser, "window.__normlabRestarted", 30);
  const finished = `(() => {
    const cells = Jupyter.notebook.get_cells().filter((c) => c.cell_type === "code");
    const counts = cells.map((c) => c.input_prompt_number);
    // Also the kernel indicator and the prompts themselves: a long cell that updates a display in
    // place (lesson 4's live chart) must not look finished while it still runs.
    const busy = document.querySelector("#kernel_indicator_icon.kernel_busy_icon") !== null;
    const starred = [...document.querySelectorAll(".input_prompt")].some((p) => p.textContent.includes("*"));
    return cells.length > 0 && !document.querySelector(".cell.running") && !busy && !starred &&
      counts.every((n) => typeof n === "number") && Math.max(...counts) === cells.length &&
      Jupyter.notebook.kernel.is_connected();
  })()`;
  await poll(browser, finished, 600); // lesson 4 trains five models
  let signature = "";
  while (true) {
    await new Promise((resolve) => setTimeout(resolve, settleSeconds * 1000));
    const now = await browser.evaluate<string>(
      "JSON.stringify(Jupyter.notebook.get_cells().map((c) => (c.output_area ? c.output_area.outputs.length : 0)))",
    );
    if (now === signature) break;
    signature = now;
  }
}

/** Clears the outputs of code cell `index` (as Cell → Current Outputs → Clear does). */
export async function clearOutput(browser: Browser, index: number): Promise<void> {
  await browser.evaluate(`Jupyter.notebook.get_cell(${index}).clear_output()`);
}

/** The index of the cell whose output carries plotly.js, or -1. */
export function carrierCell(browser: Browser): Promise<number> {
  return browser.evaluate<number>(`Jupyter.notebook.get_cells().findIndex((cell) =>
    cell.cell_type === "code" && cell.output_area.outputs.some((o) =>
      o.data && String(o.data["text/html"] || "").includes('<script type="application/x-normlab-plotly"')))`);
}

/** Saves with the toolbar's save button and waits until the server confirms. */
export async function save(browser: Browser): Promise<void> {
  await browser.evaluate(`window.__normlabSaved = false;
    Jupyter.notebook.events.one("notebook_saved.Notebook", () => { window.__normlabSaved = true; });`);
  await browser.click('button[data-jupyter-action="jupyter-notebook:save-notebook"]');
  await poll(browser, "window.__normlabSaved", 60);
}

/**
 * Waits (up to 60 s; 2 s when `expectDrawn` is false) for every chart to
 * draw, then reports per cell what the model holds and what its own output
 * area shows.
 */
export async function inspectNotebook(browser: Browser, expectDrawn = true): Promise<LiveReport> {
  const measure = `(() => {
    const PLOTLY = "application/vnd.plotly.v1+json";
    const visible = (element) => {
      const r = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      return r.width > 100 && r.height > 100 && style.visibility !== "hidden" && style.display !== "none";
    };
    const inside = (inner, outer) => {
      const a = inner.getBoundingClientRect();
      const b = outer.getBoundingClientRect();
      return a.left >= b.left - 1 && a.right <= b.right + 1 && a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
    };
    const cells = [];
    const errorOutputs = [];
    Jupyter.notebook.get_cells().forEach((cell, index) => {
      if (cell.cell_type !== "code") return;
      const outputs = cell.output_area.outputs;
      for (const output of outputs) {
        if (output.output_type === "error") errorOutputs.push("cell " + index + ": " + output.ename + ": " + output.evalue);
        if (output.output_type === "stream" && output.name === "stderr") errorOutputs.push("cell " + index + ": stderr: " + output.text);
      }
      const figures = Array.from(cell.element[0].querySelectorAll(".output_area .normlab-figure"));
      const drawn = figures.filter((figure) => {
        const svg = figure.querySelector("svg.main-svg");
        const area = figure.closest(".output_subarea");
        return svg && area && visible(figure) && visible(svg) && inside(svg, area) && inside(figure, area);
      });
      const shown = cell.element[0].querySelector(".output") ? cell.element[0].querySelector(".output").innerText : "";
      cells.push({
        index,
        plotlyOutputs: outputs.filter((o) => o.data && o.data[PLOTLY] !== undefined).length,
        figures: figures.length,
        drawn: drawn.length,
        trustHints: (shown.match(/not drawn: this page did not run[^]*?File → Trust Notebook/g) || []).length,
      });
    });
    const strayPlots = Array.from(document.querySelectorAll("svg.main-svg"))
      .filter((svg) => !svg.closest(".output_area .normlab-figure")).length +
      document.head.querySelectorAll(".plot-container, .js-plotly-plot").length;
    const notes = Array.from(document.querySelectorAll(".normlab-figure .normlab-note")).map((n) => n.textContent);
    return { cells, errorOutputs, strayPlots, notes, trusted: Jupyter.notebook.trusted };
  })()`;
  const deadline = Date.now() + (expectDrawn ? 60_000 : 2_000);
  while (true) {
    const report = await browser.evaluate<LiveReport>(measure);
    const done = report.cells.every((c) => c.drawn >= c.plotlyOutputs && c.drawn === c.figures);
    if (done || Date.now() > deadline) return report;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Lets the notebook's scrolling area grow to its content, for a full-page screenshot. */
export async function unrollForScreenshot(browser: Browser): Promise<void> {
  await browser.evaluate(`(() => {
    for (const element of [document.documentElement, document.body, document.querySelector("#site")]) {
      if (!element) continue;
      element.style.height = "auto";
      element.style.overflow = "visible";
    }
  })()`);
}
