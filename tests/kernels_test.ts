/**
 * The fast kernels against their readable references: the WebAssembly SIMD
 * matmul against the TypeScript one, attention's large-input path against
 * its small-input loops, and blocked BatchNorm statistics against plain
 * two-pass ones.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import {
  batchNorm,
  embedding,
  featureStats,
  linear,
  MultiheadAttention,
  randn,
  relu,
  scaledDotProductAttention,
  tensor,
} from "../mod.ts";
import { linearRelu } from "../lib/nn/linear.ts";
import { softmaxScoreRow, softmaxScoreRows } from "../lib/_score_softmax.ts";
import { matmulReference, usesWasm } from "../lib/_matmul.ts";
import {
  gemm,
  gemmAll,
  gemmBackend,
  gemmReference,
  stridedOffsets,
  usesWasm as usesWasmGemm,
} from "../lib/_gemm.ts";
import { WASM_BASE64, WASM_FALLBACK_BASE64 } from "../lib/wasm/gemm_f32x4.ts";
import { maxDeviation } from "./_helpers.ts";

Deno.test("matmul: the WebAssembly SIMD kernel matches the TypeScript reference", () => {
  const cases: [number[], number[]][] = [
    [[32, 128, 64], [32, 64, 128]], // M
    [[4, 512], [512, 8]], // n = 4, m = 8: the smallest block, at the work threshold
    [[2, 3, 16, 48], [48, 24]], // broadcast batch axes
    [[1, 64, 33], [5, 33, 16]], // odd k, broadcasting the other way
  ];
  for (const [[...aShape], [...bShape]] of cases) {
    const a = randn(aShape, { seed: aShape.length * 7 + aShape[0]! });
    const b = randn(bShape, { seed: bShape.length * 11 + bShape[0]! });
    const n = aShape[aShape.length - 2]!;
    const k = aShape[aShape.length - 1]!;
    const m = bShape[bShape.length - 1]!;
    // Every case must reach the SIMD kernel, or this compares the reference with itself.
    ok(usesWasm(a.data, b.data, n, k, m), `${aShape} · ${bShape} takes the SIMD path`);
    const product = a.matmul(b);
    const reference = new Float64Array(product.size);
    matmulReference(
      a.data,
      aShape.slice(0, -2),
      b.data,
      bShape.slice(0, -2),
      reference,
      product.shape.slice(0, -2),
      n,
      k,
      m,
    );
    const deviation = maxDeviation(product, tensor(reference, { shape: product.shape }));
    // float32 accumulation over k terms of size ~1: a few ulps of √k.
    ok(deviation < 1e-4, `${aShape} · ${bShape}: ${deviation}`);
  }
  ok(
    usesWasm(new Float32Array(1), new Float32Array(1), 128, 64, 128),
    "the M shape uses WebAssembly",
  );
  ok(
    !usesWasm(new Float64Array(1), new Float64Array(1), 128, 64, 128),
    "float64 stays in TypeScript",
  );
  ok(
    !usesWasm(new Float32Array(1), new Float32Array(1), 2, 3, 4),
    "notebook-size products stay in TypeScript",
  );
  // The packed kernel takes any n and m (it pads its panels): odd shapes match the reference too.
  ok(usesWasm(new Float32Array(1), new Float32Array(1), 3, 64, 128), "n % 4 ≠ 0 uses the kernel");
});

/** Random float32 data in [−1, 1), seeded. */
function randomData(length: number, seed: number): Float32Array {
  return randn([length], { seed }).data as Float32Array;
}

/** `values` with NaN first and −∞ last (when there is room). */
function withEdges(values: Float32Array): Float32Array {
  values[0] = NaN;
  if (values.length > 1) values[values.length - 1] = -Infinity;
  return values;
}

