/**
 * Learning end to end: PyTorch parity of 20 Adam steps, overfitting a small
 * set, the trainer's reproducibility and early stop, the measurements, the
 * experiment's JSON shape and `deno task train`'s flags.
 */
import { deepStrictEqual, ok, rejects, strictEqual, throws } from "node:assert/strict";
import {
  Adam,
  batchDependenceOfPredictions,
  clipGradNorm,
  crossEntropy,
  type ExperimentProgress,
  type ExperimentResult,
  loadSafetensors,
  type NormKind,
  parseTrainArgs,
  predict,
  runNormComparison,
  tensor,
  trainClassifier,
  trainMain,
  TransformerClassifier,
  Vocabulary,
  withStatistics,
} from "../mod.ts";

// deno-lint-ignore no-explicit-any
type Case = Record<string, any>;
const fixture = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/modules.json", import.meta.url)),
) as { classifiers: Case[]; training: Case[] };

Deno.test("20 Adam steps match PyTorch: every loss and every final weight (1e-4 relative)", async () => {
  const config = fixture.classifiers[0]!.config;
  let worstLoss = 0;
  let worstWeight = 0;
  for (const c of fixture.training) {
    const model = new TransformerClassifier({
      ...config,
      norm: c.norm as NormKind,
      normFirst: c.normFirst,
      dropout: 0,
    });
    model.loadStateDict(
      await loadSafetensors(new URL(`./fixtures/modules/${c.name}.safetensors`, import.meta.url)),
    );
    // eps 1e-5 as in the generator: some entries' true gradient is exactly 0 (see there).
    const optimizer = new Adam(model.parameters(), { lr: 1e-3, eps: 1e-5 });
    c.batches.forEach((batch: Case, step: number) => {
      const loss = crossEntropy(model.forward(tensor(batch.ids)), batch.labels);
      optimizer.zeroGrad();
      loss.backward();
      clipGradNorm(model.parameters(), 1);
      optimizer.step();
      const deviation = Math.abs(loss.item() - c.losses[step]) / Math.abs(c.losses[step]);
      worstLoss = Math.max(worstLoss, deviation);
      ok(deviation < 1e-4, `${c.name} step ${step + 1}: loss ${loss.item()} vs ${c.losses[step]}`);
    });
    for (const [name, value] of Object.entries(model.stateDict())) {
      const expected = c.final[name] as number[];
      let scale = 1;
      for (const v of expected) scale = Math.max(scale, Math.abs(v));
      expected.forEach((v, i) => {
        const deviation = Math.abs(value.data[i]! - v) / scale;
        worstWeight = Math.max(worstWeight, deviation);
        ok(deviation < 1e-4, `${c.name} ${name}[${i}]: ${value.data[i]} vs ${v}`);
      });
    }
  }
  console.log(
    `${fixture.training.length} runs × 20 steps: worst loss deviation ${worstLoss}, worst weight deviation ${worstWeight}`,
  );
});

const SIXTEEN = [
  ["a wonderful film", 1],
  ["terrible acting", 0],
  ["i loved every minute", 1],
  ["boring and far too long", 0],
  ["great soundtrack", 1],
  ["the plot makes no sense", 0],
  ["a clever script", 1],
  ["not worth the ticket", 0],
  ["an instant classic", 1],
  ["the ending ruined it", 0],
  ["beautiful and moving", 1],
  ["awful", 0],
  ["funny and warm", 1],
  ["a complete waste of time", 0],
  ["brilliant cast", 1],
  ["dull dull dull", 0],
].map(([text, label]) => ({ text: text as string, label: label as number }));

Deno.test("a TransformerClassifier overfits 16 sentences to 100 % within 60 steps", async () => {
  for (const norm of ["layer", "maskedBatch"] as const) {
    const { history } = await trainClassifier({
      train: SIXTEEN,
      minCount: 1,
      norm,
      dModel: 16,
      dimFeedforward: 32,
      dropout: 0,
      lr: 1e-2,
      batchSize: 16,
      epochs: 60,
      seed: 1,
    });
    const first = history.findIndex((h) => h.trainAccuracy === 1);
    ok(first >= 0, `${norm}: never reached 100 % (last ${history.at(-1)!.trainAccuracy})`);
    console.log(`${norm}: 100 % training accuracy first at step ${first + 1} (batch of 16)`);
  }
});

