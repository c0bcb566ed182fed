/**
 * `deno task notebooks`: re-executes every notebook in place through the Deno
 * kernel, so the committed outputs come from a clean run. An argument narrows
 * it to the notebooks whose name matches it as a regular expression
 * (`deno task notebooks '^01|^bn/'`).
 */
import { executeNotebook, listNotebooks, NOTEBOOK_DIR } from "./notebooks.ts";

const only = new RegExp(Deno.args[0] ?? "");
for (const name of (await listNotebooks()).filter((name) => only.test(name))) {
  const seconds = await executeNotebook(name, `${NOTEBOOK_DIR}${name}`);
  const bytes = (await Deno.stat(`${NOTEBOOK_DIR}${name}`)).size;
  console.log(`${name}: executed in ${seconds.toFixed(1)} s, ${(bytes / 1e6).toFixed(2)} MB`);
}
