import { deepStrictEqual, ok, rejects, strictEqual, throws } from "node:assert/strict";
import {
  arange,
  barChart,
  displayTable,
  displayTensor,
  displayText,
  featureStatsChart,
  Figure,
  heatmap,
  histogram,
  JUPYTER_DISPLAY,
  lineChart,
  loadPlotly,
  randn,
  Report,
  scatter3d,
  show,
  tensor,
} from "../mod.ts";

const HOSTILE = "</script><img src=x onerror=alert(1)>";

/** No hostile markup survives: neither the raw tag nor a script-closing sequence from user text. */
function assertInert(html: string, where: string): void {
  ok(!html.includes("<img src=x"), `${where}: an <img> tag got through`);
  ok(!html.includes(HOSTILE), `${where}: the hostile label appears unescaped`);
  // Every </script> must close a script we opened: count them.
  const opened = (html.match(/<script\b/g) ?? []).length;
  const closed = (html.match(/<\/script>/g) ?? []).length;
  strictEqual(closed, opened, `${where}: a label closed a <script>`);
}

const PLOTLY_BLOCK = '<script type="application/x-normlab-plotly"';

Deno.test("Figure: the MIME bundle has Plotly JSON, offline HTML (plotly once) and text", () => {
  const figure = barChart([{ name: "mean", values: [1, 2] }], {
    title: "Stats",
    categories: ["a", "b"],
  });
  const first = figure[JUPYTER_DISPLAY]();
  const json = first["application/vnd.plotly.v1+json"] as { data: unknown[]; layout: unknown };
  deepStrictEqual(json.data, figure.data);
  deepStrictEqual(json.layout, figure.layout);
  strictEqual(first["text/plain"], 'Figure "Stats": 1 trace(s) (bar)');
  const html = String(first["text/html"]);
  ok(html.includes(PLOTLY_BLOCK), "the first chart of a kernel carries plotly.js");
  ok(!/<script[^>]+src=/.test(html), "no external script");
  const second = String(barChart([{ name: "x", values: [1] }])[JUPYTER_DISPLAY]()["text/html"]);
  ok(!second.includes(PLOTLY_BLOCK), "later charts do not repeat plotly.js");
  ok(second.length < 10_000, `a later chart is small (${second.length} bytes)`);
  const loader = String(loadPlotly()[JUPYTER_DISPLAY]()["text/html"]);
  strictEqual(loader.split(PLOTLY_BLOCK).length - 1, 1, "loadPlotly carries plotly.js once");
});

Deno.test("Figure: every output has its own id, and its script finds the chart by that id", () => {
  const figure = barChart([{ name: "mean", values: [1, 2] }], { title: "Stats" });
  const ids = Array.from({ length: 50 }, () => {
    const html = String(figure[JUPYTER_DISPLAY]()["text/html"]);
    const id = /<div id="(normlab-figure-[0-9a-f]{16})" class="normlab-figure"/.exec(html)?.[1];
    ok(id !== undefined, "the chart's div has a normlab-figure id");
    ok(html.includes(`.draw("${id}", {`), "the script draws into the div with that id");
    return id;
  });
  strictEqual(new Set(ids).size, ids.length, "ids never repeat (not a per-kernel counter)");
  const fragment = figure.toFragment();
  ok(fragment.includes("document.getElementById(id)"), "the runtime looks the div up by id");
  ok(!/currentScript|previousElementSibling/.test(fragment), "nothing depends on DOM position");
});

Deno.test("Figure: the chart says what to do when a front end does not run its script", () => {
  const html = barChart([{ name: "m", values: [1] }], { title: "Means" }).toFragment();
  const note = /<div class="normlab-note"[^>]*>([^<]*)<\/div>/.exec(html)?.[1] ?? "";
  ok(note.includes("“Means” not drawn"), `the note names the chart: ${note}`);
  ok(note.includes("File → Trust Notebook"), "classic Notebook: trust the notebook");
  ok(note.includes("run the cell again"), "JupyterLab: run the cell again");
  // The note is plain HTML before the script, so it shows when scripts are stripped.
  ok(html.indexOf("normlab-note") < html.indexOf("<script>"));
});

