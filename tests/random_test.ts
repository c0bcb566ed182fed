/**
 * The seeded generator's skips and bulk masks (lib/_random.ts,
 * lib/_random_jump.ts), and the packed dropout masks built with them
 * (lib/nn/_packed_dropout.ts): each gives, bit for bit, what drawing one
 * number at a time gives.
 */
import { deepStrictEqual, ok, throws } from "node:assert/strict";
import fc from "fast-check";
import { ones, tensor } from "../mod.ts";
import { RandomSource } from "../lib/_random.ts";
import { JUMP_MINIMUM } from "../lib/_random_jump.ts";
import type { ScoreBlock } from "../lib/_score_softmax.ts";
import { dropout } from "../lib/nn/dropout.ts";
import { packingOf } from "../lib/nn/_packed_attention.ts";
import { packedRowMask, packedScoreMask } from "../lib/nn/_packed_dropout.ts";

/** The next `count` outputs of `random` (it advances). */
function outputs(random: RandomSource, count: number): number[] {
  return Array.from({ length: count }, () => random.nextUint32());
}

/** Whether skip(count) leaves the generator where `count` draws leave it. */
function skipsLikeDrawing(seed: number, before: number, count: number): boolean {
  const drawn = new RandomSource(seed);
  const skipped = new RandomSource(seed);
  outputs(drawn, before);
  outputs(skipped, before);
  for (let i = 0; i < count; i++) drawn.nextUint32();
  skipped.skip(count);
  return outputs(drawn, 4).join() === outputs(skipped, 4).join();
}

Deno.test("RandomSource.skip: the state of drawing, for counts stepped and jumped", () => {
  // Below, at and above the jump's minimum; one, several and many bits of jump.
  const counts = [0, 1, 2, JUMP_MINIMUM - 1, JUMP_MINIMUM, JUMP_MINIMUM + 1, 3 * JUMP_MINIMUM + 7];
  for (const count of [...counts, 65_535, 1_000_003, 2 ** 22 + 2 ** 13 + 5]) {
    for (const seed of [0, 42, 2 ** 40 + 7]) {
      ok(skipsLikeDrawing(seed, 3, count), `seed ${seed}, skip ${count}`);
    }
  }
  // Two skips in a row (the second starts from a jumped state).
  const drawn = new RandomSource(9);
  const skipped = new RandomSource(9);
  outputs(drawn, 5000 + 700);
  skipped.skip(5000);
  skipped.skip(700);
  deepStrictEqual(outputs(skipped, 3), outputs(drawn, 3));
});

Deno.test("RandomSource.skip: long runs jump instead of stepping, to the stepped state", () => {
  // 2^28 + 12345 draws stepped (skips of 511, below the jump's minimum) and jumped: the jump
  // tables up to M^(2^28), each made by squaring the one before, against the step itself.
  const stepped = new RandomSource(4);
  const jumped = new RandomSource(4);
  const count = 2 ** 28 + 12345;
  for (let left = count; left > 0; left -= Math.min(left, JUMP_MINIMUM - 1)) {
    stepped.skip(Math.min(left, JUMP_MINIMUM - 1));
  }
  jumped.skip(count);
  deepStrictEqual(outputs(jumped, 3), outputs(stepped, 3));
  // 2^33 + 5 draws: stepped one by one they take about 10 s here (1 ns a step); two skips of
  // 2^32 and one of 5 reach the same state.
  const long = new RandomSource(4);
  const halves = new RandomSource(4);
  const start = performance.now();
  long.skip(2 ** 33 + 5);
  const elapsed = performance.now() - start;
  halves.skip(2 ** 32);
  halves.skip(2 ** 32);
  halves.skip(5);
  deepStrictEqual(outputs(long, 3), outputs(halves, 3));
  ok(elapsed < 1000, `skipping 2^33 draws took ${elapsed} ms`);
  throws(() => long.skip(2.5), /skip: expected a count of draws ≥ 0 but found 2.5/);
  throws(() => long.skip(-1), /found -1/);
});

Deno.test("RandomSource.skip: any seed and count (property)", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
      fc.integer({ min: 0, max: 9 }),
      fc.integer({ min: 0, max: 20_000 }),
      (seed, before, count) => skipsLikeDrawing(seed, before, count),
    ),
    { numRuns: 60, seed: 11 },
  );
});

