/**
 * The command line's limits and outputs: every input that would run for
 * minutes, exhaust memory or give an unreadable chart is rejected before any
 * work, with one line naming the option (exit 2); the report is written
 * atomically and only where asked; user text cannot drive the terminal.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { type CliIO, DEMO_LIMITS, type DemoOptions, main, Report, runDemo } from "../mod.ts";
import { reserveOutput } from "../lib/_atomic_write.ts";

function capture(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
}

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(" ");

async function rejected(args: string[], pattern: RegExp): Promise<void> {
  const dir = await Deno.makeTempDir();
  const io = capture();
  const started = performance.now();
  const code = await main(["--out", `${dir}/r.html`, ...args], io);
  const seconds = (performance.now() - started) / 1000;
  strictEqual(code, 2, `${args.join(" ").slice(0, 80)}: ${io.stderr.join("\n")}`);
  ok(pattern.test(io.stderr[0]!), `${io.stderr[0]} does not match ${pattern}`);
  strictEqual(io.stderr.length, 2, "one line and the --help hint");
  ok(!io.stderr[0]!.includes("\n"), "one line");
  strictEqual(io.stdout.length, 0);
  ok(seconds < 1, `rejected after ${seconds.toFixed(2)} s: the check must come before the work`);
  deepStrictEqual([...Deno.readDirSync(dir)], [], "nothing written");
  await Deno.remove(dir, { recursive: true });
}

Deno.test("CLI limits: each is checked before any work, in one line naming the option", async () => {
  await rejected(
    ["--max-length", "99999"],
    /^error: --max-length: expected an integer from 1 to 1000/,
  );
  await rejected(
    ["--sentence", words(2000)],
    /^error: --sentence: expected at most 1000 characters per sentence but sentence 0 has/,
  );
  await rejected(
    ["--sentence", Array.from({ length: 10000 }, () => "a").join(" ")],
    /^error: --sentence: expected at most 1000 characters/,
  );
  await rejected(
    ["--sentence", words(DEMO_LIMITS.words + 1).replace(/word/g, "w")],
    /^error: --sentence: expected at most 64 words per sentence but sentence 0 has 65/,
  );
  await rejected(
    ["--dim", "4096"],
    /^error: --dim: expected an integer from 1 to 32 but found 4096/,
  );
  await rejected(
    Array.from({ length: DEMO_LIMITS.sentences + 1 }, () => ["--sentence", "a b"]).flat(),
    /^error: --sentence: expected at most 16 sentences but found 17/,
  );
  await rejected(
    [
      "--dim",
      "32",
      "--max-length",
      "1000",
      ...Array.from({ length: 16 }, () => ["--sentence", "a b c"]).flat(),
    ],
    /^error: --max-length: the padding sweep of 16 sentences × dim 32 up to 1000 positions is too large/,
  );
});

Deno.test("CLI: punctuation-only sentences, too few words and a short --max-length are usage errors", async () => {
  await rejected(
    ["--sentence", "?!… —"],
    /^error: --sentence: expected at least one word in sentence 0 but found none in "\?!… —"/,
  );
  await rejected(
    ["--sentence", "Hi"],
    /^error: --sentence: expected at least 2 words in all \(BatchNorm's training statistics need more than one real position\) but found 1/,
  );
  await rejected(
    ["--sentence", "one two three four five", "--max-length", "3"],
    /^error: --max-length: expected an integer from the batch's length 5 \(its longest sentence\) to 1000 but found 3/,
  );
});

Deno.test("runDemo: the same limits in the API, naming the field", async () => {
  const base = { out: null, sentences: ["a b"], dim: 3, seed: 0, maxLength: 10, json: true };
  const cases: [Partial<DemoOptions>, RegExp][] = [
    [{ dim: 5000 }, /^runDemo: dim: expected an integer from 1 to 32/],
    [{ maxLength: 1 }, /^runDemo: maxLength: expected an integer from the batch's length 2/],
    [{ sentences: ["..."] }, /^runDemo: sentences: expected at least one word in sentence 0/],
  ];
  for (const [options, pattern] of cases) {
    let message = "";
    await runDemo({ ...base, ...options }).catch((error) => (message = error.message));
    ok(pattern.test(message), message);
  }
});

Deno.test("--out: an unwritable path fails first, names --out, and leaves nothing", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/folder`);
  for (
    const [out, reason] of [
      [`${dir}/missing/r.html`, /No such file or directory/],
      [`${dir}/folder`, /it is a folder/],
    ] as const
  ) {
    const io = capture();
    const started = performance.now();
    strictEqual(await main(["--out", out], io), 2);
    ok(performance.now() - started < 1000, "before the work");
    ok(
      io.stderr[0]!.startsWith(`error: --out: cannot write ${JSON.stringify(out)}: `),
      io.stderr[0],
    );
    ok(reason.test(io.stderr[0]!), io.stderr[0]);
  }
  deepStrictEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["folder"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("reserveOutput: writes by rename; a failed write or an abort leaves no file", async () => {
  const dir = await Deno.makeTempDir();
  const names = () => [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  // Success: the file appears whole, with an ordinary file's mode, and no temporary is left.
  const ok1 = await reserveOutput(`${dir}/a.html`, "test");
  strictEqual(names().length, 1, "the temporary file is reserved beside the output");
  ok(names()[0]!.startsWith(".a.html.") && names()[0]!.endsWith(".partial"));
  await ok1.commit("whole");
  deepStrictEqual(names(), ["a.html"]);
  strictEqual(await Deno.readTextFile(`${dir}/a.html`), "whole");
  strictEqual((await Deno.stat(`${dir}/a.html`)).mode! & 0o777, 0o644);
  // The work failed: abort leaves the old file as it was.
  const aborted = await reserveOutput(`${dir}/a.html`, "test");
  await aborted.abort();
  deepStrictEqual(names(), ["a.html"]);
  strictEqual(await Deno.readTextFile(`${dir}/a.html`), "whole");
  // The write itself fails (the target became a folder): an error naming the label, no partial file.
  const failing = await reserveOutput(`${dir}/b.html`, "--out");
  await Deno.mkdir(`${dir}/b.html`);
  await Deno.writeTextFile(`${dir}/b.html/keep`, "");
  let message = "";
  await failing.commit("x".repeat(1e6)).catch((error) => (message = error.message));
  ok(message.startsWith(`--out: cannot write ${JSON.stringify(`${dir}/b.html`)}`), message);
  deepStrictEqual(names(), ["a.html", "b.html"]);
  deepStrictEqual([...Deno.readDirSync(`${dir}/b.html`)].map((e) => e.name), ["keep"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--json without --out writes no report (the help says so)", async () => {
  const dir = await Deno.makeTempDir();
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      new URL("../mod.ts", import.meta.url).pathname,
      "--json",
      "--max-length",
      "8",
    ],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  strictEqual(output.code, 0, new TextDecoder().decode(output.stderr));
  strictEqual(JSON.parse(new TextDecoder().decode(output.stdout)).report, null);
  deepStrictEqual([...Deno.readDirSync(dir)], [], "nothing written to the current folder");
  const help = capture();
  await main(["--help"], help);
  ok(help.stdout.join("\n").includes("or\n                      no report with --json"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("terminal: bidi overrides and escape sequences in sentences are shown, not obeyed", async () => {
  const dir = await Deno.makeTempDir();
  const sentence = "evil\u202Etxt exe \u2066quiet\u2069 word";
  const summary = capture();
  strictEqual(
    await main(["--out", `${dir}/r.html`, "--max-length", "8", "--sentence", sentence], summary),
    0,
    summary.stderr.join("\n"),
  );
  const text = summary.stdout.join("\n");
  // deno-lint-ignore no-control-regex -- looking for ESC is the point
  const unsafe = /[\u202A-\u202E\u2066-\u2069\u001B]/;
  ok(!unsafe.test(text), "no raw control reaches the terminal");
  ok(text.includes("\\u{202E}"), text);
  const json = capture();
  await main(["--json", "--max-length", "8", "--sentence", sentence], json);
  const printed = json.stdout.join("\n");
  ok(!/[\u202A-\u202E\u2066-\u2069]/.test(printed), "no raw bidi control in the JSON");
  strictEqual(JSON.parse(printed).sentences[0], sentence, "the JSON still holds the exact text");
  const escape = capture();
  strictEqual(await main(["--sentence", "\u001B[2J..."], escape), 2);
  ok(!escape.stderr.join("").includes("\u001B"), "ESC in an error message is shown, not sent");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("Report.save: atomic, and an unwritable path names Report.save and leaves nothing", async () => {
  const dir = await Deno.makeTempDir();
  const report = new Report("r").markdown("text");
  await report.save(new URL(`file://${dir}/r.html`));
  deepStrictEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["r.html"]);
  let message = "";
  await report.save(`${dir}/missing/r.html`).catch((error) => (message = error.message));
  ok(message.startsWith(`Report.save: cannot write ${JSON.stringify(`${dir}/missing/r.html`)}`));
  deepStrictEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["r.html"]);
  await Deno.remove(dir, { recursive: true });
});
