/**
 * A renderer-neutral regression table built from an `Output`, in the style of Stata's esttab and R's fixest
 * etable: one column per model, one row per coefficient with its standard error in parentheses below, then fit
 * statistics, then notes. The text, Markdown and LaTeX renderers only lay this model out and escape it.
 *
 * Cells hold plain text; numbers are already formatted (see numberFormat.ts) and stars are kept apart from the
 * number so that each renderer can align or typeset them.
 */
import { usageError } from "../errors.js";
import type { Coefficient, ModelResult, Output, VcovInfo } from "../model/result.js";
import { covarianceLabel } from "../vcov/registry.js";
import { checkDigits, DEFAULT_DIGITS, formatCount, formatFixed, formatFull } from "./numberFormat.js";
import { DEFAULT_STARS, type StarLevels, stars, starsLegend } from "./stars.js";

/** Fit statistics a table can show below the coefficients, in the order given. */
export type FitStat = "nobs" | "r2" | "adj_r2" | "within_r2" | "pseudo_r2" | "rmse" | "vcov";

/**
 * Observations, R², adjusted R², within R² (only if some model has one), pseudo R² (only if some model is a
 * likelihood model) and the standard-error type.
 */
export const DEFAULT_FIT: readonly FitStat[] = Object.freeze([
  "nobs",
  "r2",
  "adj_r2",
  "within_r2",
  "pseudo_r2",
  "vcov",
]);

/** Plain-ASCII labels; Markdown and LaTeX typeset "R2" as R² and R$^2$. */
export const FIT_LABELS: Readonly<Record<FitStat, string>> = Object.freeze({
  nobs: "Observations",
  r2: "R2",
  adj_r2: "Adj. R2",
  within_r2: "Within R2",
  pseudo_r2: "Pseudo R2",
  rmse: "RMSE",
  vcov: "Standard errors",
});

export interface ExtraRow {
  label: string;
  /** One cell per model, as printed. */
  cells: string[];
}

export interface TableOptions {
  /** Decimals of coefficients, standard errors and fit statistics (default 4). */
  digits?: number;
  /** Significance stars (default `***` p < 0.01, `**` p < 0.05, `*` p < 0.10); `false` for none. */
  stars?: StarLevels | false;
  /** Show only these terms (exact names). Does not reorder: see `order`. */
  keep?: string[];
  /** Hide these terms (exact names). */
  drop?: string[];
  /** Put these terms first, in this order; the others follow in order of first appearance. */
  order?: string[];
  /**
   * Display names for terms, fixed effects, cluster variables and model names, like fixest's `dict`. Entries that
   * match nothing are ignored, so one dictionary can serve many tables. Terms that share a label share a row
   * (e.g. the same treatment under different names in different models), provided no model has two of them.
   */
  labels?: Record<string, string>;
  /** Fit statistics below the coefficients (default DEFAULT_FIT). */
  fit?: readonly FitStat[];
  /** One Yes/No row per fixed effect if any model has fixed effects (default true). */
  fixedEffects?: boolean;
  /** Rows added after the fit statistics, e.g. "Controls: Yes/No". */
  extraRows?: ExtraRow[];
}

export interface Cell {
  /** The printed value ("0.1234", "(0.0567)", "Yes", "" for nothing). */
  text: string;
  /** Significance stars of a coefficient ("" otherwise). */
  stars: string;
}

export type RowKind = "header" | "coef" | "se" | "fe" | "fit" | "extra";

export interface TableRow {
  kind: RowKind;
  /** Plain-text label ("" for standard-error rows and the first header rows). */
  label: string;
  /** For fit rows: which statistic, so that renderers can typeset the label. */
  stat?: FitStat;
  /** One per model. */
  cells: Cell[];
}

export interface RegressionTable {
  /** Number of model columns (besides the label column). */
  columns: number;
  /** Model numbers "(1)", "(2)", ...; model names; `--by` group values if any model has them. */
  header: TableRow[];
  /** Coefficient rows, each followed by its standard-error row. */
  coefficients: TableRow[];
  /** Fixed effects, fit statistics and extra rows. */
  fit: TableRow[];
  /** The standard-error and stars legend, then each model's notes prefixed with its number. */
  notes: string[];
}

