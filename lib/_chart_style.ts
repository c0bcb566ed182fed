/**
 * Internal: the look every normlab chart shares — colours, the base layout
 * (title, fonts, margins, legend) and how a chart stores a number.
 *
 * @module
 */
import type { Layout } from "npm:@types/plotly.js@2.35.17";
import { plotlyText } from "./_plotly_text.ts";
import { fontFamily, type Language } from "./i18n/translate.ts";

/** The grey of padded cells. */
export const PADDING_COLOR = "#d1d5db";

/** Series colours, in order. */
export const PALETTE = [
  "#2563eb",
  "#dc2626",
  "#16a34a",
  "#9333ea",
  "#ea580c",
  "#0891b2",
  "#4b5563",
];

/** A layout with `title` (user text, shown literally: see `plotlyText`), in `lang`'s fonts. */
export function baseLayout(
  title: string,
  extra: Partial<Layout> = {},
  lang: Language = "en",
): Partial<Layout> {
  return {
    title: { text: plotlyText(title), x: 0.02, xanchor: "left" },
    font: { family: fontFamily(lang), size: 13 },
    margin: { l: 70, r: 30, t: 60, b: 60 },
    paper_bgcolor: "white",
    plot_bgcolor: "white",
    legend: { orientation: "h", y: -0.2 },
    ...extra,
  };
}

/**
 * A value as a chart stores it: 6 significant digits. Float32 numbers widened
 * to doubles print with ~17 digits in JSON; a chart needs far fewer, and
 * notebooks stay small.
 */
export function chartValue(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(6)) : value;
}
