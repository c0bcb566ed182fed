/**
 * Internal: jumping xoshiro128**'s state ahead by many steps at once.
 *
 * The generator's state update (the part of `nextUint32` that does not make
 * the output) is linear over GF(2): each bit of the next state is the XOR of
 * some bits of the current one. So the state n steps later is Mⁿ·s for one
 * 128 × 128 bit matrix M, and Mⁿ is the product of the powers M^(2^k) of the
 * bits k set in n. Those powers are made once, by squaring, the first time a
 * jump needs them. Applying one took about 0.2 µs here, some 200 single steps
 * (1 ns each), so only counts of at least {@linkcode JUMP_MINIMUM} jump.
 *
 * @module
 */

/** A 128 × 128 bit matrix: column i (4 words, the image of state bit i) at 4·i. */
type BitMatrix = Uint32Array;

/** The low bits of a count, which RandomSource.skip steps one by one (below 2^JUMP_LOW_BITS). */
const JUMP_LOW_BITS = 9;

/** The smallest count of steps that {@linkcode jumpState} jumps instead of stepping. */
export const JUMP_MINIMUM = 1 << JUMP_LOW_BITS;

/** M^(2^k) at index k, made on demand. */
const powers: BitMatrix[] = [];

/** The state after one jump, before it is copied back. */
const jumped = new Uint32Array(4);

/**
 * One step of the state (s0, s1, s2, s3) in `state`, in place: the update of
 * xoshiro128** without its output (RandomSource's loops write it out inline,
 * on local variables; every copy must stay this update).
 */
function stepState(state: Uint32Array): void {
  let s0 = state[0]!, s1 = state[1]!, s2 = state[2]!, s3 = state[3]!;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = (s3 << 11) | (s3 >>> 21);
  state[0] = s0;
  state[1] = s1;
  state[2] = s2;
  state[3] = s3;
}

/** `target = matrix · source` (both 4-word states; they may not be the same array). */
function apply(matrix: BitMatrix, source: Uint32Array, target: Uint32Array): void {
  let r0 = 0, r1 = 0, r2 = 0, r3 = 0;
  for (let word = 0; word < 4; word++) {
    let bits = source[word]!;
    while (bits !== 0) {
      const bit = 31 - Math.clz32(bits & -bits); // the lowest set bit
      bits &= bits - 1;
      const column = (word * 32 + bit) * 4;
      r0 ^= matrix[column]!;
      r1 ^= matrix[column + 1]!;
      r2 ^= matrix[column + 2]!;
      r3 ^= matrix[column + 3]!;
    }
  }
  target[0] = r0;
  target[1] = r1;
  target[2] = r2;
  target[3] = r3;
}

/** M^(2^k): M from the step, then each power the square of the one before. */
function power(k: number): BitMatrix {
  while (powers.length <= k) {
    const previous = powers[powers.length - 1];
    const matrix = new Uint32Array(512);
    for (let i = 0; i < 128; i++) {
      const column = matrix.subarray(i * 4, i * 4 + 4);
      if (previous === undefined) {
        column[i >>> 5] = 1 << (i & 31);
        stepState(column);
      } else {
        // P²·eᵢ = P·(P·eᵢ), and P·eᵢ is P's column i.
        apply(previous, previous.subarray(i * 4, i * 4 + 4), column);
      }
    }
    powers.push(matrix);
  }
  return powers[k]!;
}

/**
 * Advances the state (s0, s1, s2, s3) in `state` by `blocks` ·
 * {@linkcode JUMP_MINIMUM} steps, as that many calls of `stepState` would:
 * one matrix per bit set in `blocks`. (RandomSource.skip steps the rest of a
 * count one by one.)
 */
export function jumpState(state: Uint32Array, blocks: number): void {
  const next = jumped;
  for (let k = JUMP_LOW_BITS, rest = blocks; rest > 0; k++, rest = Math.floor(rest / 2)) {
    if (rest % 2 === 0) continue;
    apply(power(k), state, next);
    state.set(next);
  }
}
