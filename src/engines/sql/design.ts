/**
 * Formula terms as SQL: the numeric expressions (transformations, arithmetic inside I()), factor dummies with R's
 * treatment contrasts, fixest's i(), and their interactions, with the coefficient names the memory engine gives
 * (src/estimate/frame.ts `termColumns`, whose rules this module follows step by step: levels present in the rows
 * used, sorted as numbers or as text, the first dropped as reference when the term without the factor is in the
 * model, the first factor varying fastest). Each design column is a SQL expression over the source's columns.
 */
import type { Expr, ParsedFormula, Term } from "../../formula/ast.js";
import { deparse } from "../../formula/deparse.js";
import { formulaError } from "../../formula/lexer.js";
import type { SourceColumn } from "./connection.js";
import type { Dialect } from "./dialect.js";

/** A design column: its coefficient name and its value per row as SQL. */
export interface SqlColumn {
  readonly name: string;
  readonly sql: string;
}

export interface NumericComponent {
  readonly kind: "numeric";
  readonly name: string;
  readonly sql: string;
}

export interface CategoricalComponent {
  readonly kind: "categorical";
  /** The source column holding the factor. */
  readonly column: string;
  readonly columnKind: "number" | "text";
  readonly naming: "r" | "fixest";
  readonly prefix: string;
  readonly refLabels: readonly string[];
  /** i(var, x): each dummy times x, named `var::level:x`. */
  readonly interact: { readonly name: string; readonly sql: string } | null;
}

export type Component = NumericComponent | CategoricalComponent;

/** A level of a factor as present in the rows used: its label and the SQL literal it equals. */
export interface Level {
  readonly label: string;
  readonly literal: string;
}

/** The columns of a source relation by name. */
export type Schema = ReadonlyMap<string, SourceColumn>;

const FUNCTIONS = ["log", "exp", "sqrt", "abs", "log10", "log2", "log1p", "expm1"] as const;

/** The SQL of a numeric expression of the formula (R's arithmetic on doubles). */
export function numericSql(expr: Expr, schema: Schema, d: Dialect, formula: string, source: string): string {
  const recur = (e: Expr) => numericSql(e, schema, d, formula, source);
  switch (expr.type) {
    case "var": {
      const column = schema.get(expr.name);
      if (column === undefined)
        throw formulaError(formula, expr.pos, `no column '${expr.name}' in ${source}`);
      if (column.kind !== "number")
        throw formulaError(
          formula,
          expr.pos,
          `column '${expr.name}' is ${column.kind === "text" ? "text" : `of type ${column.type}`}; it cannot enter arithmetic (use it as a factor)`,
        );
      return d.toDouble(d.quote(expr.name));
    }
    case "num":
      return d.number(expr.value);
    case "paren":
      return `(${recur(expr.inner)})`;
    case "unary":
      return expr.op === "+" ? recur(expr.arg) : `(-${recur(expr.arg)})`;
    case "binary": {
      const a = recur(expr.left);
      const b = recur(expr.right);
      switch (expr.op) {
        case "+":
        case "-":
        case "*":
        case "/":
          return `(${a} ${expr.op} ${b})`;
        case "^":
          return d.power(a, b);
        default:
          throw formulaError(
            formula,
            expr.pos,
            `'${expr.op}' is a formula operator; inside I() use + - * / ^`,
          );
      }
    }
    case "call": {
      if (expr.fn === "I" && expr.args.length === 1 && expr.named.length === 0)
        return recur(expr.args[0] as Expr);
      const fn = FUNCTIONS.find((f) => f === expr.fn);
      if (fn === undefined || expr.args.length !== 1 || expr.named.length > 0) {
        throw formulaError(
          formula,
          expr.pos,
          `unknown function ${expr.fn}() (numeric functions: I, ${FUNCTIONS.join(", ")}; factors: i, factor)`,
        );
      }
      return d.call(fn, recur(expr.args[0] as Expr));
    }
    case "str":
      throw formulaError(formula, expr.pos, "a quoted string inside arithmetic");
  }
}

/** One factor of a term as a component (numeric expression or factor), as frame.ts `evaluateFactor` decides. */
export function componentOf(
  factor: Expr,
  schema: Schema,
  d: Dialect,
  formula: string,
  source: string,
): Component {
  const need = (name: string, pos: number): SourceColumn => {
    const column = schema.get(name);
    if (column === undefined) throw formulaError(formula, pos, `no column '${name}' in ${source}`);
    if (column.kind === "other")
      throw formulaError(formula, pos, `column '${name}' has type ${column.type}, neither a number nor text`);
    return column;
  };
  if (factor.type === "var") {
    const column = need(factor.name, factor.pos);
    if (column.kind === "text") return categorical(factor.name, "text", factor.name, "r", []);
  }
  if (factor.type === "call" && (factor.fn === "factor" || factor.fn === "as.factor")) {
    const arg = factor.args[0];
    if (factor.args.length !== 1 || arg?.type !== "var")
      throw formulaError(formula, factor.pos, `${factor.fn}() takes one column name`);
    const column = need(arg.name, arg.pos);
    return categorical(arg.name, column.kind as "number" | "text", deparse(factor), "r", []);
  }
  if (factor.type === "call" && factor.fn === "i") {
    const [first, second] = factor.args;
    if (first?.type !== "var" || factor.args.length > 2)
      throw formulaError(
        formula,
        factor.pos,
        "i() takes a column name, optionally a second column, and ref = value",
      );
    const column = need(first.name, first.pos);
    const refs: string[] = [];
    for (const arg of factor.named) {
      if (arg.name !== "ref")
        throw formulaError(formula, arg.pos, `i() has no argument '${arg.name}' here (use ref)`);
      const values = arg.value.type === "call" && arg.value.fn === "c" ? arg.value.args : [arg.value];
      for (const v of values) {
        if (v.type === "num") refs.push(String(v.value));
        else if (v.type === "str") refs.push(v.value);
        else if (v.type === "unary" && v.arg.type === "num") refs.push(String(-v.arg.value));
        else throw formulaError(formula, v.pos, "ref must be a number or a quoted string");
      }
    }
    const base = categorical(first.name, column.kind as "number" | "text", first.name, "fixest", refs);
    if (second === undefined) return base;
    return {
      ...base,
      interact: { name: deparse(second), sql: numericSql(second, schema, d, formula, source) },
    };
  }
  return { kind: "numeric", name: deparse(factor), sql: numericSql(factor, schema, d, formula, source) };
}

