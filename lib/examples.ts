/**
 * Built-in example data: the classic padded batch and the corpus numbers.
 *
 * @module
 */

/**
 * The classic example for sentiment analysis: a 2-word and a 4-word
 * sentence, which pad to (B, T) = (2, 4).
 */
export const CLASSIC_SENTENCES: readonly string[] = Object.freeze([
  "Loved it",
  "The acting was terrible",
]);

/** The corpus argument: a typical document has 32 words… */
export const TYPICAL_LENGTH = 32;
/** …and the longest, which sets the padded length, has 100. */
export const LONGEST_LENGTH = 100;

/** The embedding width of the classic example. */
export const CLASSIC_DIM = 3;

/**
 * The classic example in Bengali: a short positive review ("the film is
 * wonderful") and a longer negative one ("the acting was utterly
 * terrible."), 2 and 4 words, which pad to (B, T) = (2, 4). Their words keep
 * the khanda ta (ৎ), a conjunct with the hasanta (ন্য) and the danda (।).
 */
export const BENGALI_SENTENCES: readonly string[] = Object.freeze([
  "ছবিটা চমৎকার",
  "অভিনয় একেবারেই জঘন্য ছিল।",
]);

/**
 * Batch companions for the Bengali batch-dependence experiment, one list per
 * batch: the classic partner, a long negative review, two one-word reviews
 * and a long positive one.
 */
export const BENGALI_COMPANIONS: readonly (readonly string[])[] = Object.freeze([
  ["অভিনয় একেবারেই জঘন্য ছিল।"],
  ["একটা ধীর আর অসহ্য রকমের লম্বা সিনেমা যার গল্প শেষ পর্যন্ত কোথাও পৌঁছায় না।"],
  ["অসাধারণ", "বিরক্তিকর"],
  ["কালই আবার বন্ধুবান্ধব আর পরিবারের সবাইকে নিয়ে ছবিটা দেখতে চাই।"],
]);
