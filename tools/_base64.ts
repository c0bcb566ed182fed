/**
 * Base64 of bytes (tools only).
 *
 * @module
 */
import { Buffer } from "node:buffer";

/** The standard base64 text of `bytes`. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}
