import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import {
  allClose,
  arange,
  concat,
  full,
  ones,
  rand,
  randn,
  stack,
  Tensor,
  tensor,
  zeros,
} from "../mod.ts";
import { binaryKernel } from "../lib/_elementwise.ts";

Deno.test("tensor: nested arrays, flat data with a shape, dtypes", () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  deepStrictEqual(x.shape, [2, 3]);
  strictEqual(x.dtype, "float32");
  strictEqual(x.size, 6);
  strictEqual(x.ndim, 2);
  deepStrictEqual(x.strides, [3, 1]);
  const flat = new Float32Array([1, 2, 3, 4]);
  const shared = tensor(flat, { shape: [2, 2] });
  strictEqual(shared.data, flat, "a Float32Array of the right dtype is not copied");
  const copied = tensor(flat, { shape: [2, 2], dtype: "float64" });
  ok(copied.data instanceof Float64Array);
  strictEqual(tensor(new Float64Array([1])).dtype, "float64");
  strictEqual(tensor(3).ndim, 0);
  strictEqual(tensor(3).item(), 3);
  deepStrictEqual(tensor([]).shape, [0]);
  deepStrictEqual(tensor([[], []]).shape, [2, 0]);
  deepStrictEqual(tensor([1, 2, 3, 4], { shape: [2, 2] }).toArray(), [[1, 2], [3, 4]]);
  strictEqual(tensor([0.1]).data[0], Math.fround(0.1));
  strictEqual(tensor([0.1], { dtype: "float64" }).data[0], 0.1);
});

Deno.test("tensor: ragged and malformed input throws with the shape", () => {
  throws(
    () => tensor([[1, 2], [3]]),
    /tensor: expected an array of length 2 at index \[1\].*found length 1/,
  );
  throws(() => tensor([[1, 2], 3] as unknown as number[][]), /ragged/);
  throws(() => tensor([1, "a"] as unknown as number[]), /expected a number at index \[1\]/);
  throws(
    () => tensor([1, 2, 3], { shape: [2, 2] }),
    /expected 4 elements for shape \[2, 2\] but found 3/,
  );
  throws(() => tensor([1, 2], { shape: [-2] }), /non-negative integers/);
  throws(() => new Tensor(new Float32Array(3), [2, 2]), /expected 4 elements/);
});

Deno.test("creation: zeros, ones, full, arange, randn, rand", () => {
  deepStrictEqual(zeros([2, 2]).toArray(), [[0, 0], [0, 0]]);
  deepStrictEqual(ones([2]).toArray(), [1, 1]);
  deepStrictEqual(full([1, 2], -3, { dtype: "float64" }).toArray(), [[-3, -3]]);
  deepStrictEqual(arange(2, 5).toArray(), [2, 3, 4]);
  throws(
    () => zeros([2, -1]),
    /zeros: expected a shape of non-negative integers but found \[2, -1\]/,
  );
  throws(() => ones([1.5]), /ones: expected a shape of non-negative integers/);
  deepStrictEqual(arange(5, 2, -1).toArray(), [5, 4, 3]);
  deepStrictEqual(arange(0).shape, [0]);
  throws(() => arange(0, 1, 0), /arange: .*non-zero step/);
  // The same seed gives the same numbers; other seeds differ.
  deepStrictEqual(randn([5], { seed: 3 }).toArray(), randn([5], { seed: 3 }).toArray());
  ok(!allClose(randn([5], { seed: 3 }), randn([5], { seed: 4 })));
  // Golden values: these must not change across machines or versions.
  deepStrictEqual(
    Array.from(randn([4], { seed: 0, dtype: "float64" }).data).map((v) => v.toFixed(12)),
    ["2.081208934870", "0.163465613627", "0.254130696022", "0.039282023358"],
  );
  deepStrictEqual(
    Array.from(rand([3], { seed: 1, dtype: "float64" }).data).map((v) => v.toFixed(12)),
    ["0.568605994835", "0.889393936768", "0.470582418020"],
  );
  throws(() => randn([2], { seed: 1.5 }), /randn: expected an integer seed but found 1.5/);
  throws(() => rand([2], { seed: NaN }), /rand: expected an integer seed but found NaN/);
  const big = randn([20000], { seed: 9, dtype: "float64" });
  ok(Math.abs(big.mean().item()) < 0.03, "mean ≈ 0");
  ok(Math.abs(big.variance().item() - 1) < 0.03, "variance ≈ 1");
});

