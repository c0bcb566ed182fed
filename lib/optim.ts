/**
 * Optimisers with PyTorch's update rules (SGD, Adam, AdamW), gradient-norm
 * clipping and learning-rate schedules.
 *
 * Parameters are updated in place (`data` is rewritten and `markModified()`
 * called), so modules, state dicts and other references keep seeing them.
 * Each element's update is computed in float64 and stored in the parameter's
 * dtype.
 *
 * @module
 */
import { type AdamMoments, adamMoments, type AdamStepConstants } from "./_float64_simd.ts";
import { formatShape } from "./_shape.ts";
import type { Tensor } from "./tensor.ts";

/** The parameters and learning rate every optimiser holds. */
export abstract class Optimizer {
  /** The tensors this optimiser updates. */
  readonly params: readonly Tensor[];
  /** The learning rate; settable (schedules set it before each step). */
  lr: number;
  /** Steps taken. */
  stepCount = 0;

  /** Checks the parameters and the learning rate; `name` names the optimiser in errors. */
  constructor(params: readonly Tensor[], lr: number, name: string) {
    if (!Array.isArray(params) || params.length === 0) {
      throw new Error(`${name}: expected a non-empty array of parameters`);
    }
    params.forEach((p, i) => {
      if (!p?.requiresGrad || !p.isLeaf) {
        throw new Error(
          `${name}: expected parameter ${i} to be a leaf tensor with requiresGrad: true but found ${
            p?.shape === undefined ? typeof p : formatShape(p.shape)
          }${p?.requiresGrad ? " produced by an operation" : " without requiresGrad"}`,
        );
      }
    });
    if (new Set(params).size !== params.length) {
      throw new Error(`${name}: expected each parameter once but found a repeat`);
    }
    checkNonNegative(name, "lr", lr);
    this.params = [...params];
    this.lr = lr;
  }

  /** Clears every parameter's gradient (sets it to `null`, PyTorch 2's default `set_to_none`). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** Updates every parameter that has a gradient; parameters without one are skipped. */
  step(): void {
    this.stepCount++;
    this.params.forEach((p, index) => {
      const grad = p.grad;
      if (grad === null) return;
      this.update(p.data, grad.data, index);
      p.markModified();
    });
  }

  /** The update of one parameter: `data` in place from `grad`; `index` selects its state. */
  protected abstract update(
    data: Float32Array | Float64Array,
    grad: Float32Array | Float64Array,
    index: number,
  ): void;
}

/** Options for {@linkcode SGD}. */
export interface SGDOptions {
  /** The learning rate. */
  lr: number;
  /**
   * Momentum factor μ.
   * @default {0}
   */
  momentum?: number;
  /**
   * Dampening τ of the momentum.
   * @default {0}
   */
  dampening?: number;
  /**
   * Nesterov momentum.
   * @default {false}
   */
  nesterov?: boolean;
  /**
   * L2 penalty λ added to the gradient.
   * @default {0}
   */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent, `torch.optim.SGD`:
 * `g = ∇ + λθ`; with momentum `b = μb + (1 − τ)g` (b = g at the first step),
 * then `g = g + μb` (Nesterov) or `g = b`; `θ = θ − lr · g`.
 *
 * @example
 * ```ts
 * import { SGD } from "./optim.ts";
 * import { tensor } from "./tensor.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const w = tensor([1, 2], { requiresGrad: true });
 * const optimizer = new SGD([w], { lr: 0.5 });
 * w.square().sum().backward(); // ∇ = 2w
 * optimizer.step();
 * deepStrictEqual(Array.from(w.data), [0, 0]);
 * ```
 */
export class SGD extends Optimizer {
  /** μ. */
  readonly momentum: number;
  /** τ. */
  readonly dampening: number;
  /** Nesterov momentum. */
  readonly nesterov: boolean;
  /** λ. */
  readonly weightDecay: number;
  readonly #buffers: (Float64Array | null)[];

  /** SGD over `params`. */
  constructor(params: readonly Tensor[], options: SGDOptions) {
    super(params, options?.lr, "SGD");
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = options.weightDecay ?? 0;
    checkNonNegative("SGD", "momentum", this.momentum);
    checkNonNegative("SGD", "weightDecay", this.weightDecay);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error("SGD: expected momentum > 0 and dampening 0 for Nesterov momentum");
    }
    this.#buffers = this.params.map(() => null);
  }