Deno.test("Figure: toHTML is a standalone offline page; save writes it", async () => {
  const figure = lineChart([{ name: "y", x: [1, 2, 3], values: [1, 4, 9] }], { title: "Squares" });
  const html = figure.toHTML();
  ok(html.startsWith("<!DOCTYPE html>"));
  ok(html.includes("<title>Squares</title>"));
  ok(!/(src|href)=["']?https?:/i.test(html), "no network references");
  const path = await Deno.makeTempFile({ suffix: ".html" });
  await figure.save(path);
  // Each rendering gives its chart a new id; otherwise the file is the page.
  const normalize = (html: string) =>
    html.replace(/normlab-figure-[0-9a-f]{16}/g, "normlab-figure-N");
  strictEqual(normalize(await Deno.readTextFile(path)), normalize(figure.toHTML()));
  ok((await Deno.stat(path)).size > 1_000_000, "plotly.js is inlined");
  await Deno.remove(path);
});

Deno.test("figure builders: traces, labels, padding marks", () => {
  const x = tensor([[[1, -2], [0, 0]], [[3, 4], [5, -6]]]);
  const figure = heatmap(x, {
    mask: tensor([[1, 0], [1, 1]]),
    rowLabels: [["hi", "<pad>"], ["a", "b"]],
    colLabels: ["d0", "d1"],
    title: "x",
  });
  strictEqual(figure.data.length, 4);
  const values = figure.data[0] as { z: (number | null)[][]; y: string[]; zmid?: number };
  deepStrictEqual(values.z, [[1, -2], [null, null]]);
  // Labels are shown literally by Plotly: "<pad>" is entity-escaped, not a tag.
  deepStrictEqual(values.y, ["0 · hi", "1 · &lt;pad&gt;"]);
  const padding = figure.data[1] as { z: (number | null)[][]; text: string[][] };
  deepStrictEqual(padding.z, [[null, null], [1, 1]]);
  deepStrictEqual(padding.text, [["", ""], ["pad<br>0.00", "pad<br>0.00"]]);
  const attention = heatmap(tensor([[0.5, 0.5], [1, 0]]), { columnMask: tensor([1, 0]) });
  deepStrictEqual((attention.data[0] as { z: unknown }).z, [[0.5, null], [1, null]]);
  throws(
    () => heatmap(tensor([1, 2])),
    /heatmap: expected x to be a \(T, D\) or \(B, T, D\) tensor but found \[2\]/,
  );
  throws(
    () => heatmap(x, { mask: tensor([1, 1]) }),
    /heatmap: expected mask to have shape \[2, 2\] for x \[2, 2, 2\] but found \[2\]/,
  );
  strictEqual(
    featureStatsChart({ meanWithPadding: [1], stdWithPadding: [1], meanReal: [1], stdReal: [1] })
      .data.length,
    4,
  );
  strictEqual(
    histogram([{ name: "a", values: randn([10]) }, { name: "b", values: [1, 2] }]).data.length,
    2,
  );
  const circle = scatter3d([{ name: "p", points: tensor([[1, 0, -1]]) }], { reference: "circle" });
  const ring = circle.data[1] as { x: number[]; y: number[]; z: number[] };
  ok(
    ring.x.every((_, i) => Math.abs(ring.x[i]! + ring.y[i]! + ring.z[i]!) < 1e-5),
    "the circle lies in x + y + z = 0",
  );
  ok(
    ring.x.every((_, i) =>
      Math.abs(Math.hypot(ring.x[i]!, ring.y[i]!, ring.z[i]!) - Math.sqrt(3)) < 1e-5
    ),
    "radius √3",
  );
  strictEqual(
    scatter3d([{ name: "p", points: tensor([[1, 0, -1]]) }], { reference: "sphere" }).data.length,
    2,
  );
  throws(
    () => scatter3d([{ name: "p", points: tensor([[1, 0]]) }]),
    /scatter3d: expected the points of group "p" to have shape \(N, 3\) but found \[1, 2\]/,
  );
});

Deno.test("Tensor display: a table per batch item, padded rows shaded, large tensors abbreviated", () => {
  const x = tensor([[[1, 2], [0, 0]], [[3, 4], [5, 6]]]);
  const bundle = x[JUPYTER_DISPLAY]();
  strictEqual(bundle["text/plain"], x.toString());
  strictEqual((String(bundle["text/html"]).match(/<table/g) ?? []).length, 2);
  const masked = String(
    displayTensor(x, { mask: tensor([[1, 0], [1, 1]]) })[JUPYTER_DISPLAY]()["text/html"],
  );
  strictEqual((masked.match(/class="padded"/g) ?? []).length, 1);
  ok(masked.includes("1 (pad)"));
  throws(
    () => displayTensor(x, { mask: tensor([1, 0]) }),
    /displayTensor: expected mask to have one entry per row of x \[2, 2, 2\] \(4\) but found shape \[2\]/,
  );
  const big = String(arange(5000).reshape(50, 100)[JUPYTER_DISPLAY]()["text/html"]);
  ok(big.includes("…") && big.includes("⋮"), "abbreviated");
  ok((big.match(/<tr/g) ?? []).length <= 8, "only the edge rows");
});

Deno.test("escaping: a hostile label is inert in every HTML path", () => {
  const x = tensor([[[1, 2], [3, 4]]]);
  const figure = heatmap(x, {
    title: HOSTILE,
    rowLabels: [HOSTILE, "b"],
    colLabels: [HOSTILE, "d"],
    panelTitles: [HOSTILE],
  });
  assertInert(String(figure[JUPYTER_DISPLAY]()["text/html"]), "figure display");
  assertInert(figure.toHTML(), "figure page");
  ok(figure.toHTML().includes("<title>&lt;/script&gt;"), "the page title is escaped");
  // The builders entity-escape labels for Plotly; a hand-made Figure still relies on the JSON escape.
  const raw = new Figure({ data: [], layout: { title: { text: HOSTILE } } });
  ok(raw.toFragment().includes("\\u003c/script\\u003e"), "JSON escapes < inside the script");
  const line = lineChart([{ name: HOSTILE, values: [1] }], {
    title: HOSTILE,
    markers: [{ x: 0, label: HOSTILE }],
  });
  assertInert(line.toHTML(), "line chart");
  assertInert(
    String(
      displayTensor(x, { rowLabels: [HOSTILE], colLabels: [HOSTILE], title: HOSTILE })
        [JUPYTER_DISPLAY]()["text/html"],
    ),
    "tensor",
  );
  assertInert(
    String(
      displayTable([{ [HOSTILE]: HOSTILE }], { title: HOSTILE })[JUPYTER_DISPLAY]()["text/html"],
    ),
    "table",
  );
  assertInert(String(displayText(HOSTILE)[JUPYTER_DISPLAY]()["text/html"]), "text");
  const report = new Report(HOSTILE)
    .heading(HOSTILE)
    .markdown(`# ${HOSTILE}\n\n- **${HOSTILE}**\n\n\`${HOSTILE}\``)
    .table([{ a: HOSTILE }], { title: HOSTILE })
    .tensor(x, { rowLabels: [HOSTILE], title: HOSTILE })
    .figure(figure)
    .figure(barChart([{ name: HOSTILE, values: [1] }], { categories: [HOSTILE], title: HOSTILE }));
  assertInert(report.toHTML(), "report");
});

Deno.test("Report: one self-contained file, no network references, every chart counted", async () => {
  const report = new Report("normlab test report")
    .heading("Section")
    .markdown("Some *text* with `code`.\n\n- one\n- two")
    .figure(barChart([{ name: "a", values: [1, 2] }]))
    .figure(heatmap(tensor([[1, 2], [3, 4]])))
    .table([{ x: 1.23456, y: [1, 2] }]);
  strictEqual(report.figureCount, 2);
  const html = report.toHTML();
  ok(
    html.includes("<em>text</em>") && html.includes("<code>code</code>") &&
      html.includes("<li>two</li>"),
  );
  ok(
    html.includes(
      '<td style="padding:4px 10px;border:1px solid #e5e7eb;text-align:right;font-variant-numeric:tabular-nums">1.2346</td>',
    ),
  );
  ok(!/<(script|link|img|iframe)[^>]+(src|href)=/i.test(html), "nothing is loaded from elsewhere");
  ok(
    !/https?:\/\//.test(html.replace(/"[A-Za-z0-9+/=]{1000,}"/, "")),
    "no http(s) URL outside the packed bundle",
  );
  strictEqual(html.split(PLOTLY_BLOCK).length - 1, 1, "plotly.js inlined once");
  const path = await Deno.makeTempFile({ suffix: ".html" });
  await report.save(path);
  strictEqual(await Deno.readTextFile(path), html);
  await Deno.remove(path);
});

Deno.test("Figure: wraps a spec and describes itself", () => {
  const figure = new Figure({ data: [{ type: "scatter", x: [1], y: [2] }], layout: {} });
  strictEqual(figure.title, "");
  strictEqual(figure.toString(), "Figure: 1 trace(s) (scatter)");
  strictEqual(figure.config.displaylogo, false);
});

Deno.test("show: displays, then waits before the cell may end; outside the kernel it says so", async () => {
  const events: string[] = [];
  const started = performance.now();
  await show("value", {
    display: async (value) => {
      await Promise.resolve();
      events.push(`displayed ${value}`);
    },
    settleMs: 30,
  });
  events.push("returned");
  deepStrictEqual(events, ["displayed value", "returned"]);
  ok(performance.now() - started >= 25, "it waited settleMs after displaying");
  // A value that displays itself goes as its MIME bundle (raw), and big outputs wait longer.
  const raw: unknown[] = [];
  const big = displayText("x".repeat(300_000));
  const before = performance.now();
  await show(big, {
    display: (value, options) => Promise.resolve(void raw.push([value, options])),
  });
  deepStrictEqual(raw, [[big[JUPYTER_DISPLAY](), { raw: true }]]);
  ok(performance.now() - before >= 50 + 70, "300 kB of output waits about 50 + 75 ms");
  await rejects(() => show("x"), /show: expected to run inside a Deno Jupyter kernel/);
  await rejects(
    () => show("x", { settleMs: -1, display: () => Promise.resolve() }),
    /show: expected settleMs to be a number >= 0 but found -1/,
  );
});
