/**
 * A tensor's storage is its own: `t.data.buffer` holds t's values and
 * nothing else, so reading it shows no other tensor, and transferring it
 * (as `postMessage` to a Worker does) detaches t alone — every other tensor
 * keeps its values and later allocations work.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import {
  batchNorm,
  batchNormBackward,
  concat,
  encodeBatch,
  featureStats,
  layerNorm,
  layerNormBackward,
  padSequences,
  randn,
  rmsNorm,
  scaledDotProductAttention,
  stack,
  type Tensor,
  tensor,
  tokenStats,
  zeros,
} from "../mod.ts";

function notebookTensors(): Record<string, Tensor> {
  const { x, mask } = encodeBatch(["Loved it", "The acting was terrible"]);
  const w = randn([3, 3], { seed: 1 });
  const grads = layerNormBackward(x, x);
  const bnGrads = batchNormBackward(x, x, { mask });
  const stats = featureStats(x, { mask });
  const tokens = tokenStats(x);
  const attention = scaledDotProductAttention(x, x, x, { mask });
  return {
    x,
    mask,
    w,
    sum: x.sum(-1),
    mean: x.mean([0, 1]),
    variance: x.variance(-1, { keepDims: true }),
    add: x.add(1),
    mul: x.mul(w.sum(0)),
    matmul: x.matmul(w),
    softmax: x.softmax(),
    masked: x.maskedFill(mask.eq(0), 0),
    transposed: x.transpose(),
    float64: x.astype("float64"),
    layerNorm: layerNorm(x),
    rmsNorm: rmsNorm(x),
    batchNorm: batchNorm(x, { mask }),
    dx: grads.dx,
    dWeight: grads.dWeight,
    bnDWeight: bnGrads.dWeight,
    bnDBias: bnGrads.dBias,
    featureMean: stats.mean,
    tokenVariance: tokens.variance,
    weights: attention.weights,
    output: attention.output,
    stacked: stack([w, w]),
    joined: concat([w, w]),
    padded: padSequences([[[1, 2]], [[3, 4], [5, 6]]]).x,
    zeros: zeros([2, 3]),
    literal: tensor([[1, 2], [3, 4]]),
  };
}

Deno.test("storage: every public tensor owns its whole buffer", () => {
  for (const [name, t] of Object.entries(notebookTensors())) {
    strictEqual(t.data.byteOffset, 0, `${name}: starts inside a shared buffer`);
    strictEqual(t.data.buffer.byteLength, t.data.byteLength, `${name}: its buffer holds more`);
  }
});

Deno.test("storage: transferring one tensor's buffer leaves every other tensor intact", () => {
  const tensors = notebookTensors();
  const before = Object.fromEntries(
    Object.entries(tensors).map(([name, t]) => [name, Array.from(t.data)]),
  );
  const victim = tensors.layerNorm!;
  // What postMessage(data, [data.buffer]) does to the sender's side.
  const buffer = victim.data.buffer as ArrayBuffer;
  const moved = structuredClone(buffer, { transfer: [buffer] });
  strictEqual(victim.data.length, 0, "the transferred tensor is detached");
  strictEqual(moved.byteLength, 24 * 4, "exactly its own 24 float32 values moved");
  for (const [name, t] of Object.entries(tensors)) {
    if (name === "layerNorm") continue;
    deepStrictEqual(Array.from(t.data), before[name], `${name} lost its values`);
  }
  // Later allocations and operations are unaffected.
  const again = notebookTensors();
  deepStrictEqual(Array.from(again.layerNorm!.data), before.layerNorm);
  ok(again.x!.add(1).sum().item() !== 0);
});

Deno.test("storage: transferring to a Worker-style MessageChannel keeps the rest", async () => {
  const a = tensor([1, 2, 3]);
  const b = tensor([4, 5, 6]);
  const { port1, port2 } = new MessageChannel();
  const received = new Promise<ArrayBuffer>((resolve) => {
    port2.onmessage = (event) => resolve(event.data as ArrayBuffer);
  });
  const buffer = a.data.buffer as ArrayBuffer;
  port1.postMessage(buffer, [buffer]);
  deepStrictEqual(Array.from(new Float32Array(await received)), [1, 2, 3]);
  deepStrictEqual(Array.from(b.data), [4, 5, 6]);
  deepStrictEqual(tensor([7, 8]).add(b.sum()).toArray(), [22, 23]);
  port1.close();
  port2.close();
});
