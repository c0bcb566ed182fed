import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { randn, scaledDotProductAttention, SelfAttention, tensor, zeros } from "../mod.ts";
import { assertClose } from "./_helpers.ts";

Deno.test("attention: hand-checked weights with a key mask and the default scale", () => {
  const q = tensor([[[1, 0]]]);
  const k = tensor([[[1, 0], [0, 0], [5, 5]]]);
  const v = tensor([[[1, 0], [0, 1], [100, 100]]]);
  const { output, weights } = scaledDotProductAttention(q, k, v, { mask: tensor([[1, 1, 0]]) });
  // Scores 1/√2 and 0 over the two real keys.
  const a = Math.exp(1 / Math.SQRT2);
  assertClose(weights, [[[a / (a + 1), 1 / (a + 1), 0]]], 1e-6, "weights");
  assertClose(output, [[[a / (a + 1), 1 / (a + 1)]]], 1e-6, "output");
  const scaled = scaledDotProductAttention(q, k, v, { mask: tensor([[1, 1, 0]]), scale: 0 });
  assertClose(scaled.weights, [[[0.5, 0.5, 0]]], 1e-7, "scale 0: uniform");
});

Deno.test("attention: a sequence with no real token gives zeros, never NaN", () => {
  const x = randn([2, 3, 4], { seed: 1 });
  const { output, weights } = scaledDotProductAttention(x, x, x, {
    mask: tensor([[0, 0, 0], [1, 1, 1]]),
  });
  deepStrictEqual((output.toArray() as number[][][])[0], [[0, 0, 0, 0], [0, 0, 0, 0], [
    0,
    0,
    0,
    0,
  ]]);
  deepStrictEqual((weights.toArray() as number[][][])[0], [[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
  ok(!output.data.some(Number.isNaN));
});

Deno.test("attention: causal hides the future; padded queries still attend", () => {
  const x = randn([1, 3, 2], { seed: 2 });
  const { weights } = scaledDotProductAttention(x, x, x, { causal: true });
  const w = weights.toArray() as number[][][];
  strictEqual(w[0]![0]![1], 0);
  strictEqual(w[0]![0]![2], 0);
  strictEqual(w[0]![1]![2], 0);
  strictEqual(w[0]![0]![0], 1);
  const masked = scaledDotProductAttention(x, x, x, { mask: tensor([[1, 1, 0]]) });
  const padded = (masked.output.toArray() as number[][][])[0]![2]!;
  ok(padded.some((v) => v !== 0), "the padded query's row is an average of real tokens, not zeros");
});

Deno.test("SelfAttention: heads, seeds, projections false, shapes", () => {
  const x = randn([2, 4, 6], { seed: 3 });
  const mask = tensor([[1, 1, 0, 0], [1, 1, 1, 1]]);
  const layer = new SelfAttention(6, { numHeads: 3, seed: 5 });
  const { output, weights, headWeights } = layer.forward(x, { mask });
  deepStrictEqual(output.shape, [2, 4, 6]);
  deepStrictEqual(weights.shape, [2, 4, 4]);
  deepStrictEqual(headWeights.shape, [2, 3, 4, 4]);
  assertClose(weights.sum(-1), [[1, 1, 1, 1], [1, 1, 1, 1]], 1e-6, "averaged rows sum to 1");
  deepStrictEqual(
    new SelfAttention(6, { numHeads: 3, seed: 5 }).forward(x, { mask }).output.toArray(),
    output.toArray(),
    "same seed, same layer",
  );
  ok(
    new SelfAttention(6, { numHeads: 3, seed: 6 }).queryWeight!.sub(layer.queryWeight!).abs().max()
      .item() > 0,
  );
  const plain = new SelfAttention(6, { projections: false });
  strictEqual(plain.queryWeight, null);
  const direct = scaledDotProductAttention(x, x, x, { mask });
  assertClose(plain.forward(x, { mask }).output, direct.output, 1e-6, "Q = K = V = x");
  throws(
    () => new SelfAttention(6, { numHeads: 4 }),
    /SelfAttention: expected numHeads to divide dModel 6 but found 4/,
  );
  throws(
    () => layer.forward(zeros([2, 4, 5])),
    /SelfAttention.forward: expected x to have shape \(B, T, 6\) but found \[2, 4, 5\]/,
  );
});
