/**
 * From sentences to tensors: Unicode word tokenisation, deterministic word
 * embeddings, and padded batches.
 *
 * @module
 */
import { hashString, RandomSource } from "./_random.ts";
import { type PaddedBatch, padSequences } from "./padding.ts";
import { Tensor } from "./tensor.ts";

const WORDS = new Intl.Segmenter(undefined, { granularity: "word" });
/** ZWNJ and ZWJ at the end of a word: they join nothing, so the word looks the same without them. */
const TRAILING_JOINERS = /[\u200c\u200d]+$/;

/**
 * Splits text into lower-cased words with the Unicode word-boundary rules
 * (`Intl.Segmenter`), so English, Bengali and other scripts all work;
 * punctuation (including the danda । and double danda ॥) and spaces are
 * dropped. The text is NFC-normalised first, so a word typed with
 * precomposed or decomposed letters (য় or য + ়) is one token.
 *
 * Bengali words stay whole: conjuncts (ক্ষ, ন্য), the hasanta/virama (্),
 * khanda ta (ৎ), and ZWNJ/ZWJ inside a word (the explicit hasanta ক্‌ষ, the
 * ra-phala of র‍্যাব) are part of the word; a run of Bengali digits (১২৩) is
 * one token. A ZWNJ or ZWJ at the end of a word, which changes nothing on
 * screen, is dropped.
 *
 * @example
 * ```ts
 * import { tokenize } from "./text.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(tokenize("I loved this movie!"), ["i", "loved", "this", "movie"]);
 * deepStrictEqual(tokenize("আমি বইটি পছন্দ করি।"), ["আমি", "বইটি", "পছন্দ", "করি"]);
 * deepStrictEqual(tokenize("ক্ষমা চাই। ২০২৪ সাল॥"), ["ক্ষমা", "চাই", "২০২৪", "সাল"]);
 * ```
 */
export function tokenize(text: string): string[] {
  if (typeof text !== "string") {
    throw new Error(`tokenize: expected a string but found ${typeof text}`);
  }
  const tokens: string[] = [];
  for (const segment of WORDS.segment(text.normalize("NFC"))) {
    if (segment.isWordLike) {
      tokens.push(segment.segment.replace(TRAILING_JOINERS, "").toLowerCase());
    }
  }
  return tokens;
}

/** Options for {@linkcode embed}. */
export interface EmbedOptions {
  /** D, the embedding width. */
  dim: number;
  /**
   * The embedding table's seed: a word maps to the same vector for a given seed.
   * @default {0}
   */
  seed?: number;
}

/**
 * Embeds tokens as a (T, D) tensor: each word's vector is drawn from N(0, 1)
 * with a generator seeded by a hash of the word and `seed`, so a word has the
 * same vector in every sentence, batch and run — a fixed random embedding
 * table without a vocabulary.
 *
 * @example
 * ```ts
 * import { embed } from "./text.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const a = embed(["good", "movie"], { dim: 3, seed: 1 });
 * const b = embed(["movie"], { dim: 3, seed: 1 });
 * deepStrictEqual(a.shape, [2, 3]);
 * deepStrictEqual((a.toArray() as number[][])[1], (b.toArray() as number[][])[0]);
 * ```
 */
export function embed(tokens: readonly string[], options: EmbedOptions): Tensor {
  const dim = options?.dim;
  if (!Number.isInteger(dim) || dim < 1) {
    throw new Error(`embed: expected dim to be a positive integer but found ${dim}`);
  }
  if (!Array.isArray(tokens) || tokens.some((token) => typeof token !== "string")) {
    throw new Error("embed: expected a list of string tokens");
  }
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`embed: expected an integer seed but found ${seed}`);
  }
  const data = new Float32Array(tokens.length * dim);
  for (const [t, token] of tokens.entries()) {
    const source = new RandomSource(hashString(`${seed}\u0000${token}`));
    for (let d = 0; d < dim; d++) data[t * dim + d] = source.normal();
  }
  return new Tensor(data, [tokens.length, dim]);
}

/** Options for {@linkcode encodeBatch}. */
export interface EncodeOptions {
  /**
   * D, the embedding width.
   * @default {3}
   */
  dim?: number;
  /**
   * The embedding seed.
   * @default {0}
   */
  seed?: number;
  /**
   * Pad (or, if longer, reject) to this many positions.
   * @default {the longest sentence's length}
   */
  maxLength?: number;
}

/** A batch of sentences as tensors. */
export interface EncodedBatch extends PaddedBatch {
  /** Each sentence's tokens (without padding). */
  tokens: string[][];
}

/**
 * Tokenises, embeds and right-pads sentences: x (B, T, D), mask (B, T)
 * with 1 at real tokens, and the tokens and lengths.
 *
 * @example
 * ```ts
 * import { encodeBatch } from "./text.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const { x, mask, tokens } = encodeBatch(["Great film", "I did not like it"]);
 * deepStrictEqual(x.shape, [2, 5, 3]);
 * deepStrictEqual(mask.toArray(), [[1, 1, 0, 0, 0], [1, 1, 1, 1, 1]]);
 * deepStrictEqual(tokens[0], ["great", "film"]);
 * ```
 */
export function encodeBatch(
  sentences: readonly string[],
  options: EncodeOptions = {},
): EncodedBatch {
  if (!Array.isArray(sentences) || sentences.length === 0) {
    throw new Error("encodeBatch: expected a non-empty list of sentences but found none");
  }
  const dim = options.dim ?? 3;
  const tokens = sentences.map((sentence) => tokenize(sentence));
  const padded = padSequences(
    tokens.map((words) => embed(words, { dim, seed: options.seed }).reshape(words.length, dim)),
    { maxLength: options.maxLength },
  );
  return { ...padded, tokens };
}
