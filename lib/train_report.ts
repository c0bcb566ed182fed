/**
 * The training experiment's offline HTML report: the data, the comparison
 * table, the charts and what the numbers say — every number computed from the
 * result it is given.
 *
 * @module
 */
import { Report } from "./report.ts";
import type { ExperimentResult } from "./train/experiment.ts";
import { compareWithLayerNorm, summarize, summaryRows } from "./train/summary.ts";
import {
  accuracyChart,
  batchDependenceChart,
  lossCurvesChart,
  NORM_NAMES,
  trainEvalChart,
} from "./training_charts.ts";

const percent = (value: number) => `${(100 * value).toFixed(1)} %`;

/**
 * Findings stated from the numbers: where BatchNorm loses, where it does not
 * (running statistics), and how the baselines compare. Each sentence is
 * chosen by comparing measured values, never typed in.
 *
 * @example
 * ```ts
 * import { findings } from "./train_report.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(findings({ config: { norms: [] }, runs: [], data: { train: 90, validation: 10 },
 *   baselines: { afinn: { testAccuracy: 0.8 }, bagOfWords: { testAccuracy: { mean: 0.8, std: 0 } } },
 * } as never).length, 1);
 * ```
 */
export function findings(result: ExperimentResult): string[] {
  const lines: string[] = [];
  const summaries = summarize(result);
  const get = (norm: string) => summaries.find((s) => s.norm === norm);
  const layer = get("layer");
  for (const norm of ["batch", "maskedBatch"] as const) {
    const s = get(norm);
    if (s === undefined) continue;
    const name = NORM_NAMES[norm];
    const evalSpread = s.metrics.dependenceEval!.mean;
    const trainFlips = s.metrics.flipsTrain!.mean;
    lines.push(
      `${name} with running statistics (eval mode): a test sentence's probability moves by ${
        evalSpread.toExponential(1)
      } on average across batchings — ${
        evalSpread < 1e-4 ? "in effect not at all" : "measurably"
      }: each feature is then a fixed affine map. With batch statistics ${
        percent(trainFlips)
      } of test sentences flip label with their batch companions, and a sentence alone scores ${
        percent(s.metrics.singleTrain!.mean)
      }.`,
    );
    if (layer !== undefined) {
      const difference = s.metrics.testAccuracy!.mean - layer.metrics.testAccuracy!.mean;
      const paired = compareWithLayerNorm(result).find((c) =>
        c.norm === norm && c.metric === "testAccuracy"
      );
      lines.push(
        `${name} vs LayerNorm, eval-mode test accuracy: ${difference >= 0 ? "+" : ""}${
          (100 * difference).toFixed(1)
        } points on average; ${
          paired?.exceedsSpread
            ? "the difference exceeds the seed-to-seed spread (same sign in every seed)"
            : "within the seed-to-seed spread"
        }.`,
      );
    }
  }
  for (const norm of ["batch", "maskedBatch"] as const) {
    const s = get(norm);
    if (s === undefined) continue;
    const change = s.metrics.padded100Train!.mean - s.metrics.trainModeAccuracy!.mean;
    lines.push(
      `${NORM_NAMES[norm]} with batch statistics, every test batch padded to 100 positions: ${
        change >= 0 ? "+" : ""
      }${(100 * change).toFixed(1)} points against the same batches at their natural length${
        norm === "maskedBatch" ? " (its statistics never see padding)" : ""
      }.`,
    );
  }
  const afinn = result.baselines.afinn.testAccuracy;
  const bag = result.baselines.bagOfWords.testAccuracy.mean;
  if (summaries.length === 0) {
    lines.push(
      `Baselines: the AFINN word list scores ${percent(afinn)} and a bag-of-words logistic ` +
        `regression ${percent(bag)}. No transformer run finished, so there is nothing to compare.`,
    );
    return lines;
  }
  const bestTransformer = Math.max(...summaries.map((s) => s.metrics.testAccuracy!.mean));
  lines.push(
    `Baselines: the AFINN word list scores ${
      percent(afinn)
    } and a bag-of-words logistic regression ${percent(bag)}; the best transformer ${
      percent(bestTransformer)
    }. ${
      bestTransformer < Math.max(afinn, bag)
        ? `On ${
          (result.data.train + result.data.validation).toLocaleString("en")
        } short training sentences a word-counting model wins: a transformer needs more data than this to learn word sentiment and composition. The lesson is about how the norms compare with each other under the same conditions, which the baselines do not change.`
        : "The transformer reaches the baselines here."
    }`,
  );
  return lines;
}

