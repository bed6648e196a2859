/**
 * Row expressions for `derive`, `filter` and `--subset` (R syntax and semantics; see evaluate.ts for the rules
 * on missing values, parser.ts for precedence).
 *
 * Public entry points:
 *   filterRows(table, expressionText, source, options) -> { table, removed, undecided, notes }
 *     keeps the rows where the condition is TRUE; rows where it is FALSE or NA are removed, as dplyr::filter
 *     does (base R's subset() too); `undecided` counts the NA ones.
 *   deriveColumn(table, name, expressionText, options) -> { column, notes }
 *   columnsOfExpression(expressionText) -> string[]   the columns it reads (to read only those)
 *
 * The filter forms of earlier spec files are still read: `x is missing`, `x is not missing`,
 * `x in ['a', 'b']` and `x not in [...]` (missing x never kept, as before).
 */
import { MobilityError, usageError } from "../../errors.js";
import { type Column, Table } from "../table.js";
import { type EvaluationContext, evaluate, type PanelSpec, valueToColumn } from "./evaluate.js";
import { type Expr, expressionColumns, parseExpression } from "./parser.js";

export type { PanelSpec } from "./evaluate.js";
export type { Expr } from "./parser.js";

export interface ExpressionOptions {
  /** Unit and time for l(), f(), d(). */
  panel?: PanelSpec;
}

export interface FilterResult {
  table: Table;
  /** Rows removed (condition FALSE or NA). */
  removed: number;
  /** Of those, rows where the condition was NA. */
  undecided: number;
  notes: string[];
}

/** The text in current syntax (legacy filter forms rewritten), parsed. */
export function parseCondition(text: string): Expr {
  return parseExpression(translateLegacy(text));
}

/** Column names the expression reads. */
export function columnsOfExpression(text: string): string[] {
  return [...expressionColumns(parseCondition(text))];
}

/** Prefixes an expression error with where the expression came from (--subset, a spec key). */
function located<T>(source: string | undefined, f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (source !== undefined && error instanceof MobilityError)
      throw new MobilityError(error.kind, `${source}: ${error.message}`);
    throw error;
  }
}

export function filterRows(
  table: Table,
  expressionText: string,
  source?: string,
  options: ExpressionOptions = {},
): FilterResult {
  return located(source, () => {
    const text = translateLegacy(expressionText);
    const expr = parseExpression(text);
    const ctx: EvaluationContext = {
      table,
      source: text,
      notes: [],
      ...(options.panel ? { panel: options.panel } : {}),
    };
    const value = evaluate(expr, ctx);
    if (value.kind === "string" || value.kind === "set") {
      throw usageError(
        `expression "${text}": gives ${value.kind === "string" ? "text" : "a list"}, expected a condition (TRUE/FALSE)`,
      );
    }
    if (value.kind === "number") {
      throw usageError(
        `expression "${text}": gives numbers, expected a condition (TRUE/FALSE); compare with ==, >, ... or use is.na()`,
      );
    }
    const n = table.nrows;
    const v = value.values;
    const single = v.length === 1;
    const keep = new Int32Array(n);
    let kept = 0;
    let undecided = 0;
    for (let i = 0; i < n; i++) {
      const t = v[single ? 0 : i] as number;
      if (t === 1) keep[kept++] = i;
      else if (Number.isNaN(t)) undecided++;
    }
    const out = kept === n ? table : table.take(keep.subarray(0, kept));
    return { table: out, removed: n - kept, undecided, notes: ctx.notes };
  });
}

export function deriveColumn(
  table: Table,
  name: string,
  expressionText: string,
  options: ExpressionOptions & { source?: string } = {},
): { column: Column; notes: string[] } {
  return located(options.source, () => {
    const expr = parseExpression(expressionText);
    const ctx: EvaluationContext = {
      table,
      source: expressionText,
      notes: [],
      ...(options.panel ? { panel: options.panel } : {}),
    };
    const value = evaluate(expr, ctx);
    if (value.kind === "set")
      throw usageError(`expression "${expressionText}": c(...) is only allowed on the right of %in%`);
    return { column: valueToColumn(value, name, table.nrows), notes: ctx.notes };
  });
}

/** A table with a derived column added or replaced. */
export function withDerived(
  table: Table,
  name: string,
  expressionText: string,
  options: ExpressionOptions = {},
): Table {
  const { column } = deriveColumn(table, name, expressionText, options);
  return new Table(
    table.has(name) ? table.columns.map((c) => (c.name === name ? column : c)) : [...table.columns, column],
    table.nrows,
    table.source,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The filter forms of earlier spec files
// ---------------------------------------------------------------------------------------------------------------

const LEGACY_MISSING = /^\s*(.+?)\s+is\s+(not\s+)?missing\s*$/;
const LEGACY_IN = /^\s*(.+?)\s+(not\s+in|in)\s*\[(.*)\]\s*$/;

/** Rewrites `x is [not] missing` and `x [not] in [...]` into R syntax; other text is returned unchanged. */
export function translateLegacy(text: string): string {
  const missing = LEGACY_MISSING.exec(text);
  if (missing !== null) {
    const lhs = wrap(missing[1] as string);
    return missing[2] === undefined ? `is.na(${lhs})` : `!is.na(${lhs})`;
  }
  const inForm = LEGACY_IN.exec(text);
  if (inForm !== null) {
    const lhs = wrap(inForm[1] as string);
    const items = `c(${inForm[3] as string})`;
    // The old form never kept a missing x; R's !(x %in% ...) would.
    return (inForm[2] as string).startsWith("not")
      ? `!is.na(${lhs}) & !(${lhs} %in% ${items})`
      : `${lhs} %in% ${items}`;
  }
  return text;
}

function wrap(lhs: string): string {
  const t = lhs.trim();
  return /^[A-Za-z_.][A-Za-z0-9_.]*$/.test(t) || /^`[^`]*`$/.test(t) ? t : `(${t})`;
}
