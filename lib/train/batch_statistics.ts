/**
 * Running a trained model with BatchNorm's batch statistics ("train mode")
 * without changing it.
 *
 * @module
 */
import type { Module } from "../nn/module.ts";
import { BatchNorm } from "../nn/norm_layers.ts";

/**
 * Which statistics a model's BatchNorm layers use at prediction time:
 * `"eval"` — the running statistics (every BatchNorm is a fixed per-feature
 * affine map); `"train"` — the batch's own statistics (what training saw).
 */
export type StatisticsMode = "eval" | "train";

/**
 * Runs `fn` with `model` in evaluation mode (no dropout), except that with
 * `mode: "train"` its BatchNorm layers normalise with batch statistics — and
 * leave their running statistics untouched. Restores every mode afterwards.
 *
 * @example
 * ```ts
 * import { withStatistics } from "./batch_statistics.ts";
 * import { BatchNorm } from "../nn/norm_layers.ts";
 * import { tensor } from "../tensor.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const norm = new BatchNorm(1);
 * const y = withStatistics(norm, "train", () => norm.forward(tensor([[[1], [3]]])));
 * strictEqual(Math.round(y.data[1]! * 1000) / 1000, 1); // (3 − 2) / 1
 * strictEqual(norm.numBatchesTracked, 0); // untouched
 * strictEqual(norm.training, true); // mode restored
 * ```
 */
export function withStatistics<T>(model: Module, mode: StatisticsMode, fn: () => T): T {
  const modules: Module[] = [model, ...model.namedModules().map(([, m]) => m)];
  const saved = modules.map((m) => m.training);
  const norms = modules.filter((m): m is BatchNorm => m instanceof BatchNorm);
  const savedUpdates = norms.map((norm) => norm.updateRunningStats);
  try {
    for (const m of modules) m.training = false;
    if (mode === "train") {
      for (const norm of norms) {
        norm.training = true;
        norm.updateRunningStats = false;
      }
    }
    return fn();
  } finally {
    modules.forEach((m, i) => m.training = saved[i]!);
    norms.forEach((norm, i) => norm.updateRunningStats = savedUpdates[i]!);
  }
}