  /**
   * One SGD step of parameter `index`, in place: g = grad + weightDecay·θ;
   * b = momentum·b + (1 − dampening)·g (b = g at the first step); g = b, or g + momentum·b
   * with Nesterov; θ −= lr·g.
   */
  protected update(
    data: Float32Array | Float64Array,
    grad: Float32Array | Float64Array,
    index: number,
  ): void {
    const { lr, momentum, dampening, nesterov, weightDecay } = this;
    let buffer = this.#buffers[index] ?? null;
    const first = buffer === null;
    if (momentum !== 0 && buffer === null) {
      buffer = new Float64Array(data.length);
      this.#buffers[index] = buffer;
    }
    for (let i = 0; i < data.length; i++) {
      let g = grad[i]! + weightDecay * data[i]!;
      if (buffer !== null) {
        buffer[i] = first ? g : momentum * buffer[i]! + (1 - dampening) * g;
        g = nesterov ? g + momentum * buffer[i]! : buffer[i]!;
      }
      data[i] = data[i]! - lr * g;
    }
  }
}

/** Options for {@linkcode Adam} and {@linkcode AdamW}. */
export interface AdamOptions {
  /**
   * The learning rate.
   * @default {1e-3}
   */
  lr?: number;
  /**
   * β₁, β₂: decay rates of the first and second moment estimates.
   * @default {[0.9, 0.999]}
   */
  betas?: readonly [number, number];
  /**
   * ε, added to the denominator.
   * @default {1e-8}
   */
  eps?: number;
  /**
   * Weight decay λ: an L2 penalty added to the gradient for Adam; decoupled
   * (θ ← θ − lr·λ·θ) for AdamW.
   * @default {0 for Adam, 0.01 for AdamW}
   */
  weightDecay?: number;
}

/**
 * Adam (Kingma & Ba 2015, arXiv:1412.6980), `torch.optim.Adam`:
 * `g = ∇ + λθ`; `m = β₁m + (1 − β₁)g`; `v = β₂v + (1 − β₂)g²`;
 * `θ = θ − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)`.
 *
 * @example
 * ```ts
 * import { Adam } from "./optim.ts";
 * import { tensor } from "./tensor.ts";
 * import { ok } from "node:assert/strict";
 *
 * const w = tensor([3], { requiresGrad: true });
 * const optimizer = new Adam([w], { lr: 0.1 });
 * for (let i = 0; i < 100; i++) {
 *   optimizer.zeroGrad();
 *   w.square().sum().backward();
 *   optimizer.step();
 * }
 * ok(Math.abs(w.item()) < 0.5);
 * ```
 */
export class Adam extends Optimizer {
  /** β₁, β₂. */
  readonly betas: readonly [number, number];
  /** ε. */
  readonly eps: number;
  /** λ. */
  readonly weightDecay: number;
  /** Whether weight decay is decoupled (AdamW). */
  protected readonly decoupled: boolean;
  readonly #first: readonly Float64Array[];
  readonly #second: readonly Float64Array[];
  readonly #steps: number[];
  /** The moments in the SIMD kernel's memory, or null (then plain arrays). */
  readonly #moments: AdamMoments | null;

  /** Adam over `params`. */
  constructor(params: readonly Tensor[], options: AdamOptions = {}, name = "Adam") {
    super(params, options.lr ?? 1e-3, name);
    this.betas = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? (name === "AdamW" ? 0.01 : 0);
    this.decoupled = name === "AdamW";
    for (const [i, beta] of this.betas.entries()) {
      if (!(beta >= 0 && beta < 1)) {
        throw new Error(`${name}: expected betas[${i}] in [0, 1) but found ${beta}`);
      }
    }
    checkNonNegative(name, "eps", this.eps);
    checkNonNegative(name, "weightDecay", this.weightDecay);
    this.#moments = adamMoments(this.params.map((p) => p.size));
    this.#first = this.#moments?.first ?? this.params.map((p) => new Float64Array(p.size));
    this.#second = this.#moments?.second ?? this.params.map((p) => new Float64Array(p.size));
    this.#steps = this.params.map(() => 0);
  }

