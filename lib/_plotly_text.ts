/**
 * Internal: user text made literal for Plotly.
 *
 * Plotly renders a subset of HTML in every SVG text field (titles, axis
 * titles, tick labels, legend names, annotations, hover labels): `<a href>`,
 * `<span style>`, `<b>`, `<br>`. It decodes the entities `&amp; &lt; &gt;`
 * and `&#NN;` after splitting out those tags, so entity-escaped text shows
 * literally. Hover and text templates substitute `%{name}`; user text put in
 * a template has its `%` escaped as `&#37;`, which no template matches and
 * which still shows as `%`.
 *
 * Plotly also keeps category axes (and WebGL text caches) in plain objects
 * keyed by the label, so a label such as `constructor` or `__proto__` would
 * find Object.prototype's members: such labels are changed invisibly.
 *
 * @module
 */
import { neutralizeBidi } from "./_safe_text.ts";

const PLOTLY_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  "%": "&#37;",
};

/** Whether `text` names a member of Object.prototype (`constructor`, `__proto__`, `toString`, …). */
export function isPrototypeKey(text: string): boolean {
  return text in Object.prototype;
}

/**
 * `text` for any Plotly SVG text field, hover template or category: shows
 * literally, never as markup or a template field, and is never an
 * Object.prototype key (its first character becomes a numeric entity, which
 * Plotly draws as the character).
 */
export function plotlyText(text: string): string {
  const escaped = neutralizeBidi(String(text)).replace(
    /[&<>%]/g,
    (character) => PLOTLY_ESCAPES[character]!,
  );
  if (!isPrototypeKey(escaped)) return escaped;
  const first = escaped.codePointAt(0)!;
  return `&#${first};${escaped.slice(String.fromCodePoint(first).length)}`;
}

/**
 * `text` for a 3-D (WebGL) text label, which Plotly draws without decoding
 * entities but with `<b>`, `<i>`, `<sub>`, `<sup>` and `<br>` tags: a zero-width
 * space after each `<` keeps a tag from forming, and one after an
 * Object.prototype name keeps it out of the glyph cache's prototype.
 */
export function plotly3dText(text: string): string {
  const escaped = neutralizeBidi(String(text)).replace(/</g, "<\u200B");
  return isPrototypeKey(escaped) ? `${escaped}\u200B` : escaped;
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  nbsp: "\u00A0",
  mu: "μ",
  times: "×",
  plusmn: "±",
  deg: "°",
};

/**
 * The text Plotly shows for a field: its entities decoded, as Plotly does
 * (`&lt;` → `<`, `&#37;` → `%`); the inverse of {@linkcode plotlyText}.
 */
export function plotlyDisplayText(text: string): string {
  return text.replace(/&(#\d+|#x[\da-fA-F]+|[a-z]+);/g, (entity, name: string) => {
    if (name.startsWith("#")) {
      const code = name[1] === "x" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code <= 0x10FFFF ? String.fromCodePoint(code) : entity;
    }
    return NAMED_ENTITIES[name] ?? entity;
  });
}
