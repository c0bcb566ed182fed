/**
 * Every differentiable operation through one gradient checker: float64
 * central finite differences against `backward()` (tests/_gradcheck.ts), as
 * fast-check properties over random shapes — broadcast shapes, keepDims,
 * size-1 axes, masks. The last tests make the list complete: every name that
 * lib/ passes to `record(` needs a case here, and every operation of the
 * contract's list too, so an operation added without a gradient check fails.
 */
import fc from "fast-check";
import { deepStrictEqual, ok, throws } from "node:assert/strict";
import { record } from "../lib/autograd.ts";
import {
  batchNorm,
  concat,
  crossEntropy,
  dropout,
  embedding,
  gelu,
  layerNorm,
  linear,
  logSoftmax,
  narrow,
  rand,
  randn,
  relu,
  rmsNorm,
  scaledDotProductAttention,
  stack,
  type Tensor,
  tensor,
} from "../mod.ts";
import { linearRelu } from "../lib/nn/linear.ts";
import { selfAttentionHeads } from "../lib/nn/_self_attention.ts";
import { packedSelfAttentionHeads, packingOf } from "../lib/nn/_packed_attention.ts";
import { packedMeanPool, unpackRows } from "../lib/nn/_packed_forward.ts";
import { type CheckedInput, gradCheck, type GradCheckResult } from "./_gradcheck.ts";

/** One gradient-checked operation: its generated parameters and the function to check. */
interface Case<P> {
  /** The operation as the contract names it ("std", "batchNorm (masked)"). */
  name: string;
  /**
   * The `record(` names its graph must contain.
   * @default {[name]}
   */
  records?: readonly string[];
  params: fc.Arbitrary<P>;
  build: (params: P) => {
    f: (...inputs: Tensor[]) => Tensor;
    inputs: CheckedInput[];
    step?: number;
    atol?: number;
    rtol?: number;
  };
  /**
   * How many generated parameter sets to check.
   * @default {100}
   */
  numRuns?: number;
}

// deno-lint-ignore no-explicit-any
const CASES: Case<any>[] = [];
function check<P>(c: Case<P>): void {
  CASES.push(c);
}

const f64 = "float64" as const;
const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });
/** A shape of `min`…`max` axes with extents 1…4 (so size-1 axes are common). */
const shapeOf = (min: number, max: number) =>
  fc.array(fc.integer({ min: 1, max: 4 }), { minLength: min, maxLength: max });
const normal = (shape: readonly number[], s: number): Tensor =>
  randn(shape, { seed: s, dtype: f64 });
/** Values in ±[0.5, 2.5): safely away from 0 (division, log, sqrt). */
const awayFromZero = (shape: readonly number[], s: number): Tensor =>
  rand(shape, { seed: s, dtype: f64 }).mul(2).add(0.5);
const positive = awayFromZero;
/** A 0/1 tensor of `shape`. */
const bits = (shape: readonly number[], values: readonly boolean[]): Tensor => {
  const size = shape.reduce((p, e) => p * e, 1);
  const data = new Float64Array(size);
  for (let i = 0; i < size; i++) data[i] = values[i % Math.max(values.length, 1)] ? 1 : 0;
  return tensor(data, { shape });
};
const flags = fc.array(fc.boolean(), { minLength: 1, maxLength: 24 });

/** A shape that broadcasts against `shape`: leading axes dropped, some extents set to 1. */
const broadcastPartner = (shape: readonly number[], drop: number, ones: readonly boolean[]) =>
  shape.slice(Math.min(drop, shape.length)).map((extent, i) => (ones[i] ? 1 : extent));

// ---- element-wise binary operations, with broadcasting both ways and number operands ----

