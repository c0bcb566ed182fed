/**
 * normlab against PyTorch's own numbers (tests/fixtures/pytorch.json, written
 * by tests/fixtures/generate_pytorch.py with Debian's PyTorch 1.13).
 * Forward passes within 1e-5, gradients within 1e-4, in float32.
 */
import {
  BatchNorm,
  batchNorm,
  batchNormBackward,
  concat,
  crossEntropy,
  embedding,
  gelu,
  layerNorm,
  layerNormBackward,
  linear,
  logSoftmax,
  narrow,
  type NestedArray,
  relu,
  rmsNorm,
  scaledDotProductAttention,
  stack,
  type Tensor,
  tensor,
} from "../mod.ts";
import { assertClose, maxDeviation } from "./_helpers.ts";

const FORWARD = 1e-5;
const GRADIENT = 1e-4;

// deno-lint-ignore no-explicit-any
type Case = Record<string, any>;
const fixture = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/pytorch.json", import.meta.url)),
) as { torch_version: string; cases: Record<string, Case> };
const cases = fixture.cases;
const T = (data: NestedArray) => tensor(data);

const deviations: Record<string, number> = {};
function check(
  label: string,
  actual: ReturnType<typeof T>,
  expected: NestedArray,
  tolerance: number,
): void {
  deviations[label] = assertClose(actual, expected, tolerance, label);
}

Deno.test("layerNorm matches PyTorch, forward and backward", () => {
  const c = cases.layer_norm!;
  const x = T(c.x);
  check("layerNorm y", layerNorm(x, { weight: T(c.weight), bias: T(c.bias) }), c.y, FORWARD);
  check("layerNorm y (no affine)", layerNorm(x), c.y_plain, FORWARD);
  const g = layerNormBackward(x, T(c.dy), { weight: T(c.weight) });
  check("layerNorm dx", g.dx, c.dx, GRADIENT);
  check("layerNorm dWeight", g.dWeight, c.dweight, GRADIENT);
  check("layerNorm dBias", g.dBias, c.dbias, GRADIENT);
});

Deno.test("layerNorm over two axes matches PyTorch", () => {
  const c = cases.layer_norm_2d!;
  const options = { normalizedShape: [4, 5], weight: T(c.weight), bias: T(c.bias) };
  check("layerNorm 2-D y", layerNorm(T(c.x), options), c.y, FORWARD);
  const g = layerNormBackward(T(c.x), T(c.dy), options);
  check("layerNorm 2-D dx", g.dx, c.dx, GRADIENT);
  check("layerNorm 2-D dWeight", g.dWeight, c.dweight, GRADIENT);
  check("layerNorm 2-D dBias", g.dBias, c.dbias, GRADIENT);
});

Deno.test("layerNorm of 1e4 + noise matches PyTorch (no cancellation)", () => {
  const c = cases.layer_norm_offset!;
  // The exact answer (PyTorch in float64 on the same float32 inputs), within 1e-5.
  check("layerNorm offset vs float64", layerNorm(T(c.x)), c.y_float64, FORWARD);
  // PyTorch's float32 kernel itself loses ~2e-3 to rounding here; normlab stays within that.
  const ours = assertClose(layerNorm(T(c.x)), c.y, 5e-3, "layerNorm offset vs float32");
  if (ours === 0) throw new Error("expected PyTorch's float32 rounding to show");
});

Deno.test("rmsNorm matches PyTorch's formula", () => {
  const c = cases.rms_norm!;
  check("rmsNorm y", rmsNorm(T(c.x), { weight: T(c.weight) }), c.y, FORWARD);
});

Deno.test("batchNorm matches PyTorch, plain and masked, forward and backward", () => {
  const c = cases.batch_norm!;
  const x = T(c.x);
  const affine = { weight: T(c.weight), bias: T(c.bias) };
  check("batchNorm y", batchNorm(x, affine), c.plain.y, FORWARD);
  const g = batchNormBackward(x, T(c.dy), { weight: affine.weight });
  check("batchNorm dx", g.dx, c.plain.dx, GRADIENT);
  check("batchNorm dWeight", g.dWeight, c.plain.dweight, GRADIENT);
  check("batchNorm dBias", g.dBias, c.plain.dbias, GRADIENT);
  const mask = T(c.mask);
  check("masked batchNorm y", batchNorm(x, { ...affine, mask }), c.masked.y, FORWARD);
  const gm = batchNormBackward(x, T(c.dy), { weight: affine.weight, mask });
  check("masked batchNorm dx", gm.dx, c.masked.dx, GRADIENT);
  check("masked batchNorm dWeight", gm.dWeight, c.masked.dweight, GRADIENT);
  check("masked batchNorm dBias", gm.dBias, c.masked.dbias, GRADIENT);
});

