/**
 * Internal: user text made safe to show — bidirectional controls made
 * visible (so a token cannot reorder the text around it), and control
 * characters escaped for the terminal.
 *
 * @module
 */

/**
 * The explicit bidirectional embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069): inside a token, U+202E (RIGHT-TO-LEFT OVERRIDE) makes
 * "evil\u202Etxt.exe" read backwards ("Trojan Source", CVE-2021-42574). The
 * implicit marks (LRM, RLM, ALM) and the joiners that Bengali needs are left alone.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/** C0 and C1 control characters and DEL: a terminal acts on them (ESC starts a command). */
// deno-lint-ignore no-control-regex -- matching control characters is the point
const TERMINAL_CONTROLS = /[\u0000-\u001F\u007F-\u009F]/g;

function codePoint(character: string): string {
  return `\\u{${character.codePointAt(0)!.toString(16).toUpperCase()}}`;
}

/** `text` with every explicit bidi control shown as its code point, `\u{202E}`. */
export function neutralizeBidi(text: string): string {
  return text.replace(BIDI_CONTROLS, codePoint);
}

/**
 * `text` as one terminal line: bidi controls and control characters (ESC,
 * newlines, tabs, …) shown as code points, so no input can move the cursor,
 * recolour the terminal, break the line or reorder what follows.
 */
export function terminalText(text: string): string {
  return neutralizeBidi(text).replace(TERMINAL_CONTROLS, codePoint);
}
