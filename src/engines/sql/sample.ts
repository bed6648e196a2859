/**
 * The estimation sample in SQL: a model's formula resolved against a source relation, and the rows it uses as a
 * WHERE predicate, with the same row accounting and notes as the memory engine (src/estimate/frame.ts):
 *   1. listwise deletion over every column the model reads, counted per column in the order the memory engine
 *      scans them (response, terms, endogenous, instruments, fixed effects, weights, grouping variables): a row
 *      is charged to the first column, in that order, in which it is missing (NULL, or NaN for numbers);
 *   2. rows where a transformation is not finite (log(0));
 *   3. zero weights (negative or non-finite weights are an error).
 * One scan of the source gives every count.
 */
import { dataError, estimationError } from "../../errors.js";
import { implicitFactorColumns } from "../../estimate/frame.js";
import type { ParsedFormula, Term } from "../../formula/ast.js";
import { integerCodeNote, variablesOf } from "../../formula/evaluate.js";
import { type QueryResult, type SqlConnection, scalar } from "./connection.js";
import {
  type CategoricalComponent,
  type Component,
  componentOf,
  designColumns,
  type Level,
  numericSql,
  type Schema,
  type SqlColumn,
  sortedLevels,
} from "./design.js";
import type { Dialect } from "./dialect.js";

/** A fixed-effect term: the source columns that identify its levels. */
export interface SqlFixedEffect {
  readonly label: string;
  readonly keys: readonly string[];
}

/** A formula resolved against a source: SQL for its response and components, and the columns it reads. */
export interface SqlModel {
  readonly formula: ParsedFormula;
  readonly source: string;
  /** The source as named in messages (file, table). */
  readonly sourceLabel: string;
  readonly schema: Schema;
  readonly response: SqlColumn;
  readonly components: ReadonlyMap<Term, readonly Component[]>;
  readonly weights: string | null;
  readonly fixedEffects: readonly SqlFixedEffect[];
  /** Cluster variables (grouping variables of the covariance). */
  readonly groupings: readonly string[];
  /** Every source column the model reads, in the memory engine's scan order. */
  readonly used: readonly string[];
}

export function resolveModel(
  formula: ParsedFormula,
  source: string,
  sourceLabel: string,
  schema: Schema,
  d: Dialect,
  options: { weights?: string | undefined; groupings: readonly string[] },
): SqlModel {
  const text = formula.text;
  const rhsTerms = [
    ...formula.terms,
    ...(formula.iv ? [...formula.iv.endogenous, ...formula.iv.instruments] : []),
  ];
  const used = new Set<string>();
  variablesOf(formula.response, used);
  for (const term of rhsTerms) for (const f of term.factors) variablesOf(f, used);
  for (const fe of formula.fixedEffects) for (const v of [...fe.variables, ...fe.slopes]) used.add(v);
  if (options.weights) used.add(options.weights);
  for (const c of options.groupings) used.add(c);
  for (const fe of formula.fixedEffects) {
    if (fe.slopes.length > 0)
      throw estimationError(
        `${fe.label}: varying slopes are not available on the SQL engines (use --engine memory)`,
      );
  }
  const components = new Map<Term, Component[]>();
  for (const term of rhsTerms)
    components.set(
      term,
      term.factors.map((factor) => componentOf(factor, schema, d, text, sourceLabel)),
    );
  return {
    formula,
    source,
    sourceLabel,
    schema,
    response: {
      name: formula.responseLabel,
      sql: numericSql(formula.response, schema, d, text, sourceLabel),
    },
    components,
    weights: options.weights ?? null,
    fixedEffects: formula.fixedEffects.map((fe) => ({ label: fe.label, keys: fe.variables })),
    groupings: [...options.groupings],
    used: [...used],
  };
}

export interface SampleAccounting {
  /** The rows used, as a predicate over the source's columns (before any singleton removal). */
  readonly where: string;
  readonly rows: number;
  readonly nobs: number;
  readonly dropped: { readonly missing: number; readonly infinite: number; readonly zeroWeight: number };
  readonly notes: readonly string[];
}

/** Missing-value test of one source column (NULL, or NaN for a number). */
function missingTest(model: SqlModel, name: string, d: Dialect): string {
  const column = model.schema.get(name);
  return column?.kind === "number" ? d.isMissingNumber(d.quote(name)) : `${d.quote(name)} IS NULL`;
}

/** The numeric expressions whose non-finite values remove a row: the response and numeric components. */
function numericParts(model: SqlModel): string[] {
  const parts = [model.response.sql];
  for (const components of model.components.values())
    for (const c of components) if (c.kind === "numeric") parts.push(c.sql);
  return parts;
}

