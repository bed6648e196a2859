/**
 * A renderer-neutral regression table built from an `Output`, in the style of Stata's esttab and R's fixest
 * etable: one column per model, one row per coefficient with its standard error (or t, p, interval) in parentheses
 * below or beside it, then fixed effects and fit statistics (stats.ts), extra rows, and notes. `regressionGrid`
 * lays it out as a Grid for the format writers; `longRegressionGrid` transposes it (one row per model) for tables
 * of many `--by` groups.
 *
 * Cells hold plain text; numbers are already formatted (see numberFormat.ts) and stars are kept apart from the
 * number so that each writer can align or typeset them, in every row type (coefficients, combinations).
 *
 * Notes (`notes`): "none"; "short" (default): what is in parentheses (with the standard-error type when all
 * columns share it) and the stars legend, then the caller's own notes, then each model's caveats (a term removed
 * as collinear, a perfect fit, a repaired covariance: `isCaveatNote`), prefixed with the model number; "full":
 * every model note (rows removed, ...) too. Callers print the notes that are not in the table elsewhere (stderr,
 * JSON): see `noteInTable`.
 */
import { usageError } from "../errors.js";
import type { Coefficient, ModelResult, Output, VcovInfo } from "../model/result.js";
import { covarianceLabel } from "../vcov/registry.js";
import type { Grid, GridCell, GridRow } from "./grid.js";
import { checkDigits, DEFAULT_DIGITS, formatFixed, formatFull } from "./numberFormat.js";
import { DEFAULT_STARS, type StarLevels, stars, starsLegend } from "./stars.js";
import { DEFAULT_STATS, findStat, type StatContext } from "./stats.js";

/** Older names of the fit rows (spec files' `fit:`), kept as aliases of the statistics registry. */
export type FitStat = "nobs" | "r2" | "adj_r2" | "within_r2" | "pseudo_r2" | "rmse" | "vcov";

/** What the row below (or beside) each estimate shows. */
export type CoefStat = "se" | "t" | "p" | "ci" | "boot_p" | "boot_ci";
export const COEF_STATS: readonly CoefStat[] = ["se", "t", "p", "ci", "boot_p", "boot_ci"];

export type NotesMode = "none" | "short" | "full";
export const NOTES_MODES: readonly NotesMode[] = ["none", "short", "full"];

export interface Cell {
  /** The printed value ("0.1234", "(0.0567)", "Yes", "" for nothing). */
  text: string;
  /** Significance stars ("" otherwise). */
  stars: string;
  /** Printed after the stars (standard errors beside the estimate). */
  tail?: string;
}

export interface ExtraRow {
  label: string;
  /** One cell per model, as printed: text, or a number with its stars. */
  cells: (string | Cell)[];
}

/** A header cell spanning `span` model columns ("Approach 1" over columns 1-2). */
export interface ColumnGroup {
  label: string;
  span: number;
}

export interface TableOptions {
  /** Decimals of coefficients and their standard errors (default 4). */
  digits?: number;
  /** Decimals of R², RMSE and means (default: `digits`) and of F statistics (default 2). */
  statDigits?: number;
  /** Significance stars (default `***` p < 0.01, `**` p < 0.05, `*` p < 0.10); `false` for none. */
  stars?: StarLevels | false;
  /** Show only these terms: exact names, or /regular expressions/. Does not reorder: see `order`. */
  keep?: string[];
  /** Hide these terms (exact names or /regular expressions/). */
  drop?: string[];
  /** Put these terms first, in this order (a /regex/ places its matches in their order); the others follow. */
  order?: string[];
  /**
   * Display names for terms, fixed effects, cluster variables and model names, like fixest's `dict`. Entries that
   * match nothing are ignored, so one dictionary can serve many tables. Terms that share a label share a row
   * (e.g. the same treatment under different names in different models), provided no model has two of them.
   */
  labels?: Record<string, string>;
  /** Statistics below the coefficients, names of stats.ts (default DEFAULT_STATS, plus the SE type if it varies). */
  stats?: readonly string[];
  /** Older name of `stats`. */
  fit?: readonly string[];
  /** With the default statistics: one Yes/No row per fixed effect (default true). */
  fixedEffects?: boolean;
  /** Rows added after the statistics, e.g. "Controls: Yes/No" or a combination with its stars. */
  extraRows?: ExtraRow[];
  /** What the footer says (default short). */
  notes?: NotesMode;
  /** The caller's notes, after the legend. */
  extraNotes?: readonly string[];
  /** Thousands separators in counts (default true). */
  thousands?: boolean;
  /** Below (or beside) each estimate: standard error (default), t statistic, p-value or confidence interval. */
  coefstat?: CoefStat;
  /** The standard error on the estimate's row rather than below it. */
  beside?: boolean;
  /** Header cells over groups of columns, left to right. */
  groups?: readonly ColumnGroup[];
  /** The row of model numbers "(1)", "(2)", ... (default true). */
  numbers?: boolean;
  /** What fixed-effect rows print for present and absent (default ["Yes", "No"]; a paper may use ["×", ""]). */
  feMarks?: readonly [string, string];
}

