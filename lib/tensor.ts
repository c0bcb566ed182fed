/**
 * The tensor: a contiguous row-major typed array with a shape.
 *
 * @module
 */
import {
  allocate,
  checkAllocation,
  checkDtype,
  type DType,
  dtypeOf,
  promote,
  scratchArray,
  type TypedArray,
} from "./_dtype.ts";
import { binaryKernel, type BinaryOp, unaryKernel, type UnaryOp } from "./_elementwise.ts";
import { expNonPositive } from "./_exp.ts";
import { formatTensorBody } from "./_format.ts";
import { matmulKernel } from "./_matmul.ts";
import { flattenInto, type NestedArray, nestedShape, unflatten } from "./_nested.ts";
import { permuteKernel } from "./_permute.ts";
import { reduceKernel, type ReduceOp } from "./_reduce.ts";
import {
  assertValidShape,
  broadcastShapes,
  formatShape,
  normalizeAxes,
  normalizeAxis,
  shapesEqual,
  sizeOf,
  stridesOf,
} from "./_shape.ts";
import { tensorToHtml } from "./_tensor_html.ts";
import {
  ACCUMULATE_GRAD,
  ATTACH_GRAD_NODE,
  type GradNode,
  needsGrad,
  record,
  runBackward,
  type VectorJacobianProduct,
} from "./autograd.ts";
import { describeValue, notATensorError } from "./_validate.ts";
import { JUPYTER_DISPLAY, type MimeBundle } from "./jupyter.ts";

export type { DType, NestedArray, TypedArray };

/**
 * Internal (not re-exported from mod.ts): the token with which normlab's own
 * kernels build tensors from a valid shape that nothing will mutate.
 */
export const TRUSTED: unique symbol = Symbol("normlab.trustedShape") as never;

/** Options for {@linkcode tensor}. */
export interface TensorOptions {
  /**
   * The element type.
   * @default {"float32"} (or "float64" for a Float64Array input)
   */
  dtype?: DType;
  /** The shape, when `data` is flat (an array or typed array of numbers). */
  shape?: readonly number[];
  /**
   * Record the operations on this tensor so that `backward()` fills its `grad`.
   * @default {false}
   */
  requiresGrad?: boolean;
}

/** Options for {@linkcode Tensor.backward}. */
export interface BackwardOptions {
  /**
   * Keep the graph after this backward pass so that another can go through it.
   * @default {false}
   */
  retainGraph?: boolean;
}

/** Options for reductions such as {@linkcode Tensor.sum}. */
export interface ReduceOptions {
  /**
   * Keep each reduced axis with extent 1, so the result broadcasts against the input.
   * @default {false}
   */
  keepDims?: boolean;
}

/** Options for {@linkcode Tensor.variance} and {@linkcode Tensor.std}. */
export interface VarianceOptions extends ReduceOptions {
  /**
   * Bessel's correction: 0 divides by n (biased, what normalisation layers use),
   * 1 divides by n − 1 (unbiased).
   * @default {0}
   */
  correction?: 0 | 1;
}

/**
 * An n-dimensional array of float32 or float64 numbers, stored contiguously in
 * row-major order. Operations never modify their inputs; they return new
 * tensors. Shapes are written (B, T, D): batch, positions, features.
 *
 * @example
 * ```ts
 * import { tensor } from "./tensor.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);
 * deepStrictEqual(x.shape, [2, 3]);
 * deepStrictEqual(x.mean(-1).toArray(), [2, 5]);
 * deepStrictEqual(x.add(tensor([10, 20, 30])).toArray(), [[11, 22, 33], [14, 25, 36]]);
 * ```
 */
export class Tensor {
  /** The elements, contiguous and row-major. */
  readonly data: TypedArray;
  /** The extent of each axis. */
  readonly shape: readonly number[];
  #requiresGrad = false;
  #grad: Tensor | null = null;
  #gradFn: GradNode | null = null;
  #version = 0;

  /**
   * Wraps `data` (not copied) with `shape`; prefer {@linkcode tensor}.
   * Throws when `data.length` is not the product of `shape`. (The third
   * argument is internal: normlab's kernels pass it with shapes they know to
   * be valid and never change, to skip the checks and the copy.)
   */
  constructor(data: TypedArray, shape: readonly number[], trusted?: typeof TRUSTED) {
    if (trusted === TRUSTED) {
      this.data = data;
      this.shape = shape;
      return;
    }
    // One pass: check the extents and multiply them (this runs for every result, so it is lean).
    let size = 1;
    for (let axis = 0; axis < shape.length; axis++) {
      const extent = shape[axis]!;
      if (!(extent >= 0) || !Number.isInteger(extent)) assertValidShape(shape, "Tensor");
      size *= extent;
    }
    if (data.length !== size) {
      throw new Error(
        `Tensor: expected ${size} elements for shape ${
          formatShape(shape)
        } but found ${data.length}`,
      );
    }
    this.data = data;
    this.shape = shape.slice();
  }

