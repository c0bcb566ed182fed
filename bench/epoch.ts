/**
 * One training epoch of `deno task train`'s default model in normlab and in
 * PyTorch (1 thread, bench/epoch_torch.py) on the same batches
 * (bench/epoch_shapes.json): forward, cross-entropy, backward, clipping,
 * Adam; dropout off in both (their random masks differ). Median of 3 epochs.
 *
 * Run: deno run --allow-all bench/epoch.ts
 */
import { Adam, clipGradNorm, crossEntropy, tensor, TransformerClassifier } from "../mod.ts";

const data = JSON.parse(
  await Deno.readTextFile(new URL("./epoch_shapes.json", import.meta.url)),
) as { vocabulary: number; steps: { ids: number[][]; labels: number[] }[] };
const steps = data.steps.map((s) => ({ ids: tensor(s.ids), labels: s.labels }));
const model = new TransformerClassifier({ vocabSize: data.vocabulary, dropout: 0 });
const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
const times: number[] = [];
for (let run = 0; run < 3; run++) {
  const start = performance.now();
  for (const { ids, labels } of steps) {
    const loss = crossEntropy(model.forward(ids), labels);
    optimizer.zeroGrad();
    loss.backward();
    clipGradNorm(model.parameters(), 1);
    optimizer.step();
  }
  times.push((performance.now() - start) / 1000);
}
const normlab = times.sort((a, b) => a - b)[1]!;
const torch = await new Deno.Command("/usr/bin/python3", {
  args: [new URL("./epoch_torch.py", import.meta.url).pathname],
  env: { OMP_NUM_THREADS: "1" },
}).output();
const text = new TextDecoder().decode(torch.stdout).trim();
const pytorch = torch.code === 0 ? JSON.parse(text).secondsPerEpoch as number : NaN;
console.log(
  `one epoch (${steps.length} steps of batch 32): normlab ${
    normlab.toFixed(2)
  } s, PyTorch 1 thread ${pytorch.toFixed(2)} s, ratio ${(normlab / pytorch).toFixed(2)}`,
);
