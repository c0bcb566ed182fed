/**
 * Reverse-mode automatic differentiation, with PyTorch's semantics: the
 * tape, the rule that accumulates gradients, and `noGrad`.
 *
 * An operation whose inputs require a gradient records one {@linkcode GradNode}
 * on its output: the inputs, and a vector-Jacobian product (VJP) that maps
 * ∂L/∂output to ∂L/∂input for each input. The VJP is defined next to the
 * operation's forward pass (in `tensor.ts` for the Tensor methods, beside each
 * function elsewhere). `backward` visits the nodes in reverse topological
 * order, sums the gradients that reach each tensor, undoes broadcasting with
 * one `sumToShape`, and adds the result into every leaf's `grad`.
 *
 * When no input requires a gradient — or inside {@linkcode noGrad} — nothing is
 * recorded and no closure is made: the check is a couple of property reads.
 *
 * @module
 */
import { recycle, trackAllocations } from "./_dtype.ts";
import { formatShape, shapesEqual } from "./_shape.ts";
import type { Tensor } from "./tensor.ts";

/**
 * The vector-Jacobian product of one operation: given ∂L/∂output, the
 * gradient for each recorded input in order (`null` where none flows, e.g.
 * for a mask). A gradient may have the broadcast shape of the output; the
 * engine sums it back to the input's shape.
 */
export type VectorJacobianProduct = (gradOutput: Tensor) => readonly (Tensor | null)[];

/** The record of one differentiable operation on the tape (PyTorch's `grad_fn`). */
export class GradNode {
  /** The operation's name, for error messages (`"matmul"`, `"layerNorm"`). */
  readonly name: string;
  /** The inputs whose gradients the VJP returns, in order. */
  readonly inputs: readonly Tensor[];
  /**
   * Every tensor the operation read (differentiable or not: a constant weight
   * the VJP multiplies by matters as much), with its version when the
   * operation ran; a later in-place change is an error in `backward`.
   */
  readonly saved: readonly Tensor[];
  /** The versions of `saved`, in order. */
  readonly versions: readonly number[];
  /** The VJP; `null` once a `backward` without `retainGraph` has freed it. */
  vectorJacobianProduct: VectorJacobianProduct | null;

  /** Records `name` over `inputs` (and the other tensors it read, `saved`) with its VJP. */
  constructor(
    name: string,
    inputs: readonly Tensor[],
    vjp: VectorJacobianProduct,
    saved: readonly Tensor[] = inputs,
  ) {
    this.name = name;
    this.inputs = inputs;
    this.saved = saved;
    this.versions = saved.map((tensor) => tensor.version);
    this.vectorJacobianProduct = vjp;
  }
}

/** Internal (never re-exported): the Tensor method that sets its grad node. */
export const ATTACH_GRAD_NODE: unique symbol = Symbol("normlab.attachGradNode") as never;
/** Internal (never re-exported): the Tensor method that adds into a leaf's `grad`. */
export const ACCUMULATE_GRAD: unique symbol = Symbol("normlab.accumulateGrad") as never;

let gradEnabled = true;

/** Whether operations currently record gradients (false inside {@linkcode noGrad}). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` without recording gradients (PyTorch's `torch.no_grad()`): its
 * results never require a gradient. For an async `fn`, recording stays off
 * until its promise settles.
 *
 * @example
 * ```ts
 * import { noGrad } from "./autograd.ts";
 * import { tensor } from "./tensor.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const w = tensor([1, 2], { requiresGrad: true });
 * strictEqual(w.mul(2).requiresGrad, true);
 * strictEqual(noGrad(() => w.mul(2)).requiresGrad, false);
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  let result: T;
  try {
    result = fn();
  } catch (error) {
    gradEnabled = previous;
    throw error;
  }
  if (result instanceof Promise) {
    return result.finally(() => {
      gradEnabled = previous;
    }) as T;
  }
  gradEnabled = previous;
  return result;
}

/**
 * Whether an operation on these inputs must be recorded: recording is on and
 * at least one input requires a gradient. Call it before making a VJP closure.
 */