/** A batch of products with every layout, odd edges and k beyond one 256 block. */
const GEMM_CASES: [number, number, number, number][] = [
  [1, 40, 16, 40], // attention at S, one head
  [3, 7, 9, 13], // edges in both directions, several batches
  [1, 128, 300, 72], // two k blocks
  [2, 13, 600, 5], // three k blocks, m < 8
  [1, 64, 513, 24],
  [4, 6, 8, 8], // exactly one register block
];

Deno.test("gemm: the WebAssembly kernel matches the reference for every transpose and edge", () => {
  for (const [batches, n, k, m] of GEMM_CASES) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const a = randomData(batches * n * k, n + k);
        const b = randomData(batches * k * m, k + m);
        const problem = {
          a,
          transA,
          aOffsets: stridedOffsets(batches, n * k),
          b,
          transB,
          bOffsets: stridedOffsets(batches, k * m),
          n,
          k,
          m,
          // The epilogues too: a bias row (with NaN and −∞ at its ends) and a ReLU.
          bias: transB ? withEdges(randomData(m, m)) : null,
          relu: transA,
        };
        ok(usesWasmGemm(a, b, n, k, m, batches) || batches * n * k * m < 16384);
        const out = new Float32Array(batches * n * m).fill(NaN);
        gemm({ ...problem, out });
        const reference = new Float64Array(batches * n * m);
        gemmReference({ ...problem, out: reference });
        // NaN exactly where the reference has NaN; elsewhere within float32 accumulation error.
        let deviation = 0;
        for (let i = 0; i < out.length; i++) {
          const [actual, expected] = [out[i]!, reference[i]!];
          if ((Number.isNaN(expected) && Number.isNaN(actual)) || actual === expected) continue;
          const difference = Math.abs(actual - expected);
          if (!(difference <= deviation)) deviation = difference;
        }
        ok(deviation < 1e-4, `${[batches, n, k, m]} ${transA}/${transB}: ${deviation}`);
      }
    }
  }
  strictEqual(gemmBackend() === "typescript", false, "WebAssembly SIMD is available here");
});

Deno.test("gemm: strided operands and results placed in a wider array match the reference", () => {
  // Two heads of width 8 side by side in (2, 24, 3·16) rows: head h of Q at column h·8, of K
  // at 16 + h·8; the scores of batch b, head h, into slot (b, h) of a (2, 24, 2, 24) array.
  const [B, T, E, H] = [2, 24, 16, 2];
  const depth = E / H;
  const qkv = randomData(B * T * 3 * E, 11);
  const aOffsets: number[] = [];
  const bOffsets: number[] = [];
  const outOffsets: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      aOffsets.push(b * T * 3 * E + h * depth);
      bOffsets.push(b * T * 3 * E + E + h * depth);
      outOffsets.push((b * T * H + h) * T);
    }
  }
  const problem = {
    a: qkv,
    transA: false,
    aOffsets,
    aStride: 3 * E,
    b: qkv,
    transB: true,
    bOffsets,
    bStride: 3 * E,
    outOffsets,
    outStride: H * T,
    n: T,
    k: depth,
    m: T,
  };
  const out = new Float32Array(B * T * H * T);
  gemm({ ...problem, out });
  const reference = new Float64Array(out.length);
  gemmReference({ ...problem, out: reference });
  const deviation = maxDeviation(
    tensor(out, { shape: [out.length] }),
    tensor(reference, { shape: [out.length] }),
  );
  ok(deviation < 1e-5, `${deviation}`);
  // Element (b, i, h, j) = q(b, i, h) · k(b, j, h), straight from the definition.
  const [b, i, h, j] = [1, 5, 1, 17];
  let dot = 0;
  for (let c = 0; c < depth; c++) {
    dot += qkv[(b * T + i) * 3 * E + h * depth + c]! *
      qkv[(b * T + j) * 3 * E + E + h * depth + c]!;
  }
  ok(Math.abs(out[((b * T + i) * H + h) * T + j]! - dot) < 1e-5);
});

