/**
 * The classifier's packed forward pass (lib/nn/_packed_forward.ts) gives the
 * padded path's logits and gradients, and is taken exactly when it may be.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import fc from "fast-check";
import {
  crossEntropy,
  Embedding,
  type NormKind,
  randn,
  type Tensor,
  tensor,
  TransformerClassifier,
} from "../mod.ts";
import { setRecordListener } from "../lib/autograd.ts";
import { packingOf } from "../lib/nn/_packed_attention.ts";
import { packedMeanPool, unpackRows } from "../lib/nn/_packed_forward.ts";
import { maxDeviation } from "./_helpers.ts";

interface Case {
  norm: NormKind;
  normFirst: boolean;
  activation: "relu" | "gelu";
  training: boolean;
  /** The model width (default 8); 32 puts every product and softmax on the SIMD kernels. */
  dModel?: number;
  /** Dropout in the layers and on the attention weights (default 0). */
  dropout?: number;
}

function model(c: Case): TransformerClassifier {
  const dModel = c.dModel ?? 8;
  const m = new TransformerClassifier({
    vocabSize: 30,
    dModel,
    numHeads: 2,
    numLayers: 2,
    dimFeedforward: 2 * dModel,
    maxLength: 48,
    norm: c.norm,
    normFirst: c.normFirst,
    activation: c.activation,
    dropout: c.dropout ?? 0,
    seed: 7,
  });
  m.train(c.training);
  return m;
}

/** The same model forced onto the padded path: a replaced forward is never packed. */
function paddedTwin(c: Case): TransformerClassifier {
  const m = model(c);
  const original = Embedding.prototype.forward;
  m.embedding.forward = function (this: Embedding, ids) {
    return original.call(this, ids);
  };
  return m;
}

/** Operation names recorded by one forward pass. */
function recorded(fn: () => unknown): string[] {
  const names: string[] = [];
  const previous = setRecordListener((name) => names.push(name));
  try {
    fn();
  } finally {
    setRecordListener(previous);
  }
  return names;
}

/** Ids (B, T) with rows of `lengths` real tokens; `holes` puts padding inside a row too. */
function batch(lengths: number[], T: number, holes: boolean): { ids: Tensor; mask: Tensor } {
  const ids = lengths.map((length, b) =>
    Array.from({ length: T }, (_, t) => t < length ? 2 + (b * 7 + t * 3) % 27 : 0)
  );
  if (holes) ids[0]![1] = 0; // padding between real tokens: the mask is not a prefix
  const mask = ids.map((row) => row.map((id) => id === 0 ? 0 : 1));
  return { ids: tensor(ids), mask: tensor(mask) };
}

function compare(c: Case, lengths: number[], T: number, holes: boolean): void {
  const packed = model(c);
  const padded = paddedTwin(c);
  const { ids, mask } = batch(lengths, T, holes);
  const labels = lengths.map((_, b) => b % 2);
  const names = recorded(() => crossEntropy(packed.forward(ids, { mask }), labels).backward());
  ok(names.includes("packedSelfAttentionHeads"), `${JSON.stringify(c)} takes the packed path`);
  const paddedNames = recorded(() =>
    crossEntropy(padded.forward(ids, { mask }), labels).backward()
  );
  ok(!paddedNames.includes("packedSelfAttentionHeads"));
  const a = packed.forward(ids, { mask });
  const b = padded.forward(ids, { mask });
  ok(maxDeviation(a, b) < 1e-5, `${JSON.stringify(c)}: logits differ by ${maxDeviation(a, b)}`);
  const gradients = new Map(padded.namedParameters().map(([name, p]) => [name, p.grad]));
  for (const [name, parameter] of packed.namedParameters()) {
    const expected = gradients.get(name);
    ok(parameter.grad && expected, `${name} has a gradient in both`);
    const deviation = maxDeviation(parameter.grad, expected);
    ok(deviation < 1e-5, `${JSON.stringify(c)}: ${name}'s gradient differs by ${deviation}`);
  }
  if (c.norm === "maskedBatch" && c.training) {
    const stats = new Map(padded.namedBuffers().map(([name, t]) => [name, t]));
    for (const [name, buffer] of packed.namedBuffers()) {
      ok(maxDeviation(buffer, stats.get(name)!) < 1e-6, `running statistic ${name}`);
    }
  }
}

Deno.test("packed forward: the padded path's logits and gradients for every packable model", () => {
  const norms: NormKind[] = ["layer", "rms", "maskedBatch", "none"];
  for (const norm of norms) {
    for (const normFirst of [false, true]) {
      for (const training of [true, false]) {
        compare({ norm, normFirst, activation: "relu", training }, [6, 3, 5, 1], 6, false);
      }
    }
  }
  compare({ norm: "layer", normFirst: false, activation: "gelu", training: true }, [4, 2], 5, true);
  compare(
    { norm: "maskedBatch", normFirst: true, activation: "gelu", training: true },
    [5, 4],
    5,
    true,
  );
  // At the benchmark's sizes the products, the softmax and the gradients run on WebAssembly.
  const lengths = Array.from({ length: 12 }, (_, b) => 40 - 2 * b);
  compare(
    { norm: "layer", normFirst: false, activation: "relu", training: true, dModel: 32 },
    lengths,
    40,
    true,
  );
});

