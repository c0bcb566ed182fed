/**
 * Summaries of a training experiment: mean ± std per norm, paired
 * comparisons against LayerNorm, and the table `deno task train` prints.
 *
 * @module
 */
import type { NormKind } from "../nn/transformer.ts";
import { type ExperimentResult, type MeanStd, meanStd, type RunResult } from "./experiment.ts";

/** The measurements summarised per norm, each as mean ± std over seeds. */
export const SUMMARY_METRICS = [
  ["testAccuracy", "test acc (running stats)", (r: RunResult) => r.metrics.testAccuracy],
  ["trainModeAccuracy", "test acc (batch stats)", (r: RunResult) => r.metrics.trainModeAccuracy],
  ["singleEval", "alone, running", (r: RunResult) => r.metrics.singleSentenceAccuracy.eval],
  ["singleTrain", "alone, batch", (r: RunResult) => r.metrics.singleSentenceAccuracy.train],
  ["padded100Eval", "pad 100, running", (r: RunResult) => r.metrics.padded100Accuracy.eval],
  ["padded100Train", "pad 100, batch", (r: RunResult) => r.metrics.padded100Accuracy.train],
  ["flipsTrain", "label flips (batch)", (r: RunResult) => r.metrics.labelFlips.train],
  [
    "dependenceTrain",
    "P spread (batch)",
    (r: RunResult) => r.metrics.batchDependence.train.mean,
  ],
  [
    "dependenceEval",
    "P spread (running)",
    (r: RunResult) => r.metrics.batchDependence.eval.mean,
  ],
  ["shift", "train/eval shift", (r: RunResult) => r.metrics.trainEvalShift.mean],
  ["seconds", "s/epoch", (r: RunResult) => r.metrics.secondsPerEpoch],
] as const;

/** One norm's summary: each metric as mean ± std over its seeds. */
export interface NormSummary {
  /** The norm. */
  norm: NormKind;
  /** How many seeds finished. */
  seeds: number;
  /** Metric key → mean ± std. */
  metrics: Record<string, MeanStd>;
}

/**
 * Mean ± std over seeds of every {@linkcode SUMMARY_METRICS} entry, per norm,
 * in the experiment's norm order.
 *
 * @example
 * ```ts
 * import { summarize } from "./summary.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(summarize({ config: { norms: ["layer"] }, runs: [] } as never).length, 0);
 * ```
 */
export function summarize(result: ExperimentResult): NormSummary[] {
  const summaries: NormSummary[] = [];
  for (const norm of result.config.norms) {
    const runs = result.runs.filter((r) => r.norm === norm);
    if (runs.length === 0) continue;
    const metrics: Record<string, MeanStd> = {};
    for (const [key, , read] of SUMMARY_METRICS) metrics[key] = meanStd(runs.map(read));
    summaries.push({ norm, seeds: runs.length, metrics });
  }
  return summaries;
}

/** A paired comparison of one norm with LayerNorm on one metric. */
export interface PairedComparison {
  /** The norm compared with LayerNorm. */
  norm: NormKind;
  /** The metric key. */
  metric: string;
  /** The mean over seeds of (norm − LayerNorm). */
  meanDifference: number;
  /** The per-seed differences. */
  differences: number[];
  /**
   * Whether the difference exceeds the seed-to-seed spread: every seed's
   * difference has the same sign and |mean| exceeds their standard deviation
   * (needs at least 2 seeds).
   */
  exceedsSpread: boolean;
}

/**
 * Each norm against LayerNorm, seed by seed (the data split and seeds pair
 * the runs), for the accuracy metrics.
 *
 * @example
 * ```ts
 * import { compareWithLayerNorm } from "./summary.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(compareWithLayerNorm({ config: { norms: [] }, runs: [] } as never).length, 0);
 * ```
 */
export function compareWithLayerNorm(result: ExperimentResult): PairedComparison[] {
  const comparisons: PairedComparison[] = [];
  const reference = new Map(
    result.runs.filter((r) => r.norm === "layer").map((r) => [r.seed, r]),
  );
  for (const norm of result.config.norms) {
    if (norm === "layer") continue;
    for (const [key, , read] of SUMMARY_METRICS.slice(0, 6)) {
      const differences: number[] = [];
      for (const run of result.runs.filter((r) => r.norm === norm)) {
        const base = reference.get(run.seed);
        if (base !== undefined) differences.push(read(run) - read(base));
      }
      if (differences.length === 0) continue;
      const { mean, std } = meanStd(differences);
      const sameSign = differences.every((d) => d > 0) || differences.every((d) => d < 0);
      comparisons.push({
        norm,
        metric: key,
        meanDifference: mean,
        differences,
        exceedsSpread: differences.length >= 2 && sameSign && Math.abs(mean) > std,
      });
    }
  }
  return comparisons;
}

/** `0.752 ± 0.012` (accuracies and shares as fractions, 3 decimals). */
export function formatMeanStd(value: MeanStd, digits = 3): string {
  if (!Number.isFinite(value.mean)) return "–";
  return `${value.mean.toFixed(digits)} ± ${value.std.toFixed(digits)}`;
}

/** The summary as table rows (for the terminal, the report and the notebook). */
export function summaryRows(result: ExperimentResult): Record<string, string | number>[] {
  return summarize(result).map((summary) => {
    const row: Record<string, string | number> = { norm: summary.norm, seeds: summary.seeds };
    for (const [key, label] of SUMMARY_METRICS) {
      row[label] = formatMeanStd(summary.metrics[key]!, key === "seconds" ? 2 : 3);
    }
    return row;
  });
}
