/**
 * Languages as data: the English and Bengali catalogues agree, charts and
 * the report speak the language they are asked for, and `--lang` chooses it
 * on the command line.
 */
import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import {
  barChart,
  BENGALI_SENTENCES,
  type CliIO,
  featureStatsChart,
  fontFamily,
  heatmap,
  histogram,
  LANGUAGES,
  lineChart,
  main,
  type MessageKey,
  messages,
  parseDemoArgs,
  Report,
  scatter3d,
  tensor,
  translator,
} from "../mod.ts";

const BENGALI = /[\u0980-\u09ff]/;
const slots = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

Deno.test("catalogues: English and Bengali define the same keys with the same slots", () => {
  deepStrictEqual(LANGUAGES, ["en", "bn"]);
  const en = messages("en");
  const bn = messages("bn");
  deepStrictEqual(Object.keys(bn).sort(), Object.keys(en).sort());
  ok(Object.keys(en).length > 100, "every word of the report, summary and lesson is a key");
  for (const key of Object.keys(en) as MessageKey[]) {
    ok(en[key].trim() !== "" && bn[key].trim() !== "", `${key}: empty message`);
    deepStrictEqual(slots(bn[key]), slots(en[key]), `${key}: the same {slots} in both languages`);
  }
  // The Bengali catalogue is Bengali: its sentences are written in Bengali script (labels
  // that are only technical terms, such as "BatchNorm" or "pad", stay in English).
  const translated = (Object.keys(en) as MessageKey[]).filter((key) => BENGALI.test(bn[key]));
  ok(translated.length / Object.keys(en).length > 0.75, `${translated.length} keys in Bengali`);
  for (const prefix of ["report.", "summary.", "lesson."]) {
    const sentences = (Object.keys(en) as MessageKey[]).filter((key) =>
      key.startsWith(prefix) && en[key].split(" ").length > 6 &&
      key !== "summary.sweepPoint" // numbers and names only: "T = 32 (91% padding): BatchNorm …"
    );
    for (const key of sentences) ok(BENGALI.test(bn[key]), `${key} is not translated: ${bn[key]}`);
  }
});

Deno.test("translator: fills slots, refuses missing values and unknown languages", () => {
  const t = translator("bn");
  strictEqual(
    t("summary.sentence", { index: 0, tokens: "ছবিটা চমৎকার", count: 2 }),
    "  [0] ছবিটা চমৎকার  (2টি token)",
  );
  strictEqual(translator()("name.longest", { length: 100 }), "longest (100)");
  throws(
    () => t("name.longest"),
    /translator: expected a value for \{length\} in message "name.longest" \(bn\)/,
  );
  throws(
    () => translator("de" as "en"),
    /translator: expected lang to be one of "en", "bn" but found "de"/,
  );
  throws(
    () => heatmap(tensor([[1]]), { lang: "fr" as "en" }),
    /translator: expected lang to be one of "en", "bn"/,
  );
});

Deno.test("charts: lang sets the built-in labels and a Bengali font stack", () => {
  const x = tensor([[[1, 2], [0, 0]], [[3, 4], [5, 6]]]);
  const mask = tensor([[1, 0], [1, 1]]);
  const english = heatmap(x, { mask });
  const bengali = heatmap(x, { mask, lang: "bn" });
  const layout = (figure: typeof english) =>
    figure.layout as Record<string, { title: { text: string } }> & {
      font: { family: string };
      annotations: { text: string }[];
    };
  strictEqual(layout(english).font.family, "system-ui, -apple-system, Segoe UI, sans-serif");
  strictEqual(
    layout(bengali).font.family,
    '"Noto Sans Bengali", "Lohit Bengali", Vrinda, "Shonar Bangla", sans-serif',
  );
  strictEqual(layout(english).yaxis!.title.text, "position");
  strictEqual(layout(bengali).yaxis!.title.text, "অবস্থান (position)");
  strictEqual(layout(bengali).annotations[1]!.text, "batch-এর বাক্য 1");
  strictEqual(layout(english).annotations[1]!.text, "batch item 1");
  const stats = { meanWithPadding: [1], stdWithPadding: [1], meanReal: [1], stdReal: [1] };
  const bars = featureStatsChart(stats, { lang: "bn" });
  deepStrictEqual(
    bars.data.map((trace) => (trace as { name: string }).name),
    [
      "mean, padding সহ",
      "mean, শুধু আসল token",
      "standard deviation, padding সহ",
      "standard deviation, শুধু আসল token",
    ],
  );
  ok(BENGALI.test(String((bars.layout.title as { text: string }).text)));
  for (
    const figure of [
      barChart([{ name: "a", values: [1] }], { lang: "bn" }),
      lineChart([{ name: "a", values: [1] }], { lang: "bn" }),
      histogram([{ name: "a", values: [1] }], { lang: "bn" }),
      scatter3d([{ name: "a", points: tensor([[1, 0, -1]]) }], { reference: "circle", lang: "bn" }),
    ]
  ) {
    ok(BENGALI.test(String((figure.layout.title as { text: string }).text)));
    strictEqual((figure.layout.font as { family: string }).family, fontFamily("bn"));
  }
});

