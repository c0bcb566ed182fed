/**
 * Before/after timings of the notebook-size (S = (2, 4, 3)) operations:
 * exports a commit (default b6d504c, the last one before autograd) to a
 * temporary directory, imports its `mod.ts` next to this checkout's in one
 * process, and times both in short alternating batches. On a shared machine
 * whose load comes and goes, the best batch of each side is the cleanest
 * measure (a batch that no other process interrupted); the median is shown
 * beside it. Prints a markdown table.
 *
 *     deno run --allow-all bench/before_after.ts [commit] [rounds]
 *
 * @module
 */
import type * as Normlab from "../mod.ts";

type Library = typeof Normlab;

const commit = Deno.args[0] ?? "b6d504c";
const rounds = Number(Deno.args[1] ?? 400);
const CALLS = 2000; // per batch: ~0.5–5 ms, short enough to fall between interruptions
const here = new URL("..", import.meta.url).pathname;

/** The S operations, each built from one library's own tensors. */
function operations(lib: Library): Record<string, () => unknown> {
  const x = lib.randn([2, 4, 3], { seed: 1 });
  const dy = lib.randn([2, 4, 3], { seed: 2 });
  const mask = lib.tensor([[1, 1, 0, 0], [1, 1, 1, 1]]);
  return {
    "layerNorm": () => lib.layerNorm(x),
    "rmsNorm": () => lib.rmsNorm(x),
    "batchNorm": () => lib.batchNorm(x),
    "batchNorm, masked": () => lib.batchNorm(x, { mask }),
    "attention, key mask": () => lib.scaledDotProductAttention(x, x, x, { mask }),
    "softmax": () => x.softmax(),
    "layerNormBackward": () => lib.layerNormBackward(x, dy),
    "batchNormBackward": () => lib.batchNormBackward(x, dy),
    ...learningOperations(lib, x),
  };
}

/** Notebook-size calls of the learning API, where the commit has it (after autograd). */
function learningOperations(lib: Library, x: Normlab.Tensor): Record<string, () => unknown> {
  if (typeof lib.linear !== "function" || typeof lib.MultiheadAttention !== "function") return {};
  const weight = lib.randn([5, 3], { seed: 3 });
  const bias = lib.randn([5], { seed: 4 });
  const attention = new lib.MultiheadAttention(4, 2, { seed: 5 });
  const x4 = lib.randn([2, 4, 4], { seed: 6 });
  const mask = lib.tensor([[1, 1, 0, 0], [1, 1, 1, 1]]);
  return {
    "matmul (2, 4, 3) · (3, 5)": () => x.matmul(weight.transpose()),
    "linear (2, 4, 3) → 5": () => lib.linear(x, weight, bias),
    "relu": () => lib.relu(x),
    "MultiheadAttention (2, 4, 4), 2 heads": () => attention.forward(x4, x4, x4, { mask }).output,
  };
}

/** Nanoseconds per call over one batch of `CALLS` calls. */
function batch(fn: () => unknown): number {
  const start = performance.now();
  for (let i = 0; i < CALLS; i++) fn();
  return ((performance.now() - start) * 1e6) / CALLS;
}

const before = await Deno.makeTempDir({ prefix: "normlab-before-" });
try {
  const archive = new Deno.Command("git", { args: ["archive", commit], cwd: here, stdout: "piped" })
    .spawn();
  const untar = new Deno.Command("tar", { args: ["-x", "-C", before], stdin: "piped" }).spawn();
  await archive.stdout.pipeTo(untar.stdin);
  if (!(await untar.status).success || !(await archive.status).success) {
    throw new Error(`could not export ${commit}`);
  }
  const sides = {
    before: operations(await import(`file://${before}/mod.ts`) as Library),
    after: operations(await import("../mod.ts")),
  };
  const µs = (ns: number) => `${(ns / 1000).toFixed(3)} µs`;
  const median = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  };
  console.log(
    `| operation (S = (2, 4, 3)) | before (${commit}), best | after, best | after/before | ` +
      "before, median | after, median | after/before (median) |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const name of Object.keys(sides.after)) {
    const samples = { before: [] as number[], after: [] as number[] };
    const run = { before: sides.before[name]!, after: sides.after[name]! };
    for (let i = 0; i < 20; i++) batch(run.before), batch(run.after); // warm up both JITs
    for (let round = 0; round < rounds; round++) {
      // Alternate which side goes first, so neither always follows the other.
      const order = round % 2 === 0 ? ["before", "after"] as const : ["after", "before"] as const;
      for (const side of order) samples[side].push(batch(run[side]));
    }
    const [was, now] = [Math.min(...samples.before), Math.min(...samples.after)];
    const [wasMedian, nowMedian] = [median(samples.before), median(samples.after)];
    console.log(
      `| ${name} | ${µs(was)} | ${µs(now)} | ${(now / was).toFixed(2)} | ${µs(wasMedian)} | ${
        µs(nowMedian)
      } | ${(nowMedian / wasMedian).toFixed(2)} |`,
    );
  }
  console.log(
    `\n${rounds} alternating batches of ${CALLS} calls per side and operation, in one process.`,
  );
} finally {
  await Deno.remove(before, { recursive: true });
}
