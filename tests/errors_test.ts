/**
 * Bad input for every public function: a clear error naming the operation
 * and the shapes, or a documented result — never a silent NaN.
 */
import { deepStrictEqual, throws } from "node:assert/strict";
import {
  BatchNorm,
  batchNorm,
  batchNormBackward,
  encodeBatch,
  featureStats,
  LayerNorm,
  layerNorm,
  layerNormBackward,
  RMSNorm,
  rmsNorm,
  scaledDotProductAttention,
  tensor,
  tokenStats,
  zeros,
} from "../mod.ts";

const x = zeros([2, 4, 3]).add(tensor([1, 2, 4]));

Deno.test("layerNorm and friends: wrong shapes, NaN, bad eps, non-tensors", () => {
  throws(
    () => layerNorm(x, { normalizedShape: [4] }),
    /layerNorm: expected the normalized shape \[4\] to equal the trailing axes of x \[2, 4, 3\] but found \[3\]/,
  );
  throws(
    () => layerNorm(x, { weight: tensor([1, 1, 1, 1]) }),
    /layerNorm: expected weight to have shape \[3\] \(the normalized shape of x \[2, 4, 3\]\) but found \[4\]/,
  );
  throws(
    () => layerNorm(x, { bias: tensor([[1, 1, 1]]) }),
    /layerNorm: expected bias to have shape \[3\].*found \[1, 3\]/,
  );
  throws(
    () => layerNorm(tensor(1)),
    /layerNorm: expected x to have at least 1 axis but found shape \[\]/,
  );
  throws(
    () => layerNorm(zeros([2, 0])),
    /layerNorm: expected a non-empty normalized shape but found \[0\]/,
  );
  throws(
    () => layerNorm(tensor([[1, NaN, 3], [1, 2, 3]])),
    /layerNorm: expected finite values in x \[2, 3\] but token \[0\] contains NaN or ±Infinity/,
  );
  throws(() => layerNorm(tensor([[[1, 2], [Infinity, 0]]])), /token \[0, 1\]/);
  throws(
    () => layerNorm(x, { eps: -1 }),
    /layerNorm: expected eps to be a finite number ≥ 0 but found -1/,
  );
  throws(
    () => layerNorm([[1, 2]] as never),
    /layerNorm: expected x to be a Tensor but found an array \(wrap it with tensor\(\)\)/,
  );
  throws(
    () => rmsNorm(tensor([[NaN, 1]])),
    /rmsNorm: expected finite values in x \[1, 2\] but token \[0\]/,
  );
  throws(() => rmsNorm(x, { weight: tensor([1]) }), /rmsNorm: expected weight to have shape \[3\]/);
  throws(
    () => layerNormBackward(x, zeros([2, 4])),
    /layerNormBackward: expected dy to have the shape of x \[2, 4, 3\] but found \[2, 4\]/,
  );
  throws(
    () => new LayerNorm([]),
    /LayerNorm: expected a normalized shape of positive integers but found \[\]/,
  );
  throws(
    () => new RMSNorm(-3),
    /RMSNorm: expected a normalized shape of positive integers but found \[-3\]/,
  );
  throws(
    () => new LayerNorm(3).forward(zeros([2, 4])),
    /layerNorm: expected the normalized shape \[3\] to equal the trailing axes of x \[2, 4\] but found \[4\]/,
  );
});

