import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { type CliIO, main, parseDemoArgs } from "../mod.ts";
import { UsageError } from "../lib/cli.ts";

function capture(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
}

Deno.test("parseDemoArgs: defaults and every flag", () => {
  const defaults = parseDemoArgs([])!;
  deepStrictEqual(defaults, {
    out: "normlab-report.html",
    sentences: ["Loved it", "The acting was terrible"],
    dim: 3,
    seed: 0,
    maxLength: 100,
    json: false,
    lang: "en",
  });
  const all = parseDemoArgs([
    "--out",
    "r.html",
    "--sentence",
    "One two",
    "--sentence=Three",
    "--dim",
    "4",
    "--seed=7",
    "--max-length",
    "40",
    "--json",
  ])!;
  deepStrictEqual(all, {
    out: "r.html",
    sentences: ["One two", "Three"],
    dim: 4,
    seed: 7,
    maxLength: 40,
    json: true,
    lang: "en",
  });
  strictEqual(parseDemoArgs(["--help"]), null);
  strictEqual(parseDemoArgs(["-h"]), null);
});

Deno.test("parseDemoArgs: bad flags are usage errors with a clear message", () => {
  throws(
    () => parseDemoArgs(["--dim", "zero"]),
    new UsageError('--dim: expected an integer but found "zero"'),
  );
  throws(
    () => parseDemoArgs(["--dim", "0"]),
    /--dim: expected an integer from 1 to 32 but found 0/,
  );
  throws(() => parseDemoArgs(["--seed", "-1"]), /--seed: expected an integer from 0/);
  throws(() => parseDemoArgs(["--max-length"]), /--max-length: expected a value/);
  throws(() => parseDemoArgs(["--out", "--json"]), /--out: expected a value/);
  throws(() => parseDemoArgs(["--sentence", "  "]), /--sentence: expected a non-empty sentence/);
  throws(() => parseDemoArgs(["--json=yes"]), /--json: takes no value/);
  throws(() => parseDemoArgs(["--colour"]), /unknown option "--colour"/);
  throws(() => parseDemoArgs(["extra"]), /unknown option "extra"/);
});

Deno.test("main: --help prints the usage; bad flags exit 2", async () => {
  const help = capture();
  strictEqual(await main(["--help"], help), 0);
  ok(help.stdout.join("\n").includes("--max-length N"));
  const bad = capture();
  strictEqual(await main(["--dim", "x"], bad), 2);
  deepStrictEqual(bad.stderr, [
    'error: --dim: expected an integer but found "x"',
    "Run with --help for the options.",
  ]);
  strictEqual(bad.stdout.length, 0);
});

Deno.test("main: the default run prints the summary and writes the report", async () => {
  const dir = await Deno.makeTempDir();
  const io = capture();
  strictEqual(await main(["--out", `${dir}/report.html`], io), 0);
  const text = io.stdout.join("\n");
  ok(text.includes("x (B, T, D) = (2, 4, 3)"), text);
  ok(text.includes("loved it"));
  ok(
    /T = 100 \(97% padding\): BatchNorm \d+\.\d{4}, masked BatchNorm .*, LayerNorm 0$/m.test(text),
    text,
  );
  ok(text.includes(`Report: ${await Deno.realPath(`${dir}/report.html`)}`));
  const html = await Deno.readTextFile(`${dir}/report.html`);
  ok(html.includes("<h2>5. The padding sweep</h2>"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("main: --json with custom sentences, dim, seed and max length", async () => {
  const dir = await Deno.makeTempDir();
  const io = capture();
  const code = await main([
    "--json",
    "--out",
    `${dir}/r.html`,
    "--sentence",
    "A fine film",
    "--sentence",
    "Dull",
    "--sentence",
    "Not my taste at all",
    "--dim",
    "4",
    "--seed",
    "3",
    "--max-length",
    "40",
  ], io);
  strictEqual(code, 0, io.stderr.join("\n"));
  const result = JSON.parse(io.stdout.join("\n"));
  deepStrictEqual(result.shape, [3, 5, 4]);
  deepStrictEqual(result.tokens[1], ["dull"]);
  strictEqual(result.realPositions, 9);
  strictEqual(result.sweep.naturalLength, 5);
  strictEqual(result.sweep.maxLength, 40);
  strictEqual(result.sweep.atEnd.layerNormShift, 0);
  ok(result.sweep.atEnd.batchNormShift > 0.1);
  ok(result.sweep.atEnd.maskedBatchNormShift < 1e-5);
  strictEqual(result.attention.weightOnPaddingMasked, 0);
  ok(result.attention.weightOnPaddingUnmasked > 0);
  // Every chart but the 3-D scatter (D ≠ 3), the two slider explorables included.
  strictEqual(result.report.charts, 13, "D ≠ 3: no 3-D scatter");
  // Another seed gives other embeddings.
  const other = capture();
  await main(
    ["--json", "--out", `${dir}/r2.html`, "--seed", "4", "--sentence", "A fine film"],
    other,
  );
  ok(
    JSON.stringify(JSON.parse(other.stdout.join("\n")).batchNorm) !==
      JSON.stringify(result.batchNorm),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("mod.ts runs the demo when executed; bad flags exit 2", async () => {
  const dir = await Deno.makeTempDir();
  const run = (args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        new URL("../mod.ts", import.meta.url).pathname,
        ...args,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const bad = await run(["--bogus"]);
  strictEqual(bad.code, 2);
  ok(new TextDecoder().decode(bad.stderr).includes('unknown option "--bogus"'));
  const good = await run(["--out", `${dir}/r.html`, "--max-length", "10"]);
  strictEqual(good.code, 0, new TextDecoder().decode(good.stderr));
  ok(new TextDecoder().decode(good.stdout).includes("normlab demo"));
  const failing = await run(["--out", `${dir}/missing/dir/r.html`]);
  strictEqual(failing.code, 2, "an unwritable --out is a bad command line");
  ok(new TextDecoder().decode(failing.stderr).includes("error: --out: cannot write"));
  await Deno.remove(dir, { recursive: true });
});
