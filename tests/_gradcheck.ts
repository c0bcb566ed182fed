/**
 * The generic gradient checker: for L = Σ G ⊙ f(inputs) with a random G,
 * the gradients `backward()` leaves in each input's `grad` must match float64
 * central finite differences, ∂L/∂θᵢ ≈ (L(θ + h·eᵢ) − L(θ − h·eᵢ)) / 2h.
 *
 * @module
 */
import { type GradNode, noGrad, randn, Tensor } from "../mod.ts";

/** One input of a checked function: a float64 tensor and whether its gradient is checked. */
export interface CheckedInput {
  /** The value (float64; it is copied, never modified). */
  value: Tensor;
  /**
   * Whether the input requires a gradient (and is checked).
   * @default {true}
   */
  requiresGrad?: boolean;
}

/** Options for {@linkcode gradCheck}. */
export interface GradCheckOptions {
  /** Seed of the upstream gradient G. */
  seed: number;
  /**
   * The finite-difference step h.
   * @default {1e-6}
   */
  step?: number;
  /**
   * Allowed |analytic − numeric| is atol + rtol·|numeric|.
   * @default {1e-6}
   */
  atol?: number;
  /**
   * The relative part of the allowed error (see `atol`).
   * @default {1e-5}
   */
  rtol?: number;
}

/** What {@linkcode gradCheck} found. */
export interface GradCheckResult {
  /** The largest |analytic − numeric| / (atol + rtol·|numeric|) (≤ 1 passes). */
  worst: number;
  /** The largest |numeric| over every checked element (to tell a vacuous check). */
  largestGradient: number;
  /** The names of every grad node in the recorded graph. */
  recorded: Set<string>;
}

/** The names of every grad node reachable from `root`. */
export function recordedNames(root: Tensor): Set<string> {
  const names = new Set<string>();
  const seen = new Set<GradNode>();
  const stack: Tensor[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!.gradFn;
    if (node === null || seen.has(node)) continue;
    seen.add(node);
    names.add(node.name);
    stack.push(...node.inputs);
  }
  return names;
}

/**
 * Checks `f`'s gradients with respect to every input that requires one;
 * throws with the worst element when they disagree. `f` must be a pure
 * function of its inputs (same inputs, same output).
 */
export function gradCheck(
  f: (...inputs: Tensor[]) => Tensor,
  inputs: readonly CheckedInput[],
  options: GradCheckOptions,
): GradCheckResult {
  const step = options.step ?? 1e-6;
  const atol = options.atol ?? 1e-6;
  const rtol = options.rtol ?? 1e-5;
  const values = inputs.map(({ value }) => {
    if (value.dtype !== "float64") {
      throw new Error(`gradCheck: expected float64 inputs but found ${value.dtype}`);
    }
    return new Tensor(value.data.slice(), value.shape);
  });
  const leaves = values.map((value, i) => {
    const leaf = new Tensor(value.data.slice(), value.shape);
    leaf.requiresGrad = inputs[i]!.requiresGrad ?? true;
    return leaf;
  });
  const y = f(...leaves);
  if (!y.requiresGrad) throw new Error("gradCheck: the output does not require a gradient");
  const recorded = recordedNames(y);
  const upstream = randn(y.shape, { seed: options.seed, dtype: "float64" });
  y.backward(upstream);
  const loss = (args: Tensor[]): number =>
    noGrad(() => {
      const out = f(...args).astype("float64");
      let total = 0;
      for (let i = 0; i < out.size; i++) total += out.data[i]! * upstream.data[i]!;
      return total;
    });
  let worst = 0;
  let largestGradient = 0;
  for (let input = 0; input < leaves.length; input++) {
    const leaf = leaves[input]!;
    if (!leaf.requiresGrad) continue;
    const analytic = leaf.grad;
    if (analytic === null) {
      throw new Error(`gradCheck: input ${input} ${JSON.stringify(leaf.shape)} got no gradient`);
    }
    for (let i = 0; i < leaf.size; i++) {
      const perturbed = (delta: number): Tensor[] =>
        values.map((value, j) => {
          if (j !== input) return value;
          const data = value.data.slice();
          data[i]! += delta;
          return new Tensor(data, value.shape);
        });
      const numeric = (loss(perturbed(step)) - loss(perturbed(-step))) / (2 * step);
      const error = Math.abs(analytic.data[i]! - numeric) / (atol + rtol * Math.abs(numeric));
      if (!(error <= 1)) {
        throw new Error(
          `gradCheck: input ${input} ${JSON.stringify(leaf.shape)} element ${i}: backward gives ${
            analytic.data[i]
          } but finite differences ${numeric}`,
        );
      }
      worst = Math.max(worst, error);
      largestGradient = Math.max(largestGradient, Math.abs(numeric));
    }
  }
  return { worst, largestGradient, recorded };
}
