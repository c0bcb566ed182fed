/**
 * User text in tables and the terminal: words that Object.prototype owns
 * are ordinary column names and cells, and bidi overrides inside tokens are
 * shown as code points so they cannot reorder what a reader sees.
 */
import { ok, strictEqual } from "node:assert/strict";
import { displayTable, displayTensor, Report, tensor } from "../mod.ts";
import { JUPYTER_DISPLAY } from "../lib/jupyter.ts";
import { neutralizeBidi, terminalText } from "../lib/_safe_text.ts";

Deno.test("tables: a column named like an Object.prototype member is empty where a row lacks it", () => {
  const rows: Record<string, unknown>[] = [
    { word: "a", constructor: 1 },
    { word: "b" },
    { word: "c", toString: "x" },
  ];
  const bundle = displayTable(rows)[JUPYTER_DISPLAY]();
  const html = String(bundle["text/html"]);
  const text = String(bundle["text/plain"]);
  for (const shown of [html, text]) {
    ok(!shown.includes("native code"), `Object.prototype leaked into the table:\n${shown}`);
    ok(!shown.includes("function"), shown);
  }
  ok(html.includes("<th") && html.includes(">constructor</th>"));
});

Deno.test("bidi overrides in tokens are shown, not obeyed, in tables, tensors, reports and text", () => {
  const token = "evil\u202Etxt.exe";
  const shown = "evil\\u{202E}txt.exe";
  strictEqual(neutralizeBidi(token), shown);
  strictEqual(terminalText(`a\u001B[31mb\u2067c\n`), "a\\u{1B}[31mb\\u{2067}c\\u{A}");
  strictEqual(neutralizeBidi("আমি\u200Cবই"), "আমি\u200Cবই", "joiners Bengali needs stay");
  const table = displayTable([{ token }], { title: token })[JUPYTER_DISPLAY]();
  const tensorView = displayTensor(tensor([[[1, 2]]]), { rowLabels: [[token]], title: token })
    [JUPYTER_DISPLAY]();
  const report = new Report(token).heading(token).markdown(token).table([{ [token]: token }])
    .toHTML();
  for (const output of [table["text/html"], table["text/plain"], tensorView["text/html"], report]) {
    ok(!/[\u202A-\u202E\u2066-\u2069]/.test(String(output)), String(output).slice(0, 200));
    ok(String(output).includes(shown));
  }
});
