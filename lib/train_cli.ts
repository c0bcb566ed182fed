/**
 * `deno task train`: trains the classifier with each normalisation on the
 * UCI review sentences over several seeds, prints the comparison table and
 * writes an offline HTML report (or JSON).
 *
 * @module
 */
import { type PendingOutput, reserveOutput } from "./_atomic_write.ts";
import { type CliIO, defaultIO, UsageError } from "./cli.ts";
import { SENTENCE_SOURCES, type SentenceSource } from "./data/sentences.ts";
import type { NormKind } from "./nn/transformer.ts";
import {
  type ExperimentOptions,
  type ExperimentProgress,
  type ExperimentResult,
  runNormComparison,
} from "./train/experiment.ts";
import { workerModuleReadable } from "./train/_run_pool.ts";
import { summaryRows } from "./train/summary.ts";
import { tableToText } from "./_table_html.ts";
import { buildTrainingReport, findings } from "./train_report.ts";

/** The command-line names of the norms. */
const NORM_FLAGS: Readonly<Record<string, NormKind>> = {
  "layer": "layer",
  "batch": "batch",
  "masked-batch": "maskedBatch",
  "rms": "rms",
  "none": "none",
};

/** The usage text of `deno task train --help`. */
export const TRAIN_USAGE =
  `normlab train: the same transformer trained with each normalisation on 3,000 real review sentences

Usage: deno task train [options]

Options:
  --norm LIST        norms to compare, comma-separated, from layer, batch, masked-batch, rms, none
                     (default: all five)
  --seeds LIST       seeds, comma-separated (default: 0,1,2)
  --epochs N         epochs per run, 1 to 100 (default: 12)
  --order ORDER      training batch order: random or bucketed (default: random)
  --norm-first       pre-norm layers (default: post-norm)
  --source NAME      imdb, amazon, yelp or all (default: all)
  --limit N          use only N sentences (stratified), 40 to 3000, for a quick run
  --batchings K      random batchings per test sentence for batch dependence, 2 to 20 (default: 5)
  --workers N        runs trained at the same time, each on a thread of its own, 1 to 8
                     (default: 2 where the machine has two cores or more and --allow-read
                     covers normlab, else 1); the numbers are the same, seconds per epoch
                     are measured with the runs side by side
  --out PATH         where to write the HTML report (default: normlab-training.html)
  --json             print the results as JSON on stdout (the report is still written)
  -h, --help         show this help

Progress goes to stderr. Ctrl-C stops training within about 0.2 s and still writes what finished.
Data: UCI Sentiment Labelled Sentences (Kotzias et al., KDD 2015; CC BY 4.0), npm sentiment@5.0.2.
Exit codes: 0 success, 1 failure, 2 bad command line, 130 stopped by Ctrl-C (results written).`;

/** The parsed options of `deno task train`. */
export interface TrainCliOptions extends ExperimentOptions {
  /** Where the report goes. */
  out: string;
  /** Print JSON instead of the table. */
  json: boolean;
}

function integerFlag(flag: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined || !/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(
      `${flag}: expected an integer from ${min} to ${max} but found ${
        text === undefined ? "nothing" : JSON.stringify(text)
      }`,
    );
  }
  return Number(text);
}

function listFlag(flag: string, text: string | undefined): string[] {
  if (text === undefined || text.trim() === "") {
    throw new UsageError(`${flag}: expected a comma-separated list but found nothing`);
  }
  return text.split(",").map((item) => item.trim());
}

/**
 * Two runs at a time where the machine has two cores or more and the
 * workers' module may be read (`--allow-read`), else one.
 */
function defaultWorkers(): number {
  return (navigator.hardwareConcurrency ?? 1) >= 2 && workerModuleReadable() ? 2 : 1;
}

/**
 * Parses the flags of `deno task train`; `null` means `--help`. Throws
 * `UsageError` naming the flag.
 *
 * @example
 * ```ts
 * import { parseTrainArgs } from "./train_cli.ts";
 * import { deepStrictEqual, throws } from "node:assert/strict";
 *
 * const options = parseTrainArgs(["--norm", "layer,masked-batch", "--seeds", "0,1"])!;
 * deepStrictEqual(options.norms, ["layer", "maskedBatch"]);
 * deepStrictEqual(options.seeds, [0, 1]);
 * throws(() => parseTrainArgs(["--norm", "group"]), /--norm: expected/);
 * ```
 */
