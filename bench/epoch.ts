/**
 * One training epoch of `deno task train`'s default model in normlab and in
 * PyTorch (1 thread, bench/epoch_torch.py) on the same batches
 * (bench/epoch_shapes.json): forward, cross-entropy, backward, clipping,
 * Adam. Twice: dropout off, and dropout 0.1 as `deno task train` trains
 * (each library draws its own masks: the same work, not the same numbers).
 * Median of 3 epochs each.
 *
 * Run: deno run --allow-all bench/epoch.ts
 */
import { Adam, clipGradNorm, crossEntropy, tensor, TransformerClassifier } from "../mod.ts";

const data = JSON.parse(
  await Deno.readTextFile(new URL("./epoch_shapes.json", import.meta.url)),
) as { vocabulary: number; steps: { ids: number[][]; labels: number[] }[] };
const steps = data.steps.map((s) => ({ ids: tensor(s.ids), labels: s.labels }));

/** normlab's median seconds of 3 epochs with `dropout`. */
function normlabEpoch(dropout: number): number {
  const model = new TransformerClassifier({ vocabSize: data.vocabulary, dropout });
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
  return times.sort((a, b) => a - b)[1]!;
}

/** PyTorch's median seconds of 3 epochs with `dropout` (NaN when it does not run). */
async function pytorchEpoch(dropout: number): Promise<number> {
  const torch = await new Deno.Command("/usr/bin/python3", {
    args: [new URL("./epoch_torch.py", import.meta.url).pathname, String(dropout)],
    env: { OMP_NUM_THREADS: "1" },
  }).output();
  const text = new TextDecoder().decode(torch.stdout).trim();
  return torch.code === 0 ? JSON.parse(text).secondsPerEpoch as number : NaN;
}

for (const dropout of [0, 0.1]) {
  const normlab = normlabEpoch(dropout);
  const pytorch = await pytorchEpoch(dropout);
  console.log(
    `one epoch (${steps.length} steps of batch 32), dropout ${dropout}: normlab ${
      normlab.toFixed(2)
    } s, PyTorch 1 thread ${pytorch.toFixed(2)} s, ratio ${(normlab / pytorch).toFixed(2)}`,
  );
}
