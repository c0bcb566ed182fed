/**
 * Both backward passes against central finite differences in float64:
 * for L = Σ dy · y(x, γ, β), ∂L/∂θ ≈ (L(θ + h) − L(θ − h)) / 2h.
 */
import { ok } from "node:assert/strict";
import {
  batchNorm,
  batchNormBackward,
  layerNorm,
  layerNormBackward,
  randn,
  Tensor,
  tensor,
} from "../mod.ts";
import { maxDeviation } from "./_helpers.ts";

const STEP = 1e-6;
const TOLERANCE = 1e-6;

function loss(y: Tensor, dy: Tensor): number {
  return y.mul(dy).sum().item();
}

/** Central differences of `f` with respect to every element of `parameter`. */
function numericalGradient(parameter: Tensor, f: (p: Tensor) => number): Tensor {
  const gradient = new Float64Array(parameter.size);
  for (let i = 0; i < parameter.size; i++) {
    const plus = parameter.clone();
    const minus = parameter.clone();
    plus.data[i]! += STEP;
    minus.data[i]! -= STEP;
    gradient[i] = (f(plus) - f(minus)) / (2 * STEP);
  }
  return new Tensor(gradient, parameter.shape);
}

function assertGradient(label: string, analytic: Tensor, numeric: Tensor): void {
  const deviation = maxDeviation(analytic, numeric);
  ok(deviation < TOLERANCE, `${label}: analytic and numerical gradients differ by ${deviation}`);
  ok(numeric.abs().max().item() > 1e-3, `${label}: the check must not be vacuous`);
}

const f64 = { dtype: "float64" as const };

Deno.test("layerNormBackward matches finite differences (last axis, with γ and β)", () => {
  const x = randn([2, 4, 3], { ...f64, seed: 1 });
  const weight = randn([3], { ...f64, seed: 2 });
  const bias = randn([3], { ...f64, seed: 3 });
  const dy = randn([2, 4, 3], { ...f64, seed: 4 });
  const g = layerNormBackward(x, dy, { weight });
  assertGradient("dx", g.dx, numericalGradient(x, (p) => loss(layerNorm(p, { weight, bias }), dy)));
  assertGradient(
    "dWeight",
    g.dWeight,
    numericalGradient(weight, (p) => loss(layerNorm(x, { weight: p, bias }), dy)),
  );
  assertGradient(
    "dBias",
    g.dBias,
    numericalGradient(bias, (p) => loss(layerNorm(x, { weight, bias: p }), dy)),
  );
});

Deno.test("layerNormBackward matches finite differences (two axes, no γ)", () => {
  const x = randn([3, 2, 4], { ...f64, seed: 5 });
  const dy = randn([3, 2, 4], { ...f64, seed: 6 });
  const g = layerNormBackward(x, dy, { normalizedShape: [2, 4] });
  assertGradient(
    "dx",
    g.dx,
    numericalGradient(x, (p) => loss(layerNorm(p, { normalizedShape: [2, 4] }), dy)),
  );
});

Deno.test("batchNormBackward matches finite differences (plain)", () => {
  const x = randn([2, 4, 3], { ...f64, seed: 7 });
  const weight = randn([3], { ...f64, seed: 8 });
  const bias = randn([3], { ...f64, seed: 9 });
  const dy = randn([2, 4, 3], { ...f64, seed: 10 });
  const g = batchNormBackward(x, dy, { weight });
  assertGradient("dx", g.dx, numericalGradient(x, (p) => loss(batchNorm(p, { weight, bias }), dy)));
  assertGradient(
    "dWeight",
    g.dWeight,
    numericalGradient(weight, (p) => loss(batchNorm(x, { weight: p, bias }), dy)),
  );
  assertGradient(
    "dBias",
    g.dBias,
    numericalGradient(bias, (p) => loss(batchNorm(x, { weight, bias: p }), dy)),
  );
});

Deno.test("batchNormBackward matches finite differences (masked)", () => {
  const x = randn([2, 4, 3], { ...f64, seed: 11 });
  const weight = randn([3], { ...f64, seed: 12 });
  const dy = randn([2, 4, 3], { ...f64, seed: 13 });
  const mask = tensor([[1, 1, 0, 0], [1, 1, 1, 0]]);
  const g = batchNormBackward(x, dy, { weight, mask });
  const numeric = numericalGradient(x, (p) => loss(batchNorm(p, { weight, mask }), dy));
  assertGradient("masked dx", g.dx, numeric);
  // Padded positions get exactly no gradient.
  const padded = (g.dx.toArray() as number[][][])[0]![3]!;
  ok(padded.every((v) => v === 0));
  assertGradient(
    "masked dWeight",
    g.dWeight,
    numericalGradient(weight, (p) => loss(batchNorm(x, { weight: p, mask }), dy)),
  );
});
