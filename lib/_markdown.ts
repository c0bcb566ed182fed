/**
 * Internal: a small, safe Markdown subset for report text — headings,
 * paragraphs, bullet lists, `code`, **bold** and *italic*. The text is
 * escaped before any markup is added, so no HTML passes through.
 *
 * @module
 */
import { escapeHtml } from "./_html.ts";

function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/\*([^*]+)\*/g, "<em>$1</em>");
}

/** Renders the Markdown subset to HTML. */
export function markdownToHtml(markdown: string): string {
  const blocks = markdown.replace(/\r\n/g, "\n").split(/\n\s*\n/);
  return blocks.map((block) => {
    const trimmed = block.trim();
    if (trimmed === "") return "";
    const heading = /^(#{1,4})\s+(.*)$/.exec(trimmed);
    if (heading && !trimmed.includes("\n")) {
      const level = heading[1]!.length + 1; // # → <h2>: the page title is the <h1>
      return `<h${level}>${inline(heading[2]!)}</h${level}>`;
    }
    const lines = trimmed.split("\n");
    if (lines.every((line) => /^\s*[-*]\s+/.test(line))) {
      return `<ul>${
        lines.map((line) => `<li>${inline(line.replace(/^\s*[-*]\s+/, ""))}</li>`).join("")
      }</ul>`;
    }
    return `<p>${inline(lines.join(" "))}</p>`;
  }).join("\n");
}
