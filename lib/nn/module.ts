/**
 * `Module`: the base of every layer, with PyTorch's parameter naming,
 * state dicts and train/eval modes.
 *
 * @module
 */
import { formatShape, shapesEqual } from "../_shape.ts";
import { tableToHtml, tableToText } from "../_table_html.ts";
import { JUPYTER_DISPLAY, type MimeBundle } from "../jupyter.ts";
import { Tensor } from "../tensor.ts";

/** What a registered name holds. */
type EntryKind = "parameter" | "buffer" | "module" | "moduleList";

interface Entry {
  /** The field of the module that holds the value (read at each call, so reassignment works). */
  property: string;
  kind: EntryKind;
}

/** Options for {@linkcode Module.loadStateDict}. */
export interface LoadStateDictOptions {
  /**
   * Throw on missing and unexpected keys (shape mismatches always throw).
   * @default {true}
   */
  strict?: boolean;
}

/**
 * The base of every layer. A module registers its parameters (learnable
 * Tensors), buffers (state such as BatchNorm's running statistics) and
 * submodules under PyTorch's names, so `namedParameters()` and `stateDict()`
 * give keys like `layers.0.self_attn.in_proj_weight` and weights move to and
 * from PyTorch unchanged. Registration records which field holds each value;
 * the field is read at each call, so `layer.weight = …` is seen.
 *
 * @example
 * ```ts
 * import { Module } from "./module.ts";
 * import { tensor, type Tensor } from "../tensor.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * class Scale extends Module {
 *   weight: Tensor = tensor([1, 1], { requiresGrad: true });
 *   constructor() {
 *     super();
 *     this.registerParameter("weight");
 *   }
 * }
 * class Pair extends Module {
 *   first = new Scale();
 *   second = new Scale();
 *   constructor() {
 *     super();
 *     this.registerModule("first");
 *     this.registerModule("second");
 *   }
 * }
 * deepStrictEqual(new Pair().namedParameters().map(([name]) => name), ["first.weight", "second.weight"]);
 * ```
 */
export class Module {
  /** Whether the module is in training mode (the default); see {@linkcode Module.train}. */
  training = true;
  readonly #entries = new Map<string, Entry>();

  /**
   * Registers the field `property` (default: `name`) as a learnable parameter
   * under the state-dict key `name`. The field may hold `null` (an absent
   * bias); a Tensor there must require a gradient.
   */
  protected registerParameter(name: string, property: string = name): void {
    this.#register(name, property, "parameter");
  }

  /** Registers the field `property` as a buffer (saved in the state dict, not learned). */
  protected registerBuffer(name: string, property: string = name): void {
    this.#register(name, property, "buffer");
  }

  /** Registers the field `property` as a submodule, or an array of them (`layers.0`, …). */
  protected registerModule(name: string, property: string = name): void {
    const value = Reflect.get(this, property);
    this.#register(name, property, Array.isArray(value) ? "moduleList" : "module");
  }

