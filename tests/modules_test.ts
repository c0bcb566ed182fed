/**
 * normlab's modules against PyTorch (tests/fixtures/modules.json and
 * tests/fixtures/modules/*.safetensors, written by
 * tests/fixtures/generate_modules.py with Debian's PyTorch 1.13): the encoder
 * layer against torch.nn.TransformerEncoderLayer itself, and the classifier
 * with every norm × normFirst — outputs, the loss, every parameter's
 * gradient, running statistics after one step, eval-mode outputs.
 */
import { deepStrictEqual, ok, throws } from "node:assert/strict";
import {
  crossEntropy,
  loadSafetensors,
  type NormKind,
  Tensor,
  tensor,
  TransformerClassifier,
  TransformerEncoderLayer,
} from "../mod.ts";

// deno-lint-ignore no-explicit-any
type Case = Record<string, any>;
const fixture = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/modules.json", import.meta.url)),
) as { encoderLayers: Case[]; classifiers: Case[] };

const FORWARD = 1e-5;
const GRADIENT = 1e-4;
const worst: Record<string, number> = {};

/** Max |a − e| / max(1, max |e|): absolute for small values, relative for large ones. */
function scaledDeviation(actual: Tensor, expected: readonly number[]): number {
  if (actual.size !== expected.length) {
    throw new Error(`size mismatch: ${actual.size} vs ${expected.length}`);
  }
  let scale = 1;
  for (const value of expected) scale = Math.max(scale, Math.abs(value));
  let deviation = 0;
  for (let i = 0; i < expected.length; i++) {
    const difference = Math.abs(actual.data[i]! - expected[i]!);
    if (!(difference <= deviation)) deviation = difference;
  }
  return deviation / scale;
}

function check(label: string, actual: Tensor, expected: readonly number[], tolerance: number) {
  const deviation = scaledDeviation(actual, expected);
  const kind = label.split(" ")[0]!;
  worst[kind] = Math.max(worst[kind] ?? 0, deviation);
  ok(deviation <= tolerance, `${label}: deviation ${deviation} exceeds ${tolerance}`);
}

const fromJson = (entry: { shape: number[]; data: number[] }) =>
  tensor(entry.data, { shape: entry.shape });

Deno.test("TransformerEncoderLayer equals torch.nn.TransformerEncoderLayer(batch_first=True)", () => {
  for (const c of fixture.encoderLayers) {
    const label = `${c.normFirst ? "pre" : "post"}-norm ${c.activation}`;
    const layer = new TransformerEncoderLayer(c.dModel, c.numHeads, {
      dimFeedforward: c.dimFeedforward,
      dropout: 0,
      activation: c.activation,
      normFirst: c.normFirst,
      norm: "layer",
    });
    const state: Record<string, Tensor> = {};
    for (const [key, value] of Object.entries(c.state)) state[key] = fromJson(value as Case["x"]);
    layer.loadStateDict(state);
    const x = fromJson(c.x);
    x.requiresGrad = true;
    const y = layer.forward(x, { mask: fromJson(c.mask) });
    check(`forward ${label}`, y, c.output, FORWARD);
    y.backward(tensor(c.upstream, { shape: y.shape }));
    check(`gradient ${label} x`, x.grad!, c.inputGrad, GRADIENT);
    for (const [name, parameter] of layer.namedParameters()) {
      check(`gradient ${label} ${name}`, parameter.grad!, c.grads[name], GRADIENT);
    }
  }
});

Deno.test("TransformerClassifier matches PyTorch for every norm × normFirst", async () => {
  for (const c of fixture.classifiers) {
    const model = new TransformerClassifier({
      ...c.config,
      norm: c.norm as NormKind,
      normFirst: c.normFirst,
      dropout: 0,
    });
    deepStrictEqual(Object.keys(model.stateDict()), c.keys, `${c.name}: state-dict keys`);
    model.loadStateDict(
      await loadSafetensors(new URL(`./fixtures/modules/${c.name}.safetensors`, import.meta.url)),
    );
    const ids = tensor(c.ids);
    const logits = model.forward(ids);
    check(`forward ${c.name} train-mode logits`, logits, c.trainLogits, FORWARD);
    const loss = crossEntropy(logits, c.labels);
    check(`forward ${c.name} loss`, loss, [c.loss], FORWARD);
    loss.backward();
    for (const [name, parameter] of model.namedParameters()) {
      ok(parameter.grad !== null, `${c.name}: ${name} has no gradient`);
      check(`gradient ${c.name} ${name}`, parameter.grad, c.grads[name], GRADIENT);
    }
    const state = model.stateDict();
    for (const [name, values] of Object.entries(c.buffersAfterStep)) {
      check(`buffer ${c.name} ${name}`, state[name]!, values as number[], FORWARD);
    }
    model.eval();
    check(`forward ${c.name} eval-mode logits`, model.forward(ids), c.evalLogits, FORWARD);
  }
  console.log("worst scaled deviation from PyTorch:", worst);
});

Deno.test("loadStateDict names every missing key, unexpected key and shape mismatch", () => {
  const model = new TransformerClassifier({ vocabSize: 10, dModel: 4, numHeads: 1, numLayers: 1 });
  const state = model.stateDict();
  delete state["head.bias"];
  delete state["layers.0.norm1.weight"];
  state["extra.weight"] = tensor([1]);
  state["embedding.weight"] = tensor([[1, 2]]);
  throws(
    () => model.loadStateDict(state),
    (error: Error) =>
      /missing keys: layers\.0\.norm1\.weight, head\.bias/.test(error.message) &&
      /unexpected keys: extra\.weight/.test(error.message) &&
      /embedding\.weight: expected \[10, 4\] but found \[1, 2\]/.test(error.message),
  );
  // Not strict: missing and unexpected keys are fine, shapes still are checked.
  const partial = { "head.bias": tensor([0.5, -0.5]), "other": tensor([1]) };
  model.loadStateDict(partial, { strict: false });
  deepStrictEqual(Array.from(model.head.bias!.data), [0.5, -0.5]);
});

Deno.test("loadStateDict copies into the existing tensors (an optimiser made before keeps them)", () => {
  const model = new TransformerClassifier({ vocabSize: 10, dModel: 4, numHeads: 1, numLayers: 1 });
  const before = model.parameters();
  const other = new TransformerClassifier({
    vocabSize: 10,
    dModel: 4,
    numHeads: 1,
    numLayers: 1,
    seed: 9,
  });
  model.loadStateDict(other.stateDict());
  const after = model.parameters();
  ok(before.every((t, i) => t === after[i]));
  deepStrictEqual(Array.from(model.head.weight.data), Array.from(other.head.weight.data));
});
