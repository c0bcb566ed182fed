/**
 * `deno task bench:peers`: normlab against its peers in one run, single thread.
 *
 * - tfjs 4.22 (`npm:@tensorflow/tfjs`, for its gradients) on its WebAssembly SIMD backend, in this same Deno process
 *   (its multi-threaded mode does not start under Deno, so it runs single-threaded);
 * - PyTorch through /usr/bin/python3 (Debian's python3-torch) when it imports,
 *   with one thread and OpenBLAS pinned to this CPU's family (see below).
 *
 * Prints one table of medians, the ratios normlab/peer, GB/s for the
 * normalisations (bytes = 2·B·T·D·4) and GFLOP/s for matmul (2·B·T²·D) and
 * attention (4·B·T²·D); then one training step of the `TransformerClassifier`
 * at S and M against PyTorch (bench/step.ts) and the GFLOP/s of every matrix
 * product in those steps; then which targets hold.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import {
  batchNorm,
  batchNormBackward,
  layerNorm,
  layerNormBackward,
  rmsNorm,
  scaledDotProductAttention,
  type Tensor,
  zeros,
} from "../../mod.ts";
import { formatRoundRatios, runStepBenchmark } from "../step.ts";
import { gemmShapes } from "../_step_profile.ts";
import { STEP_SIZES } from "../_step_case.ts";
import { gemmBackend } from "../../lib/_gemm.ts";
import {
  L_BYTES,
  largeInputs,
  LP_FLOPS,
  LP_K,
  LP_MASK,
  LP_Q,
  LP_V,
  M_A,
  M_B,
  M_FLOPS,
  S,
  S_DY,
  S_MASK,
} from "../_data.ts";

// --- PyTorch, in a subprocess --------------------------------------------------------------
function openblasCoreType(): string {
  const info = Deno.readTextFileSync("/proc/cpuinfo");
  if (/\bavx512f\b/.test(info)) return "SkylakeX";
  if (/AuthenticAMD/.test(info) && /\bavx2\b/.test(info)) return "Zen";
  return /\bavx2\b/.test(info) ? "Haswell" : "Prescott";
}
const coreType = Deno.env.get("OPENBLAS_CORETYPE") ?? openblasCoreType();
let torch: { version: string; medians_ms: Record<string, number> } | undefined;
try {
  const result = await new Deno.Command("/usr/bin/python3", {
    args: [new URL("./peers_torch.py", import.meta.url).pathname],
    env: { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", OPENBLAS_CORETYPE: coreType },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (result.success) torch = JSON.parse(new TextDecoder().decode(result.stdout));
  else {console.error(
      `PyTorch skipped: ${new TextDecoder().decode(result.stderr).trim().split("\n").pop()}`,
    );}
} catch (error) {
  console.error(`PyTorch skipped: ${error instanceof Error ? error.message : error}`);
}

// --- training steps (issue 13), first: before the 50 MB tensors of size L fill the heap ---------
// normlab and a PyTorch process (bench/step_torch.py) alternate, one sample each per round.
const steps = await runStepBenchmark(15);
const stepShapes = STEP_SIZES.map((size) => ({ size: size.name, shapes: gemmShapes(size) }));

// --- tfjs, WebAssembly SIMD backend ---------------------------------------------------------
const backendMain = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
setWasmPaths(`file://${backendMain.slice(0, backendMain.lastIndexOf("/dist/") + 6)}`);
await tf.setBackend("wasm");
await tf.ready();
const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");

function tfTensor(t: Tensor): tf.Tensor {
  return tf.tensor(t.data as Float32Array, t.shape as number[], "float32");
}
/** Runs a tfjs computation and waits for its data, disposing everything it made. */
function tfRun(fn: () => tf.Tensor): () => void {
  return () => {
    const out = tf.tidy(fn);
    out.dataSync();
    out.dispose();
  };
}
function tfLayerNorm(x: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5)));
}
function tfBatchNorm(x: tf.Tensor, mask?: tf.Tensor): tf.Tensor {
  const d = x.shape[x.shape.length - 1]!;
  const rows = tf.reshape(x, [-1, d]);
  if (mask === undefined) {
    const { mean, variance } = tf.moments(rows, 0);
    return tf.reshape(tf.batchNorm(rows, mean, variance, undefined, undefined, 1e-5), x.shape);
  }
  const m = tf.reshape(mask, [-1, 1]);
  const count = tf.sum(m);
  const mean = tf.div(tf.sum(tf.mul(rows, m), 0), count);
  const centered = tf.sub(rows, mean);
  const variance = tf.div(tf.sum(tf.mul(tf.square(centered), m), 0), count);
  return tf.reshape(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, 1e-5))), m), x.shape);
}
/** BatchNorm from elementary ops, for tf.grad (the wasm backend's fused batchNorm has no usable gradient here). */
function tfBatchNormComposed(x: tf.Tensor): tf.Tensor {
  const d = x.shape[x.shape.length - 1]!;
  const rows = tf.reshape(x, [-1, d]);
  const { mean, variance } = tf.moments(rows, 0);
  return tf.reshape(tf.mul(tf.sub(rows, mean), tf.rsqrt(tf.add(variance, 1e-5))), x.shape);
}
function tfAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  const d = q.shape[q.shape.length - 1]!;
  const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(d));
  const hidden = tf.mul(tf.sub(1, tf.expandDims(mask, 1)), -1e9);
  return tf.matMul(tf.softmax(tf.add(scores, hidden)), v);
}
function tfGrad(forward: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, dy: tf.Tensor): () => void {
  const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(forward(input), dy)));
  return tfRun(() => gradient(x));
}

