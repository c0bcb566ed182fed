/**
 * The Bengali message catalogue (বাংলা), in the register of a Bengali
 * lecture note: Bengali sentences with the English technical terms
 * (BatchNorm, LayerNorm, padding, mask, mean, standard deviation, token,
 * feature) kept as learners use them. Same keys as `en.ts`.
 *
 * @module
 */
import type { Messages } from "./en.ts";

/** Bengali messages, by key. */
export const BN: Messages = {
  // Chart builders (lib/plot.ts): defaults and built-in labels.
  "chart.tensorTitle": "Tensor {shape}",
  "chart.feature": "feature",
  "chart.position": "অবস্থান (position)",
  "chart.values": "মান",
  "chart.padding": "padding",
  "chart.pad": "pad",
  "chart.batchTrace": "batch {index}",
  "chart.batchItem": "batch-এর বাক্য {index}",
  "chart.barTitle": "বার চার্ট",
  "chart.lineTitle": "লাইন চার্ট",
  "chart.scatterTitle": "ত্রিমাত্রিক ভেক্টর",
  "chart.circle": "x + y + z = 0 তলে √3 ব্যাসার্ধের বৃত্ত",
  "chart.sphere": "√3 ব্যাসার্ধের গোলক",
  "chart.histogramTitle": "হিস্টোগ্রাম",
  "chart.value": "মান",
  "chart.count": "সংখ্যা",
  "chart.featureStatsTitle": "BatchNorm-এর কলামভিত্তিক পরিসংখ্যান: padding সহ বনাম padding ছাড়া",
  "chart.featureColumn": "feature (কলাম)",
  "chart.meanWithPadding": "mean, padding সহ",
  "chart.meanReal": "mean, শুধু আসল token",
  "chart.stdWithPadding": "standard deviation, padding সহ",
  "chart.stdReal": "standard deviation, শুধু আসল token",
  "chart.play": "▶ চালাও",
  "chart.pause": "❚❚ থামাও",

  // Explorables (lib/explorables.ts): slider charts.
  "explore.paddingTitle":
    "padding টেনে দেখো: BatchNorm-এর পরিসংখ্যান আর আসল token-এর output সরে, LayerNorm-এরটা স্থির",
  "explore.paddingLabel": "T = {length} · batch-এর {share}% padding",
  "explore.meanPanel": "প্রতিটি feature-এর গড় (mean)",
  "explore.stdPanel": "প্রতিটি feature-এর standard deviation",
  "explore.tokenPanel": '"{token}"-এর normalised output',
  "explore.paddingCounted": "BatchNorm, padding সহ",
  "explore.masked": "masked BatchNorm (শুধু আসল token)",
  "explore.batchTitle": 'batch বদলে দেখো: ভিন্ন সঙ্গীদের সঙ্গে "{sentence}"',
  "explore.batchLabel": "batch {index}: সঙ্গী {companions} · T = {length}",
  "explore.alone": "কোনো সঙ্গী নেই",
  "explore.firstTokenPanel": 'প্রথম token "{token}"-এর output',
  "explore.shiftPanel": "batch 0-এর তুলনায় বাক্যটির সর্বোচ্চ |Δ|",

  // Names shared by the summary, the report and the lesson.
  "name.batchNorm": "BatchNorm",
  "name.maskedBatchNorm": "masked BatchNorm",
  "name.layerNorm": "LayerNorm",
  "name.key": "key",
  "name.query": "query",
  "name.token": "token",
  "name.batch": "batch",
  "name.paddedLength": "padding-সহ দৈর্ঘ্য T",
  "name.statistic": "পরিসংখ্যান",
  "name.maxShift": "সর্বোচ্চ |Δy|",
  "name.tokenMean": "token-এর mean",
  "name.tokenStd": "token-এর standard deviation",
  "name.featureMean": "{feature}-এর mean, padding সহ",
  "name.featureStd": "{feature}-এর standard deviation, padding সহ",
  "name.typical": "সাধারণ ({length})",
  "name.longest": "দীর্ঘতম ({length})",

  // Table headings.
  "table.sentence": "বাক্য",
  "table.tokens": "token",
  "table.length": "দৈর্ঘ্য",
  "table.padding": "padding",
  "table.otherSentences": "batch-এর অন্য বাক্য",
  "table.batchNormShift": "BatchNorm-এ সরণ",
  "table.maskedBatchNormShift": "masked BatchNorm-এ সরণ",
  "table.layerNormShift": "LayerNorm-এ সরণ",
  "table.statisticsOver": "পরিসংখ্যান নেওয়া হয়",
  "table.statisticsOverBatchNorm": "প্রতিটি feature-এর, পুরো batch জুড়ে (B·T সারি)",
  "table.statisticsOverMasked": "প্রতিটি feature-এর, শুধু আসল সারিতে",
  "table.statisticsOverLayerNorm": "প্রতিটি token-এর, তার D-টি feature জুড়ে",
  "table.paddingEnters": "পরিসংখ্যানে padding ঢোকে",
  "table.dependsOnOthers": "output অন্য বাক্যের উপর নির্ভর করে",
  "table.trainEvalAlike": "train ও eval-এ একই আচরণ",
  "table.yes": "হ্যাঁ",
  "table.no": "না",
  "table.noRunning": "না (running statistics)",

  // The demo's report (lib/demo_report.ts).
  "report.title": "normlab: padding-যুক্ত batch-এ LayerNorm বনাম BatchNorm",
  "report.intro":
    "{B}টি বাক্য, D = {D} মাত্রায় embed করা (seed {seed}), ডানদিকে padding দিয়ে (B, T, D) = ({B}, {T}, {D}) আকারের একটি tensor বানানো হয়েছে, সঙ্গে একটি mask (1 = আসল token, 0 = padding)।",
  "report.batchHeading": "১. padding-যুক্ত batch",
  "report.xTable": "x (B, T, D), padding-এর সারিগুলো ধূসর",
  "report.xHeatmap": "padding-যুক্ত batch x: padding-এর সারিগুলো সব শূন্য",
  "report.attentionHeading": "২. Self-attention (Q = K = V = x)",
  "report.attentionText":
    "Key mask ছাড়া প্রতিটি query padding-এর দিকেও মনোযোগ দেয়। Mask দিলে softmax-এর আগে padding-এর key-গুলো −∞ পায়, তাই তাদের weight হয় ঠিক শূন্য। তবে padding-এর *query*-গুলো তখনও output দেয় — আসল token-গুলোর গড় — তাই attention-এর পরে তারা শূন্য নয়।",
  "report.attentionUnmasked": "Mask ছাড়া attention weight",
  "report.attentionMasked": "Key mask সহ attention weight (padding-এর key ধূসর)",
  "report.batchNormHeading": "৩. BatchNorm: প্রতিটি কলামের নিচ বরাবর পরিসংখ্যান",
  "report.batchNormText":
    "BatchNorm (B, T, D)-কে সাজিয়ে (B·T, D) = ({rows}, {D}) বানায়, তারপর প্রতিটি feature-কে তার কলামের mean আর standard deviation দিয়ে normalise করে — mask না দিলে padding-ও তাতে গোনা হয়।",
  "report.batchNormOutput": "BatchNorm-এর output, পরিসংখ্যানে padding গোনা হয়েছে",
  "report.maskedBatchNormOutput": "Masked BatchNorm-এর output: শুধু আসল token, padding থাকে 0",
  "report.layerNormHeading": "৪. LayerNorm: প্রতিটি সারি জুড়ে পরিসংখ্যান",
  "report.layerNormStats":
    "LayerNorm-এর সারিভিত্তিক পরিসংখ্যান: প্রতিটি আসল token-এর নিজস্ব mean ও standard deviation",
  "report.layerNormOutput": "LayerNorm-এর output: প্রতিটি আসল token-এর mean 0 আর variance ≈ 1",
  "report.embeddings": "embedding x",
  "report.layerNormPoints": "LayerNorm(x)",
  "report.circleTitle": "D = 3 হলে LayerNorm প্রতিটি token-কে x + y + z = 0 তলে √3 ব্যাসার্ধের বৃত্তে বসায়",
  "report.sweepHeading": "৫. padding sweep",
  "report.sweepText":
    "যে corpus-এ দীর্ঘতম লেখায় {longest}টি শব্দ আর সাধারণ একটি লেখায় {typical}টি, সেখানে {longest} পর্যন্ত padding-যুক্ত batch-এ একটি সাধারণ লেখার প্রায় দুই-তৃতীয়াংশই padding। এখানে একই batch-কে {from} থেকে {to} অবস্থান পর্যন্ত padding দেওয়া হয়েছে।",
  "report.sweepStats": "T বাড়ার সঙ্গে BatchNorm-এর কলামভিত্তিক পরিসংখ্যান padding-এর দিকে সরে যায়",
  "report.sweepShift":
    "padding আসল token-গুলোর output কতটা সরায় (padding ছাড়া batch-এর তুলনায় সর্বোচ্চ |Δy|)",
  "report.dependenceHeading": "৬. একই বাক্য, ভিন্ন ভিন্ন batch-এ",
  "report.dependenceChart": '"{sentence}": batch-এর সঙ্গীদের সঙ্গে এর output কতটা বদলায়',
  "report.explorePadding":
    '**slider টি টানো** (অথবা ▶ চাপো): একই batch-কে T = {from} থেকে T = {to} পর্যন্ত pad করা হবে। লাল bar-গুলো সরে যায়: BatchNorm-এর কলামভিত্তিক পরিসংখ্যান padding-এর শূন্যের দিকে নেমে আসে, আর আসল token "{token}"-এর output-ও সেই সঙ্গে সরে যায়। নীল আর সবুজ bar — masked BatchNorm ও LayerNorm — ঠিক যেখানে ছিল সেখানেই থাকে। chart-টি এই পাতাতেই চলে: kernel বা network লাগে না।',
  "report.exploreBatch":
    "**batch-গুলো একে একে দেখো**: একই বাক্য, ভিন্ন সঙ্গী। প্রতিটি batch-এ এর BatchNorm output বদলায়, masked BatchNorm-এরটা সঙ্গীদের সঙ্গে (padding-এর সঙ্গে নয়), LayerNorm-এরটা কখনো নয়।",
  "report.maxShiftVsFirst": "batch 0-এর তুলনায় সর্বোচ্চ |Δy|",
  "report.sideBySideHeading": "৭. পাশাপাশি তুলনা",

  // The demo's summary on the terminal (lib/cli.ts).
  "summary.title": "normlab demo: padding-যুক্ত batch-এ LayerNorm বনাম BatchNorm",
  "summary.batch":
    "Batch: {B}টি বাক্য → x (B, T, D) = ({B}, {T}, {D}), mask ({B}, {T}): {real}টি আসল অবস্থান, {padded}টি padding ({percent}%)",
  "summary.sentence": "  [{index}] {tokens}  ({count}টি token)",
  "summary.attention": "Self-attention-এ (Q = K = V = x):",
  "summary.attentionWeight":
    "  আসল query-গুলো padding-এর key-কে যে weight দেয়: mask ছাড়া {unmasked}%, mask সহ {masked}%",
  "summary.paddedQueries": "  attention-এর পরে padding-এর query শূন্য নয়: সর্বোচ্চ |output| {max}",
  "summary.columns": "B·T = {rows}টি সারির উপর BatchNorm-এর কলামভিত্তিক পরিসংখ্যান:",
  "summary.meanWithPadding": "  mean, padding সহ                  {values}",
  "summary.meanReal": "  mean, শুধু আসল token               {values}",
  "summary.stdWithPadding": "  standard deviation, padding সহ    {values}",
  "summary.stdReal": "  standard deviation, শুধু আসল token {values}",
  "summary.realTokenError":
    "  padding-এর কারণে আসল token-গুলোর BatchNorm output সর্বোচ্চ {error} পর্যন্ত সরে যায়",
  "summary.layerNorm":
    "LayerNorm-এর সারিভিত্তিক পরিসংখ্যান: প্রতি token-এ; LayerNorm-এর পরে প্রতিটি আসল token-এর |mean| ≤ {mean} আর |variance − 1| ≤ {variance}",
  "summary.sweep":
    "Padding sweep, T = {from} → {to} (padding ছাড়া batch-এর তুলনায় আসল token-গুলোর সর্বোচ্চ |Δy|):",
  "summary.sweepPoint":
    "  T = {length} ({percent}% padding): BatchNorm {batchNorm}, masked BatchNorm {masked}, LayerNorm {layerNorm}",
  "summary.dependence":
    "একই বাক্য {count}টি batch-এ: BatchNorm সর্বোচ্চ {batchNorm} সরে, masked BatchNorm {masked}, LayerNorm {layerNorm}",
  "summary.report": "Report: {path} ({charts}টি চার্ট, {megabytes} MB, ইন্টারনেট ছাড়াই খোলে)",

  // Lesson 1 (notebooks/…/01_padding_problem.ipynb): chart titles and table headings.
  "lesson.batchTitle": "Batch-টি",
  "lesson.words": "শব্দসংখ্যা",
  "lesson.embeddingTitle": '"{sentence}": ({T}, {D})',
  "lesson.xTitle": "x: (B, T, D) = ({B}, {T}, {D}), padding-এর সারিগুলো ধূসর",
  "lesson.maskTitle": "mask: (B, T) = ({B}, {T}), 1 = আসল token",
  "lesson.paddedHeatmap": "padding-যুক্ত batch: padding-এর সারিগুলো শূন্য",
  "lesson.attentionUnmasked": "Mask ছাড়া attention weight: আসল query-ও <pad> key-কে weight দেয়",
  "lesson.attentionMasked": "Key mask সহ attention weight: padding-এর key পায় ঠিক 0",
  "lesson.attentionOutput": "Key mask সহ attention-এর output: padding-এর সারি শূন্য নয়",
  "lesson.attentionTimesMask": "Attention output × mask: padding-এর সারি আবার শূন্য",
  "lesson.stackedTitle": "সাজানোর পর: (B·T, D) = ({rows}, {D}); ধূসর সারিগুলো padding",
  "lesson.columnStatsTitle":
    "{counted}টি সারির (padding সহ) বনাম {real}টি আসল সারির কলামভিত্তিক পরিসংখ্যান",
  "lesson.meanReal": "mean, শুধু আসল",
  "lesson.stdReal": "standard deviation, শুধু আসল",
  "lesson.typicalDocument": "সাধারণ লেখা ({length})",
  "lesson.sweepStats": "BatchNorm-এর কলামভিত্তিক পরিসংখ্যান padding-এর দিকে ধসে পড়ে",
  "lesson.sweepShift": "বাড়তি padding আসল token-এর normalised output কতটা সরায় (সর্বোচ্চ |Δy|)",
  "lesson.paddingPercent": "padding %",
  "lesson.trackedOutput": 'BatchNorm("{token}")',
  "lesson.sweepTable": "কয়েকটি দৈর্ঘ্যে sweep-এর ফল",
  "lesson.position": "অবস্থান",
  "lesson.real": "আসল?",
  "lesson.rowMean": "সারির mean",
  "lesson.rowVariance": "সারির variance",
  "lesson.rowStatsTitle": "LayerNorm-এর দৃষ্টিতে: প্রতি token-এ একটি mean আর একটি variance",
  "lesson.layerNormHeatmap": "LayerNorm-এর output: প্রতিটি আসল সারির mean 0 আর variance ≈ 1",
  "lesson.comparison": "তুলনা",
  "lesson.alonePadded": "একা বনাম {length} পর্যন্ত padding",
  "lesson.aloneInBatch": "একা বনাম এই batch-এ",
  "lesson.proofTitle": '"{sentence}": normalised output-এর সর্বোচ্চ |Δ|',
  "lesson.dependenceTitle": '"{sentence}" {count}টি batch-এ: batch 0-এর তুলনায় output-এর সর্বোচ্চ |Δ|',
  "lesson.paddingCounted": "padding গোনা হয়",
  "lesson.never": "কখনও না (প্রতিটি সারি নিজের পরিসংখ্যান)",
  "lesson.movesWhenPadded": "{length} পর্যন্ত padding দিলে আসল token সরে",
  "lesson.movesWithCompanions": "batch-এর সঙ্গীদের সঙ্গে output সরে",
  "lesson.trainEvalAlike": "train ও eval-এ একই আচরণ",
};
