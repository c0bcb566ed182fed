/**
 * The command line: `deno task demo` steps through the padding story on
 * built-in example data, prints a summary and writes an offline HTML report.
 *
 * @module
 */
import { SelfAttention } from "./attention.ts";
import { batchNorm } from "./batch_norm.ts";
import { CLASSIC_SENTENCES, LONGEST_LENGTH, TYPICAL_LENGTH } from "./examples.ts";
import {
  batchDependence,
  type BatchDependenceRow,
  type PaddingSweep,
  paddingSweep,
} from "./experiments.ts";
import { layerNorm } from "./layer_norm.ts";
import { barChart, featureStatsChart, heatmap, lineChart, scatter3d } from "./plot.ts";
import { Report } from "./report.ts";
import { featureStats, tokenStats } from "./stats.ts";
import { tensor } from "./tensor.ts";
import { encodeBatch } from "./text.ts";

/** What the demo runs on. */
export interface DemoOptions {
  /** The report's path. */
  out: string;
  /** The batch's sentences. */
  sentences: string[];
  /** D, the embedding width. */
  dim: number;
  /** The embedding seed. */
  seed: number;
  /** The sweep's last padded length. */
  maxLength: number;
  /** Machine-readable results on stdout instead of the summary. */
  json: boolean;
}

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
  --out PATH          where to write the HTML report (default: normlab-report.html)
  --sentence TEXT     a sentence of the batch; repeat for more (default: "${
  CLASSIC_SENTENCES.join('", "')
}")
  --dim N             embedding width D (default: 3)
  --seed N            embedding seed (default: 0)
  --max-length N      pad the sweep up to N positions (default: ${LONGEST_LENGTH})
  --json              print the results as JSON on stdout instead of the summary
  -h, --help          show this help

