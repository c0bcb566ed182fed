/**
 * Before/after timings of the notebook-size (S) benchmarks: exports a
 * commit (default b6d504c, the last one before autograd) to a temporary
 * directory and runs `deno bench` there and in this checkout, alternating,
 * so that drift in the machine's speed falls on both sides alike. Prints a
 * markdown table of the medians over rounds of each benchmark's mean.
 *
 *     deno run --allow-all bench/before_after.ts [commit] [rounds]
 *
 * @module
 */

const commit = Deno.args[0] ?? "b6d504c";
const rounds = Number(Deno.args[1] ?? 7);
const FILTER = "/ S( masked)?$/"; // the S rows; the L inputs are made lazily, so never allocated
const here = new URL("..", import.meta.url).pathname;

async function run(cmd: string, args: string[], cwd: string): Promise<string> {
  const output = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (!output.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${new TextDecoder().decode(output.stderr)}`);
  }
  return new TextDecoder().decode(output.stdout);
}

interface BenchJson {
  benches: { name: string; results: { ok?: { avg: number } }[] }[];
}

/** Mean time per benchmark (ns) of one `deno bench` run in `cwd`. */
async function benchOnce(cwd: string): Promise<Map<string, number>> {
  const json = await run("deno", [
    "bench",
    "--json",
    "--allow-read",
    "--allow-env",
    "--filter",
    FILTER,
    "bench/norms_bench.ts",
    "bench/attention_bench.ts",
  ], cwd);
  const parsed = JSON.parse(json) as BenchJson;
  const times = new Map<string, number>();
  for (const bench of parsed.benches) {
    const avg = bench.results[0]?.ok?.avg;
    if (avg !== undefined) times.set(bench.name, avg);
  }
  return times;
}

const before = await Deno.makeTempDir({ prefix: "normlab-before-" });
try {
  const archive = new Deno.Command("git", {
    args: ["archive", commit],
    cwd: here,
    stdout: "piped",
  }).spawn();
  const untar = new Deno.Command("tar", { args: ["-x", "-C", before], stdin: "piped" }).spawn();
  await archive.stdout.pipeTo(untar.stdin);
  await untar.status;
  const samples = { before: new Map<string, number[]>(), after: new Map<string, number[]>() };
  for (let round = 0; round < rounds; round++) {
    // Alternate which side goes first, too.
    const order = round % 2 === 0 ? ["before", "after"] as const : ["after", "before"] as const;
    for (const side of order) {
      const times = await benchOnce(side === "before" ? before : here);
      for (const [name, ns] of times) {
        const list = samples[side].get(name) ?? [];
        list.push(ns);
        samples[side].set(name, list);
      }
    }
    console.error(`round ${round + 1}/${rounds} done`);
  }
  const median = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  };
  const µs = (ns: number) => `${(ns / 1000).toFixed(2)} µs`;
  console.log(
    `| benchmark (S = (2, 4, 3)) | before (${commit}), median | after, median | after/before | ` +
      "before, best | after, best | after/before (best) |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const [name, values] of samples.after) {
    const old = samples.before.get(name);
    if (old === undefined) {
      console.log(
        `| ${name} | — | ${µs(median(values))} | — | — | ${µs(Math.min(...values))} | — |`,
      );
      continue;
    }
    const [was, now] = [median(old), median(values)];
    const [wasBest, nowBest] = [Math.min(...old), Math.min(...values)];
    console.log(
      `| ${name} | ${µs(was)} | ${µs(now)} | ${(now / was).toFixed(2)} | ${µs(wasBest)} | ${
        µs(nowBest)
      } | ${(nowBest / wasBest).toFixed(2)} |`,
    );
  }
  console.log(
    `\n${rounds} rounds, alternating; each cell is the median (or the best) over rounds of ` +
      "one `deno bench` run's mean time.",
  );
} finally {
  await Deno.remove(before, { recursive: true });
}