Deno.test("training is reproducible from its seed and stops cleanly on abort", async () => {
  const options = { train: SIXTEEN, minCount: 1, dModel: 8, epochs: 3, batchSize: 4, seed: 5 };
  const a = await trainClassifier(options);
  const b = await trainClassifier(options);
  deepStrictEqual(a.history.map((h) => h.loss), b.history.map((h) => h.loss));
  const controller = new AbortController();
  let steps = 0;
  const stopped = await trainClassifier({
    ...options,
    signal: controller.signal,
    onStep: () => {
      if (++steps === 6) controller.abort();
    },
  });
  strictEqual(stopped.stopped, true);
  strictEqual(steps, 6);
  strictEqual(stopped.history.length, 1); // epoch 1 (4 steps) finished; epoch 2 stopped
});

Deno.test("training lets a timer abort it mid-run (the event loop gets turns between steps)", async () => {
  const options = { train: SIXTEEN, minCount: 1, dModel: 8, epochs: 400, batchSize: 4, seed: 5 };
  const controller = new AbortController();
  let steps = 0;
  let stepsAtAbort = -1;
  const timer = setTimeout(() => {
    stepsAtAbort = steps;
    controller.abort();
  }, 30);
  const result = await trainClassifier({
    ...options,
    signal: controller.signal,
    onStep: () => void steps++,
  });
  clearTimeout(timer);
  strictEqual(result.stopped, true, `the timer never ran: ${steps} steps, all 400 epochs`);
  strictEqual(steps, stepsAtAbort, "training stops at the step after the abort");
  ok(result.history.length < 400);
});

Deno.test("batch statistics make BatchNorm's predictions batch-dependent; running ones do not", () => {
  const vocab = Vocabulary.fromTexts(SIXTEEN.map((e) => e.text));
  for (const norm of ["batch", "maskedBatch", "layer"] as const) {
    const model = new TransformerClassifier({ vocabSize: vocab.size, dModel: 8, norm, seed: 2 });
    const options = { batchSize: 4, batchings: 4 };
    const evalMode = batchDependenceOfPredictions(model, SIXTEEN, vocab, {
      ...options,
      mode: "eval",
    });
    const trainMode = batchDependenceOfPredictions(model, SIXTEEN, vocab, {
      ...options,
      mode: "train",
    });
    ok(evalMode.max < 1e-6, `${norm} eval: ${evalMode.max}`);
    if (norm === "layer") ok(trainMode.max < 1e-6, `layer train: ${trainMode.max}`);
    else ok(trainMode.max > 1e-3, `${norm} train: ${trainMode.max}`);
    // Predicting never changes the model.
    strictEqual(model.training, true);
  }
});

Deno.test("alone with batch statistics, a BatchNorm model predicts one class for every sentence", () => {
  const vocab = Vocabulary.fromTexts(SIXTEEN.map((e) => e.text));
  const model = new TransformerClassifier({ vocabSize: vocab.size, dModel: 8, norm: "batch" });
  const alone = predict(model, SIXTEEN, vocab, { batchSize: 1, mode: "train" });
  const first = alone.probabilities[0]!;
  for (const p of alone.probabilities) ok(Math.abs(p - first) < 1e-5);
  strictEqual(alone.accuracy, 0.5); // the same class for all 16, 8 of each label
  withStatistics(model, "train", () => strictEqual(model.training, false));
});