Deno.test("Report: lang sets the page's lang attribute and font stack", () => {
  const bn = new Report("প্যাডিং", { lang: "bn" }).toHTML();
  ok(bn.includes('<html lang="bn">'));
  ok(bn.includes(`font-family: ${fontFamily("bn")};`));
  ok(new Report("Padding").toHTML().includes('<html lang="en">'));
  throws(
    () => new Report("x", { lang: "xx" as "en" }),
    /Report: expected lang to be one of "en", "bn" but found "xx"/,
  );
});

function capture(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
}

Deno.test("--lang: bn brings Bengali sentences unless --sentence is given; unknown languages exit 2", async () => {
  deepStrictEqual(parseDemoArgs([])!.lang, "en");
  const bn = parseDemoArgs(["--lang", "bn"])!;
  deepStrictEqual([bn.lang, bn.sentences], ["bn", [...BENGALI_SENTENCES]]);
  deepStrictEqual(parseDemoArgs(["--lang=bn", "--sentence", "Loved it"])!.sentences, ["Loved it"]);
  deepStrictEqual(parseDemoArgs(["--lang", "en"])!.sentences, [
    "Loved it",
    "The acting was terrible",
  ]);
  throws(() => parseDemoArgs(["--lang"]), /--lang: expected a value/);
  for (const wrong of ["fr", "BN", "bengali", ""]) {
    const io = capture();
    strictEqual(await main(["--lang", wrong], io), 2);
    deepStrictEqual(io.stderr, [
      `error: --lang: expected one of the supported languages en, bn but found ${
        JSON.stringify(wrong)
      }`,
      "Run with --help for the options.",
    ]);
    strictEqual(io.stdout.length, 0);
  }
  const help = capture();
  await main(["--help"], help);
  ok(help.stdout.join("\n").includes("--lang LANG"));
});

Deno.test("deno task demo --lang bn: a Bengali summary and a Bengali report", async () => {
  const dir = await Deno.makeTempDir();
  const io = capture();
  strictEqual(await main(["--lang", "bn", "--out", `${dir}/r.html`, "--max-length", "40"], io), 0);
  const text = io.stdout.join("\n");
  ok(text.startsWith("normlab demo: padding-যুক্ত batch-এ LayerNorm বনাম BatchNorm"), text);
  ok(text.includes("Batch: 2টি বাক্য → x (B, T, D) = (2, 4, 3)"), text);
  ok(text.includes("  [0] ছবিটা চমৎকার  (2টি token)"), text);
  ok(text.includes("  [1] অভিনয় একেবারেই জঘন্য ছিল  (4টি token)"), text);
  ok(
    /^ {2}T = {2}40 \(93% padding\): BatchNorm \d+\.\d{4}, masked BatchNorm .*, LayerNorm 0$/m.test(
      text,
    ),
    text,
  );
  // Every line with words has Bengali in it, except the sweep's rows of numbers.
  const lines = text.split("\n").filter((line) => /[a-z]{3}/i.test(line));
  const english = lines.filter((line) => !BENGALI.test(line));
  strictEqual(english.length, 2, english.join("\n"));
  ok(english.every((line) => line.startsWith("  T = ")), english.join("\n"));
  const html = await Deno.readTextFile(`${dir}/r.html`);
  ok(html.includes('<html lang="bn">'));
  ok(html.includes("<h2>৫. padding sweep</h2>"));
  ok(html.includes("অসাধারণ | বিরক্তিকর"), "Bengali batch companions");
  ok(!html.includes("The acting was terrible"));
  await Deno.remove(dir, { recursive: true });
});
