/**
 * The float64 WebAssembly kernels (lib/wasm/rows_f64x2.wat) against their
 * TypeScript references, bit for bit: LayerNorm's forward and backward rows,
 * Adam's update, and the ReLU gradient with its column sums. Each case also checks that the kernel ran (it returns
 * false when it leaves the work to the reference), so that no case compares
 * the reference with itself.
 */
import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { Adam, AdamW, layerNorm, randn, tensor } from "../mod.ts";
import {
  adamMoments,
  type AdamStepConstants,
  columnSumsSimd,
  layerNormBackwardSimd,
  layerNormForwardSimd,
  reluGradientColumnSumsSimd,
} from "../lib/_float64_simd.ts";
import { columnSums, reluGradient } from "../lib/nn/linear.ts";
import { layerNormBackwardRows, layerNormRows } from "../lib/layer_norm.ts";
import { adamStepReference } from "../lib/optim.ts";

/** The index of the first element where `actual` and `expected` differ as values (NaN = NaN), or −1. */
function firstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  strictEqual(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) if (!Object.is(actual[i], expected[i])) return i;
  return -1;
}

function assertBitEqual(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string) {
  const i = firstDifference(actual, expected);
  strictEqual(
    i,
    -1,
    `${what}: element ${i} is ${actual[i]} on the kernel, ${expected[i]} on the reference`,
  );
}

/** Rows of `width` values: noise around an offset per row (up to 1e4, where the shifted sums matter). */
function rowsOf(rows: number, width: number, seed: number): Float32Array {
  const noise = randn([rows, width], { seed }).data as Float32Array;
  const offsets = randn([rows], { seed: seed + 1 }).data;
  return noise.map((value, i) =>
    value * 0.5 + offsets[Math.floor(i / width)]! * 1e4 * (i % 3 === 0 ? 1 : 0.001)
  );
}

// Odd and even widths, a width of 1, and the S model's 32, with rows·width ≥ 1024 so that the
// kernel runs; the last two pass through its memory in chunks of whole rows (16384 elements), the
// last chunk partial.
const SHAPES: [number, number][] = [
  [1100, 1],
  [600, 2],
  [400, 3],
  [40, 31],
  [40, 32],
  [32, 33],
  [3, 769],
  [700, 33],
  [5, 4001],
];

Deno.test("layerNorm rows: the float64 SIMD kernel equals the reference bit for bit", () => {
  for (const [rows, width] of SHAPES) {
    const x = tensor(rowsOf(rows, width, rows + width), { shape: [rows, width] });
    const gamma = randn([width], { seed: 3 }).data as Float32Array;
    const beta = randn([width], { seed: 4 }).data as Float32Array;
    for (const [g, b] of [[gamma, beta], [gamma, null], [null, beta], [null, null]] as const) {
      const what = `(${rows}, ${width}) with${g ? "" : "out"} γ, with${b ? "" : "out"} β`;
      const simd = new Float32Array(rows * width);
      ok(layerNormForwardSimd(x.data as Float32Array, simd, g, b, rows, width, 1e-5), what);
      const reference = new Float32Array(rows * width);
      layerNormRows(
        x,
        reference,
        g ?? undefined,
        b ?? undefined,
        rows,
        width,
        1,
        1e-5,
        "layerNorm",
      );
      assertBitEqual(simd, reference, what);
    }
  }
});

Deno.test("layerNorm backward rows: the float64 SIMD kernel equals the reference bit for bit", () => {
  for (const [rows, width] of SHAPES) {
    const x = tensor(rowsOf(rows, width, 2 * rows + width), { shape: [rows, width] });
    const dy = randn([rows, width], { seed: width });
    const gamma = randn([width], { seed: 5 }).data as Float32Array;
    for (const g of [gamma, null]) {
      const what = `(${rows}, ${width}) with${g ? "" : "out"} γ`;
      const simd = {
        dx: new Float32Array(rows * width),
        dWeight: new Float64Array(width),
        dBias: new Float64Array(width),
      };
      ok(
        layerNormBackwardSimd(
          x.data as Float32Array,
          dy.data as Float32Array,
          simd.dx,
          g,
          simd.dWeight,
          simd.dBias,
          rows,
          width,
          1e-5,
        ),
        what,
      );
      const reference = {
        dx: new Float32Array(rows * width),
        dWeight: new Float64Array(width),
        dBias: new Float64Array(width),
      };
      layerNormBackwardRows(
        x,
        dy,
        reference.dx,
        g ?? undefined,
        reference.dWeight,
        reference.dBias,
        rows,
        width,
        1,
        1e-5,
      );
      assertBitEqual(simd.dx, reference.dx, `dx ${what}`);
      assertBitEqual(simd.dWeight, reference.dWeight, `dγ ${what}`);
      assertBitEqual(simd.dBias, reference.dBias, `dβ ${what}`);
    }
  }
});

