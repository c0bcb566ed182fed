/**
 * Internal seeded random numbers: xoshiro128** seeded through splitmix32.
 *
 * Only 32-bit integer arithmetic (`Math.imul`, shifts) and the fdlibm-derived
 * `Math.log`/`Math.cos`/`Math.sin` of V8 are used, so a seed gives the same
 * numbers on every machine. There is no global generator: each call that
 * needs randomness makes its own from a seed.
 *
 * @module
 */
import type { TypedArray } from "./_dtype.ts";
import { JUMP_MINIMUM, jumpState } from "./_random_jump.ts";

/**
 * A seeded, reproducible source of uniform and normal numbers.
 *
 * The state update of xoshiro128** is written out in `nextUint32`, `skip`
 * and `fillKept` (on local variables, in their loops) and in _random_jump.ts:
 * every copy must stay the same update (tests/random_test.ts ties them to
 * one another and to the drawing one number at a time).
 */
export class RandomSource {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;
  #spareNormal: number | null = null;

  /**
   * Seeds the four words of state from one integer (any safe integer works);
   * `operation` names the caller in the error for a bad seed.
   */
  constructor(seed: number, operation = "random") {
    if (!Number.isSafeInteger(seed)) {
      throw new Error(`${operation}: expected an integer seed but found ${seed}`);
    }
    // Fold the high bits in so that seeds beyond 2^32 still differ.
    let state = (seed >>> 0) ^ Math.imul(Math.floor(seed / 4294967296) | 0, 0x9e3779b9);
    const next = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#s0 = next();
    this.#s1 = next();
    this.#s2 = next();
    this.#s3 = next();
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotateLeft(Math.imul(this.#s1, 5), 7), 9) >>> 0;
    const t = this.#s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotateLeft(this.#s3, 11);
    return result;
  }

  /**
   * Advances the generator past its next `count` 32-bit draws (two per
   * {@linkcode RandomSource.uniform}), as that many calls of `nextUint32`
   * would, without making their outputs: a few integer operations a draw, and
   * jumps for long runs (_random_jump.ts). Dropout on a packed batch skips
   * the draws that fall on padding with it.
   */
  skip(count: number): void {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new Error(`skip: expected a count of draws ≥ 0 but found ${count}`);
    }
    let s0 = this.#s0, s1 = this.#s1, s2 = this.#s2, s3 = this.#s3;
    const steps = count % JUMP_MINIMUM;
    for (let i = 0; i < steps; i++) {
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotateLeft(s3, 11);
    }
    if (count >= JUMP_MINIMUM) {
      const state = jumpScratch;
      state[0] = s0;
      state[1] = s1;
      state[2] = s2;
      state[3] = s3;
      jumpState(state, Math.floor(count / JUMP_MINIMUM));
      s0 = state[0]!;
      s1 = state[1]!;
      s2 = state[2]!;
      s3 = state[3]!;
    }
    this.#s0 = s0;
    this.#s1 = s1;
    this.#s2 = s2;
    this.#s3 = s3;
  }

  /**
   * Dropout's keep rule for `count` values in one loop: `mask[start + i] =
   * kept` when the next {@linkcode RandomSource.uniform} is ≥ p, else 0 — the
   * draws and values of calling `uniform()` once a value. Every dropout mask
   * is drawn with this rule, one number per element in row-major order, so a
   * packed batch can redraw the padded batch's. With `source` and `out`
   * (both or neither), also `out[j] = source[j] · kept` (or `· 0`) at the same
   * j, `kept` as given (a float32 mask holds it rounded).
   * (u = n / 2⁵³ for the 53-bit integer n = high·2²⁶ + low of its two draws,
   * so u ≥ p is n ≥ ⌈p·2⁵³⌉, both sides exact; the loop compares (high, low)
   * with that bound's two parts as integers and makes no float.)
   */
  fillKept(
    mask: TypedArray,
    start: number,
    count: number,
    p: number,
    kept: number,
    source: TypedArray | null = null,
    out: TypedArray | null = null,
  ): void {
    if ((source === null) !== (out === null)) {
      throw new Error("fillKept: expected source and out together or neither");
    }
    const bound = Math.ceil(p * 9007199254740992);
    const boundHigh = Math.floor(bound / 67108864);
    const boundLow = bound % 67108864;
    let s0 = this.#s0, s1 = this.#s1, s2 = this.#s2, s3 = this.#s3;
    const end = start + count;
    for (let i = start; i < end; i++) {
      const high = Math.imul(rotateLeft(Math.imul(s1, 5), 7), 9) >>> 5;
      let t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotateLeft(s3, 11);
      const low = Math.imul(rotateLeft(Math.imul(s1, 5), 7), 9) >>> 6;
      t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotateLeft(s3, 11);
      const value = high > boundHigh || (high === boundHigh && low >= boundLow) ? kept : 0;
      mask[i] = value;
      // One loop for both: a second pass over the mask cost as much again as the draws.
      if (out !== null) out[i] = source![i]! * value;
    }
    this.#s0 = s0;
    this.#s1 = s1;
    this.#s2 = s2;
    this.#s3 = s3;
  }

  /** A uniform number in [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** A standard normal number (Box–Muller, both values of each pair used). */
  normal(): number {
    if (this.#spareNormal !== null) {
      const spare = this.#spareNormal;
      this.#spareNormal = null;
      return spare;
    }
    // 1 − u lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.#spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }
}

/** The state handed to jumpState (one array for every generator). */
const jumpScratch = new Uint32Array(4);

function rotateLeft(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** FNV-1a hash of a string's UTF-16 code units, as an unsigned 32-bit integer. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
