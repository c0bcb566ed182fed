/**
 * Property tests (fast-check): the invariances that the lesson rests on.
 */
import fc from "fast-check";
import { ok } from "node:assert/strict";
import {
  batchNorm,
  layerNorm,
  padSequences,
  scaledDotProductAttention,
  type Tensor,
  tensor,
} from "../mod.ts";
import { maxDeviation } from "./_helpers.ts";

const RUNS = { numRuns: 150 };
const value = fc.double({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true });

/** A batch of 1–4 sentences of 1–6 tokens with D = 1–5 features. */
const sentences = fc.integer({ min: 1, max: 5 }).chain((dim) =>
  fc.record({
    dim: fc.constant(dim),
    batch: fc.array(
      fc.array(fc.array(value, { minLength: dim, maxLength: dim }), { minLength: 1, maxLength: 6 }),
      { minLength: 1, maxLength: 4 },
    ),
    extraPadding: fc.integer({ min: 1, max: 40 }),
  })
);

/** Rows [b, 0..length) of a (B, T, D) tensor, as a (length, D) tensor. */
function sentenceRows(x: Tensor, b: number, length: number): Tensor {
  const [, positions, dim] = x.shape as [number, number, number];
  const start = b * positions * dim;
  return tensor(x.data.slice(start, start + length * dim), { shape: [length, dim] });
}

Deno.test("property: a sentence's LayerNorm output ignores padding and batch companions", () => {
  fc.assert(
    fc.property(sentences, ({ batch, extraPadding }) => {
      const longest = Math.max(...batch.map((s) => s.length));
      const tight = padSequences(batch);
      const loose = padSequences(batch, { maxLength: longest + extraPadding });
      const yTight = layerNorm(tight.x);
      const yLoose = layerNorm(loose.x);
      for (const [b, sentence] of batch.entries()) {
        const alone = layerNorm(padSequences([sentence]).x).reshape(sentence.length, -1);
        const inTight = sentenceRows(yTight, b, sentence.length);
        const inLoose = sentenceRows(yLoose, b, sentence.length);
        if (maxDeviation(inTight, inLoose) !== 0) return false;
        if (maxDeviation(inTight, alone) !== 0) return false;
      }
      return true;
    }),
    RUNS,
  );
});

/** Training-mode BatchNorm needs more than one real position (see batch_norm_rules_test.ts). */
function twoRealPositions(batch: readonly unknown[][]): void {
  fc.pre(batch.reduce((sum, sentence) => sum + sentence.length, 0) >= 2);
}

Deno.test("property: masked BatchNorm's output for real tokens ignores padding", () => {
  fc.assert(
    fc.property(sentences, ({ batch, extraPadding }) => {
      twoRealPositions(batch);
      const longest = Math.max(...batch.map((s) => s.length));
      const tight = padSequences(batch);
      const loose = padSequences(batch, { maxLength: longest + extraPadding });
      const yTight = batchNorm(tight.x, { mask: tight.mask });
      const yLoose = batchNorm(loose.x, { mask: loose.mask });
      return batch.every((sentence, b) =>
        maxDeviation(
          sentenceRows(yTight, b, sentence.length),
          sentenceRows(yLoose, b, sentence.length),
        ) <
          1e-5
      );
    }),
    RUNS,
  );
});

Deno.test("property: plain BatchNorm's output for real tokens moves with padding (the lesson)", () => {
  fc.assert(
    fc.property(sentences, ({ batch, extraPadding }) => {
      twoRealPositions(batch);
      const tight = padSequences(batch);
      const real = tight.lengths.reduce((sum, n) => sum + n, 0);
      // Only columns whose real values are not all zero can move; require one clearly non-zero mean.
      const means = tight.x.sum([0, 1]).div(real);
      fc.pre(means.abs().max().item() > 0.5);
      const longest = Math.max(...batch.map((s) => s.length));
      const loose = padSequences(batch, { maxLength: longest + extraPadding });
      const yTight = batchNorm(tight.x, { mask: tight.mask }); // padding excluded…
      const yLoose = batchNorm(loose.x); // …against padding counted
      let moved = 0;
      for (const [b, sentence] of batch.entries()) {
        moved = Math.max(
          moved,
          maxDeviation(
            sentenceRows(yTight, b, sentence.length),
            sentenceRows(yLoose, b, sentence.length),
          ),
        );
      }
      return moved > 1e-3;
    }),
    RUNS,
  );
});

Deno.test("property: attention with a key mask ignores whatever sits in padded positions", () => {
  fc.assert(
    fc.property(
      sentences,
      fc.integer({ min: 1, max: 1000 }),
      ({ batch, extraPadding }, junkSeed) => {
        const longest = Math.max(...batch.map((s) => s.length));
        const padded = padSequences(batch, { maxLength: longest + Math.min(extraPadding, 5) });
        const junk = padded.x.clone();
        const m = padded.mask.data;
        const dim = junk.shape[2]!;
        for (let row = 0; row < m.length; row++) {
          if (m[row] === 0) {
            for (let d = 0; d < dim; d++) {
              junk.data[row * dim + d] = ((row * 31 + d * 7 + junkSeed) % 97) - 48;
            }
          }
        }
        const clean = scaledDotProductAttention(padded.x, padded.x, padded.x, {
          mask: padded.mask,
        });
        const dirty = scaledDotProductAttention(junk, junk, junk, { mask: padded.mask });
        return batch.every((sentence, b) =>
          maxDeviation(
            sentenceRows(clean.output, b, sentence.length),
            sentenceRows(dirty.output, b, sentence.length),
          ) <
            1e-5
        );
      },
    ),
    RUNS,
  );
});

Deno.test("property: LayerNorm output has mean 0, variance ≈ 1, and ignores shift and scale", () => {
  const token = fc.array(value, { minLength: 2, maxLength: 8 });
  fc.assert(
    fc.property(
      token,
      fc.double({ min: -1e3, max: 1e3, noNaN: true }),
      fc.double({ min: 0.1, max: 100, noNaN: true }),
      (values, shift, scale) => {
        const x = tensor([values], { dtype: "float64" });
        const variance = x.variance(-1).item();
        fc.pre(variance > 1e-2);
        const y = layerNorm(x);
        ok(Math.abs(y.mean().item()) < 1e-9);
        ok(Math.abs(y.variance().item() - variance / (variance + 1e-5)) < 1e-9);
        // Invariance holds up to eps: compare with eps = 0.
        const plain = layerNorm(x, { eps: 0 });
        const moved = layerNorm(x.mul(scale).add(shift), { eps: 0 });
        return maxDeviation(plain, moved) < 1e-6;
      },
    ),
    RUNS,
  );
});
