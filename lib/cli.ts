/**
 * The command line: `deno task demo` parses its flags, runs the demo on
 * built-in example data (or given sentences), prints a summary or JSON and
 * writes an offline HTML report.
 *
 * @module
 */
import { reserveOutput } from "./_atomic_write.ts";
import { terminalText } from "./_safe_text.ts";
import {
  checkDemoOptions,
  DEMO_LIMITS,
  type DemoOptionNames,
  type DemoOptions,
  type DemoResult,
  runDemo,
} from "./demo.ts";
import { BENGALI_SENTENCES, CLASSIC_SENTENCES, LONGEST_LENGTH } from "./examples.ts";
import { type Language, LANGUAGES, translator } from "./i18n/translate.ts";

/** Where the command line writes. */
export interface CliIO {
  /** Standard output, one call per line. */
  out: (line: string) => void;
  /** Standard error, one call per line (messages). */
  err: (line: string) => void;
  /** Progress text that overwrites itself, or undefined when stderr is not a terminal. */
  progress?: (text: string) => void;
}

/** The usage text of `deno task demo --help`. */
export const USAGE = `normlab demo: why transformers use LayerNorm, not BatchNorm, on padded batches

Usage: deno task demo [options]

Options:
  --out PATH          where to write the HTML report (default: normlab-report.html, or
                      no report with --json); checked before the work, written atomically
  --sentence TEXT     a sentence of the batch; repeat for more (default: "${
  CLASSIC_SENTENCES.join('", "')
}");
                      up to ${DEMO_LIMITS.sentences} sentences of 1 to ${DEMO_LIMITS.words} words (${DEMO_LIMITS.characters} characters)
  --dim N             embedding width D, 1 to ${DEMO_LIMITS.dim} (default: 3)
  --seed N            embedding seed (default: 0)
  --max-length N      pad the sweep up to N positions, from the longest sentence's length
                      to ${DEMO_LIMITS.maxLength} (default: ${LONGEST_LENGTH})
  --lang LANG         the summary's and the report's language: ${
  LANGUAGES.join(", ")
} (default: en);
                      bn (বাংলা) also uses Bengali example sentences unless --sentence is given
  --json              print the results as JSON on stdout instead of the summary
  -h, --help          show this help

Exit codes: 0 success, 1 failure, 2 bad command line (checked before any work).`;

/** A command-line error: printed with the usage hint, exit code 2. */
export class UsageError extends Error {}

/** The demo's options as the command line names them. */
const FLAG_NAMES: DemoOptionNames = {
  sentences: "--sentence",
  dim: "--dim",
  seed: "--seed",
  maxLength: "--max-length",
};

function integer(flag: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined || !/^-?\d+$/.test(text)) {
    throw new UsageError(
      `${flag}: expected an integer but found ${
        text === undefined ? "nothing" : JSON.stringify(text)
      }`,
    );
  }
  const value = Number(text);
  if (value < min || value > max) {
    throw new UsageError(`${flag}: expected an integer from ${min} to ${max} but found ${value}`);
  }
  return value;
}

/**
 * Parses the demo's flags; `null` means `--help`. Throws {@linkcode UsageError}.
 *
 * @example
 * ```ts
 * import { parseDemoArgs } from "./cli.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const options = parseDemoArgs(["--dim", "4", "--sentence", "Great film"])!;
 * strictEqual(options.dim, 4);
 * strictEqual(options.sentences[0], "Great film");
 * strictEqual(parseDemoArgs(["--help"]), null);
 * ```
 */