export type RowKind = "header" | "coef" | "se" | "fe" | "fit" | "extra";

export interface TableRow {
  kind: RowKind;
  /** Plain-text label ("" for standard-error rows and the first header rows). */
  label: string;
  /** For fit rows: which statistic (a name of stats.ts). */
  stat?: string;
  /** One per model. */
  cells: Cell[];
}

export interface RegressionTable {
  /** Number of model columns (besides the label column). */
  columns: number;
  /** Header cells over groups of columns (first header row), if any. */
  groups: readonly ColumnGroup[];
  /** Model numbers "(1)", "(2)", ...; model names; `--by` group values if any model has them. */
  header: TableRow[];
  /** Coefficient rows, each followed by its standard-error row (unless beside). */
  coefficients: TableRow[];
  /** Fixed effects, fit statistics and extra rows. */
  fit: TableRow[];
  /** The legend, then the caller's notes, then (notes: full) each model's notes prefixed with its number. */
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

/**
 * The name a coefficient is shown under: a second stage's fitted endogenous regressor `fit_x` as `x` (as fixest's
 * etable prints it), so that it shares a row with the OLS estimate of `x` in the same table.
 */
export function displayTerm(model: ModelResult, term: string): string {
  if (model.iv === undefined || !term.startsWith("fit_")) return term;
  const name = term.slice(4);
  return model.iv.endogenous.includes(name) ? name : term;
}

/** Display terms of all models in order of first appearance. */
function allTerms(models: readonly ModelResult[]): string[] {
  const seen = new Set<string>();
  for (const model of models) for (const c of model.coefficients) seen.add(displayTerm(model, c.term));
  return [...seen];
}

/** A keep/drop/order entry: an exact term name, or /regex/ (JavaScript syntax) matching names. */
function matcher(option: string, pattern: string): (term: string) => boolean {
  const m = /^\/(.*)\/([a-z]*)$/.exec(pattern);
  if (m === null) return (term) => term === pattern;
  let re: RegExp;
  try {
    re = new RegExp(m[1] as string, m[2]);
  } catch (error) {
    throw usageError(`${option}: invalid regular expression ${pattern}: ${(error as Error).message}`);
  }
  return (term) => re.test(term);
}

function checkTerms(option: string, patterns: readonly string[] | undefined, terms: string[]): void {
  for (const pattern of patterns ?? []) {
    if (!terms.some(matcher(option, pattern))) {
      throw usageError(`${option}: no model has a term '${pattern}'; terms are: ${terms.join(", ")}`);
    }
  }
}

/** The terms to show, in display order, after keep/drop/order. */
export function selectTerms(models: readonly ModelResult[], options: TableOptions = {}): string[] {
  const terms = allTerms(models);
  checkTerms("keep", options.keep, terms);
  checkTerms("drop", options.drop, terms);
  checkTerms("order", options.order, terms);
  const keep = options.keep?.map((p) => matcher("keep", p));
  const drop = (options.drop ?? []).map((p) => matcher("drop", p));
  const shown = terms.filter(
    (t) => (keep === undefined || keep.some((f) => f(t))) && !drop.some((f) => f(t)),
  );
  const first: string[] = [];
  for (const pattern of options.order ?? []) {
    const f = matcher("order", pattern);
    for (const t of shown) if (f(t) && !first.includes(t)) first.push(t);
  }
  return [...first, ...shown.filter((t) => !first.includes(t))];
}

function groupKeys(models: readonly ModelResult[]): string[] {
  const keys = new Set<string>();
  for (const model of models) for (const key of Object.keys(model.group ?? {})) keys.add(key);
  return [...keys];
}

function groupValue(value: string | number | undefined): string {
  if (value === undefined) return "";
  return typeof value === "number" ? formatFull(value) : value;
}

/** A model's `--by` group as printed ("CA", "black, male"), or "All". */
export function groupLabel(model: ModelResult, keys: readonly string[]): string {
  return model.group === null ? "All" : keys.map((key) => groupValue(model.group?.[key])).join(", ");
}

/** What a column is, for tables that mix them: "OLS", "First stage", "Reduced form", "2SLS", "Poisson". */
export function estimatorLabel(model: ModelResult): string {
  if (model.stage === "first") return "First stage";
  if (model.stage === "reduced") return "Reduced form";
  if (model.estimator === "iv") return "2SLS";
  if (model.estimator === "poisson") return "Poisson";
  return "OLS";
}

function headerRows(
  models: readonly ModelResult[],
  labels: Record<string, string>,
  numbers: boolean,
): TableRow[] {
  const rows: TableRow[] = [];
  if (numbers) rows.push({ kind: "header", label: "", cells: models.map((_, i) => plain(modelNumber(i))) });
  // Columns of different kinds (an IV model's stages next to OLS) say what each is.
  const kinds = models.map(estimatorLabel);
  if (models.some((m) => m.stage !== undefined) || new Set(kinds).size > 1) {
    rows.push({ kind: "header", label: "", cells: kinds.map(plain) });
  }
  rows.push({ kind: "header", label: "", cells: models.map((m) => plain(labels[m.name] ?? m.name)) });
  const keys = groupKeys(models);
  if (keys.length > 0) {
    rows.push({
      kind: "header",
      label: `Sample (${keys.map((key) => labels[key] ?? key).join(", ")})`,
      cells: models.map((m) => plain(groupLabel(m, keys))),
    });
  }
  return rows;
}

/** The cell below (or beside) an estimate. */
function statCell(c: Coefficient, coefstat: CoefStat, digits: number): string {
  switch (coefstat) {
    case "se": {
      const se = formatFixed(c.std_error, digits);
      return se === "" ? "" : `(${se})`;
    }
    case "t": {
      const t = formatFixed(c.statistic, digits);
      return t === "" ? "" : `(${t})`;
    }
    case "p": {
      const p = formatFixed(c.p_value, digits);
      return p === "" ? "" : `[${p}]`;
    }
    case "ci": {
      const lo = formatFixed(c.conf_low, digits);
      const hi = formatFixed(c.conf_high, digits);
      return lo === "" || hi === "" ? "" : `[${lo}; ${hi}]`;
    }
    // The wild cluster bootstrap's p-value or interval in place of the standard error (issue 12); empty for a
    // coefficient the bootstrap did not test.
    case "boot_p": {
      const p = c.boot_p_value === undefined ? "" : formatFixed(c.boot_p_value, digits);
      return p === "" ? "" : `[${p}]`;
    }
    case "boot_ci": {
      if (c.boot_conf_low === undefined || c.boot_conf_high === undefined) return "";
      const lo = formatFixed(c.boot_conf_low, digits);
      const hi = formatFixed(c.boot_conf_high, digits);
      return lo === "" || hi === "" ? "" : `[${lo}; ${hi}]`;
    }
  }
}

function coefficientRows(
  models: readonly ModelResult[],
  terms: string[],
  labels: Record<string, string>,
  digits: number,
  levels: StarLevels | false,
  coefstat: CoefStat,
  beside: boolean,
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
    (model) => new Map(model.coefficients.map((c) => [displayTerm(model, c.term), c])),
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
      if (c.reference) {
        // An event study's reference period: normalised to zero, not estimated.
        coefCells.push(plain("ref."));
        seCells.push(EMPTY);
        return;
      }
      const estimate = formatFixed(c.estimate, digits);
      const below = statCell(c, coefstat, digits);
      const starred = levels === false || estimate === "" ? "" : stars(c.p_value, levels);
      coefCells.push(
        beside && below !== ""
          ? { text: estimate, stars: starred, tail: ` ${below}` }
          : { text: estimate, stars: starred },
      );
      seCells.push(plain(below));
    });
    rows.push({ kind: "coef", label, cells: coefCells });
    if (!beside) rows.push({ kind: "se", label: "", cells: seCells });
  }
  return rows;
}

