/**
 * The training explorables and the sentence-in-batchings measurement: the
 * slider values equal what the evaluation functions measure.
 */
import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import {
  batchDependenceOfPredictions,
  batchingExplorable,
  confidenceExplorable,
  sentenceInBatchings,
  TransformerClassifier,
  Vocabulary,
} from "../mod.ts";
import { plotlyDisplayText } from "../lib/_plotly_text.ts";

const examples = [
  "good film",
  "bad plot",
  "so very good indeed",
  "awful",
  "fine acting and a fine story",
  "dull",
  "great fun",
  "boring and long",
  "loved it",
  "hated every minute of it",
].map((text, i) => ({ text, label: i % 2 === 0 ? 1 : 0 }));
const vocabulary = Vocabulary.fromTexts(examples.map((e) => e.text), { minCount: 1 });
const model = (norm: "batch" | "layer" | "maskedBatch") =>
  new TransformerClassifier({ vocabSize: vocabulary.size, dModel: 8, numHeads: 2, norm, seed: 3 });

Deno.test("sentenceInBatchings: the batchings and numbers of batchDependenceOfPredictions", () => {
  const batch = model("batch");
  const layer = model("layer");
  const options = { batchSize: 4, batchings: 5 };
  const dependence = batchDependenceOfPredictions(batch, examples, vocabulary, {
    ...options,
    mode: "train",
  });
  for (const index of [0, 3, 9]) {
    const rows = sentenceInBatchings(
      [
        { name: "BatchNorm", model: batch },
        { name: "BatchNorm, running", model: batch, mode: "eval" },
        { name: "LayerNorm", model: layer },
      ],
      examples,
      vocabulary,
      { index, ...options },
    );
    strictEqual(rows.length, 5);
    for (const [k, row] of rows.entries()) {
      strictEqual(row.seed, k);
      ok(Math.abs(row.probabilities[0]! - dependence.probabilities[k]![index]!) < 1e-12);
      ok(!row.companions.includes(examples[index]!.text), "the sentence is not its own companion");
      ok(row.companions.length <= 3);
    }
    const spread = (m: number) =>
      Math.max(...rows.map((r) => r.probabilities[m]!)) -
      Math.min(...rows.map((r) => r.probabilities[m]!));
    ok(Math.abs(spread(0) - dependence.spreads[index]!) < 1e-12, "the same spread");
    // The same in every batching up to float32 rounding: a batch's length decides which matmul
    // kernel runs, and kernels accumulate in different orders.
    ok(spread(1) < 1e-6, `running statistics: spread ${spread(1)}`);
    ok(spread(2) < 1e-6, `LayerNorm: spread ${spread(2)}`);
  }
  ok(dependence.max > 1e-4, "an untrained BatchNorm model already depends on its batch");
  throws(
    () => sentenceInBatchings([{ name: "b", model: batch }], examples, vocabulary, { index: 10 }),
    /sentenceInBatchings: expected index to be an integer in \[0, 10\) but found 10/,
  );
  throws(
    () => sentenceInBatchings([], examples, vocabulary, { index: 0 }),
    /sentenceInBatchings: expected at least one model but found none/,
  );
});

Deno.test("confidenceExplorable: one step per epoch, one line per norm, shares that sum to 1", () => {
  const labels = [1, 0, 1, 0, 1];
  const predictions = [1, 2, 3].flatMap((epoch) =>
    (["layer", "batch"] as const).map((norm) => ({
      norm,
      epoch,
      probabilities: labels.map((label, i) =>
        label === 1 ? 0.5 + epoch * 0.1 + i * 0.01 : 0.5 - epoch * 0.1
      ),
      labels,
    }))
  );
  const figure = confidenceExplorable(predictions.reverse());
  strictEqual(figure.frames!.length, 3);
  const steps = (figure.layout.sliders as { steps: { label: string }[] }[])[0]!.steps;
  deepStrictEqual(steps.map((s) => s.label), ["epoch 1 of 3", "epoch 2 of 3", "epoch 3 of 3"]);
  deepStrictEqual(figure.data.map((t) => t.name), ["BatchNorm (naive)", "LayerNorm"]);
  for (const frame of figure.frames!) {
    for (const trace of frame.data) {
      const total = (trace.y as number[]).reduce((a, b) => a + b, 0);
      ok(Math.abs(total - 1) < 1e-3, `shares sum to ${total}`);
    }
  }
  // Epoch 3: P(true label) = 0.8 for every negative, 0.8 … 0.84 for every positive → all in [0.8, 0.9).
  deepStrictEqual(figure.frames![2]!.data[0]!.y, [0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
  throws(
    () => confidenceExplorable(predictions.filter((p) => !(p.norm === "batch" && p.epoch === 2))),
    /confidenceExplorable: BatchNorm \(naive\) has no predictions for epoch 2/,
  );
  throws(
    () => confidenceExplorable([{ norm: "layer", epoch: 1, probabilities: [0.5], labels: [] }]),
    /confidenceExplorable: expected as many labels as probabilities/,
  );
});

Deno.test("batchingExplorable: companions named (three, then a count), escaped; a still model stays still", () => {
  const rows = [
    { seed: 0, companions: ["a", "<b>b</b>", "c", "d", "e"], length: 7, probabilities: [0.2, 0.6] },
    { seed: 1, companions: ["x".repeat(50)], length: 3, probabilities: [0.9, 0.6] },
  ];
  const figure = batchingExplorable(rows, {
    sentence: "100% <i>great</i>",
    label: 1,
    names: ["BatchNorm", "LayerNorm"],
  });
  const steps = (figure.layout.sliders as { steps: { label: string }[] }[])[0]!.steps;
  strictEqual(
    plotlyDisplayText(steps[0]!.label),
    "batching 0: with “a”, “<b>b</b>”, “c” and 2 more · T = 7",
  );
  ok(steps[0]!.label.includes("&lt;b&gt;"), "stored escaped");
  strictEqual(plotlyDisplayText(steps[1]!.label), `batching 1: with “${"x".repeat(31)}…” · T = 3`);
  deepStrictEqual(figure.frames!.map((f) => f.data.map((d) => d.y)), [[[0.2], [0.6]], [[0.9], [
    0.6,
  ]]]);
  deepStrictEqual((figure.layout.yaxis as { range: number[] }).range, [0, 1.08]);
  const title = (figure.layout.title as { text: string }).text;
  strictEqual(plotlyDisplayText(title), '"100% <i>great</i>" (positive) in 2 random batchings');
  throws(
    () => batchingExplorable(rows, { sentence: "s", label: 1, names: ["one"] }),
    /batchingExplorable: batching 0 has 2 probabilities but 1 model names/,
  );
});