export function parseDemoArgs(args: readonly string[]): DemoOptions | null {
  let out: string | undefined;
  const options: DemoOptions = {
    out: "normlab-report.html",
    sentences: [],
    dim: 3,
    seed: 0,
    maxLength: LONGEST_LENGTH,
    json: false,
    lang: "en",
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const equals = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = equals > 0 ? arg.slice(0, equals) : arg;
    const inline = equals > 0 ? arg.slice(equals + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = args[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) {
        throw new UsageError(`${flag}: expected a value`);
      }
      i++;
      return next;
    };
    switch (flag) {
      case "-h":
      case "--help":
        return null;
      case "--out":
        out = value();
        if (out === "") throw new UsageError("--out: expected a path");
        break;
      case "--sentence": {
        const sentence = value();
        if (sentence.trim() === "") {
          throw new UsageError("--sentence: expected a non-empty sentence");
        }
        options.sentences.push(sentence);
        break;
      }
      case "--dim":
        options.dim = integer(flag, value(), 1, DEMO_LIMITS.dim);
        break;
      case "--seed":
        options.seed = integer(flag, value(), 0, Number.MAX_SAFE_INTEGER);
        break;
      case "--max-length":
        options.maxLength = integer(flag, value(), 1, DEMO_LIMITS.maxLength);
        break;
      case "--lang": {
        const lang = value();
        if (!(LANGUAGES as readonly string[]).includes(lang)) {
          throw new UsageError(
            `--lang: expected one of the supported languages ${LANGUAGES.join(", ")} but found ${
              JSON.stringify(lang)
            }`,
          );
        }
        options.lang = lang as Language;
        break;
      }
      case "--json":
        if (inline !== undefined) throw new UsageError("--json: takes no value");
        options.json = true;
        break;
      default:
        throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
    }
  }
  if (options.sentences.length === 0) {
    options.sentences = [...(options.lang === "bn" ? BENGALI_SENTENCES : CLASSIC_SENTENCES)];
  }
  // With --json the results go to stdout; a report is written only where --out says.
  options.out = out ?? (options.json ? null : "normlab-report.html");
  try {
    checkDemoOptions(options, FLAG_NAMES);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return options;
}

/** JSON with bidi controls escaped (`\u202e`): the same data, and no reordered terminal. */
function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u202A-\u202E\u2066-\u2069]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16)}`,
  );
}

function vector(values: readonly number[]): string {
  return `[${values.map((v) => v.toFixed(4).padStart(8)).join(", ")}]`;
}

/** Prints the human summary of a demo run, in `lang` (English by default). */
export function printSummary(result: DemoResult, io: CliIO, lang: Language = "en"): void {
  const t = translator(lang);
  const [B, T, D] = result.shape;
  const total = result.realPositions + result.paddedPositions;
  io.out(t("summary.title"));
  io.out("");
  io.out(t("summary.batch", {
    B: B!,
    T: T!,
    D: D!,
    real: result.realPositions,
    padded: result.paddedPositions,
    percent: (100 * result.paddedPositions / total).toFixed(0),
  }));
  result.tokens.forEach((words, b) =>
    io.out(t("summary.sentence", {
      index: b,
      tokens: terminalText(words.join(" ")),
      count: words.length,
    }))
  );
  io.out("");
  io.out(t("summary.attention"));
  io.out(t("summary.attentionWeight", {
    unmasked: (100 * result.attention.weightOnPaddingUnmasked).toFixed(1),
    masked: (100 * result.attention.weightOnPaddingMasked).toFixed(1),
  }));
  io.out(t("summary.paddedQueries", { max: result.attention.paddedQueryOutputMax.toFixed(4) }));
  io.out("");
  io.out(t("summary.columns", { rows: total }));
  io.out(t("summary.meanWithPadding", { values: vector(result.batchNorm.meanWithPadding) }));
  io.out(t("summary.meanReal", { values: vector(result.batchNorm.meanReal) }));
  io.out(t("summary.stdWithPadding", { values: vector(result.batchNorm.stdWithPadding) }));
  io.out(t("summary.stdReal", { values: vector(result.batchNorm.stdReal) }));
  io.out(t("summary.realTokenError", { error: result.batchNorm.realTokenError.toFixed(4) }));
  io.out("");
  io.out(t("summary.layerNorm", {
    mean: result.layerNorm.outputMeanMax.toExponential(1),
    variance: result.layerNorm.outputVarianceDeviationMax.toExponential(1),
  }));
  io.out("");
  const end = result.sweep.atEnd;
  io.out(t("summary.sweep", { from: result.sweep.naturalLength, to: result.sweep.maxLength }));
  for (const point of [result.sweep.atTypical, end]) {
    if (point === undefined) continue;
    io.out(t("summary.sweepPoint", {
      length: String(point.length).padStart(3),
      percent: (100 * point.paddingFraction).toFixed(0),
      batchNorm: point.batchNormShift.toFixed(4),
      masked: point.maskedBatchNormShift.toExponential(1),
      layerNorm: point.layerNormShift,
    }));
  }
  io.out("");
  const worst = result.batchDependence.reduce((m, row) => Math.max(m, row.batchNormShift), 0);
  const worstMasked = result.batchDependence.reduce(
    (m, row) => Math.max(m, row.maskedBatchNormShift),
    0,
  );
  const worstLayer = result.batchDependence.reduce((m, row) => Math.max(m, row.layerNormShift), 0);
  io.out(t("summary.dependence", {
    count: result.batchDependence.length,
    batchNorm: worst.toFixed(4),
    masked: worstMasked.toFixed(4),
    layerNorm: worstLayer,
  }));
  if (result.report !== null) {
    io.out("");
    io.out(t("summary.report", {
      path: terminalText(result.report.path),
      charts: result.report.charts,
      megabytes: (result.report.bytes / 1e6).toFixed(2),
    }));
  }
}

/**
 * Runs the command line (`deno task demo`); returns the exit code: 0 done,
 * 1 failed, 2 bad command line.
 *
 * @example
 * ```ts
 * import { main } from "./cli.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * const errors: string[] = [];
 * strictEqual(await main(["--dim", "many"], { out() {}, err: (line) => errors.push(line) }), 2);
 * strictEqual(errors[0], 'error: --dim: expected an integer but found "many"');
 * ```
 */
export async function main(args: readonly string[], io: CliIO = defaultIO()): Promise<number> {
  let options: DemoOptions | null;
  try {
    options = parseDemoArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`error: ${terminalText(error.message)}`);
    io.err("Run with --help for the options.");
    return 2;
  }
  if (options === null) {
    io.out(USAGE);
    return 0;
  }
  if (options.out !== null) {
    // An unwritable --out is a bad command line: found before the work, named as the option.
    try {
      await (await reserveOutput(options.out, "--out")).abort();
    } catch (error) {
      io.err(`error: ${terminalText(error instanceof Error ? error.message : String(error))}`);
      return 2;
    }
  }
  try {
    const result = await runDemo(options, io);
    if (options.json) io.out(terminalJson(result));
    else printSummary(result, io, options.lang);
    return 0;
  } catch (error) {
    io.err(`error: ${terminalText(error instanceof Error ? error.message : String(error))}`);
    return 1;
  }
}

/** Standard output and error, with a self-overwriting progress line when stderr is a terminal. */
export function defaultIO(): CliIO {
  const encoder = new TextEncoder();
  const interactive = Deno.stderr.isTerminal();
  return {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    progress: interactive
      ? (text) => Deno.stderr.writeSync(encoder.encode(`\r\x1b[K${text}`))
      : undefined,
  };
}