const EMPTY: Cell = Object.freeze({ text: "", stars: "" });
const plain = (text: string): Cell => ({ text, stars: "" });

/** "IID", "Heteroskedasticity-robust (HC1)", "Clustered (state)", "Newey-West (L=2)": the registry's label. */
export function describeVcov(vcov: VcovInfo, labels: Record<string, string> = {}): string {
  return covarianceLabel(vcov, labels);
}

/** The model numbers "(1)", "(2)", ... used in headers and notes. */
export function modelNumber(index: number): string {
  return `(${index + 1})`;
}

/** Terms of all models in order of first appearance. */
function allTerms(models: ModelResult[]): string[] {
  const seen = new Set<string>();
  for (const model of models) for (const c of model.coefficients) seen.add(c.term);
  return [...seen];
}

function checkTerms(option: string, names: string[] | undefined, known: Set<string>): void {
  for (const name of names ?? []) {
    if (!known.has(name)) {
      throw usageError(`${option}: no model has a term '${name}'; terms are: ${[...known].join(", ")}`);
    }
  }
}

/** The terms to show, in display order, after keep/drop/order. */
export function selectTerms(models: ModelResult[], options: TableOptions = {}): string[] {
  const terms = allTerms(models);
  const known = new Set(terms);
  checkTerms("keep", options.keep, known);
  checkTerms("drop", options.drop, known);
  checkTerms("order", options.order, known);
  const keep = options.keep ? new Set(options.keep) : undefined;
  const drop = new Set(options.drop ?? []);
  const shown = terms.filter((term) => (keep === undefined || keep.has(term)) && !drop.has(term));
  const first = [...new Set(options.order ?? [])].filter((term) => shown.includes(term));
  return [...first, ...shown.filter((term) => !first.includes(term))];
}

function groupKeys(models: ModelResult[]): string[] {
  const keys = new Set<string>();
  for (const model of models) for (const key of Object.keys(model.group ?? {})) keys.add(key);
  return [...keys];
}

function groupValue(value: string | number | undefined): string {
  if (value === undefined) return "";
  return typeof value === "number" ? formatFull(value) : value;
}

function headerRows(models: ModelResult[], labels: Record<string, string>): TableRow[] {
  const rows: TableRow[] = [
    { kind: "header", label: "", cells: models.map((_, i) => plain(modelNumber(i))) },
    { kind: "header", label: "", cells: models.map((m) => plain(labels[m.name] ?? m.name)) },
  ];
  const keys = groupKeys(models);
  if (keys.length > 0) {
    rows.push({
      kind: "header",
      label: `Sample (${keys.map((key) => labels[key] ?? key).join(", ")})`,
      cells: models.map((m) =>
        plain(m.group === null ? "All" : keys.map((key) => groupValue(m.group?.[key])).join(", ")),
      ),
    });
  }
  return rows;
}

function coefficientRows(
  models: ModelResult[],
  terms: string[],
  labels: Record<string, string>,
  digits: number,
  levels: StarLevels | false,
): TableRow[] {
  // Terms that share a label share a row.
  const rowTerms = new Map<string, string[]>();
  for (const term of terms) {
    const label = labels[term] ?? term;
    const list = rowTerms.get(label);
    if (list) list.push(term);
    else rowTerms.set(label, [term]);
  }
  const indexes: Map<string, Coefficient>[] = models.map(
    (model) => new Map(model.coefficients.map((c) => [c.term, c])),
  );
  const rows: TableRow[] = [];
  for (const [label, names] of rowTerms) {
    const coefCells: Cell[] = [];
    const seCells: Cell[] = [];
    indexes.forEach((byTerm, i) => {
      const found = names.flatMap((name) => byTerm.get(name) ?? []);
      if (found.length > 1) {
        throw usageError(
          `labels: terms ${found.map((c) => `'${c.term}'`).join(" and ")} of model ${modelNumber(i)} share the label '${label}'`,
        );
      }
      const c = found[0];
      if (c === undefined) {
        coefCells.push(EMPTY);
        seCells.push(EMPTY);
        return;
      }
      const estimate = formatFixed(c.estimate, digits);
      const se = formatFixed(c.std_error, digits);
      coefCells.push({
        text: estimate,
        stars: levels === false || estimate === "" ? "" : stars(c.p_value, levels),
      });
      seCells.push(plain(se === "" ? "" : `(${se})`));
    });
    rows.push({ kind: "coef", label, cells: coefCells }, { kind: "se", label: "", cells: seCells });
  }
  return rows;
}