  /** The element type, `"float32"` or `"float64"`. */
  get dtype(): DType {
    return dtypeOf(this.data);
  }

  /** The number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** The number of axes. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Row-major strides in elements: `[12, 3, 1]` for shape (2, 4, 3). */
  get strides(): number[] {
    return stridesOf(this.shape);
  }

  /** The elements as nested arrays (a number for a 0-D tensor). */
  toArray(): NestedArray {
    return unflatten(this.data, this.shape);
  }

  /** The single element of a tensor with one element; throws otherwise. */
  item(): number {
    if (this.size !== 1) {
      throw new Error(
        `item: expected a tensor with one element but found shape ${formatShape(this.shape)}`,
      );
    }
    return this.data[0]!;
  }

  /**
   * Whether operations on this tensor are recorded so that `backward()` can
   * compute its gradient. Settable on leaves (tensors no recorded operation
   * produced); an operation's result requires a gradient when any input does.
   */
  get requiresGrad(): boolean {
    return this.#requiresGrad;
  }

  set requiresGrad(value: boolean) {
    if (this.#gradFn !== null) {
      if (value) return;
      throw new Error(
        `requiresGrad: can only be turned off on a leaf tensor, but this ${
          formatShape(this.shape)
        } tensor comes from ${this.#gradFn.name}; use detach() for a copy without history`,
      );
    }
    this.#requiresGrad = value;
  }

  /**
   * ∂L/∂this after `backward()` (same shape and dtype), accumulated over
   * backward calls until set to `null` or zeroed by an optimiser; `null`
   * before the first. Assignable, as in PyTorch.
   */
  get grad(): Tensor | null {
    return this.#grad;
  }

  set grad(value: Tensor | null) {
    if (value !== null && !shapesEqual(value.shape, this.shape)) {
      throw new Error(
        `grad: expected a gradient of shape ${formatShape(this.shape)} but found ${
          formatShape(value.shape)
        }`,
      );
    }
    this.#grad = value === null || value.dtype === this.dtype ? value : value.astype(this.dtype);
  }

  /** The recorded operation that produced this tensor (PyTorch's `grad_fn`); `null` for leaves. */
  get gradFn(): GradNode | null {
    return this.#gradFn;
  }

  /** Whether this tensor is a leaf of the graph: no recorded operation produced it. */
  get isLeaf(): boolean {
    return this.#gradFn === null;
  }

  /**
   * How many times this tensor's data was changed in place through normlab
   * (optimiser steps, `loadStateDict`, `out` buffers). `backward` uses it to
   * refuse gradients that an in-place change made wrong. Writing into `data`
   * yourself is not tracked: call {@linkcode Tensor.markModified} after it.
   */
  get version(): number {
    return this.#version;
  }

  /** Records that `data` was modified in place (see {@linkcode Tensor.version}). */
  markModified(): void {
    this.#version++;
  }

  /**
   * Computes ∂L/∂leaf for every leaf that requires a gradient and adds it
   * into the leaf's `grad`, where L is this tensor (or `Σ gradient ⊙ this`).
   * `gradient` defaults to 1 for a one-element tensor and is required
   * otherwise. The graph is freed afterwards unless `retainGraph`.
   *
   * @example
   * ```ts
   * import { tensor } from "./tensor.ts";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * const w = tensor([1, 2, 3], { requiresGrad: true });
   * w.square().sum().backward(); // L = Σ w², ∂L/∂w = 2w
   * deepStrictEqual(w.grad?.toArray(), [2, 4, 6]);
   * ```
   */
  backward(gradient?: Tensor, options: BackwardOptions = {}): void {
    if (!this.#requiresGrad) {
      throw new Error(
        `backward: this ${
          formatShape(this.shape)
        } tensor does not require a gradient (no input of it has requiresGrad: true)`,
      );
    }
    let seed: Tensor;
    if (gradient === undefined) {
      if (this.size !== 1) {
        throw new Error(
          `backward: expected a gradient of shape ${
            formatShape(this.shape)
          } for a tensor with ${this.size} elements (it defaults to 1 only for one element)`,
        );
      }
      const one = allocate(this.dtype, 1);
      one[0] = 1;
      seed = new Tensor(one, this.shape, TRUSTED);
    } else {
      if (!(gradient instanceof Tensor) || !shapesEqual(gradient.shape, this.shape)) {
        throw new Error(
          `backward: expected a gradient of shape ${formatShape(this.shape)} but found ${
            gradient instanceof Tensor ? formatShape(gradient.shape) : typeof gradient
          }`,
        );
      }
      seed = gradient.dtype === this.dtype ? gradient : gradient.astype(this.dtype);
    }
    runBackward(this, seed, options.retainGraph ?? false);
  }

