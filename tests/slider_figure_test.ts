/**
 * Slider figures and the explorables at the data level: frames, slider steps,
 * labels, fixed ranges, escaping and bytes per step. (The browser drags them
 * in tests/e2e/end_to_end.ts.)
 */
import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import {
  barChart,
  batchDependence,
  batchExplorable,
  lineChart,
  paddingExplorable,
  paddingSweep,
  sliderFigure,
} from "../mod.ts";

type Slider = {
  active: number;
  steps: { label: string; method: string; args: [string[], unknown] }[];
};
const sliderOf = (layout: Record<string, unknown>) => (layout.sliders as Slider[])[0]!;
const rangeOf = (
  layout: Record<string, unknown>,
  axis: string,
) => (layout[axis] as { range: [number, number]; autorange: boolean });
const round4 = (values: number[]) => values.map((v) => Number(v.toPrecision(4)));

Deno.test("sliderFigure: one frame and one slider step per step, in order, showing `active`", () => {
  const base = lineChart([{ name: "a", values: [0, 0, 0] }, { name: "b", values: [1, 1, 1] }]);
  const steps = Array.from({ length: 5 }, (_, i) => ({
    label: `step ${i}`,
    data: [{ y: [i, 2 * i, -i] }],
  }));
  const figure = sliderFigure(base, steps, { animated: [0], active: 3 });
  const frames = figure.frames!;
  strictEqual(frames.length, 5);
  deepStrictEqual(frames.map((f) => f.traces), Array(5).fill([0]));
  deepStrictEqual(frames[4]!.data, [{ y: [4, 8, -4] }]);
  strictEqual(new Set(frames.map((f) => f.name)).size, 5, "frame names are unique");
  const slider = sliderOf(figure.layout);
  strictEqual(slider.active, 3);
  deepStrictEqual(slider.steps.map((s) => s.label), steps.map((s) => s.label));
  deepStrictEqual(slider.steps.map((s) => s.args[0][0]), frames.map((f) => f.name));
  ok(slider.steps.every((s) => s.method === "animate"));
  // The figure first shows the active step; the still trace keeps its values.
  deepStrictEqual(figure.data[0]!.y, [3, 6, -3]);
  deepStrictEqual(figure.data[1]!.y, [1, 1, 1]);
  strictEqual(figure.data[0]!.name, "a", "the base trace's look is kept");
  // Fixed ranges hold every step's values (−4 … 8) with a margin, and do not autorange.
  const y = rangeOf(figure.layout, "yaxis");
  ok(y.range[0] < -4 && y.range[0] > -5 && y.range[1] > 8 && y.range[1] < 9, `${y.range}`);
  strictEqual(y.autorange, false);
  // The animated trace's base values (0, 0, 0) are never shown, so they do not stretch the range:
  // with the still trace at 1 and the only frame in [5, 7], the range is [1, 7] less 5% of 6.
  const lone = sliderFigure(base, [{ label: "a", data: [{ y: [5, 6, 7] }] }], { animated: [0] });
  deepStrictEqual(rangeOf(lone.layout, "yaxis").range, [0.7, 7.3]);
  const x = rangeOf(figure.layout, "xaxis");
  ok(x.range[0] < 0 && x.range[1] > 2, `${x.range}`);
  // Play and pause buttons.
  const menu = (figure.layout.updatemenus as { buttons: { label: string }[] }[])[0]!;
  deepStrictEqual(menu.buttons.map((b) => b.label), ["▶ play", "❚❚ pause"]);
  deepStrictEqual(figure.toJSON().frames, frames);
  // A still chart's JSON has no frames at all (its outputs are what they were before sliders).
  strictEqual("frames" in base.toJSON(), false);
});

Deno.test("sliderFigure: bars' value axis includes 0; category axes and given ranges are left alone", () => {
  const base = barChart([{ name: "m", values: [0, 0] }], { categories: ["d0", "d1"] });
  base.layout.xaxis = { ...(base.layout.xaxis as object) };
  const figure = sliderFigure(base, [
    { label: "a", data: [{ y: [2, 3] }] },
    { label: "b", data: [{ y: [5, 4] }] },
  ]);
  const y = rangeOf(figure.layout, "yaxis");
  ok(y.range[0] <= 0 && y.range[0] > -1 && y.range[1] >= 5, `${y.range}`);
  strictEqual((figure.layout.xaxis as { range?: unknown }).range, undefined);
  const fixed = barChart([{ name: "m", values: [0] }]);
  fixed.layout.yaxis = { range: [-10, 10] };
  deepStrictEqual(
    rangeOf(sliderFigure(fixed, [{ label: "a", data: [{ y: [1] }] }]).layout, "yaxis").range,
    [-10, 10],
  );
  const free = sliderFigure(base, [{ label: "a", data: [{ y: [1, 1] }] }], { fixRanges: false });
  strictEqual((free.layout.yaxis as { range?: unknown }).range, undefined);
});