for (const op of ["add", "sub", "mul", "div", "maximum", "minimum"] as const) {
  check({
    name: op,
    params: fc.record({
      shape: shapeOf(0, 3),
      drop: fc.integer({ min: 0, max: 3 }),
      ones: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      swap: fc.boolean(),
      number: fc.boolean(),
      bothGrad: fc.boolean(),
      s: seed,
    }),
    build: ({ shape, drop, ones, swap, number, bothGrad, s }) => {
      const other = broadcastPartner(shape, drop, ones);
      const [shapeA, shapeB] = swap ? [other, shape] : [shape, other];
      const a = normal(shapeA, s);
      const b = op === "div" ? awayFromZero(shapeB, s + 1) : normal(shapeB, s + 1);
      if (number) return { f: (x) => x[op](op === "div" ? 1.7 : -0.3), inputs: [{ value: a }] };
      return {
        f: (x, y) => x[op](y!),
        inputs: [{ value: a, requiresGrad: bothGrad || swap }, { value: b }],
      };
    },
  });
}

// ---- element-wise unary maps ----

for (const op of ["neg", "sqrt", "exp", "log", "square", "abs"] as const) {
  check({
    name: op,
    params: fc.record({ shape: shapeOf(0, 3), s: seed }),
    build: ({ shape, s }) => ({
      f: (x) => x[op](),
      inputs: [{ value: op === "sqrt" || op === "log" ? positive(shape, s) : normal(shape, s) }],
    }),
  });
}

// ---- reductions: every axis, one axis (negative too), several axes; keepDims; correction ----

const reduction = fc.record({
  shape: shapeOf(0, 3),
  mode: fc.constantFrom("all", "one", "several"),
  pick: fc.integer({ min: 0, max: 5 }),
  negative: fc.boolean(),
  subset: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  keepDims: fc.boolean(),
  correction: fc.constantFrom(0 as const, 1 as const),
  s: seed,
});
type Reduction = typeof reduction extends fc.Arbitrary<infer R> ? R : never;
/** The axis argument of a reduction (undefined = every axis) and how many elements each result sums. */
function reductionAxes(p: Reduction): { axis: number | number[] | undefined; count: number } {
  const { shape, mode, pick, negative, subset } = p;
  if (mode === "all" || shape.length === 0) {
    return { axis: undefined, count: shape.reduce((q, e) => q * e, 1) };
  }
  if (mode === "one") {
    const axis = pick % shape.length;
    return { axis: negative ? axis - shape.length : axis, count: shape[axis]! };
  }
  const axes = shape.map((_, a) => a).filter((a) => subset[a]);
  if (axes.length === 0) axes.push(pick % shape.length);
  return { axis: axes, count: axes.reduce((q, a) => q * shape[a]!, 1) };
}

for (const op of ["sum", "mean", "max", "min", "variance", "std"] as const) {
  check({
    name: op,
    records: op === "std" ? ["variance", "sqrt"] : [op],
    params: reduction,
    build: (p) => {
      const { axis, count } = reductionAxes(p);
      const options = { keepDims: p.keepDims, correction: p.correction };
      // The unbiased variance of one element divides by 0, and √ has no slope at a 0 variance.
      fc.pre(op === "variance" ? count > p.correction : op === "std" ? count >= 2 : true);
      return { f: (x) => x[op](axis, options), inputs: [{ value: normal(p.shape, p.s) }] };
    },
  });
}

// ---- shape operations ----

/** The `index`-th permutation (mod n!) of 0…n−1. */
function permutation(n: number, index: number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  const result: number[] = [];
  for (let remaining = n; remaining > 0; remaining--) {
    result.push(pool.splice(index % remaining, 1)[0]!);
    index = Math.floor(index / remaining);
  }
  return result;
}

check({
  name: "reshape",
  params: fc.record({ shape: shapeOf(0, 3), mode: fc.integer({ min: 0, max: 2 }), s: seed }),
  build: ({ shape, mode, s }) => {
    const size = shape.reduce((p, e) => p * e, 1);
    const target = mode === 0 ? [size] : mode === 1 ? [...shape].reverse() : [1, -1, 1];
    return { f: (x) => x.reshape(target), inputs: [{ value: normal(shape, s) }] };
  },
});

check({
  name: "transpose",
  records: ["permute"],
  params: fc.record({
    shape: shapeOf(2, 4),
    a: fc.integer({ min: -4, max: 3 }),
    b: fc.integer({ min: -4, max: 3 }),
    s: seed,
  }),
  build: ({ shape, a, b, s }) => {
    const n = shape.length;
    const axis = (i: number) => Math.max(-n, Math.min(i, n - 1));
    return { f: (x) => x.transpose(axis(a), axis(b)), inputs: [{ value: normal(shape, s) }] };
  },
});