  /** The same data without history: a leaf that does not require a gradient (shares storage). */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, TRUSTED);
  }

  /** Internal: set by `record` on an operation's output. */
  [ATTACH_GRAD_NODE](node: GradNode): void {
    this.#gradFn = node;
    this.#requiresGrad = true;
  }

  /**
   * Internal: adds `gradient` into this leaf's `grad` (in place when one
   * exists). With `adopt`, a first gradient's storage becomes `grad` as it is
   * (the caller guarantees nothing else references it), instead of a copy.
   */
  [ACCUMULATE_GRAD](gradient: Tensor, adopt = false): void {
    const existing = this.#grad;
    if (existing === null && adopt) {
      this.#grad = new Tensor(gradient.data, this.shape, TRUSTED);
      return;
    }
    if (existing === null) {
      const owned = allocate(this.dtype, this.size);
      owned.set(gradient.data);
      this.#grad = new Tensor(owned, this.shape, TRUSTED);
      return;
    }
    const target = existing.data;
    const source = gradient.data;
    for (let i = 0; i < target.length; i++) target[i]! += source[i]!;
    existing.markModified();
  }

  /** A copy with its own storage (differentiable: the gradient passes through). */
  clone(): Tensor {
    const out = new Tensor(this.data.slice(), this.shape);
    if (needsGrad(this)) record(out, "clone", [this], (dy) => [dy]);
    return out;
  }

  /** This tensor converted to `dtype` (itself when it already has it); gradients convert back. */
  astype(dtype: DType): Tensor {
    checkDtype(dtype, "astype");
    if (dtype === this.dtype) return this;
    const out = allocate(dtype, this.size);
    out.set(this.data);
    const result = new Tensor(out, this.shape);
    if (needsGrad(this)) record(result, "astype", [this], (dy) => [dy.astype(this.dtype)]);
    return result;
  }

  /**
   * The same elements with another shape; one extent may be `-1` (inferred).
   * Shares storage with this tensor.
   */
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    const requested: readonly number[] = Array.isArray(shape[0])
      ? shape[0] as readonly number[]
      : shape as number[];
    const inferred = requested.filter((extent) => extent === -1).length;
    const known = requested.reduce(
      (product, extent) => (extent === -1 ? product : product * extent),
      1,
    );
    const fail = (): never => {
      throw new Error(
        `reshape: expected a shape with ${this.size} elements for x ${
          formatShape(this.shape)
        } but found ${formatShape(requested)}`,
      );
    };
    if (inferred > 1) fail();
    if (requested.some((extent) => extent !== -1 && (!Number.isInteger(extent) || extent < 0))) {
      fail();
    }
    let target = [...requested];
    if (inferred === 1) {
      if (known === 0 || this.size % known !== 0) fail();
      target = requested.map((extent) => (extent === -1 ? this.size / known : extent));
    }
    if (sizeOf(target) !== this.size) fail();
    const out = new Tensor(this.data, target);
    if (needsGrad(this)) record(out, "reshape", [this], (dy) => [dy.reshape(this.shape)]);
    return out;
  }

  /**
   * Swaps two axes (by default the last two, a matrix transpose). Copies.
   */
  transpose(axis0 = -2, axis1 = -1): Tensor {
    if (this.ndim < 2) {
      throw new Error(
        `transpose: expected at least 2 axes but found shape ${formatShape(this.shape)}`,
      );
    }
    const a = normalizeAxis(axis0, this.ndim, "transpose", this.shape);
    const b = normalizeAxis(axis1, this.ndim, "transpose", this.shape);
    const axes = this.shape.map((_, axis) => axis);
    axes[a] = b;
    axes[b] = a;
    return this.permute(axes);
  }

  /** Reorders the axes: output axis i is input axis `axes[i]`. Copies. */
  permute(...axes: number[] | [readonly number[]]): Tensor {
    const order: readonly number[] = Array.isArray(axes[0])
      ? axes[0] as readonly number[]
      : axes as number[];
    const normalized = order.map((axis) => normalizeAxis(axis, this.ndim, "permute", this.shape));
    const seen = new Set(normalized);
    if (order.length !== this.ndim || seen.size !== this.ndim) {
      throw new Error(
        `permute: expected a permutation of the ${this.ndim} axes of ${
          formatShape(this.shape)
        } but found ${formatShape(order)}`,
      );
    }
    const out = allocate(this.dtype, this.size);
    permuteKernel(this.data, this.shape, normalized, out);
    const result = new Tensor(out, normalized.map((axis) => this.shape[axis]!));
    if (needsGrad(this)) {
      // The gradient goes back through the inverse permutation.
      const inverse = new Array<number>(normalized.length);
      for (let i = 0; i < normalized.length; i++) inverse[normalized[i]!] = i;
      record(result, "permute", [this], (dy) => [dy.permute(inverse)]);
    }
    return result;
  }

  /** `x + y`, element-wise with NumPy broadcasting. */
  add(other: Tensor | number): Tensor {
    return this.#binary("add", other);
  }

  /** `x − y`, element-wise with NumPy broadcasting. */
  sub(other: Tensor | number): Tensor {
    return this.#binary("sub", other);
  }

  /** `x · y`, element-wise with NumPy broadcasting. */
  mul(other: Tensor | number): Tensor {
    return this.#binary("mul", other);
  }

  /** `x / y`, element-wise with NumPy broadcasting (division by 0 gives ±Infinity, as in IEEE 754). */
  div(other: Tensor | number): Tensor {
    return this.#binary("div", other);
  }

  /** 1 where `x = y`, else 0, with broadcasting: `mask.eq(0)` marks the padding. */
  eq(other: Tensor | number): Tensor {
    return this.#binary("eq", other);
  }

  /** The element-wise maximum of `x` and `y`, with broadcasting; NaN propagates. */
  maximum(other: Tensor | number): Tensor {
    return this.#binary("maximum", other);
  }

  /** The element-wise minimum of `x` and `y`, with broadcasting; NaN propagates. */
  minimum(other: Tensor | number): Tensor {
    return this.#binary("minimum", other);
  }

  /** `−x`. */
  neg(): Tensor {
    return this.#unary("neg");
  }

  /** `√x` (NaN for negative elements, as in PyTorch). */
  sqrt(): Tensor {
    return this.#unary("sqrt");
  }

  /** `eˣ`. */
  exp(): Tensor {
    return this.#unary("exp");
  }

  /** `ln x` (−Infinity at 0, NaN below, as in PyTorch). */
  log(): Tensor {
    return this.#unary("log");
  }

  /** `x²`. */
  square(): Tensor {
    return this.#unary("square");
  }

  /** `|x|`. */
  abs(): Tensor {
    return this.#unary("abs");
  }

  /** `Σ x` over `axis` (one, several, or every axis when omitted); empty sums are 0. */
  sum(axis?: number | readonly number[], options: ReduceOptions = {}): Tensor {
    return this.#reduce("sum", axis, 0, options.keepDims ?? false);
  }

  /** `Σ x / n` over `axis`; throws for an empty axis rather than returning NaN. */
  mean(axis?: number | readonly number[], options: ReduceOptions = {}): Tensor {
    return this.#reduce("mean", axis, 0, options.keepDims ?? false);
  }

  /** The largest element over `axis` (NaN if any element is NaN). */
  max(axis?: number | readonly number[], options: ReduceOptions = {}): Tensor {
    return this.#reduce("max", axis, 0, options.keepDims ?? false);
  }

  /** The smallest element over `axis` (NaN if any element is NaN). */
  min(axis?: number | readonly number[], options: ReduceOptions = {}): Tensor {
    return this.#reduce("min", axis, 0, options.keepDims ?? false);
  }

  /**
   * `Σ (x − mean)² / (n − correction)` over `axis`, computed in two passes so
   * that a large common offset does not cancel the result.
   */
  variance(axis?: number | readonly number[], options: VarianceOptions = {}): Tensor {
    return this.#reduce("variance", axis, options.correction ?? 0, options.keepDims ?? false);
  }

  /** `√variance` over `axis`; see {@linkcode Tensor.variance}. */
  std(axis?: number | readonly number[], options: VarianceOptions = {}): Tensor {
    return this.variance(axis, options).sqrt();
  }

  /**
   * The matrix product over the last two axes, batched over the others with
   * broadcasting (like `torch.matmul`): (…, n, k) · (…, k, m) → (…, n, m).
   * A 1-D operand is a vector: it gains an axis for the product, which is
   * then removed.
   */
  matmul(other: Tensor): Tensor {
    if (!(other instanceof Tensor)) throw notATensorError("matmul", "b", other);
    if (this.ndim === 0 || other.ndim === 0) {
      throw new Error(
        `matmul: expected tensors with at least 1 axis but found ${formatShape(this.shape)} and ${
          formatShape(other.shape)
        }`,
      );
    }
    const kThis = this.shape[this.ndim - 1]!;
    const kOther = other.ndim === 1 ? other.size : other.shape[other.ndim - 2]!;
    if (kThis !== kOther) {
      throw new Error(
        `matmul: expected the last axis of a ${formatShape(this.shape)} to equal the ${
          other.ndim === 1 ? "only" : "second-to-last"
        } axis of b ${formatShape(other.shape)} but found ${kThis} and ${kOther}`,
      );
    }
    if (this.ndim === 1 || other.ndim === 1) {
      // A vector gains an axis for the product, which is then removed (recorded as reshapes).
      const a = this.ndim === 1 ? this.reshape(1, this.size) : this;
      const b = other.ndim === 1 ? other.reshape(other.size, 1) : other;
      const product = a.matmul(b);
      const shape = product.shape.slice(0, -2);
      if (this.ndim > 1) shape.push(product.shape[product.ndim - 2]!);
      if (other.ndim > 1) shape.push(product.shape[product.ndim - 1]!);
      return product.reshape(shape);
    }
    const b = other;
    const n = this.shape[this.ndim - 2]!;
    const k = this.shape[this.ndim - 1]!;
    const m = b.shape[b.ndim - 1]!;
    const batchA = this.shape.slice(0, -2);
    const batchB = b.shape.slice(0, -2);
    const batchShape = broadcastShapes(batchA, batchB, "matmul");
    checkAllocation([...batchShape, n, m], promote(this.dtype, b.dtype), "matmul");
    const out = allocate(promote(this.dtype, b.dtype), sizeOf(batchShape) * n * m);
    matmulKernel(this.data, batchA, b.data, batchB, out, batchShape, n, k, m);
    const result = new Tensor(out, [...batchShape, n, m]);
    if (needsGrad(this, b)) {
      // d(AB): dA = dY · Bᵀ, dB = Aᵀ · dY (batch axes that broadcast are summed back by the tape).
      // The transposes are read in place by the kernel, never copied.
      record(result, "matmul", [this, b], (dy) => [
        this.requiresGrad ? matmulTransposed(dy, false, b, true) : null,
        b.requiresGrad ? matmulTransposed(this, true, dy, false) : null,
      ]);
    }
    return result;
  }

  /**
   * `softmax(x)ᵢ = exp(xᵢ − max x) / Σⱼ exp(xⱼ − max x)` along `axis`.
   *
   * Subtracting the maximum keeps every `exp` ≤ 1, so large scores cannot
   * overflow to Infinity. A slice that is entirely −Infinity (every key
   * masked) has no defined softmax: it gives zeros here, where PyTorch gives
   * NaN. A NaN in a slice makes that slice NaN.
   */
  softmax(axis = -1): Tensor {
    const dim = normalizeAxis(axis, this.ndim, "softmax", this.shape);
    const n = this.shape[dim]!;
    const inner = sizeOf(this.shape.slice(dim + 1));
    const outer = sizeOf(this.shape.slice(0, dim));
    const x = this.data;
    const out = allocate(this.dtype, this.size);
    const fast = this.dtype === "float32";
    if (inner === 1 && fast) {
      // The common case, the last axis of a float32 tensor: contiguous rows, the fast exp.
      for (let start = 0; start < out.length; start += n) softmaxRowFloat32(x, out, start, n);
      return this.#recordSoftmax(new Tensor(out, this.shape, TRUSTED), dim);
    }
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let max = -Infinity;
        for (let r = 0; r < n; r++) {
          const value = x[base + r * inner]!;
          if (value > max || value !== value) max = value;
        }
        if (max === -Infinity) continue; // every entry −∞: zeros (see above)
        let total = 0;
        for (let r = 0; r < n; r++) {
          // x − max ≤ 0: float32 results take the faster exp, exact to float32 (see _exp.ts).
          const argument = x[base + r * inner]! - max;
          const e = fast ? expNonPositive(argument) : Math.exp(argument);
          out[base + r * inner] = e;
          total += e;
        }
        const inverse = 1 / total;
        for (let r = 0; r < n; r++) out[base + r * inner]! *= inverse;
      }
    }
    return this.#recordSoftmax(new Tensor(out, this.shape, TRUSTED), dim);
  }

  /**
   * d softmax: `dx = y ⊙ (dy − Σ dy ⊙ y)` along the axis. A row with every
   * entry masked (y = 0) gets a zero gradient.
   */
  #recordSoftmax(y: Tensor, axis: number): Tensor {
    if (!needsGrad(this)) return y;
    return record(y, "softmax", [this], (dy) => {
      const weighted = dy.mul(y);
      return [weighted.sub(y.mul(weighted.sum(axis, { keepDims: true })))];
    });
  }

  /**
   * `value` where `mask` is 1 and `x` where it is 0, like PyTorch's
   * `masked_fill`. `mask` holds only 0s and 1s and either has the leading
   * axes of `x` — normlab's mask convention: a (B, T) mask fills whole
   * tokens of a (B, T, D) tensor — or broadcasts to the shape of `x` as in
   * NumPy (aligned on the right). A mask that fits both ways is read as
   * leading axes; give it trailing 1s or leading 1s to choose. With
   * normlab's padding masks (1 = real token) hide the padding with
   * `x.maskedFill(mask.eq(0), value)`.
   *
   * @example
   * ```ts
   * import { tensor } from "./tensor.ts";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * const x = tensor([[[1, 2], [3, 4]]]); // (B, T, D) = (1, 2, 2)
   * const mask = tensor([[1, 0]]); // (B, T): the second token is padding
   * deepStrictEqual(x.maskedFill(mask.eq(0), 0).toArray(), [[[1, 2], [0, 0]]]);
   * ```
   */
  maskedFill(mask: Tensor, value: number): Tensor {
    if (!(mask instanceof Tensor)) throw notATensorError("maskedFill", "mask", mask);
    if (typeof value !== "number") {
      throw new Error(
        `maskedFill: expected value to be a number but found ${describeValue(value)}`,
      );
    }
    const maskShape = maskedFillShape(this.shape, mask.shape);
    assertBinaryMask(mask, "maskedFill");
    const expanded = scratchArray(this.dtype, this.size);
    binaryKernel("add", expanded, this.shape, mask.data, maskShape, expanded, this.shape);
    const out = this.data.slice();
    for (let i = 0; i < out.length; i++) {
      if (expanded[i] === 1) out[i] = value;
    }
    const result = new Tensor(out, this.shape);
    // Filled positions no longer depend on x: their gradient is 0.
    if (needsGrad(this)) record(result, "maskedFill", [this], (dy) => [dy.maskedFill(mask, 0)]);
    return result;
  }

  /** The tensor printed like PyTorch: `tensor([[1.0000, 2.5000], …])`, abbreviated when large. */
  toString(): string {
    const body = formatTensorBody(this.data, this.shape, "tensor(".length);
    const suffix = this.dtype === "float64" ? ", dtype=float64" : "";
    return `tensor(${body}${suffix})`;
  }

  /** Tables in a Deno Jupyter notebook (one per batch item for 3-D) and the printout as text. */
  [JUPYTER_DISPLAY](): MimeBundle {
    return {
      "text/plain": this.toString(),
      "text/html": tensorToHtml(this.data, this.shape, this.dtype),
    };
  }

  #binary(op: BinaryOp, other: Tensor | number): Tensor {
    const y = typeof other === "number" ? scalar(other, this.dtype) : other;
    if (!(y instanceof Tensor)) {
      throw new Error(`${op}: expected a Tensor or a number but found ${describeValue(other)}`);
    }
    const shape = broadcastShapes(this.shape, y.shape, op);
    const size = sizeOf(shape);
    const dtype = promote(this.dtype, y.dtype);
    // Larger than both inputs (an outer broadcast): check that it can exist before allocating.
    if (size > this.size && size > y.size) checkAllocation(shape, dtype, op);
    const out = allocate(dtype, size);
    binaryKernel(op, this.data, this.shape, y.data, y.shape, out, shape);
    const result = new Tensor(out, shape, TRUSTED);
    if (op !== "eq" && needsGrad(this, y)) {
      record(result, op, [this, y], binaryVectorJacobianProduct(op, this, y, result));
    }
    return result;
  }

  #unary(op: UnaryOp): Tensor {
    const out = allocate(this.dtype, this.size);
    unaryKernel(op, this.data, out);
    const result = new Tensor(out, this.shape, TRUSTED);
    if (needsGrad(this)) record(result, op, [this], unaryVectorJacobianProduct(op, this, result));
    return result;
  }

  #reduce(
    op: ReduceOp,
    axis: number | readonly number[] | undefined,
    correction: number,
    keepDims: boolean,
  ): Tensor {
    const axes = normalizeAxes(axis, this.ndim, op, this.shape);
    const { values, keptShape } = reduceKernel(op, this.data, this.shape, axes, correction, op);
    const shape = keepDims ? keptShape : this.shape.filter((_, a) => !axes.includes(a));
    const out = allocate(this.dtype, values.length);
    out.set(values);
    const result = new Tensor(out, shape);
    if (needsGrad(this)) {
      const count = axes.reduce((product, a) => product * this.shape[a]!, 1);
      record(
        result,
        op,
        [this],
        reduceVectorJacobianProduct(
          op,
          this,
          result.detach().reshape(keptShape),
          axes,
          count,
          correction,
        ),
      );
    }
    return result;
  }
}