Deno.test("gemmAll: shared inputs once, a product reading an earlier result, in order", () => {
  const [n, k, m] = [30, 20, 28];
  const a = randomData(n * k, 21);
  const b = randomData(k * m, 22);
  const first = new Float32Array(n * m);
  const second = new Float32Array(k * m).fill(7); // Aᵀ · first: (k, n) · (n, m)
  const product = (
    out: Float32Array | Float64Array,
    left: Float32Array,
    transA: boolean,
    right: Float32Array,
  ) =>
    transA
      ? {
        a: left,
        transA,
        aOffsets: [0],
        b: right,
        transB: false,
        bOffsets: [0],
        out,
        n: k,
        k: n,
        m,
      }
      : { a: left, transA, aOffsets: [0], b: right, transB: false, bOffsets: [0], out, n, k, m };
  gemmAll([product(first, a, false, b), product(second, a, true, first)]);
  const expectedFirst = new Float64Array(n * m);
  gemmReference(product(expectedFirst, a, false, b));
  const expectedSecond = new Float64Array(k * m);
  gemmReference(product(expectedSecond, a, true, Float32Array.from(expectedFirst)));
  for (const [actual, expected] of [[first, expectedFirst], [second, expectedSecond]] as const) {
    const deviation = maxDeviation(
      tensor(actual, { shape: [actual.length] }),
      tensor(expected, { shape: [expected.length] }),
    );
    ok(deviation < 1e-4, `${deviation}`);
  }
});

Deno.test("gemm: both WebAssembly builds (relaxed SIMD and mul + add) match the reference", () => {
  const [batches, n, k, m] = [1, 29, 300, 21];
  const a = randomData(n * k, 1);
  const b = randomData(k * m, 2);
  const reference = new Float64Array(n * m);
  gemmReference({
    a,
    transA: false,
    aOffsets: [0],
    b,
    transB: true,
    bOffsets: [0],
    out: reference,
    n,
    k,
    m,
  });
  for (const base64 of [WASM_BASE64, WASM_FALLBACK_BASE64]) {
    let exports: WebAssembly.Exports;
    try {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      exports = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
    } catch {
      ok(base64 === WASM_BASE64, "the build without relaxed SIMD compiles everywhere");
      continue;
    }
    const memory = exports.memory as WebAssembly.Memory;
    const run = exports.gemm as (...args: number[]) => void;
    memory.grow(4);
    const work = 0;
    const baseA = 65536;
    const baseB = baseA + a.length * 4;
    const baseOut = baseB + b.length * 4;
    new Float32Array(memory.buffer, baseA, a.length).set(a);
    new Float32Array(memory.buffer, baseB, b.length).set(b);
    // op(B) = Bᵀ stored (m, k): row stride 4 bytes, column stride 4k; C rows 4m apart; no
    // bias, no ReLU.
    run(baseA, 4 * k, 4, baseB, 4, 4 * k, baseOut, 4 * m, n, k, m, work, 0, 0);
    const out = new Float32Array(memory.buffer, baseOut, batches * n * m).slice();
    const deviation = maxDeviation(
      tensor(out, { shape: [out.length] }),
      tensor(reference, { shape: [out.length] }),
    );
    ok(deviation < 1e-4, `${base64 === WASM_BASE64 ? "relaxed" : "fallback"}: ${deviation}`);
  }
});

Deno.test("attention: the large-input path (SIMD matmuls) matches the small-input loops", () => {
  const q = randn([2, 64, 16], { seed: 1 });
  const k = randn([2, 64, 16], { seed: 2 });
  const v = randn([2, 64, 16], { seed: 3 });
  const mask = tensor(
    Array.from(
      { length: 2 },
      (_, b) => Array.from({ length: 64 }, (_, t) => (t < 40 + 20 * b ? 1 : 0)),
    ),
  );
  ok(usesWasm(q.data, k.data, 64, 16, 64), "the float32 inputs take the SIMD path");
  for (const causal of [false, true]) {
    const fast = scaledDotProductAttention(q, k, v, { mask, causal });
    // float64 inputs take the direct loops.
    const slow = scaledDotProductAttention(
      q.astype("float64"),
      k.astype("float64"),
      v.astype("float64"),
      { mask, causal },
    );
    ok(maxDeviation(fast.weights, slow.weights) < 1e-6, `weights, causal ${causal}`);
    ok(maxDeviation(fast.output, slow.output) < 1e-5, `output, causal ${causal}`);
  }
  const empty = scaledDotProductAttention(q, k, v, {
    mask: tensor(new Float32Array(128), { shape: [2, 64] }),
  });
  strictEqual(empty.output.abs().max().item(), 0, "no visible key: zeros on the fast path too");
});

