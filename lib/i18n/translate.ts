/**
 * Languages as data: the supported languages, their message catalogues and
 * font stacks, and a translator that fills a message's `{name}` slots.
 *
 * @module
 */
import { BN } from "./bn.ts";
import { EN, type MessageKey, type Messages } from "./en.ts";

export type { MessageKey, Messages };

/** A language normlab speaks: `"en"` English, `"bn"` Bengali (বাংলা). */
export type Language = "en" | "bn";

/** The supported languages, the default first. */
export const LANGUAGES: readonly Language[] = Object.freeze(["en", "bn"]);

const CATALOGUES: Readonly<Record<Language, Messages>> = { en: EN, bn: BN };

/**
 * The CSS font stack per language. Bengali needs a font with Bengali glyphs
 * (and shaping for its conjuncts): Noto Sans Bengali (Debian's
 * `fonts-noto-core`, Android, most Linux desktops), Lohit Bengali (Fedora,
 * `fonts-beng`), Vrinda and Shonar Bangla (Windows); Latin text falls
 * through to the generic sans-serif.
 */
const FONTS: Readonly<Record<Language, string>> = {
  en: "system-ui, -apple-system, Segoe UI, sans-serif",
  bn: '"Noto Sans Bengali", "Lohit Bengali", Vrinda, "Shonar Bangla", sans-serif',
};

/** Values for a message's `{name}` slots. */
export type MessageValues = Readonly<Record<string, string | number>>;

/** Looks up a message by key and fills its `{name}` slots. */
export type Translate = (key: MessageKey, values?: MessageValues) => string;

/**
 * Checks that `lang` is a supported language and returns it; `undefined`
 * means English.
 *
 * @example
 * ```ts
 * import { checkLanguage } from "./translate.ts";
 * import { strictEqual, throws } from "node:assert/strict";
 *
 * strictEqual(checkLanguage("bn", "heatmap"), "bn");
 * strictEqual(checkLanguage(undefined, "heatmap"), "en");
 * throws(() => checkLanguage("fr", "heatmap"), /heatmap: expected lang to be one of "en", "bn" but found "fr"/);
 * ```
 */
export function checkLanguage(lang: unknown, operation: string): Language {
  if (lang === undefined) return "en";
  if (typeof lang === "string" && (LANGUAGES as readonly string[]).includes(lang)) {
    return lang as Language;
  }
  throw new Error(
    `${operation}: expected lang to be one of ${
      LANGUAGES.map((l) => JSON.stringify(l)).join(", ")
    } but found ${typeof lang === "string" ? JSON.stringify(lang) : typeof lang}`,
  );
}

/**
 * A translator for `lang`: `t(key, values)` returns the message with each
 * `{name}` replaced by `values.name`. A slot without a value throws, so a
 * message never shows a raw `{name}`.
 *
 * @param lang The language. @default {"en"}
 * @returns The lookup function.
 *
 * @example
 * ```ts
 * import { translator } from "./translate.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(translator("en")("name.typical", { length: 32 }), "typical (32)");
 * strictEqual(translator("bn")("name.typical", { length: 32 }), "সাধারণ (32)");
 * ```
 */
export function translator(lang: Language = "en"): Translate {
  const messages = CATALOGUES[checkLanguage(lang, "translator")];
  return (key, values = {}) => {
    const message = messages[key];
    if (message === undefined) {
      throw new Error(`translator: expected a message key but found ${JSON.stringify(key)}`);
    }
    return message.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = values[name];
      if (value === undefined) {
        throw new Error(
          `translator: expected a value for {${name}} in message ${JSON.stringify(key)} (${lang})`,
        );
      }
      return String(value);
    });
  };
}

/**
 * The catalogue of `lang`: every key with its message, slots unfilled.
 *
 * @example
 * ```ts
 * import { messages } from "./translate.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(Object.keys(messages("bn")).sort(), Object.keys(messages("en")).sort());
 * ```
 */
export function messages(lang: Language): Messages {
  return CATALOGUES[checkLanguage(lang, "messages")];
}

/**
 * The CSS font-family stack for text in `lang` (charts and reports).
 *
 * @example
 * ```ts
 * import { fontFamily } from "./translate.ts";
 * import { ok } from "node:assert/strict";
 *
 * ok(fontFamily("bn").startsWith('"Noto Sans Bengali", "Lohit Bengali"'));
 * ```
 */
export function fontFamily(lang: Language = "en"): string {
  return FONTS[checkLanguage(lang, "fontFamily")];
}
