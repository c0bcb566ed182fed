/**
 * `show`: display a value in a Deno Jupyter notebook so that its output
 * reaches the front end before the cell reports that it has finished.
 *
 * Why: Deno's kernel (seen with 2.9.6) publishes a cell's outputs with an
 * operation it does not wait for — `Deno.jupyter.broadcast` does not return
 * the promise of the send, and a cell's last value is published after the
 * cell has run. Such an output sometimes arrives after the cell's `idle`
 * status (front ends then drop it) or carries the *next* cell's request
 * header (it appears under the wrong cell). Displaying inside the cell and
 * then giving the kernel's event loop a short turn before the cell ends put
 * every chart and table output before `idle` in our measurements; see
 * docs/kernel-late-output.md.
 *
 * @module
 */
import { type Displayable, JUPYTER_DISPLAY } from "./jupyter.ts";

/** Options for {@linkcode show}. */
export interface ShowOptions {
  /**
   * Milliseconds to wait after displaying, so that the kernel sends the output
   * before the cell ends: by default 50 ms plus 1 ms per 4 kB of output (a
   * 1.7 MB plotly.js output waits about 470 ms).
   *
   * @default {50 + bytes / 4_000}
   */
  settleMs?: number;
  /**
   * The display function; `Deno.jupyter.display` by default (it exists only
   * inside `deno jupyter`). It receives the value's MIME bundle with
   * `{ raw: true }` when the value displays itself, else the value. Tests
   * pass their own.
   */
  display?: (value: unknown, options?: { raw?: boolean }) => Promise<void>;
}

/** The least wait after each display, in milliseconds (see docs/kernel-late-output.md). */
export const SHOW_SETTLE_MS = 50;

/** Bytes of output per extra millisecond of wait. */
const BYTES_PER_MS = 4_000;

/**
 * Displays `value` (a chart, a table, a tensor — anything with
 * `[Symbol.for("Jupyter.display")]`) as an output of the running cell, then
 * waits `settleMs` so the output is sent before the cell finishes. Use it
 * instead of leaving a chart or table as the cell's last expression:
 * `await show(heatmap(x));`.
 *
 * @param value What to display.
 * @param options The wait and, for tests, the display function.
 * @returns When the value was displayed and the wait is over.
 * @throws {Error} Outside a Deno Jupyter kernel (when no `display` is given).
 *
 * @example
 * ```ts
 * import { show } from "./show.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const shown: unknown[] = [];
 * await show("a chart", { display: async (value) => { shown.push(value); }, settleMs: 0 });
 * deepStrictEqual(shown, ["a chart"]);
 * ```
 */
export async function show(value: unknown, options: ShowOptions = {}): Promise<void> {
  if (options.settleMs !== undefined && !(options.settleMs >= 0)) {
    throw new Error(`show: expected settleMs to be a number >= 0 but found ${options.settleMs}`);
  }
  const display = options.display ?? kernelDisplay();
  let bytes = 0;
  if (isDisplayable(value)) {
    const bundle = await value[JUPYTER_DISPLAY]();
    bytes = JSON.stringify(bundle).length;
    await display(bundle, { raw: true });
  } else {
    await display(value);
  }
  const settleMs = options.settleMs ?? SHOW_SETTLE_MS + Math.ceil(bytes / BYTES_PER_MS);
  await new Promise((resolve) => setTimeout(resolve, settleMs));
}

function isDisplayable(value: unknown): value is Displayable {
  return typeof value === "object" && value !== null &&
    typeof (value as Partial<Displayable>)[JUPYTER_DISPLAY] === "function";
}

/** `Deno.jupyter.display`, which exists only inside `deno jupyter` (reading it elsewhere throws). */
function kernelDisplay(): (value: unknown, options?: { raw?: boolean }) => Promise<void> {
  try {
    const jupyter = Deno.jupyter;
    return (value, options) => jupyter.display(value, options);
  } catch {
    throw new Error(
      "show: expected to run inside a Deno Jupyter kernel (deno jupyter) but Deno.jupyter is not available",
    );
  }
}
