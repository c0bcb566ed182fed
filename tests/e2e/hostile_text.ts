/**
 * Hostile text through every chart builder, drawn by plotly.js in headless
 * Chromium (network off): Plotly renders a subset of HTML in its text fields
 * and substitutes `%{…}` in templates, so user text must reach it escaped.
 * The rendered DOM must hold no link and no injected style, and must show
 * the text literally — in titles, ticks, legends, annotations and hover labels.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import {
  barChart,
  featureStatsChart,
  heatmap,
  histogram,
  lineChart,
  Report,
  runDemo,
  scatter3d,
  sliderFigure,
  tensor,
} from "../../mod.ts";
import { inspectPage } from "./browser.ts";

const LINK = '<a href="https://example.org/">x</a>';
const STYLE = '<span style="font-size:200px">BIG</span>';
const TEMPLATE = "%{x} %{y:.2f} 50%";
const HOSTILE = `${LINK}${STYLE}<b>b</b><br>${TEMPLATE} &amp;`;
const PROTOTYPE_WORDS = ["constructor", "__proto__", "toString", "hasOwnProperty"];

/** What the page shows per chart: links and injected styles in the SVG, all SVG text, hovers. */
const PROBE = `(async () => {
  const figures = [...document.querySelectorAll(".normlab-figure")];
  const texts = (root) => [...root.querySelectorAll("svg text")].map((t) => t.textContent);
  const result = [];
  for (const figure of figures) {
    const hovers = [];
    const traces = figure._fullData || [];
    for (let curve = 0; curve < traces.length; curve++) {
      const trace = traces[curve];
      if (trace.type === "scatter3d" || trace.type === "surface" || trace.visible !== true) continue;
      const point = trace.type === "heatmap" ? [0, 0] : 0;
      try {
        Plotly.Fx.hover(figure, [{ curveNumber: curve, pointNumber: point }], trace.xaxis + trace.yaxis);
      } catch (error) {
        hovers.push("hover failed: " + error);
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      hovers.push([...figure.querySelectorAll(".hoverlayer text")].map((t) => t.textContent).join(" "));
      Plotly.Fx.unhover(figure);
    }
    result.push({
      links: figure.querySelectorAll("svg a").length,
      styled: [...figure.querySelectorAll("svg [style]")]
        .filter((element) => /200px/.test(element.getAttribute("style"))).length,
      bold: [...figure.querySelectorAll("svg tspan")]
        .filter((element) => /bold/.test(element.getAttribute("style") || "")).length,
      text: texts(figure).join("\\n"),
      hovers,
    });
  }
  return result;
})()`;

interface Probed {
  links: number;
  styled: number;
  bold: number;
  text: string;
  hovers: string[];
}

function hostileFigures() {
  const x = tensor([[[1, -2, 0.5], [0, 0, 0]], [[3, 4, -1], [5, -6, 2]]]);
  return [
    heatmap(x, {
      title: HOSTILE,
      rowLabels: [[HOSTILE, "constructor"], ["__proto__", "toString"]],
      colLabels: [HOSTILE, "__proto__", "constructor"],
      panelTitles: [HOSTILE, "constructor"],
      xTitle: HOSTILE,
      yTitle: HOSTILE,
      mask: tensor([[1, 0], [1, 1]]),
    }),
    barChart([{ name: HOSTILE, values: [1, 2, 3, 4, 5] }], {
      title: HOSTILE,
      categories: [HOSTILE, ...PROTOTYPE_WORDS],
      xTitle: HOSTILE,
      yTitle: HOSTILE,
    }),
    featureStatsChart({
      meanWithPadding: [1, 2],
      stdWithPadding: [1, 1],
      meanReal: [2, 3],
      stdReal: [0.5, 0.5],
    }, { title: HOSTILE, featureLabels: [HOSTILE, "constructor"] }),
    lineChart([{ name: HOSTILE, x: [1, 2, 3], values: [1, 2, 3] }], {
      title: HOSTILE,
      xTitle: HOSTILE,
      yTitle: HOSTILE,
      markers: [{ x: 2, label: HOSTILE }],
    }),
    scatter3d([{
      name: HOSTILE,
      points: tensor([[1, 0, -1], [0, 1, -1], [-1, 0, 1], [1, 1, 1], [0, 0, 2]]),
      labels: [HOSTILE, ...PROTOTYPE_WORDS],
    }], { title: HOSTILE, reference: "circle" }),
    histogram([{ name: HOSTILE, values: [1, 2, 2, 3] }], { title: HOSTILE, xTitle: HOSTILE }),
    // A slider's labels are user text too (the explorables put sentences in them).
    sliderFigure(
      barChart([{ name: HOSTILE, values: [0, 0] }], {
        title: HOSTILE,
        categories: [HOSTILE, "constructor"],
        xTitle: HOSTILE,
        yTitle: HOSTILE,
      }),
      [{ label: HOSTILE, data: [{ y: [2, 1] }] }, { label: "__proto__", data: [{ y: [1, 2] }] }],
    ),
  ];
}