  /**
   * One Adam/AdamW step of parameter `index`, in place: m = β₁m + (1 − β₁)g,
   * v = β₂v + (1 − β₂)g², θ −= lr·m̂ / (√v̂ + eps) with the bias corrections m̂, v̂;
   * weight decay is added to g (Adam) or applied as θ −= lr·weightDecay·θ (AdamW).
   */
  protected update(
    data: Float32Array | Float64Array,
    grad: Float32Array | Float64Array,
    index: number,
  ): void {
    const [beta1, beta2] = this.betas;
    const { lr, eps, weightDecay, decoupled } = this;
    const step = ++this.#steps[index]!;
    const first = this.#first[index]!;
    const second = this.#second[index]!;
    const constants: AdamStepConstants = {
      decay: decoupled ? 1 - lr * weightDecay : 1,
      l2: decoupled ? 0 : weightDecay,
      beta1,
      beta2,
      stepSize: lr / (1 - beta1 ** step),
      correction: Math.sqrt(1 - beta2 ** step),
      eps,
    };
    if (this.#moments?.step(index, data, grad, constants)) return;
    adamStepReference(data, grad, first, second, constants);
  }
}

/**
 * Internal (tests/float64_kernels_test.ts; not re-exported): the reference of
 * one Adam/AdamW step of one parameter, in place, in float64
 * (lib/wasm/rows_f64x2.wat's `adamStep` computes the same values, bit for
 * bit): `g = ∇ + l2·θ`, `m = β₁m + (1 − β₁)g`, `v = β₂v + (1 − β₂)g²`,
 * `θ = θ·decay − stepSize·m / (√v / correction + eps)`.
 */
export function adamStepReference(
  data: Float32Array | Float64Array,
  grad: Float32Array | Float64Array,
  first: Float64Array,
  second: Float64Array,
  constants: AdamStepConstants,
): void {
  const { decay, l2, beta1, beta2, stepSize, correction, eps } = constants;
  for (let i = 0; i < data.length; i++) {
    const theta = data[i]! * decay;
    const g = grad[i]! + l2 * data[i]!;
    first[i] = beta1 * first[i]! + (1 - beta1) * g;
    second[i] = beta2 * second[i]! + (1 - beta2) * g * g;
    data[i] = theta - stepSize * first[i]! / (Math.sqrt(second[i]!) / correction + eps);
  }
}

/**
 * AdamW (Loshchilov & Hutter 2019, arXiv:1711.05101), `torch.optim.AdamW`:
 * Adam with decoupled weight decay, `θ = θ(1 − lr·λ)` before the Adam step
 * (whose gradient has no L2 term); λ defaults to 0.01.
 *
 * @example
 * ```ts
 * import { AdamW } from "./optim.ts";
 * import { tensor } from "./tensor.ts";
 * import { ok } from "node:assert/strict";
 *
 * const w = tensor([1], { requiresGrad: true });
 * const optimizer = new AdamW([w], { lr: 0.1, weightDecay: 0.5 });
 * w.mul(0).sum().backward(); // zero gradient: only the decay acts
 * optimizer.step();
 * ok(Math.abs(w.item() - 0.95) < 1e-6);
 * ```
 */
export class AdamW extends Adam {
  /** AdamW over `params`. */
  constructor(params: readonly Tensor[], options: AdamOptions = {}) {
    super(params, options, "AdamW");
  }
}

/**
 * Scales the gradients of `params` in place so that their joint L2 norm is
 * at most `maxNorm` (`torch.nn.utils.clip_grad_norm_`: each gradient is
 * multiplied by `min(1, maxNorm / (norm + 1e-6))`), and returns the norm
 * before clipping. Parameters without a gradient are skipped.
 *
 * @example
 * ```ts
 * import { clipGradNorm } from "./optim.ts";
 * import { tensor } from "./tensor.ts";
 * import { ok, strictEqual } from "node:assert/strict";
 *
 * const w = tensor([0, 0], { requiresGrad: true });
 * w.mul(tensor([3, 4])).sum().backward(); // ∇ = (3, 4), norm 5
 * strictEqual(clipGradNorm([w], 1), 5);
 * ok(Math.abs(w.grad!.data[0]! - 0.6) < 1e-6);
 * ```
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number): number {
  checkNonNegative("clipGradNorm", "maxNorm", maxNorm);
  let total = 0;
  for (const p of params) {
    const grad = p.grad?.data;
    if (grad === undefined) continue;
    for (let i = 0; i < grad.length; i++) total += grad[i]! * grad[i]!;
  }
  const norm = Math.sqrt(total);
  const coefficient = maxNorm / (norm + 1e-6);
  if (coefficient < 1) {
    for (const p of params) {
      const grad = p.grad;
      if (grad === null) continue;
      const values = grad.data;
      for (let i = 0; i < values.length; i++) values[i] = values[i]! * coefficient;
      grad.markModified();
    }
  }
  return norm;
}

/** Options for {@linkcode warmupDecay}. */
export interface WarmupDecayOptions {
  /** Steps of linear warm-up from 0 to the full learning rate. */
  warmupSteps: number;
  /** The step at which the decay reaches `minFactor`. */
  totalSteps: number;
  /**
   * The decay after warm-up.
   * @default {"cosine"}
   */
  decay?: "cosine" | "linear" | "none";
  /**
   * The smallest factor the decay reaches.
   * @default {0}
   */
  minFactor?: number;
}

/**
 * A learning-rate factor per step, as Hugging Face's
 * `get_{linear,cosine}_schedule_with_warmup`: linear warm-up `step / warmupSteps`, then cosine
 * `min + (1 − min)·½(1 + cos(π·progress))` or linear decay to `minFactor` at
 * `totalSteps`. Use it with {@linkcode LRScheduler} (PyTorch's `LambdaLR`).
 *
 * @example
 * ```ts
 * import { warmupDecay } from "./optim.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const factor = warmupDecay({ warmupSteps: 4, totalSteps: 8, decay: "linear" });
 * strictEqual(factor(0), 0);
 * strictEqual(factor(2), 0.5);
 * strictEqual(factor(4), 1);
 * strictEqual(factor(6), 0.5);
 * strictEqual(factor(8), 0);
 * ```
 */
export function warmupDecay(options: WarmupDecayOptions): (step: number) => number {
  const { warmupSteps, totalSteps } = options;
  const decay = options.decay ?? "cosine";
  const minFactor = options.minFactor ?? 0;
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0 || !(totalSteps >= warmupSteps)) {
    throw new Error(
      `warmupDecay: expected 0 ≤ warmupSteps ≤ totalSteps (integers) but found ${warmupSteps} and ${totalSteps}`,
    );
  }
  return (step) => {
    if (step < warmupSteps) return step / warmupSteps;
    if (decay === "none") return 1;
    const progress = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
    const shape = decay === "cosine" ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
    return minFactor + (1 - minFactor) * shape;
  };
}