Deno.test("BatchNorm statistics: blocked merging equals plain two-pass on many rows", () => {
  const x = randn([5, 77, 6], { seed: 4, dtype: "float64" }).mul(3).add(1e4);
  const rows = x.reshape(-1, 6);
  const mean = rows.mean(0);
  const variance = rows.variance(0);
  const stats = featureStats(x);
  ok(maxDeviation(stats.mean, mean) < 1e-9);
  ok(maxDeviation(stats.variance, variance) < 1e-9);
  const mask = tensor(
    Array.from(
      { length: 5 },
      (_, b) => Array.from({ length: 77 }, (_, t) => (t < 10 + 13 * b ? 1 : 0)),
    ),
  );
  const masked = featureStats(x, { mask });
  const real = Array.from({ length: 5 * 77 }, (_, i) => i).filter((i) => mask.data[i] === 1);
  const picked = tensor(real.flatMap((i) => Array.from(rows.data.subarray(i * 6, i * 6 + 6))), {
    shape: [real.length, 6],
    dtype: "float64",
  });
  ok(maxDeviation(masked.mean, picked.mean(0)) < 1e-9);
  ok(maxDeviation(masked.variance, picked.variance(0)) < 1e-9);
  // The 4-row unrolled output pass agrees with the masked (row by row) one when every row is real.
  const all = tensor(new Float32Array(5 * 77).fill(1), { shape: [5, 77] });
  const x32 = x.astype("float32");
  ok(maxDeviation(batchNorm(x32), batchNorm(x32, { mask: all })) < 1e-5);
});

Deno.test("softmax's exp: within 1e-8 of Math.exp on [−745, 0], NaN for NaN", async () => {
  const { expNonPositive } = await import("../lib/_exp.ts");
  let worst = 0;
  for (let i = 0; i <= 200000; i++) {
    const x = -745 * (i / 200000) ** 3; // dense near 0, where softmax arguments mostly are
    const exact = Math.exp(x);
    if (exact > 0) worst = Math.max(worst, Math.abs(expNonPositive(x) - exact) / exact);
  }
  ok(worst < 1e-8, `relative error ${worst}`);
  strictEqual(expNonPositive(0), 1);
  strictEqual(expNonPositive(-1000), 0);
  strictEqual(expNonPositive(-Infinity), 0);
  ok(Number.isNaN(expNonPositive(NaN)));
});

Deno.test("MultiheadAttention: fused self-attention heads match the composed path", () => {
  // query === key === value takes selfAttentionHeads; a copy of x as key takes narrow + linear ×3.
  const attention = new MultiheadAttention(16, 4, { seed: 3 });
  const mask = tensor([[1, 1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1], [
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
  ]]);
  const upstream = randn([3, 8, 16], { seed: 5 });
  const run = (fused: boolean) => {
    const x = randn([3, 8, 16], { seed: 4 });
    x.requiresGrad = true;
    attention.zeroGrad();
    const { output, weights } = attention.forward(x, fused ? x : x.clone(), x, { mask });
    output.backward(upstream);
    return { output, weights, dx: x.grad!, dw: attention.inProjectionWeight.grad! };
  };
  const fused = run(true);
  const composed = run(false);
  for (const key of ["output", "weights", "dx", "dw"] as const) {
    const deviation = maxDeviation(fused[key], composed[key]);
    ok(deviation < 1e-5, `${key}: ${deviation}`);
  }
});

