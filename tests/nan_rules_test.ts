/**
 * The NaN rules, the same in every mode of every norm (README, "Numerics"):
 * a value that would make an output NaN or ±Infinity — NaN or ±Infinity in x
 * at a real position, in γ, β or the inference statistics, a negative
 * variance, eps 0 on a constant group, one real position in training mode —
 * throws an Error naming the operation and where; padded positions may hold
 * anything.
 */
import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import {
  BatchNorm,
  batchNorm,
  batchNormBackward,
  LayerNorm,
  layerNorm,
  layerNormBackward,
  RMSNorm,
  rmsNorm,
  type Tensor,
  tensor,
} from "../mod.ts";

const BAD = [NaN, Infinity, -Infinity];
const x = tensor([[[1, 2], [3, 5]], [[0, 1], [4, 4]]]); // (B, T, D) = (2, 2, 2)
const mask = tensor([[1, 1], [1, 0]]);

function withValue(t: Tensor, index: number, value: number): Tensor {
  const data = t.data.slice();
  data[index] = value;
  return tensor(data, { shape: t.shape });
}

Deno.test("NaN rules: eval-mode BatchNorm (running or given statistics) checks x", () => {
  const layer = new BatchNorm(2).eval();
  const stats = { mean: tensor([1, 2]), variance: tensor([1, 4]) };
  for (const bad of BAD) {
    const hostile = withValue(x, 3, bad); // position [0, 1], feature 1
    throws(
      () => layer.forward(hostile),
      /BatchNorm.forward: expected finite values in x \[2, 2, 2\] but position \[0, 1\] contains NaN or ±Infinity/,
    );
    throws(
      () => batchNorm(hostile, stats),
      /batchNorm: expected finite values in x \[2, 2, 2\] but position \[0, 1\] contains NaN/,
    );
    // At a padded position it is ignored, and the output there is 0, in both modes.
    const padded = withValue(x, 7, bad); // position [1, 1]: padding
    const inference = batchNorm(padded, { ...stats, mask });
    ok(inference.data.every(Number.isFinite));
    deepStrictEqual(Array.from(inference.data.subarray(6)), [0, 0]);
    ok(layer.forward(padded, { mask }).data.every(Number.isFinite));
    ok(batchNorm(padded, { mask }).data.every(Number.isFinite), "training, masked");
  }
});

Deno.test("NaN rules: γ, β and inference statistics must be finite", () => {
  for (const bad of BAD) {
    const p = tensor([1, bad]);
    const pattern = (op: string, name: string) =>
      new RegExp(`${op}: expected finite values in ${name} \\[2\\] but found ${bad} at index 1`);
    throws(() => layerNorm(x, { weight: p }), pattern("layerNorm", "weight"));
    throws(() => layerNorm(x, { bias: p }), pattern("layerNorm", "bias"));
    throws(() => rmsNorm(x, { weight: p }), pattern("rmsNorm", "weight"));
    throws(() => batchNorm(x, { weight: p }), pattern("batchNorm", "weight"));
    throws(() => batchNorm(x, { bias: p }), pattern("batchNorm", "bias"));
    throws(() => batchNorm(x, { mean: p, variance: tensor([1, 1]) }), pattern("batchNorm", "mean"));
    throws(() => batchNorm(x, { mean: tensor([0, 0]), variance: p }), /batchNorm: expected/);
    throws(() => layerNormBackward(x, x, { weight: p }), pattern("layerNormBackward", "weight"));
    throws(() => batchNormBackward(x, x, { weight: p }), pattern("batchNormBackward", "weight"));
    // The layers' public, reassignable parameters and running statistics are checked too.
    const norm = new LayerNorm(2);
    norm.weight = p;
    throws(() => norm.forward(x), pattern("layerNorm", "weight"));
    const rms = new RMSNorm(2);
    rms.weight = p;
    throws(() => rms.forward(x), pattern("rmsNorm", "weight"));
    const bn = new BatchNorm(2);
    bn.bias = p;
    throws(() => bn.forward(x), pattern("BatchNorm.forward", "bias"));
    const evaluating = new BatchNorm(2).eval();
    evaluating.runningVar = p;
    throws(() => evaluating.forward(x), /BatchNorm.forward: expected/);
  }
  throws(
    () => batchNorm(x, { mean: tensor([0, 0]), variance: tensor([1, -1]) }),
    /batchNorm: expected non-negative variances but feature 1 has -1/,
  );
});

