/**
 * A notebook output that updates in place while work runs (a live chart),
 * through the kernel's `display_id` updates. Outside a Deno Jupyter kernel
 * it does nothing, so the same code runs in scripts and tests.
 *
 * @module
 */
import { JUPYTER_DISPLAY, type MimeBundle } from "./jupyter.ts";
import { SHOW_SETTLE_MS } from "./show.ts";

/** Something with a MIME bundle: a Figure, a table, a tensor. */
export interface HasDisplay {
  /** The MIME bundle to show. */
  [JUPYTER_DISPLAY](): MimeBundle | Promise<MimeBundle>;
}

interface JupyterDisplay {
  display(
    value: unknown,
    options: { raw?: boolean; update?: boolean; display_id?: string },
  ): Promise<void>;
}

function kernel(): JupyterDisplay | undefined {
  // `Deno.jupyter` exists only inside the kernel, and only when read (never at import time).
  const deno = (globalThis as { Deno?: { jupyter?: JupyterDisplay } }).Deno;
  try {
    return deno?.jupyter;
  } catch {
    return undefined;
  }
}

/**
 * One output that is shown once and then replaced in place: `show(value)`
 * the first time creates it, every later `show` updates it (no new output per
 * call). Returns whether a kernel displayed it.
 *
 * @example
 * ```ts
 * import { LiveOutput } from "./live_display.ts";
 * import { displayText } from "./display.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const live = new LiveOutput();
 * strictEqual(await live.show(displayText("epoch 1")), false); // not in a kernel: nothing shown
 * ```
 */
export class LiveOutput {
  /** The output's display id (unique per LiveOutput). */
  readonly displayId: string = `normlab-live-${crypto.randomUUID()}`;
  #shown = false;

  /** Shows `value` (first call) or replaces the output with it (later calls). */
  async show(value: HasDisplay): Promise<boolean> {
    const jupyter = kernel();
    if (jupyter === undefined) return false;
    const bundle = await value[JUPYTER_DISPLAY]();
    await jupyter.display(bundle, {
      raw: true,
      display_id: this.displayId,
      update: this.#shown,
    });
    this.#shown = true;
    // The kernel sends a display after its call returns: give it a turn, as `show` does
    // (see docs/kernel-late-output.md), so the update is not published after the cell ends.
    const bytes = JSON.stringify(bundle).length;
    await new Promise((resolve) => setTimeout(resolve, SHOW_SETTLE_MS + Math.ceil(bytes / 4_000)));
    return true;
  }
}
