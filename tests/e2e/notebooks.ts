/**
 * Running the notebooks through the real Deno kernel with nbconvert, and
 * reading what they produced.
 *
 * @module
 */

/** The Python that has Jupyter (Debian's), overridable with JUPYTER_PYTHON. */
export const PYTHON = Deno.env.get("JUPYTER_PYTHON") ?? "/usr/bin/python3";
const E2E_DIR = new URL(".", import.meta.url).pathname;
/**
 * The slider charts (explorables) each lesson shows; the browser tests drive
 * every one and check that the number found is this.
 */
export const EXPECTED_SLIDERS: Readonly<Record<string, number>> = {
  "01_padding_problem.ipynb": 1,
  "bn/01_padding_problem.ipynb": 1,
  "02_layer_norm_geometry.ipynb": 0,
  "03_batch_norm_train_vs_eval.ipynb": 1,
  "04_training_with_each_norm.ipynb": 2,
};

export const NOTEBOOK_DIR = new URL("../../notebooks/", import.meta.url).pathname;

/**
 * The committed notebooks as paths under notebooks/ (subfolders included, such
 * as `bn/01_….ipynb`), sorted; checkpoints are skipped.
 */
export async function listNotebooks(folder = ""): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(`${NOTEBOOK_DIR}${folder}`)) {
    if (entry.name.startsWith(".")) continue;
    if (entry.isDirectory) names.push(...await listNotebooks(`${folder}${entry.name}/`));
    else if (entry.isFile && entry.name.endsWith(".ipynb")) names.push(`${folder}${entry.name}`);
  }
  return names.sort();
}

async function jupyter(args: string[]): Promise<void> {
  const result = await new Deno.Command(PYTHON, {
    args: ["-m", "jupyter", ...args],
    env: { PYTHONPATH: E2E_DIR, PYDEVD_DISABLE_FILE_VALIDATION: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!result.success) {
    throw new Error(
      `jupyter ${args.join(" ")} failed (exit ${result.code}):\n${
        new TextDecoder().decode(result.stderr).slice(-4000)
      }`,
    );
  }
}

/**
 * Executes a notebook top to bottom through the Deno kernel with nbconvert and
 * writes the result to `outputPath` (the notebook's own path refreshes it in
 * place). The kernel starts in the notebook's folder, so `../mod.ts` (and
 * `../../mod.ts` from a language folder) resolves.
 * Returns the wall-clock seconds.
 */
export async function executeNotebook(name: string, outputPath: string): Promise<number> {
  const started = performance.now();
  await jupyter([
    "nbconvert",
    "--to",
    "notebook",
    // Instead of --execute: the same execution, keeping outputs Deno's kernel publishes late.
    '--Exporter.preprocessors=["late_output.LateOutputExecutePreprocessor"]',
    "--LateOutputExecutePreprocessor.timeout=600", // lesson 4 trains five models in one cell
    `${NOTEBOOK_DIR}${name}`,
    "--output",
    outputPath,
  ]);
  return (performance.now() - started) / 1000;
}

/** Exports an executed notebook to HTML next to it; returns the HTML path. */
export async function exportHtml(notebookPath: string): Promise<string> {
  const directory = notebookPath.slice(0, notebookPath.lastIndexOf("/"));
  await jupyter(["nbconvert", "--to", "html", notebookPath, "--output-dir", directory]);
  return notebookPath.replace(/\.ipynb$/, ".html");
}

interface Output {
  output_type: string;
  name?: string;
  ename?: string;
  evalue?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
}

/** A notebook's cells as nbformat JSON. */
export interface Notebook {
  cells: { cell_type: string; source: string | string[]; outputs?: Output[] }[];
}

/** Error outputs and anything written to stderr, as readable lines. */
export function errorOutputs(notebook: Notebook): string[] {
  const problems: string[] = [];
  notebook.cells.forEach((cell, index) => {
    for (const output of cell.outputs ?? []) {
      if (output.output_type === "error") {
        problems.push(`cell ${index}: ${output.ename}: ${output.evalue}`);
      } else if (output.output_type === "stream" && output.name === "stderr") {
        problems.push(`cell ${index}: stderr: ${[output.text ?? ""].flat().join("")}`);
      }
    }
  });
  return problems;
}

/** Code cells that produced nothing at all. */
export function silentCodeCells(notebook: Notebook): number[] {
  return notebook.cells.flatMap((cell, index) =>
    cell.cell_type === "code" && (cell.outputs ?? []).length === 0 ? [index] : []
  );
}

/** The number of outputs that carry a Plotly chart. */
export function plotlyOutputCount(notebook: Notebook): number {
  return notebook.cells.reduce(
    (count, cell) =>
      count +
      (cell.outputs ?? []).filter((o) => o.data?.["application/vnd.plotly.v1+json"] !== undefined)
        .length,
    0,
  );
}

/** A chart's id: `normlab-figure-` and 16 random hex digits, new for every output. */
const FIGURE_ID = /normlab-figure-[0-9a-f]{16}/g;

/** Every chart id in the notebook's outputs, in order of appearance (with repeats). */
export function figureIds(notebook: Notebook): string[] {
  return outputsJson(notebook).match(FIGURE_ID) ?? [];
}

/**
 * Every cell's outputs, for comparing two runs. Chart ids are random by
 * design (unique across kernel sessions), so each distinct id is replaced by
 * its rank of first appearance (`normlab-figure-#1`, `#2`, …): two runs then
 * compare equal exactly when they agree on everything else, including which
 * outputs share an id.
 */
export function outputsOf(notebook: Notebook): string {
  const ranks = new Map<string, number>();
  return outputsJson(notebook).replace(FIGURE_ID, (id) => {
    if (!ranks.has(id)) ranks.set(id, ranks.size + 1);
    return `normlab-figure-#${ranks.get(id)}`;
  });
}

function outputsJson(notebook: Notebook): string {
  return JSON.stringify(notebook.cells.map((cell) => cell.outputs ?? []));
}