export function needsGrad(
  a: Tensor | null | undefined,
  b?: Tensor | null,
  c?: Tensor | null,
  d?: Tensor | null,
): boolean {
  return gradEnabled && (
    (a?.requiresGrad ?? false) || (b?.requiresGrad ?? false) || (c?.requiresGrad ?? false) ||
    (d?.requiresGrad ?? false)
  );
}

/** Whether recording is on and any of `inputs` requires a gradient. */
export function anyNeedsGrad(inputs: readonly (Tensor | null | undefined)[]): boolean {
  if (!gradEnabled) return false;
  for (const input of inputs) if (input?.requiresGrad) return true;
  return false;
}

/** Internal (bench/step.ts's profile): told the name of each operation as it is recorded. */
let recordListener: ((name: string) => void) | null = null;

/**
 * Internal, for profiling (bench/step.ts): calls `listener` with each
 * operation's name as `record` attaches it (right after the operation's
 * forward pass), or stops with `null`. Returns the previous listener.
 */
export function setRecordListener(
  listener: ((name: string) => void) | null,
): ((name: string) => void) | null {
  const previous = recordListener;
  recordListener = listener;
  return previous;
}

/**
 * Attaches `vjp` to `output` as the operation `name` over `inputs` (only the
 * ones that may need a gradient; pass `null` for masks and ids) and returns
 * `output`. The caller has checked {@linkcode needsGrad}.
 */
export function record(
  output: Tensor,
  name: string,
  inputs: readonly (Tensor | null)[],
  vjp: VectorJacobianProduct,
): Tensor {
  const differentiable: Tensor[] = [];
  const positions: number[] = [];
  const saved: Tensor[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i];
    if (input == null) continue;
    saved.push(input);
    if (input.requiresGrad) {
      differentiable.push(input);
      positions.push(i);
    }
  }
  const select: VectorJacobianProduct = positions.length === inputs.length ? vjp : (gradOutput) => {
    const all = vjp(gradOutput);
    return positions.map((position) => all[position] ?? null);
  };
  output[ATTACH_GRAD_NODE](new GradNode(name, differentiable, select, saved));
  if (recordListener !== null) recordListener(name);
  return output;
}

/**
 * ∂L/∂x summed back to `shape` after broadcasting: leading axes that
 * broadcasting added are summed away, and axes of extent 1 in `shape` are
 * summed with their extent kept.
 */
export function sumToShape(gradient: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(gradient.shape, shape)) return gradient;
  const lead = gradient.ndim - shape.length;
  const axes: number[] = [];
  for (let axis = 0; axis < gradient.ndim; axis++) {
    if (axis < lead || (shape[axis - lead] === 1 && gradient.shape[axis] !== 1)) axes.push(axis);
  }
  const summed = axes.length === 0 ? gradient : gradient.sum(axes, { keepDims: true });
  return summed.reshape(shape);
}

/**
 * Propagates `gradient` (∂L/∂root, shaped like `root`) back through the
 * recorded graph into every reachable leaf's `grad`. The graph is freed
 * afterwards unless `retainGraph`.
 */
