/**
 * The optimisers against PyTorch 1.13 (tests/fixtures/optimizers.json from
 * tests/fixtures/generate_optimizers.py): three steps with given gradients.
 */
import { ok, strictEqual, throws } from "node:assert/strict";
import { Adam, AdamW, clipGradNorm, LRScheduler, SGD, tensor, warmupDecay } from "../mod.ts";

// deno-lint-ignore no-explicit-any
type Fixture = Record<string, any>;
const fixture = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/optimizers.json", import.meta.url)),
) as Fixture;

const makers = {
  SGD: (p: ReturnType<typeof tensor>, o: Fixture) => new SGD([p], o as { lr: number }),
  Adam: (p: ReturnType<typeof tensor>, o: Fixture) => new Adam([p], o),
  AdamW: (p: ReturnType<typeof tensor>, o: Fixture) => new AdamW([p], o),
};

Deno.test("SGD, Adam and AdamW follow PyTorch's updates step by step", () => {
  let worst = 0;
  for (const c of fixture.cases) {
    const p = tensor(fixture.initial, { shape: fixture.shape, requiresGrad: true });
    const optimizer = makers[c.optimizer as keyof typeof makers](p, c.options);
    c.steps.forEach((expected: number[], step: number) => {
      p.grad = tensor(fixture.grads[step], { shape: fixture.shape });
      optimizer.step();
      expected.forEach((value, i) => {
        const deviation = Math.abs(p.data[i]! - value) / Math.max(1, Math.abs(value));
        worst = Math.max(worst, deviation);
        ok(
          deviation < 1e-6,
          `${c.optimizer} ${JSON.stringify(c.options)} step ${step + 1}[${i}]: ${
            p.data[i]
          } vs ${value}`,
        );
      });
    });
  }
  console.log(`${fixture.cases.length} optimiser cases, worst relative deviation ${worst}`);
});

Deno.test("clipGradNorm matches torch.nn.utils.clip_grad_norm_", () => {
  for (const c of fixture.clips) {
    const a = tensor([0, 0, 0], { requiresGrad: true });
    const b = tensor([[0, 0], [0, 0]], { requiresGrad: true });
    a.grad = tensor([1, -2, 3]);
    b.grad = tensor([[0.5, 0.5], [-1, 2]]);
    ok(Math.abs(clipGradNorm([a, b], c.maxNorm) - c.norm) < 1e-5);
    [...a.grad.data, ...b.grad!.data].forEach((value, i) =>
      ok(Math.abs(value - [...c.a, ...c.b][i]) < 1e-6)
    );
  }
});

Deno.test("optimisers skip parameters without a gradient and reject bad ones", () => {
  const a = tensor([1], { requiresGrad: true });
  const b = tensor([1], { requiresGrad: true });
  const optimizer = new Adam([a, b], { lr: 0.1 });
  a.grad = tensor([1]);
  optimizer.step();
  strictEqual(b.data[0], 1);
  ok(a.data[0]! < 1);
  optimizer.zeroGrad();
  strictEqual(a.grad, null);
  throws(() => new SGD([tensor([1])], { lr: 0.1 }), /parameter 0 .*without requiresGrad/);
  throws(() => new Adam([a], { lr: -1 }), /lr to be a finite number/);
  throws(() => new Adam([a], { betas: [1, 0.9] }), /betas\[0\]/);
  throws(() => new SGD([a, a], { lr: 1 }), /each parameter once/);
  throws(() => new SGD([a], { lr: 1, nesterov: true }), /Nesterov/);
});

Deno.test("an optimiser step is seen by a graph built before it: backward refuses", () => {
  const w = tensor([1, 2], { requiresGrad: true });
  const loss = w.square().sum();
  w.grad = tensor([1, 1]);
  new SGD([w], { lr: 0.1 }).step();
  throws(() => loss.backward(), /modified in place/);
});

Deno.test("LRScheduler with warmupDecay sets the learning rate like LambdaLR", () => {
  const optimizer = new SGD([tensor([1], { requiresGrad: true })], { lr: 0.2 });
  const scheduler = new LRScheduler(
    optimizer,
    warmupDecay({ warmupSteps: 2, totalSteps: 6, decay: "cosine" }),
  );
  const seen = [optimizer.lr];
  for (let i = 0; i < 6; i++) {
    scheduler.step();
    seen.push(optimizer.lr);
  }
  // 0, 0.5, 1 during warm-up, then ½(1 + cos(π·k/4)) for k = 1…4.
  const expected = [
    0,
    0.1,
    0.2,
    0.2 * 0.5 * (1 + Math.cos(Math.PI / 4)),
    0.1,
    0.2 * 0.5 * (1 + Math.cos(3 * Math.PI / 4)),
    0,
  ];
  seen.forEach((lr, i) => ok(Math.abs(lr - expected[i]!) < 1e-12, `step ${i}: ${lr}`));
});
