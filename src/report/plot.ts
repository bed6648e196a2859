/**
 * Plots of point estimates with intervals (coefficient plots, event-study paths), built as Vega-Lite specs,
 * compiled with vega-lite and rendered server-side by vega (a headless View, renderer "none", toSVG). PNG is the
 * SVG rasterised by resvg. No SVG is written by hand.
 *
 * Fonts. The SVG keeps its text as <text> elements in "DejaVu Sans, Liberation Sans, Arial, sans-serif", so any
 * viewer renders it with its own fonts. resvg needs a font file to draw text into a PNG; we look, in order, for
 * MOBILITY_FONT (a .ttf/.otf path), the npm package `dejavu-fonts-ttf` if installed, then DejaVu Sans, Liberation
 * Sans or Lato in the usual Debian locations, then let resvg search the system. If none is found the PNG is still
 * written, with marks but without text, and a warning says so: the SVG is the complete output.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/** One estimate with its interval, in a named series. */
export interface IntervalPoint {
  x: number;
  y: number;
  low: number;
  high: number;
  series: string;
  /** A fixed point (e.g. an event study's reference period): drawn hollow, no interval. */
  reference?: boolean;
  /**
   * Points of a series are joined by a line only within the same segment (default: one segment per series), so
   * that a path with a missing period is not drawn through the gap.
   */
  segment?: string;
}

export interface IntervalPlotOptions {
  xTitle: string;
  yTitle: string;
  title?: string;
  /** Title of the series legend (shown only with two or more series). */
  seriesTitle?: string;
  /** "errorbar" (default): vertical bars; "band": shaded area between the interval ends, per series. */
  interval?: "errorbar" | "band";
  /** A horizontal rule at y = 0 (default true). */
  zeroLine?: boolean;
  /** A dashed vertical rule at this x (e.g. -0.5, between the last pre and the first post period). */
  verticalLine?: number | null;
  /** Shift series horizontally by this much apart so that their bars do not overlap (default 0.18 if >1 series). */
  dodge?: number;
  width?: number;
  height?: number;
  /** Subtitle lines under the title (e.g. what the bars are); keep each under ~60 characters. */
  caption?: string[];
  /** Legend position (default "bottom": below the plot, clear of the data). */
  legend?: "bottom" | "right" | "top" | "top-left";
}

export const FONT_FAMILY = "DejaVu Sans, Liberation Sans, Arial, sans-serif";