/** The printed cell of one statistic for one model (also used by spec tables' `stat:` rows). */
export function fitCell(
  model: ModelResult,
  stat: string,
  digits: number,
  labels: Record<string, string> = {},
  thousands = false,
  fDigits = 2,
): string {
  const rows = findStat(stat).rows([model], { digits, fDigits, thousands, labels });
  return rows[0]?.cells[0] ?? "";
}

function sameVcov(models: readonly ModelResult[], labels: Record<string, string>): string | null {
  const kinds = new Set(models.map((m) => covarianceLabel(m.vcov, labels)));
  return kinds.size === 1 ? ([...kinds][0] as string) : null;
}

function fitRows(models: readonly ModelResult[], options: TableOptions, digits: number): TableRow[] {
  const labels = options.labels ?? {};
  const statDigits = options.statDigits ?? digits;
  const ctx: StatContext = {
    digits: statDigits,
    fDigits: options.statDigits ?? 2,
    thousands: options.thousands !== false,
    labels,
    ...(options.feMarks ? { marks: options.feMarks } : {}),
  };
  let names: string[];
  if (options.stats !== undefined) names = [...options.stats];
  else if (options.fit !== undefined) {
    // The older `fit` list never held the fixed effects: their rows came with `fixedEffects`.
    names = [...(options.fixedEffects === false ? [] : ["fe"]), ...options.fit];
  } else {
    names = DEFAULT_STATS.filter((s) => s !== "fe" || options.fixedEffects !== false);
    // The standard-error type goes in the notes when every column shares it, else in a row.
    if (sameVcov(models, labels) === null || options.notes === "none") names.push("vcov");
  }
  const rows: TableRow[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    const stat = findStat(name);
    if (seen.has(stat.name)) continue;
    seen.add(stat.name);
    for (const row of stat.rows(models, ctx)) {
      rows.push({
        kind: stat.name === "fe" ? "fe" : "fit",
        label: row.label,
        stat: stat.name,
        cells: row.cells.map(plain),
      });
    }
  }
  for (const extra of options.extraRows ?? []) {
    if (extra.cells.length !== models.length) {
      throw usageError(
        `extra row '${extra.label}' has ${extra.cells.length} cells for ${models.length} model${models.length === 1 ? "" : "s"}`,
      );
    }
    rows.push({
      kind: "extra",
      label: extra.label,
      cells: extra.cells.map((c) => (typeof c === "string" ? plain(c) : c)),
    });
  }
  return rows;
}