Deno.test("reshape, transpose, permute", () => {
  const x = arange(24).reshape(2, 3, 4);
  deepStrictEqual(x.reshape(-1, 4).shape, [6, 4]);
  deepStrictEqual(x.reshape([4, -1]).shape, [4, 6]);
  throws(() => x.reshape(-1, -1), /reshape: expected a shape with 24 elements for x \[2, 3, 4\]/);
  throws(() => x.reshape(5, -1), /reshape/);
  throws(() => x.reshape(2, 3), /reshape/);
  deepStrictEqual(arange(6).reshape(2, 3).transpose().toArray(), [[0, 3], [1, 4], [2, 5]]);
  const p = x.permute(2, 0, 1);
  deepStrictEqual(p.shape, [4, 2, 3]);
  // p[c, a, b] = x[a, b, c] = 12a + 4b + c
  strictEqual((p.toArray() as number[][][])[3]![1]![2], 12 + 8 + 3);
  throws(() => x.permute(0, 0, 1), /permute: expected a permutation of the 3 axes/);
  throws(() => x.permute(0, 1, 3), /permute: expected an axis in \[-3, 2\]/);
  throws(() => arange(3).transpose(), /transpose: expected at least 2 axes/);
});

Deno.test("element-wise operations broadcast like NumPy", () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  deepStrictEqual(x.add(10).toArray(), [[11, 12, 13], [14, 15, 16]]);
  deepStrictEqual(x.sub(tensor([1, 2, 3])).toArray(), [[0, 0, 0], [3, 3, 3]]);
  deepStrictEqual(x.mul(tensor([[2], [3]])).toArray(), [[2, 4, 6], [12, 15, 18]]);
  deepStrictEqual(tensor([[1], [2]]).add(tensor([10, 20])).toArray(), [[11, 21], [12, 22]]);
  deepStrictEqual(tensor(2).mul(x).shape, [2, 3]);
  deepStrictEqual(x.div(2).toArray(), [[0.5, 1, 1.5], [2, 2.5, 3]]);
  deepStrictEqual(tensor([1, 0]).div(0).toArray(), [Infinity, NaN]);
  deepStrictEqual(tensor([1, 0, 1]).eq(0).toArray(), [0, 1, 0]);
  deepStrictEqual(tensor([1, 5]).maximum(tensor([3, 2])).toArray(), [3, 5]);
  deepStrictEqual(tensor([1, 5]).minimum(3).toArray(), [1, 3]);
  deepStrictEqual(tensor([-1, 2]).neg().toArray(), [1, -2]);
  deepStrictEqual(tensor([4, 9]).sqrt().toArray(), [2, 3]);
  deepStrictEqual(tensor([-2, 3]).abs().toArray(), [2, 3]);
  deepStrictEqual(tensor([-2, 3]).square().toArray(), [4, 9]);
  deepStrictEqual(tensor([0]).exp().toArray(), [1]);
  deepStrictEqual(tensor([1]).log().toArray(), [0]);
  deepStrictEqual(zeros([2, 0]).add(tensor([1])).shape, [2, 0]);
  strictEqual(x.add(tensor([1], { dtype: "float64" })).dtype, "float64");
  throws(
    () => x.add(tensor([1, 2])),
    /add: expected shapes that broadcast together but found \[2, 3\] and \[2\]/,
  );
  throws(() => x.mul(zeros([3, 3])), /mul: .*\[2, 3\] and \[3, 3\]/);
});

