import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { embed, encodeBatch, padSequences, tensor, tokenize } from "../mod.ts";

Deno.test("padSequences: right, left, maxLength, value, truncate, 1-D, empty", () => {
  const seqs = [[[1, 1]], [[2, 2], [3, 3], [4, 4]]];
  const right = padSequences(seqs);
  deepStrictEqual(right.x.shape, [2, 3, 2]);
  deepStrictEqual(right.mask.toArray(), [[1, 0, 0], [1, 1, 1]]);
  const left = padSequences(seqs, { side: "left", value: -1 });
  deepStrictEqual((left.x.toArray() as number[][][])[0], [[-1, -1], [-1, -1], [1, 1]]);
  deepStrictEqual(left.mask.toArray(), [[0, 0, 1], [1, 1, 1]]);
  const long = padSequences(seqs, { maxLength: 5 });
  deepStrictEqual(long.mask.toArray(), [[1, 0, 0, 0, 0], [1, 1, 1, 0, 0]]);
  throws(
    () => padSequences(seqs, { maxLength: 2 }),
    /padSequences: expected sequences of at most maxLength 2 positions but sequence 1 has 3 \(shape \[3, 2\]\); pass truncate: true/,
  );
  const cut = padSequences(seqs, { maxLength: 2, truncate: true });
  deepStrictEqual((cut.x.toArray() as number[][][])[1], [[2, 2], [3, 3]]);
  deepStrictEqual(cut.lengths, [1, 2]);
  deepStrictEqual(padSequences([[1, 2], [3]]).x.toArray(), [[1, 2], [3, 0]]);
  const empty = padSequences([tensor([[1, 2]]), tensor([], { shape: [0, 2] })]);
  deepStrictEqual(empty.mask.toArray(), [[1], [0]]);
  throws(
    () => padSequences([]),
    /padSequences: expected a non-empty list of sequences but found an empty list/,
  );
  throws(
    () => padSequences([[[1, 2]], [[1, 2, 3]]]),
    /padSequences: expected every sequence to have shape \(T, 2\) like sequence 0 but sequence 1 has \[1, 3\]/,
  );
  throws(() => padSequences(seqs, { side: "top" as "left" }), /side "right" or "left"/);
});

Deno.test("tokenize: Unicode words in English and Bengali", () => {
  deepStrictEqual(tokenize("The movie wasn't good."), ["the", "movie", "wasn't", "good"]);
  deepStrictEqual(tokenize("সিনেমাটা দারুণ ছিল!"), ["সিনেমাটা", "দারুণ", "ছিল"]);
  deepStrictEqual(tokenize("   "), []);
  throws(() => tokenize(3 as unknown as string), /tokenize: expected a string/);
});

Deno.test("embed: a word has one vector per seed, in any batch", () => {
  const a = embed(["good", "bad", "good"], { dim: 4, seed: 7 }).toArray() as number[][];
  deepStrictEqual(a[0], a[2]);
  ok(a[0]!.some((v, i) => v !== a[1]![i]));
  const other = embed(["good"], { dim: 4, seed: 8 }).toArray() as number[][];
  ok(other[0]!.some((v, i) => v !== a[0]![i]), "another seed, another table");
  deepStrictEqual(embed([], { dim: 3 }).shape, [0, 3]);
  throws(
    () => embed(["a"], { dim: 0 }),
    /embed: expected dim to be a positive integer but found 0/,
  );
});

Deno.test("encodeBatch: the classic (2, 4, 3) batch", () => {
  const batch = encodeBatch(["Loved it", "The plot was dull"], { seed: 0 });
  deepStrictEqual(batch.x.shape, [2, 4, 3]);
  deepStrictEqual(batch.lengths, [2, 4]);
  deepStrictEqual(batch.tokens, [["loved", "it"], ["the", "plot", "was", "dull"]]);
  deepStrictEqual((batch.x.toArray() as number[][][])[0]![2], [0, 0, 0]);
  const alone = encodeBatch(["Loved it"], { seed: 0 });
  deepStrictEqual(
    (alone.x.toArray() as number[][][])[0],
    (batch.x.toArray() as number[][][])[0]!.slice(0, 2),
  );
  strictEqual(encodeBatch(["a b"], { dim: 5, maxLength: 4 }).x.shape.join(), "1,4,5");
  throws(() => encodeBatch([]), /encodeBatch: expected a non-empty list/);
});
