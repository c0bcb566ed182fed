/**
 * Recycled gradient storage (lib/_dtype.ts `recycle`, lib/autograd.ts
 * `runBackward`): arrays that die during a backward pass are handed out
 * again by `allocate`. These graphs alias gradients every way a VJP can — dy
 * passed on to two inputs, reshaped views, a tensor used twice — with arrays
 * large enough to be recycled, and check that no gradient changes when the
 * recycled arrays are used again.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import { randn, type Tensor } from "../mod.ts";

/** ∂/∂x and ∂/∂w of Σ ((2x + x) viewed twice) · w, with the expected values. */
function aliasingGraph(seed: number) {
  const x = randn([32, 64], { seed, dtype: "float64" });
  const w = randn([64, 48], { seed: seed + 1, dtype: "float64" });
  x.requiresGrad = true;
  w.requiresGrad = true;
  const a = x.mul(2); // dy · 2
  const b = a.add(x); // [dy, dy]: one gradient array for a and for x
  const c = b.reshape(64, 32).reshape(32, 64); // views of b's gradient
  c.matmul(w).sum().backward();
  // dL/dc = 1 · wᵀ: every row is the row sums of w; dx = dc + 2·dc = 3·dc; dw = cᵀ · 1 = 3 xᵀ1.
  const rowSums = (w.toArray() as number[][]).map((row) => row.reduce((s, v) => s + v, 0));
  const columnSums = (x.toArray() as number[][]).reduce(
    (sums, row) => sums.map((s, j) => s + row[j]!),
    new Array<number>(64).fill(0),
  );
  return {
    x,
    w,
    expectedX: Array.from({ length: 32 }, () => rowSums.map((s) => 3 * s)),
    expectedW: columnSums.map((s) => new Array<number>(48).fill(3 * s)),
  };
}

function close(actual: Tensor, expected: number[][], what: string): void {
  const values = actual.toArray() as number[][];
  let worst = 0;
  values.forEach((row, i) =>
    row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - expected[i]![j]!))))
  );
  ok(worst < 1e-9, `${what}: ${worst}`);
}

Deno.test("backward: recycled gradient storage never changes a gradient", () => {
  const first = aliasingGraph(1);
  const snapshot = [first.x.grad!.toArray(), first.w.grad!.toArray()];
  close(first.x.grad!, first.expectedX, "dx");
  close(first.w.grad!, first.expectedW, "dw");
  // More passes of the same sizes take the recycled arrays; the first gradients stay put.
  for (let seed = 2; seed < 6; seed++) {
    const other = aliasingGraph(seed);
    close(other.x.grad!, other.expectedX, `dx ${seed}`);
    close(other.w.grad!, other.expectedW, `dw ${seed}`);
    randn([32, 64], { seed, dtype: "float64" }).mul(3); // forward allocations reuse them too
  }
  deepStrictEqual([first.x.grad!.toArray(), first.w.grad!.toArray()], snapshot);
});

Deno.test("backward: a caller's gradient and retained graphs are not recycled", () => {
  const x = randn([64, 32], { seed: 7 });
  x.requiresGrad = true;
  const y = x.mul(x);
  const seed = randn([64, 32], { seed: 8 });
  const before = seed.toArray();
  y.backward(seed, { retainGraph: true });
  y.backward(seed); // the same graph again: its saved tensors and the caller's seed intact
  randn([64, 32], { seed: 9 }).add(1); // allocations that could reuse a recycled array
  deepStrictEqual(seed.toArray(), before);
  // d(x²) = 2x·dy, accumulated twice.
  const expected = x.detach().mul(seed).mul(4);
  ok(x.grad!.sub(expected).abs().max().item() < 1e-5);
});

Deno.test("backward: a leaf keeps its first gradient's storage only when nothing else shares it", () => {
  // a + b passes one gradient array on to both leaves: the first copies it, the second may keep it.
  const a = randn([64, 32], { seed: 10 });
  const b = randn([64, 32], { seed: 11 });
  a.requiresGrad = true;
  b.requiresGrad = true;
  a.mul(3).add(b).add(a).sum().backward();
  ok(a.grad!.data.buffer !== b.grad!.data.buffer, "the two leaves' gradients do not share storage");
  deepStrictEqual(new Set(a.grad!.data), new Set([4]));
  deepStrictEqual(new Set(b.grad!.data), new Set([1]));
  b.grad!.data.fill(7); // a caller writing into one gradient leaves the other as it was
  deepStrictEqual(new Set(a.grad!.data), new Set([4]));
  // A second pass adds into the kept storage.
  a.mul(3).add(b).add(a).sum().backward();
  deepStrictEqual(new Set(a.grad!.data), new Set([8]));
  deepStrictEqual(new Set(b.grad!.data), new Set([8]));
});