function fixedEffectRows(models: ModelResult[], labels: Record<string, string>): TableRow[] {
  const names = new Set<string>();
  for (const model of models) for (const fe of model.fixed_effects) names.add(fe);
  return [...names].map((fe) => ({
    kind: "fe",
    label: `${labels[fe] ?? fe} FE`,
    cells: models.map((m) => plain(m.fixed_effects.includes(fe) ? "Yes" : "No")),
  }));
}

/** The printed cell of one fit statistic for one model (also used by spec tables). */
export function fitCell(
  model: ModelResult,
  stat: FitStat,
  digits: number,
  labels: Record<string, string> = {},
): string {
  switch (stat) {
    case "nobs":
      return formatCount(model.nobs);
    case "r2":
      return formatFixed(model.r2, digits);
    case "adj_r2":
      return formatFixed(model.adj_r2, digits);
    case "within_r2":
      return model.within_r2 === null ? "" : formatFixed(model.within_r2, digits);
    case "pseudo_r2":
      return model.likelihood === undefined ? "" : formatFixed(model.likelihood.pseudo_r2, digits);
    case "rmse":
      return formatFixed(model.rmse, digits);
    case "vcov":
      return describeVcov(model.vcov, labels);
  }
}

function fitRows(models: ModelResult[], options: TableOptions, digits: number): TableRow[] {
  const labels = options.labels ?? {};
  const rows: TableRow[] = options.fixedEffects === false ? [] : fixedEffectRows(models, labels);
  const anyWithin = models.some((m) => m.within_r2 !== null);
  const anyLikelihood = models.some((m) => m.likelihood !== undefined);
  const allLikelihood = models.every((m) => m.likelihood !== undefined);
  for (const stat of new Set(options.fit ?? DEFAULT_FIT)) {
    // Rows that apply to no model: within R2 without fixed effects, pseudo R2 without a likelihood model, R2 and
    // adjusted R2 when every model is one.
    if (stat === "within_r2" && !anyWithin) continue;
    if (stat === "pseudo_r2" && !anyLikelihood) continue;
    if ((stat === "r2" || stat === "adj_r2") && allLikelihood) continue;
    rows.push({
      kind: "fit",
      label: FIT_LABELS[stat],
      stat,
      cells: models.map((m) => plain(fitCell(m, stat, digits, labels))),
    });
  }
  for (const extra of options.extraRows ?? []) {
    if (extra.cells.length !== models.length) {
      throw usageError(
        `extra row '${extra.label}' has ${extra.cells.length} cells for ${models.length} model${models.length === 1 ? "" : "s"}`,
      );
    }
    rows.push({ kind: "extra", label: extra.label, cells: extra.cells.map(plain) });
  }
  return rows;
}

function notes(models: ModelResult[], levels: StarLevels | false): string[] {
  const legend = levels === false ? "" : ` ${starsLegend(levels)}`;
  const lines = [`Standard errors in parentheses.${legend}`];
  models.forEach((model, i) => {
    for (const note of model.notes) lines.push(`${modelNumber(i)} ${note}`);
  });
  return lines;
}

/** Builds the table of all models of `output`. Throws a usage error for a bad keep/drop/order/extra row. */
export function buildTable(output: Output, options: TableOptions = {}): RegressionTable {
  const models = output.models;
  const digits = checkDigits(options.digits ?? DEFAULT_DIGITS);
  const levels = options.stars ?? DEFAULT_STARS;
  const labels = options.labels ?? {};
  const terms = selectTerms(models, options);
  return {
    columns: models.length,
    header: headerRows(models, labels),
    coefficients: coefficientRows(models, terms, labels, digits, levels),
    fit: fitRows(models, options, digits),
    notes: notes(models, levels),
  };
}
