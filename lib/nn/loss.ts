/**
 * Log-softmax and cross-entropy, with their gradients.
 *
 * @module
 */
import { allocate } from "../_dtype.ts";
import { checkTensor } from "../_mask.ts";
import { formatShape, normalizeAxis, sizeOf } from "../_shape.ts";
import { needsGrad, record } from "../autograd.ts";
import { Tensor } from "../tensor.ts";

/**
 * `logSoftmax(x)ᵢ = xᵢ − max x − ln Σⱼ exp(xⱼ − max x)` along `axis`.
 *
 * Subtracting the maximum keeps every exponential ≤ 1 (log-sum-exp), so no
 * score overflows. A slice that is entirely −∞ gives −∞ (and a zero gradient).
 *
 * Gradient: `dx = dy − softmax(x) · Σ dy` along the axis.
 *
 * Shape: any → the same.
 *
 * @example
 * ```ts
 * import { logSoftmax } from "./loss.ts";
 * import { tensor } from "../tensor.ts";
 * import { allClose } from "../ops.ts";
 * import { ok } from "node:assert/strict";
 *
 * const y = logSoftmax(tensor([[1000, 1000]])); // no overflow
 * ok(allClose(y, tensor([[-Math.LN2, -Math.LN2]])));
 * ```
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  checkTensor(x, "logSoftmax", "x");
  const dim = normalizeAxis(axis, x.ndim, "logSoftmax", x.shape);
  const n = x.shape[dim]!;
  const inner = sizeOf(x.shape.slice(dim + 1));
  const outer = sizeOf(x.shape.slice(0, dim));
  const source = x.data;
  const out = allocate(x.dtype, x.size);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let max = -Infinity;
      for (let r = 0; r < n; r++) {
        const value = source[base + r * inner]!;
        if (value > max || value !== value) max = value;
      }
      let total = 0;
      if (max !== -Infinity) {
        for (let r = 0; r < n; r++) total += Math.exp(source[base + r * inner]! - max);
      }
      const shift = max === -Infinity ? -Infinity : max + Math.log(total);
      for (let r = 0; r < n; r++) {
        out[base + r * inner] = max === -Infinity ? -Infinity : source[base + r * inner]! - shift;
      }
    }
  }
  const y = new Tensor(out, x.shape);
  if (needsGrad(x)) {
    record(y, "logSoftmax", [x], (dy) => {
      const probabilities = y.detach().exp();
      return [dy.sub(probabilities.mul(dy.sum(dim, { keepDims: true })))];
    });
  }
  return y;
}

/** Options for {@linkcode crossEntropy}. */
export interface CrossEntropyOptions {
  /**
   * How the per-example losses are combined: their mean, their sum, or none (N losses).
   * @default {"mean"}
   */
  reduction?: "mean" | "sum" | "none";
}

/**
 * The cross-entropy of class scores against class indices, PyTorch's
 * `F.cross_entropy`: `ℓᵢ = −logSoftmax(logitsᵢ)[targetᵢ] = ln Σⱼ e^(zᵢⱼ) − zᵢ,targetᵢ`,
 * then the mean (default), the sum, or none. Computed with log-sum-exp in
 * float64, so large logits are safe.
 *
 * Gradient: `∂ℓᵢ/∂zᵢ = softmax(zᵢ) − onehot(targetᵢ)` (÷ N for the mean).
 *
 * Shape: logits (N, C), targets (N) integer class indices in [0, C) →
 * a scalar, or (N) with `reduction: "none"`.
 *
 * @example
 * ```ts
 * import { crossEntropy } from "./loss.ts";
 * import { tensor } from "../tensor.ts";
 * import { ok } from "node:assert/strict";
 *
 * const logits = tensor([[2, 0], [0, 2]], { requiresGrad: true });
 * const loss = crossEntropy(logits, [0, 1]);
 * ok(Math.abs(loss.item() - Math.log(1 + Math.exp(-2))) < 1e-6);
 * loss.backward();
 * ok(logits.grad !== null);
 * ```
 */
export function crossEntropy(
  logits: Tensor,
  targets: readonly number[] | Tensor,
  options: CrossEntropyOptions = {},
): Tensor {
  const operation = "crossEntropy";
  checkTensor(logits, operation, "logits");
  if (logits.ndim !== 2) {
    throw new Error(
      `${operation}: expected logits of shape (N, C) but found ${formatShape(logits.shape)}`,
    );
  }
  const [count, classes] = logits.shape as [number, number];
  const labels = targets instanceof Tensor ? targets.data : targets;
  const targetShape = targets instanceof Tensor ? targets.shape : [targets.length];
  if (targetShape.length !== 1 || labels.length !== count) {
    throw new Error(
      `${operation}: expected targets of shape [${count}] (one class index per row of logits ${
        formatShape(logits.shape)
      }) but found ${formatShape(targetShape)}`,
    );
  }
  const reduction = options.reduction ?? "mean";
  if (reduction !== "mean" && reduction !== "sum" && reduction !== "none") {
    throw new Error(
      `${operation}: expected reduction "mean", "sum" or "none" but found ${String(reduction)}`,
    );
  }
  if (reduction === "mean" && count === 0) {
    throw new Error(`${operation}: expected at least one example for the mean but found none`);
  }
  const z = logits.data;
  const losses = new Float64Array(count);
  const logSumExp = new Float64Array(count);
  for (let row = 0; row < count; row++) {
    const label = labels[row]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new Error(
        `${operation}: expected class indices in [0, ${classes}) but found ${label} at index ${row}`,
      );
    }
    const base = row * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, z[base + c]!);
    let total = 0;
    for (let c = 0; c < classes; c++) total += Math.exp(z[base + c]! - max);
    logSumExp[row] = max + Math.log(total);
    losses[row] = logSumExp[row]! - z[base + label]!;
  }
  let result: Tensor;
  if (reduction === "none") {
    const out = allocate(logits.dtype, count);
    out.set(losses);
    result = new Tensor(out, [count]);
  } else {
    let total = 0;
    for (let row = 0; row < count; row++) total += losses[row]!;
    const out = allocate(logits.dtype, 1);
    out[0] = reduction === "mean" ? total / count : total;
    result = new Tensor(out, []);
  }
  if (needsGrad(logits)) {
    record(result, operation, [logits], (dy) => {
      const gradient = allocate(logits.dtype, logits.size);
      const upstream = dy.data;
      const scale = reduction === "mean" ? 1 / count : 1;
      for (let row = 0; row < count; row++) {
        const weight = (reduction === "none" ? upstream[row]! : upstream[0]!) * scale;
        const base = row * classes;
        const shift = logSumExp[row]!;
        for (let c = 0; c < classes; c++) {
          gradient[base + c] = Math.exp(z[base + c]! - shift) * weight;
        }
        gradient[base + labels[row]!]! -= weight;
      }
      return [new Tensor(gradient, logits.shape)];
    });
  }
  return result;
}
