/**
 * The figure of a set of estimated models (`regress` output), as `mobility plot results.json` and `regress --plot`
 * draw it:
 *   - models estimated `--by` a group: the chosen term or combination (--nlcom, --lincom) along the group on the
 *     x axis, one series per term (several terms) or per formula (several formulas), from estimatesPlot.ts;
 *   - otherwise, or with type "coef": a coefficient plot of the models side by side (coefficientPlot.ts).
 * The intervals are the models' own (conf_low, conf_high); `level` only says in the subtitle what they are.
 */
import type { TopLevelSpec } from "vega-lite";
import { usageError } from "../errors.js";
import type { ModelResult } from "../model/result.js";
import { coefficientPlotSpec } from "./coefficientPlot.js";
import { type EstimateRow, estimatesPlotSpec } from "./estimatesPlot.js";
import { formatCount } from "./figure.js";
import { describeVcov } from "./table.js";

export interface ResultsPlotOptions {
  /** points or lines along the groups, or coef (default: points with --by groups, coef without). */
  type?: "points" | "lines" | "coef";
  /** Terms or combination expressions to show (coef: which and in what order; groups: default the only combination). */
  terms?: string[];
  /** The group column on the x axis (default: the only one). */
  x?: string;
  /** Level of the models' intervals, for the subtitle (default 0.95). */
  level?: number;
  /** Display names of terms, expressions and formulas. */
  labels?: Record<string, string>;
  title?: string;
  xTitle?: string;
  yTitle?: string;
  seriesTitle?: string;
  /** Extra subtitle lines. */
  caption?: string[];
  interval?: "errorbar" | "band";
  zeroLine?: boolean;
  referenceLine?: number | null;
  referenceLabel?: string;
  width?: number;
  height?: number;
  /** Where the models came from, for error messages (default "the results"). */
  source?: string;
}

/** The Vega-Lite spec of the models' figure. Deterministic. Throws a usage error naming the available terms. */
export function resultsPlotSpec(
  models: readonly ModelResult[],
  options: ResultsPlotOptions = {},
): TopLevelSpec {
  const source = options.source ?? "the results";
  const level = options.level ?? 0.95;
  const labels = options.labels ?? {};
  const grouped = models.some((m) => m.group !== null && Object.keys(m.group).length > 0);
  const type = options.type ?? (grouped ? "points" : "coef");
  if (type === "coef") {
    for (const t of options.terms ?? []) {
      if (!models.some((m) => m.coefficients.some((c) => c.term === t))) {
        throw usageError(`--term: no coefficient '${t}' in ${source} (terms: ${termList(models)})`);
      }
    }
    return coefficientPlotSpec(models, {
      ...(options.terms ? { terms: options.terms } : {}),
      labels,
      level,
      ...(options.title ? { title: options.title } : {}),
      ...(options.xTitle ? { xTitle: options.xTitle } : {}),
      ...(options.caption ? { caption: options.caption } : {}),
      ...(options.width ? { width: options.width } : {}),
    });
  }
  const byColumns = [...new Set(models.flatMap((m) => Object.keys(m.group ?? {})))];
  const xColumn = options.x ?? (byColumns.length === 1 ? byColumns[0] : undefined);
  if (xColumn === undefined) {
    throw usageError(
      byColumns.length === 0
        ? `${source}: the models have no --by groups to put on the x axis (use --type coef)`
        : `--x: name the group column for the x axis (${byColumns.join(", ")})`,
    );
  }
  if (!byColumns.includes(xColumn)) {
    throw usageError(`--x: no group column '${xColumn}' in ${source} (${byColumns.join(", ") || "none"})`);
  }
  const available = (m: ModelResult) => [
    ...m.coefficients,
    ...(m.combinations ?? []).map((c) => ({ ...c, term: c.expression })),
  ];
  let terms = options.terms;
  if (terms === undefined) {
    // The default is what is unambiguous: the only combination (a turning point from --nlcom), else the only
    // coefficient besides the intercept.
    const combos = [...new Set(models.flatMap((m) => (m.combinations ?? []).map((c) => c.expression)))];
    const slopes = [
      ...new Set(models.flatMap((m) => m.coefficients.map((c) => c.term).filter((t) => t !== "(Intercept)"))),
    ];
    const only = combos.length === 1 ? combos : combos.length === 0 && slopes.length === 1 ? slopes : null;
    if (only === null) {
      throw usageError(`--term: name the term(s) to plot (available: ${termList(models)})`);
    }
    terms = only;
  }
  for (const t of terms) {
    if (!models.some((m) => available(m).some((c) => c.term === t))) {
      throw usageError(`--term: no term or combination '${t}' in ${source} (available: ${termList(models)})`);
    }
  }
  const chosen = terms;
  const formulas = [...new Set(models.map((m) => m.formula))];
  const rows: EstimateRow[] = models.flatMap((m) => {
    const raw = m.group?.[xColumn];
    if (raw === undefined) return [];
    const x =
      typeof raw === "number" ? raw : raw.trim() !== "" && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    return available(m)
      .filter((c) => chosen.includes(c.term))
      .map((c) => ({
        x,
        estimate: c.estimate,
        low: c.conf_low,
        high: c.conf_high,
        series:
          chosen.length > 1
            ? (labels[c.term] ?? c.term)
            : formulas.length > 1
              ? (labels[m.formula] ?? m.formula)
              : "",
      }));
  });
  const vcovs = [...new Set(models.map((m) => describeVcov(m.vcov)))];
  const first = chosen[0] as string;
  const pct = `${Math.round(level * 1000) / 10}%`;
  return estimatesPlotSpec(rows, {
    xTitle: options.xTitle ?? xColumn,
    yTitle: options.yTitle ?? (chosen.length === 1 ? (labels[first] ?? first) : "Estimate"),
    ...(options.title ? { title: options.title } : {}),
    ...(options.seriesTitle ? { seriesTitle: options.seriesTitle } : {}),
    mark: type === "lines" ? "lines" : "points",
    ...(options.interval ? { interval: options.interval } : {}),
    ...(options.zeroLine !== undefined ? { zeroLine: options.zeroLine } : {}),
    ...(options.referenceLine !== undefined ? { referenceLine: options.referenceLine } : {}),
    ...(options.referenceLabel ? { referenceLabel: options.referenceLabel } : {}),
    ...(options.width ? { width: options.width } : {}),
    ...(options.height ? { height: options.height } : {}),
    caption: [
      `Bars: ${pct} confidence intervals, ${vcovs.length === 1 ? lowerFirst(vcovs[0] as string) : "each model's own"} SEs`,
      `${models.length} models (one per ${xColumn}); ${nRange(models.map((m) => m.nobs))}`,
      ...(options.caption ?? []),
    ],
  });
}

function nRange(ns: number[]): string {
  const lo = Math.min(...ns);
  const hi = Math.max(...ns);
  return lo === hi ? `N = ${formatCount(lo)} each` : `N = ${formatCount(lo)} to ${formatCount(hi)}`;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function termList(models: readonly ModelResult[]): string {
  const all = new Set<string>();
  for (const m of models) {
    for (const c of m.coefficients) all.add(c.term);
    for (const c of m.combinations ?? []) all.add(c.expression);
  }
  return [...all].join(", ");
}