// --- the table ------------------------------------------------------------------------------
interface Row {
  op: string;
  size: string;
  normlab: number;
  tfjs?: number;
  torch?: number;
  bytes?: number;
  flops?: number;
}
const rows: Row[] = [];
interface Spec {
  row: Omit<Row, "normlab" | "tfjs">;
  normlab: () => unknown;
  tfjs?: () => void;
  samples: number;
  perSample: number;
}
const specs: Spec[] = [];
/** Registers a measurement; each size group runs interleaved (see runInterleaved). */
function measure(
  row: Omit<Row, "normlab" | "tfjs">,
  normlab: () => unknown,
  tfjsFn: (() => void) | undefined,
  samples: number,
  perSample = 1,
) {
  specs.push({ row, normlab, tfjs: tfjsFn, samples, perSample });
}
/** One timing: milliseconds per call over `perSample` calls. */
function sample(fn: () => unknown, perSample: number): number {
  const start = performance.now();
  for (let i = 0; i < perSample; i++) fn();
  return (performance.now() - start) / perSample;
}
/**
 * Runs the registered measurements round-robin (one sample of each per
 * round) so that drifts in this machine's speed, which are large, hit all of
 * them alike; reports medians. Called once per size group, so the 50 MB
 * allocations of size L do not disturb the microsecond timings of size S.
 */
