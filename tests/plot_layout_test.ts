/**
 * Chart layouts and text at the data level (the browser checks are in
 * tests/e2e/hostile_text.ts, run by `deno task test:e2e`): heatmap panels for any number of sentences, and
 * user text that is Plotly markup, a template, or an Object.prototype name.
 */
import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { barChart, heatmap, histogram, lineChart, randn, scatter3d, tensor } from "../mod.ts";
import { plotly3dText, plotlyDisplayText, plotlyText } from "../lib/_plotly_text.ts";

type Axis = { domain: [number, number] };

Deno.test("heatmap: 1 to 50 panels, each inside [0, 1], readable and not overlapping", () => {
  for (const [cols, labelLength] of [[3, 0], [3, 40], [12, 8], [40, 0]] as const) {
    for (let panels = 1; panels <= 50; panels++) {
      const rows = 5;
      const label = "w".repeat(labelLength);
      const figure = heatmap(randn([panels, rows, cols], { seed: panels }), {
        panelTitles: Array.from({ length: panels }, (_, p) => `sentence ${p} `.repeat(20)),
        rowLabels: labelLength === 0 ? undefined : Array.from({ length: rows }, () => label),
      });
      const layout = figure.layout as Record<string, unknown>;
      const height = figure.layout.height!;
      const plotHeight = height - 120; // the top and bottom margins
      const boxes: { x: [number, number]; y: [number, number] }[] = [];
      for (let p = 0; p < panels; p++) {
        const suffix = p === 0 ? "" : String(p + 1);
        const x = (layout[`xaxis${suffix}`] as Axis).domain;
        const y = (layout[`yaxis${suffix}`] as Axis).domain;
        for (const [lo, hi] of [x, y]) {
          ok(lo >= 0 && hi <= 1 && lo < hi, `${panels} panels: domain [${lo}, ${hi}]`);
        }
        ok(x[1] - x[0] >= 0.18, `${panels} panels of ${cols} columns: width ${x[1] - x[0]}`);
        ok(
          (y[1] - y[0]) * plotHeight >= 150,
          `${panels} panels: ${(y[1] - y[0]) * plotHeight}px tall`,
        );
        boxes.push({ x, y });
      }
      for (let a = 0; a < boxes.length; a++) {
        for (let b = a + 1; b < boxes.length; b++) {
          const [p, q] = [boxes[a]!, boxes[b]!];
          const apart = p.x[1] <= q.x[0] || q.x[1] <= p.x[0] || p.y[1] <= q.y[0] ||
            q.y[1] <= p.y[0];
          ok(apart, `${panels} panels: panels ${a} and ${b} overlap`);
        }
      }
      // Each panel's trace draws on its own axes, with its own data.
      strictEqual(figure.data.length, 2 * panels);
      strictEqual(layout.annotations && (layout.annotations as unknown[]).length, panels);
    }
  }
});

Deno.test("plotlyText: markup, entities and templates become literal text", () => {
  strictEqual(plotlyText('<a href="x">y</a>'), '&lt;a href="x"&gt;y&lt;/a&gt;');
  strictEqual(plotlyText("%{x} 50%"), "&#37;{x} 50&#37;");
  strictEqual(plotlyText("&amp;"), "&amp;amp;");
  for (
    const text of ["constructor", "__proto__", "toString", "hasOwnProperty", "<b>&%</b>", "ok"]
  ) {
    strictEqual(plotlyDisplayText(plotlyText(text)), text, "Plotly shows the original");
    ok(!(plotlyText(text) in Object.prototype), `${text} is not a prototype key`);
    ok(!(plotly3dText(text) in Object.prototype), `${text} (3-D) is not a prototype key`);
    ok(!/<(b|i|br|sub|sup)>/i.test(plotly3dText(text)), "no 3-D style tag");
  }
  strictEqual(plotlyText("a\u202Eb"), "a\\u{202E}b", "bidi overrides are shown");
});

Deno.test("chart builders: user text arrives escaped in every text field", () => {
  const hostile = "<i>%{y}</i>";
  const escaped = "&lt;i&gt;&#37;{y}&lt;/i&gt;";
  const json = (value: unknown) => JSON.stringify(value);
  const charts = [
    heatmap(tensor([[[1, 2]]]), {
      title: hostile,
      rowLabels: [hostile],
      colLabels: [hostile, "constructor"],
      panelTitles: [hostile],
      xTitle: hostile,
      yTitle: hostile,
    }),
    barChart([{ name: hostile, values: [1, 2] }], {
      title: hostile,
      categories: [hostile, "constructor"],
      xTitle: hostile,
      yTitle: hostile,
    }),
    lineChart([{ name: hostile, x: [hostile], values: [1] }], {
      title: hostile,
      xTitle: hostile,
      yTitle: hostile,
      markers: [{ x: 0, label: hostile }],
    }),
    scatter3d([{ name: hostile, points: tensor([[1, 2, 3]]), labels: [hostile] }], {
      title: hostile,
    }),
    histogram([{ name: hostile, values: [1] }], { title: hostile, xTitle: hostile }),
  ];
  for (const chart of charts) {
    const text = json(chart.toJSON());
    ok(!text.includes("<i>"), `${chart.title}: raw markup in ${text}`);
    ok(text.includes(escaped) || text.includes("<\u200Bi>"), text);
    strictEqual(chart.title, hostile, "Figure.title is the text as shown");
  }
  const bar = barChart([{ name: "n", values: [1, 2] }], {
    categories: ["constructor", "__proto__"],
  });
  deepStrictEqual((bar.data[0] as { x: string[] }).x.map(plotlyDisplayText), [
    "constructor",
    "__proto__",
  ]);
});

Deno.test("chart builders: arguments that are not series name the chart", () => {
  const x = tensor([1, 2, 3]);
  throws(
    () => histogram(x as never),
    /^Error: histogram: expected a list of series \(\{ name, values \}\) but found a Tensor \[3\]/,
  );
  throws(
    () => barChart([1, 2] as never),
    /^Error: barChart: expected series 0 to be \{ name: string, values: Tensor \| number\[\] \} but found number/,
  );
  throws(() => lineChart([{ name: "a" }] as never), /^Error: lineChart: expected series 0/);
  throws(() => scatter3d(x as never), /^Error: scatter3d: expected a list of point groups/);
  throws(
    () => scatter3d([{ name: "g", points: tensor([[1, 2, 3]]), labels: ["a", "b"] }]),
    /scatter3d: expected the labels of group "g" to be 1 strings \(one per point\) but found 2/,
  );
});