/**
 * Internal (not re-exported from mod.ts): `op(a) · op(b)` over the last two
 * axes with broadcast batch axes, where `op` transposes the last two axes
 * when its flag is set — without copying the transpose (the kernel reads it
 * in place). Not recorded on the tape: the backward passes use it.
 *
 * Shape: a (…, n, k) or with `transA` (…, k, n); b (…, k, m) or with
 * `transB` (…, m, k) → (…, n, m).
 */
export function matmulTransposed(a: Tensor, transA: boolean, b: Tensor, transB: boolean): Tensor {
  const rankA = a.ndim;
  const rankB = b.ndim;
  const n = a.shape[transA ? rankA - 1 : rankA - 2]!;
  const k = a.shape[transA ? rankA - 2 : rankA - 1]!;
  const m = b.shape[transB ? rankB - 2 : rankB - 1]!;
  const kOther = b.shape[transB ? rankB - 1 : rankB - 2]!;
  if (rankA < 2 || rankB < 2 || k !== kOther) {
    throw new Error(
      `matmul: expected op(a) (…, n, k) and op(b) (…, k, m) but found a ${formatShape(a.shape)}${
        transA ? "ᵀ" : ""
      } and b ${formatShape(b.shape)}${transB ? "ᵀ" : ""}`,
    );
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batchShape = broadcastShapes(batchA, batchB, "matmul");
  const dtype = promote(a.dtype, b.dtype);
  checkAllocation([...batchShape, n, m], dtype, "matmul");
  const out = allocate(dtype, sizeOf(batchShape) * n * m);
  matmulKernel(a.data, batchA, b.data, batchB, out, batchShape, n, k, m, transA, transB);
  return new Tensor(out, [...batchShape, n, m], TRUSTED);
}

/** softmax over x[start, start + n) into out, with the float32 exp; an all −∞ row stays 0. */
function softmaxRowFloat32(x: TypedArray, out: TypedArray, start: number, n: number): void {
  const end = start + n;
  let max = -Infinity;
  for (let i = start; i < end; i++) {
    const value = x[i]!;
    if (value > max || value !== value) max = value;
  }
  if (max === -Infinity) return;
  let total = 0;
  for (let i = start; i < end; i++) {
    const e = expNonPositive(x[i]! - max);
    out[i] = e;
    total += e;
  }
  const inverse = 1 / total;
  for (let i = start; i < end; i++) out[i]! *= inverse;
}

/**
 * The shape `maskedFill` reads its mask with: the mask's own shape followed
 * by 1s when it has the leading axes of x (normlab's mask convention), else
 * its own shape, which must then broadcast to x (NumPy's rule).
 */
function maskedFillShape(xShape: readonly number[], maskShape: readonly number[]): number[] {
  if (
    maskShape.length < xShape.length &&
    shapesEqual(maskShape, xShape.slice(0, maskShape.length))
  ) {
    return [...maskShape, ...new Array<number>(xShape.length - maskShape.length).fill(1)];
  }
  const shape = broadcastShapes(xShape, maskShape, "maskedFill");
  if (!shapesEqual(shape, xShape)) {
    throw new Error(
      `maskedFill: expected a mask with the leading axes of x or one that broadcasts to x ${
        formatShape(xShape)
      } but found ${formatShape(maskShape)}`,
    );
  }
  return [...maskShape];
}

/** A 0-D operand for a binary op: work memory, never returned. */
function scalar(value: number, dtype: DType): Tensor {
  const data = scratchArray(dtype, 1);
  data[0] = value;
  return new Tensor(data, []);
}

/** Throws unless every element of `mask` is 0 or 1, naming the operation. */
export function assertBinaryMask(mask: Tensor, operation: string): void {
  const data = mask.data;
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    if (value !== 0 && value !== 1) {
      throw new Error(
        `${operation}: expected a mask of 0s and 1s (1 = real token, 0 = padding) of shape ${
          formatShape(mask.shape)
        } but found ${value} at flat index ${i}`,
      );
    }
  }
}