export async function accountSample(conn: SqlConnection, model: SqlModel): Promise<SampleAccounting> {
  const d = conn.dialect;
  const missing = model.used.map((name) => missingTest(model, name, d));
  const present = (upTo: number) => missing.slice(0, upTo).map((m) => `NOT ${m}`);
  const listwise = present(missing.length).join(" AND ") || "1 = 1";
  const finite = numericParts(model)
    .map((e) => d.isFinite(e))
    .join(" AND ");
  const w = model.weights ? d.toDouble(d.quote(model.weights)) : null;
  const valid = `${listwise} AND ${finite}`;
  const badWeight = w ? `(${w} < 0 OR NOT ${d.isFinite(w)})` : null;
  const counts = [
    ...missing.map((m, j) => ({ condition: m, alias: `total_${j}` })),
    ...missing.map((m, j) => ({ condition: [...present(j), m].join(" AND "), alias: `first_${j}` })),
    { condition: `${listwise} AND NOT (${finite})`, alias: "infinite" },
    ...(w && badWeight
      ? [
          { condition: `${valid} AND ${w} = 0`, alias: "zero_weight" },
          { condition: `${valid} AND ${badWeight}`, alias: "bad_weight" },
        ]
      : []),
  ];
  const result: QueryResult = await conn.query(
    d.aggregate({
      source: model.source,
      columns: model.used,
      where: "1 = 1",
      lookups: [],
      groups: [],
      sums: [],
      counts,
      count: "n",
      ...(w && badWeight
        ? { extremes: [{ fn: "min" as const, expr: d.when(badWeight, w, "NULL"), alias: "bad_value" }] }
        : {}),
    }),
  );
  const n = scalar(result, "n");
  const byColumn: [string, number][] = [];
  model.used.forEach((name, j) => {
    if (n > 0 && scalar(result, `total_${j}`) === n)
      throw estimationError(`${model.sourceLabel}: column '${name}' has no non-missing values`);
    const first = scalar(result, `first_${j}`);
    if (first > 0) byColumn.push([name, first]);
  });
  const missingTotal = byColumn.reduce((a, [, c]) => a + c, 0);
  const infinite = scalar(result, "infinite");
  let zeroWeight = 0;
  if (w) {
    if (scalar(result, "bad_weight") > 0)
      throw dataError(
        `${model.sourceLabel}, column '${model.weights}': weights must be finite and non-negative, found ${scalar(result, "bad_value")} (${scalar(result, "bad_weight")} rows)`,
      );
    zeroWeight = scalar(result, "zero_weight");
  }
  const nobs = n - missingTotal - infinite - zeroWeight;
  if (nobs <= 0)
    throw estimationError(
      `${model.sourceLabel}: no rows left to estimate "${model.formula.text}" (${missingTotal} with missing values, ${infinite} non-finite)`,
    );
  const notes: string[] = [];
  if (missingTotal > 0) {
    const detail = byColumn.map(([name, count]) => `${name}: ${count}`).join(", ");
    notes.push(
      `${missingTotal} observation${missingTotal === 1 ? "" : "s"} removed because of missing values (${detail})`,
    );
  }
  if (infinite > 0) notes.push(`${infinite} observations removed because a transformation was not finite`);
  if (zeroWeight > 0) notes.push(`${zeroWeight} observations removed because their weight is zero`);
  return {
    where: `(${valid}${w ? ` AND ${w} > 0` : ""})`,
    rows: n,
    nobs,
    dropped: { missing: missingTotal, infinite, zeroWeight },
    notes,
  };
}

/** The design columns of terms, with factor levels read from the rows used (one query per factor column). */
export async function sqlDesign(
  conn: SqlConnection,
  model: SqlModel,
  where: string,
): Promise<{ columns: SqlColumn[]; endogenous: SqlColumn[]; instruments: SqlColumn[]; notes: string[] }> {
  const d = conn.dialect;
  const factorColumns = new Map<string, CategoricalComponent>();
  for (const components of model.components.values())
    for (const c of components) if (c.kind === "categorical") factorColumns.set(c.column, c);
  const levels = new Map<string, Level[]>();
  for (const [column, component] of factorColumns) {
    const value = component.columnKind === "number" ? d.toDouble(d.quote(column)) : d.quote(column);
    const result = await conn.query(
      d.aggregate({
        source: model.source,
        columns: model.used,
        where,
        lookups: [],
        groups: [{ expr: value, alias: "level" }],
        sums: [],
        count: "n",
      }),
    );
    const values = result.columns[0];
    const list =
      values === undefined
        ? []
        : values.kind === "number"
          ? Array.from(values.values)
          : (values.values as string[]);
    levels.set(column, sortedLevels(list, component.columnKind, d));
  }
  const lookup = (c: CategoricalComponent) => levels.get(c.column) ?? [];
  const f = model.formula;
  // The memory engine's note on text columns of integer codes entering by name (src/estimate/frame.ts).
  const notes: string[] = [];
  for (const name of implicitFactorColumns(f.terms)) {
    const component = factorColumns.get(name);
    if (component?.columnKind !== "text" || component.prefix !== name || component.naming !== "r") continue;
    const note = integerCodeNote(
      name,
      lookup(component).map((level) => level.label),
    );
    if (note !== null) notes.push(note);
  }
  return {
    notes,
    columns: designColumns(f.terms, f, model.components, lookup, d),
    endogenous: f.iv ? designColumns(f.iv.endogenous, f, model.components, lookup, d) : [],
    instruments: f.iv ? designColumns(f.iv.instruments, f, model.components, lookup, d) : [],
  };
}
