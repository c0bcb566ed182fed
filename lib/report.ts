/**
 * Reports: one self-contained, offline HTML page of headings, Markdown text,
 * tables, tensors and charts.
 *
 * @module
 */
import { reserveOutput } from "./_atomic_write.ts";
import { escapeHtml } from "./_html.ts";
import { markdownToHtml } from "./_markdown.ts";
import { plotlyLoaderScript, plotlyVersion } from "./_plotly_bundle.ts";
import { type TableRow, tableToHtml } from "./_table_html.ts";
import { tensorToHtml } from "./_tensor_html.ts";
import type { DisplayTensorOptions } from "./display.ts";
import type { Figure } from "./figure.ts";
import { checkLanguage, fontFamily, type Language } from "./i18n/translate.ts";
import type { Tensor } from "./tensor.ts";

/** Options for {@linkcode Report}. */
export interface ReportOptions {
  /**
   * The page's language: its `lang` attribute and font stack (a Bengali page
   * asks for Noto Sans Bengali, Lohit Bengali, Vrinda or Shonar Bangla).
   * @default {"en"}
   */
  lang?: Language;
}

/**
 * A report under construction: add sections in order, then `toHTML()` or
 * `save(path)`. plotly.js is inlined once (compressed), so the page draws
 * every chart from disk without a network.
 *
 * @example
 * ```ts
 * import { Report } from "./report.ts";
 * import { barChart } from "./plot.ts";
 * import { ok } from "node:assert/strict";
 *
 * const html = new Report("Padding")
 *   .markdown("BatchNorm **counts** padding.")
 *   .figure(barChart([{ name: "mean", values: [1, 2] }]))
 *   .table([{ norm: "LayerNorm", shift: 0 }])
 *   .toHTML();
 * ok(html.includes("<strong>counts</strong>") && !/<script[^>]+src=/.test(html));
 * ok(new Report("প্যাডিং", { lang: "bn" }).toHTML().includes('<html lang="bn">'));
 * ```
 */
export class Report {
  /** The page title. */
  readonly title: string;
  /** The page's language. */
  readonly lang: Language;
  #sections: string[] = [];
  #figureCount = 0;

  /** A report titled `title`, in `options.lang`. */
  constructor(title: string, options: ReportOptions = {}) {
    this.title = title;
    this.lang = checkLanguage(options.lang, "Report");
  }

  /** The number of charts added. */
  get figureCount(): number {
    return this.#figureCount;
  }

  /** A section heading (level 2 by default). */
  heading(text: string, level: 2 | 3 | 4 = 2): this {
    this.#sections.push(`<h${level}>${escapeHtml(text)}</h${level}>`);
    return this;
  }

  /** Text in a small Markdown subset (headings, paragraphs, lists, `code`, **bold**, *italic*). */
  markdown(text: string): this {
    this.#sections.push(markdownToHtml(text));
    return this;
  }

  /** A chart. */
  figure(figure: Figure): this {
    this.#figureCount++;
    this.#sections.push(`<div class="chart">${figure.toFragment()}</div>`);
    return this;
  }

  /** A table of result rows. */
  table(rows: readonly TableRow[], options: { title?: string } = {}): this {
    this.#sections.push(tableToHtml(rows, options.title));
    return this;
  }

  /** A tensor as tables, padded rows shaded when a mask is given. */
  tensor(x: Tensor, options: DisplayTensorOptions = {}): this {
    this.#sections.push(
      tensorToHtml(x.data, x.shape, x.dtype, { ...options, mask: options.mask?.data }),
    );
    return this;
  }

  /** The whole page. */
  toHTML(): string {
    return `<!DOCTYPE html>
<html lang="${this.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="normlab (plotly.js ${escapeHtml(plotlyVersion())}, inlined)">
<title>${escapeHtml(this.title)}</title>
<style>
body { font-family: ${
      fontFamily(this.lang)
    }; max-width: 1100px; margin: 24px auto; padding: 0 16px; color: #111827; line-height: 1.5; }
h1 { font-size: 1.8em; margin-bottom: 0.2em; }
h2 { margin-top: 1.8em; border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; }
code { background: #f3f4f6; padding: 1px 4px; border-radius: 3px; }
.chart { margin: 12px 0 20px; }
</style>
${plotlyLoaderScript()}
</head>
<body>
<h1>${escapeHtml(this.title)}</h1>
${this.#sections.join("\n")}
</body>
</html>
`;
  }

  /**
   * Writes the page to `path` atomically: to a temporary file beside it,
   * then renamed, so a failed write (a full disk) never leaves a partial page.
   */
  async save(path: string | URL): Promise<void> {
    const html = this.toHTML();
    const file = path instanceof URL ? decodeURIComponent(path.pathname) : path;
    await (await reserveOutput(file, "Report.save")).commit(html);
  }
}
