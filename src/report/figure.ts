/**
 * What every research figure shares (maps, binned scatters, estimate and coefficient plots): a type scale that
 * survives reduction to a journal column, the frame (title, subtitle lines, font, axes, legend) around Vega-Lite
 * layers, rendering to SVG (src/report/plot.ts: Vega headless, deterministic) and PNG (resvg with the bundled
 * DejaVu Sans), and atomic writing by file extension.
 *
 * Sizes. Plots are about 480 px wide in total (a 400 px plot area plus axes), maps about 800 px. Text is at least
 * 14 px (axis labels, legend), 15 px for axis titles, 16 px for the title. Placed in a 3.3-inch (240 pt) journal
 * column a plot is reduced by about half, so labels print at 7 pt; a map across a 6.5-inch page is reduced to about
 * 0.6, so its labels print at about 8 pt. Lines are at least 2 px and points at least 60 px² for the same reason.
 */
import * as vega from "vega";
import type { TopLevelSpec } from "vega-lite";
import { usageError } from "../errors.js";
import { dejavuTextWidth } from "./fontMetrics.js";
import { FONT_FAMILY, plotFormat, renderSvg, svgToPng } from "./plot.js";
import { writeFileAtomic } from "./writeAtomic.js";

export const FIGURE_TYPE = {
  title: 16,
  subtitle: 13,
  axisLabel: 14,
  axisTitle: 15,
  legendLabel: 14,
  legendTitle: 14,
  annotation: 13,
} as const;

/** Colours of series (groups, models): Tableau 10's first ones, distinguishable with the common colour-vision deficiencies in pairs, used by the event-study plots too. */
export const SERIES_COLOURS = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#9467bd",
  "#ff7f0e",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
] as const;

/** The colour of a single series. */
export const SINGLE_COLOUR = "#1f4e79";

export interface FrameOptions {
  title?: string;
  /** Subtitle lines under the title (what the marks are, the interval, N); keep each under ~60 characters. */
  caption?: string[];
  width?: number;
  height?: number;
}

/**
 * A layered Vega-Lite spec with the shared frame: white background, title with the caption as subtitle, the type
 * scale above, a light frame around the plot area. `extra` adds top-level keys (data, projection, resolve, ...).
 */
export function figureSpec(
  options: FrameOptions,
  defaults: { width: number; height: number; legend: string },
  layers: unknown[],
  extra: Record<string, unknown> = {},
): TopLevelSpec {
  const width = options.width ?? defaults.width;
  // Subtitle lines wrapped to about the plot's width (DejaVu Sans averages ~0.55 em per character).
  const caption = wrapLines(
    options.caption ?? [],
    Math.max(40, Math.floor((width + 60) / (0.55 * FIGURE_TYPE.subtitle))),
  );
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width,
    height: options.height ?? defaults.height,
    background: "#ffffff",
    padding: 10,
    // Vega drops the subtitle of an empty title: without a title the first caption line takes its place, set
    // like the other caption lines.
    ...(options.title || caption.length > 0
      ? {
          title: {
            text: options.title ?? caption[0],
            ...((options.title ? caption : caption.slice(1)).length > 0
              ? { subtitle: options.title ? caption : caption.slice(1) }
              : {}),
            anchor: "start",
            fontSize: options.title ? FIGURE_TYPE.title : FIGURE_TYPE.subtitle,
            fontWeight: options.title ? "bold" : "normal",
            ...(options.title ? {} : { color: "#333333" }),
            subtitleFontSize: FIGURE_TYPE.subtitle,
            subtitleColor: "#333333",
            subtitlePadding: options.title ? 4 : 0,
            subtitleLineHeight: Math.round(FIGURE_TYPE.subtitle * 1.3),
            lineHeight: Math.round(FIGURE_TYPE.title * 1.25),
            offset: 10,
          },
        }
      : {}),
    ...extra,
    layer: layers,
    config: {
      font: FONT_FAMILY,
      view: { stroke: "#bbbbbb" },
      axis: {
        labelFontSize: FIGURE_TYPE.axisLabel,
        titleFontSize: FIGURE_TYPE.axisTitle,
        titleFontWeight: "normal",
        labelColor: "#222222",
        titleColor: "#000000",
        tickColor: "#888888",
        domainColor: "#888888",
        gridColor: "#e6e6e6",
      },
      // About one x tick per 80 px, so that labels of 14 px never crowd.
      axisX: { tickCount: Math.max(3, Math.round(width / 80)), labelFlush: false },
      legend: {
        orient: defaults.legend,
        labelFontSize: FIGURE_TYPE.legendLabel,
        titleFontSize: FIGURE_TYPE.legendTitle,
        titleFontWeight: "normal",
        symbolOpacity: 1,
        symbolSize: 120,
        labelLimit: 320,
        titleLimit: 320,
      },
    },
  };
  return spec as unknown as TopLevelSpec;
}

