/**
 * The packed attention with its arrays kept in the matrix kernel's memory
 * across a pass (lib/nn/_packed_attention.ts) gives the numbers of the same
 * products and softmax with each array copied in and out around them, bit
 * for bit, with and without dropout.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import { type GemmCall, gemmMemory, setGemmListener } from "../lib/_gemm.ts";
import { packedSelfAttentionHeads, packingOf } from "../lib/nn/_packed_attention.ts";
import { randn, tensor } from "../mod.ts";

/** A (B, T) mask with row b holding lengths[b] real tokens. */
function maskOf(lengths: number[], T: number) {
  return tensor(lengths.map((length) => Array.from({ length: T }, (_, t) => t < length ? 1 : 0)));
}

/** Output and qkv's gradient for an upstream gradient of fixed random values. */
function run(
  lengths: number[],
  E: number,
  heads: number,
  dropout: { p: number; seed: number } | null,
  inMemory: boolean,
) {
  const sequences = packingOf(maskOf(lengths, Math.max(...lengths)))!;
  const N = sequences.rows.length;
  const qkv = randn([N, 3 * E], { seed: 11 });
  qkv.requiresGrad = true;
  // The kernel's memory full of NaN before each pass: a pass that read an element it had not
  // written (a padded key column, a region it did not copy in) would carry a NaN out.
  poisonKernelMemory();
  const output = packedSelfAttentionHeads(qkv, heads, sequences, dropout, inMemory);
  const upstream = randn([N, E], { seed: 12 });
  poisonKernelMemory();
  output.mul(upstream).sum().backward();
  return { output: Array.from(output.data), gradient: Array.from(qkv.grad!.data) };
}

/** Fills the matrix kernel's WebAssembly memory (scratch included) with NaN. */
function poisonKernelMemory(): void {
  new Float32Array(gemmMemory()!.buffer).fill(NaN);
}

/** Throws at the first element where `actual` and `expected` differ (Object.is), naming it. */
function sameValues(actual: number[], expected: number[], what: string): void {
  deepStrictEqual(actual.length, expected.length, `${what}: lengths`);
  const index = actual.findIndex((value, i) => !Object.is(value, expected[i]));
  ok(index === -1, `${what}[${index}] is ${actual[index]} in memory, ${expected[index]} copied`);
}

/** The calls gemmAll / gemmResident are told about while `body` runs. */
function callsDuring(body: () => void): GemmCall[] {
  const calls: GemmCall[] = [];
  setGemmListener((call) => calls.push(call));
  try {
    body();
  } finally {
    setGemmListener(null);
  }
  return calls;
}

const CASES: { name: string; lengths: number[]; E: number; heads: number }[] = [
  // Lengths not multiples of 4 or 6 or 8: padded keys, and edge tiles in every product.
  {
    name: "the step's S shapes",
    lengths: [40, 37, 33, 29, 25, 23, 21, 40, 31, 22],
    E: 32,
    heads: 2,
  },
  {
    name: "wider heads, short rows",
    lengths: [9, 14, 5, 17, 12, 11, 16, 7, 19, 13, 18, 6, 10, 15, 8, 20],
    E: 64,
    heads: 2,
  },
];

for (const { name, lengths, E, heads } of CASES) {
  for (const dropout of [null, { p: 0.25, seed: 5 }]) {
    Deno.test(`packed attention in memory: ${name}, dropout ${dropout?.p ?? 0}, bit for bit`, () => {
      let inMemory!: ReturnType<typeof run>;
      const calls = callsDuring(() => {
        inMemory = run(lengths, E, heads, dropout, true);
      });
      // Forward: scores and P · V; backward: dP, then dV, dQ and dK.
      deepStrictEqual(calls.map((call) => call.resident), [true, true, true, true]);
      const copied = callsDuring(() => {
        const result = run(lengths, E, heads, dropout, false);
        sameValues(inMemory.output, result.output, "output");
        sameValues(inMemory.gradient, result.gradient, "qkv's gradient");
      });
      deepStrictEqual(copied.map((call) => call.resident), [false, false, false, false]);
      ok(inMemory.output.every(Number.isFinite) && inMemory.gradient.some((g) => g !== 0));
    });
  }
}

Deno.test("packed attention in memory: too little work stays on the copying path", () => {
  // 2 sequences of 3 tokens: a few hundred multiply-adds.
  const calls = callsDuring(() => run([3, 2], 8, 2, null, true));
  ok(calls.length > 0 && calls.every((call) => !call.resident));
});
