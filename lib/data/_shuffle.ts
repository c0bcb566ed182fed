/**
 * Internal: a seeded Fisher–Yates shuffle. Never re-exported from `mod.ts`.
 *
 * @module
 */
import type { RandomSource } from "../_random.ts";

/**
 * Shuffles `items` in place with the seeded generator `random` (the same
 * seed gives the same order on every machine) and returns it.
 */
export function shuffleInPlace<T>(items: T[], random: RandomSource): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    // uniform() has 53 random bits, so the bias of the floor is below 2^-40 for any length here.
    const j = Math.floor(random.uniform() * (i + 1));
    const item = items[i]!;
    items[i] = items[j]!;
    items[j] = item;
  }
  return items;
}
