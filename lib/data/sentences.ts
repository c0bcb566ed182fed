/**
 * The UCI "Sentiment Labelled Sentences" data set (Kotzias, Denil, de Freitas
 * & Smyth, "From Group to Individual Labels using Deep Features", KDD 2015;
 * CC BY 4.0): 1,000 review sentences each from IMDB, Amazon and Yelp,
 * labelled 1 (positive) or 0 (negative), 500 of each per source.
 *
 * The sentences come from the npm package `sentiment@5.0.2`, which ships them
 * as test fixtures. The version is pinned in the specifiers (and in
 * deno.lock), and JSON imports are resolved when the module loads, so after
 * the first download they are read from Deno's npm cache: no network at run
 * time and no read permission needed.
 *
 * @module
 */
import amazon from "npm:sentiment@5.0.2/test/fixtures/amazon.json" with { type: "json" };
import imdb from "npm:sentiment@5.0.2/test/fixtures/imdb.json" with { type: "json" };
import yelp from "npm:sentiment@5.0.2/test/fixtures/yelp.json" with { type: "json" };

/** Where a sentence comes from: IMDB film reviews, Amazon product reviews or Yelp restaurant reviews. */
export type SentenceSource = "imdb" | "amazon" | "yelp";

/** The sources in the order {@linkcode loadSentences} returns them for `source: "all"`. */
export const SENTENCE_SOURCES: readonly SentenceSource[] = Object.freeze([
  "imdb",
  "amazon",
  "yelp",
]);

/** A text with a class label: what splitting, batching and the baselines need. */
export interface LabeledText {
  /** The raw text. */
  text: string;
  /** The class index: 0 (negative) or 1 (positive) for sentiment. */
  label: number;
}

/** One labelled review sentence. */
export interface Sentence extends LabeledText {
  /** The sentence as published (trailing spaces of the original files kept). */
  text: string;
  /** 1 = positive, 0 = negative. */
  label: 0 | 1;
  /** The review site it comes from. */
  source: SentenceSource;
}

/** Options for {@linkcode loadSentences}. */
export interface LoadSentencesOptions {
  /**
   * One review site's 1,000 sentences, or all 3,000.
   * @default {"all"}
   */
  source?: SentenceSource | "all";
}

/** The fixtures' record shape: `class` is null only in each file's empty last record. */
interface FixtureRecord {
  text: string;
  class: number | null;
}

const FIXTURES: Readonly<Record<SentenceSource, readonly FixtureRecord[]>> = { imdb, amazon, yelp };

/**
 * Loads the labelled sentences, in the published order (IMDB, then Amazon,
 * then Yelp for `source: "all"`). Each fixture file ends with an empty record
 * (`{ text: "", class: null }`), which is dropped; everything else is kept as
 * published, including the few sentences that occur twice in the original set
 * (17 texts, each with the same label both times). Every call returns fresh
 * objects, so callers may modify them.
 *
 * @param options Which source to load.
 * @returns `{ text, label, source }` for each sentence: 3,000 for "all", 1,000 per source.
 *
 * @example
 * ```ts
 * import { loadSentences } from "./sentences.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const all = loadSentences();
 * strictEqual(all.length, 3000);
 * strictEqual(all.filter((s) => s.label === 1).length, 1500);
 * const yelp = loadSentences({ source: "yelp" });
 * strictEqual(yelp.length, 1000);
 * strictEqual(yelp[0]!.source, "yelp");
 * ```
 */
export function loadSentences(options: LoadSentencesOptions = {}): Sentence[] {
  const source = options.source ?? "all";
  if (source !== "all" && !SENTENCE_SOURCES.includes(source)) {
    throw new Error(
      `loadSentences: expected source to be "imdb", "amazon", "yelp" or "all" but found ${
        JSON.stringify(source)
      }`,
    );
  }
  const sources = source === "all" ? SENTENCE_SOURCES : [source];
  const sentences: Sentence[] = [];
  for (const name of sources) {
    for (const [index, record] of FIXTURES[name].entries()) {
      if (record.class === null && record.text === "") continue;
      if ((record.class !== 0 && record.class !== 1) || typeof record.text !== "string") {
        throw new Error(
          `loadSentences: expected record ${index} of ${name}.json to have a text and class 0 or 1 but found ${
            JSON.stringify(record)
          }`,
        );
      }
      sentences.push({ text: record.text, label: record.class, source: name });
    }
  }
  return sentences;
}