/** "Clustered (state)" -> "clustered (state)"; "IID" stays. */
function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]?.toLowerCase() + text.slice(1) : text;
}

function legend(models: readonly ModelResult[], options: TableOptions, vcovRow: boolean): string {
  const levels = options.stars ?? DEFAULT_STARS;
  const coefstat = options.coefstat ?? "se";
  // The standard-error type is named here unless a row of the table shows it.
  const vcov = vcovRow ? null : sameVcov(models, options.labels ?? {});
  const what =
    coefstat === "se"
      ? "Standard errors in parentheses"
      : coefstat === "t"
        ? "t statistics in parentheses"
        : coefstat === "p"
          ? "p-values in brackets"
          : coefstat === "ci"
            ? "Confidence intervals in brackets"
            : coefstat === "boot_p"
              ? "Wild cluster bootstrap p-values in brackets"
              : "Wild cluster bootstrap confidence intervals in brackets";
  const type =
    vcov === null
      ? ""
      : coefstat === "se"
        ? `, ${lowerFirst(vcov)}`
        : ` (standard errors: ${lowerFirst(vcov)})`;
  const starsText = levels === false || levels.length === 0 ? "" : ` ${starsLegend(levels)}`;
  return `${what}${type}.${starsText}`;
}

/**
 * Notes that say a number is not what it seems: a term removed or nearly explained as collinear, a perfect fit,
 * a covariance repaired or undefined, an iteration that did not converge. Every table keeps these ("meaningless
 * results carry a note"; the hardening catalogue, test/hardening). The others are bookkeeping a paper's table
 * leaves out under the default short notes (issue 14): rows removed because of missing values, singletons, the
 * small-sample count of nested fixed effects, an event study's reference period.
 */
const CAVEATS: readonly RegExp[] = [
  /collinear/i,
  /perfect fit/,
  /negative variance/,
  /is not defined/,
  /did not converge/,
  /not meaningful/,
  /results are approximate/,
];

export function isCaveatNote(note: string): boolean {
  return CAVEATS.some((pattern) => pattern.test(note));
}

/** Whether a model's note is printed in the table's footer under `mode` (else the caller prints it elsewhere). */
export function noteInTable(note: string, mode: NotesMode = "short"): boolean {
  return mode === "full" || (mode === "short" && isCaveatNote(note));
}

function notes(models: readonly ModelResult[], options: TableOptions, vcovRow: boolean): string[] {
  const mode = options.notes ?? "short";
  if (mode === "none") return [...(options.extraNotes ?? [])];
  const lines = [legend(models, options, vcovRow), ...(options.extraNotes ?? [])];
  models.forEach((model, i) => {
    for (const note of model.notes) if (noteInTable(note, mode)) lines.push(`${modelNumber(i)} ${note}`);
  });
  return lines;
}