function assertLiteral(probe: Probed, label: string, expectHover: boolean): void {
  strictEqual(probe.links, 0, `${label}: a link was drawn from user text`);
  strictEqual(probe.styled, 0, `${label}: an injected style was applied`);
  strictEqual(probe.bold, 0, `${label}: <b> was rendered as bold`);
  for (const literal of [LINK, STYLE, "<b>b</b>", "<br>", TEMPLATE, "&amp;"]) {
    ok(
      probe.text.includes(literal),
      `${label}: ${literal} is not shown literally in\n${probe.text}`,
    );
  }
  if (expectHover) {
    ok(probe.hovers.length > 0, `${label}: no hover label`);
    for (const hover of probe.hovers) ok(!hover.startsWith("hover failed"), `${label}: ${hover}`);
  }
}

Deno.test({
  name: "hostile text: every chart builder's output shows it literally in Chromium",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "normlab-hostile-" });
    try {
      const figures = hostileFigures();
      const report = new Report(HOSTILE);
      for (const figure of figures) report.figure(figure);
      await Deno.writeTextFile(`${dir}/charts.html`, report.toHTML());
      const page = await inspectPage(`file://${dir}/charts.html`, `${dir}/charts.png`, {
        probe: PROBE,
      });
      deepStrictEqual(page.errors, [], "console errors");
      strictEqual(page.drawn, figures.length, "every chart drew");
      const probed = page.probe as Probed[];
      const names = [
        "heatmap",
        "barChart",
        "featureStatsChart",
        "lineChart",
        "scatter3d",
        "histogram",
        "sliderFigure",
      ];
      probed.forEach((probe, i) => {
        const name = names[i]!;
        if (name === "featureStatsChart") {
          // Its series names are fixed; its title and feature labels are user text.
          ok(probe.text.includes(LINK) && probe.text.includes(TEMPLATE), name);
          strictEqual(probe.links + probe.styled + probe.bold, 0, name);
        } else {
          assertLiteral(probe, name, name !== "scatter3d");
        }
      });
      // The slider's current label is the first step's, shown literally (checked above), and
      // dragging it (inspectPage drives every slider) worked with such labels.
      deepStrictEqual(page.sliders.map((check) => check.labelAfterDrag), ["__proto__"]);
      // Hover labels carry the literal template text (bar: the series name).
      ok(probed[1]!.hovers.some((h) => h.includes(TEMPLATE) && h.includes(LINK)), "bar hover");
      // Heatmap hovers name the cell by its (literal) labels.
      ok(probed[0]!.hovers.some((h) => h.includes(LINK)), "heatmap hover");
      // Object.prototype names are ordinary categories: all four bars have their own tick.
      for (const word of PROTOTYPE_WORDS) {
        ok(probed[1]!.text.split("\n").includes(word), `bar tick ${word}`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "hostile text: the demo's report with markup, templates and Object.prototype words",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "normlab-hostile-demo-" });
    try {
      const sentences = [
        `${LINK} constructor __proto__`,
        `${STYLE} toString valueOf`,
        "%{x} 50% hasOwnProperty",
        "evil\u202Etxt.exe isPrototypeOf",
        ...Array.from({ length: 8 }, (_, i) => `sentence ${i} has some words`),
      ];
      const result = await runDemo({
        out: `${dir}/report.html`,
        sentences,
        dim: 3,
        seed: 0,
        maxLength: 12,
        json: true,
      }, {});
      const page = await inspectPage(`file://${result.report!.path}`, `${dir}/report.png`, {
        probe: PROBE,
      });
      deepStrictEqual(page.errors, [], "console errors");
      strictEqual(page.drawn, result.report!.charts, "every chart drew (the 3-D scatter too)");
      const probed = page.probe as Probed[];
      for (const [i, probe] of probed.entries()) {
        strictEqual(probe.links + probe.styled, 0, `chart ${i}: markup from a sentence rendered`);
        for (const hover of probe.hovers) ok(!hover.startsWith("hover failed"), `chart ${i}`);
      }
      const all = probed.map((p) => p.text).join("\n");
      // The tokenizer keeps the words ("a", "href", …) and drops the punctuation; the words
      // Object.prototype owns appear as ordinary labels.
      for (const word of ["constructor", "__proto__", "tostring", "hasownproperty"]) {
        ok(all.includes(word), `${word} is shown`);
      }
      ok(!all.includes("\u202E"), "no bidi override reaches a chart");
      ok(all.includes("\\u{202E}"), "the override is shown as its code point");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
