/**
 * The training-step benchmark's inputs (issue 13): the contract's
 * `TransformerClassifier` at S and M, one batch with the same lengths per row
 * in normlab and PyTorch, and one training step (forward, cross-entropy,
 * backward, Adam).
 *
 * - S = (vocab 4000, dModel 32, 2 heads, 2 layers, feed-forward 128, batch 32, T 40)
 * - M = (vocab 8000, dModel 128, 4 heads, 2 layers, feed-forward 512, batch 32, T 128)
 *
 * @module
 */
import { Adam, crossEntropy, type Tensor, tensor, TransformerClassifier } from "../mod.ts";

/** The sizes of one step case. */
export interface StepSize {
  name: "S" | "M";
  vocab: number;
  dModel: number;
  heads: number;
  layers: number;
  ff: number;
  batch: number;
  T: number;
}

/** S and M of issue 13. */
export const STEP_SIZES: readonly StepSize[] = [
  { name: "S", vocab: 4000, dModel: 32, heads: 2, layers: 2, ff: 128, batch: 32, T: 40 },
  { name: "M", vocab: 8000, dModel: 128, heads: 4, layers: 2, ff: 512, batch: 32, T: 128 },
];

/** Row b has this many real tokens: from T down to about T/2, so padding matters. */
export function rowLength(size: StepSize, b: number): number {
  return Math.ceil(size.T * (1 - 0.5 * b / size.batch));
}

/** The batch both libraries train on: ids (B, T) with 0 after each row's length, labels (B). */
export function stepBatch(size: StepSize): { ids: number[][]; labels: number[] } {
  let state = 12345;
  const next = () => {
    // A 32-bit LCG (Numerical Recipes): the same ids on every machine.
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
  const ids = Array.from({ length: size.batch }, (_, b) => {
    const length = rowLength(size, b);
    return Array.from({ length: size.T }, (_, t) => t < length ? 2 + next() % (size.vocab - 2) : 0);
  });
  const labels = Array.from({ length: size.batch }, (_, b) => b % 2);
  return { ids, labels };
}

/**
 * Multiply-adds × 2 of every matrix product in one step (forward and
 * backward) over the padded batch (B·T tokens, T² scores per sequence): the
 * work PyTorch does, and normlab did before it skipped padding.
 */
export function stepFlops(size: StepSize): number {
  return flopsOver(size, Array.from({ length: size.batch }, () => size.T));
}

/**
 * The same over the real tokens only (Σ L_b tokens, L_b² scores per
 * sequence): the work normlab's packed forward pass does.
 */
export function stepFlopsReal(size: StepSize): number {
  return flopsOver(size, Array.from({ length: size.batch }, (_, b) => rowLength(size, b)));
}

function flopsOver(size: StepSize, lengths: number[]): number {
  const { dModel: d, ff, layers } = size;
  let tokens = 0;
  let scores = 0;
  for (const length of lengths) {
    tokens += length;
    scores += length * length;
  }
  const perLayer = 2 * tokens * d * (3 * d + d + 2 * ff) + // projections and feed-forward
    2 * 2 * scores * d; // Q·Kᵀ and P·V over all heads
  return 3 * layers * perLayer; // forward, then two products per product in the backward pass
}

/** A model, its optimiser and the batch, with `step()` running one training step. */
export function makeStep(size: StepSize): { step: () => number; model: TransformerClassifier } {
  const model = new TransformerClassifier({
    vocabSize: size.vocab,
    dModel: size.dModel,
    numHeads: size.heads,
    numLayers: size.layers,
    dimFeedforward: size.ff,
    maxLength: size.T,
    dropout: 0, // PyTorch's side has none either: their random masks would differ
    seed: 1,
  });
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const { ids: nested, labels } = stepBatch(size);
  const ids: Tensor = tensor(nested);
  const step = () => {
    const loss = crossEntropy(model.forward(ids), labels);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    return loss.item();
  };
  return { step, model };
}