/** Lines broken at spaces so that none is longer than `max` characters (a longer word stays whole). */
export function wrapLines(lines: readonly string[], max: number): string[] {
  const out: string[] = [];
  for (const line of lines) {
    let current = "";
    for (const word of line.split(" ")) {
      if (current !== "" && current.length + 1 + word.length > max) {
        out.push(current);
        current = `  ${word}`;
      } else current = current === "" ? word : `${current} ${word}`;
    }
    out.push(current);
  }
  return out;
}

/** A figure file's format from its extension, or a usage error naming the option. */
export function figureFormat(path: string, option: string): "svg" | "png" {
  const format = plotFormat(path);
  if (format === null) throw usageError(`${option}: expected a file ending in .svg or .png, found '${path}'`);
  return format;
}

interface TextItem {
  fontSize?: number;
  fontWeight?: string | number;
}

/**
 * A figure's SVG: renderSvg with Vega measuring text in DejaVu Sans's widths (fontMetrics.ts) instead of its
 * 0.8 em guess, for this render only (the event-study plots keep their committed layout).
 */
export async function renderFigureSvg(spec: TopLevelSpec): Promise<string> {
  const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } })
    .textMetrics;
  const previous = metrics.width;
  metrics.width = (item, text) =>
    dejavuTextWidth(
      text == null ? "" : String(text).trim(),
      item.fontSize ?? 11,
      /bold|[6-9]00/.test(String(item.fontWeight ?? "")),
    );
  try {
    return await renderSvg(spec);
  } finally {
    metrics.width = previous;
  }
}

/** Renders a spec as the file's format wants it: SVG text or PNG bytes. */
export async function renderFigure(
  spec: TopLevelSpec,
  format: "svg" | "png",
  warn: (message: string) => void = () => {},
): Promise<string | Buffer> {
  const svg = await renderFigureSvg(spec);
  return format === "svg" ? svg : svgToPng(svg, warn);
}

/** Renders and writes a figure to `path` (.svg or .png) atomically. */
export async function writeFigure(
  spec: TopLevelSpec,
  path: string,
  option: string,
  warn: (message: string) => void = () => {},
): Promise<void> {
  const contents = await renderFigure(spec, figureFormat(path, option), warn);
  await writeContentsAtomic(path, contents);
}

/** writeFileAtomic for text or bytes (the one writer, src/io/atomicWrite.ts, takes both). */
export async function writeContentsAtomic(path: string, contents: string | Buffer): Promise<void> {
  await writeFileAtomic(path, contents);
}

/**
 * Numbers for labels: the fewest significant digits (at least `min`, at most 6) that keep the given values apart,
 * without exponent notation for ordinary magnitudes.
 */
export function labelFormatter(values: readonly number[], min = 2): (v: number) => string {
  const finite = values.filter((v) => Number.isFinite(v));
  for (let digits = min; digits <= 6; digits++) {
    const text = finite.map((v) => formatSignificant(v, digits));
    if (new Set(text).size === new Set(finite).size) return (v) => formatSignificant(v, digits);
  }
  return (v) => formatSignificant(v, 6);
}

/**
 * Numbers for legend classes: the fewest decimals (0 to 6) that keep the given values apart, so that every label
 * of a legend has the same number of decimals; thousands separators from 10,000.
 */
export function decimalFormatter(values: readonly number[]): (v: number) => string {
  const finite = [...new Set(values.filter((v) => Number.isFinite(v)))];
  const format = (d: number) => (v: number) => groupThousands(v.toFixed(d));
  for (let d = 0; d <= 6; d++) {
    const text = finite.map(format(d));
    if (new Set(text).size === finite.length) return format(d);
  }
  return format(6);
}

/** 1234567.5 -> "1,234,567.5" (from 10,000 up; 4-digit numbers such as years stay as they are). */
export function groupThousands(text: string): string {
  const [int, frac] = text.split(".");
  const digits = (int as string).replace("-", "");
  if (digits.length < 5) return text;
  return `${(int as string).replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${frac !== undefined ? `.${frac}` : ""}`;
}

/** A count for captions: 1,666. */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function formatSignificant(v: number, digits: number): string {
  if (v === 0) return "0";
  const magnitude = Math.floor(Math.log10(Math.abs(v)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  if (magnitude >= 6 || magnitude < -4) return v.toPrecision(digits);
  const text = v.toFixed(Math.min(decimals, 20));
  // thousands separators for large numbers (e.g. dollars per pupil)
  if (Math.abs(v) >= 10000) {
    const [int, frac] = text.split(".");
    return `${(int as string).replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${frac ? `.${frac}` : ""}`;
  }
  return text;
}