check({
  name: "permute",
  params: fc.record({ shape: shapeOf(0, 4), index: fc.integer({ min: 0, max: 23 }), s: seed }),
  build: ({ shape, index, s }) => ({
    f: (x) => x.permute(permutation(shape.length, index)),
    inputs: [{ value: normal(shape, s) }],
  }),
});

check({
  name: "matmul",
  params: fc.record({
    batch: shapeOf(0, 2),
    drop: fc.integer({ min: 0, max: 2 }),
    ones: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
    swap: fc.boolean(),
    n: fc.integer({ min: 1, max: 3 }),
    k: fc.integer({ min: 1, max: 3 }),
    m: fc.integer({ min: 1, max: 3 }),
    vectors: fc.constantFrom("none", "left", "right", "both"),
    s: seed,
  }),
  build: ({ batch, drop, ones, swap, n, k, m, vectors, s }) => {
    const other = broadcastPartner(batch, drop, ones);
    const [batchA, batchB] = swap ? [other, batch] : [batch, other];
    const shapeA = vectors === "left" || vectors === "both" ? [k] : [...batchA, n, k];
    const shapeB = vectors === "right" || vectors === "both" ? [k] : [...batchB, k, m];
    return {
      f: (a, b) => a.matmul(b!),
      inputs: [{ value: normal(shapeA, s) }, { value: normal(shapeB, s + 1) }],
    };
  },
});

check({
  name: "softmax",
  params: fc.record({ shape: shapeOf(1, 3), pick: fc.integer({ min: -3, max: 2 }), s: seed }),
  build: ({ shape, pick, s }) => ({
    f: (x) => x.softmax(Math.max(-shape.length, Math.min(pick, shape.length - 1))),
    inputs: [{ value: normal(shape, s).mul(2) }],
  }),
});

check({
  name: "maskedFill",
  params: fc.record({
    shape: shapeOf(0, 3),
    drop: fc.integer({ min: 0, max: 3 }),
    ones: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    fill: flags,
    s: seed,
  }),
  build: ({ shape, drop, ones, fill, s }) => {
    const mask = bits(broadcastPartner(shape, drop, ones), fill);
    return { f: (x) => x.maskedFill(mask, -2.5), inputs: [{ value: normal(shape, s) }] };
  },
});

check({
  name: "clone",
  params: fc.record({ shape: shapeOf(0, 3), s: seed }),
  build: ({ shape, s }) => ({ f: (x) => x.clone().mul(x), inputs: [{ value: normal(shape, s) }] }),
});

check({
  name: "astype",
  params: fc.record({ shape: shapeOf(0, 3), s: seed }),
  // Through float32 and back: linear, so a large step is exact up to float32 rounding.
  build: ({ shape, s }) => ({
    f: (x) => x.astype("float32").mul(3).astype("float64"),
    inputs: [{ value: normal(shape, s) }],
    step: 1e-2,
    atol: 1e-4,
    rtol: 1e-4,
  }),
});

// ---- joining ----

check({
  name: "stack",
  records: ["concat", "reshape"],
  params: fc.record({
    shape: shapeOf(0, 2),
    count: fc.integer({ min: 1, max: 3 }),
    pick: fc.integer({ min: -3, max: 2 }),
    s: seed,
  }),
  build: ({ shape, count, pick, s }) => {
    const axis = Math.max(-(shape.length + 1), Math.min(pick, shape.length));
    return {
      f: (...xs) => stack(xs, axis),
      inputs: Array.from({ length: count }, (_, i) => ({ value: normal(shape, s + i) })),
    };
  },
});

check({
  name: "concat",
  params: fc.record({
    shape: shapeOf(1, 3),
    extents: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
    pick: fc.integer({ min: -3, max: 2 }),
    s: seed,
  }),
  build: ({ shape, extents, pick, s }) => {
    const axis = Math.max(-shape.length, Math.min(pick, shape.length - 1));
    const dim = (axis + shape.length) % shape.length;
    return {
      f: (...xs) => concat(xs, axis),
      inputs: extents.map((extent, i) => ({
        value: normal(shape.map((e, a) => (a === dim ? extent : e)), s + i),
      })),
    };
  },
});

