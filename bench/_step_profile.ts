/**
 * The per-op profile of one training step (bench/step.ts): time per
 * operation type, forward and backward, and every matrix product's shape
 * with its GFLOP/s measured alone.
 *
 * Forward: the autograd tape's record listener is told each operation's name
 * right after its forward pass, so the time since the previous record (or the
 * start of the step) is charged to it — glue between recorded operations
 * included. Backward: every grad node's vector-Jacobian product is wrapped
 * with a timer before `backward()`. Adam's update is its own row.
 *
 * @module
 */
import { Adam, crossEntropy, type Tensor, tensor } from "../mod.ts";
import { gemm, type GemmProblem, setGemmListener } from "../lib/_gemm.ts";
import { setRecordListener } from "../lib/autograd.ts";
import { makeStep, stepBatch, type StepSize } from "./_step_case.ts";

/** Milliseconds per operation type of one step, forward and backward. */
export interface OpProfile {
  op: string;
  forward: number;
  backward: number;
  calls: number;
}

/** One matrix product shape of the step and its speed alone. */
export interface GemmShape {
  /** `batches × (n, k) · (k, m)` with the stored layouts (N or T for A, then B). */
  shape: string;
  phase: "forward" | "backward";
  calls: number;
  gflops: number;
}

/** Profiles `steps` steps (after warm-up) and returns the per-op medians. */
export function profileStep(size: StepSize, steps = 5): OpProfile[] {
  const { model } = makeStep(size);
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const { ids: nested, labels } = stepBatch(size);
  const ids = tensor(nested);
  const runs: Map<string, OpProfile>[] = [];
  for (let run = 0; run < steps + 3; run++) {
    const ops = new Map<string, OpProfile>();
    const charge = (op: string, phase: "forward" | "backward", ms: number) => {
      const entry = ops.get(op) ?? { op, forward: 0, backward: 0, calls: 0 };
      entry[phase] += ms;
      if (phase === "forward") entry.calls++;
      ops.set(op, entry);
    };
    let last = performance.now();
    setRecordListener((name) => {
      const now = performance.now();
      charge(name, "forward", now - last);
      last = now;
    });
    let loss: Tensor;
    try {
      loss = crossEntropy(model.forward(ids), labels);
    } finally {
      setRecordListener(null);
    }
    wrapBackward(loss, (name, ms) => charge(name, "backward", ms));
    optimizer.zeroGrad();
    const start = performance.now();
    loss.backward();
    const adam = performance.now();
    optimizer.step();
    charge("Adam step", "backward", performance.now() - adam);
    charge("(tape: order, accumulation)", "backward", adam - start - sumBackward(ops));
    if (run >= 3) runs.push(ops);
  }
  const names = [...runs[0]!.keys()];
  return names.map((op) => {
    const of = (phase: "forward" | "backward") =>
      median(runs.map((ops) => ops.get(op)?.[phase] ?? 0));
    return { op, forward: of("forward"), backward: of("backward"), calls: runs[0]!.get(op)!.calls };
  }).sort((a, b) => b.forward + b.backward - a.forward - a.backward);
}

/** Wraps the VJP of every node reachable from `root` with a timer. */
function wrapBackward(root: Tensor, charge: (name: string, ms: number) => void): void {
  const seen = new Set<Tensor>();
  const stack = [root];
  while (stack.length > 0) {
    const t = stack.pop()!;
    const node = t.gradFn;
    if (node === null || seen.has(t)) continue;
    seen.add(t);
    const vjp = node.vectorJacobianProduct!;
    node.vectorJacobianProduct = (dy) => {
      const start = performance.now();
      const result = vjp(dy);
      charge(node.name, performance.now() - start);
      return result;
    };
    stack.push(...node.inputs);
  }
}

function sumBackward(ops: Map<string, OpProfile>): number {
  let total = 0;
  for (const [op, entry] of ops) if (op !== "Adam step") total += entry.backward;
  return total;
}

/** The distinct matrix products of one step, each timed alone into a reused output. */
export function gemmShapes(size: StepSize, samples = 7): GemmShape[] {
  const { step } = makeStep(size);
  step();
  const found = new Map<
    string,
    { problem: GemmProblem; phase: GemmShape["phase"]; calls: number }
  >();
  let phase: GemmShape["phase"] = "forward";
  // The forward pass records operations, the backward pass none (recording is off there): a
  // product after the loss (crossEntropy) is recorded belongs to the backward pass.
  setRecordListener((name) => {
    phase = name === "crossEntropy" ? "backward" : "forward";
  });
  setGemmListener((problem) => {
    const { n, k, m, transA, transB, aOffsets } = problem;
    const key = `${aOffsets.length} × (${n}, ${k}) · (${k}, ${m}) ${transA ? "T" : "N"}${
      transB ? "T" : "N"
    }`;
    const entry = found.get(`${phase} ${key}`) ?? { problem, phase, calls: 0 };
    entry.calls++;
    found.set(`${phase} ${key}`, entry);
  });
  try {
    step();
  } finally {
    setGemmListener(null);
    setRecordListener(null);
  }
  return [...found.entries()].map(([key, { problem, phase, calls }]) => {
    const { n, k, m, aOffsets } = problem;
    const flops = 2 * aOffsets.length * n * k * m;
    const times: number[] = [];
    // Into one output: a fresh one's first-write page faults (~0.5 ms per MB here) would be
    // charged to the kernel, and they vary with what the allocator has kept from the step.
    const out = new Float32Array(aOffsets.length * n * m);
    for (let i = 0; i < samples + 2; i++) {
      const start = performance.now();
      gemm({ ...problem, out });
      times.push(performance.now() - start);
    }
    const ms = median(times.slice(2));
    return { shape: key.slice(phase.length + 1), phase, calls, gflops: flops / ms / 1e6 };
  });
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}
