/**
 * The data layer: the 3,000 labelled sentences, stratified splits, the
 * vocabulary, batching, length statistics and the AFINN baseline.
 */
import fc from "fast-check";
import { deepStrictEqual, notDeepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import Sentiment from "npm:sentiment@5.0.2";
import {
  afinnAccuracy,
  afinnPredict,
  afinnScore,
  type Batch,
  batchExamples,
  lengthStats,
  loadSentences,
  paddingShare,
  SENTENCE_SOURCES,
  splitExamples,
  tensor,
  tokenize,
  Vocabulary,
} from "../mod.ts";

const RUNS = { numRuns: 100 };

/** The indices of every batch, in batch order. */
function indicesOf(batches: readonly Batch[]): number[] {
  return batches.flatMap((batch) => batch.indices);
}

/** 0..n−1. */
function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Checks every invariant that ties a batch to its examples. */
function checkBatch(
  batch: Batch,
  examples: readonly { text: string; label: number }[],
  vocab: Vocabulary,
  width?: number,
): void {
  const [rows, positions] = batch.ids.shape as [number, number];
  deepStrictEqual(batch.mask.shape, [rows, positions]);
  strictEqual(batch.labels.length, rows);
  strictEqual(batch.lengths.length, rows);
  strictEqual(batch.indices.length, rows);
  if (width !== undefined) strictEqual(positions, width);
  else strictEqual(positions, Math.max(...batch.lengths), "padded to the longest sentence");
  const ids = batch.ids.toArray() as number[][];
  const mask = batch.mask.toArray() as number[][];
  for (let b = 0; b < rows; b++) {
    const example = examples[batch.indices[b]!]!;
    const length = batch.lengths[b]!;
    strictEqual(batch.labels[b], example.label);
    deepStrictEqual(ids[b]!.slice(0, length), vocab.encode(example.text).slice(0, length));
    for (let t = 0; t < positions; t++) {
      strictEqual(mask[b]![t], t < length ? 1 : 0, `mask[${b}][${t}] for length ${length}`);
      // Real tokens are never the padding id, and padding is exactly id 0.
      strictEqual(ids[b]![t] === 0, t >= length, `ids[${b}][${t}]`);
    }
  }
}

Deno.test("loadSentences: 3,000 sentences, 1,000 per source, 500 of each label", () => {
  const all = loadSentences();
  strictEqual(all.length, 3000);
  deepStrictEqual(loadSentences({ source: "all" }), all);
  for (const source of SENTENCE_SOURCES) {
    const part = loadSentences({ source });
    strictEqual(part.length, 1000, source);
    ok(part.every((s) => s.source === source), source);
    strictEqual(part.filter((s) => s.label === 1).length, 500, `${source} positives`);
    strictEqual(part.filter((s) => s.label === 0).length, 500, `${source} negatives`);
    deepStrictEqual(all.filter((s) => s.source === source), part, `${source} in "all"`);
  }
  deepStrictEqual(new Set(all.map((s) => s.label)), new Set([0, 1]));
  ok(all.every((s) => typeof s.text === "string" && tokenize(s.text).length > 0));
  // The published order: the IMDB file's first sentence comes first.
  strictEqual(
    all[0]!.text.trim(),
    "A very, very, very slow-moving, aimless movie about a distressed, drifting young man.",
  );
  deepStrictEqual([all[0]!.label, all[0]!.source], [0, "imdb"]);
  strictEqual(new Set(all.map((s) => s.text)).size, 3000 - 17, "17 texts occur twice");
  // Fresh objects every call: changing one result cannot change the next.
  all[0]!.label = 1;
  strictEqual(loadSentences()[0]!.label, 0);
  throws(
    () => loadSentences({ source: "twitter" as "imdb" }),
    /loadSentences: expected source to be "imdb", "amazon", "yelp" or "all" but found "twitter"/,
  );
});

Deno.test("splitExamples: stratified, seeded, a partition in the input order", () => {
  const all = loadSentences();
  const { train, test } = splitExamples(all, { testFraction: 0.2, seed: 0 });
  strictEqual(test.length, 600);
  strictEqual(train.length, 2400);
  strictEqual(test.filter((s) => s.label === 1).length, 300);
  strictEqual(train.filter((s) => s.label === 1).length, 1200);
  // Every sentence (object) exactly once, each part in the input order.
  const position = new Map(all.map((s, i) => [s, i]));
  const trainAt = train.map((s) => position.get(s)!);
  const testAt = test.map((s) => position.get(s)!);
  deepStrictEqual([...trainAt, ...testAt].sort((a, b) => a - b), range(3000));
  deepStrictEqual(trainAt, [...trainAt].sort((a, b) => a - b));
  deepStrictEqual(testAt, [...testAt].sort((a, b) => a - b));
  // The same seed gives the same split; another seed another one.
  deepStrictEqual(splitExamples(all, { testFraction: 0.2, seed: 0 }).test, test);
  const other = splitExamples(all, { testFraction: 0.2, seed: 1 }).test;
  notDeepStrictEqual(other, test);
  ok(other.filter((s) => test.includes(s)).length < 300, "seeds pick mostly different sentences");
  // The defaults are testFraction 0.2 and seed 0.
  deepStrictEqual(splitExamples(all).test, test);
  // A validation split carved from train never touches test.
  const carved = splitExamples(train, { testFraction: 0.1, seed: 0 });
  strictEqual(carved.test.length, 240);
  strictEqual(carved.test.filter((s) => s.label === 0).length, 120);
  ok(carved.test.every((s) => !test.includes(s)));
  // The edges.
  deepStrictEqual(splitExamples(all, { testFraction: 0 }), { train: all, test: [] });
  deepStrictEqual(splitExamples(all, { testFraction: 1 }), { train: [], test: all });
  deepStrictEqual(splitExamples([]), { train: [], test: [] });
  throws(
    () => splitExamples(all, { testFraction: 1.5 }),
    /splitExamples: expected testFraction to be a number in \[0, 1\] but found 1.5/,
  );
  throws(
    () => splitExamples([{ label: 1 }, { label: "yes" as unknown as number }]),
    /splitExamples: expected example 1 to have a numeric label but found "yes"/,
  );
  throws(() => splitExamples(all, { seed: 0.5 }), /splitExamples: expected an integer seed/);
});

Deno.test("splitExamples (property): each label contributes round(n · fraction)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 60 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.integer({ min: -1000, max: 1000 }),
      (labels, testFraction, seed) => {
        const examples = labels.map((label, id) => ({ id, label }));
        const { train, test } = splitExamples(examples, { testFraction, seed });
        deepStrictEqual(
          [...train, ...test].map((e) => e.id).sort((a, b) => a - b),
          range(labels.length),
        );
        for (const label of new Set(labels)) {
          const n = labels.filter((l) => l === label).length;
          strictEqual(test.filter((e) => e.label === label).length, Math.round(n * testFraction));
        }
        deepStrictEqual(splitExamples(examples, { testFraction, seed }).test, test);
      },
    ),
    RUNS,
  );
});

