/**
 * Seeded, stratified train/test splits.
 *
 * @module
 */
import { hashString, RandomSource } from "../_random.ts";
import { shuffleInPlace } from "./_shuffle.ts";

/** Options for {@linkcode splitExamples}. */
export interface SplitOptions {
  /**
   * The share of each label's examples that goes to `test`, in [0, 1].
   * @default {0.2}
   */
  testFraction?: number;
  /**
   * The seed of the shuffle that picks the test examples.
   * @default {0}
   */
  seed?: number;
}

/** The two parts of a split; together they hold every example exactly once. */
export interface Split<T> {
  /** The examples not picked for `test`, in their original order. */
  train: T[];
  /** The picked examples, in their original order. */
  test: T[];
}

/**
 * Splits examples into train and test, stratified by label: for each label
 * with n examples, round(n · testFraction) of them, chosen by a seeded
 * shuffle, go to `test`, so both parts keep the label proportions. Both
 * parts keep the input order (batching shuffles later); the same seed gives
 * the same split on every machine.
 *
 * Split the training part again to carve a validation set from it, never
 * from `test`.
 *
 * @param examples Anything with a numeric `label` (the objects are shared, not copied).
 * @param options The test fraction and the seed.
 * @returns `{ train, test }`.
 *
 * @example
 * ```ts
 * import { loadSentences } from "./sentences.ts";
 * import { splitExamples } from "./split.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const { train: rest, test } = splitExamples(loadSentences(), { testFraction: 0.2, seed: 0 });
 * strictEqual(test.length, 600); // 300 positive, 300 negative
 * // A validation split, carved from the training part only.
 * const { train, test: validation } = splitExamples(rest, { testFraction: 0.1, seed: 1 });
 * strictEqual(train.length + validation.length, 2400);
 * strictEqual(validation.filter((e) => e.label === 1).length, 120);
 * ```
 */
export function splitExamples<T extends { label: number }>(
  examples: readonly T[],
  options: SplitOptions = {},
): Split<T> {
  const testFraction = options.testFraction ?? 0.2;
  const seed = options.seed ?? 0;
  if (!Array.isArray(examples)) {
    throw new Error("splitExamples: expected an array of examples");
  }
  if (typeof testFraction !== "number" || !(testFraction >= 0 && testFraction <= 1)) {
    throw new Error(
      `splitExamples: expected testFraction to be a number in [0, 1] but found ${testFraction}`,
    );
  }
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`splitExamples: expected an integer seed but found ${seed}`);
  }
  // Group indices by label.
  const byLabel = new Map<number, number[]>();
  for (const [index, example] of examples.entries()) {
    const label = example?.label;
    if (typeof label !== "number" || !Number.isFinite(label)) {
      throw new Error(
        `splitExamples: expected example ${index} to have a numeric label but found ${
          JSON.stringify(label)
        }`,
      );
    }
    const group = byLabel.get(label);
    if (group) group.push(index);
    else byLabel.set(label, [index]);
  }
  const inTest = new Uint8Array(examples.length);
  for (const [label, group] of byLabel) {
    // One random stream per (seed, label): a label's picks do not depend on the other labels.
    shuffleInPlace(group, new RandomSource(hashString(`${seed}\u0000${label}`)));
    const count = Math.round(group.length * testFraction);
    for (let i = 0; i < count; i++) inTest[group[i]!] = 1;
  }
  const train: T[] = [];
  const test: T[] = [];
  for (const [index, example] of examples.entries()) {
    (inTest[index] ? test : train).push(example);
  }
  return { train, test };
}
