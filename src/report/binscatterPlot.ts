/**
 * The binned scatter plot of a binscatter result (src/estimate/binscatter.ts), in binsreg's visual grammar: dots at
 * (bin mean of x, fitted value), pointwise confidence intervals as vertical bars at the dots' x, the uniform band as
 * a shaded area, the polynomial fit as a line; one colour per `by` group. And the dots as a table (CSV) or the
 * whole result (JSON).
 *
 * Every dot and interval mark carries a description (its aria-label in the SVG: group, bin, x and value), so a
 * test can check that dot j of group g sits at the scales' position of (x_j, fit_j).
 */
import type { TopLevelSpec } from "vega-lite";
import { numericColumn, stringColumn, Table } from "../data/table.js";
import { tableToCsv } from "../data/writeCsv.js";
import type { BinscatterResult } from "../estimate/binscatter.js";
import { figureSpec, formatCount, SERIES_COLOURS, SINGLE_COLOUR } from "./figure.js";
import { formatFull } from "./numberFormat.js";

export interface BinscatterPlotOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  /** Legend title with `by` (default: the by column). */
  seriesTitle?: string;
  /** Display names of the groups. */
  labels?: Record<string, string>;
  /** Extra subtitle lines, after the ones describing the dots, intervals and line. */
  caption?: string[];
  /** Replace the generated subtitle lines. */
  replaceCaption?: boolean;
  width?: number;
  height?: number;
}

const POLY_NAMES: Record<number, string> = {
  0: "constant",
  1: "linear",
  2: "quadratic",
  3: "cubic",
  4: "quartic",
};

