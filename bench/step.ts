/**
 * `deno task bench:step`: one training step of the contract's
 * `TransformerClassifier` at S and M (bench/_step_case.ts), normlab and
 * PyTorch (one thread) in one run, samples alternating; prints the medians,
 * their ratio, and the quartiles of the ratio within each round.
 *
 * @module
 */
import { makeStep, STEP_SIZES, stepFlops, stepFlopsReal } from "./_step_case.ts";
import { gemmShapes, profileStep } from "./_step_profile.ts";
import { startTorchSteps } from "./_torch_steps.ts";
import { gemmBackend } from "../lib/_gemm.ts";

/** One row of the step table. */
export interface StepRow {
  size: string;
  normlab: number;
  torch?: number;
  /** The products normlab computes: real tokens only (it skips padding). */
  flops: number;
  /** The products over the padded batch, which PyTorch computes. */
  paddedFlops: number;
  /**
   * normlab / PyTorch within each round (two neighbouring samples, so a slow
   * phase of the machine that hits both cancels): the quartiles over rounds.
   */
  roundRatios?: { low: number; median: number; high: number };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The first quartile, the median and the third quartile of `values` (nearest rank). */
function quartiles(values: number[]): { low: number; median: number; high: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { low: at(0.25), median: at(0.5), high: at(0.75) };
}

/** A row's per-round ratios as `median (q1–q3)`, or — without PyTorch. */
export function formatRoundRatios(row: StepRow): string {
  const r = row.roundRatios;
  return r === undefined
    ? "—"
    : `${r.median.toFixed(2)} (${r.low.toFixed(2)}–${r.high.toFixed(2)})`;
}

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
    flops: stepFlopsReal(size),
    paddedFlops: stepFlops(size),
    roundRatios: torch
      ? quartiles(times[i]!.normlab.map((ms, round) => ms / times[i]!.torch[round]!))
      : undefined,
  }));
  return { rows, torch: torch ? `PyTorch ${torch.version}` : "PyTorch not run" };
}

if (import.meta.main) {
  const rounds = Number(Deno.args.find((argument) => /^\d+$/.test(argument)) ?? 15);
  const { rows, torch } = await runStepBenchmark(rounds);
  console.log(
    "| step | normlab | PyTorch 1 thread | normlab/PyTorch | per round: median (quartiles) | normlab GFLOP/s (real tokens) | PyTorch GFLOP/s (padded) |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const r of rows) {
    console.log(
      `| ${r.size} | ${r.normlab.toFixed(2)} ms | ${r.torch?.toFixed(2) ?? "—"} ms | ${
        r.torch ? (r.normlab / r.torch).toFixed(2) : "—"
      } | ${formatRoundRatios(r)} | ${(r.flops / r.normlab / 1e6).toFixed(1)} | ${
        r.torch ? (r.paddedFlops / r.torch / 1e6).toFixed(1) : "—"
      } |`,
    );
  }
  console.log(
    `\n${torch}; Deno ${Deno.version.deno}; matmul kernel ${gemmBackend()}; ${rounds} rounds, medians`,
  );
  if (!Deno.args.includes("--no-profile")) {
    for (const size of STEP_SIZES) printProfile(size);
  }
}

/** Prints the per-op profile and the matmul shapes of one step at `size`. */
export function printProfile(size: (typeof STEP_SIZES)[number]): void {
  const ops = profileStep(size);
  const total = ops.reduce((sum, op) => sum + op.forward + op.backward, 0);
  console.log(
    `\n### Profile of one step at ${size.name} (median of 5 steps; ${total.toFixed(1)} ms)\n`,
  );
  console.log("| op | calls | forward | backward | share |");
  console.log("|---|---|---|---|---|");
  for (const op of ops) {
    console.log(
      `| ${op.op} | ${op.calls} | ${op.forward.toFixed(2)} ms | ${op.backward.toFixed(2)} ms | ${
        (100 * (op.forward + op.backward) / total).toFixed(1)
      } % |`,
    );
  }
  console.log(`\n### Matrix products of one step at ${size.name}, each alone\n`);
  console.log(
    'Copies into and out of WebAssembly memory included, except in the rows "in memory" (the ' +
      "packed attention's products, whose operands stay in the kernel's memory).\n",
  );
  console.log("| phase | batches × (n, k) · (k, m), layout of A and B | calls | GFLOP/s |");
  console.log("|---|---|---|---|");
  for (const shape of gemmShapes(size)) {
    console.log(
      `| ${shape.phase} | ${shape.shape} | ${shape.calls} | ${shape.gflops.toFixed(1)} |`,
    );
  }
}
