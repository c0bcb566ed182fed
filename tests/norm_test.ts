import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import {
  BatchNorm,
  batchNorm,
  featureStats,
  LayerNorm,
  layerNorm,
  ones,
  randn,
  RMSNorm,
  rmsNorm,
  tensor,
  tokenStats,
  zeros,
} from "../mod.ts";
import { assertClose } from "./_helpers.ts";

Deno.test("layerNorm: hand-checked values, γ and β, eps on a constant token", () => {
  // Token (1, 2, 3): mean 2, biased variance 2/3, y = (x − 2)/√(2/3 + 1e-5).
  const expected = [-1, 0, 1].map((v) => v / Math.sqrt(2 / 3 + 1e-5));
  assertClose(layerNorm(tensor([[1, 2, 3]])), [expected], 1e-6, "plain");
  const y = layerNorm(tensor([[1, 2, 3]]), { weight: tensor([1, 2, 3]), bias: tensor([0, 1, 0]) });
  assertClose(y, [[expected[0]!, 1, 3 * expected[2]!]], 1e-6, "affine");
  // A constant token has variance 0: eps keeps the division finite and the output is 0.
  deepStrictEqual(layerNorm(tensor([[5, 5, 5]])).toArray(), [[0, 0, 0]]);
  // eps = 0 on a constant token would divide 0 by 0 (NaN in PyTorch): normlab throws, naming it.
  throws(
    () => layerNorm(tensor([[5, 5]]), { eps: 0 }),
    /layerNorm: expected eps > 0 or a non-zero variance but token \[0\] of x \[1, 2\] is constant and eps is 0/,
  );
  // An empty batch is an empty result.
  deepStrictEqual(layerNorm(zeros([0, 4, 3])).shape, [0, 4, 3]);
  strictEqual(layerNorm(tensor([[1, 2]], { dtype: "float64" })).dtype, "float64");
});

Deno.test("layerNorm: a row of 1e4 + noise normalises in float32", () => {
  const noise = [0.25, -0.5, 0.125, 0.375];
  const x = tensor([noise.map((v) => 1e4 + v)]);
  const reference = layerNorm(tensor([noise], { dtype: "float64" }));
  assertClose(layerNorm(x), reference, 1e-5, "offset");
});

Deno.test("LayerNorm layer: defaults, reassignable parameters, no affine", () => {
  const norm = new LayerNorm(3);
  deepStrictEqual(norm.weight!.toArray(), [1, 1, 1]);
  deepStrictEqual(norm.bias!.toArray(), [0, 0, 0]);
  strictEqual(norm.eps, 1e-5);
  norm.weight = tensor([2, 2, 2]);
  const x = randn([2, 4, 3], { seed: 1 });
  assertClose(norm.forward(x), layerNorm(x).mul(2), 1e-6, "γ = 2");
  strictEqual(new LayerNorm(3, { elementwiseAffine: false }).weight, null);
  strictEqual(new LayerNorm(3, { bias: false }).bias, null);
  deepStrictEqual(new LayerNorm([4, 3]).weight!.shape, [4, 3]);
  norm.weight = tensor([1, 1]);
  throws(
    () => norm.forward(x),
    /layerNorm: expected weight to have shape \[3\] \(the normalized shape of x \[2, 4, 3\]\) but found \[2\]/,
  );
  const g = new LayerNorm(3).backward(x, ones([2, 4, 3]));
  deepStrictEqual(g.dBias.toArray(), [8, 8, 8]);
});

Deno.test("rmsNorm and RMSNorm: scale onto the sphere of radius √D", () => {
  const x = randn([5, 3], { seed: 2, dtype: "float64" });
  const y = rmsNorm(x, { eps: 0 });
  assertClose(y.square().sum(-1), [3, 3, 3, 3, 3], 1e-12, "‖y‖² = D");
  // No centring: the mean is not removed.
  ok(y.mean(-1).abs().max().item() > 1e-3);
  const layer = new RMSNorm(3);
  strictEqual(layer.eps, 1e-6);
  assertClose(layer.forward(x), rmsNorm(x), 0, "layer = function");
  strictEqual(new RMSNorm(3, { elementwiseAffine: false }).weight, null);
  deepStrictEqual(rmsNorm(tensor([[0, 0]])).toArray(), [[0, 0]]);
});