/**
 * Sets `optimizer.lr = baseLr · factor(step)`, like PyTorch's `LambdaLR`:
 * the constructor applies step 0, each `step()` advances by one.
 *
 * @example
 * ```ts
 * import { LRScheduler, SGD } from "./optim.ts";
 * import { tensor } from "./tensor.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const optimizer = new SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
 * const scheduler = new LRScheduler(optimizer, (step) => 1 / (step + 1));
 * strictEqual(optimizer.lr, 0.1);
 * scheduler.step();
 * strictEqual(optimizer.lr, 0.05);
 * ```
 */
export class LRScheduler {
  /** The optimiser whose `lr` is set. */
  readonly optimizer: Optimizer;
  /** The learning rate the factors multiply. */
  readonly baseLr: number;
  /** The factor per step. */
  readonly factor: (step: number) => number;
  /** The current step (0 after construction). */
  lastStep = 0;

  /** Schedules `optimizer`'s learning rate. */
  constructor(optimizer: Optimizer, factor: (step: number) => number) {
    this.optimizer = optimizer;
    this.baseLr = optimizer.lr;
    this.factor = factor;
    optimizer.lr = this.baseLr * factor(0);
  }

  /** Advances one step and sets the learning rate for it. */
  step(): void {
    this.lastStep++;
    this.optimizer.lr = this.baseLr * this.factor(this.lastStep);
  }
}

function checkNonNegative(operation: string, name: string, value: number): void {
  if (!(typeof value === "number" && value >= 0 && Number.isFinite(value))) {
    throw new Error(`${operation}: expected ${name} to be a finite number ≥ 0 but found ${value}`);
  }
}
