/**
 * Bengali text through `tokenize`: conjuncts, the hasanta/virama, ZWNJ/ZWJ,
 * Bengali digits and the danda — examples and fast-check properties.
 */
import fc from "fast-check";
import { deepStrictEqual, ok } from "node:assert/strict";
import { BENGALI_COMPANIONS, BENGALI_SENTENCES, encodeBatch, tokenize } from "../mod.ts";

const VIRAMA = "\u09cd";
const ZWNJ = "\u200c";
const ZWJ = "\u200d";

Deno.test("tokenize (Bengali): conjuncts and the hasanta stay inside their words", () => {
  deepStrictEqual(tokenize("ক্ষমা বিজ্ঞান সন্ধ্যা রাষ্ট্র স্বপ্ন"), [
    "ক্ষমা",
    "বিজ্ঞান",
    "সন্ধ্যা",
    "রাষ্ট্র",
    "স্বপ্ন",
  ]);
  // A word that ends in the hasanta, and khanda ta (ৎ).
  deepStrictEqual(tokenize("বাক্ সৎ উৎসব বিদ্যুৎ"), ["বাক্", "সৎ", "উৎসব", "বিদ্যুৎ"]);
  // Candrabindu, anusvara, visarga are marks of their word.
  deepStrictEqual(tokenize("হ্যাঁ, রং আর দুঃখ।"), ["হ্যাঁ", "রং", "আর", "দুঃখ"]);
  for (const word of tokenize("ক্ষমা বিজ্ঞান সন্ধ্যা")) ok(word.includes(VIRAMA), word);
});

Deno.test("tokenize (Bengali): ZWNJ and ZWJ inside a word are kept, at its end dropped", () => {
  // ক্‌ষ: the ZWNJ asks for a visible hasanta instead of the conjunct ক্ষ — another spelling.
  deepStrictEqual(tokenize(`ক্${ZWNJ}ষ ক্ষ`), [`ক্${ZWNJ}ষ`, "ক্ষ"]);
  // র‍্যাব: ra + ZWJ + hasanta + ya writes the ya-phala; without ZWJ it is a reph (র্যাব).
  deepStrictEqual(tokenize(`র${ZWJ}্যাব র্যাব`), [`র${ZWJ}্যাব`, "র্যাব"]);
  // Trailing joiners change nothing on screen: the same token as without them.
  deepStrictEqual(tokenize(`কাজ${ZWNJ} কাজ${ZWJ}। কাজ`), ["কাজ", "কাজ", "কাজ"]);
  // A joiner on its own is not a word.
  deepStrictEqual(tokenize(`${ZWNJ} ${ZWJ}`), []);
});

Deno.test("tokenize (Bengali): digits, the danda and the double danda", () => {
  deepStrictEqual(tokenize("১২৩ টাকা, ২০২৪ সালে।"), ["১২৩", "টাকা", "২০২৪", "সালে"]);
  deepStrictEqual(tokenize("প্রথম।দ্বিতীয়॥তৃতীয়।।"), ["প্রথম", "দ্বিতীয়", "তৃতীয়"]);
  deepStrictEqual(tokenize("১২.৫ কেজি"), ["১২.৫", "কেজি"], "a decimal number is one token");
  deepStrictEqual(tokenize("২টি বই"), ["২টি", "বই"], "a digit with a classifier is one word");
  deepStrictEqual(tokenize("সিনেমাটা ভালো! Loved it"), ["সিনেমাটা", "ভালো", "loved", "it"]);
});

Deno.test("tokenize (Bengali): precomposed and decomposed letters give the same token", () => {
  // য় (U+09DF) and য + nukta (U+09AF U+09BC); ো (U+09CB) and ে + া.
  deepStrictEqual(tokenize("\u09df"), tokenize("\u09af\u09bc"));
  deepStrictEqual(tokenize("ক\u09cb"), tokenize("ক\u09c7\u09be"));
});

Deno.test("the built-in Bengali examples: 2 and 4 words, padded to (2, 4, 3)", () => {
  const batch = encodeBatch(BENGALI_SENTENCES, { dim: 3, seed: 0 });
  deepStrictEqual(batch.tokens, [["ছবিটা", "চমৎকার"], ["অভিনয়", "একেবারেই", "জঘন্য", "ছিল"]]);
  deepStrictEqual(batch.x.shape, [2, 4, 3]);
  deepStrictEqual(batch.mask.toArray(), [[1, 1, 0, 0], [1, 1, 1, 1]]);
  for (const batchSentences of BENGALI_COMPANIONS) {
    for (const sentence of batchSentences) ok(tokenize(sentence).length > 0, sentence);
  }
});

// ---- properties ----------------------------------------------------------------------------

const range = (from: number, to: number, skip: number[] = []) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i).filter((c) => !skip.includes(c))
    .map((c) => String.fromCodePoint(c));
