/**
 * The tape's rules and its errors: what `backward()` refuses and why, how
 * gradients accumulate and broadcast back, and that nothing is recorded when
 * nothing learns.
 */
import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import {
  batchNorm,
  layerNorm,
  noGrad,
  randn,
  rmsNorm,
  scaledDotProductAttention,
  type Tensor,
  tensor,
  zeros,
} from "../mod.ts";
import { assertClose } from "./_helpers.ts";

/** `t.grad`, read through a call so that TypeScript does not narrow it after `t.grad = null`. */
const gradOf = (t: Tensor): Tensor | null => t.grad;

Deno.test("backward on a non-scalar without a gradient names the shape", () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  throws(() => x.mul(2).backward(), /backward: expected a gradient of shape \[3\]/);
});

Deno.test("a gradient of the wrong shape is an error naming both shapes", () => {
  const x = tensor([[1, 2, 3]], { requiresGrad: true });
  throws(
    () => x.mul(2).backward(tensor([1, 2, 3])),
    /backward: expected a gradient of shape \[1, ?3\] but found \[3\]/,
  );
});

Deno.test("a second backward through a freed graph is an error; retainGraph keeps it", () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const loss = x.square().sum();
  loss.backward();
  throws(() => loss.backward(), /backward: the graph through sum was freed .*retainGraph/);
  const kept = x.square().sum();
  x.grad = null;
  kept.backward(undefined, { retainGraph: true });
  kept.backward();
  deepStrictEqual(gradOf(x)?.toArray(), [4, 8]); // 2 × 2x
});

Deno.test("mutation after save: backward refuses a gradient the change made wrong", () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const w = tensor([4, 5, 6], { requiresGrad: true }); // a parameter, as an optimiser step changes it
  const loss = x.mul(w).sum(); // d/dx uses w
  w.data[0] = 100;
  w.markModified();
  throws(() => loss.backward(), /backward: an input of mul with shape \[3\] was modified in place/);
});

Deno.test("requiresGrad cannot be turned off on a non-leaf", () => {
  const y = tensor([1, 2], { requiresGrad: true }).mul(2);
  strictEqual(y.isLeaf, false);
  throws(() => {
    y.requiresGrad = false;
  }, /requiresGrad: can only be turned off on a leaf tensor.*comes from mul.*detach/);
  y.requiresGrad = true; // turning it on is a no-op
  strictEqual(y.detach().requiresGrad, false);
});

Deno.test("grad accumulates over two backward calls until set to null", () => {
  const w = tensor([1, -2], { requiresGrad: true });
  w.mul(3).sum().backward();
  w.mul(3).sum().backward();
  deepStrictEqual(w.grad?.toArray(), [6, 6]);
  w.grad = null;
  w.square().sum().backward();
  deepStrictEqual(gradOf(w)?.toArray(), [2, -4]);
});

Deno.test("broadcasting in the forward pass is summed back to each input's shape", () => {
  const a = randn([2, 1, 3], { seed: 1, dtype: "float64" });
  const b = randn([4, 1], { seed: 2, dtype: "float64" });
  a.requiresGrad = true;
  b.requiresGrad = true;
  a.mul(b).sum().backward(); // (2, 4, 3)
  deepStrictEqual(a.grad?.shape, [2, 1, 3]);
  deepStrictEqual(b.grad?.shape, [4, 1]);
  // ∂/∂a Σ a·b = Σ over the broadcast axis of b; ∂/∂b = Σ of a over its broadcast axes, ×1 each.
  assertClose(a.grad!, zeros([2, 1, 3], { dtype: "float64" }).add(b.sum()), 1e-12, "da");
  assertClose(b.grad!, zeros([4, 1], { dtype: "float64" }).add(a.sum()), 1e-12, "db");
});

Deno.test("noGrad: nothing is recorded inside, and recording resumes after (also on throw)", () => {
  const w = tensor([1, 2], { requiresGrad: true });
  const inside = noGrad(() => layerNorm(w.mul(2)));
  strictEqual(inside.requiresGrad, false);
  strictEqual(inside.gradFn, null);
  throws(() =>
    noGrad(() => {
      throw new Error("boom");
    }), /boom/);
  strictEqual(w.mul(2).requiresGrad, true);
});

Deno.test("no input requires a gradient: the norms and attention record nothing", () => {
  const x = randn([2, 4, 3], { seed: 3 });
  const mask = tensor([[1, 1, 0, 0], [1, 1, 1, 1]]);
  for (
    const y of [
      layerNorm(x),
      rmsNorm(x),
      batchNorm(x, { mask }),
      scaledDotProductAttention(x, x, x, { mask }).output,
      scaledDotProductAttention(x, x, x, { mask }).weights,
    ]
  ) {
    strictEqual(y.requiresGrad, false);
    strictEqual(y.gradFn, null);
  }
});

Deno.test("an out buffer cannot be combined with gradient recording", () => {
  const x = randn([2, 3], { seed: 4 });
  const out = zeros([2, 3]);
  const weight = tensor([1, 1, 1], { requiresGrad: true });
  throws(
    () => layerNorm(x, { weight, out }),
    /layerNorm: cannot write into `out` while recording gradients \(x \[2, ?3\]/,
  );
  throws(() => rmsNorm(x, { weight, out }), /rmsNorm: cannot write into `out`/);
  throws(() => batchNorm(x, { weight, out }), /batchNorm: cannot write into `out`/);
  // Inside noGrad, or without a parameter that learns, out is fine.
  strictEqual(noGrad(() => layerNorm(x, { weight, out })), out);
  strictEqual(layerNorm(x, { out }), out);
});

Deno.test("a fully masked query: zero output and zero gradients, never NaN", () => {
  const q = randn([1, 2, 3], { seed: 5, dtype: "float64" });
  q.requiresGrad = true;
  const k = randn([1, 2, 3], { seed: 6, dtype: "float64" });
  k.requiresGrad = true;
  const v = randn([1, 2, 3], { seed: 7, dtype: "float64" });
  v.requiresGrad = true;
  const mask = tensor([[0, 0]]);
  const { output, weights } = scaledDotProductAttention(q, k, v, { mask });
  output.add(weights.sum()).sum().backward();
  deepStrictEqual(output.toArray(), [[[0, 0, 0], [0, 0, 0]]]);
  for (const t of [q, k, v]) {
    ok(t.grad!.data.every((value) => value === 0), `${t.grad}`);
  }
});

Deno.test("masks take no gradient: a padded position's input gets none through masked BatchNorm", () => {
  const x = randn([2, 3, 2], { seed: 8, dtype: "float64" });
  x.requiresGrad = true;
  const mask = tensor([[1, 1, 0], [1, 0, 0]]);
  batchNorm(x, { mask }).square().sum().backward();
  const grad = x.grad!.toArray() as number[][][];
  deepStrictEqual([grad[0]![2], grad[1]![1], grad[1]![2]], [[0, 0], [0, 0], [0, 0]]);
  ok(Math.abs(grad[0]![0]![0]!) > 0 || Math.abs(grad[0]![1]![0]!) > 0);
  strictEqual(mask.requiresGrad, false);
});

Deno.test("backward refuses a constant operand that was changed in place after use", () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const w = tensor([3, 4]); // does not learn, but the gradient of x·w is w
  const y = x.mul(w).sum();
  w.data[0] = 10;
  w.markModified();
  throws(() => y.backward(), /modified in place after mul used it/);
});