/**
 * Makes a tensor from nested arrays, a number, or flat data with a `shape`.
 *
 * - nested arrays give their own shape; ragged ones throw;
 * - a flat array or typed array with `shape` is used as row-major data (a
 *   Float32Array for float32, or a Float64Array for float64, without a copy);
 * - the dtype defaults to float32 (float64 for a Float64Array).
 *
 * @example
 * ```ts
 * import { tensor } from "./tensor.ts";
 * import { deepStrictEqual, throws } from "node:assert/strict";
 *
 * const x = tensor([0.5, 1, 2, 4, 8, 16], { shape: [2, 3] });
 * deepStrictEqual(x.toArray(), [[0.5, 1, 2], [4, 8, 16]]);
 * deepStrictEqual(x.dtype, "float32");
 * throws(() => tensor([[1, 2], [3]]), /ragged/);
 * ```
 */
export function tensor(
  data: NestedArray | ArrayLike<number>,
  options: TensorOptions = {},
): Tensor {
  const result = tensorFromData(data, options);
  if (options.requiresGrad) result.requiresGrad = true;
  return result;
}

function tensorFromData(
  data: NestedArray | ArrayLike<number>,
  options: TensorOptions,
): Tensor {
  if (typeof data !== "number" && (typeof data !== "object" || data === null)) {
    throw new Error(
      `tensor: expected nested arrays of numbers, a number, or flat data with a shape but found ${
        describeValue(data)
      }`,
    );
  }
  const isTyped = data instanceof Float32Array || data instanceof Float64Array;
  const dtype: DType = options.dtype ?? (data instanceof Float64Array ? "float64" : "float32");
  checkDtype(dtype, "tensor");
  if (options.shape !== undefined) {
    assertValidShape(options.shape, "tensor");
    checkAllocation(options.shape, dtype, "tensor");
  }
  if (isTyped || (typeof data === "object" && !Array.isArray(data))) {
    // Flat data: a typed array or another array-like.
    const flat = data as ArrayLike<number>;
    const shape = options.shape ?? [flat.length];
    if (sizeOf(shape) !== flat.length) {
      throw new Error(
        `tensor: expected ${sizeOf(shape)} elements for shape ${
          formatShape(shape)
        } but found ${flat.length}`,
      );
    }
    if (isTyped && dtypeOf(flat as TypedArray) === dtype) {
      return new Tensor(flat as TypedArray, shape);
    }
    const out = allocate(dtype, flat.length);
    for (let i = 0; i < flat.length; i++) {
      const value = flat[i];
      if (typeof value !== "number") {
        throw new Error(`tensor: expected numbers but found ${typeof value} at index ${i}`);
      }
      out[i] = value;
    }
    return new Tensor(out, shape);
  }
  const nested = data as NestedArray;
  const naturalShape = nestedShape(nested, "tensor");
  const out = allocate(dtype, sizeOf(naturalShape));
  flattenInto(nested, out);
  if (options.shape === undefined) return new Tensor(out, naturalShape);
  if (sizeOf(options.shape) !== out.length) {
    throw new Error(
      `tensor: expected ${sizeOf(options.shape)} elements for shape ${
        formatShape(options.shape)
      } but found ${out.length} (nested shape ${formatShape(naturalShape)})`,
    );
  }
  return new Tensor(out, options.shape);
}