// ---- normalisation ----

const normParams = fc.record({
  shape: shapeOf(1, 3),
  normalizedRank: fc.integer({ min: 1, max: 3 }),
  withWeight: fc.boolean(),
  withBias: fc.boolean(),
  xGrad: fc.boolean(),
  s: seed,
});

check({
  name: "layerNorm",
  params: normParams,
  build: ({ shape, normalizedRank, withWeight, withBias, xGrad, s }) => {
    const normalizedShape = shape.slice(shape.length - Math.min(normalizedRank, shape.length));
    const inputs: CheckedInput[] = [{
      value: normal(shape, s),
      requiresGrad: xGrad || (!withWeight && !withBias),
    }];
    if (withWeight) inputs.push({ value: normal(normalizedShape, s + 1) });
    if (withBias) inputs.push({ value: normal(normalizedShape, s + 2) });
    return {
      f: (x, ...rest) => {
        const weight = withWeight ? rest[0] : undefined;
        const bias = withBias ? rest[withWeight ? 1 : 0] : undefined;
        return layerNorm(x, { normalizedShape, weight, bias });
      },
      inputs,
    };
  },
});

check({
  name: "rmsNorm",
  params: normParams,
  build: ({ shape, normalizedRank, withWeight, xGrad, s }) => {
    const normalizedShape = shape.slice(shape.length - Math.min(normalizedRank, shape.length));
    const inputs: CheckedInput[] = [{
      value: normal(shape, s),
      requiresGrad: xGrad || !withWeight,
    }];
    if (withWeight) inputs.push({ value: normal(normalizedShape, s + 1) });
    return {
      f: (x, weight) => rmsNorm(x, { normalizedShape, weight }),
      inputs,
    };
  },
});

const batchNormParams = fc.record({
  shape: shapeOf(2, 3),
  withWeight: fc.boolean(),
  withBias: fc.boolean(),
  xGrad: fc.boolean(),
  real: flags,
  s: seed,
});
type BatchNormParams = typeof batchNormParams extends fc.Arbitrary<infer R> ? R : never;

/** x, optional γ and β, for the batchNorm cases; `extra` adds options (a mask, statistics). */
function batchNormCase(
  p: BatchNormParams,
  extra: (features: number) => { options: { mask?: Tensor }; inputs: CheckedInput[] },
) {
  const features = p.shape[p.shape.length - 1]!;
  const more = extra(features);
  const inputs: CheckedInput[] = [{
    value: normal(p.shape, p.s).mul(2).add(1),
    requiresGrad: p.xGrad || (!p.withWeight && !p.withBias),
  }];
  if (p.withWeight) inputs.push({ value: normal([features], p.s + 1) });
  if (p.withBias) inputs.push({ value: normal([features], p.s + 2) });
  const affineCount = inputs.length;
  inputs.push(...more.inputs);
  return {
    f: (x: Tensor, ...rest: Tensor[]) => {
      const weight = p.withWeight ? rest[0] : undefined;
      const bias = p.withBias ? rest[p.withWeight ? 1 : 0] : undefined;
      const statistics = rest.slice(affineCount - 1);
      return batchNorm(x, {
        ...more.options,
        weight,
        bias,
        ...(statistics.length === 2 ? { mean: statistics[0], variance: statistics[1] } : {}),
      });
    },
    inputs,
  };
}

/** A mask over the leading axes of `shape` with at least one real position. */
function someReal(shape: readonly number[], real: readonly boolean[]): Tensor {
  const mask = bits(shape.slice(0, -1), real);
  mask.data[0] = 1;
  return mask;
}

check({
  name: "batchNorm",
  params: batchNormParams,
  build: (p) => batchNormCase(p, () => ({ options: {}, inputs: [] })),
});

