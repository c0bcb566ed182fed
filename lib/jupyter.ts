/**
 * The hook by which Deno Jupyter displays objects richly. Nothing here
 * touches `Deno.jupyter`, which exists only inside the kernel.
 *
 * @module
 */

/**
 * `Symbol.for("Jupyter.display")`: the kernel calls `value[JUPYTER_DISPLAY]()`
 * on a cell's result and shows the MIME bundle it returns.
 *
 * @example
 * ```ts
 * import { JUPYTER_DISPLAY } from "./jupyter.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(JUPYTER_DISPLAY, Symbol.for("Jupyter.display"));
 * ```
 */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** A MIME bundle: MIME type → content (a string, or JSON for JSON types). */
export type MimeBundle = Record<string, unknown>;

/** Anything that displays itself in Deno Jupyter. */
export interface Displayable {
  /** The MIME bundle to show. */
  [JUPYTER_DISPLAY](): MimeBundle;
}
