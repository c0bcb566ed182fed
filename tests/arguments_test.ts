/**
 * Arguments of the wrong kind or size: masks with the leading axes of their
 * input, non-Tensor arguments, unsupported dtypes and impossible allocations
 * all give an `Error` naming the operation (never a TypeError from inside,
 * a silent float32, or a RangeError after minutes of paging).
 */
import { deepStrictEqual, ok, throws } from "node:assert/strict";
import fc from "fast-check";
import {
  allClose,
  BatchNorm,
  concat,
  full,
  histogram,
  ones,
  rand,
  randn,
  stack,
  type Tensor,
  tensor,
  zeros,
} from "../mod.ts";

Deno.test("maskedFill: the README's idiom with a (B, T) mask on (B, T, D)", () => {
  const x = tensor([[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [1, 1, 1]]]); // (2, 2, 3)
  const mask = tensor([[1, 1], [1, 0]]); // (B, T): the last token is padding
  deepStrictEqual(x.maskedFill(mask.eq(0), -1).toArray(), [
    [[1, 2, 3], [4, 5, 6]],
    [[7, 8, 9], [-1, -1, -1]],
  ]);
  // NumPy-broadcastable masks still work: (D), (T, 1), (B, T, 1), (B, 1, D).
  deepStrictEqual((x.maskedFill(tensor([1, 0, 0]), 0).toArray() as number[][][])[0], [[0, 2, 3], [
    0,
    5,
    6,
  ]]);
  deepStrictEqual(
    (x.maskedFill(tensor([[[0], [1]], [[0], [0]]]), 0).toArray() as number[][][])[0],
    [
      [1, 2, 3],
      [0, 0, 0],
    ],
  );
  // A (B) mask on (B, T, D) fills whole sentences.
  deepStrictEqual((x.maskedFill(tensor([0, 1]), 0).toArray() as number[][][])[1], [[0, 0, 0], [
    0,
    0,
    0,
  ]]);
});

Deno.test("maskedFill: a leading-axes mask equals the mask expanded by hand (property)", () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: 1, max: 5 }),
    fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: 0, max: 1000 }),
    (B, T, D, seed) => {
      const x = randn([B, T, D], { seed });
      const mask = rand([B, T], { seed: seed + 1 }).maximum(0.5).eq(0.5); // 0/1, (B, T)
      const byHand = x.maskedFill(mask.reshape(B, T, 1), 7);
      return allClose(x.maskedFill(mask, 7), byHand, { atol: 0, rtol: 0 });
    },
  ));
});

Deno.test("non-Tensor arguments name the operation", () => {
  const x = tensor([[1, 2], [3, 4]]);
  const cases: [() => unknown, RegExp][] = [
    [() => x.matmul([[1]] as never), /^matmul: expected b to be a Tensor but found an array/],
    [() => x.matmul(null as never), /^matmul: expected b to be a Tensor but found null/],
    [() => x.maskedFill([[1]] as never, 0), /^maskedFill: expected mask to be a Tensor/],
    [
      () => x.maskedFill(tensor([1, 0]), "0" as never),
      /^maskedFill: expected value to be a number/,
    ],
    [() => x.add("1" as never), /^add: expected a Tensor or a number but found string/],
    [() => histogram(x as never), /^histogram: expected a list of series/],
    [() => allClose([1] as never, x), /^allClose: expected a to be a Tensor/],
    [() => stack(x as never), /^stack: expected a list of tensors but found one Tensor/],
    [() => concat([x, [1]] as never), /^concat: expected tensor 1 to be a Tensor/],
    [() => zeros(3 as never), /^zeros: expected a shape \(a list of non-negative integers\)/],
    [() => randn(null as never), /^randn: expected a shape/],
    [() => tensor(null as never), /^tensor: expected nested arrays of numbers/],
    [() => x.sum("0" as never), /^sum: expected an axis \(a number or a list of numbers\)/],
    [
      () => x.matmul(new Float32Array(2) as never),
      /^matmul: expected b to be a Tensor but found a Float32Array/,
    ],
  ];
  for (const [call, pattern] of cases) {
    let error: unknown;
    try {
      call();
    } catch (caught) {
      error = caught;
    }
    ok(error instanceof Error && error.constructor === Error, `${pattern}: ${error}`);
    ok(pattern.test((error as Error).message), `${(error as Error).message} ≠ ${pattern}`);
  }
});

Deno.test("dtypes normlab does not support are rejected, not silently float32", () => {
  for (const dtype of ["float16", "complex64", "int32", "bfloat16", undefined]) {
    const options = { dtype } as never;
    if (dtype === undefined) {
      deepStrictEqual(zeros([1], options).dtype, "float32");
      continue;
    }
    const pattern = new RegExp(`expected dtype "float32" or "float64" but found "${dtype}"`);
    throws(() => zeros([2], options), new RegExp(`^Error: zeros: ${pattern.source}`));
    throws(() => ones([2], options), /^Error: ones: expected dtype/);
    throws(() => full([2], 1, options), /^Error: full: expected dtype/);
    throws(() => randn([2], options), /^Error: randn: expected dtype/);
    throws(() => rand([2], options), /^Error: rand: expected dtype/);
    throws(() => tensor([1, 2], options), /^Error: tensor: expected dtype/);
    throws(() => tensor([1]).astype(dtype as never), /^Error: astype: expected dtype/);
    throws(() => new BatchNorm(2, options), /^Error: BatchNorm: expected dtype/);
  }
});

Deno.test("allocations that cannot succeed fail at once, naming the operation and the shape", () => {
  const started = performance.now();
  const cases: [() => Tensor, RegExp][] = [
    [
      () => zeros([1e6, 1e6]),
      /^zeros: expected a tensor of at most 4 GiB but shape \[1000000, 1000000\] of float32 needs 3\.73e\+3 GiB/,
    ],
    [() => randn([1e5, 1e5], { dtype: "float64" }), /^randn: expected a tensor of at most 4 GiB/],
    [
      () => zeros([1e5, 1]).add(zeros([1, 1e5])),
      /^add: expected a tensor of at most 4 GiB but shape \[100000, 100000\]/,
    ],
    [() => zeros([1e5, 1]).matmul(zeros([1, 1e5])), /^matmul: expected a tensor of at most 4 GiB/],
    [
      () => tensor(new Float32Array(4), { shape: [2e5, 2e5] }),
      /^tensor: expected a tensor of at most 4 GiB but shape \[200000, 200000\]/,
    ],
  ];
  for (const [call, pattern] of cases) {
    let message = "";
    try {
      call();
    } catch (error) {
      message = (error as Error).message;
    }
    ok(pattern.test(message), `${message} ≠ ${pattern}`);
  }
  ok(performance.now() - started < 2000, "no allocation was attempted");
});
