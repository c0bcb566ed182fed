/**
 * The AFINN word-list baseline: the score the `sentiment` package (the same
 * package that ships the sentences) computes, thresholded at zero. No
 * training, no gradients — the number a learned model should be compared to.
 *
 * @module
 */
import Sentiment from "npm:sentiment@5.0.2";

/** The part of the `sentiment` package's analyser used here (the package ships no types). */
interface SentimentAnalyzer {
  analyze(phrase: string): { score: number };
}

// Stateless after construction: `analyze` only reads the AFINN-165 word list.
const analyzer: SentimentAnalyzer = new Sentiment();

/**
 * The AFINN-165 score of a text, as `new Sentiment().analyze(text).score` of
 * `sentiment@5.0.2` computes it: the sum of its words' valences (−5 … +5),
 * with a word's sign flipped after a negator such as "not" or "don't". The
 * package splits words itself (on spaces and punctuation), not with
 * `tokenize`.
 *
 * @param text The text.
 * @returns The summed score; 0 when no listed word occurs (or they cancel).
 *
 * @example
 * ```ts
 * import { afinnScore } from "./afinn.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(afinnScore("I love it"), 3);
 * strictEqual(afinnScore("I don't love it"), -3);
 * strictEqual(afinnScore("The plot"), 0);
 * ```
 */
export function afinnScore(text: string): number {
  if (typeof text !== "string") {
    throw new Error(`afinnScore: expected a string but found ${typeof text}`);
  }
  return analyzer.analyze(text).score;
}

/**
 * The AFINN baseline's label: 1 (positive) when the score is above 0,
 * otherwise 0 — a score of exactly 0 (no sentiment word, or words that
 * cancel) counts as a negative prediction.
 *
 * @param text The text.
 * @returns 1 if `afinnScore(text) > 0`, else 0.
 *
 * @example
 * ```ts
 * import { afinnPredict } from "./afinn.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(afinnPredict("Great food!"), 1);
 * strictEqual(afinnPredict("Terrible service."), 0);
 * strictEqual(afinnPredict("We ordered the soup."), 0); // score 0 counts as negative
 * ```
 */
export function afinnPredict(text: string): 0 | 1 {
  if (typeof text !== "string") {
    throw new Error(`afinnPredict: expected a string but found ${typeof text}`);
  }
  return analyzer.analyze(text).score > 0 ? 1 : 0;
}

/** The AFINN baseline's result on a set of examples. */
export interface AfinnAccuracy {
  /** correct / total. */
  accuracy: number;
  /** How many predictions match the label. */
  correct: number;
  /** How many examples. */
  total: number;
  /** How many examples scored exactly 0 (all predicted negative). */
  zeroScores: number;
}

/**
 * The accuracy of {@linkcode afinnPredict} on labelled examples (label 1 =
 * positive, 0 = negative); a score of 0 is a negative prediction.
 *
 * @param examples `{ text, label }` objects, e.g. the test split.
 * @returns accuracy, correct, total, and how many scored 0.
 *
 * @example
 * ```ts
 * import { afinnAccuracy } from "./afinn.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const result = afinnAccuracy([
 *   { text: "Loved it", label: 1 },
 *   { text: "Awful acting", label: 0 },
 *   { text: "It was a film", label: 1 }, // score 0 → predicted negative: wrong
 * ]);
 * deepStrictEqual(result, { accuracy: 2 / 3, correct: 2, total: 3, zeroScores: 1 });
 * ```
 */
export function afinnAccuracy(
  examples: readonly { text: string; label: number }[],
): AfinnAccuracy {
  if (!Array.isArray(examples) || examples.length === 0) {
    throw new Error("afinnAccuracy: expected a non-empty array of { text, label } examples");
  }
  let correct = 0;
  let zeroScores = 0;
  for (const [index, example] of examples.entries()) {
    if (typeof example?.text !== "string" || (example.label !== 0 && example.label !== 1)) {
      throw new Error(
        `afinnAccuracy: expected example ${index} to be { text: string, label: 0 | 1 }`,
      );
    }
    const score = analyzer.analyze(example.text).score;
    if (score === 0) zeroScores++;
    if ((score > 0 ? 1 : 0) === example.label) correct++;
  }
  return { accuracy: correct / examples.length, correct, total: examples.length, zeroScores };
}