Deno.test("runNormComparison returns the documented JSON shape", async () => {
  const result = await runNormComparison({
    norms: ["layer", "batch"],
    seeds: [0],
    epochs: 1,
    limit: 160,
    dModel: 8,
    batchings: 2,
  });
  const run = result.runs[0]!;
  for (const key of ["norm", "normFirst", "order", "seed", "history", "metrics"]) ok(key in run);
  for (
    const key of [
      "testAccuracy",
      "trainModeAccuracy",
      "singleSentenceAccuracy",
      "padded100Accuracy",
      "batchDependence",
      "trainEvalShift",
      "secondsPerEpoch",
    ]
  ) ok(key in run.metrics, key);
  deepStrictEqual(Object.keys(run.history[0]!).includes("testAccuracy"), true);
  ok(result.baselines.afinn.testAccuracy > 0.5);
  const parsed = JSON.parse(JSON.stringify(result));
  strictEqual(parsed.runs.length, 2);
  strictEqual(parsed.runs[1].metrics.batchDependence.eval.max < 1e-6, true);
});

Deno.test("runNormComparison on worker threads: the same runs, in the same order, and it stops", async () => {
  const options = {
    norms: ["layer", "batch"] as NormKind[],
    seeds: [0, 1],
    epochs: 2,
    limit: 160,
    dModel: 8,
    batchings: 2,
  };
  const one = await runNormComparison(options);
  const progress: ExperimentProgress[] = [];
  const two = await runNormComparison({
    ...options,
    workers: 2,
    onProgress: (p) => progress.push(p),
  });
  strictEqual(one.config.workers, 1);
  strictEqual(two.config.workers, 2);
  // Everything but the timings (seconds, and the workers they were measured with) is equal.
  const withoutTimings = (result: ExperimentResult) =>
    JSON.parse(
      JSON.stringify(result, (key, value) =>
        key === "seconds" || key === "secondsPerEpoch" || key === "workers" ? undefined : value),
    );
  deepStrictEqual(withoutTimings(two), withoutTimings(one));
  deepStrictEqual(two.runs.map((r) => `${r.norm} ${r.seed}`), [
    "layer 0",
    "batch 0",
    "layer 1",
    "batch 1",
  ]);
  const stepsPerEpoch = progress[0]!.stepsPerEpoch;
  strictEqual(progress.length, 4 * 2 * stepsPerEpoch, "every step of every run, once");
  strictEqual(Math.max(...progress.map((p) => p.stepsDone)), 4 * 2 * stepsPerEpoch);
  ok(progress.some((p) => p.running === 2), "two runs were in progress at once");
  await rejects(
    runNormComparison({ ...options, workers: 2, onEpoch: () => {} }),
    /onRun and onEpoch receive the model, which stays on its worker thread/,
  );
  await rejects(runNormComparison({ ...options, workers: 0 }), /workers must be an integer/);
  // A run that throws on its worker, and a progress callback that throws here, end the call.
  await rejects(
    runNormComparison({ ...options, norms: ["layer", "group" as NormKind], workers: 2 }),
    /TransformerEncoderLayer: expected norm to be one of .* but found group/,
  );
  await rejects(
    runNormComparison({
      ...options,
      workers: 2,
      onProgress: () => {
        throw new Error("a failing progress bar");
      },
    }),
    /a failing progress bar/,
  );
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 300);
  const stopped = await runNormComparison({
    ...options,
    epochs: 100,
    workers: 2,
    signal: controller.signal,
  });
  clearTimeout(timer);
  strictEqual(stopped.stopped, true);
  ok(stopped.runs.length < 4, `${stopped.runs.length} runs finished`);
  const order = ["layer 0", "batch 0", "layer 1", "batch 1"];
  const finished = stopped.runs.map((r) => order.indexOf(`${r.norm} ${r.seed}`));
  deepStrictEqual(finished, [...finished].sort((a, b) => a - b), "finished runs in their order");
});