Deno.test("sliderFigure: labels show literally, never as markup, a template or a frame name", () => {
  const hostile = '<b>bold</b> </script><img src=x onerror=alert(1)> %{y} & "quoted" __proto__';
  const base = barChart([{ name: "m", values: [0] }]);
  const figure = sliderFigure(base, [{ label: hostile, data: [{ y: [1] }] }, {
    label: "__proto__",
    data: [{ y: [2] }],
  }]);
  const slider = sliderOf(figure.layout);
  strictEqual(
    slider.steps[0]!.label,
    '&lt;b&gt;bold&lt;/b&gt; &lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &#37;{y} &amp; "quoted" __proto__',
  );
  strictEqual(slider.steps[1]!.label, "&#95;_proto__", "never an Object.prototype key");
  ok(figure.frames!.every((f) => /^s\d+$/.test(f.name)), "frame names are never user text");
  const html = figure.toHTML();
  ok(!html.includes("</script><img"), "no label closes the chart's script");
});

Deno.test("sliderFigure: tick labels show for a few short steps only", () => {
  const base = barChart([{ name: "m", values: [0] }]);
  const colorOf = (steps: number, label: (i: number) => string, ticks?: "all" | "none") =>
    (sliderOf(
      sliderFigure(
        base,
        Array.from({ length: steps }, (_, i) => ({ label: label(i), data: [{ y: [i] }] })),
        { ticks },
      ).layout,
    ) as unknown as { font: { color?: string } }).font.color;
  strictEqual(colorOf(5, (i) => `T = ${i}`), undefined, "5 short labels: shown");
  strictEqual(colorOf(13, (i) => `${i}`), "rgba(0,0,0,0)", "13 steps: hidden");
  strictEqual(colorOf(3, (i) => `a rather long label ${i}`), "rgba(0,0,0,0)", "long: hidden");
  strictEqual(colorOf(13, (i) => `${i}`, "all"), undefined);
  strictEqual(colorOf(2, (i) => `${i}`, "none"), "rgba(0,0,0,0)");
});

Deno.test("sliderFigure: invalid input throws, naming the operation and the argument", () => {
  const base = barChart([{ name: "m", values: [0] }]);
  const one = [{ label: "a", data: [{ y: [1] }] }];
  throws(() => sliderFigure(base, []), /sliderFigure: expected at least one step but found none/);
  throws(
    () => sliderFigure(base, [{ label: "a", data: [{ y: [1] }, { y: [2] }] }]),
    /sliderFigure: step 0 has 2 trace\(s\) but 1 are animated/,
  );
  throws(
    () => sliderFigure(base, one, { animated: [1] }),
    /sliderFigure: expected animated trace indices in \[0, 1\) but found 1/,
  );
  throws(
    () => sliderFigure(base, one, { active: 1 }),
    /sliderFigure: expected active to be a step index in \[0, 1\) but found 1/,
  );
  throws(
    () => sliderFigure(base, one, { significantDigits: 0 }),
    /sliderFigure: expected significantDigits to be an integer in \[1, 17\] but found 0/,
  );
  throws(
    () => sliderFigure(base, one, { ticks: "some" as "all" }),
    /sliderFigure: expected ticks to be "auto", "all" or "none" but found "some"/,
  );
  throws(
    () => sliderFigure(base, [{ label: 3 as unknown as string, data: [] }]),
    /sliderFigure: expected step 0 to be \{ label: string, data: Trace\[\] \}/,
  );
});