function runInterleaved(): void {
  for (const spec of specs) {
    sample(spec.normlab, Math.max(2, spec.perSample));
    if (spec.tfjs) sample(spec.tfjs, Math.max(2, spec.perSample));
  }
  const times = specs.map(() => ({ normlab: [] as number[], tfjs: [] as number[] }));
  const rounds = Math.max(...specs.map((spec) => spec.samples));
  for (let round = 0; round < rounds; round++) {
    specs.forEach((spec, i) => {
      if (round >= spec.samples) return;
      times[i]!.normlab.push(sample(spec.normlab, spec.perSample));
      if (spec.tfjs) times[i]!.tfjs.push(sample(spec.tfjs, spec.perSample));
    });
    console.error(`round ${round + 1}/${rounds}`);
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  specs.forEach((spec, i) => {
    const row: Row = { ...spec.row, normlab: median(times[i]!.normlab) };
    if (spec.tfjs) row.tfjs = median(times[i]!.tfjs);
    rows.push(row);
  });
  specs.length = 0;
}
const t = (key: string) => torch?.medians_ms[key];

const sTf = tfTensor(S);
const sMaskTf = tfTensor(S_MASK);
const sDyTf = tfTensor(S_DY);
const N = 2000;
measure(
  { op: "layerNorm", size: "S", torch: t("layerNorm S") },
  () => layerNorm(S),
  tfRun(() => tfLayerNorm(sTf)),
  15,
  N,
);
measure(
  { op: "rmsNorm", size: "S", torch: t("rmsNorm S") },
  () => rmsNorm(S),
  tfRun(() => tf.mul(sTf, tf.rsqrt(tf.add(tf.mean(tf.square(sTf), -1, true), 1e-6)))),
  15,
  N,
);
measure(
  { op: "batchNorm", size: "S", torch: t("batchNorm S") },
  () => batchNorm(S),
  tfRun(() => tfBatchNorm(sTf)),
  15,
  N,
);
measure(
  { op: "batchNorm masked", size: "S", torch: t("batchNorm S masked") },
  () => batchNorm(S, { mask: S_MASK }),
  tfRun(() => tfBatchNorm(sTf, sMaskTf)),
  15,
  N,
);
measure(
  { op: "attention, key mask", size: "S", torch: t("attention S masked") },
  () => scaledDotProductAttention(S, S, S, { mask: S_MASK }),
  tfRun(() => tfAttention(sTf, sTf, sTf, sMaskTf)),
  15,
  N,
);
measure(
  { op: "softmax", size: "S", torch: t("softmax S") },
  () => S.softmax(),
  tfRun(() => tf.softmax(sTf)),
  15,
  N,
);
measure(
  { op: "layerNormBackward", size: "S" },
  () => layerNormBackward(S, S_DY),
  tfGrad(tfLayerNorm, sTf, sDyTf),
  15,
  500,
);
measure(
  { op: "batchNormBackward", size: "S" },
  () => batchNormBackward(S, S_DY),
  tfGrad(tfBatchNormComposed, sTf, sDyTf),
  15,
  500,
);

runInterleaved();

const maTf = tfTensor(M_A);
const mbTf = tfTensor(M_B);
measure(
  { op: "matmul", size: "M", torch: t("matmul M"), flops: M_FLOPS },
  () => M_A.matmul(M_B),
  tfRun(() => tf.matMul(maTf, mbTf)),
  15,
);
const qTf = tfTensor(LP_Q);
const kTf = tfTensor(LP_K);
const vTf = tfTensor(LP_V);
const lpMaskTf = tfTensor(LP_MASK);
const scores = LP_Q.matmul(LP_K.transpose()); // (8, 512, 512)
const scoresTf = tfTensor(scores);
measure(
  { op: "softmax (8, 512, 512)", size: "L'", torch: t("softmax L'") },
  () => scores.softmax(),
  tfRun(() => tf.softmax(scoresTf)),
  5,
);
measure(
  { op: "attention, key mask", size: "L'", torch: t("attention L' masked"), flops: LP_FLOPS },
  () => scaledDotProductAttention(LP_Q, LP_K, LP_V, { mask: LP_MASK }),
  tfRun(() => tfAttention(qTf, kTf, vTf, lpMaskTf)),
  5,
);

runInterleaved();

const { x, dy, mask } = largeInputs();
const out = zeros(x.shape as number[]);
// Into a reused output first, as a group of its own: interleaved with the fresh 50 MB
// allocations below, these would be charged for the garbage collections those trigger.
measure(
  { op: "layerNorm, into out", size: "L", torch: t("layerNorm L"), bytes: L_BYTES },
  () => layerNorm(x, { out }),
  undefined,
  9,
);
measure(
  { op: "rmsNorm, into out", size: "L", torch: t("rmsNorm L"), bytes: L_BYTES },
  () => rmsNorm(x, { out }),
  undefined,
  9,
);
measure(
  { op: "batchNorm, into out", size: "L", torch: t("batchNorm L"), bytes: L_BYTES },
  () => batchNorm(x, { out }),
  undefined,
  9,
);
measure(
  { op: "batchNorm masked, into out", size: "L", torch: t("batchNorm L masked"), bytes: L_BYTES },
  () => batchNorm(x, { mask, out }),
  undefined,
  9,
);
runInterleaved();

const xTf = tfTensor(x);
const dyTf = tfTensor(dy);
const maskTf = tfTensor(mask);
measure(
  { op: "layerNorm", size: "L", torch: t("layerNorm L"), bytes: L_BYTES },
  () => layerNorm(x),
  tfRun(() => tfLayerNorm(xTf)),
  9,
);
measure(
  { op: "rmsNorm", size: "L", torch: t("rmsNorm L"), bytes: L_BYTES },
  () => rmsNorm(x),
  tfRun(() => tf.mul(xTf, tf.rsqrt(tf.add(tf.mean(tf.square(xTf), -1, true), 1e-6)))),
  9,
);
measure(
  { op: "batchNorm", size: "L", torch: t("batchNorm L"), bytes: L_BYTES },
  () => batchNorm(x),
  tfRun(() => tfBatchNorm(xTf)),
  9,
);
measure(
  { op: "batchNorm masked", size: "L", torch: t("batchNorm L masked"), bytes: L_BYTES },
  () => batchNorm(x, { mask }),
  tfRun(() => tfBatchNorm(xTf, maskTf)),
  9,
);
measure(
  { op: "layerNormBackward", size: "L", torch: t("layerNormBackward L"), bytes: L_BYTES },
  () => layerNormBackward(x, dy),
  tfGrad(tfLayerNorm, xTf, dyTf),
  5,
);
measure(
  { op: "batchNormBackward", size: "L", torch: t("batchNormBackward L"), bytes: L_BYTES },
  () => batchNormBackward(x, dy),
  tfGrad(tfBatchNormComposed, xTf, dyTf),
  5,
);

runInterleaved();

function duration(ms: number | undefined): string {
  if (ms === undefined) return "—";
  return ms < 0.1 ? `${(ms * 1000).toFixed(2)} µs` : `${ms.toFixed(2)} ms`;
}
function ratio(a: number, b: number | undefined): string {
  return b === undefined ? "—" : `${(a / b).toFixed(2)}`;
}
const lines = [
  "| op | size | normlab | tfjs wasm SIMD | PyTorch 1 thread | normlab/tfjs | normlab/PyTorch | throughput |",
  "|---|---|---|---|---|---|---|---|",
  ...rows.map((r) =>
    `| ${r.op} | ${r.size} | ${duration(r.normlab)} | ${duration(r.tfjs)} | ${
      duration(r.torch)
    } | ${ratio(r.normlab, r.tfjs)} | ${ratio(r.normlab, r.torch)} | ${
      r.bytes
        ? `${(r.bytes / r.normlab / 1e6).toFixed(2)} GB/s`
        : r.flops
        ? `${(r.flops / r.normlab / 1e6).toFixed(2)} GFLOP/s`
        : ""
    } |`
  ),
];
console.log(lines.join("\n"));

console.log(
  "\n| training step (forward, cross-entropy, backward, Adam) | normlab | PyTorch 1 thread | normlab/PyTorch | per round: median (quartiles) | normlab GFLOP/s (real tokens) | PyTorch GFLOP/s (padded) |",
);
console.log("|---|---|---|---|---|---|---|");
for (const r of steps.rows) {
  console.log(
    `| ${r.size} | ${duration(r.normlab)} | ${duration(r.torch)} | ${ratio(r.normlab, r.torch)} | ${
      formatRoundRatios(r)
    } | ${(r.flops / r.normlab / 1e6).toFixed(1)} | ${
      r.torch === undefined ? "—" : (r.paddedFlops / r.torch / 1e6).toFixed(1)
    } |`,
  );
}
console.log(
  `\nMatrix products of one step, each alone (kernel ${gemmBackend()}; copies in and out included, ` +
    `except in the rows "in memory": the packed attention's products, whose operands stay in the ` +
    `kernel's memory):`,
);
console.log("\n| size | phase | batches × (n, k) · (k, m), layout of A and B | calls | GFLOP/s |");
console.log("|---|---|---|---|---|");
for (const { size, shapes } of stepShapes) {
  for (const shape of shapes) {
    console.log(
      `| ${size} | ${shape.phase} | ${shape.shape} | ${shape.calls} | ${shape.gflops.toFixed(1)} |`,
    );
  }
}
console.log(
  `\nDeno ${Deno.version.deno} (V8 ${Deno.version.v8}); tfjs ${tf.version_core} wasm, SIMD ${simd}, 1 thread; ${
    torch ? `PyTorch ${torch.version}, 1 thread, OPENBLAS_CORETYPE=${coreType}` : "PyTorch not run"
  }; ${
    Deno.readTextFileSync("/proc/cpuinfo").match(/model name\s*:\s*(.*)/)?.[1] ?? "unknown CPU"
  }, ${navigator.hardwareConcurrency} cores.`,
);

// --- the targets ------------------------------------------------------------------------------
const find = (op: string, size: string) => rows.find((r) => r.op === op && r.size === size)!;
const checks: [string, boolean][] = [
  ["layerNorm S ≤ 1 µs", find("layerNorm", "S").normlab <= 0.001],
  ["batchNorm S ≤ 2 µs", find("batchNorm", "S").normlab <= 0.002],
  ["attention S ≤ 2 µs", find("attention, key mask", "S").normlab <= 0.002],
  ...["layerNorm", "rmsNorm", "batchNorm", "batchNorm masked"].flatMap(
    (op): [string, boolean][] => {
      const fresh = find(op, "L");
      const into = find(`${op}, into out`, "L");
      return [
        [
          `${op} L no slower than PyTorch (fresh output)`,
          fresh.torch === undefined || fresh.normlab <= fresh.torch,
        ],
        [`${op} L ≥ 3.5 GB/s (into out)`, L_BYTES / into.normlab / 1e6 >= 3.5],
      ];
    },
  ),
  [
    "matmul M ≥ 2× tfjs and ≥ 4 GFLOP/s",
    find("matmul", "M").normlab * 2 <= find("matmul", "M").tfjs! &&
    M_FLOPS / find("matmul", "M").normlab / 1e6 >= 4,
  ],
  [
    "attention L' ≥ 2× tfjs and ≥ 4 GFLOP/s",
    find("attention, key mask", "L'").normlab * 2 <= find("attention, key mask", "L'").tfjs! &&
    LP_FLOPS / find("attention, key mask", "L'").normlab / 1e6 >= 4,
  ],
  [
    "layerNormBackward L ≤ 2× layerNorm L",
    find("layerNormBackward", "L").normlab <= 2 * find("layerNorm", "L").normlab,
  ],
  [
    "batchNormBackward L ≤ 2× batchNorm L",
    find("batchNormBackward", "L").normlab <= 2 * find("batchNorm", "L").normlab,
  ],
];
const step = (size: string) => steps.rows.find((r) => r.size === size);
for (const [size, limit] of [["S", 0.5], ["M", 1.5]] as const) {
  const row = step(size);
  checks.push([
    `training step ${size} ≤ ${limit}× PyTorch's`,
    row !== undefined && row.torch !== undefined && row.normlab <= limit * row.torch,
  ]);
}
console.log("\nTargets:");
for (const [name, ok] of checks) console.log(`${ok ? "✔" : "✘"} ${name}`);