/** The Vega-Lite spec of an interval plot. Deterministic: the same points give the same spec. */
export function intervalPlotSpec(
  points: readonly IntervalPoint[],
  options: IntervalPlotOptions,
): TopLevelSpec {
  const series = [...new Set(points.map((p) => p.series))];
  const multi = series.length > 1;
  const dodge = multi ? (options.dodge ?? Math.min(0.18, 0.7 / series.length)) : 0;
  const data = points.map((p) => {
    const s = series.indexOf(p.series);
    // Reference points (all at the same fixed value) are not dodged: they coincide.
    const shift = p.reference ? 0 : dodge * (s - (series.length - 1) / 2);
    return {
      x: p.x + shift,
      x_label: p.x,
      y: p.y,
      low: p.low,
      high: p.high,
      series: p.series,
      segment: `${s}:${p.segment ?? ""}`,
      reference: p.reference === true,
    };
  });
  const xs = points.map((p) => p.x);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const xScale = { domain: [xMin - 0.6, xMax + 0.6], nice: false, zero: false };
  const color = multi
    ? {
        field: "series",
        type: "nominal" as const,
        title: options.seriesTitle ?? "",
        sort: series,
        scale: { range: ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"] },
      }
    : { value: "#1f4e79" };
  const xEncoding = {
    field: "x",
    type: "quantitative" as const,
    title: options.xTitle,
    scale: xScale,
    axis: { tickMinStep: 1, format: "d", grid: false },
  };
  const yEncoding = {
    field: "y",
    type: "quantitative" as const,
    title: options.yTitle,
    scale: { zero: true },
  };
  const estimated = { filter: "!datum.reference" };
  // biome-ignore lint/suspicious/noExplicitAny: Vega-Lite layer specs are loosely typed unions.
  const layers: any[] = [];
  if (options.zeroLine !== false) {
    layers.push({
      data: { values: [{ zero: 0 }] },
      mark: { type: "rule", color: "#444444", strokeWidth: 1 },
      encoding: { y: { field: "zero", type: "quantitative" } },
    });
  }
  if (options.verticalLine !== undefined && options.verticalLine !== null) {
    layers.push({
      data: { values: [{ v: options.verticalLine }] },
      mark: { type: "rule", color: "#888888", strokeDash: [4, 4], strokeWidth: 1 },
      encoding: { x: { field: "v", type: "quantitative", scale: xScale } },
    });
  }
  if (options.interval === "band") {
    layers.push({
      transform: [estimated],
      mark: { type: "area", opacity: 0.2 },
      encoding: {
        x: xEncoding,
        y: { field: "low", type: "quantitative" },
        y2: { field: "high" },
        color,
        detail: { field: "series", type: "nominal" },
      },
    });
  } else {
    layers.push({
      transform: [estimated],
      mark: { type: "rule", strokeWidth: 1.5 },
      encoding: {
        x: xEncoding,
        y: { field: "low", type: "quantitative" },
        y2: { field: "high" },
        color,
      },
    });
  }
  layers.push({
    mark: { type: "line", strokeWidth: 1, opacity: 0.5 },
    encoding: { x: xEncoding, y: yEncoding, color, detail: { field: "segment", type: "nominal" } },
  });
  layers.push({
    transform: [estimated],
    mark: { type: "point", filled: true, size: 40, opacity: 1 },
    encoding: {
      x: xEncoding,
      y: yEncoding,
      color,
      tooltip: [
        { field: "series", type: "nominal" },
        { field: "x_label", type: "quantitative", title: options.xTitle },
        { field: "y", type: "quantitative", format: ".4f" },
        { field: "low", type: "quantitative", format: ".4f" },
        { field: "high", type: "quantitative", format: ".4f" },
      ],
    },
  });
  if (points.some((p) => p.reference)) {
    const reference = { filter: "datum.reference" };
    layers.push({
      transform: [reference],
      mark: { type: "point", filled: false, shape: "diamond", size: 90, strokeWidth: 1.5, color: "#000000" },
      encoding: { x: xEncoding, y: yEncoding },
    });
    layers.push({
      transform: [reference, { aggregate: [{ op: "min", field: "x_label", as: "x" }], groupby: [] }],
      mark: { type: "text", dy: 14, fontSize: 10, color: "#000000", text: "ref." },
      encoding: { x: { field: "x", type: "quantitative", scale: xScale }, y: { datum: 0 } },
    });
  }
  return layeredSpec(options, { height: 320, legend: options.legend ?? "bottom" }, layers, {
    data: { values: data },
  });
}

/** Compiles a Vega-Lite spec and renders it to SVG with a headless Vega view. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Font files for resvg, in order of preference (see the module comment). */
export function findFontFiles(): string[] {
  const candidates: string[] = [];
  const env = process.env.MOBILITY_FONT;
  if (env) candidates.push(env);
  const require = createRequire(import.meta.url);
  for (const sub of ["ttf/DejaVuSans.ttf", "DejaVuSans.ttf", "fonts/DejaVuSans.ttf"]) {
    try {
      candidates.push(require.resolve(`dejavu-fonts-ttf/${sub}`));
    } catch {
      // not installed, or not at this path
    }
  }
  candidates.push(
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/lato/Lato-Regular.ttf",
  );
  const found = candidates.filter((path) => existsSync(path));
  return found.slice(0, 1);
}

/** Rasterises an SVG to PNG (2x zoom, white background). `warn` hears about a missing font. */
export function svgToPng(svg: string, warn: (message: string) => void = () => {}): Buffer {
  const fonts = findFontFiles();
  if (fonts.length === 0) {
    warn(
      "warning: no font file found for the PNG (set MOBILITY_FONT to a .ttf, or install fonts-dejavu-core or the npm package dejavu-fonts-ttf); system fonts are tried, and without any the PNG has no text (the SVG is complete)",
    );
  }
  const family = fonts.length > 0 ? familyOf(fonts[0] as string) : undefined;
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: 2 },
    background: "#ffffff",
    font: {
      loadSystemFonts: fonts.length === 0,
      fontFiles: fonts,
      ...(family ? { defaultFontFamily: family, sansSerifFamily: family } : {}),
    },
  });
  return resvg.render().asPng();
}