/**
 * The VJPs of the broadcasting binary operations (the tape sums broadcast
 * axes back): d(a + b) = (dy, dy); d(a − b) = (dy, −dy); d(a·b) = (dy·b, dy·a);
 * d(a / b) = (dy / b, −dy · y / b); maximum and minimum send dy to the selected
 * operand and split it in half on ties, as PyTorch does.
 */
function binaryVectorJacobianProduct(
  op: BinaryOp,
  a: Tensor,
  b: Tensor,
  y: Tensor,
): VectorJacobianProduct {
  switch (op) {
    case "add":
      return (dy) => [dy, dy];
    case "sub":
      return (dy) => [dy, b.requiresGrad ? dy.neg() : null];
    case "mul":
      return (dy) => [a.requiresGrad ? dy.mul(b) : null, b.requiresGrad ? dy.mul(a) : null];
    case "div": {
      const output = y.detach();
      return (dy) => [
        a.requiresGrad ? dy.div(b) : null,
        b.requiresGrad ? dy.mul(output).div(b).neg() : null,
      ];
    }
    case "maximum":
    case "minimum": {
      const output = y.detach();
      return (dy) => {
        const selectedA = a.eq(output);
        const selectedB = b.eq(output);
        // 1 / (number of operands equal to the result), 0 where neither is (NaN).
        const share = selectedA.add(selectedB).maximum(1);
        return [
          a.requiresGrad ? dy.mul(selectedA).div(share) : null,
          b.requiresGrad ? dy.mul(selectedB).div(share) : null,
        ];
      };
    }
    case "eq":
      throw new Error("eq: has no gradient");
  }
}

