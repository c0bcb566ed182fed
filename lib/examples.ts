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