Deno.test("reductions over one axis, several axes, all axes, with keepDims", () => {
  const x = tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
  strictEqual(x.sum().item(), 36);
  deepStrictEqual(x.sum(0).toArray(), [[6, 8], [10, 12]]);
  deepStrictEqual(x.sum(-1).toArray(), [[3, 7], [11, 15]]);
  deepStrictEqual(x.sum([0, 2]).toArray(), [14, 22]);
  deepStrictEqual(x.sum([0, 2], { keepDims: true }).shape, [1, 2, 1]);
  deepStrictEqual(x.mean(1).toArray(), [[2, 3], [6, 7]]);
  deepStrictEqual(x.max(2).toArray(), [[2, 4], [6, 8]]);
  deepStrictEqual(x.min([1, 2]).toArray(), [1, 5]);
  strictEqual(tensor([1, NaN, 3]).max().item(), NaN);
  strictEqual(zeros([0]).sum().item(), 0);
  deepStrictEqual(x.variance(-1).toArray(), [[0.25, 0.25], [0.25, 0.25]]);
  deepStrictEqual(x.variance(-1, { correction: 1 }).toArray(), [[0.5, 0.5], [0.5, 0.5]]);
  strictEqual(tensor([2, 4, 4, 4, 5, 5, 7, 9]).std().item(), 2);
  throws(
    () => zeros([2, 0]).mean(1),
    /mean: expected at least one element along axes \[1\] but the shape is \[2, 0\]/,
  );
  throws(
    () => tensor([1]).variance(0, { correction: 1 }),
    /variance: expected more than 1 element/,
  );
  throws(() => x.sum(3), /sum: expected an axis in \[-3, 2\] for shape \[2, 2, 2\] but found 3/);
  throws(() => x.sum([1, 1]), /distinct axes/);
  // Cancellation: a large offset does not destroy the variance.
  const shifted = tensor([1e4 + 1, 1e4 + 2, 1e4 + 3]);
  ok(Math.abs(shifted.variance().item() - 2 / 3) < 1e-6);
});

Deno.test("matmul: batched, broadcasting, vectors", () => {
  const a = tensor([[1, 2], [3, 4]]);
  deepStrictEqual(a.matmul(tensor([[5], [6]])).toArray(), [[17], [39]]);
  deepStrictEqual(a.matmul(tensor([1, 1])).toArray(), [3, 7]);
  deepStrictEqual(tensor([1, 1]).matmul(a).toArray(), [4, 6]);
  strictEqual(tensor([1, 2]).matmul(tensor([3, 4])).item(), 11);
  const batch = stack([a, a.mul(2)]); // (2, 2, 2)
  deepStrictEqual(batch.matmul(tensor([[1], [0]])).toArray(), [[[1], [3]], [[2], [6]]]);
  deepStrictEqual(zeros([3, 1, 2, 4]).matmul(zeros([5, 4, 6])).shape, [3, 5, 2, 6]);
  throws(
    () => a.matmul(zeros([3, 2])),
    /matmul: expected the last axis of a \[2, 2\] to equal the second-to-last axis of b \[3, 2\] but found 2 and 3/,
  );
  throws(() => zeros([2, 2, 2]).matmul(zeros([3, 2, 2])), /matmul: expected shapes that broadcast/);
  throws(() => tensor(1).matmul(a), /matmul: expected tensors with at least 1 axis/);
});

Deno.test("softmax is stable and handles fully masked rows", () => {
  const s = tensor([[1000, 1000], [-Infinity, 0], [-Infinity, -Infinity]]).softmax();
  deepStrictEqual(s.toArray(), [[0.5, 0.5], [0, 1], [0, 0]]);
  const t = tensor([[1, 2], [3, 5]]).softmax(0).toArray() as number[][];
  ok(Math.abs(t[0]![0]! - 1 / (1 + Math.E ** 2)) < 1e-7);
  throws(() => tensor([1]).softmax(1), /softmax: expected an axis in \[-1, 0\]/);
});