check({
  name: "batchNorm (masked)",
  records: ["batchNorm"],
  params: batchNormParams,
  build: (p) =>
    batchNormCase(p, () => ({ options: { mask: someReal(p.shape, p.real) }, inputs: [] })),
});

check({
  name: "batchNorm (inference)",
  params: fc.record({ base: batchNormParams, masked: fc.boolean(), statsGrad: fc.boolean() }),
  build: ({ base, masked, statsGrad }) =>
    batchNormCase(base, (features) => ({
      options: masked ? { mask: someReal(base.shape, base.real) } : {},
      inputs: [
        { value: normal([features], base.s + 3), requiresGrad: statsGrad },
        { value: positive([features], base.s + 4), requiresGrad: statsGrad },
      ],
    })),
});

// ---- attention ----

const attentionParams = fc.record({
  batch: shapeOf(0, 2),
  queries: fc.integer({ min: 1, max: 4 }),
  keys: fc.integer({ min: 1, max: 4 }),
  depth: fc.integer({ min: 1, max: 3 }),
  valueDepth: fc.integer({ min: 1, max: 3 }),
  masked: fc.boolean(),
  real: flags,
  causal: fc.boolean(),
  scale: fc.option(fc.constantFrom(0.5, 1.3)),
  grads: fc.constantFrom("qkv", "q", "k", "v"),
  s: seed,
});
type AttentionParams = typeof attentionParams extends fc.Arbitrary<infer R> ? R : never;

function attentionCase(p: AttentionParams, pick: "output" | "weights") {
  // A mask is (T_k) without batch axes, else (B, T_k) for the first batch axis; fully masked
  // rows (every key padding, or causal with every visible key padding) are allowed.
  const maskShape = p.batch.length === 0 ? [p.keys] : [p.batch[0]!, p.keys];
  const mask = p.masked ? bits(maskShape, p.real) : undefined;
  const options = { mask, causal: p.causal, scale: p.scale ?? undefined };
  const shapes = [
    [...p.batch, p.queries, p.depth],
    [...p.batch, p.keys, p.depth],
    [...p.batch, p.keys, p.valueDepth],
  ];
  const names = ["q", "k", "v"];
  // The weights do not depend on v: no gradient reaches it through them (None in PyTorch).
  const grads = pick === "weights"
    ? (p.grads === "v" || p.grads === "qkv" ? "qk" : p.grads)
    : p.grads;
  return {
    f: (q: Tensor, k?: Tensor, v?: Tensor) => scaledDotProductAttention(q, k!, v!, options)[pick],
    inputs: shapes.map((shape, i) => ({
      value: normal(shape, p.s + i),
      requiresGrad: grads.includes(names[i]!),
    })),
  };
}

check({
  name: "scaledDotProductAttention",
  params: attentionParams,
  build: (p) => attentionCase(p, "output"),
});

check({
  name: "scaledDotProductAttention weights",
  params: attentionParams,
  build: (p) => attentionCase(p, "weights"),
});

check({
  name: "selfAttentionHeads",
  params: fc.record({
    batch: fc.integer({ min: 1, max: 2 }),
    positions: fc.integer({ min: 1, max: 4 }),
    heads: fc.integer({ min: 1, max: 2 }),
    depth: fc.integer({ min: 1, max: 2 }),
    masked: fc.boolean(),
    real: flags,
    causal: fc.boolean(),
    s: seed,
  }),
  build: (p) => {
    const E = p.heads * p.depth;
    const mask = p.masked ? bits([p.batch, p.positions], p.real) : undefined;
    return {
      f: (qkv: Tensor) => selfAttentionHeads(qkv, p.heads, mask, p.causal).output,
      inputs: [{ value: normal([p.batch, p.positions, 3 * E], p.s) }],
    };
  },
});

/** The packing of rows with `lengths` real tokens and one padded position after the longest. */
function packedRows(lengths: number[]) {
  const T = Math.max(...lengths) + 1;
  const mask = tensor(
    lengths.map((length) => Array.from({ length: T }, (_, t) => t < length ? 1 : 0)),
  );
  return packingOf(mask)!;
}

