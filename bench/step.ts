/**
 * `deno task bench:step`: one training step of the contract's
 * `TransformerClassifier` at S and M (bench/_step_case.ts), normlab and
 * PyTorch (one thread) in one run, samples alternating; prints the medians
 * and the ratios.
 *
 * @module
 */
import { makeStep, STEP_SIZES, stepFlops } from "./_step_case.ts";
import { startTorchSteps } from "./_torch_steps.ts";

/** One row of the step table. */
export interface StepRow {
  size: string;
  normlab: number;
  torch?: number;
  flops: number;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Times both libraries round-robin: `rounds` samples of each size, each a few steps. */
export async function runStepBenchmark(rounds = 15): Promise<{ rows: StepRow[]; torch: string }> {
  const torch = await startTorchSteps();
  const cases = STEP_SIZES.map((size) => ({ size, ...makeStep(size) }));
  const perSample = (name: string) => name === "S" ? 5 : 1;
  for (const { step } of cases) for (let i = 0; i < 3; i++) step();
  const times = cases.map(() => ({ normlab: [] as number[], torch: [] as number[] }));
  for (let round = 0; round < rounds; round++) {
    for (const [i, { size, step }] of cases.entries()) {
      const count = perSample(size.name);
      const start = performance.now();
      for (let s = 0; s < count; s++) step();
      times[i]!.normlab.push((performance.now() - start) / count);
      if (torch) times[i]!.torch.push(await torch.sample(size.name, count));
    }
  }
  await torch?.close();
  const rows = cases.map(({ size }, i) => ({
    size: size.name,
    normlab: median(times[i]!.normlab),
    torch: torch ? median(times[i]!.torch) : undefined,
    flops: stepFlops(size),
  }));
  return { rows, torch: torch ? `PyTorch ${torch.version}` : "PyTorch not run" };
}

if (import.meta.main) {
  const rounds = Number(Deno.args[0] ?? 15);
  const { rows, torch } = await runStepBenchmark(rounds);
  console.log("| step | normlab | PyTorch 1 thread | normlab/PyTorch | normlab GFLOP/s |");
  console.log("|---|---|---|---|---|");
  for (const r of rows) {
    console.log(
      `| ${r.size} | ${r.normlab.toFixed(2)} ms | ${r.torch?.toFixed(2) ?? "—"} ms | ${
        r.torch ? (r.normlab / r.torch).toFixed(2) : "—"
      } | ${(r.flops / r.normlab / 1e6).toFixed(1)} |`,
    );
  }
  console.log(`\n${torch}; Deno ${Deno.version.deno}; ${rounds} rounds, medians`);
}