Deno.test("Vocabulary: ids by frequency then code units, 0 = padding, 1 = unknown", () => {
  const vocab = Vocabulary.fromTexts(["the film the", "The end.", "a film", "Zebra"]);
  deepStrictEqual(vocab.words, ["<pad>", "<unk>", "the", "film", "a", "end", "zebra"]);
  strictEqual(vocab.size, 7);
  deepStrictEqual(vocab.encode("THE Film, the END!"), [2, 3, 2, 5]);
  deepStrictEqual(vocab.encode("the unseen words"), [2, 1, 1]);
  deepStrictEqual(vocab.encode(""), []);
  strictEqual(vocab.idOf("film"), 3);
  strictEqual(vocab.idOf("Film"), 1, "idOf looks the word up as given");
  strictEqual(vocab.idOf("<pad>"), 1, "no word maps to the padding id");
  strictEqual(vocab.decode([2, 3, 1, 0, 0]), "the film <unk>");
  strictEqual(vocab.decode(new Float32Array([6, 4])), "zebra a");
  throws(
    () => vocab.decode([2, 7]),
    /Vocabulary.decode: expected integer ids in \[0, 7\) but found 7 at position 1/,
  );
  throws(() => vocab.decode([1.5]), /found 1.5 at position 0/);
  ok(Object.isFrozen(vocab.words), "words cannot be changed from outside");
  // minCount drops rare words; they encode as unknown.
  const common = Vocabulary.fromTexts(["the film the", "The end.", "a film"], { minCount: 2 });
  deepStrictEqual(common.words, ["<pad>", "<unk>", "the", "film"]);
  deepStrictEqual(common.encode("a film"), [1, 3]);
  strictEqual(Vocabulary.fromTexts([]).size, 2);
  throws(
    () => Vocabulary.fromTexts(["a"], { minCount: 0 }),
    /Vocabulary.fromTexts: expected minCount to be a positive integer but found 0/,
  );
  throws(
    () => Vocabulary.fromTexts(["a", 3 as unknown as string]),
    /Vocabulary.fromTexts: expected text 1 to be a string but found number/,
  );
  throws(() => vocab.encode(null as unknown as string), /Vocabulary.encode: expected a string/);
});

