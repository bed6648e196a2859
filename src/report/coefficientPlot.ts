/**
 * The coefficient plot of several models side by side (Stata's coefplot; `regress --plot FILE`, `mobility plot
 * results.json --type coef`): one row per term, the estimate as a point and its confidence interval as a
 * horizontal bar, one colour per model dodged vertically within the row, a vertical line at zero, and what the
 * bars are in the subtitle (the event-study plots' visual language turned on its side).
 *
 * The intervals are the models' own (conf_low, conf_high from the estimation, at the level it used); every point
 * carries a description (aria-label: model, term, estimate, interval) for data-to-mark tests.
 */
import type { TopLevelSpec } from "vega-lite";
import type { ModelResult } from "../model/result.js";
import { figureSpec, formatCount, SERIES_COLOURS, SINGLE_COLOUR } from "./figure.js";
import { formatFull } from "./numberFormat.js";
import { describeVcov } from "./table.js";

export interface CoefficientPlotOptions {
  /** Terms to show, in this order (default: every term but the intercept, in order of first appearance). */
  terms?: string[];
  /** Display names of terms. */
  labels?: Record<string, string>;
  /** Names of the models in the legend (default: each model's name). */
  modelNames?: string[];
  /** The level the intervals were estimated at, for the subtitle (default 0.95). */
  level?: number;
  title?: string;
  /** x axis title (default "Estimate"). */
  xTitle?: string;
  /** Extra subtitle lines. */
  caption?: string[];
  /** Row height per term in px (default 34, more with several models). */
  rowHeight?: number;
  width?: number;
}

/** The terms a coefficient plot shows by default: all but the intercept, in order of first appearance. */
export function defaultTerms(models: readonly ModelResult[]): string[] {
  const seen = new Set<string>();
  for (const m of models) for (const c of m.coefficients) if (c.term !== "(Intercept)") seen.add(c.term);
  return [...seen];
}

/** The Vega-Lite spec. Deterministic: the same models give the same spec. */
export function coefficientPlotSpec(
  models: readonly ModelResult[],
  options: CoefficientPlotOptions = {},
): TopLevelSpec {
  const terms = options.terms ?? defaultTerms(models);
  const names = models.map((m, i) => options.modelNames?.[i] ?? m.name);
  const unique = new Set(names).size === names.length ? names : names.map((n, i) => `(${i + 1}) ${n}`);
  const label = (t: string) => options.labels?.[t] ?? t;
  const rows = models.flatMap((m, i) =>
    m.coefficients
      .filter((c) => terms.includes(c.term))
      .map((c) => ({
        term: label(c.term),
        model: unique[i] as string,
        estimate: c.estimate,
        low: c.conf_low,
        high: c.conf_high,
        description: `${unique[i]}, ${c.term}: estimate ${c.estimate}, interval ${c.conf_low} to ${c.conf_high}`,
      })),
  );
  const multi = models.length > 1;
  const termOrder = terms.map(label);
  const color = multi
    ? {
        field: "model",
        type: "nominal" as const,
        title: "",
        sort: unique,
        scale: { domain: unique, range: SERIES_COLOURS.slice(0, unique.length) },
        legend: { direction: "vertical", orient: "bottom" },
      }
    : { value: SINGLE_COLOUR };
  const y = {
    field: "term",
    type: "nominal" as const,
    title: null,
    sort: termOrder,
    axis: { grid: false, labelLimit: 260 },
  };
  const yOffset = multi ? { yOffset: { field: "model", type: "nominal" as const, sort: unique } } : {};
  const x = {
    field: "estimate",
    type: "quantitative" as const,
    title: options.xTitle ?? "Estimate",
    scale: { zero: true },
  };
  // biome-ignore lint/suspicious/noExplicitAny: Vega-Lite layer specs are loosely typed unions.
  const layers: any[] = [
    {
      data: { values: [{ zero: 0 }] },
      mark: { type: "rule", color: "#444444", strokeWidth: 1 },
      encoding: { x: { field: "zero", type: "quantitative" } },
    },
    {
      mark: { type: "rule", strokeWidth: 2 },
      encoding: { y, ...yOffset, x: { field: "low", type: "quantitative" }, x2: { field: "high" }, color },
    },
    {
      mark: { type: "point", filled: true, size: 70, opacity: 1 },
      encoding: { y, ...yOffset, x, color, description: { field: "description", type: "nominal" } },
    },
  ];
  const level = options.level ?? 0.95;
  const vcovs = [...new Set(models.map((m) => describeVcov(m.vcov)))];
  const pct = `${formatFull(Math.round(level * 1000) / 10)}%`;
  const caption = [
    vcovs.length === 1
      ? `Bars: ${pct} confidence intervals, ${(vcovs[0] as string).charAt(0).toLowerCase()}${(vcovs[0] as string).slice(1)} SEs`
      : `Bars: ${pct} confidence intervals, each model's own SEs`,
    `N = ${[...new Set(models.map((m) => formatCount(m.nobs)))].join(", ")}`,
    ...(options.caption ?? []),
  ];
  const rowHeight = options.rowHeight ?? (multi ? 22 * models.length + 12 : 34);
  return figureSpec(
    {
      ...(options.title ? { title: options.title } : {}),
      caption,
      width: options.width ?? 360,
      height: Math.max(120, rowHeight * terms.length),
    },
    { width: 360, height: 200, legend: "bottom" },
    layers,
    { data: { values: rows } },
  );
}