Deno.test("packed forward: dropout drops what the padded path drops", () => {
  // Same seeds, same call order: the packed masks are the padded masks' real rows.
  for (const normFirst of [false, true]) {
    compare(
      { norm: "layer", normFirst, activation: "relu", training: true, dropout: 0.3 },
      [6, 3, 5],
      6,
      true,
    );
  }
  compare(
    { norm: "maskedBatch", normFirst: false, activation: "gelu", training: true, dropout: 0.5 },
    [4, 2],
    5,
    false,
  );
  const lengths = Array.from({ length: 8 }, (_, b) => 40 - 3 * b);
  compare(
    {
      norm: "layer",
      normFirst: false,
      activation: "relu",
      training: true,
      dModel: 32,
      dropout: 0.1,
    },
    lengths,
    40,
    false,
  );
});

Deno.test("packed forward: any lengths (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 5 }),
      fc.constantFrom<NormKind>("layer", "maskedBatch"),
      (lengths, norm) => {
        // One real token in all is never packed (and masked BatchNorm in training throws).
        if (lengths.reduce((a, b) => a + b) < 2) return;
        const T = Math.max(...lengths) + 1; // at least one padded position
        compare({ norm, normFirst: false, activation: "relu", training: true }, lengths, T, false);
      },
    ),
    { numRuns: 15, seed: 3 },
  );
});

Deno.test("packed forward: naive BatchNorm, no padding, one token and an empty row stay padded", () => {
  const { ids, mask } = batch([4, 2], 5, false);
  const uses = (m: TransformerClassifier, i: Tensor = ids, k: Tensor = mask) =>
    recorded(() => m.forward(i, { mask: k }).sum().backward()).includes(
      "packedSelfAttentionHeads",
    );
  const base = { normFirst: false, activation: "relu" as const, training: true };
  ok(uses(model({ norm: "layer", ...base })));
  ok(!uses(model({ norm: "batch", ...base })), "naive BatchNorm counts padding");
  const withDropout = new TransformerClassifier({ vocabSize: 30, dModel: 8, dropout: 0.1 });
  ok(uses(withDropout), "training with dropout: packed");
  withDropout.eval();
  ok(uses(withDropout), "evaluation: packed");
  const full = batch([5, 5], 5, false);
  ok(!uses(model({ norm: "layer", ...base }), full.ids, full.mask), "nothing to skip");
  const empty = batch([3, 0], 5, false);
  ok(!uses(model({ norm: "layer", ...base }), empty.ids, empty.mask), "a row with no token");
  const single = batch([1], 3, false);
  ok(!uses(model({ norm: "layer", ...base }), single.ids, single.mask), "one token in all");
});

Deno.test("packingOf: rows in order, null for a non-binary mask or an empty row", () => {
  const packing = packingOf(tensor([[1, 0, 1], [0, 1, 1]]))!;
  deepStrictEqual(Array.from(packing.rows), [0, 2, 4, 5]);
  deepStrictEqual(Array.from(packing.starts), [0, 2, 4]);
  deepStrictEqual(packingOf(tensor([[1, 0.5]])), null);
  deepStrictEqual(packingOf(tensor([[1, 1], [0, 0]])), null);
});

Deno.test("packedMeanPool: the padded pooling's numbers and gradient, bit for bit", () => {
  // Holes in row 0, a row of one token, and a row whose real values are all −0 (both sums start
  // at +0, and +0 + −0 is +0).
  const mask = tensor([[1, 0, 1, 1, 0, 0], [1, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 0], [
    1,
    1,
    0,
    0,
    0,
    0,
  ]]);
  const sequences = packingOf(mask)!;
  const N = sequences.rows.length;
  const D = 5;
  const values = randn([1, N, D], { seed: 11 }).data.map((v) => v * 100);
  values.fill(-0, (N - 2) * D); // the last sequence: two rows of −0
  for (const dtype of ["float32", "float64"] as const) {
    const x = tensor(Array.from(values), { shape: [1, N, D], dtype, requiresGrad: true });
    const dy = randn([4, D], { seed: 12, dtype });
    const pooled = packedMeanPool(x, sequences);
    pooled.backward(dy);
    const direct = { out: Array.from(pooled.data), grad: Array.from(x.grad!.data) };
    x.grad = null;
    const weights = mask.astype(dtype).reshape(4, 6, 1);
    const counts = mask.astype(dtype).sum(1, { keepDims: true }).maximum(1);
    const chain = unpackRows(x, sequences).mul(weights).sum(1).div(counts);
    chain.backward(dy);
    const index = direct.out.findIndex((v, i) => !Object.is(v, chain.data[i]));
    deepStrictEqual(
      index,
      -1,
      `${dtype}: output ${index}: ${direct.out[index]} against ${chain.data[index]}`,
    );
    ok(Object.is(direct.out[3 * D], 0), "the −0 row pools to +0, as the padded sum gives");
    deepStrictEqual(
      direct.grad.map((v, i) => Object.is(v, x.grad!.data[i])),
      direct.grad.map(() => true),
    );
  }
});

Deno.test("packed forward: a float64 mask pools through the padded rows, as before", () => {
  const { ids, mask } = batch([4, 2], 5, false);
  const m = model({ norm: "layer", normFirst: false, activation: "relu", training: false });
  const names = recorded(() => m.forward(ids, { mask: mask.astype("float64") }));
  ok(names.includes("packedSelfAttentionHeads") && names.includes("unpackRows"));
  const float32 = recorded(() => m.forward(ids, { mask }));
  ok(float32.includes("packedMeanPool") && !float32.includes("unpackRows"));
  deepStrictEqual(m.forward(ids, { mask: mask.astype("float64") }).dtype, "float64");
});