Deno.test("Vocabulary: words named like Object.prototype members are ordinary words", () => {
  const names = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "prototype"];
  const text = names.join(" ");
  const vocab = Vocabulary.fromTexts([text, text, "__proto__"]);
  strictEqual(vocab.size, 2 + names.length);
  strictEqual(vocab.words[2], "__proto__", "the most frequent word comes first");
  const ids = vocab.encode(text);
  ok(ids.every((id) => Number.isInteger(id) && id >= 2), `ids ${ids}`);
  strictEqual(new Set(ids).size, names.length);
  strictEqual(vocab.decode(ids), text.toLowerCase());
  // A vocabulary that has never seen them treats them as unknown, not as inherited members.
  deepStrictEqual(Vocabulary.fromTexts(["fine"]).encode(text), names.map(() => 1));
});

Deno.test("Vocabulary.fromWords: a saved vocabulary keeps every id", () => {
  const vocab = Vocabulary.fromTexts(loadSentences({ source: "yelp" }).map((s) => s.text));
  const copy = Vocabulary.fromWords(JSON.parse(JSON.stringify(vocab.words)));
  deepStrictEqual(copy.words, vocab.words);
  const text = "The food was great but the service was slow";
  deepStrictEqual(copy.encode(text), vocab.encode(text));
  throws(() => Vocabulary.fromWords(["a", "b"]), /starting with "<pad>", "<unk>"/);
  throws(
    () => Vocabulary.fromWords(["<pad>", "<unk>", "x", "x"]),
    /Vocabulary.fromWords: expected distinct non-empty words but found "x" at id 3/,
  );
});

Deno.test("Vocabulary (property): ids do not depend on the order of the texts", () => {
  const word = fc.constantFrom("good", "bad", "film", "constructor", "__proto__", "plot", "ok");
  const text = fc.array(word, { maxLength: 6 }).map((words) => words.join(" "));
  fc.assert(
    fc.property(
      fc.array(text, { maxLength: 12 }),
      fc.integer({ min: 1, max: 3 }),
      (texts, minCount) => {
        const forward = Vocabulary.fromTexts(texts, { minCount });
        const backward = Vocabulary.fromTexts([...texts].reverse(), { minCount });
        deepStrictEqual(forward.words, backward.words);
        for (const sentence of texts) {
          const ids = forward.encode(sentence);
          strictEqual(ids.length, tokenize(sentence).length);
          ok(ids.every((id) => id >= 1 && id < forward.size));
        }
      },
    ),
    RUNS,
  );
});