Deno.test("maskedFill follows PyTorch: fill where the mask is 1", () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  const padding = tensor([[0, 0, 1], [0, 1, 1]]);
  deepStrictEqual(x.maskedFill(padding, -1).toArray(), [[1, 2, -1], [4, -1, -1]]);
  deepStrictEqual(x.maskedFill(tensor([1, 0, 0]), 0).toArray(), [[0, 2, 3], [0, 5, 6]]);
  const realMask = tensor([[1, 1, 0], [1, 0, 0]]);
  deepStrictEqual(x.maskedFill(realMask.eq(0), 0).toArray(), [[1, 2, 0], [4, 0, 0]]);
  throws(
    () => x.maskedFill(tensor([[0, 2, 0], [0, 0, 0]]), 0),
    /maskedFill: expected a mask of 0s and 1s .* found 2/,
  );
  // A mask with the leading axes of x (normlab's convention) fills whole rows.
  deepStrictEqual(x.maskedFill(tensor([1, 0]), 0).toArray(), [[0, 0, 0], [4, 5, 6]]);
  throws(() => x.maskedFill(tensor([1, 0, 1, 0]), 0), /maskedFill: expected shapes that broadcast/);
  throws(
    () => tensor([1, 2, 3]).maskedFill(zeros([2, 3]), 0),
    /maskedFill: expected a mask with the leading axes of x or one that broadcasts to x \[3\] but found \[2, 3\]/,
  );
});

Deno.test("stack, concat and allClose", () => {
  deepStrictEqual(stack([tensor([1, 2]), tensor([3, 4])]).toArray(), [[1, 2], [3, 4]]);
  deepStrictEqual(stack([tensor([1, 2]), tensor([3, 4])], -1).toArray(), [[1, 3], [2, 4]]);
  deepStrictEqual(concat([tensor([[1, 2]]), tensor([[3, 4], [5, 6]])]).toArray(), [[1, 2], [3, 4], [
    5,
    6,
  ]]);
  throws(
    () => stack([tensor([1]), tensor([1, 2])]),
    /stack: expected every tensor to have shape \[1\] but tensor 1 has \[2\]/,
  );
  throws(
    () => concat([tensor([[1, 2]]), tensor([[1]])]),
    /concat: expected shapes that match \[1, 2\] except on axis 0 but tensor 1 has \[1, 1\]/,
  );
  throws(() => stack([]), /stack: expected at least one tensor/);
  ok(allClose(tensor([1, 2]), tensor([1.000001, 2])));
  ok(!allClose(tensor([1, NaN]), tensor([1, NaN])));
  ok(allClose(tensor([1, NaN]), tensor([1, NaN]), { equalNan: true }));
  ok(allClose(tensor([[1, 1]]), tensor([1])));
  ok(allClose(tensor([Infinity]), tensor([Infinity])));
  ok(!allClose(tensor([1]), tensor([1.1]), { atol: 0.05 }));
  throws(
    () => allClose(tensor([1, 2]), tensor([1, 2, 3])),
    /allClose: expected shapes that broadcast/,
  );
});

Deno.test("item, clone, astype, toArray", () => {
  throws(
    () => tensor([1, 2]).item(),
    /item: expected a tensor with one element but found shape \[2\]/,
  );
  const x = tensor([1, 2]);
  const y = x.clone();
  y.data[0] = 5;
  strictEqual(x.data[0], 1);
  strictEqual(x.astype("float64").dtype, "float64");
  strictEqual(x.astype("float32"), x);
});