Deno.test("BatchNorm layer: running statistics and eval output match PyTorch", () => {
  const c = cases.batch_norm_layer!;
  const layer = new BatchNorm(3);
  const masked = new BatchNorm(3);
  const cumulative = new BatchNorm(3, { momentum: null });
  c.batches.forEach((batch: NestedArray, i: number) => {
    check(`BatchNorm train ${i}`, layer.forward(T(batch)), c.train_outputs[i], FORWARD);
    const mask = T(c.masks[i]);
    check(
      `masked BatchNorm train ${i}`,
      masked.forward(T(batch), { mask }),
      c.masked_train_outputs[i],
      FORWARD,
    );
    cumulative.forward(T(batch));
  });
  check("BatchNorm runningMean", layer.runningMean!, c.running_mean, FORWARD);
  check("BatchNorm runningVar", layer.runningVar!, c.running_var, FORWARD);
  check("masked BatchNorm runningMean", masked.runningMean!, c.masked_running_mean, FORWARD);
  check("masked BatchNorm runningVar", masked.runningVar!, c.masked_running_var, FORWARD);
  check("cumulative runningMean", cumulative.runningMean!, c.cumulative_running_mean, FORWARD);
  check("cumulative runningVar", cumulative.runningVar!, c.cumulative_running_var, FORWARD);
  layer.eval();
  check("BatchNorm eval", layer.forward(T(c.probe)), c.eval_output, FORWARD);
});

Deno.test("scaledDotProductAttention matches PyTorch's formula", () => {
  const c = cases.attention!;
  const [q, k, v, mask] = [T(c.q), T(c.k), T(c.v), T(c.mask)];
  const masked = scaledDotProductAttention(q, k, v, { mask });
  check("attention output", masked.output, c.masked.output, FORWARD);
  check("attention weights", masked.weights, c.masked.weights, FORWARD);
  const causal = scaledDotProductAttention(q, k, v, { mask, causal: true });
  check("causal attention output", causal.output, c.masked_causal.output, FORWARD);
  check("causal attention weights", causal.weights, c.masked_causal.weights, FORWARD);
  const plain = scaledDotProductAttention(q, k, v);
  check("unmasked attention output", plain.output, c.unmasked.output, FORWARD);
  const h = cases.attention_heads!;
  const heads = scaledDotProductAttention(T(h.q), T(h.k), T(h.v), { mask: T(h.mask) });
  check("multi-head attention output", heads.output, h.output, FORWARD);
  check("multi-head attention weights", heads.weights, h.weights, FORWARD);
});

Deno.test("tensor operations match PyTorch", () => {
  const c = cases.tensor_ops!;
  const a = T(c.a);
  check("matmul", a.matmul(T(c.b)), c.matmul_ab, FORWARD);
  check("matmul broadcast", a.reshape(1, 2, 3, 4).matmul(T(c.c)), c.matmul_broadcast, FORWARD);
  check("softmax axis 1", a.softmax(1), c.softmax_1, FORWARD);
  check("softmax of large scores", a.mul(50).softmax(), c.softmax_last, FORWARD);
  check("unbiased variance", a.variance([0, 2], { correction: 1 }), c.var_unbiased_02, FORWARD);
  check("biased variance", a.variance(1), c.var_biased_1, FORWARD);
  check("std", a.std(undefined, { correction: 1 }), c.std_unbiased_all, FORWARD);
  check("sum keepDims", a.sum(1, { keepDims: true }), c.sum_keep_1, FORWARD);
  check("mean", a.mean([0, 2]), c.mean_02, FORWARD);
  check("max", a.max(2), c.max_2, FORWARD);
  check("min", a.min(0), c.min_0, FORWARD);
  check("permute", a.permute(2, 0, 1), c.permute_201, 0);
  const column = T(c.b).reshape(4, 5).permute(1, 0).reshape(5, 4);
  const firstColumn = tensor(Array.from(column.data.subarray(0, 4)));
  check("broadcast add", a.add(firstColumn), c.broadcast_add, FORWARD);
});

// ---- gradients of composed expressions through backward() ----

/** The largest |normlab − PyTorch| / max |PyTorch| over each gradient, for the report. */
const relativeGradientErrors: Record<string, number> = {};

/** Leaves that require a gradient, made from the fixture's named inputs. */
function leaves(c: Case, names: readonly string[]): Record<string, Tensor> {
  return Object.fromEntries(names.map((name) => [name, tensor(c[name], { requiresGrad: true })]));
}

/** Compares the loss and every leaf's `grad` with PyTorch's. */
function checkGradients(
  label: string,
  leafs: Record<string, Tensor>,
  loss: Tensor,
  expected: Case,
): void {
  check(`${label} loss`, loss, expected.loss, FORWARD * 10);
  loss.backward();
  for (const [name, reference] of Object.entries(expected.grads as Record<string, NestedArray>)) {
    const grad = leafs[name]!.grad;
    if (grad === null) throw new Error(`${label}: ${name} got no gradient`);
    check(`${label} d${name}`, grad, reference, GRADIENT);
    const scale = tensor(reference).abs().max().item();
    relativeGradientErrors[`${label} d${name}`] = maxDeviation(grad, reference) / scale;
  }
}