/**
 * The report of an experiment: settings, data, the table (mean ± std over
 * seeds), paired comparisons with LayerNorm, four charts and the findings.
 *
 * @example
 * ```ts
 * import { buildTrainingReport } from "./train_report.ts";
 * import { ok } from "node:assert/strict";
 *
 * const report = buildTrainingReport({
 *   config: { norms: [], seeds: [0], epochs: 1, source: "all", order: "random" },
 *   data: { sentences: 0, train: 0, validation: 0, test: 0, vocabulary: 0,
 *     lengths: { median: 0, p90: 0, longest: 0, mean: 0 },
 *     paddingShare: { random: 0, bucketed: 0, padded100: 0 } },
 *   baselines: { afinn: { testAccuracy: 0.8 }, bagOfWords: { testAccuracy: { mean: 0.8, std: 0 } } },
 *   runs: [], stopped: false,
 * } as never);
 * ok(report.toHTML().includes("Kotzias"));
 * ```
 */
export function buildTrainingReport(result: ExperimentResult): Report {
  const { config, data } = result;
  const report = new Report("normlab: training a transformer with each normalisation");
  report.markdown(
    `The same small transformer (d = ${config.dModel}, 2 layers, 2 heads, feed-forward 128, ` +
      `${config.normFirst ? "pre-norm" : "post-norm"}) trained with each normalisation on ` +
      `${
        data.train.toLocaleString("en")
      } labelled review sentences (validation ${data.validation}, ` +
      `test ${data.test}), ${config.epochs} epochs, batches of ${config.batchSize} in ${config.order} ` +
      `order, seeds ${config.seeds.join(", ")}.${
        (config.workers ?? 1) > 1
          ? ` ${config.workers} runs trained at a time, so each epoch's seconds were measured ` +
            `with them side by side.`
          : ""
      }${result.stopped ? " **Stopped early: only the finished runs are shown.**" : ""}\n\n` +
      `Data: the UCI "Sentiment Labelled Sentences" (Kotzias, Denil, de Freitas & Smyth, KDD 2015; ` +
      `CC BY 4.0), from the npm package \`sentiment@5.0.2\`. Sentence length in words: median ` +
      `${data.lengths.median}, 90th percentile ${data.lengths.p90}, longest ${data.lengths.longest}. ` +
      `Vocabulary ${data.vocabulary} (training split, words seen at least twice). Padding share of ` +
      `training batches: random order ${percent(data.paddingShare.random)}, bucketed ` +
      `${percent(data.paddingShare.bucketed)}, padded to 100 ${
        percent(data.paddingShare.padded100)
      }.`,
  );
  report.heading("Results (mean ± std over seeds)");
  report.table(summaryRows(result));
  report.table(
    compareWithLayerNorm(result).map((c) => ({
      norm: NORM_NAMES[c.norm],
      metric: c.metric,
      "mean difference vs LayerNorm": c.meanDifference,
      "per seed": c.differences.map((d) => Number(d.toFixed(3))),
      "exceeds seed spread": c.exceedsSpread ? "yes" : "no",
    })),
    { title: "Paired with LayerNorm, seed by seed" },
  );
  report.heading("Charts");
  report.figure(lossCurvesChart(result));
  report.figure(accuracyChart(result));
  report.figure(batchDependenceChart(result));
  report.figure(trainEvalChart(result));
  report.heading("What the numbers say");
  report.markdown(findings(result).map((line) => `- ${line}`).join("\n"));
  return report;
}