Deno.test("batchNorm and friends: masks, empty batches, NaN, inference statistics", () => {
  throws(
    () => batchNorm(x, { mask: tensor([[1, 1, 0], [1, 1, 1]]) }),
    /batchNorm: expected mask to have shape \[2, 4\] \(the leading axes of x \[2, 4, 3\]\) but found \[2, 3\]/,
  );
  throws(
    () => batchNorm(x, { mask: tensor([[1, 1, 0, 0], [1, 1, 2, 1]]) }),
    /batchNorm: expected a mask of 0s and 1s .* but found 2 at flat index 6/,
  );
  throws(() => batchNorm(x, { mask: tensor([[1, 1, 0, 0], [1, 1, 0.5, 1]]) }), /found 0.5/);
  throws(
    () => batchNorm(x, { mask: zeros([2, 4]) }),
    /batchNorm: expected at least one real position and one feature in x \[2, 4, 3\] but found a mask with no 1/,
  );
  throws(() => batchNorm(zeros([0, 4, 3])), /batchNorm: .* but found an empty tensor/);
  throws(
    () => batchNorm(tensor([1, 2, 3])),
    /batchNorm: expected x to have at least 2 axes \(…, D\) with the features last but found \[3\]/,
  );
  throws(
    () => batchNorm(tensor([[1, 2], [NaN, 3]])),
    /batchNorm: expected finite values in x \[2, 2\] but feature 0 \(at a real position\) contains NaN/,
  );
  // NaN at a padded position is ignored by the masked statistics: that is the point of the mask.
  const nanInPadding = tensor([[[1], [NaN]], [[3], [NaN]]]);
  deepStrictEqual(batchNorm(nanInPadding, { mask: tensor([[1, 0], [1, 0]]), eps: 0 }).toArray(), [[[
    -1,
  ], [0]], [[1], [0]]]);
  throws(
    () => batchNorm(x, { mean: tensor([0, 0, 0]) }),
    /batchNorm: expected both mean and variance \(inference\) or neither \(training\) but found only mean/,
  );
  throws(
    () => batchNorm(x, { mean: tensor([0, 0]), variance: tensor([1, 1]) }),
    /batchNorm: expected mean to have shape \[3\] \(the features of x \[2, 4, 3\]\) but found \[2\]/,
  );
  throws(
    () => batchNorm(x, { mean: tensor([0, 0, 0]), variance: tensor([1, -1, 1]) }),
    /batchNorm: expected non-negative variances but feature 1 has -1/,
  );
  throws(
    () => batchNorm(x, { weight: tensor([1, 1]) }),
    /batchNorm: expected weight to have shape \[3\] \(the features of x \[2, 4, 3\]\) but found \[2\]/,
  );
  throws(
    () => batchNormBackward(x, zeros([8, 3])),
    /batchNormBackward: expected dy to have the shape of x \[2, 4, 3\] but found \[8, 3\]/,
  );
  throws(
    () => batchNormBackward(x, zeros([2, 4, 3]), { mask: tensor([1, 1]) }),
    /batchNormBackward: expected mask to have shape \[2, 4\]/,
  );
  throws(
    () => new BatchNorm(3).forward(x, { mask: tensor([[1, 0, 0, 0], [0, 0, 0, 0]]) }),
    /more than 1 real position/,
  );
  throws(
    () => featureStats(x, { mask: tensor([[1, 1, 0, 0]]) }),
    /featureStats: expected mask to have shape \[2, 4\]/,
  );
  throws(
    () => tokenStats(zeros([2, 0])),
    /tokenStats: expected x \(…, D\) with D ≥ 1 but found shape \[2, 0\]/,
  );
});

Deno.test("attention: wrong shapes and masks", () => {
  const q = zeros([2, 4, 3]);
  throws(
    () => scaledDotProductAttention(q, zeros([2, 4, 2]), q),
    /scaledDotProductAttention: expected q \(…, T_q, d\), k \(…, T_k, d\) and v \(…, T_k, d_v\) with the same leading axes but found q \[2, 4, 3\], k \[2, 4, 2\], v \[2, 4, 3\]/,
  );
  throws(() => scaledDotProductAttention(q, q, zeros([2, 5, 3])), /v \[2, 5, 3\]/);
  throws(() => scaledDotProductAttention(q, q, zeros([3, 4, 3])), /v \[3, 4, 3\]/);
  throws(
    () => scaledDotProductAttention(q, q, q, { mask: tensor([[1, 1, 1], [1, 1, 1]]) }),
    /scaledDotProductAttention: expected mask to have shape \[2, 4\] .* but found \[2, 3\]/,
  );
  throws(
    () => scaledDotProductAttention(q, q, q, { mask: tensor([[1, 1, 1, -1], [1, 1, 1, 1]]) }),
    /0s and 1s/,
  );
  throws(
    () => scaledDotProductAttention(zeros([3]), zeros([3]), zeros([3])),
    /scaledDotProductAttention: expected q/,
  );
  throws(() => scaledDotProductAttention(q, q, q, { scale: Infinity }), /expected a finite scale/);
});

Deno.test("text: sentences that cannot be encoded", () => {
  throws(
    () => encodeBatch(["a b c"], { maxLength: 2 }),
    /padSequences: expected sequences of at most maxLength 2 positions but sequence 0 has 3/,
  );
  throws(
    () => encodeBatch(["a"], { dim: 1.5 }),
    /embed: expected dim to be a positive integer but found 1.5/,
  );
  throws(() => encodeBatch(["a"], { seed: 0.5 }), /embed: expected an integer seed but found 0.5/);
  // An empty sentence is an all-padding row: a documented result.
  deepStrictEqual(encodeBatch(["", "a b"]).mask.toArray(), [[0, 0], [1, 1]]);
});