Deno.test("gradients match PyTorch: crossEntropy(linear(layerNorm(x + attention(x)))) with a key mask", () => {
  const c = cases.grad_attention_layer_norm_cross_entropy!;
  const mask = T(c.mask);
  for (const variant of ["masked", "causal"]) {
    const L = leaves(c, ["x", "wq", "wk", "wv", "gamma", "beta", "head_w", "head_b"]);
    const x = L.x!;
    const { output } = scaledDotProductAttention(
      x.matmul(L.wq!),
      x.matmul(L.wk!),
      x.matmul(L.wv!),
      { mask, causal: variant === "causal" },
    );
    const h = layerNorm(x.add(output), { weight: L.gamma, bias: L.beta });
    const logits = linear(h.reshape(8, 3), L.head_w!, L.head_b);
    checkGradients(
      `attention→layerNorm→CE (${variant})`,
      L,
      crossEntropy(logits, c.targets),
      c[variant],
    );
  }
});

Deno.test("gradients match PyTorch: logSoftmax(gelu(batchNorm(x)) · W), masked and naive", () => {
  const c = cases.grad_batch_norm_gelu_log_softmax!;
  for (const variant of ["masked", "naive"]) {
    const L = leaves(c, ["x", "gamma", "beta", "w"]);
    const y = batchNorm(L.x!, {
      weight: L.gamma,
      bias: L.beta,
      mask: variant === "masked" ? T(c.mask) : undefined,
    });
    const loss = logSoftmax(gelu(y).matmul(L.w!)).mul(T(c.dy)).sum();
    checkGradients(`batchNorm→gelu→logSoftmax (${variant})`, L, loss, c[variant]);
  }
});

Deno.test("gradients match PyTorch: a chain of softmax, variance, max/min, std, stack and concat", () => {
  const c = cases.grad_softmax_variance_chain!;
  const L = leaves(c, ["a", "c"]);
  const a = L.a!;
  const s = a.mul(1.5).softmax(1);
  const v = s.variance(-1, { correction: 1, keepDims: true });
  let r = a.sub(a.mean([0, 2], { keepDims: true })).div(v.add(0.5).sqrt());
  r = r.maximum(L.c!).sub(r.abs().minimum(L.c!.exp().mul(0.7)));
  const loss = r.max(1).mul(T(c.g)).sum()
    .add(r.std([0, 1]).sum())
    .add(stack([r.min(2), s.sum(2)], 0).square().mean())
    .add(concat([narrow(logSoftmax(r), -1, 0, 2), s], -1).exp().sum());
  checkGradients("softmax/variance chain", L, loss, c);
});

Deno.test("gradients match PyTorch: embedding (padding row, repeats) → rmsNorm → masked mean → relu → linear → CE", () => {
  const c = cases.grad_embedding_rms_norm_pool!;
  const L = leaves(c, ["table", "position", "rms_w", "head_w", "head_b"]);
  const ids = T(c.ids);
  const mask = ids.eq(0).neg().add(1); // 1 = real token
  let h = embedding(ids, L.table!, { paddingIdx: 0 }).add(L.position!);
  h = rmsNorm(h, { weight: L.rms_w });
  const pooled = h.mul(mask.reshape(2, 4, 1)).sum(1).div(mask.sum(1, { keepDims: true }));
  const logits = linear(relu(pooled), L.head_w!, L.head_b);
  checkGradients(
    "embedding→rmsNorm→pool→CE",
    L,
    crossEntropy(logits, c.labels, { reduction: "sum" }),
    c,
  );
});

Deno.test("report: the largest deviation from PyTorch", () => {
  const entries = Object.entries(deviations).sort((p, q) => q[1] - p[1]);
  const [label, worst] = entries[0] ?? ["none", 0];
  console.log(
    `PyTorch ${fixture.torch_version}: ${entries.length} comparisons; largest deviation ${
      worst.toExponential(2)
    } (${label})`,
  );
  const relative = Object.entries(relativeGradientErrors).sort((p, q) => q[1] - p[1]);
  console.log(
    `gradients through backward(): ${relative.length} compared; largest relative error ${
      (relative[0]?.[1] ?? 0).toExponential(2)
    } (${relative[0]?.[0] ?? "none"})`,
  );
  if (relative.length < 20) {
    throw new Error(`expected the gradient comparisons above to run, found ${relative.length}`);
  }
  if (entries.length < 40) {
    throw new Error(`expected the comparisons above to run, found ${entries.length}`);
  }
});
