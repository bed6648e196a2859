/**
 * Estimates with intervals along an x axis (a year, a group, a dose), one series per group: the turning point of
 * the spending curve by year, a coefficient by state. Same visual language as the event-study plots
 * (src/report/eventStudyPlot.ts): filled points with vertical interval bars, series dodged apart, a zero line,
 * reference points as hollow diamonds marked "ref.", an optional dashed reference line, and what the bars are in
 * the subtitle. Points or lines (a line through each series' points), bars or a shaded band.
 *
 * Every point carries a description (aria-label in the SVG: series, x, estimate, interval), for data-to-mark
 * tests.
 */
import type { TopLevelSpec } from "vega-lite";
import { figureSpec, SERIES_COLOURS, SINGLE_COLOUR } from "./figure.js";

export interface EstimateRow {
  /** Position on the x axis: a number (quantitative axis) or a label (categories in order of appearance). */
  x: number | string;
  estimate: number;
  low: number;
  high: number;
  series: string;
  /** A fixed point (e.g. a reference period normalised to zero): hollow diamond, no interval. */
  reference?: boolean;
}

export interface EstimatesPlotOptions {
  xTitle: string;
  yTitle: string;
  title?: string;
  /** Subtitle lines: say what the bars are (e.g. "Bars: 95% CIs, clustered (district) SEs"). */
  caption?: string[];
  seriesTitle?: string;
  /** Series in legend order (default: order of appearance). */
  series?: string[];
  /** "points" (default) or "lines" (points joined per series). */
  mark?: "points" | "lines";
  /** "errorbar" (default) or "band" (shaded between the interval ends, per series). */
  interval?: "errorbar" | "band";
  /** Horizontal rule at 0 (default true). */
  zeroLine?: boolean;
  /** A dashed horizontal line at this value (e.g. a mean), with an optional label. */
  referenceLine?: number | null;
  referenceLabel?: string;
  /** A dashed vertical line at this x. */
  verticalLine?: number | null;
  /** Whole-number x values printed without decimals (years): default when every x is an integer. */
  integerX?: boolean;
  width?: number;
  height?: number;
}