/**
 * The VJPs of the unary maps: d(−x) = −dy; d√x = dy / (2√x); d eˣ = dy · eˣ;
 * d ln x = dy / x; d x² = 2x · dy; d|x| = sign(x) · dy (0 at 0, as in PyTorch).
 */
function unaryVectorJacobianProduct(op: UnaryOp, x: Tensor, y: Tensor): VectorJacobianProduct {
  const output = y.detach();
  switch (op) {
    case "neg":
      return (dy) => [dy.neg()];
    case "sqrt":
      return (dy) => [dy.div(output.mul(2))];
    case "exp":
      return (dy) => [dy.mul(output)];
    case "log":
      return (dy) => [dy.div(x)];
    case "square":
      return (dy) => [dy.mul(x).mul(2)];
    case "abs":
      return (dy) => [dy.mul(signOf(x))];
  }
}

/**
 * The VJPs of the reductions, with `reduced` the result with its reduced axes
 * kept as 1: d Σx = dy broadcast back; d mean = dy / n; d variance =
 * dy · 2(x − mean) / (n − correction); max and min send dy to the elements
 * equal to the result, split evenly between ties (PyTorch's `amax`).
 */
function reduceVectorJacobianProduct(
  op: ReduceOp,
  x: Tensor,
  reduced: Tensor,
  axes: readonly number[],
  count: number,
  correction: number,
): VectorJacobianProduct {
  const keptShape = reduced.shape;
  switch (op) {
    case "sum":
      return (dy) => [broadcastTo(dy.reshape(keptShape), x.shape)];
    case "mean":
      return (dy) => [broadcastTo(dy.reshape(keptShape).div(count), x.shape)];
    case "variance":
      return (dy) => {
        const centred = x.detach().sub(x.detach().mean(axes, { keepDims: true }));
        return [centred.mul(dy.reshape(keptShape).mul(2 / (count - correction)))];
      };
    case "max":
    case "min":
      return (dy) => {
        const selected = x.detach().eq(reduced);
        const ties = selected.sum(axes, { keepDims: true });
        return [selected.mul(dy.reshape(keptShape).div(ties))];
      };
  }
}

/** `t` repeated along its broadcast axes to `shape` (a new tensor). */
function broadcastTo(t: Tensor, shape: readonly number[]): Tensor {
  const out = allocate(t.dtype, sizeOf(shape));
  const zero = allocate(t.dtype, 1);
  binaryKernel("add", t.data, t.shape, zero, [], out, shape);
  return new Tensor(out, shape, TRUSTED);
}

/** sign(x): −1, 0 or 1 per element (NaN stays NaN). */
function signOf(x: Tensor): Tensor {
  const source = x.data;
  const out = allocate(x.dtype, x.size);
  for (let i = 0; i < source.length; i++) {
    const value = source[i]!;
    out[i] = value > 0 ? 1 : value < 0 ? -1 : value;
  }
  return new Tensor(out, x.shape, TRUSTED);
}