check({
  name: "packedSelfAttentionHeads",
  params: fc.record({
    lengths: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
    heads: fc.integer({ min: 1, max: 2 }),
    depth: fc.integer({ min: 1, max: 2 }),
    dropout: fc.boolean(),
    s: seed,
  }),
  build: (p) => {
    const sequences = packedRows(p.lengths);
    const E = p.heads * p.depth;
    const drop = p.dropout ? { p: 0.3, seed: p.s } : null;
    return {
      f: (qkv: Tensor) => packedSelfAttentionHeads(qkv, p.heads, sequences, drop),
      inputs: [{ value: normal([1, sequences.rows.length, 3 * E], p.s) }],
    };
  },
});

for (
  const [name, op] of [["unpackRows", unpackRows], ["packedMeanPool", packedMeanPool]] as const
) {
  check({
    name,
    params: fc.record({
      lengths: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
      width: fc.integer({ min: 1, max: 3 }),
      s: seed,
    }),
    build: (p) => {
      const sequences = packedRows(p.lengths);
      return {
        f: (x: Tensor) => op(x, sequences),
        inputs: [{ value: normal([1, sequences.rows.length, p.width], p.s) }],
      };
    },
  });
}

// ---- the functional ops of lib/nn/ ----

for (const [name, op] of [["relu", relu], ["gelu", gelu]] as const) {
  check({
    name,
    params: fc.record({ shape: shapeOf(0, 3), s: seed }),
    build: ({ shape, s }) => ({ f: (x) => op(x), inputs: [{ value: normal(shape, s).mul(2) }] }),
  });
}

check({
  name: "logSoftmax",
  params: fc.record({ shape: shapeOf(1, 3), pick: fc.integer({ min: -3, max: 2 }), s: seed }),
  build: ({ shape, pick, s }) => ({
    f: (x) => logSoftmax(x, Math.max(-shape.length, Math.min(pick, shape.length - 1))),
    inputs: [{ value: normal(shape, s).mul(3) }],
  }),
});

check({
  name: "crossEntropy",
  params: fc.record({
    count: fc.integer({ min: 1, max: 4 }),
    classes: fc.integer({ min: 1, max: 4 }),
    labels: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
    reduction: fc.constantFrom("mean" as const, "sum" as const, "none" as const),
    asTensor: fc.boolean(),
    s: seed,
  }),
  build: ({ count, classes, labels, reduction, asTensor, s }) => {
    const targets = labels.slice(0, count).map((label) => label % classes);
    return {
      f: (logits) =>
        crossEntropy(logits, asTensor ? tensor(targets, { dtype: f64 }) : targets, { reduction }),
      inputs: [{ value: normal([count, classes], s).mul(2) }],
    };
  },
});

// linearRelu is linear with the ReLU fused into the product's epilogue: the same inputs.
for (const [name, op] of [["linear", linear], ["linearRelu", linearRelu]] as const) {
  check({
    name,
    params: fc.record({
      lead: shapeOf(0, 2),
      inFeatures: fc.integer({ min: 1, max: 4 }),
      outFeatures: fc.integer({ min: 1, max: 4 }),
      withBias: fc.boolean(),
      xGrad: fc.boolean(),
      s: seed,
    }),
    build: ({ lead, inFeatures, outFeatures, withBias, xGrad, s }) => ({
      f: (x, weight, bias) => op(x, weight!, bias),
      inputs: [
        { value: normal([...lead, inFeatures], s), requiresGrad: xGrad },
        { value: normal([outFeatures, inFeatures], s + 1) },
        ...(withBias ? [{ value: normal([outFeatures], s + 2) }] : []),
      ],
    }),
  });
}