Deno.test("batchExamples: masks match lengths, ids match the vocabulary, one epoch", () => {
  const { train } = splitExamples(loadSentences(), { seed: 0 });
  const vocab = Vocabulary.fromTexts(train.map((s) => s.text), { minCount: 2 });
  for (const order of ["random", "bucketed"] as const) {
    const batches = batchExamples(train, vocab, { batchSize: 32, order, seed: 3 });
    strictEqual(batches.length, Math.ceil(2400 / 32), order);
    deepStrictEqual(indicesOf(batches).sort((a, b) => a - b), range(2400), `${order}: each once`);
    ok(batches.slice(0, -1).every((b) => b.indices.length === 32), order);
    for (const batch of batches) checkBatch(batch, train, vocab);
    // The seed reproduces the batches; another seed gives other ones.
    const again = batchExamples(train, vocab, { batchSize: 32, order, seed: 3 });
    deepStrictEqual(
      again.map((b) => [b.indices, [...b.ids.data]]),
      batches.map((b) => [
        b.indices,
        [...b.ids.data],
      ]),
    );
    notDeepStrictEqual(
      indicesOf(batchExamples(train, vocab, { batchSize: 32, order, seed: 4 })),
      indicesOf(batches),
    );
  }
  // Random order: not in the input order, and the padded width varies per batch.
  const random = batchExamples(train, vocab, { batchSize: 32, seed: 0 });
  notDeepStrictEqual(indicesOf(random), range(2400));
  ok(new Set(random.map((b) => b.ids.shape[1])).size > 5, "random batches differ in width");
  // Bucketed: similar lengths share a batch, and the batches are not in length order.
  const bucketed = batchExamples(train, vocab, { batchSize: 32, order: "bucketed", seed: 0 });
  // Cut from the length-sorted list: the batches' length ranges do not overlap.
  const ranges = bucketed.map((b) => [Math.min(...b.lengths), Math.max(...b.lengths)] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (let i = 1; i < ranges.length; i++) {
    ok(ranges[i - 1]![1] <= ranges[i]![0], `bucket ranges ${ranges[i - 1]} and ${ranges[i]}`);
  }
  const widths = bucketed.map((b) => b.ids.shape[1]!);
  notDeepStrictEqual(widths, [...widths].sort((a, b) => a - b), "the buckets are shuffled");
});

Deno.test("batchExamples: bucketing cuts the padding share of random batches", () => {
  const { train } = splitExamples(loadSentences(), { seed: 0 });
  const vocab = Vocabulary.fromTexts(train.map((s) => s.text), { minCount: 2 });
  const shares = { random: [] as number[], bucketed: [] as number[] };
  for (const seed of [0, 1, 2]) {
    for (const order of ["random", "bucketed"] as const) {
      shares[order].push(paddingShare(batchExamples(train, vocab, { batchSize: 32, order, seed })));
    }
  }
  const padded100 = paddingShare(batchExamples(train, vocab, { batchSize: 32, padTo: 100 }));
  console.log(
    `padding share, batches of 32 of the 2,400 training sentences: random ${
      shares.random.map((s) => s.toFixed(3)).join(", ")
    }; bucketed ${shares.bucketed.map((s) => s.toFixed(3)).join(", ")}; padTo 100 ${
      padded100.toFixed(3)
    }`,
  );
  for (const [i, share] of shares.bucketed.entries()) {
    ok(share < shares.random[i]! / 4, `seed ${i}: bucketed ${share} vs random ${shares.random[i]}`);
  }
  ok(shares.random.every((share) => share > 0.4), `random ${shares.random}`);
  ok(padded100 > Math.max(...shares.random), "padding to 100 pads most of all");
  // The share is computed from the masks alone.
  const total = lengthStats(train).lengths.reduce((a, b) => a + b, 0);
  strictEqual(padded100, 1 - total / (2400 * 100));
});

Deno.test("batchExamples: padTo pads to a fixed length; maxLength truncates", () => {
  const examples = [
    { text: "one two three four five six", label: 1 },
    { text: "one two", label: 0 },
    { text: "three", label: 1 },
  ];
  const vocab = Vocabulary.fromTexts(examples.map((e) => e.text));
  const fixed = batchExamples(examples, vocab, { batchSize: 2, padTo: 10, seed: 5 });
  for (const batch of fixed) checkBatch(batch, examples, vocab, 10);
  throws(
    () => batchExamples(examples, vocab, { batchSize: 2, padTo: 4 }),
    /batchExamples: expected sentences of at most padTo 4 words but example 0 has 6; pass maxLength to truncate/,
  );
  const cut = batchExamples(examples, vocab, { batchSize: 3, padTo: 4, maxLength: 4 });
  strictEqual(cut.length, 1);
  const row = cut[0]!.indices.indexOf(0);
  strictEqual(cut[0]!.lengths[row], 4);
  deepStrictEqual(
    (cut[0]!.ids.toArray() as number[][])[row],
    vocab.encode(examples[0]!.text).slice(0, 4),
  );
  const [short] = batchExamples(examples, vocab, { batchSize: 3, maxLength: 3 });
  deepStrictEqual(short!.ids.shape, [3, 3], "maxLength alone pads to the longest truncated one");
  // Unknown words keep their position (id 1), so a mask counts them as real tokens.
  const [unknown] = batchExamples([{ text: "seven one eight", label: 0 }], vocab, {
    batchSize: 4,
  });
  deepStrictEqual(unknown!.ids.toArray(), [[1, vocab.idOf("one"), 1]]);
  deepStrictEqual(unknown!.mask.toArray(), [[1, 1, 1]]);
  deepStrictEqual(batchExamples([], vocab, { batchSize: 4 }), []);
});

Deno.test("batchExamples: bad options and empty sentences name the problem", () => {
  const vocab = Vocabulary.fromTexts(["a b"]);
  const examples = [{ text: "a b", label: 1 }];
  throws(
    () => batchExamples(examples, vocab, { batchSize: 0 }),
    /batchExamples: expected batchSize to be a positive integer but found 0/,
  );
  throws(
    () => batchExamples(examples, vocab, { batchSize: 2, order: "sorted" as "random" }),
    /batchExamples: expected order to be "random" or "bucketed" but found "sorted"/,
  );
  throws(
    () => batchExamples(examples, vocab, { batchSize: 2, padTo: 0 }),
    /batchExamples: expected padTo to be a positive integer but found 0/,
  );
  throws(
    () => batchExamples(examples, vocab, { batchSize: 2, maxLength: 2.5 }),
    /batchExamples: expected maxLength to be a positive integer but found 2.5/,
  );
  throws(
    () => batchExamples(examples, vocab, { batchSize: 2, seed: Number.NaN }),
    /batchExamples: expected an integer seed but found NaN/,
  );
  throws(
    () => batchExamples([...examples, { text: "?!", label: 0 }], vocab, { batchSize: 2 }),
    /batchExamples: expected every example to have at least one word but example 1 \("\?!"\) has none/,
  );
  throws(
    () => batchExamples([{ text: 3, label: 0 } as never], vocab, { batchSize: 2 }),
    /batchExamples: expected example 0 to be \{ text: string, label: number \}/,
  );
});

Deno.test("batchExamples (property): every example once, masks and ids consistent", () => {
  const word = fc.constantFrom("good", "bad", "film", "plot", "__proto__", "rare");
  const example = fc.record({
    text: fc.array(word, { minLength: 1, maxLength: 9 }).map((words) => words.join(" ")),
    label: fc.integer({ min: 0, max: 1 }),
  });
  fc.assert(
    fc.property(
      fc.array(example, { maxLength: 40 }),
      fc.integer({ min: 1, max: 12 }),
      fc.constantFrom("random" as const, "bucketed" as const),
      fc.integer({ min: 0, max: 1 << 30 }),
      fc.boolean(),
      (examples, batchSize, order, seed, fixed) => {
        const vocab = Vocabulary.fromTexts(examples.slice(0, 5).map((e) => e.text));
        const padTo = fixed ? 9 : undefined;
        const batches = batchExamples(examples, vocab, { batchSize, order, seed, padTo });
        strictEqual(batches.length, Math.ceil(examples.length / batchSize));
        deepStrictEqual(indicesOf(batches).sort((a, b) => a - b), range(examples.length));
        for (const batch of batches) checkBatch(batch, examples, vocab, padTo);
      },
    ),
    RUNS,
  );
});

Deno.test("lengthStats: the corpus's length distribution, in words", () => {
  const all = loadSentences();
  const stats = lengthStats(all);
  console.log(
    `sentence lengths (words) of all 3,000: median ${stats.median}, 90th percentile ${stats.p90}, longest ${stats.longest}, mean ${
      stats.mean.toFixed(2)
    }, shortest ${stats.shortest}`,
  );
  strictEqual(stats.count, 3000);
  deepStrictEqual(stats.lengths, all.map((s) => tokenize(s.text).length));
  const sorted = [...stats.lengths].sort((a, b) => a - b);
  // n = 3000: the median interpolates halfway between the 1,500th and 1,501st lengths,
  // the 90th percentile at position 0.9 · 2999 = 2699.1.
  strictEqual(stats.median, (sorted[1499]! + sorted[1500]!) / 2);
  strictEqual(stats.p90, sorted[2699]! + 0.1 * (sorted[2700]! - sorted[2699]!));
  strictEqual(stats.longest, Math.max(...stats.lengths));
  strictEqual(stats.shortest, 1);
  strictEqual(stats.unknownShare, undefined);
  // The same numbers as the PyTorch reference of the training issue (median 10, longest 73).
  strictEqual(stats.median, 10);
  strictEqual(stats.longest, 73);
  // Out-of-vocabulary words of the test split under a vocabulary built on train.
  const { train, test } = splitExamples(all, { seed: 0 });
  const vocab = Vocabulary.fromTexts(train.map((s) => s.text), { minCount: 2 });
  const testStats = lengthStats(test, vocab);
  const words = test.flatMap((s) => tokenize(s.text));
  const unknown = words.filter((w) => vocab.idOf(w) === 1).length;
  strictEqual(testStats.unknownShare, unknown / words.length);
  console.log(
    `vocabulary of the 2,400 training sentences at minCount 2: ${vocab.size} ids; unknown share of the test words ${
      testStats.unknownShare!.toFixed(3)
    }`,
  );
  ok(testStats.unknownShare! > 0 && testStats.unknownShare! < 0.5);
  strictEqual(lengthStats([{ text: "a" }, { text: "b c" }]).p90, 1.9);
  throws(() => lengthStats([]), /lengthStats: expected a non-empty array of \{ text \} examples/);
});

Deno.test("paddingShare: zeros of the masks over all positions", () => {
  strictEqual(paddingShare([]), 0);
  strictEqual(paddingShare([{ mask: tensor([[1, 1], [1, 0]]) }]), 0.25);
  strictEqual(paddingShare([{ mask: tensor([[1, 1, 1]]) }, { mask: tensor([[1, 0, 0]]) }]), 2 / 6);
  throws(
    () => paddingShare([{ mask: tensor([1, 0]) }]),
    /paddingShare: expected batch 0 to have a mask of shape \(B, T\) but found \[2\]/,
  );
});

Deno.test("AFINN baseline: the sentiment package's own score, > 0 → positive", () => {
  const all = loadSentences();
  const reference = new Sentiment();
  for (const sentence of all) {
    const score: number = reference.analyze(sentence.text).score;
    strictEqual(afinnScore(sentence.text), score);
    strictEqual(afinnPredict(sentence.text), score > 0 ? 1 : 0);
  }
  const result = afinnAccuracy(all);
  const zeros = all.filter((s) => afinnScore(s.text) === 0);
  console.log(
    `AFINN (sentiment@5.0.2, score > 0 → positive, 0 → negative) on all 3,000: accuracy ${
      result.accuracy.toFixed(4)
    } (${result.correct}/${result.total}); ${result.zeroScores} scored 0, of which ${
      zeros.filter((s) => s.label === 0).length
    } are negative`,
  );
  strictEqual(result.total, 3000);
  strictEqual(result.zeroScores, zeros.length);
  strictEqual(result.accuracy, result.correct / 3000);
  // Pinned data and a pinned package: the count is exact.
  strictEqual(result.correct, 2382);
  for (const source of SENTENCE_SOURCES) {
    const part = afinnAccuracy(loadSentences({ source }));
    console.log(`  ${source}: ${part.accuracy.toFixed(3)}`);
  }
  throws(() => afinnAccuracy([]), /afinnAccuracy: expected a non-empty array/);
  throws(
    () => afinnAccuracy([{ text: "good", label: 2 }]),
    /afinnAccuracy: expected example 0 to be \{ text: string, label: 0 \| 1 \}/,
  );
  throws(() => afinnScore(1 as unknown as string), /afinnScore: expected a string/);
});

Deno.test("the sentiment package and its fixtures load offline without warnings", async () => {
  const script = `import { afinnAccuracy, loadSentences } from "./mod.ts";
console.log(afinnAccuracy(loadSentences({ source: "imdb" })).total);`;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--cached-only", "--no-prompt", script],
    cwd: new URL("..", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const errors = new TextDecoder().decode(stderr);
  strictEqual(code, 0, errors);
  strictEqual(new TextDecoder().decode(stdout), "1000\n");
  strictEqual(errors, "", "nothing on stderr: no warnings, no downloads");
});