Deno.test("layerNorm on the kernel: a bad token still throws the reference's error, naming it", () => {
  const values = rowsOf(2 * 300, 4, 7);
  values[(300 + 5) * 4 + 2] = NaN; // token [1, 5]
  const x = tensor(values, { shape: [2, 300, 4] });
  ok(!layerNormForwardSimd(values, new Float32Array(values.length), null, null, 600, 4, 1e-5));
  throws(
    () => layerNorm(x),
    new Error(
      "layerNorm: expected finite values in x [2, 300, 4] but token [1, 5] contains NaN or ±Infinity",
    ),
  );
  const constant = rowsOf(2 * 300, 4, 8);
  constant.fill(3, 299 * 4, 300 * 4); // token [0, 299]
  throws(
    () => layerNorm(tensor(constant, { shape: [2, 300, 4] }), { eps: 0 }),
    /token \[0, 299\] of x \[2, 300, 4\] is constant and eps is 0/,
  );
});

Deno.test("Adam's update: the float64 SIMD kernel equals the reference bit for bit over 30 steps", () => {
  const sizes = [1, 2, 7, 1024, 4097];
  const settings: [string, Omit<AdamStepConstants, "stepSize" | "correction">, number][] = [
    ["Adam", { decay: 1, l2: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 }, 1e-3],
    ["Adam with L2", { decay: 1, l2: 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-6 }, 3e-2],
    ["AdamW", { decay: 1 - 1e-2 * 0.1, l2: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 }, 1e-2],
  ];
  for (const [name, rule, lr] of settings) {
    const moments = adamMoments(sizes);
    ok(moments !== null);
    sizes.forEach((size, index) => {
      const simd = randn([size], { seed: size }).data as Float32Array;
      const reference = Float32Array.from(simd);
      const first = new Float64Array(size);
      const second = new Float64Array(size);
      for (let step = 1; step <= 30; step++) {
        const grad = randn([size], { seed: 100 * step + size }).data.map((g) =>
          g * 10 ** (step % 5 - 3)
        ) as Float32Array;
        if (step === 7) grad.fill(0); // a step without gradient: the moments only decay
        const constants = {
          ...rule,
          stepSize: lr / (1 - rule.beta1 ** step),
          correction: Math.sqrt(1 - rule.beta2 ** step),
        };
        ok(moments.step(index, simd, grad, constants));
        adamStepReference(reference, grad, first, second, constants);
      }
      assertBitEqual(simd, reference, `${name}, parameter of ${size}`);
      assertBitEqual(moments.first[index]!, first, `${name}, first moments of ${size}`);
      assertBitEqual(moments.second[index]!, second, `${name}, second moments of ${size}`);
    });
  }
});

Deno.test("Adam and AdamW: float32 parameters on the kernel, float64 ones on the reference, same rule", () => {
  for (const Optimizer of [Adam, AdamW]) {
    const run = (dtype: "float32" | "float64") => {
      const w = randn([3, 5], { seed: 1, dtype });
      w.requiresGrad = true;
      const optimizer = new Optimizer([w], { lr: 0.1 });
      for (let step = 0; step < 5; step++) {
        optimizer.zeroGrad();
        w.square().sum().backward();
        optimizer.step();
      }
      return Array.from(w.data);
    };
    const [single, double] = [run("float32"), run("float64")];
    // The same float64 rule; float32 storage rounds each step's result.
    deepStrictEqual(single.map((v, i) => Math.abs(v - double[i]!) < 1e-5), single.map(() => true));
  }
  // The kernel cannot take float64 arrays: it says so, and changes nothing.
  const moments = adamMoments([4])!;
  const data = new Float64Array([1, 2, 3, 4]);
  strictEqual(
    moments.step(0, data, new Float64Array(4), {
      decay: 1,
      l2: 0,
      beta1: 0.9,
      beta2: 0.999,
      stepSize: 1,
      correction: 1,
      eps: 1e-8,
    }),
    false,
  );
  deepStrictEqual(Array.from(data), [1, 2, 3, 4]);
});