check({
  name: "embedding",
  params: fc.record({
    rows: fc.integer({ min: 1, max: 5 }),
    dim: fc.integer({ min: 1, max: 3 }),
    idShape: shapeOf(0, 2),
    ids: fc.array(fc.nat(), { minLength: 16, maxLength: 16 }), // repeats are likely
    paddingIdx: fc.option(fc.nat({ max: 4 })),
    asTensor: fc.boolean(),
    s: seed,
  }),
  build: ({ rows, dim, idShape, ids, paddingIdx, asTensor, s }) => {
    const values = ids.slice(0, idShape.reduce((p, e) => p * e, 1)).map((id) => id % rows);
    const idTensor = tensor(values, { shape: idShape, dtype: f64 });
    const options = paddingIdx === null ? {} : { paddingIdx: paddingIdx % rows };
    // With paddingIdx, that row gets no gradient — which finite differences would see; mask
    // its uses out of the loss so the check compares like with like.
    const keep = paddingIdx === null
      ? null
      : tensor(values.map((id) => (id === paddingIdx % rows ? 0 : 1)), {
        shape: [...idShape, 1],
        dtype: f64,
      });
    return {
      f: (weight) => {
        const y = embedding(asTensor ? idTensor : idTensor.toArray(), weight, options);
        return keep === null ? y : y.mul(keep);
      },
      inputs: [{ value: normal([rows, dim], s) }],
    };
  },
});

check({
  name: "dropout",
  params: fc.record({
    shape: shapeOf(0, 3),
    p: fc.constantFrom(0, 0.25, 0.5, 0.9),
    training: fc.boolean(),
    dropSeed: fc.nat(),
    s: seed,
  }),
  build: ({ shape, p, training, dropSeed, s }) => ({
    // The identity when not training or p = 0: multiply so that something is recorded.
    f: (x) => dropout(x, { p, seed: dropSeed, training }).mul(x),
    inputs: [{ value: normal(shape, s) }],
  }),
});

check({
  name: "narrow",
  params: fc.record({
    shape: shapeOf(1, 3),
    pick: fc.integer({ min: -3, max: 2 }),
    start: fc.nat(),
    length: fc.nat(),
    s: seed,
  }),
  build: ({ shape, pick, start, length, s }) => {
    const axis = Math.max(-shape.length, Math.min(pick, shape.length - 1));
    const extent = shape[(axis + shape.length) % shape.length]!;
    const from = start % extent;
    return {
      f: (x) => narrow(x, axis, from, 1 + (length % (extent - from))),
      inputs: [{ value: normal(shape, s) }],
    };
  },
});

// ---- the runs ----

for (const c of CASES) {
  Deno.test(`gradCheck: ${c.name}`, () => {
    const seen = { worst: 0, largest: 0, recorded: new Set<string>() };
    fc.assert(
      fc.property(c.params, (params) => {
        const { f, inputs, step, atol, rtol } = c.build(params);
        const result: GradCheckResult = gradCheck(f, inputs, {
          seed: 7,
          step,
          atol,
          rtol,
        });
        seen.worst = Math.max(seen.worst, result.worst);
        seen.largest = Math.max(seen.largest, result.largestGradient);
        for (const name of result.recorded) seen.recorded.add(name);
      }),
      { numRuns: c.numRuns ?? 100, seed: 20261128 },
    );
    for (const name of c.records ?? [c.name]) {
      ok(seen.recorded.has(name), `${c.name}: no run recorded ${name} (saw ${[...seen.recorded]})`);
    }
    ok(seen.largest > 1e-2, `${c.name}: every gradient was ~0; the check would be vacuous`);
  });
}

// ---- completeness ----

/** The differentiable operations of DESIGN.md's "Learning" contract (and the norm variants). */
const CONTRACT = [
  "add",
  "sub",
  "mul",
  "div",
  "maximum",
  "minimum",
  "neg",
  "sqrt",
  "exp",
  "log",
  "square",
  "abs",
  "sum",
  "mean",
  "max",
  "min",
  "variance",
  "std",
  "reshape",
  "transpose",
  "permute",
  "matmul",
  "softmax",
  "maskedFill",
  "clone",
  "astype",
  "stack",
  "concat",
  "layerNorm",
  "rmsNorm",
  "batchNorm",
  "batchNorm (masked)",
  "batchNorm (inference)",
  "scaledDotProductAttention",
  "relu",
  "gelu",
  "logSoftmax",
  "crossEntropy",
  "linear",
  "embedding",
  "dropout",
];

/**
 * The names lib/ passes to `record(`: string literals, and for the Tensor
 * methods that pass their operation as a variable, the members of its type.
 */