Deno.test("deno task train: without read access to the worker's module, a clear error", async () => {
  const folder = await Deno.makeTempDir();
  const cli = new URL("../lib/train_cli.ts", import.meta.url).pathname;
  const args = ["--workers", "2", "--norm", "layer", "--seeds", "0,1", "--limit", "100"];
  args.push("--out", `${folder}/r.html`);
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", `--allow-read=${folder}`, `--allow-write=${folder}`, "--allow-env", cli, ...args],
    stdout: "null",
    stderr: "piped",
  }).output();
  const message = new TextDecoder().decode(stderr);
  strictEqual(code, 1, message);
  ok(
    message.includes("error: runNormComparison: workers: 2 needs read access to ") &&
      message.includes("_run_worker.ts (the worker's module): allow it (--allow-read)"),
    message,
  );
  // Without --workers, the default falls back to one run at a time, on this thread.
  const fallback = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--allow-read=${folder}`,
      `--allow-write=${folder}`,
      "--allow-env",
      cli,
      ...args.slice(2),
      "--epochs",
      "1",
      "--json",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(folder, { recursive: true });
  strictEqual(fallback.code, 0, new TextDecoder().decode(fallback.stderr));
  const result = JSON.parse(new TextDecoder().decode(fallback.stdout));
  strictEqual(result.config.workers, 1);
  strictEqual(result.runs.length, 2);
});

for (const workers of ["1", "2"]) {
  Deno.test(`deno task train --workers ${workers}: a stop (from a timer, mid-run) exits 130 and claims nothing`, async () => {
    const folder = await Deno.makeTempDir();
    const out: string[] = [];
    const errors: string[] = [];
    const controller = new AbortController();
    // Fires during the first run(s): training gives the event loop a turn every 200 ms or so.
    const timer = setTimeout(() => controller.abort(), 30);
    const args = ["--workers", workers, "--norm", "layer,rms", "--seeds", "0", "--epochs", "100"];
    args.push("--limit", "400", "--out", `${folder}/r.html`);
    const code = await trainMain(
      args,
      { out: (line) => out.push(line), err: (line) => errors.push(line) },
      controller.signal,
    );
    clearTimeout(timer);
    strictEqual(code, 130);
    ok(errors.at(-1)!.endsWith("(stopped early)"), errors.at(-1));
    const text = out.join("\n");
    ok(text.includes("No transformer run finished, so there is nothing to compare."), text);
    ok(!text.includes("the best transformer"), text);
    ok((await Deno.readTextFile(`${folder}/r.html`)).includes("Stopped early"));
    await Deno.remove(folder, { recursive: true });
  });
}

Deno.test("deno task train: flags, bad flags, --json and the report", async () => {
  throws(() => parseTrainArgs(["--seeds", "1,1"]), /distinct/);
  throws(() => parseTrainArgs(["--order", "sorted"]), /--order: expected random or bucketed/);
  throws(() => parseTrainArgs(["--source", "twitter"]), /--source/);
  throws(() => parseTrainArgs(["--wat"]), /unknown option/);
  throws(() => parseTrainArgs(["--workers", "0"]), /--workers: expected an integer from 1 to 8/);
  throws(() => parseTrainArgs(["--workers", "9"]), /--workers: expected an integer from 1 to 8/);
  strictEqual(parseTrainArgs(["--workers", "3"])!.workers, 3);
  strictEqual(parseTrainArgs(["-h"]), null);
  const errors: string[] = [];
  const io = { out: () => {}, err: (line: string) => errors.push(line) };
  strictEqual(await trainMain(["--out", "/nonexistent/folder/r.html"], io), 2);
  ok(errors[0]!.startsWith("error: --out: cannot write"));
  const folder = await Deno.makeTempDir();
  const out: string[] = [];
  const code = await trainMain(
    [
      "--workers",
      "2",
      "--norm",
      "layer,masked-batch",
      "--seeds",
      "0",
      "--epochs",
      "1",
      "--limit",
      "120",
      "--batchings",
      "2",
      "--json",
      "--out",
      `${folder}/report.html`,
    ],
    { out: (line) => out.push(line), err: () => {} },
  );
  strictEqual(code, 0);
  const result = JSON.parse(out.join("\n"));
  deepStrictEqual(result.runs.map((r: Case) => r.norm), ["layer", "maskedBatch"]);
  const html = await Deno.readTextFile(`${folder}/report.html`);
  ok(html.includes("Kotzias") && html.includes("What the numbers say"));
  ok(html.includes("2 runs trained at a time, so each epoch&#39;s seconds"));
  strictEqual(result.config.workers, 2);
  await Deno.remove(folder, { recursive: true });
});