function categorical(
  column: string,
  columnKind: "number" | "text",
  prefix: string,
  naming: "r" | "fixest",
  refLabels: string[],
): CategoricalComponent {
  return { kind: "categorical", column, columnKind, naming, prefix, refLabels, interact: null };
}

/** The SQL equality of a factor's column with one of its levels. */
function levelTest(component: CategoricalComponent, level: Level, d: Dialect): string {
  const column =
    component.columnKind === "number" ? d.toDouble(d.quote(component.column)) : d.quote(component.column);
  return `${column} = ${level.literal}`;
}

/**
 * The design columns of the formula's terms (`terms`: the model's terms, or its endogenous regressors or
 * instruments), following frame.ts `termColumns`; `levels` gives a factor's levels present in the rows used,
 * sorted as R sorts them.
 */
export function designColumns(
  terms: readonly Term[],
  formula: ParsedFormula,
  components: ReadonlyMap<Term, readonly Component[]>,
  levels: (component: CategoricalComponent) => readonly Level[],
  d: Dialect,
): SqlColumn[] {
  const labels = new Set(formula.terms.map((t) => t.label));
  // Without an intercept, R codes the first factor main effect by all its levels.
  const fullCodingTerm = formula.intercept
    ? undefined
    : formula.terms.find(
        (t) => components.get(t)?.length === 1 && components.get(t)?.[0]?.kind === "categorical",
      );
  return terms.flatMap((term) => {
    const parts = components.get(term) as readonly Component[];
    // `sql: null` stands for the column of ones the product starts from.
    let columns: { name: string; sql: string | null }[] = [{ name: "", sql: null }];
    parts.forEach((component, index) => {
      if (component.kind === "numeric") {
        columns = columns.map((c) => ({
          name: joinName(c.name, component.name),
          sql: c.sql === null ? component.sql : `(${c.sql} * ${component.sql})`,
        }));
        return;
      }
      const rest = term.factors.filter((_, j) => j !== index);
      const restLabel = rest.map(deparse).join(":");
      const restPresent =
        rest.length === 0
          ? formula.intercept || (term !== fullCodingTerm && fullCodingTerm !== undefined)
          : labels.has(restLabel);
      const useContrasts = component.interact === null && component.refLabels.length === 0 && restPresent;
      const present = levels(component);
      const dropped = new Set(component.refLabels);
      const kept = present.filter((level, k) => !(useContrasts && k === 0) && !dropped.has(level.label));
      const next: { name: string; sql: string }[] = [];
      for (const level of kept) {
        const value = component.interact ? component.interact.sql : "1.0";
        const dummy = d.when(levelTest(component, level, d), value, "0.0");
        const base =
          component.naming === "fixest"
            ? `${component.prefix}::${level.label}`
            : `${component.prefix}${level.label}`;
        const name = component.interact ? `${base}:${component.interact.name}` : base;
        for (const c of columns)
          next.push({ name: joinName(c.name, name), sql: c.sql === null ? dummy : `(${c.sql} * ${dummy})` });
      }
      // R varies the first factor fastest: reorder from level-major to column-major.
      columns = columns.length === 1 ? next : reorderFastestFirst(next, columns.length, kept.length);
    });
    return columns as SqlColumn[];
  });
}

function joinName(a: string, b: string): string {
  return a === "" ? b : `${a}:${b}`;
}

function reorderFastestFirst<T>(columns: T[], previous: number, levels: number): T[] {
  const out: T[] = [];
  for (let l = 0; l < levels; l++)
    for (let p = 0; p < previous; p++) out.push(columns[l * previous + p] as T);
  return out;
}

/** Levels from the distinct values of a column in the rows used, sorted as frame.ts sorts them. */
export function sortedLevels(
  values: readonly (string | number)[],
  columnKind: "number" | "text",
  d: Dialect,
): Level[] {
  if (columnKind === "number") {
    const numbers = (values as number[]).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    return numbers.map((v) => ({ label: String(v), literal: d.number(v) }));
  }
  const texts = (values as string[]).slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return texts.map((v) => ({ label: v, literal: d.string(v) }));
}