async function recordedInLib(): Promise<Set<string>> {
  const names = new Set<string>();
  const unionOf = async (file: string, type: string): Promise<string[]> => {
    const source = await Deno.readTextFile(new URL(`../lib/${file}`, import.meta.url));
    const match = source.match(new RegExp(`export type ${type} =([^;]+);`));
    ok(match, `${type} in lib/${file}`);
    return [...match[1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
  };
  // Variables passed as the name, per file: where their values come from. "eq" has no gradient.
  const variables: Record<string, () => Promise<string[]>> = {
    "tensor.ts op": async () =>
      [
        ...await unionOf("_elementwise.ts", "BinaryOp"),
        ...await unionOf("_elementwise.ts", "UnaryOp"),
        ...await unionOf("_reduce.ts", "ReduceOp"),
      ].filter((name) => name !== "eq"),
  };
  const root = new URL("../lib/", import.meta.url);
  const files: string[] = [];
  const walk = async (dir: URL, prefix: string) => {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isDirectory) await walk(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`);
      else if (entry.name.endsWith(".ts")) files.push(`${prefix}${entry.name}`);
    }
  };
  await walk(root, "");
  for (const file of files) {
    const source = await Deno.readTextFile(new URL(file, root));
    for (const call of source.matchAll(/(?<![\w.]|function )record\(\s*[^,()]+,\s*([^,]+),/g)) {
      const argument = call[1]!.trim();
      const literal = argument.match(/^"([^"]+)"$/);
      if (literal) {
        names.add(literal[1]!);
        continue;
      }
      // A local constant (`const operation = "linear"`): the nearest declaration before the call.
      const declarations = [
        ...source.slice(0, call.index).matchAll(
          new RegExp(`const ${argument.replace(/\W/g, "")} = "([^"]+)";`, "g"),
        ),
      ];
      if (declarations.length > 0) {
        names.add(declarations[declarations.length - 1]![1]!);
        continue;
      }
      const resolve = variables[`${file} ${argument}`];
      ok(
        resolve,
        `lib/${file} calls record( with the name ${argument}: list its possible values in ` +
          `recordedInLib (tests/gradcheck_test.ts) so that each gets a gradient check`,
      );
      for (const name of await resolve()) names.add(name);
    }
  }
  return names;
}

Deno.test("gradCheck rejects a wrong gradient and a missing one", () => {
  const x = { value: randn([2, 3], { seed: 1, dtype: f64 }) };
  // y = x², with the VJP of y = x (dx = dy instead of 2x·dy).
  const wrong = (t: Tensor) => record(t.detach().square(), "wrong", [t], (dy) => [dy]);
  throws(() => gradCheck(wrong, [x], { seed: 1 }), /backward gives .* but finite differences/);
  const none = (t: Tensor) => record(t.detach().square(), "none", [t], () => [null]);
  throws(() => gradCheck(none, [x], { seed: 1 }), /got no gradient/);
  const right = (t: Tensor) =>
    record(t.detach().square(), "right", [t], (dy) => [dy.mul(t.detach()).mul(2)]);
  ok(gradCheck(right, [x], { seed: 1 }).worst <= 1);
});

Deno.test("gradCheck covers every operation that lib/ records, and nothing else", async () => {
  const inLib = await recordedInLib();
  ok(inLib.size >= 30, `found only ${inLib.size} recorded names; is the scan broken?`);
  const checked = new Set(CASES.flatMap((c) => c.records ?? [c.name]));
  const missing = [...inLib].filter((name) => !checked.has(name)).sort();
  deepStrictEqual(missing, [], `recorded in lib/ without a gradient check: ${missing}`);
  const stale = [...checked].filter((name) => !inLib.has(name)).sort();
  deepStrictEqual(stale, [], `gradient checks for names lib/ never records: ${stale}`);
});

Deno.test("gradCheck covers every differentiable operation of the contract", () => {
  const names = CASES.map((c) => c.name);
  deepStrictEqual(new Set(names).size, names.length, "case names are unique");
  const missing = CONTRACT.filter((name) => !names.includes(name));
  deepStrictEqual(missing, [], `contract operations without a gradient check: ${missing}`);
});