Exit codes: 0 success, 1 failure, 2 bad command line.`;

/** A command-line error: printed with the usage hint, exit code 2. */
export class UsageError extends Error {}

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
  const options: DemoOptions = {
    out: "normlab-report.html",
    sentences: [],
    dim: 3,
    seed: 0,
    maxLength: LONGEST_LENGTH,
    json: false,
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
        options.out = value();
        if (options.out === "") throw new UsageError("--out: expected a path");
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
        options.dim = integer(flag, value(), 1, 4096);
        break;
      case "--seed":
        options.seed = integer(flag, value(), 0, Number.MAX_SAFE_INTEGER);
        break;
      case "--max-length":
        options.maxLength = integer(flag, value(), 1, 100000);
        break;
      case "--json":
        if (inline !== undefined) throw new UsageError("--json: takes no value");
        options.json = true;
        break;
      default:
        throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
    }
  }
  if (options.sentences.length === 0) options.sentences = [...CLASSIC_SENTENCES];
  return options;
}

/** The demo's results, as `--json` prints them. */
export interface DemoResult {
  sentences: string[];
  tokens: string[][];
  shape: number[];
  realPositions: number;
  paddedPositions: number;
  attention: {
    /** Share of the real queries' attention that goes to padded keys without the mask. */
    weightOnPaddingUnmasked: number;
    /** The same with the mask: 0. */
    weightOnPaddingMasked: number;
    /** The largest |output| at a padded query position (not zero after the softmax). */
    paddedQueryOutputMax: number;
  };
  batchNorm: {
    meanWithPadding: number[];
    meanReal: number[];
    stdWithPadding: number[];
    stdReal: number[];
    /** max |plain − masked| BatchNorm output over real tokens. */
    realTokenError: number;
  };
  layerNorm: {
    /** Per-token mean and variance of x (B, T). */
    tokenMean: number[][];
    tokenVariance: number[][];
    /** The largest |mean| and |variance − 1| of LayerNorm's output over real tokens. */
    outputMeanMax: number;
    outputVarianceDeviationMax: number;
  };
  sweep: {
    naturalLength: number;
    maxLength: number;
    trackedToken: string;
    atTypical?: SweepSummary;
    atEnd: SweepSummary;
  };
  batchDependence: BatchDependenceRow[];
  report: { path: string; bytes: number; charts: number };
}

interface SweepSummary {
  length: number;
  paddingFraction: number;
  batchNormShift: number;
  maskedBatchNormShift: number;
  layerNormShift: number;
}

function rows2d(values: Float32Array | Float64Array, rows: number, cols: number): number[][] {
  return Array.from(
    { length: rows },
    (_, r) => Array.from(values.subarray(r * cols, (r + 1) * cols)),
  );
}

/**
 * Runs the story — padding, self-attention, BatchNorm's columns, LayerNorm's
 * rows, the padding sweep, batch dependence — writes the report to
 * `options.out` and returns the numbers.
 *
 * @example
 * ```ts
 * import { parseDemoArgs, runDemo } from "./cli.ts";
 * import { ok, strictEqual } from "node:assert/strict";
 *
 * const out = await Deno.makeTempFile({ suffix: ".html" });
 * const result = await runDemo({ ...parseDemoArgs(["--max-length", "16"])!, out }, { out() {}, err() {} });
 * strictEqual(result.sweep.atEnd.layerNormShift, 0);
 * ok(result.sweep.atEnd.batchNormShift > 0);
 * await Deno.remove(out);
 * ```
 */
export async function runDemo(options: DemoOptions, io: CliIO): Promise<DemoResult> {
  const { sentences, dim, seed } = options;
  const batch = encodeBatch(sentences, { dim, seed });
  const { x, mask, tokens } = batch;
  const [B, T] = [x.shape[0]!, x.shape[1]!];
  if (T === 0) throw new Error("demo: expected at least one word in the sentences but found none");
  const maskData = mask.data;
  const realPositions = batch.lengths.reduce((sum, n) => sum + n, 0);
  const rowLabels = tokens.map((words) => Array.from({ length: T }, (_, t) => words[t] ?? "<pad>"));
  const featureLabels = Array.from({ length: dim }, (_, d) => `d${d}`);

  // Self-attention, Q = K = V = x, with and without the key mask.
  const attention = new SelfAttention(dim, { projections: false });
  const unmasked = attention.forward(x);
  const masked = attention.forward(x, { mask });
  let paddingWeight = 0;
  let paddingWeightMasked = 0;
  let paddedQueryOutputMax = 0;
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < T; i++) {
      const queryIsReal = maskData[b * T + i] === 1;
      for (let j = 0; j < T; j++) {
        if (maskData[b * T + j] === 0 && queryIsReal) {
          paddingWeight += unmasked.weights.data[(b * T + i) * T + j]!;
          paddingWeightMasked += masked.weights.data[(b * T + i) * T + j]!;
        }
      }
      if (!queryIsReal) {
        for (let d = 0; d < dim; d++) {
          paddedQueryOutputMax = Math.max(
            paddedQueryOutputMax,
            Math.abs(masked.output.data[(b * T + i) * dim + d]!),
          );
        }
      }
    }
  }

  // BatchNorm's columns and LayerNorm's rows.
  const padded = featureStats(x);
  const real = featureStats(x, { mask });
  const plainBatchNorm = batchNorm(x);
  const maskedBatchNorm = batchNorm(x, { mask });
  const normalized = layerNorm(x);
  const inputTokens = tokenStats(x);
  const outputTokens = tokenStats(normalized);
  let realTokenError = 0;
  let outputMeanMax = 0;
  let outputVarianceDeviationMax = 0;
  for (let row = 0; row < B * T; row++) {
    if (maskData[row] === 0) continue;
    outputMeanMax = Math.max(outputMeanMax, Math.abs(outputTokens.mean.data[row]!));
    outputVarianceDeviationMax = Math.max(
      outputVarianceDeviationMax,
      Math.abs(outputTokens.variance.data[row]! - 1),
    );
    for (let d = 0; d < dim; d++) {
      realTokenError = Math.max(
        realTokenError,
        Math.abs(plainBatchNorm.data[row * dim + d]! - maskedBatchNorm.data[row * dim + d]!),
      );
    }
  }

  const sweepMax = Math.max(options.maxLength, T);
  const sweep = paddingSweep({
    sentences,
    dim,
    seed,
    maxLength: sweepMax,
    onProgress: io.progress
      ? (done, total) => io.progress!(`padding sweep ${done}/${total}`)
      : undefined,
  });
  io.progress?.("");
  const dependence = batchDependence({ sentence: sentences[0], dim, seed });

  const report = buildReport(options, {
    batch,
    rowLabels,
    featureLabels,
    unmasked,
    masked,
    padded,
    real,
    plainBatchNorm,
    maskedBatchNorm,
    normalized,
    inputTokens,
    sweep,
    dependence,
  });
  const html = report.toHTML();
  await Deno.writeTextFile(options.out, html);
  const summarize = (length: number): SweepSummary | undefined => {
    const row = sweep.rows.find((r) => r.length === length);
    return row && {
      length: row.length,
      paddingFraction: row.paddingFraction,
      batchNormShift: row.batchNormShift,
      maskedBatchNormShift: row.maskedBatchNormShift,
      layerNormShift: row.layerNormShift,
    };
  };
  const sd = (variance: Float32Array | Float64Array) => Array.from(variance, Math.sqrt);
  return {
    sentences,
    tokens,
    shape: [...x.shape],
    realPositions,
    paddedPositions: B * T - realPositions,
    attention: {
      weightOnPaddingUnmasked: paddingWeight / Math.max(1, realPositions),
      weightOnPaddingMasked: paddingWeightMasked / Math.max(1, realPositions),
      paddedQueryOutputMax,
    },
    batchNorm: {
      meanWithPadding: Array.from(padded.mean.data),
      meanReal: Array.from(real.mean.data),
      stdWithPadding: sd(padded.variance.data),
      stdReal: sd(real.variance.data),
      realTokenError,
    },
    layerNorm: {
      tokenMean: rows2d(inputTokens.mean.data, B, T),
      tokenVariance: rows2d(inputTokens.variance.data, B, T),
      outputMeanMax,
      outputVarianceDeviationMax,
    },
    sweep: {
      naturalLength: sweep.naturalLength,
      maxLength: sweepMax,
      trackedToken: sweep.trackedToken,
      atTypical: summarize(TYPICAL_LENGTH),
      atEnd: summarize(sweepMax)!,
    },
    batchDependence: dependence,
    report: {
      path: await Deno.realPath(options.out),
      bytes: new TextEncoder().encode(html).length,
      charts: report.figureCount,
    },
  };
}

interface ReportInputs {
  batch: ReturnType<typeof encodeBatch>;
  rowLabels: string[][];
  featureLabels: string[];
  unmasked: ReturnType<SelfAttention["forward"]>;
  masked: ReturnType<SelfAttention["forward"]>;
  padded: ReturnType<typeof featureStats>;
  real: ReturnType<typeof featureStats>;
  plainBatchNorm: ReturnType<typeof batchNorm>;
  maskedBatchNorm: ReturnType<typeof batchNorm>;
  normalized: ReturnType<typeof layerNorm>;
  inputTokens: ReturnType<typeof tokenStats>;
  sweep: PaddingSweep;
  dependence: BatchDependenceRow[];
}

function buildReport(options: DemoOptions, r: ReportInputs): Report {
  const { x, mask, tokens } = r.batch;
  const [B, T, D] = [x.shape[0]!, x.shape[1]!, x.shape[2]!];
  const report = new Report("normlab: LayerNorm vs BatchNorm on a padded batch");
  const common = { mask, rowLabels: r.rowLabels, colLabels: r.featureLabels };
  report.markdown(
    `${B} sentences, embedded in D = ${D} (seed ${options.seed}) and right-padded to one tensor of shape (B, T, D) = (${B}, ${T}, ${D}) with a mask (1 = real token, 0 = padding).`,
  );
  report.heading("1. The padded batch");
  report.table(
    tokens.map((words, b) => ({
      sentence: options.sentences[b],
      tokens: words.join(" "),
      length: words.length,
      padding: T - words.length,
    })),
  );
  report.tensor(x, { ...common, title: "x (B, T, D), padded rows shaded" });
  report.figure(
    heatmap(x, {
      ...common,
      title: "The padded batch x: padding rows are all zeros",
      panelTitles: tokens.map((w) => w.join(" ")),
    }),
  );
  report.heading("2. Self-attention (Q = K = V = x)");
  report.markdown(
    "Without a key mask every query also attends to the padding. With it, padded keys get −∞ before the softmax and exactly zero weight. Padded *queries* still produce outputs — averages of the real tokens — so they are not zero after attention.",
  );
  report.figure(
    heatmap(r.unmasked.weights, {
      rowLabels: r.rowLabels,
      colLabels: r.rowLabels,
      title: "Attention weights without the mask",
      xTitle: "key",
      yTitle: "query",
    }),
  );
  report.figure(
    heatmap(r.masked.weights, {
      rowLabels: r.rowLabels,
      colLabels: r.rowLabels,
      columnMask: mask,
      title: "Attention weights with the key mask (padded keys greyed)",
      xTitle: "key",
      yTitle: "query",
    }),
  );
  report.heading("3. BatchNorm: statistics down each column");
  report.markdown(
    `BatchNorm stacks (B, T, D) to (B·T, D) = (${
      B * T
    }, ${D}) and normalises each feature with the mean and standard deviation of its column — padding included, unless masked.`,
  );
  const std = (v: typeof r.padded.variance) => v.sqrt();
  report.figure(
    featureStatsChart({
      meanWithPadding: r.padded.mean,
      stdWithPadding: std(r.padded.variance),
      meanReal: r.real.mean,
      stdReal: std(r.real.variance),
    }, { featureLabels: r.featureLabels }),
  );
  report.figure(
    heatmap(r.plainBatchNorm, {
      ...common,
      title: "BatchNorm output, padding counted in the statistics",
    }),
  );
  report.figure(
    heatmap(r.maskedBatchNorm, {
      ...common,
      title: "Masked BatchNorm output: real tokens only, padding stays 0",
    }),
  );
  report.heading("4. LayerNorm: statistics across each row");
  const realLabels: string[] = [];
  const means: number[] = [];
  const stds: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < tokens[b]!.length; t++) {
      realLabels.push(`${b}:${t} ${tokens[b]![t]}`);
      means.push(r.inputTokens.mean.data[b * T + t]!);
      stds.push(Math.sqrt(r.inputTokens.variance.data[b * T + t]!));
    }
  }
  report.figure(
    barChart([{ name: "token mean", values: means }, { name: "token std", values: stds }], {
      title: "LayerNorm's row statistics: each real token's own mean and std",
      categories: realLabels,
      xTitle: "token",
      yTitle: "value",
    }),
  );
  report.figure(
    heatmap(r.normalized, {
      ...common,
      title: "LayerNorm output: every real token has mean 0 and variance ≈ 1",
    }),
  );
  if (D === 3) {
    const realRows = (t: typeof x) => {
      const picked: number[] = [];
      for (let row = 0; row < B * T; row++) {
        if (mask.data[row] === 1) picked.push(...t.data.subarray(row * 3, row * 3 + 3));
      }
      return picked;
    };
    const labels = tokens.flat();
    const points = (values: number[]) => tensor(values, { shape: [values.length / 3, 3] });
    report.figure(scatter3d([
      { name: "embeddings x", points: points(realRows(x)), labels },
      { name: "LayerNorm(x)", points: points(realRows(r.normalized)), labels },
    ], {
      title:
        "With D = 3, LayerNorm puts every token on a circle of radius √3 in the plane x + y + z = 0",
      reference: "circle",
    }));
  }
  report.heading("5. The padding sweep");
  report.markdown(
    `In a corpus whose longest document has ${LONGEST_LENGTH} words and a typical one ${TYPICAL_LENGTH}, a typical document in a batch padded to ${LONGEST_LENGTH} is about two-thirds padding. Here the same batch is padded from ${r.sweep.naturalLength} to ${options.maxLength} positions.`,
  );
  const lengths = r.sweep.rows.map((row) => row.length);
  const markers = [TYPICAL_LENGTH, LONGEST_LENGTH].filter((m) =>
    m >= r.sweep.naturalLength && m <= Math.max(options.maxLength, r.sweep.naturalLength)
  ).map((m) => ({ x: m, label: m === TYPICAL_LENGTH ? `typical (${m})` : `longest (${m})` }));
  report.figure(lineChart([
    ...r.featureLabels.map((name, d) => ({
      name: `${name} mean, padding counted`,
      x: lengths,
      values: r.sweep.rows.map((row) => row.meanWithPadding[d]!),
    })),
    ...r.featureLabels.map((name, d) => ({
      name: `${name} std, padding counted`,
      x: lengths,
      values: r.sweep.rows.map((row) => row.stdWithPadding[d]!),
      dash: "dash" as const,
    })),
  ], {
    title: "BatchNorm's column statistics shrink toward the padding as T grows",
    xTitle: "padded length T",
    yTitle: "statistic",
    markers,
  }));
  report.figure(lineChart([
    {
      name: "BatchNorm",
      x: lengths,
      values: r.sweep.rows.map((row) => row.batchNormShift),
      color: "#dc2626",
    },
    {
      name: "masked BatchNorm",
      x: lengths,
      values: r.sweep.rows.map((row) => row.maskedBatchNormShift),
      color: "#2563eb",
      dash: "dash",
    },
    {
      name: "LayerNorm",
      x: lengths,
      values: r.sweep.rows.map((row) => row.layerNormShift),
      color: "#16a34a",
      dash: "dot",
    },
  ], {
    title: "How far padding moves the real tokens' outputs (max |Δy| vs the unpadded batch)",
    xTitle: "padded length T",
    yTitle: "max |Δy|",
    markers,
  }));
  report.heading("6. The same sentence in different batches");
  report.table(
    r.dependence.map((row) => ({
      "other sentences": row.batch,
      T: row.length,
      "BatchNorm shift": row.batchNormShift,
      "masked BatchNorm shift": row.maskedBatchNormShift,
      "LayerNorm shift": row.layerNormShift,
    })),
  );
  report.figure(barChart([
    { name: "BatchNorm", values: r.dependence.map((row) => row.batchNormShift), color: "#dc2626" },
    {
      name: "masked BatchNorm",
      values: r.dependence.map((row) => row.maskedBatchNormShift),
      color: "#2563eb",
    },
    { name: "LayerNorm", values: r.dependence.map((row) => row.layerNormShift), color: "#16a34a" },
  ], {
    title: `"${options.sentences[0]}": how much its output changes with its batch companions`,
    categories: r.dependence.map((_, i) => `batch ${i}`),
    xTitle: "batch",
    yTitle: "max |Δy| vs batch 0",
  }));
  report.heading("7. Side by side");
  report.table([
    {
      "": "statistics over",
      BatchNorm: "each feature, down the batch (B·T rows)",
      "masked BatchNorm": "each feature, real rows only",
      LayerNorm: "each token, across its D features",
    },
    {
      "": "padding enters the statistics",
      BatchNorm: "yes",
      "masked BatchNorm": "no",
      LayerNorm: "no",
    },
    {
      "": "output depends on other sentences",
      BatchNorm: "yes",
      "masked BatchNorm": "yes",
      LayerNorm: "no",
    },
    {
      "": "train/eval behave alike",
      BatchNorm: "no (running statistics)",
      "masked BatchNorm": "no (running statistics)",
      LayerNorm: "yes",
    },
  ]);
  return report;
}

function vector(values: readonly number[]): string {
  return `[${values.map((v) => v.toFixed(4).padStart(8)).join(", ")}]`;
}

/** Prints the human summary of a demo run. */
export function printSummary(result: DemoResult, io: CliIO): void {
  const [B, T, D] = result.shape;
  const total = result.realPositions + result.paddedPositions;
  io.out("normlab demo: LayerNorm vs BatchNorm on a padded batch");
  io.out("");
  io.out(
    `Batch: ${B} sentences → x (B, T, D) = (${B}, ${T}, ${D}), mask (${B}, ${T}): ${result.realPositions} real positions, ${result.paddedPositions} padding (${
      (100 * result.paddedPositions / total).toFixed(0)
    }%)`,
  );
  result.tokens.forEach((words, b) =>
    io.out(`  [${b}] ${words.join(" ")}  (${words.length} tokens)`)
  );
  io.out("");
  io.out("Self-attention (Q = K = V = x):");
  io.out(
    `  weight real queries give to padded keys: ${
      (100 * result.attention.weightOnPaddingUnmasked).toFixed(1)
    }% without the mask, ${(100 * result.attention.weightOnPaddingMasked).toFixed(1)}% with it`,
  );
  io.out(
    `  padded queries are not zero after attention: max |output| ${
      result.attention.paddedQueryOutputMax.toFixed(4)
    }`,
  );
  io.out("");
  io.out(`BatchNorm's column statistics over B·T = ${total} rows:`);
  io.out(`  mean, padding counted   ${vector(result.batchNorm.meanWithPadding)}`);
  io.out(`  mean, real tokens only  ${vector(result.batchNorm.meanReal)}`);
  io.out(`  std,  padding counted   ${vector(result.batchNorm.stdWithPadding)}`);
  io.out(`  std,  real tokens only  ${vector(result.batchNorm.stdReal)}`);
  io.out(
    `  real tokens' BatchNorm output moves by up to ${
      result.batchNorm.realTokenError.toFixed(4)
    } because of the padding`,
  );
  io.out("");
  io.out(
    `LayerNorm's row statistics: per token; after LayerNorm every real token has |mean| ≤ ${
      result.layerNorm.outputMeanMax.toExponential(1)
    } and |variance − 1| ≤ ${result.layerNorm.outputVarianceDeviationMax.toExponential(1)}`,
  );
  io.out("");
  const end = result.sweep.atEnd;
  io.out(
    `Padding sweep, T = ${result.sweep.naturalLength} → ${result.sweep.maxLength} (max |Δy| of real tokens vs the unpadded batch):`,
  );
  for (const point of [result.sweep.atTypical, end]) {
    if (point === undefined) continue;
    io.out(
      `  T = ${String(point.length).padStart(3)} (${
        (100 * point.paddingFraction).toFixed(0)
      }% padding): BatchNorm ${point.batchNormShift.toFixed(4)}, masked BatchNorm ${
        point.maskedBatchNormShift.toExponential(1)
      }, LayerNorm ${point.layerNormShift}`,
    );
  }
  io.out("");
  const worst = result.batchDependence.reduce((m, row) => Math.max(m, row.batchNormShift), 0);
  const worstMasked = result.batchDependence.reduce(
    (m, row) => Math.max(m, row.maskedBatchNormShift),
    0,
  );
  const worstLayer = result.batchDependence.reduce((m, row) => Math.max(m, row.layerNormShift), 0);
  io.out(
    `Same sentence in ${result.batchDependence.length} batches: BatchNorm shifts up to ${
      worst.toFixed(4)
    }, masked BatchNorm ${worstMasked.toFixed(4)}, LayerNorm ${worstLayer}`,
  );
  io.out("");
  io.out(
    `Report: ${result.report.path} (${result.report.charts} charts, ${
      (result.report.bytes / 1e6).toFixed(2)
    } MB, opens offline)`,
  );
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
    io.err(`error: ${error.message}`);
    io.err("Run with --help for the options.");
    return 2;
  }
  if (options === null) {
    io.out(USAGE);
    return 0;
  }
  try {
    const result = await runDemo(options, io);
    if (options.json) io.out(JSON.stringify(result, null, 2));
    else printSummary(result, io);
    return 0;
  } catch (error) {
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function defaultIO(): CliIO {
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