  #register(name: string, property: string, kind: EntryKind): void {
    if (this.#entries.has(name)) {
      throw new Error(`${this.constructor.name}: the name ${name} is registered twice`);
    }
    this.#entries.set(name, { property, kind });
  }

  /** Sets training mode (evaluation mode with `false`) here and in every submodule; returns this. */
  train(mode = true): this {
    this.training = mode;
    for (const [, child] of this.namedChildren()) child.train(mode);
    return this;
  }

  /** Sets evaluation mode (`train(false)`); returns this. */
  eval(): this {
    return this.train(false);
  }

  /** The direct submodules with their names, in registration order. */
  namedChildren(): [string, Module][] {
    const children: [string, Module][] = [];
    for (const [name, entry] of this.#entries) {
      const value = Reflect.get(this, entry.property);
      if (entry.kind === "module" && value instanceof Module) children.push([name, value]);
      if (entry.kind === "moduleList" && Array.isArray(value)) {
        value.forEach((child, i) => {
          if (child instanceof Module) children.push([`${name}.${i}`, child]);
        });
      }
    }
    return children;
  }

  /** Every submodule below this one (not this one), with dotted names, depth first. */
  namedModules(prefix = ""): [string, Module][] {
    const modules: [string, Module][] = [];
    for (const [name, child] of this.namedChildren()) {
      const full = prefix + name;
      modules.push([full, child]);
      modules.push(...child.namedModules(`${full}.`));
    }
    return modules;
  }

  /** The learnable parameters with dotted PyTorch names: `[["linear1.weight", t], …]`. */
  namedParameters(): [string, Tensor][] {
    return this.#collect(["parameter"], "", new Set());
  }

  /** The buffers (e.g. `norm1.running_mean`) with dotted names. */
  namedBuffers(): [string, Tensor][] {
    return this.#collect(["buffer"], "", new Set());
  }

  /** The learnable parameters, each once (for an optimiser). */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  #collect(
    kinds: readonly EntryKind[],
    prefix: string,
    seen: Set<Tensor>,
  ): [string, Tensor][] {
    const found: [string, Tensor][] = [];
    for (const kind of kinds) found.push(...this.#own(kind, prefix, seen));
    for (const [name, child] of this.namedChildren()) {
      found.push(...child.#collect(kinds, `${prefix}${name}.`, seen));
    }
    return found;
  }

  #own(kind: EntryKind, prefix: string, seen: Set<Tensor>): [string, Tensor][] {
    const found: [string, Tensor][] = [];
    for (const [name, entry] of this.#entries) {
      if (entry.kind !== kind) continue;
      const value = Reflect.get(this, entry.property);
      if (value === null || value === undefined) continue;
      if (!(value instanceof Tensor)) {
        throw new Error(
          `${this.constructor.name}: expected ${prefix}${name} to be a Tensor or null but found ${typeof value}`,
        );
      }
      if (seen.has(value)) continue; // shared (tied) tensors are listed once, as in PyTorch
      seen.add(value);
      found.push([prefix + name, value]);
    }
    return found;
  }

  /**
   * Parameters and buffers by dotted name, as a plain object of Tensors that
   * share storage with the module (PyTorch's `state_dict()`; detached).
   */
  stateDict(): Record<string, Tensor> {
    const state: Record<string, Tensor> = {};
    for (const [name, value] of this.#stateEntries()) state[name] = value.detach();
    return state;
  }

  /** PyTorch's order: each module's parameters, then its buffers, then its children. */
  #stateEntries(): [string, Tensor][] {
    return this.#collect(["parameter", "buffer"], "", new Set());
  }

  /**
   * Copies `state` into this module's parameters and buffers (in place, so an
   * optimiser made before keeps working). Every problem is reported in one
   * error: missing keys, unexpected keys (both only when `strict`) and shape
   * mismatches (always). Values are converted to each tensor's dtype.
   */
  loadStateDict(state: Record<string, Tensor>, options: LoadStateDictOptions = {}): void {
    const strict = options.strict ?? true;
    const expected = this.#stateEntries();
    const expectedNames = new Set(expected.map(([name]) => name));
    const missing: string[] = [];
    const mismatched: string[] = [];
    for (const [name, target] of expected) {
      const source = Object.hasOwn(state, name) ? state[name] : undefined;
      if (source === undefined) {
        missing.push(name);
      } else if (!(source instanceof Tensor) || !sameShape(source.shape, target.shape)) {
        mismatched.push(
          `${name}: expected ${formatShape(target.shape)} but found ${
            source instanceof Tensor ? formatShape(source.shape) : typeof source
          }`,
        );
      }
    }
    const unexpected = Object.keys(state).filter((name) => !expectedNames.has(name));
    const problems: string[] = [];
    if (strict && missing.length > 0) problems.push(`missing keys: ${missing.join(", ")}`);
    if (strict && unexpected.length > 0) problems.push(`unexpected keys: ${unexpected.join(", ")}`);
    if (mismatched.length > 0) problems.push(`shape mismatches: ${mismatched.join("; ")}`);
    if (problems.length > 0) {
      throw new Error(`loadStateDict: ${this.constructor.name} ${problems.join("; ")}`);
    }
    for (const [name, target] of expected) {
      const source = Object.hasOwn(state, name) ? state[name] : undefined;
      if (source === undefined) continue;
      target.data.set(source.data);
      target.markModified();
    }
  }

  /** Clears every parameter's gradient (sets it to `null`). */
  zeroGrad(): void {
    for (const parameter of this.parameters()) parameter.grad = null;
  }

  /** The number of learnable values (the sum of the parameters' sizes). */
  parameterCount(): number {
    return this.parameters().reduce((total, t) => total + t.size, 0);
  }

  /** One row per parameter and buffer: name, kind, shape and size. */
  summary(): { name: string; kind: string; shape: string; count: number }[] {
    const rows = this.namedParameters().map(([name, t]) => ({
      name,
      kind: "parameter",
      shape: formatShape(t.shape),
      count: t.size,
    }));
    for (const [name, t] of this.namedBuffers()) {
      rows.push({ name, kind: "buffer", shape: formatShape(t.shape), count: t.size });
    }
    return rows;
  }

  /** `ClassName(…parameters…)` with its parameter count, like `print(model)`. */
  toString(): string {
    return `${this.constructor.name} with ${this.parameterCount()} parameters\n${
      tableToText(this.summary())
    }`;
  }

  /** A table of the parameters (name, shape, count) and the total, in a notebook. */
  [JUPYTER_DISPLAY](): MimeBundle {
    return {
      "text/plain": this.toString(),
      "text/html": tableToHtml(
        this.summary(),
        `${this.constructor.name}: ${this.parameterCount().toLocaleString("en")} parameters`,
      ),
    };
  }
}

/** Shapes equal, treating a one-element tensor and a scalar as the same (as PyTorch's buffers). */
function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (shapesEqual(a, b)) return true;
  const size = (shape: readonly number[]) => shape.reduce((p, e) => p * e, 1);
  return a.length <= 1 && b.length <= 1 && size(a) === 1 && size(b) === 1;
}