Deno.test("RandomSource.fillKept: uniform() ≥ p a value, into any start, with the dropped values", () => {
  // (5e-324 and 1 − 2^-53 behave as 0 and 1 unless a draw is exactly 0 or 2^53 − 1: edges
  // that must not throw or misbehave, not cases that tell rules apart.)
  for (const p of [0, 5e-324, 0.1, 0.5, 1 - 2 ** -53, 1]) {
    for (const dtype of ["float32", "float64"] as const) {
      const kept = p === 1 ? 0 : 1 / (1 - p);
      const one = new RandomSource(5);
      const bulk = new RandomSource(5);
      const expected = dtype === "float32" ? new Float32Array(3000) : new Float64Array(3000);
      const actual = dtype === "float32" ? new Float32Array(3000) : new Float64Array(3000);
      // With values: source · kept, kept unrounded (float32's mask holds it rounded).
      const values = (length: number) =>
        dtype === "float32" ? new Float32Array(length) : new Float64Array(length);
      const source = values(3000).map((_, i) => Math.sin(i) * 1e3);
      source[100] = NaN;
      source[101] = -Infinity;
      const expectedOut = values(3000);
      const actualOut = values(3000);
      for (let i = 7; i < 2990; i++) {
        const keep = one.uniform() >= p ? kept : 0;
        expected[i] = keep;
        expectedOut[i] = source[i]! * keep;
      }
      bulk.fillKept(actual, 7, 2983, p, kept, source, actualOut);
      deepStrictEqual(actual, expected, `p ${p}, ${dtype}`);
      deepStrictEqual(actualOut, expectedOut, `p ${p}, ${dtype}: the dropped values`);
      deepStrictEqual(outputs(bulk, 2), outputs(one, 2), `p ${p}: the generator's state`);
      const maskOnly = new RandomSource(5);
      const alone = actual.slice().fill(0);
      maskOnly.fillKept(alone, 7, 2983, p, kept);
      deepStrictEqual(alone, expected, `p ${p}, ${dtype}: the mask alone`);
    }
  }
  // p at a drawn number, one grid step (2^-53) above and below it, and a quarter and half a
  // step above where those are doubles (below 1/4 and 1/2): the ties of the integer comparison,
  // and p off the grid, where the bound must round up.
  const draws = new RandomSource(13);
  const numbers = Array.from({ length: 40 }, () => draws.uniform());
  let offGrid = 0;
  numbers.forEach((u, k) => {
    const quarter = u + 2 ** -55 - u === 2 ** -55 ? [u + 2 ** -55, u + 3 * 2 ** -55] : [];
    const half = u + 2 ** -54 - u === 2 ** -54 ? [u + 2 ** -54] : [];
    offGrid += quarter.length + half.length;
    for (const p of [u, u + 2 ** -53, u - 2 ** -53, ...quarter, ...half]) {
      const one = new RandomSource(13);
      const expected = Float64Array.from({ length: k + 1 }, () => one.uniform() >= p ? 1 : 0);
      const actual = new Float64Array(k + 1);
      new RandomSource(13).fillKept(actual, 0, k + 1, p, 1);
      deepStrictEqual(actual, expected, `p = draw ${k} ${u} (${p})`);
    }
  });
  ok(offGrid >= 20, `only ${offGrid} values of p off the grid`);
  throws(
    () =>
      new RandomSource(1).fillKept(new Float32Array(2), 0, 2, 0.5, 2, null, new Float32Array(2)),
    /fillKept: expected source and out together or neither/,
  );
});

/** (B, T) lengths with long padding (jumped) and, in row 0, a hole. */
function sequencesOf(lengths: number[], T: number, hole: boolean) {
  const mask = lengths.map((length) => Array.from({ length: T }, (_, t) => t < length ? 1 : 0));
  if (hole) mask[0]![2] = 0;
  const sequences = packingOf(tensor(mask));
  ok(sequences !== null);
  return { mask, sequences };
}

Deno.test("packed dropout masks: the padded mask's real entries, bit for bit", () => {
  for (const hole of [false, true]) {
    const lengths = [40, 3, 17, 1, 40, 9];
    const T = 40;
    const { mask, sequences } = sequencesOf(lengths, T, hole);
    const rowCases = [[128, 0.1, 3], [32, 0.5, 4], [5, 0.25, 8], [7, 0, 9], [6, 1, 10]] as const;
    for (const [width, p, seed] of rowCases) {
      const padded = dropout(ones([lengths.length, T, width]), { p, seed }).data;
      const packed = packedRowMask(sequences, width, p, seed, "float32");
      const expected = new Float32Array(packed.length);
      for (let r = 0; r < sequences.rows.length; r++) {
        const at = sequences.rows[r]! * width;
        expected.set(padded.subarray(at, at + width), r * width);
      }
      deepStrictEqual(packed, expected, `rows of width ${width}, hole ${hole}`);
      // With the packed rows: the same mask, and out = source ⊙ mask (float32's rounded scale).
      const source = Float32Array.from(packed, (_, i) => Math.cos(i) * 100);
      const out = new Float32Array(packed.length);
      const again = packedRowMask(sequences, width, p, seed, "float32", source, out);
      deepStrictEqual(again, expected);
      deepStrictEqual(out, source.map((value, i) => value * again[i]!));
    }
    // float64: the mask holds the unrounded scale.
    const padded64 = dropout(ones([lengths.length, T, 9], { dtype: "float64" }), {
      p: 0.3,
      seed: 2,
    });
    const packed64 = packedRowMask(sequences, 9, 0.3, 2, "float64");
    ok(packed64 instanceof Float64Array);
    sequences.rows.forEach((at, r) =>
      deepStrictEqual(
        packed64.subarray(r * 9, r * 9 + 9),
        padded64.data.subarray(at * 9, at * 9 + 9),
      )
    );
    // Scores (B, H, T, T): block b holds sentence b's heads, rows of stride ⌈L/4⌉·4.
    const H = 2;
    const blocks: ScoreBlock[] = [];
    let total = 0;
    for (let b = 0; b < lengths.length; b++) {
      const L = sequences.starts[b + 1]! - sequences.starts[b]!;
      const stride = Math.ceil(L / 4) * 4;
      blocks.push({ offset: total, groups: H, queries: L, keys: stride, visible: L });
      total += H * L * stride;
    }
    const padded = dropout(ones([lengths.length, H, T, T]), { p: 0.2, seed: 12 }).data;
    const packed = packedScoreMask(sequences, blocks, total, 0.2, 12, "float32");
    const expected = new Float32Array(total);
    for (let b = 0; b < lengths.length; b++) {
      const real = mask[b]!.flatMap((m, t) => m === 1 ? [t] : []);
      const { offset, queries: L, keys: stride } = blocks[b]!;
      for (let h = 0; h < H; h++) {
        real.forEach((t, i) =>
          real.forEach((u, j) => {
            expected[offset + (h * L + i) * stride + j] = padded[((b * H + h) * T + t) * T + u]!;
          })
        );
      }
    }
    deepStrictEqual(packed, expected, `scores, hole ${hole}`);
  }
});