/** ক … হ, and ড় ঢ় য়. */
const CONSONANTS = [...range(0x995, 0x9b9, [0x9a9, 0x9b1, 0x9b3, 0x9b4, 0x9b5]), "ড়", "ঢ়", "য়"];
/** অ … ঔ. */
const VOWELS = range(0x985, 0x994, [0x98d, 0x98e, 0x991, 0x992]);
/** া ি ী ু ূ ৃ ে ৈ ো ৌ. */
const VOWEL_SIGNS = [...range(0x9be, 0x9c4), "\u09c7", "\u09c8", "\u09cb", "\u09cc"];
/** ঁ ং ঃ. */
const MODIFIERS = range(0x981, 0x983);
const DIGITS = range(0x9e6, 0x9ef);

const consonant = fc.constantFrom(...CONSONANTS);
/** A conjunct: 1–3 consonants joined by the hasanta, sometimes shown explicitly with ZWNJ. */
const cluster = fc.array(fc.tuple(consonant, fc.constantFrom(VIRAMA, VIRAMA, VIRAMA + ZWNJ)), {
  maxLength: 2,
}).chain((joined) => consonant.map((last) => joined.map(([c, v]) => c + v).join("") + last));
const syllable = fc.oneof(
  fc.tuple(fc.constantFrom(...VOWELS), fc.option(fc.constantFrom(...MODIFIERS), { nil: "" }))
    .map(([v, m]) => v + m),
  fc.tuple(
    cluster,
    fc.option(fc.constantFrom(...VOWEL_SIGNS), { nil: "" }),
    fc.option(fc.constantFrom(...MODIFIERS), { nil: "" }),
  ).map(([c, v, m]) => c + v + m),
  // র‍্য (ra + ZWJ + hasanta + ya) and khanda ta.
  fc.constant(`র${ZWJ}্যা`),
  fc.constant("ৎ"),
);
/** A Bengali word: 1–4 syllables, maybe ending in a hasanta; or a Bengali number. */
const word = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(fc.array(syllable, { minLength: 1, maxLength: 4 }), fc.boolean()),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.array(fc.constantFrom(...DIGITS), { minLength: 1, maxLength: 4 }),
      fc.constant(false),
    ),
  },
).filter(([parts]) => !parts[0]!.startsWith("ৎ") || parts.length > 1)
  .map(([parts, hasanta]) => {
    const text = parts.join("");
    // A final hasanta belongs on a consonant; digits never take one.
    return hasanta && CONSONANTS.some((c) => text.endsWith(c)) ? text + VIRAMA : text;
  });
/** What may stand between words: spaces, the danda, the double danda and other punctuation. */
const separator = fc.constantFrom(
  " ",
  "। ",
  "।",
  "॥",
  ", ",
  "? ",
  "! ",
  "\n",
  " — ",
  "; ",
  " (",
  ") ",
);

Deno.test("property: Bengali words joined by spaces, dandas or punctuation come back whole", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(word, separator), { minLength: 1, maxLength: 8 }),
      fc.constantFrom("", " ", "।", "\u200c"),
      (pairs, tail) => {
        const text = pairs.map(([w, s]) => w + s).join("") + tail;
        const expected = pairs.map(([w]) => w.normalize("NFC"));
        deepStrictEqual(tokenize(text), expected, JSON.stringify(text));
      },
    ),
    { numRuns: 400 },
  );
});

Deno.test("property: tokens are clean words, in order, and tokenizing them again changes nothing", () => {
  // Any mix of Bengali letters, marks, joiners, digits, dandas and spaces, even ill-formed.
  const unit = fc.constantFrom(
    ...CONSONANTS,
    ...VOWELS,
    ...VOWEL_SIGNS,
    ...MODIFIERS,
    ...DIGITS,
    VIRAMA,
    ZWNJ,
    ZWJ,
    "ৎ",
    "।",
    "॥",
    " ",
    ",",
    "a",
    "B",
  );
  fc.assert(
    fc.property(fc.array(unit, { maxLength: 40 }), (units) => {
      const text = units.join("");
      const tokens = tokenize(text);
      const normalized = text.normalize("NFC").toLowerCase();
      let from = 0;
      for (const token of tokens) {
        ok(token.length > 0, "no empty token");
        ok(!/[\s।॥]/.test(token), `no space or danda inside ${JSON.stringify(token)}`);
        // A comma only inside a number (১,০০০), as in English (marks and joiners aside).
        const bare = token.replace(/[\p{M}\u200c\u200d]/gu, "");
        ok(!/(^|[^০-৯]),|,([^০-৯]|$)/.test(bare), `no comma outside a number: ${token}`);
        ok(!/[\u200c\u200d]$/.test(token), "no trailing joiner");
        const at = normalized.indexOf(token, from);
        ok(at >= 0, `${JSON.stringify(token)} is a piece of the text, in order`);
        from = at + token.length;
      }
      deepStrictEqual(tokenize(tokens.join(" ")), tokens, JSON.stringify(text));
    }),
    { numRuns: 400 },
  );
});