Deno.test("NaN rules: eps 0 on a constant group throws instead of 0/0", () => {
  const constant = tensor([[[2, 5], [2, 7]]]); // feature 0 constant; token [0, 0] not constant
  throws(
    () => batchNorm(constant, { eps: 0 }),
    /batchNorm: expected eps > 0 or a non-zero variance but feature 0 of x \[1, 2, 2\] is constant and eps is 0/,
  );
  throws(
    () => batchNormBackward(constant, constant, { eps: 0 }),
    /batchNormBackward: expected eps > 0/,
  );
  throws(
    () => batchNorm(constant, { eps: 0, mean: tensor([0, 0]), variance: tensor([0, 1]) }),
    /batchNorm: expected eps > 0 or a non-zero variance but feature 0/,
  );
  const token = tensor([[1, 2], [3, 3]]);
  throws(
    () => layerNorm(token, { eps: 0 }),
    /layerNorm: expected eps > 0 or a non-zero variance but token \[1\] of x \[2, 2\] is constant/,
  );
  throws(() => layerNormBackward(token, token, { eps: 0 }), /layerNormBackward: expected eps > 0/);
  throws(
    () => rmsNorm(tensor([[1, 2], [0, 0]]), { eps: 0 }),
    /rmsNorm: expected eps > 0 or a non-zero variance but token \[1\] of x \[2, 2\] is constant/,
  );
  // eps 0 is fine where no group is constant.
  ok(layerNorm(tensor([[1, 2]]), { eps: 0 }).data.every(Number.isFinite));
  ok(batchNorm(tensor([[1], [2]]), { eps: 0 }).data.every(Number.isFinite));
});

Deno.test("NaN rules: one real position normalises to β; only updating running statistics needs two", () => {
  const one = tensor([[[1, 2], [0, 0]]]);
  const oneReal = tensor([[1, 0]]);
  // With one real position x − mean = 0: the output is β (0 here) and the gradient to x is 0.
  deepStrictEqual(Array.from(batchNorm(one, { mask: oneReal }).data), [0, 0, 0, 0]);
  const gradients = batchNormBackward(one, one, { mask: oneReal });
  ok(gradients.dx.data.every((value) => value === 0));
  // The layer's running variance divides by n − 1 = 0: updating it throws, as in PyTorch.
  throws(
    () => new BatchNorm(2).forward(one, { mask: oneReal }),
    /expected more than 1 real position per feature in training mode but found 1 in x \[1, 2, 2\]/,
  );
  // Without running statistics, or in eval mode, one position is fine.
  ok(
    new BatchNorm(2, { trackRunningStats: false }).forward(one, { mask: oneReal }).data.every(
      Number.isFinite,
    ),
  );
  ok(new BatchNorm(2).eval().forward(one, { mask: oneReal }).data.every(Number.isFinite));
  // Inference with given statistics needs no batch statistics: one position is fine.
  const y = batchNorm(one, { mask: oneReal, mean: tensor([0, 0]), variance: tensor([1, 1]) });
  ok(y.data.every(Number.isFinite));
});

Deno.test("NaN rules: BatchNorm's momentum is null or in [0, 1]", () => {
  for (const momentum of [-0.5, 1.5, NaN, Infinity]) {
    throws(
      () => new BatchNorm(2, { momentum }),
      /BatchNorm: expected momentum to be a number from 0 to 1 or null but found/,
    );
  }
  const layer = new BatchNorm(2, { momentum: null });
  layer.forward(x);
  layer.momentum = 2; // public and reassignable: checked where it is used
  throws(() => layer.forward(x), /BatchNorm.forward: expected momentum to be a number from 0 to 1/);
  // With any valid momentum the running variance stays non-negative.
  for (const momentum of [0, 0.1, 0.5, 1, null]) {
    const norm = new BatchNorm(2, { momentum });
    for (let step = 0; step < 5; step++) norm.forward(x.mul(step + 1).add(step));
    ok(norm.runningVar!.data.every((v) => v >= 0 && Number.isFinite(v)), `momentum ${momentum}`);
    strictEqual(norm.numBatchesTracked, 5);
  }
});
