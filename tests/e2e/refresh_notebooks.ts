/**
 * `deno task notebooks`: re-executes every notebook in place through the Deno
 * kernel, so the committed outputs come from a clean run.
 */
import { executeNotebook, listNotebooks, NOTEBOOK_DIR } from "./notebooks.ts";

for (const name of await listNotebooks()) {
  const seconds = await executeNotebook(name, `${NOTEBOOK_DIR}${name}`);
  const bytes = (await Deno.stat(`${NOTEBOOK_DIR}${name}`)).size;
  console.log(`${name}: executed in ${seconds.toFixed(1)} s, ${(bytes / 1e6).toFixed(2)} MB`);
}
