/**
 * A word vocabulary: words to integer ids and back, with id 0 for padding
 * and id 1 for unknown words.
 *
 * @module
 */
import { tokenize } from "../text.ts";

/** The id of padding positions, the row an `Embedding` with `paddingIdx: 0` keeps at zero. */
export const PAD_ID = 0;
/** The id of every word that is not in the vocabulary. */
export const UNK_ID = 1;
/** How {@linkcode Vocabulary.decode} and {@linkcode Vocabulary.words} show id 0. */
export const PAD_TOKEN = "<pad>";
/** How {@linkcode Vocabulary.decode} and {@linkcode Vocabulary.words} show id 1. */
export const UNK_TOKEN = "<unk>";

/** Options for {@linkcode Vocabulary.fromTexts}. */
export interface VocabularyOptions {
  /**
   * Keep only words that occur at least this many times in the texts; rarer
   * words encode as unknown (id 1).
   * @default {1}
   */
  minCount?: number;
}

/**
 * Maps the lower-cased words of {@linkcode tokenize} to ids: 0 = padding,
 * 1 = unknown, then the words from the most to the least frequent, ties in
 * code-unit (not locale) order, so the ids are the same on every machine.
 * Words are kept in a `Map`, so words such as "constructor" or "__proto__"
 * are ordinary words.
 *
 * Build it from the training split only: words seen only in validation or
 * test data then encode as unknown, as they would for new text.
 *
 * @example
 * ```ts
 * import { Vocabulary } from "./vocabulary.ts";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 *
 * const vocab = Vocabulary.fromTexts(["A good film.", "A bad film!", "A film"]);
 * deepStrictEqual(vocab.words, ["<pad>", "<unk>", "a", "film", "bad", "good"]);
 * strictEqual(vocab.size, 6);
 * deepStrictEqual(vocab.encode("A truly good film"), [2, 1, 5, 3]);
 * strictEqual(vocab.decode([2, 1, 5, 3, 0, 0]), "a <unk> good film");
 * ```
 */
export class Vocabulary {
  readonly #words: readonly string[];
  readonly #ids: Map<string, number>;

  private constructor(words: readonly string[]) {
    this.#words = Object.freeze([...words]);
    this.#ids = new Map(words.map((word, id) => [word, id]));
  }

  /**
   * Builds a vocabulary from texts: every word of `tokenize(text)` occurring
   * at least `minCount` times, ordered by count (descending) and then by the
   * word's code units.
   *
   * @param texts The texts to count words in (the training split's).
   * @param options The minimum count.
   * @returns The vocabulary.
   *
   * @example
   * ```ts
   * import { Vocabulary } from "./vocabulary.ts";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * const vocab = Vocabulary.fromTexts(["bad bad good", "good ok"], { minCount: 2 });
   * deepStrictEqual(vocab.words, ["<pad>", "<unk>", "bad", "good"]);
   * deepStrictEqual(vocab.encode("ok good"), [1, 3]);
   * ```
   */
  static fromTexts(texts: Iterable<string>, options: VocabularyOptions = {}): Vocabulary {
    const minCount = options.minCount ?? 1;
    if (!Number.isInteger(minCount) || minCount < 1) {
      throw new Error(
        `Vocabulary.fromTexts: expected minCount to be a positive integer but found ${minCount}`,
      );
    }
    if (texts === null || typeof texts !== "object" || !(Symbol.iterator in texts)) {
      throw new Error("Vocabulary.fromTexts: expected a list of texts");
    }
    const counts = new Map<string, number>();
    let index = 0;
    for (const text of texts) {
      if (typeof text !== "string") {
        throw new Error(
          `Vocabulary.fromTexts: expected text ${index} to be a string but found ${typeof text}`,
        );
      }
      for (const word of tokenize(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
      index++;
    }
    const kept = [...counts].filter(([, count]) => count >= minCount);
    kept.sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : a > b ? 1 : 0));
    return new Vocabulary([PAD_TOKEN, UNK_TOKEN, ...kept.map(([word]) => word)]);
  }

  /**
   * Rebuilds a vocabulary from its {@linkcode Vocabulary.words} (for example
   * saved as JSON next to a model's weights), keeping every id.
   *
   * @param words `["<pad>", "<unk>", ...]`, index = id.
   * @returns The vocabulary.
   *
   * @example
   * ```ts
   * import { Vocabulary } from "./vocabulary.ts";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * const vocab = Vocabulary.fromTexts(["so so good"]);
   * const copy = Vocabulary.fromWords(JSON.parse(JSON.stringify(vocab.words)));
   * deepStrictEqual(copy.encode("good so"), vocab.encode("good so"));
   * ```
   */
  static fromWords(words: readonly string[]): Vocabulary {
    if (!Array.isArray(words) || words[PAD_ID] !== PAD_TOKEN || words[UNK_ID] !== UNK_TOKEN) {
      throw new Error(
        `Vocabulary.fromWords: expected a list of words starting with "${PAD_TOKEN}", "${UNK_TOKEN}"`,
      );
    }
    const seen = new Set<string>();
    for (const [id, word] of words.entries()) {
      if (typeof word !== "string" || word === "" || seen.has(word)) {
        throw new Error(
          `Vocabulary.fromWords: expected distinct non-empty words but found ${
            JSON.stringify(word)
          } at id ${id}`,
        );
      }
      seen.add(word);
    }
    return new Vocabulary(words);
  }

  /** The number of ids, padding and unknown included (the embedding table's row count). */
  get size(): number {
    return this.#words.length;
  }

  /** Every id's word, index = id: `["<pad>", "<unk>", most frequent word, ...]` (frozen). */
  get words(): readonly string[] {
    return this.#words;
  }

  /**
   * A word's id: 1 (unknown) for a word not in the vocabulary. The word is
   * looked up as given; {@linkcode Vocabulary.encode} lower-cases text first.
   */
  idOf(word: string): number {
    const id = this.#ids.get(word);
    return id === undefined || id === PAD_ID || id === UNK_ID ? UNK_ID : id;
  }

  /**
   * Encodes text as ids, one per word of `tokenize(text)` (lower-cased
   * Unicode words, punctuation dropped); unknown words are 1. Never 0.
   *
   * @param text The text.
   * @returns The ids, as long as the text's word count.
   */
  encode(text: string): number[] {
    if (typeof text !== "string") {
      throw new Error(`Vocabulary.encode: expected a string but found ${typeof text}`);
    }
    return tokenize(text).map((word) => this.idOf(word));
  }

  /**
   * Decodes ids to their words joined by spaces: padding (0) is left out,
   * unknown (1) shows as "<unk>". Accepts a row of a batch's `ids` tensor
   * (its `data`, or any array of ids).
   *
   * @param ids Integer ids in [0, size).
   * @returns The words.
   */
  decode(ids: ArrayLike<number>): string {
    const words: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const word = Number.isInteger(id) ? this.#words[id] : undefined;
      if (word === undefined) {
        throw new Error(
          `Vocabulary.decode: expected integer ids in [0, ${this.size}) but found ${id} at position ${i}`,
        );
      }
      if (id !== PAD_ID) words.push(word);
    }
    return words.join(" ");
  }
}