function familyOf(path: string): string {
  if (/DejaVuSans/i.test(path)) return "DejaVu Sans";
  if (/LiberationSans/i.test(path)) return "Liberation Sans";
  if (/Lato/i.test(path)) return "Lato";
  return "sans-serif";
}

/** "svg" or "png" from a file name, or a usage problem (returned as null). */
export function plotFormat(path: string): "svg" | "png" | null {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  return ext === "svg" ? "svg" : ext === "png" ? "png" : null;
}

/** A point of a scatter plot, in a named series (a group). */
export interface ScatterPoint {
  x: number;
  y: number;
  series: string;
}

/** A point of a fitted line, in a named series (drawn in the series' colour, points joined in x order). */
export interface LinePoint {
  x: number;
  y: number;
  series: string;
}

export interface ScatterPlotOptions {
  xTitle: string;
  yTitle: string;
  title?: string;
  caption?: string[];
  seriesTitle?: string;
  /** Series in legend order (default: order of first appearance in the points, then the lines). */
  series?: string[];
  /** Marker size (default 30) and opacity (default 0.7). */
  pointSize?: number;
  pointOpacity?: number;
  width?: number;
  height?: number;
}

const SERIES_COLOURS = [
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
];

/**
 * The Vega-Lite spec of a scatter plot with fitted lines per series (group): points as filled circles, lines
 * in the same colour as their series. Deterministic: the same input gives the same spec.
 */
export function scatterPlotSpec(
  points: readonly ScatterPoint[],
  lines: readonly LinePoint[],
  options: ScatterPlotOptions,
): TopLevelSpec {
  const series = options.series ?? [
    ...new Set([...points.map((p) => p.series), ...lines.map((p) => p.series)]),
  ];
  const multi = series.length > 1;
  const color = multi
    ? {
        field: "series",
        type: "nominal" as const,
        title: options.seriesTitle ?? "",
        sort: series,
        scale: { domain: series, range: SERIES_COLOURS.slice(0, Math.max(1, series.length)) },
      }
    : { value: "#1f4e79" };
  const x = { field: "x", type: "quantitative" as const, title: options.xTitle, scale: { zero: false } };
  const y = { field: "y", type: "quantitative" as const, title: options.yTitle, scale: { zero: false } };
  // biome-ignore lint/suspicious/noExplicitAny: Vega-Lite layer specs are loosely typed unions.
  const layers: any[] = [
    {
      data: { values: points.map((p) => ({ x: p.x, y: p.y, series: p.series })) },
      mark: {
        type: "point",
        filled: true,
        size: options.pointSize ?? 30,
        opacity: options.pointOpacity ?? 0.7,
      },
      encoding: { x, y, color },
    },
  ];
  if (lines.length > 0) {
    layers.push({
      data: { values: lines.map((p) => ({ x: p.x, y: p.y, series: p.series })) },
      mark: { type: "line", strokeWidth: 2 },
      encoding: { x, y, color, detail: { field: "series", type: "nominal" }, order: { field: "x" } },
    });
  }
  return layeredSpec(options, { height: 360, legend: "right" }, layers, {});
}

/**
 * The frame every plot shares: size, white background, title with the caption as subtitle, font and axis/legend
 * styling around the given layers.
 */
function layeredSpec(
  options: { width?: number; height?: number; title?: string; caption?: string | string[] },
  defaults: { height: number; legend: string },
  layers: unknown[],
  extra: Record<string, unknown>,
): TopLevelSpec {
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: options.width ?? 560,
    height: options.height ?? defaults.height,
    background: "#ffffff",
    padding: 8,
    ...(options.title
      ? {
          title: {
            text: options.title,
            ...(options.caption ? { subtitle: options.caption } : {}),
            anchor: "start",
            fontSize: 13,
          },
        }
      : {}),
    ...extra,
    layer: layers,
    config: {
      font: FONT_FAMILY,
      view: { stroke: "#cccccc" },
      axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal" },
      legend: { orient: defaults.legend, labelFontSize: 11, titleFontSize: 11, symbolOpacity: 1 },
    },
  };
  return spec as unknown as TopLevelSpec;
}