export function parseTrainArgs(args: readonly string[]): TrainCliOptions | null {
  const options: TrainCliOptions = {
    out: "normlab-training.html",
    json: false,
    workers: defaultWorkers(),
  };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const value = () => {
      const next = args[i + 1];
      if (next === undefined || next.startsWith("--")) {
        throw new UsageError(`${flag}: expected a value but found nothing`);
      }
      i++;
      return next;
    };
    switch (flag) {
      case "-h":
      case "--help":
        return null;
      case "--norm": {
        const names = listFlag(flag, value());
        options.norms = names.map((name) => {
          const norm = Object.hasOwn(NORM_FLAGS, name) ? NORM_FLAGS[name] : undefined;
          if (norm === undefined) {
            throw new UsageError(
              `--norm: expected names from ${Object.keys(NORM_FLAGS).join(", ")} but found ${
                JSON.stringify(name)
              }`,
            );
          }
          return norm;
        });
        if (new Set(options.norms).size !== options.norms.length) {
          throw new UsageError("--norm: expected each norm once but found a repeat");
        }
        break;
      }
      case "--seeds": {
        const seeds = listFlag(flag, value()).map((s) => integerFlag("--seeds", s, 0, 1_000_000));
        if (seeds.length > 10 || new Set(seeds).size !== seeds.length) {
          throw new UsageError("--seeds: expected 1 to 10 distinct seeds");
        }
        options.seeds = seeds;
        break;
      }
      case "--epochs":
        options.epochs = integerFlag(flag, value(), 1, 100);
        break;
      case "--limit":
        options.limit = integerFlag(flag, value(), 40, 3000);
        break;
      case "--batchings":
        options.batchings = integerFlag(flag, value(), 2, 20);
        break;
      case "--order": {
        const order = value();
        if (order !== "random" && order !== "bucketed") {
          throw new UsageError(
            `--order: expected random or bucketed but found ${JSON.stringify(order)}`,
          );
        }
        options.order = order;
        break;
      }
      case "--norm-first":
        options.normFirst = true;
        break;
      case "--source": {
        const source = value();
        if (source !== "all" && !SENTENCE_SOURCES.includes(source as SentenceSource)) {
          throw new UsageError(
            `--source: expected imdb, amazon, yelp or all but found ${JSON.stringify(source)}`,
          );
        }
        options.source = source as SentenceSource | "all";
        break;
      }
      case "--workers":
        options.workers = integerFlag(flag, value(), 1, 8);
        break;
      case "--out":
        options.out = value();
        break;
      case "--json":
        options.json = true;
        break;
      default:
        throw new UsageError(`unknown option ${JSON.stringify(flag)}`);
    }
  }
  return options;
}

/**
 * A one-line progress bar: the steps of all runs, the latest step's run, epoch, step and loss
 * (and how many other runs are in progress), elapsed and remaining time.
 */
export function progressLine(progress: ExperimentProgress, elapsedSeconds: number): string {
  const total = progress.runs * progress.epochs * progress.stepsPerEpoch;
  const fraction = Math.min(1, progress.stepsDone / total);
  const width = 24;
  const filled = Math.round(fraction * width);
  const remaining = fraction > 0 ? elapsedSeconds * (1 - fraction) / fraction : NaN;
  const others = progress.running > 1 ? ` (+${progress.running - 1} running)` : "";
  return `[${"#".repeat(filled)}${
    "-".repeat(width - filled)
  }] run ${progress.run}/${progress.runs}${others} ${progress.norm} seed ${progress.seed} · epoch ${progress.epoch}/${progress.epochs} step ${progress.step}/${progress.stepsPerEpoch} · loss ${
    progress.loss.toFixed(3)
  } · ETA ${Number.isFinite(remaining) ? `${Math.ceil(remaining)} s` : "…"}`;
}

/**
 * Runs `deno task train` with `args`; returns the exit code.
 *
 * @example
 * ```ts
 * import { trainMain } from "./train_cli.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const errors: string[] = [];
 * strictEqual(await trainMain(["--epochs", "0"], { out() {}, err: (l) => errors.push(l) }), 2);
 * strictEqual(errors[0], 'error: --epochs: expected an integer from 1 to 100 but found "0"');
 * ```
 */
export async function trainMain(
  args: readonly string[],
  io: CliIO = defaultIO(),
  signal?: AbortSignal,
): Promise<number> {
  let options: TrainCliOptions | null;
  let output: PendingOutput | null = null;
  try {
    options = parseTrainArgs(args);
    // The report's file is reserved before any work: an unwritable --out fails at once.
    if (options !== null) output = await reserveOutput(options.out, "--out");
  } catch (error) {
    if (
      !(error instanceof UsageError) && !(error instanceof Error && /^--out: /.test(error.message))
    ) {
      throw error;
    }
    io.err(`error: ${error.message}`);
    io.err("Run with --help for the options.");
    return 2;
  }
  if (options === null || output === null) {
    io.out(TRAIN_USAGE);
    return 0;
  }
  const started = performance.now();
  let lastPlain = "";
  let result: ExperimentResult;
  try {
    result = await runNormComparison({
      ...options,
      signal,
      onProgress: (progress) => {
        const elapsed = (performance.now() - started) / 1000;
        if (io.progress !== undefined) {
          io.progress(progressLine(progress, elapsed));
        } else {
          const key = `${progress.run}:${progress.epoch}`;
          if (progress.step === progress.stepsPerEpoch && key !== lastPlain) {
            lastPlain = key;
            io.err(progressLine(progress, elapsed));
          }
        }
      },
    });
  } catch (error) {
    await output.abort();
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  io.progress?.("");
  await output.commit(buildTrainingReport(result).toHTML());
  if (options.json) {
    io.out(JSON.stringify(result));
  } else {
    io.out(
      `${result.data.train} training / ${result.data.validation} validation / ${result.data.test} test sentences; padding share of random batches ${
        (100 * result.data.paddingShare.random).toFixed(1)
      } %`,
    );
    io.out(tableToText(summaryRows(result)));
    io.out(
      `baselines: AFINN ${result.baselines.afinn.testAccuracy.toFixed(3)}, bag-of-words ${
        result.baselines.bagOfWords.testAccuracy.mean.toFixed(3)
      } ± ${result.baselines.bagOfWords.testAccuracy.std.toFixed(3)}`,
    );
    for (const line of findings(result)) io.out(`- ${line}`);
  }
  io.err(`report written to ${options.out}${result.stopped ? " (stopped early)" : ""}`);
  return result.stopped ? 130 : 0;
}

if (import.meta.main) {
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) Deno.exit(130);
    console.error("\nstopping after the current step (Ctrl-C again to quit at once)…");
    controller.abort();
  };
  Deno.addSignalListener("SIGINT", stop);
  const code = await trainMain(Deno.args, defaultIO(), controller.signal);
  Deno.removeSignalListener("SIGINT", stop);
  Deno.exit(code);
}