Deno.test("batchNorm: padding counted without a mask, excluded with one", () => {
  // Feature values 2 and 4 at real positions, two zeros of padding.
  const x = tensor([[[2], [0]], [[4], [0]]]);
  const mask = tensor([[1, 0], [1, 0]]);
  // Plain: mean 1.5, variance (0.25 + 2.25 + 2.25 + 6.25)/4 = 2.75.
  const plain = batchNorm(x, { eps: 0 });
  assertClose(
    plain,
    [[[0.5 / Math.sqrt(2.75)], [-1.5 / Math.sqrt(2.75)]], [[2.5 / Math.sqrt(2.75)], [
      -1.5 / Math.sqrt(2.75),
    ]]],
    1e-6,
    "plain",
  );
  // Masked: mean 3, variance 1, padding stays 0.
  deepStrictEqual(batchNorm(x, { mask, eps: 0 }).toArray(), [[[-1], [0]], [[1], [0]]]);
  // Inference statistics.
  deepStrictEqual(
    batchNorm(x, { mean: tensor([2]), variance: tensor([4]), eps: 0, mask }).toArray(),
    [[[0], [0]], [[1], [0]]],
  );
  deepStrictEqual(
    batchNorm(tensor([[1, 2], [3, 4]]), { weight: tensor([0, 1]), bias: tensor([7, 0]), eps: 0 })
      .toArray(),
    [[7, -1], [7, 1]],
  );
});

Deno.test("BatchNorm layer: train/eval, momentum, unbiased running variance, masks", () => {
  const layer = new BatchNorm(2);
  strictEqual(layer.training, true);
  deepStrictEqual(layer.runningMean!.toArray(), [0, 0]);
  deepStrictEqual(layer.runningVar!.toArray(), [1, 1]);
  const x = tensor([[[1, 10], [3, 10]], [[5, 10], [0, 0]]]);
  const mask = tensor([[1, 1], [1, 0]]);
  layer.forward(x, { mask });
  // Real rows: feature 0 = {1, 3, 5}: mean 3, unbiased var 4; feature 1 = {10, 10, 10}: mean 10, var 0.
  assertClose(layer.runningMean!, [0.3, 1], 1e-6, "running mean");
  assertClose(layer.runningVar!, [0.9 + 0.4, 0.9], 1e-6, "running var");
  strictEqual(layer.numBatchesTracked, 1);
  strictEqual(layer.eval(), layer);
  strictEqual(layer.training, false);
  const before = layer.runningMean;
  layer.forward(x);
  strictEqual(layer.runningMean, before, "eval does not update the running statistics");
  layer.train();
  throws(
    () => layer.forward(tensor([[[1, 2]]])),
    /BatchNorm.forward: expected more than 1 real position per feature in training mode but found 1/,
  );
  // Without running statistics, eval mode uses the batch's statistics.
  const untracked = new BatchNorm(2, { trackRunningStats: false }).eval();
  assertClose(untracked.forward(x, { mask }), batchNorm(x, { mask }), 0, "untracked eval");
  strictEqual(untracked.runningMean, null);
  strictEqual(new BatchNorm(2, { affine: false }).weight, null);
  throws(
    () => layer.forward(zeros([2, 3])),
    /BatchNorm.forward: expected x to have 2 features on its last axis but found shape \[2, 3\]/,
  );
  throws(() => new BatchNorm(0), /numFeatures to be a positive integer/);
  const g = new BatchNorm(2).backward(x, ones([2, 2, 2]), { mask });
  deepStrictEqual(g.dBias.toArray(), [3, 3]);
});

Deno.test("featureStats and tokenStats: the two views", () => {
  const x = tensor([[[1, 2], [3, 6]], [[0, 0], [0, 0]]]);
  const plain = featureStats(x);
  deepStrictEqual(plain.mean.toArray(), [1, 2]);
  strictEqual(plain.count, 4);
  const masked = featureStats(x, { mask: tensor([[1, 1], [0, 0]]) });
  deepStrictEqual(masked.mean.toArray(), [2, 4]);
  deepStrictEqual(masked.variance.toArray(), [1, 4]);
  strictEqual(masked.count, 2);
  const tokens = tokenStats(x);
  deepStrictEqual(tokens.mean.toArray(), [[1.5, 4.5], [0, 0]]);
  deepStrictEqual(tokens.variance.toArray(), [[0.25, 2.25], [0, 0]]);
});