function checkGroups(groups: readonly ColumnGroup[] | undefined, columns: number): readonly ColumnGroup[] {
  if (groups === undefined) return [];
  const total = groups.reduce((sum, g) => sum + g.span, 0);
  if (groups.some((g) => !Number.isInteger(g.span) || g.span < 1) || total !== columns) {
    throw usageError(`column groups span ${total} columns; the table has ${columns}`);
  }
  return groups;
}

/** Builds the table of all models of `output`. Throws a usage error for a bad keep/drop/order/extra row. */
export function buildTable(output: Output, options: TableOptions = {}): RegressionTable {
  const models = output.models;
  const digits = checkDigits(options.digits ?? DEFAULT_DIGITS);
  if (options.statDigits !== undefined) checkDigits(options.statDigits);
  const levels = options.stars ?? DEFAULT_STARS;
  const labels = options.labels ?? {};
  const terms = selectTerms(models, options);
  const fit = fitRows(models, options, digits);
  return {
    columns: models.length,
    groups: checkGroups(options.groups, models.length),
    header: headerRows(models, labels, options.numbers !== false),
    coefficients: coefficientRows(
      models,
      terms,
      labels,
      digits,
      levels,
      options.coefstat ?? "se",
      options.beside === true,
    ),
    fit,
    notes: notes(
      models,
      options,
      fit.some((r) => r.stat === "vcov"),
    ),
  };
}

function gridRow(row: TableRow): GridRow {
  const cells: GridCell[] = [{ text: row.label }];
  for (const c of row.cells) {
    const out: { text: string; stars?: string; tail?: string } = { text: c.text };
    if (c.stars) out.stars = c.stars;
    if (c.tail) out.tail = c.tail;
    cells.push(out);
  }
  return { cells };
}

/** The table laid out for the format writers: a stub of labels, one `number` column per model. */
export function regressionGrid(table: RegressionTable): Grid {
  const header: GridRow[] = [];
  if (table.groups.length > 0) {
    header.push({ cells: [{ text: "" }, ...table.groups.map((g) => ({ text: g.label, span: g.span }))] });
  }
  header.push(...table.header.map(gridRow));
  return {
    align: ["left", ...Array.from({ length: table.columns }, () => "number" as const)],
    stub: true,
    header,
    sections: [table.coefficients.map(gridRow), table.fit.map(gridRow)],
    notes: table.notes,
  };
}

/**
 * The table transposed, for many models of one specification (`--by` with many groups, `--long`): one row per
 * model (labelled by its group, or its name), two columns per term (estimate with stars, and the standard error
 * or the statistic chosen), then the statistics as columns.
 */
export function longRegressionGrid(output: Output, options: TableOptions = {}): Grid {
  const table = buildTable(output, options);
  const models = output.models;
  const keys = groupKeys(models);
  const labels = options.labels ?? {};
  const terms = table.coefficients.filter((r) => r.kind === "coef");
  const beside = options.beside === true;
  const stub = (m: ModelResult, i: number) =>
    keys.length > 0 ? groupLabel(m, keys) : `${modelNumber(i)} ${labels[m.name] ?? m.name}`;
  const width = beside ? 1 : 2;
  const header: GridRow[] = [
    {
      cells: [
        { text: keys.length > 0 ? keys.map((k) => labels[k] ?? k).join(", ") : "Model" },
        ...terms.map((t) => (width === 1 ? { text: t.label } : { text: t.label, span: 2 })),
        ...table.fit.map((r) => ({ text: r.label })),
      ],
    },
  ];
  const rows: GridRow[] = models.map((m, i) => {
    const cells: GridCell[] = [{ text: stub(m, i) }];
    for (let r = 0; r < table.coefficients.length; r++) {
      const row = table.coefficients[r] as TableRow;
      if (row.kind !== "coef") continue;
      const c = row.cells[i] ?? EMPTY;
      cells.push({
        text: c.text,
        ...(c.stars ? { stars: c.stars } : {}),
        ...(c.tail ? { tail: c.tail } : {}),
      });
      if (!beside) cells.push({ text: table.coefficients[r + 1]?.cells[i]?.text ?? "" });
    }
    for (const row of table.fit)
      cells.push({
        text: row.cells[i]?.text ?? "",
        ...(row.cells[i]?.stars ? { stars: row.cells[i]?.stars } : {}),
      });
    return { cells };
  });
  const ncol = 1 + terms.length * width + table.fit.length;
  return {
    align: ["left", ...Array.from({ length: ncol - 1 }, () => "number" as const)],
    stub: true,
    header,
    sections: [rows],
    notes: table.notes,
  };
}