/** What the marks are, one short line each. */
export function binscatterCaption(result: BinscatterResult): string[] {
  const first = result.groups[0];
  const lines: string[] = [];
  const J = [...new Set(result.groups.map((g) => g.nbins))];
  const chosen = first?.selection ? "IMSE-optimal " : "";
  lines.push(`Dots: mean ${result.y} in ${chosen}${J.join("/")} quantile bins of ${result.x}`);
  const held: string[] = [];
  if (result.controls) held.push(result.controls);
  if (result.absorb) held.push(`${result.absorb} fixed effects`);
  if (held.length > 0) lines.push(`Controls at their means: ${held.join("; ")}`);
  const n = result.groups.reduce((s, g) => s + g.n, 0);
  const se =
    result.vcov === "cluster"
      ? `SEs clustered by ${result.cluster}`
      : result.vcov === "iid"
        ? "iid SEs"
        : `${result.vcov.toUpperCase()} SEs`;
  const pct = `${formatFull(Math.round(result.level * 1000) / 10)}%`;
  const intervals: string[] = [];
  if (result.groups.some((g) => g.ci)) intervals.push(`bars: ${pct} CIs`);
  if (result.groups.some((g) => g.band)) intervals.push(`band: ${pct} uniform band`);
  if (intervals.length > 0) lines.push(`${capitalise(intervals.join("; "))} (${se})`);
  const degree = result.groups.some((g) => g.poly) ? result.polyreg : null;
  if (degree !== null) {
    lines.push(
      degree === 1 ? "Line: linear fit" : `Line: ${POLY_NAMES[degree] ?? `degree-${degree}`} polynomial fit`,
    );
  }
  lines.push(`N = ${formatCount(n)}${result.weights ? `, weighted by ${result.weights}` : ""}`);
  return lines;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The Vega-Lite spec of the binned scatter. Deterministic: the same result gives the same spec. */
export function binscatterPlotSpec(
  result: BinscatterResult,
  options: BinscatterPlotOptions = {},
): TopLevelSpec {
  const display = (g: string | null) => (g === null ? "" : (options.labels?.[g] ?? g));
  const series = result.groups.map((g) => display(g.group));
  const multi = series.length > 1;
  const color = multi
    ? {
        field: "series",
        type: "nominal" as const,
        title: options.seriesTitle ?? result.by ?? "",
        sort: series,
        scale: { domain: series, range: SERIES_COLOURS.slice(0, Math.max(1, series.length)) },
      }
    : { value: SINGLE_COLOUR };
  const xTitle = options.xTitle ?? result.x;
  const yTitle = options.yTitle ?? result.y;
  const x = { field: "x", type: "quantitative" as const, title: xTitle, scale: { zero: false } };
  const y = { field: "y", type: "quantitative" as const, title: yTitle, scale: { zero: false } };
  const description = { field: "description", type: "nominal" as const };
  const tag = (g: string | null) => (g === null ? "" : `${result.by} ${g}, `);

  // biome-ignore lint/suspicious/noExplicitAny: Vega-Lite layer specs are loosely typed unions.
  const layers: any[] = [];
  const bandRows = result.groups.flatMap((g, s) =>
    (g.band?.points ?? []).map((p) => ({ series: series[s], x: p.x, low: p.low, high: p.high })),
  );
  if (bandRows.length > 0) {
    layers.push({
      data: { values: bandRows },
      mark: { type: "area", opacity: 0.18 },
      encoding: {
        x,
        y: { field: "low", type: "quantitative", scale: { zero: false } },
        y2: { field: "high" },
        color,
        // (no `order` channel: on an area Vega-Lite would make one group per row)
        detail: { field: "series", type: "nominal" },
      },
    });
  }
  const polyRows = result.groups.flatMap((g, s) =>
    (g.poly ?? []).map((p) => ({ series: series[s], x: p.x, y: p.fit })),
  );
  if (polyRows.length > 0) {
    layers.push({
      data: { values: polyRows },
      mark: { type: "line", strokeWidth: 2, opacity: 0.9 },
      encoding: { x, y, color, detail: { field: "series", type: "nominal" }, order: { field: "x" } },
    });
  }
  const ciRows = result.groups.flatMap((g, s) =>
    (g.ci ?? []).map((p) => ({
      series: series[s],
      x: p.x,
      low: p.low,
      high: p.high,
      description: `ci: ${tag(g.group)}bin ${p.bin}, x ${p.x}, low ${p.low}, high ${p.high}`,
    })),
  );
  if (ciRows.length > 0) {
    layers.push({
      data: { values: ciRows },
      mark: { type: "rule", strokeWidth: 2 },
      encoding: {
        x,
        y: { field: "low", type: "quantitative", scale: { zero: false } },
        y2: { field: "high" },
        color,
        description,
      },
    });
  }
  const dotRows = result.groups.flatMap((g, s) =>
    g.dots.map((d) => ({
      series: series[s],
      x: d.x,
      y: d.fit,
      description: `dot: ${tag(g.group)}bin ${d.bin}, x ${d.x}, fit ${d.fit}`,
    })),
  );
  layers.push({
    data: { values: dotRows },
    mark: { type: "point", filled: true, size: 70, opacity: 1, shape: "circle" },
    encoding: { x, y, color, description },
  });
  const caption = [...(options.replaceCaption ? [] : binscatterCaption(result)), ...(options.caption ?? [])];
  return figureSpec(
    {
      ...(options.title ? { title: options.title } : {}),
      caption,
      ...(options.width ? { width: options.width } : {}),
      ...(options.height ? { height: options.height } : {}),
    },
    { width: 400, height: 300, legend: "bottom" },
    layers,
  );
}

/**
 * The dots as a table, one row per group and bin: group, bin, left and right end of the bin, n, x (bin mean),
 * fit, and the CI's centre and ends at the same x (empty without --ci).
 */
export function binscatterDotsTable(result: BinscatterResult): Table {
  const rows = result.groups.flatMap((g) => g.dots.map((d, j) => ({ g: g.group, d, ci: g.ci?.[j] ?? null })));
  const num = (name: string, f: (r: (typeof rows)[number]) => number) =>
    numericColumn(name, Float64Array.from(rows, f));
  const columns = [
    ...(result.by
      ? [
          stringColumn(
            result.by,
            rows.map((r) => r.g ?? undefined),
          ),
        ]
      : []),
    num("bin", (r) => r.d.bin),
    num("left", (r) => r.d.left),
    num("right", (r) => r.d.right),
    num("n", (r) => r.d.n),
    num("x", (r) => r.d.x),
    num("fit", (r) => r.d.fit),
    num("ci_fit", (r) => r.ci?.fit ?? Number.NaN),
    num("ci_low", (r) => r.ci?.low ?? Number.NaN),
    num("ci_high", (r) => r.ci?.high ?? Number.NaN),
  ];
  return new Table(columns, rows.length, "binscatter");
}

export function binscatterCsv(result: BinscatterResult): string {
  return tableToCsv(binscatterDotsTable(result));
}

/** The whole result as JSON (dots, intervals, band with its critical value, polynomial fit, bin selection). */
export function binscatterJson(result: BinscatterResult): string {
  return `${JSON.stringify({ tool: "mobility", binscatter: result }, null, 2)}\n`;
}