export function runBackward(root: Tensor, gradient: Tensor, retainGraph: boolean): void {
  const order = topologicalOrder(root);
  const pending = new Map<Tensor, Tensor>();
  pending.set(root, gradient);
  // Gradient storage that dies here is recycled: an array `allocate` made during this pass
  // (so no forward tensor, leaf or caller holds it) once no pending gradient uses its buffer.
  // Views (reshape) share a buffer, and a VJP may pass dy on unchanged (add), so pending
  // gradients are counted per buffer.
  const allocations = trackAllocations();
  const uses = new Map<ArrayBufferLike, number>();
  const hold = (t: Tensor) => uses.set(t.data.buffer, (uses.get(t.data.buffer) ?? 0) + 1);
  const release = (t: Tensor) => {
    const left = (uses.get(t.data.buffer) ?? 0) - 1;
    if (left > 0) {
      uses.set(t.data.buffer, left);
      return;
    }
    uses.delete(t.data.buffer);
    if (allocations.isTracked(t.data)) recycle(t.data);
  };
  /** Whether `t`'s storage is a whole buffer made during this pass that only `t` uses. */
  const owns = (t: Tensor) =>
    allocations.isTracked(t.data) && uses.get(t.data.buffer) === 1 && t.data.byteOffset === 0 &&
    t.data.byteLength === t.data.buffer.byteLength;
  hold(gradient);
  const previous = gradEnabled;
  gradEnabled = false; // gradients of gradients are not recorded (no create_graph)
  try {
    for (const tensor of order) {
      const gradOutput = pending.get(tensor);
      if (gradOutput === undefined) continue;
      pending.delete(tensor);
      const node = tensor.gradFn;
      if (node === null) {
        if (tensor.requiresGrad && tensor.grad === null && owns(gradOutput)) {
          // The leaf's first gradient, made during this pass and held by nothing else: it
          // becomes grad as it is (no copy), and is no longer this pass's to recycle.
          tensor[ACCUMULATE_GRAD](gradOutput, true);
          uses.delete(gradOutput.data.buffer);
          continue;
        }
        if (tensor.requiresGrad) tensor[ACCUMULATE_GRAD](gradOutput); // copies: dy is free after
        release(gradOutput);
        continue;
      }
      const vjp = node.vectorJacobianProduct;
      if (vjp === null) {
        throw new Error(
          `backward: the graph through ${node.name} was freed by an earlier backward(); pass ` +
            `{ retainGraph: true } to the first backward() to go through it again`,
        );
      }
      for (let i = 0; i < node.saved.length; i++) {
        const input = node.saved[i]!;
        if (input.version !== node.versions[i]) {
          throw new Error(
            `backward: an input of ${node.name} with shape ${
              formatShape(input.shape)
            } was modified in place after ${node.name} used it (version ${input.version}, ` +
              `expected ${node.versions[i]}); its gradient would be wrong`,
          );
        }
      }
      const inputGrads = vjp(gradOutput);
      if (!retainGraph) node.vectorJacobianProduct = null;
      // Everything a VJP returned, to release once it is stored or summed.
      const transient: Tensor[] = [];
      for (let i = 0; i < node.inputs.length; i++) {
        const input = node.inputs[i]!;
        const raw = inputGrads[i];
        if (raw == null) continue;
        let inputGrad = sumToShape(raw, input.shape);
        if (inputGrad.dtype !== input.dtype) inputGrad = inputGrad.astype(input.dtype);
        const existing = pending.get(input);
        const stored = existing === undefined ? inputGrad : existing.add(inputGrad);
        pending.set(input, stored);
        hold(stored);
        if (existing !== undefined) release(existing);
        transient.push(raw, inputGrad);
      }
      // Held once more while the transients are released, so that none of them frees it.
      hold(gradOutput);
      for (const t of transient) {
        hold(t);
        release(t);
      }
      release(gradOutput);
      release(gradOutput);
    }
  } finally {
    gradEnabled = previous;
    allocations.stop();
  }
}

/** The tensors reachable from `root` through grad nodes, each after every tensor that uses it. */
function topologicalOrder(root: Tensor): Tensor[] {
  const postOrder: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative depth-first search: a deep graph (many layers × steps) must not overflow the stack.
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [tensor, next] = top;
    const inputs = tensor.gradFn?.inputs ?? [];
    if (next < inputs.length) {
      top[1] = next + 1;
      const input = inputs[next]!;
      if (!visited.has(input)) {
        visited.add(input);
        stack.push([input, 0]);
      }
    } else {
      stack.pop();
      postOrder.push(tensor);
    }
  }
  return postOrder.reverse();
}
