/**
 * Internal: escaping text for HTML and for JSON inlined in `<script>`.
 *
 * @module
 */
import { neutralizeBidi } from "./_safe_text.ts";

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes `& < > " '` so that any text is safe in HTML content and attributes,
 * and shows bidi overrides as code points so that no token reorders its
 * neighbours (see `neutralizeBidi`).
 */
export function escapeHtml(text: string): string {
  return neutralizeBidi(text).replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
}

/**
 * JSON that is safe inside a `<script>` element: `<`, `>` and `&` become
 * `\u003c`, `\u003e`, `\u0026`, so no string in it can close the script or
 * open a comment; U+2028 and U+2029 are escaped for old JavaScript parsers.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
