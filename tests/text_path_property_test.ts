/**
 * Property: any Unicode a person can type — markup, Plotly templates, HTML
 * entities, bidi controls, Object.prototype names, lone surrogates — goes
 * through the demo's text path (the command line, tokenising, the report's
 * tables and charts, the terminal) without a crash, and arrives as inert text:
 * the run either succeeds or is a one-line usage error (exit 2), never an
 * internal failure; no chart string holds markup or a template field from
 * the input; no category or 3-D label is an Object.prototype key; the
 * terminal gets no control or bidi characters.
 */
import { ok, strictEqual } from "node:assert/strict";
import fc from "fast-check";
import { type CliIO, main } from "../mod.ts";

const FRAGMENTS = [
  '<a href="https://example.org/">x</a>',
  '<span style="font-size:200px">',
  "<b>",
  "<br>",
  "</script>",
  "%{x}",
  "%{y:.2f}",
  "%",
  "&amp;",
  "&#60;",
  "constructor",
  "__proto__",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "\u202E",
  "\u2066",
  "\u001B[2J",
  "আমি বইটি পছন্দ করি",
  "\uD800",
];

const word = fc.oneof(
  fc.constantFrom(...FRAGMENTS),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 12 }),
);
const sentence = fc.array(word, { minLength: 1, maxLength: 6 }).map((words) => words.join(" "));

/** What must never reach a terminal: control characters (but tab and newline) and bidi controls. */
// deno-lint-ignore no-control-regex -- looking for control characters is the point
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/** Our own markup and template fields, the only ones a chart may hold. */
const OWN_MARKUP = /<br>|<extra><\/extra>/g;
const OWN_FIELDS = /%\{(x|y|z|text)(:\.[0-9]f)?\}/g;

function* strings(value: unknown, key = ""): Generator<[string, string]> {
  if (typeof value === "string") yield [key, value];
  else if (Array.isArray(value)) { for (const item of value) yield* strings(item, key); }
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) yield* strings(v, k);
  }
}

function chartSpecs(html: string): { data: Record<string, unknown>[]; layout: unknown }[] {
  // Each chart's script ends with `….draw("normlab-figure-…", {spec});` on one line.
  return [...html.matchAll(/\.draw\("normlab-figure-[0-9a-f]+", (.*)\);\n/g)].map((match) =>
    JSON.parse(match[1]!)
  );
}

Deno.test({
  name: "property: random Unicode through the demo's text path arrives as inert text",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "normlab-text-path-" });
    let succeeded = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(sentence, { minLength: 1, maxLength: 4 }), async (sentences) => {
          const out = `${dir}/report.html`;
          await Deno.remove(out).catch(() => {});
          const stdout: string[] = [];
          const stderr: string[] = [];
          const io: CliIO = { out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
          const args = ["--out", out, "--max-length", "8"];
          for (const s of sentences) args.push(`--sentence=${s}`);
          const code = await main(args, io);
          for (const line of [...stdout, ...stderr]) {
            ok(
              !TERMINAL_UNSAFE.test(line),
              line,
            );
          }
          if (code === 2) {
            strictEqual(stderr.length, 2, "a usage error is one line and the --help hint");
            return;
          }
          strictEqual(code, 0, stderr.join("\n"));
          succeeded++;
          const html = await Deno.readTextFile(out);
          const specs = chartSpecs(html);
          ok(specs.length >= 10, "every chart is in the report");
          for (const spec of specs) {
            for (const [key, text] of strings(spec)) {
              const bare = text.replace(OWN_MARKUP, "").replace(OWN_FIELDS, "");
              if (key === "text" && spec.data.some((t) => t.type === "scatter3d")) {
                // 3-D labels: WebGL text, tags broken by a zero-width space after "<".
                ok(!/<(b|i|br|sub|sup)>/i.test(text), `3-D label ${JSON.stringify(text)}`);
                ok(!(text in Object.prototype), `3-D label ${JSON.stringify(text)}`);
                continue;
              }
              ok(!bare.includes("<"), `${key}: markup in ${JSON.stringify(text)}`);
              ok(!bare.includes("%{"), `${key}: a template field in ${JSON.stringify(text)}`);
              ok(!/[\u202A-\u202E\u2066-\u2069]/.test(text), `${key}: a bidi control`);
            }
            for (const trace of spec.data) {
              for (const axis of ["x", "y"] as const) {
                const values = trace[axis];
                if (!Array.isArray(values)) continue;
                for (const value of values) {
                  if (typeof value === "string") {
                    ok(!(value in Object.prototype), `${axis} category ${JSON.stringify(value)}`);
                  }
                }
              }
            }
          }
          // Outside the charts, the HTML holds no markup from the sentences either.
          const outside = html.replace(/<script>[\s\S]*?<\/script>/g, "");
          ok(
            !/<a |<span style|<b>|\u202E/.test(outside),
            "markup or an override outside the charts",
          );
        }),
        { numRuns: 40, seed: 11 },
      );
      ok(succeeded >= 10, `only ${succeeded} runs got past the usage checks`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
