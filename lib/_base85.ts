/**
 * Internal: base85, the text form of plotly.js's compressed bytes in a page or
 * a notebook.
 *
 * @module
 */

/** 85 printable ASCII characters, none of which needs escaping in JS, HTML or JSON. */
export const BASE85_ALPHABET =
  "!#$%()*+,-./0123456789:;=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdefghijklmnopqrstuvwxyz~";

/**
 * Base85: every 4 bytes (big-endian, the last group zero-padded) become 5
 * digits of {@linkcode BASE85_ALPHABET}, most significant first.
 */
export function encodeBase85(bytes: Uint8Array): string {
  const groups = Math.ceil(bytes.length / 4);
  const out = new Array<string>(groups);
  const digits = new Array<string>(5);
  for (let g = 0; g < groups; g++) {
    let n = 0;
    for (let k = 0; k < 4; k++) n = n * 256 + (bytes[g * 4 + k] ?? 0);
    for (let k = 4; k >= 0; k--) {
      digits[k] = BASE85_ALPHABET[n % 85]!;
      n = Math.floor(n / 85);
    }
    out[g] = digits.join("");
  }
  return out.join("");
}