Deno.test("toString prints like PyTorch, aligned and abbreviated", () => {
  strictEqual(tensor([[1, 2], [3, 4]]).toString(), "tensor([[1., 2.],\n        [3., 4.]])");
  strictEqual(tensor([0.5, -1.25]).toString(), "tensor([ 0.5000, -1.2500])");
  strictEqual(tensor(2.5, { dtype: "float64" }).toString(), "tensor(2.5000, dtype=float64)");
  strictEqual(tensor([1e-5, 1]).toString(), "tensor([1.0000e-05, 1.0000e+00])");
  strictEqual(tensor([NaN, Infinity, 1]).toString(), "tensor([nan, inf,  1.])");
  strictEqual(
    zeros([2, 1, 2]).toString(),
    "tensor([[[0., 0.]],\n\n        [[0., 0.]]])",
  );
  const big = arange(2000).reshape(40, 50).toString();
  ok(big.includes("..."), "large tensors are abbreviated");
  ok(big.split("\n").length < 12, "only the edges are printed");
  ok(big.startsWith("tensor([[   0.,    1.,    2., ...,   47.,   48.,   49.],"));
  ok(big.includes("\n        ...,\n"));
  ok(big.endsWith("[1950., 1951., 1952., ..., 1997., 1998., 1999.]])"));
});

Deno.test("add, sub, mul, div: float32 broadcasting gives the float64 loops' values, rounded", () => {
  // A scalar on either side, a row repeated, an axis of 1 in the middle, a column (stride 0 in
  // the last axis) and both operands broadcast, with NaN, ±∞ and ±0 among the values.
  const special = [NaN, Infinity, -Infinity, -0, 0, 16777217, 0.1, -3.5, 1 / 3, 1e-30];
  const filled = (shape: number[], seed: number) => {
    const size = shape.reduce((p, e) => p * e, 1);
    const values = Array.from(
      { length: size },
      (_, i) => i % 7 === 3 ? special[(i + seed) % special.length]! : Math.sin(i * 1.7 + seed) * 9,
    );
    return tensor(values, { shape });
  };
  const pairs: [number[], number[]][] = [
    [[3, 4, 5], []],
    [[], [3, 4, 5]],
    [[3, 4, 5], [1, 1, 1]],
    [[3, 4, 5], [4, 5]],
    [[4, 5], [3, 4, 5]],
    [[3, 2, 4, 5], [3, 1, 4, 5]],
    [[3, 4, 5], [3, 4, 1]],
    [[3, 1, 5], [1, 4, 1]],
  ];
  for (const [aShape, bShape] of pairs) {
    const x = filled(aShape, 1);
    const y = filled(bShape, 2);
    for (const op of ["add", "sub", "mul", "div"] as const) {
      const actual = x[op](y);
      const expected = tensor(Array.from(x.data), { dtype: "float64", shape: aShape })[op](
        tensor(Array.from(y.data), { dtype: "float64", shape: bShape }),
      );
      deepStrictEqual(actual.shape, expected.shape);
      deepStrictEqual(
        actual.data,
        Float32Array.from(expected.data),
        `${op} [${aShape}] and [${bShape}]`,
      );
    }
  }
});

Deno.test("add, sub, mul, div: float32 tensors of one shape round a ∘ b once, as the float64 loops do", () => {
  // 25 values (an odd length): NaN, ±∞, ±0 and values whose sum or product rounds in float32.
  const values = [1.5, -0, 0, NaN, Infinity, -Infinity, 1e-30, 3.4e38, 16777217, 0.1, -7, 1 / 3];
  const a = values.concat(values.map((v) => v * 2.5 + 1), [5]);
  const b = [...a].reverse();
  const x = tensor(a);
  const y = tensor(b);
  for (const op of ["add", "sub", "mul", "div"] as const) {
    const actual = x[op](y);
    strictEqual(actual.dtype, "float32");
    // The float64 loops on the float32 operands, rounded to float32: a float64 result of a
    // float32 add, sub, mul or div rounds once more to the float32 result itself (53 ≥ 2·24 + 2
    // bits), so the two roundings are one.
    const expected = Float32Array.from(
      tensor(Array.from(x.data), { dtype: "float64" })[op](
        tensor(Array.from(y.data), { dtype: "float64" }),
      ).data,
    );
    deepStrictEqual(actual.data, expected, op);
    // In place (out is a, as the packed attention's dropout multiplies), through the kernel.
    const inPlace = Float32Array.from(x.data);
    binaryKernel(op, inPlace, [a.length], y.data, [a.length], inPlace, [a.length]);
    deepStrictEqual(inPlace, expected, `${op} in place`);
  }
});