Deno.test("linearRelu: the kernel's fused bias and ReLU equal relu(linear(x)), gradients too", () => {
  // (40, 24) · (24, 56)ᵀ takes the WebAssembly kernel, with edge tiles in both directions.
  const run = (fused: boolean) => {
    const x = randn([5, 8, 24], { seed: 1 });
    const weight = randn([56, 24], { seed: 2 });
    const bias = randn([56], { seed: 3 });
    for (const t of [x, weight, bias]) t.requiresGrad = true;
    const y = fused ? linearRelu(x, weight, bias) : relu(linear(x, weight, bias));
    y.backward(randn([5, 8, 56], { seed: 4 }));
    return { y, dx: x.grad!, dw: weight.grad!, db: bias.grad! };
  };
  ok(usesWasm(new Float32Array(1), new Float32Array(1), 40, 24, 56));
  const fused = run(true);
  const composed = run(false);
  for (const key of ["y", "dx", "dw", "db"] as const) {
    const deviation = maxDeviation(fused[key], composed[key]);
    ok(deviation < 1e-5, `${key}: ${deviation}`);
  }
  // ReLU's edges: −0 → 0, NaN stays NaN, −∞ → 0 (here through the bias).
  const edges = linearRelu(tensor([[1]]), tensor([[1], [1], [1]]), tensor([-1, NaN, -Infinity]));
  deepStrictEqual(edges.toArray(), [[0, NaN, 0]]);
});

Deno.test("attention softmax: the WebAssembly SIMD rows match the TypeScript reference", () => {
  // 24 · 12 · 20 = 5760 scores: above the kernel's threshold (4096), keys a multiple of 4.
  const [groups, queries, keys, perMaskRow] = [24, 12, 20, 2];
  const scores = randn([groups * queries * keys], { seed: 9 }).data.map((x) => 4 * x);
  scores[5 * keys + 3] = NaN; // a NaN at a visible key: its row is NaN
  scores[7 * keys + 19] = NaN; // a NaN at a padded key of group 0 (keys ≥ 16): no effect
  const mask = new Float32Array((groups / perMaskRow) * keys).fill(1);
  mask.fill(0, 16, keys); // mask row 0: the last 4 keys are padding
  mask.fill(0, keys, 2 * keys); // mask row 1: every key padding → zeros
  for (const causal of [false, true]) {
    for (const masked of [false, true]) {
      const rows = (weights: Float32Array) => ({
        weights,
        queries,
        keys,
        scale: 0.7,
        mask: masked ? mask : undefined,
        batchesPerMaskRow: perMaskRow,
        causal,
      });
      const simd = Float32Array.from(scores);
      softmaxScoreRows(rows(simd), groups);
      const reference = Float32Array.from(scores);
      for (let group = 0; group < groups; group++) {
        for (let i = 0; i < queries; i++) softmaxScoreRow(rows(reference), group, i);
      }
      for (let i = 0; i < scores.length; i++) {
        const [actual, expected] = [simd[i]!, reference[i]!];
        ok(
          Number.isNaN(expected) ? Number.isNaN(actual) : Math.abs(actual - expected) <= 1e-6,
          `causal ${causal}, masked ${masked}, score ${i}: ${actual} against ${expected}`,
        );
      }
    }
  }
});

Deno.test("embedding rows: copied by loop (short rows) and by set (long rows) alike", () => {
  for (const dim of [1, 8, 63, 64, 65, 200]) {
    const weight = randn([10, dim], { seed: dim });
    const ids = [[3, 0, 9], [9, 9, 1]];
    const rows = embedding(ids, weight).toArray() as number[][][];
    const table = weight.toArray() as number[][];
    deepStrictEqual(rows, ids.map((sentence) => sentence.map((id) => table[id])), `dim ${dim}`);
  }
});
