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
import {
  gemmAll,
  type GemmCall,
  type GemmProblem,
  gemmResident,
  type ResidentProblem,
  setGemmListener,
} from "../lib/_gemm.ts";
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

/**
 * The distinct matrix products of one step, each timed alone into reused
 * outputs. A `gemmAll` call of several products of one kind — the packed
 * batch's attention, one product per sequence — is one row, timed as a whole.
 */
export function gemmShapes(size: StepSize, samples = 7): GemmShape[] {
  const { step } = makeStep(size);
  step();
  const found = new Map<string, { call: GemmCall; phase: GemmShape["phase"]; calls: number }>();
  let phase: GemmShape["phase"] = "forward";
  setRecordListener((name) => {
    phase = name === "crossEntropy" ? "backward" : "forward";
  });
  setGemmListener((call) => {
    // A call's products of one kind (the same operands and layouts: one per sequence) are one
    // group; a call of different kinds (a linear layer's dX and dW) lists each.
    const ids = new Map<unknown, number>();
    const id = (array: unknown) => ids.get(array) ?? ids.set(array, ids.size).get(array)!;
    const groups = new Map<string, AnyProblem[]>();
    for (const problem of call.problems) {
      const kind = `${id(problem.a)} ${id(problem.b)} ${problem.transA} ${problem.transB}`;
      groups.set(kind, [...groups.get(kind) ?? [], problem]);
    }
    for (const group of groups.values()) {
      const key = `${phase} ${describe(group)}`;
      const entry = found.get(key) ??
        { call: { ...call, problems: group } as GemmCall, phase, calls: 0 };
      entry.calls++;
      found.set(key, entry);
    }
  });
  try {
    step();
  } finally {
    setGemmListener(null);
    setRecordListener(null);
  }
  return [...found.entries()].map(([key, { call, phase, calls }]) => {
    let flops = 0;
    for (const { n, k, m, aOffsets } of call.problems) flops += 2 * aOffsets.length * n * k * m;
    let run: () => void;
    if (call.resident) {
      // Operands kept in the kernel's memory (packed attention): the products alone, on whatever
      // the memory holds now (the memory never shrinks, so every place is still there).
      run = () => gemmResident(call.problems);
    } else {
      // Fresh outputs of the same lengths, reused across samples: the step's arrays stay intact.
      const outs = new Map<GemmProblem["out"], Float32Array>();
      for (const { out } of call.problems) {
        if (!outs.has(out)) outs.set(out, new Float32Array(out.length));
      }
      const copies = call.problems.map((problem) => ({ ...problem, out: outs.get(problem.out)! }));
      run = () => gemmAll(copies);
    }
    const times: number[] = [];
    for (let i = 0; i < samples + 2; i++) {
      const start = performance.now();
      run();
      times.push(performance.now() - start);
    }
    const ms = median(times.slice(2));
    const resident = call.resident ? ", in memory" : "";
    return {
      shape: key.slice(phase.length + 1) + resident,
      phase,
      calls,
      gflops: flops / ms / 1e6,
    };
  });
}

type AnyProblem = GemmProblem | ResidentProblem;

/**
 * `batches × (n, k) · (k, m) NT` for one product; for a call of one product
 * per sequence, its count and the range of each extent that varies.
 */
function describe(problems: readonly AnyProblem[]): string {
  const layout = (p: AnyProblem) => `${p.transA ? "T" : "N"}${p.transB ? "T" : "N"}`;
  if (problems.length === 1) {
    const { n, k, m, aOffsets } = problems[0]!;
    return `${aOffsets.length} × (${n}, ${k}) · (${k}, ${m}) ${layout(problems[0]!)}`;
  }
  const range = (values: number[]) => {
    const low = Math.min(...values);
    const high = Math.max(...values);
    return low === high ? `${low}` : `${low}…${high}`;
  };
  const first = problems[0]!;
  return `${problems.length} sequences × ${first.aOffsets.length} × (${
    range(problems.map((p) => p.n))
  }, ${range(problems.map((p) => p.k))}) · (…, ${range(problems.map((p) => p.m))}) ${
    layout(first)
  }`;
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}