/** The Vega-Lite spec. Deterministic: the same rows give the same spec. */
export function estimatesPlotSpec(rows: readonly EstimateRow[], options: EstimatesPlotOptions): TopLevelSpec {
  const series = options.series ?? [...new Set(rows.map((r) => r.series))];
  const multi = series.length > 1;
  const numeric = rows.every((r) => typeof r.x === "number");
  const categories = numeric ? [] : [...new Set(rows.map((r) => String(r.x)))];
  const xs = numeric ? rows.map((r) => r.x as number) : [];
  const integerX = options.integerX ?? (numeric && xs.every((v) => Number.isInteger(v)));
  // Dodge series apart by a fraction of the smallest gap between x values (as the event-study plot does).
  const distinct = [...new Set(xs)].sort((a, b) => a - b);
  let gap = Number.POSITIVE_INFINITY;
  for (let i = 1; i < distinct.length; i++)
    gap = Math.min(gap, (distinct[i] as number) - (distinct[i - 1] as number));
  if (!Number.isFinite(gap)) gap = 1;
  const dodge = multi && numeric ? Math.min(0.18, 0.7 / series.length) * gap : 0;
  const data = rows.map((r) => {
    const s = series.indexOf(r.series);
    const shift = r.reference || !numeric ? 0 : dodge * (s - (series.length - 1) / 2);
    return {
      x: numeric ? (r.x as number) + shift : String(r.x),
      x_label: r.x,
      y: r.estimate,
      low: r.low,
      high: r.high,
      series: r.series,
      reference: r.reference === true,
      description: `${r.series ? `${r.series}, ` : ""}x ${r.x}: estimate ${r.estimate}, interval ${r.low} to ${r.high}${r.reference ? " (reference)" : ""}`,
    };
  });
  const color = multi
    ? {
        field: "series",
        type: "nominal" as const,
        title: options.seriesTitle ?? "",
        sort: series,
        scale: { domain: series, range: SERIES_COLOURS.slice(0, series.length) },
      }
    : { value: SINGLE_COLOUR };
  const pad = numeric ? Math.max(gap * 0.6, 1e-9) : 0;
  const xScale = numeric
    ? { domain: [Math.min(...xs) - pad, Math.max(...xs) + pad], nice: false, zero: false }
    : { domain: categories };
  const xEncoding = numeric
    ? {
        field: "x",
        type: "quantitative" as const,
        title: options.xTitle,
        scale: xScale,
        axis: integerX ? { tickMinStep: 1, format: "d", grid: false } : { grid: false },
      }
    : {
        field: "x",
        type: "nominal" as const,
        title: options.xTitle,
        scale: xScale,
        sort: categories,
        axis: { labelAngle: 0, grid: false },
      };
  const offset =
    !numeric && multi ? { xOffset: { field: "series", type: "nominal" as const, sort: series } } : {};
  const yEncoding = {
    field: "y",
    type: "quantitative" as const,
    title: options.yTitle,
    scale: { zero: options.zeroLine !== false },
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
  if (options.referenceLine !== undefined && options.referenceLine !== null) {
    layers.push({
      data: { values: [{ v: options.referenceLine, label: options.referenceLabel ?? "" }] },
      mark: { type: "rule", color: "#666666", strokeDash: [6, 4], strokeWidth: 1.5 },
      encoding: { y: { field: "v", type: "quantitative" } },
    });
    if (options.referenceLabel) {
      layers.push({
        data: { values: [{ v: options.referenceLine, label: options.referenceLabel }] },
        mark: { type: "text", align: "right", dy: -8, dx: -4, fontSize: 13, color: "#444444" },
        encoding: {
          y: { field: "v", type: "quantitative" },
          x: { value: options.width ?? 420 },
          text: { field: "label" },
        },
      });
    }
  }
  if (numeric && options.verticalLine !== undefined && options.verticalLine !== null) {
    layers.push({
      data: { values: [{ v: options.verticalLine }] },
      mark: { type: "rule", color: "#888888", strokeDash: [4, 4], strokeWidth: 1 },
      encoding: { x: { field: "v", type: "quantitative", scale: xScale } },
    });
  }
  if (options.interval === "band" && numeric) {
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
      mark: { type: "rule", strokeWidth: 2 },
      encoding: {
        x: xEncoding,
        ...offset,
        y: { field: "low", type: "quantitative" },
        y2: { field: "high" },
        color,
      },
    });
  }
  if (options.mark === "lines" && numeric) {
    layers.push({
      mark: { type: "line", strokeWidth: 2 },
      encoding: { x: xEncoding, y: yEncoding, color, detail: { field: "series", type: "nominal" } },
    });
  }
  layers.push({
    transform: [estimated],
    mark: { type: "point", filled: true, size: 70, opacity: 1 },
    encoding: {
      x: xEncoding,
      ...offset,
      y: yEncoding,
      color,
      description: { field: "description", type: "nominal" },
    },
  });
  if (rows.some((r) => r.reference)) {
    const reference = { filter: "datum.reference" };
    layers.push({
      transform: [reference],
      mark: { type: "point", filled: false, shape: "diamond", size: 110, strokeWidth: 2, color: "#000000" },
      encoding: { x: xEncoding, y: yEncoding, description: { field: "description", type: "nominal" } },
    });
    layers.push({
      transform: [reference, { aggregate: [{ op: "min", field: "x_label", as: "x" }], groupby: [] }],
      mark: { type: "text", dy: 16, fontSize: 13, color: "#000000", text: "ref." },
      encoding: {
        x: numeric ? { field: "x", type: "quantitative", scale: xScale } : xEncoding,
        y: { datum: 0 },
      },
    });
  }
  return figureSpec(
    {
      ...(options.title ? { title: options.title } : {}),
      ...(options.caption ? { caption: options.caption } : {}),
      ...(options.width ? { width: options.width } : {}),
      ...(options.height ? { height: options.height } : {}),
    },
    { width: 420, height: 300, legend: "bottom" },
    layers,
    { data: { values: data } },
  );
}
