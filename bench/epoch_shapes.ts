/**
 * Writes the shapes of one training epoch of `deno task train`'s default run
 * (the real batches: B and T per step, each row's length) to
 * bench/epoch_shapes.json, so that bench/epoch_torch.py times PyTorch on
 * exactly the same steps.
 *
 * Run: deno run --allow-read --allow-write bench/epoch_shapes.ts
 */
import { batchExamples, loadSentences, splitExamples, Vocabulary } from "../mod.ts";

const { train: trainAll } = splitExamples(loadSentences(), { testFraction: 0.2, seed: 0 });
const { train } = splitExamples(trainAll, { testFraction: 0.1, seed: 0 });
const vocabulary = Vocabulary.fromTexts(train.map((e) => e.text), { minCount: 2 });
const batches = batchExamples(train, vocabulary, { batchSize: 32, seed: 1, maxLength: 128 });
const steps = batches.map((b) => ({
  ids: b.ids.toArray(),
  labels: b.labels,
}));
await Deno.writeTextFile(
  new URL("./epoch_shapes.json", import.meta.url),
  JSON.stringify({ vocabulary: vocabulary.size, steps }),
);
console.log(`${steps.length} steps, vocabulary ${vocabulary.size}`);