Deno.test("paddingExplorable: T from the natural length to 100, frames equal the sweep, still traces still", () => {
  const sweep = paddingSweep({ sentences: ["Loved it", "The acting was terrible"], seed: 0 });
  const figure = paddingExplorable(sweep);
  const frames = figure.frames!;
  strictEqual(frames.length, 97, "T = 4 … 100");
  const slider = sliderOf(figure.layout);
  strictEqual(slider.steps[0]!.label, "T = 4 · padding 25&#37; of the batch");
  strictEqual(slider.steps[96]!.label, "T = 100 · padding 97&#37; of the batch");
  for (const [i, row] of sweep.rows.entries()) {
    deepStrictEqual(frames[i]!.data.map((d) => d.y), [
      round4(row.meanWithPadding),
      round4(row.stdWithPadding),
      round4(row.trackedBatchNorm),
    ]);
    // Masked BatchNorm and LayerNorm do not depend on T: the sweep says so, so no frame moves them.
    deepStrictEqual(row.meanReal, sweep.rows[0]!.meanReal);
    deepStrictEqual(row.trackedLayerNorm, sweep.rows[0]!.trackedLayerNorm);
    deepStrictEqual(row.trackedMaskedBatchNorm, sweep.rows[0]!.trackedMaskedBatchNorm);
  }
  deepStrictEqual(frames[0]!.traces, [0, 2, 4]);
  // The moving statistics really move: the padded mean shrinks toward 0 as T grows.
  const meanAt = (i: number) => Math.max(...(frames[i]!.data[0]!.y as number[]).map(Math.abs));
  ok(meanAt(96) < meanAt(0) / 10, `${meanAt(96)} vs ${meanAt(0)}`);
  // Every frame's values fit the fixed ranges of their panel.
  for (const [k, axis] of ["yaxis", "yaxis2", "yaxis3"].entries()) {
    const [low, high] = rangeOf(figure.layout, axis).range;
    for (const frame of frames) {
      for (const v of frame.data[k]!.y as number[]) ok(v >= low && v <= high, `${axis}: ${v}`);
    }
  }
});

Deno.test("paddingExplorable: bytes per step stay within 300 (a 100-step slider is ~30 kB)", () => {
  const sweep = paddingSweep({ sentences: ["Loved it", "The acting was terrible"], seed: 0 });
  const bytes = (steps: number) =>
    JSON.stringify(
      paddingExplorable({ ...sweep, rows: sweep.rows.slice(0, steps) }).toJSON(),
    ).length;
  const perStep = (bytes(97) - bytes(1)) / 96;
  ok(perStep <= 300, `${perStep.toFixed(0)} bytes per step`);
  ok(bytes(97) < 34_000, `${bytes(97)} bytes in all`);
});

Deno.test("paddingExplorable and batchExplorable speak Bengali", () => {
  const sweep = paddingSweep({ maxLength: 8 });
  const figure = paddingExplorable(sweep, { lang: "bn" });
  strictEqual(sliderOf(figure.layout).steps.at(-1)!.label, "T = 8 · batch-এর 63&#37; padding");
  const menu = (figure.layout.updatemenus as { buttons: { label: string }[] }[])[0]!;
  deepStrictEqual(menu.buttons.map((b) => b.label), ["▶ চালাও", "❚❚ থামাও"]);
  const batch = batchExplorable(batchDependence(), { lang: "bn", sentence: "Loved it" });
  strictEqual(sliderOf(batch.layout).steps[3]!.label.startsWith("batch 3: সঙ্গী “I would"), true);
});

Deno.test("batchExplorable: one step per batch, companions named and escaped, LayerNorm still", () => {
  const companions = [[], ["<i>so</i> 100% good"], ["Boring", "Superb", "a much longer companion"]];
  const rows = batchDependence({ sentence: "Loved it", companions });
  const figure = batchExplorable(rows, { sentence: "Loved it", token: "loved" });
  const labels = sliderOf(figure.layout).steps.map((s) => s.label);
  deepStrictEqual(labels, [
    "batch 0: with no companions · T = 2",
    "batch 1: with “&lt;i&gt;so&lt;/i&gt; 100&#37; good” · T = 5",
    "batch 2: with “Boring”, “Superb”, “a much longer companion” · T = 4",
  ]);
  const frames = figure.frames!;
  for (const [i, row] of rows.entries()) {
    deepStrictEqual(frames[i]!.data[0]!.y, round4(row.batchNormFirstToken));
    deepStrictEqual(frames[i]!.data[2]!.y, round4(row.layerNormFirstToken));
    deepStrictEqual(
      frames[i]!.data[2]!.y,
      frames[0]!.data[2]!.y,
      "LayerNorm: the same in every batch",
    );
  }
  ok(
    frames.some((f) => JSON.stringify(f.data[0]!.y) !== JSON.stringify(frames[0]!.data[0]!.y)),
    "BatchNorm moves with the batch",
  );
  throws(() => batchExplorable([]), /batchExplorable: expected at least one batch but found none/);
  throws(
    () => batchExplorable(rows, { featureLabels: ["a"] }),
    /batchExplorable: expected 3 feature labels \(one per feature\) but found 1/,
  );
});