Deno.test("ReLU gradient and its column sums: the SIMD kernel equals the references bit for bit", () => {
  // (rows, m): the S model's feed-forward (984, 128); rows not a multiple of 4; m = 2; several
  // chunks of rows (16384 elements, a multiple of 4 rows each), the last partial.
  const shapes: [number, number][] = [[984, 128], [1031, 2], [17, 64], [1003, 64], [9, 4000]];
  for (const [rows, m] of shapes) {
    const dy = randn([rows * m], { seed: rows }).data as Float32Array;
    const y = (randn([rows * m], { seed: m }).data as Float32Array).map((
      v,
      i,
    ) => (i % 5 === 0 ? 0 : v));
    // The rule's edges: ±∞ and NaN in dy on both sides of the ReLU, −0 in dy, NaN and −0 in y.
    dy.set([Infinity, -Infinity, NaN, -0, Infinity, NaN, -0], 0);
    y.set([1, -1, -2, 3, 0, 5, 2], 0);
    y[m + 1] = NaN;
    y[m + 2] = -0;
    // Column 1 of rows 4 to 7: a sum whose value depends on its order, ((a + b) + c) + d = 1.
    [1e30, 1, -1e30, 1].forEach((value, i) => {
      dy[(4 + i) * m + 1] = value;
      y[(4 + i) * m + 1] = 1;
    });
    const what = `(${rows}, ${m})`;
    const simd = { gradient: new Float32Array(rows * m), sums: new Float64Array(m) };
    ok(reluGradientColumnSumsSimd(dy, y, simd.gradient, simd.sums, rows, m), what);
    const gradient = new Float32Array(rows * m);
    reluGradient(dy, y, gradient);
    assertBitEqual(simd.gradient, gradient, `gradient ${what}`);
    assertBitEqual(simd.sums, columnSums(gradient, rows, m, new Float64Array(m)), `sums ${what}`);
  }
  // An odd m: left to the references.
  strictEqual(
    reluGradientColumnSumsSimd(
      new Float32Array(1025 * 3),
      new Float32Array(1025 * 3),
      new Float32Array(1025 * 3),
      new Float64Array(3),
      1025,
      3,
    ),
    false,
  );
});

Deno.test("column sums (a linear layer's bias gradient): the SIMD kernel equals the reference bit for bit", () => {
  // The S model's (984, 96) and (984, 32); rows not a multiple of 4; m = 2; several chunks of
  // rows, the last partial; sums that start from values already there.
  const shapes: [number, number][] = [[984, 96], [984, 32], [1031, 2], [1003, 64], [9, 4000]];
  for (const [rows, m] of shapes) {
    const data = randn([rows * m], { seed: rows + m }).data as Float32Array;
    // Column 1 of rows 4 to 7: a sum whose value depends on its order, ((a + b) + c) + d = 1.
    [1e30, 1, -1e30, 1].forEach((value, i) => data[(4 + i) * m + 1] = value);
    data[3 * m] = NaN;
    data[8 * m + (m - 1)] = -Infinity; // row 8: clear of the ordered rows 4 to 7
    const start = Float64Array.from({ length: m }, (_, j) => j * 0.25 - 3);
    const simd = Float64Array.from(start);
    ok(columnSumsSimd(data, rows, m, simd), `(${rows}, ${m})`);
    assertBitEqual(simd, columnSums(data, rows, m, Float64Array.from(start)), `(${rows}, ${m})`);
  }
  // An odd m, or too little work: left to the reference, sums untouched.
  const sums = new Float64Array(3).fill(7);
  strictEqual(columnSumsSimd(new Float32Array(1025 * 3), 1025, 3, sums), false);
  strictEqual(columnSumsSimd(new Float32Array(8 * 4), 8, 4, sums), false);
  deepStrictEqual(Array.from(sums), [7, 7, 7]);
});
