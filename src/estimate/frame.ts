/**
 * The model frame: from a Table and a parsed formula to the rows used and the n-length arrays the estimator
 * needs (response, design columns with R/fixest names, weights, cluster ids, fixed-effect columns).
 *
 * Row selection follows fixest: rows with a missing value in any variable the model uses are removed
 * (listwise), then rows where a transformation produced a non-finite value (log(0)), then rows with zero
 * weight; each count is reported. Factor levels are those present in the rows used (R's
 * drop.unused.levels = TRUE), sorted, the first being the reference.
 */

import { encodeFixedEffect, type FixedEffect } from "../absorb/fixedEffects.js";
import { type Column, MISSING_CODE, type Table } from "../data/table.js";
import { dataError, estimationError } from "../errors.js";
import type { Expr, ParsedFormula, Term } from "../formula/ast.js";
import { deparse } from "../formula/deparse.js";
import {
  evaluateNumeric,
  integerCodeNote,
  type NumericValues,
  strayTextError,
  thousandsSeparatorError,
  unknownColumn,
  variablesOf,
} from "../formula/evaluate.js";
import { formulaError } from "../formula/lexer.js";

export interface DesignColumn {
  name: string;
  /** Values on the rows used. */
  hi: Float64Array;
  /** Double-double correction (value = hi + lo), where the column was computed in extended precision. */
  lo: Float64Array | null;
}

/** A grouping variable on the rows used (cluster variable, panel unit, time period), densely encoded. */
export interface ClusterIds {
  name: string;
  ids: Int32Array;
  count: number;
  /**
   * The same ids as a fixed effect (encoded as fixedEffects.ts encodes FE variables), so that a variable that
   * is both the cluster and a fixed effect (`| f1 + f2`, `--cluster f1`) is encoded once: on a million-level
   * variable that is a pass with a hash or lookup table per row. Absent after the rows change (subsetFrame).
   */
  fixedEffect?: FixedEffect;
}

export interface ModelFrame {
  formula: ParsedFormula;
  source: string;
  /** Indices into the input table of the rows used, ascending. */
  rows: Int32Array;
  nobs: number;
  response: DesignColumn;
  columns: DesignColumn[];
  intercept: boolean;
  weights: Float64Array | null;
  weightsName: string | null;
  /** Grouping variables the covariance needs (cluster variables, panel unit and time), encoded on the rows used. */
  clusters: ClusterIds[];
  /** Time variables (numeric values on the rows used) for HAC covariances. */
  times: Map<string, Float64Array>;
  /** The offset on the rows used (GLMs), or null. */
  offset: Float64Array | null;
  /** Fixed-effect variables, each a Column restricted to the rows used (encoded by the FE absorber). */
  fixedEffectColumns: Map<string, Column>;
  endogenous: DesignColumn[];
  instruments: DesignColumn[];
  dropped: { missing: number; infinite: number; zeroWeight: number };
  notes: string[];
}

export interface FrameOptions {
  weights?: string | undefined;
  /** Grouping variables to encode (cluster variables, a panel unit): rows missing them are removed. */
  cluster?: readonly string[];
  /** Numeric time variables to keep (HAC covariances); they are encoded as groupings too. */
  times?: readonly string[];
  /** An offset (a numeric expression, e.g. log(pop)) entering the linear predictor with coefficient one. */
  offset?: Expr | undefined;
}

/** One factor of a term, evaluated over all rows of the table. */
type Component = NumericComponent | CategoricalComponent;

interface NumericComponent {
  kind: "numeric";
  name: string;
  values: NumericValues;
}

interface CategoricalComponent {
  kind: "categorical";
  /** Codes over all rows of the table (MISSING_CODE where missing) into `labels`. */
  codes: Int32Array;
  labels: string[];
  /** R names dummies `prefixLEVEL`; fixest's i() names them `prefix::LEVEL`. */
  naming: "r" | "fixest";
  prefix: string;
  /** Levels given as `ref =` in i(): always dropped. */
  refLabels: string[];
  /** Levels come from a numeric column: sort them as numbers. */
  numericLevels: boolean;
  /** i(var, x): each dummy is multiplied by x and named `var::level:x`. */
  interact: { name: string; values: NumericValues } | null;
}

export function buildModelFrame(
  table: Table,
  formula: ParsedFormula,
  options: FrameOptions = {},
): ModelFrame {
  const text = formula.text;
  const n = table.nrows;
  const keep = new Uint8Array(n).fill(1);
  const missingBy = new Map<string, number>();
  // Numeric columns with no infinity (NaN rows are dropped as missing): a term that is such a column as is
  // needs no finiteness pass in step 2.
  const finiteColumns = new Set<Float64Array>();

  // 1. Listwise deletion over every column the model reads.
  const used = new Set<string>();
  const rhsTerms = [
    ...formula.terms,
    ...(formula.iv ? [...formula.iv.endogenous, ...formula.iv.instruments] : []),
  ];
  variablesOf(formula.response, used);
  if (options.offset) variablesOf(options.offset, used);
  for (const term of rhsTerms) for (const f of term.factors) variablesOf(f, used);
  for (const fe of formula.fixedEffects) for (const v of [...fe.variables, ...fe.slopes]) used.add(v);
  if (options.weights) used.add(options.weights);
  const groupings = [...new Set([...(options.cluster ?? []), ...(options.times ?? [])])];
  for (const c of groupings) used.add(c);
  for (const name of used) {
    if (!table.has(name)) {
      const pos = text.indexOf(name);
      if (pos >= 0) throw unknownColumn(table, name, pos, text);
      table.column(name); // throws the data error naming the source
    }
    const column = table.column(name);
    let count = 0;
    let totalMissing = 0;
    // One loop per column kind (the kind test and property loads out of the loop over 10 million rows).
    const drop = (i: number) => {
      totalMissing++;
      if (keep[i]) {
        keep[i] = 0;
        count++;
      }
    };
    if (column.kind === "number") {
      const values = column.values;
      // v - v is 0 for finite v, NaN for NaN and the infinities: one test per row finds both.
      let infinities = false;
      for (let i = 0; i < n; i++) {
        const v = values[i] as number;
        if (v - v !== 0) {
          if (Number.isNaN(v)) drop(i);
          else infinities = true;
        }
      }
      if (!infinities) finiteColumns.add(values);
    } else {
      const codes = column.codes;
      for (let i = 0; i < n; i++) if (codes[i] === MISSING_CODE) drop(i);
    }
    if (count > 0) missingBy.set(name, count);
    if (n > 0 && totalMissing === n) {
      throw estimationError(`${table.source}: column '${name}' has no non-missing values`);
    }
  }
  const missing = [...missingBy.values()].reduce((a, b) => a + b, 0);

  // 2. Evaluate the response and every factor over all rows; drop rows where a transformation is not finite.
  let infinite = 0;
  const dropNonFinite = (values: NumericValues) => {
    if (values.lo === null && finiteColumns.has(values.hi)) return;
    for (let i = 0; i < n; i++) {
      if (keep[i] && !Number.isFinite(values.hi[i] as number)) {
        keep[i] = 0;
        infinite++;
      }
    }
  };
  const response = evaluateNumeric(formula.response, table, text);
  dropNonFinite(response);
  const offset = options.offset ? evaluateNumeric(options.offset, table, deparse(options.offset)) : null;
  if (offset) dropNonFinite(offset);
  const componentsByTerm = new Map<Term, Component[]>();
  for (const term of rhsTerms) {
    const components = term.factors.map((factor) => evaluateFactor(factor, table, text));
    for (const c of components) if (c.kind === "numeric") dropNonFinite(c.values);
    componentsByTerm.set(term, components);
  }

  // 3. Weights: non-negative; zero-weight rows carry no information and are removed (as lm and fixest do).
  let weightsAll: Float64Array | null = null;
  let zeroWeight = 0;
  if (options.weights) {
    weightsAll = table.numeric(options.weights).values;
    for (let i = 0; i < n; i++) {
      if (!keep[i]) continue;
      const w = weightsAll[i] as number;
      if (w < 0 || !Number.isFinite(w)) {
        throw dataError(
          `${table.source} line ${i + 2}, column '${options.weights}': weights must be finite and non-negative, found ${w}`,
        );
      }
      if (w === 0) {
        keep[i] = 0;
        zeroWeight++;
      }
    }
  }

  let nobs = 0;
  for (let i = 0; i < n; i++) nobs += keep[i] as number;
  const rows = new Int32Array(nobs);
  for (let i = 0, j = 0; i < n; i++) if (keep[i]) rows[j++] = i;
  if (nobs === 0) {
    throw estimationError(
      `${table.source}: no rows left to estimate "${text}" (${missing} with missing values, ${infinite} non-finite)`,
    );
  }

  // 4. Design columns on the rows used.
  // Without an intercept, R codes the first factor main effect by all its levels.
  const fullCodingTerm = formula.intercept
    ? undefined
    : formula.terms.find(
        (t) => componentsByTerm.get(t)?.length === 1 && componentsByTerm.get(t)?.[0]?.kind === "categorical",
      );
  const columnsOf = (terms: Term[]) =>
    terms.flatMap((term) =>
      termColumns(
        term,
        componentsByTerm.get(term) as Component[],
        rows,
        formula.terms,
        formula.intercept,
        fullCodingTerm,
      ),
    );
  const notes: string[] = [];
  if (missing > 0) {
    const detail = [...missingBy.entries()].map(([name, count]) => `${name}: ${count}`).join(", ");
    notes.push(
      `${missing} observation${missing === 1 ? "" : "s"} removed because of missing values (${detail})`,
    );
  }
  if (infinite > 0) notes.push(`${infinite} observations removed because a transformation was not finite`);
  if (zeroWeight > 0) notes.push(`${zeroWeight} observations removed because their weight is zero`);
  for (const name of implicitFactorColumns(formula.terms)) {
    const column = table.column(name);
    if (column.kind !== "string") continue;
    const present = new Set<number>();
    for (let j = 0; j < rows.length; j++) present.add(column.codes[rows[j] as number] as number);
    present.delete(MISSING_CODE);
    const note = integerCodeNote(
      name,
      [...present].map((code) => column.levels[code] as string),
    );
    if (note !== null) notes.push(note);
  }

  const fixedEffectColumns = new Map<string, Column>();
  for (const fe of formula.fixedEffects) {
    for (const v of [...fe.variables, ...fe.slopes]) {
      if (!fixedEffectColumns.has(v)) fixedEffectColumns.set(v, gatherColumn(table.column(v), rows));
    }
  }

  return {
    formula,
    source: table.source,
    rows,
    nobs,
    response: { name: formula.responseLabel, hi: gather(response.hi, rows), lo: gatherLo(response.lo, rows) },
    columns: columnsOf(formula.terms),
    intercept: formula.intercept,
    weights: weightsAll ? gather(weightsAll, rows) : null,
    weightsName: options.weights ?? null,
    clusters: groupings.map((name) =>
      encodeCluster(fixedEffectColumns.get(name) ?? gatherColumn(table.column(name), rows)),
    ),
    times: new Map((options.times ?? []).map((name) => [name, timeValues(table, name, rows)])),
    offset: offset ? gather(offset.hi, rows) : null,
    fixedEffectColumns,
    endogenous: formula.iv ? columnsOf(formula.iv.endogenous) : [],
    instruments: formula.iv ? columnsOf(formula.iv.instruments) : [],
    dropped: { missing, infinite, zeroWeight },
    notes,
  };
}

/** Columns named bare in the right-hand side (`y ~ x + code`): a text one is a factor the user did not ask for. */
export function implicitFactorColumns(terms: readonly Term[]): string[] {
  const names = new Set<string>();
  for (const term of terms)
    for (const factor of term.factors) if (factor.type === "var") names.add(factor.name);
  return [...names];
}

function evaluateFactor(factor: Expr, table: Table, text: string): Component {
  if (factor.type === "var") {
    if (!table.has(factor.name)) throw unknownColumn(table, factor.name, factor.pos, text);
    const column = table.column(factor.name);
    if (column.kind === "string") {
      const stray = strayTextError(table, column) ?? thousandsSeparatorError(table, column);
      if (stray) throw stray;
      return categorical(column, factor.name, "r", []);
    }
  }
  if (factor.type === "call" && (factor.fn === "factor" || factor.fn === "as.factor")) {
    const arg = factor.args[0];
    if (factor.args.length !== 1 || arg?.type !== "var") {
      throw formulaError(text, factor.pos, `${factor.fn}() takes one column name`);
    }
    if (!table.has(arg.name)) throw unknownColumn(table, arg.name, arg.pos, text);
    return categorical(table.column(arg.name), deparse(factor), "r", []);
  }
  if (factor.type === "call" && factor.fn === "i") return fixestFactor(factor, table, text);
  return { kind: "numeric", name: deparse(factor), values: evaluateNumeric(factor, table, text) };
}

/**
 * fixest's i(var, [x], ref = value, keep = ...): a factor named `var::level`. With a second argument the
 * factor is interacted with it (`var::level:x`). Only i(var) and i(var, x) with `ref` are supported here.
 */
function fixestFactor(call: Extract<Expr, { type: "call" }>, table: Table, text: string): Component {
  const [first, second] = call.args;
  if (first?.type !== "var" || call.args.length > 2) {
    throw formulaError(
      text,
      call.pos,
      "i() takes a column name, optionally a second column, and ref = value",
    );
  }
  if (!table.has(first.name)) throw unknownColumn(table, first.name, first.pos, text);
  const refs: string[] = [];
  for (const arg of call.named) {
    if (arg.name !== "ref")
      throw formulaError(text, arg.pos, `i() has no argument '${arg.name}' here (use ref)`);
    const values = arg.value.type === "call" && arg.value.fn === "c" ? arg.value.args : [arg.value];
    for (const v of values) {
      if (v.type === "num") refs.push(String(v.value));
      else if (v.type === "str") refs.push(v.value);
      else if (v.type === "unary" && v.arg.type === "num") refs.push(String(-v.arg.value));
      else throw formulaError(text, v.pos, "ref must be a number or a quoted string");
    }
  }
  const component = categorical(table.column(first.name), first.name, "fixest", refs);
  if (second === undefined) return component;
  return { ...component, interact: { name: deparse(second), values: evaluateNumeric(second, table, text) } };
}

function categorical(
  column: Column,
  prefix: string,
  naming: "r" | "fixest",
  refLabels: string[],
): CategoricalComponent {
  // Levels are finalised on the rows used (termColumns), so here we only keep raw codes and labels.
  if (column.kind === "string") {
    const labels = [...column.levels];
    return {
      kind: "categorical",
      codes: column.codes,
      labels,
      naming,
      prefix,
      refLabels,
      numericLevels: false,
      interact: null,
    };
  }
  // A numeric column used as a factor: distinct values become labels, sorted numerically.
  const index = new Map<number, number>();
  const labels: string[] = [];
  const codes = new Int32Array(column.values.length);
  for (let i = 0; i < codes.length; i++) {
    const v = column.values[i] as number;
    if (Number.isNaN(v)) {
      codes[i] = MISSING_CODE;
      continue;
    }
    let code = index.get(v);
    if (code === undefined) {
      code = labels.length;
      labels.push(String(v));
      index.set(v, code);
    }
    codes[i] = code;
  }
  return {
    kind: "categorical",
    codes,
    labels,
    naming,
    prefix,
    refLabels,
    numericLevels: true,
    interact: null,
  };
}

/**
 * The design columns of one term on the rows used: the product of its components, the first varying fastest
 * (R's model.matrix order). A factor is coded by contrasts (reference level dropped) when the term without it
 * is in the model (the empty term counting when there is an intercept), else by one dummy per level; without an
 * intercept the first factor main effect gets all its levels. This is R's rule (terms.formula / TermCode).
 */
function termColumns(
  term: Term,
  components: Component[],
  rows: Int32Array,
  allTerms: Term[],
  intercept: boolean,
  fullCodingTerm: Term | undefined,
): DesignColumn[] {
  const labels = new Set(allTerms.map((t) => t.label));
  // `hi: null` stands for the column of ones the product starts from (never materialised).
  let columns: { name: string; hi: Float64Array | null; lo: Float64Array | null }[] = [
    { name: "", hi: null, lo: null },
  ];
  components.forEach((component, index) => {
    if (component.kind === "numeric") {
      const hi = gather(component.values.hi, rows);
      const lo = components.length === 1 ? gatherLo(component.values.lo, rows) : null;
      columns = columns.map((c) => ({
        name: joinName(c.name, component.name),
        hi: c.hi ? multiply(c.hi, hi) : hi,
        lo,
      }));
      return;
    }
    const rest = term.factors.filter((_, j) => j !== index);
    const restLabel = rest.map(deparse).join(":");
    const restPresent =
      rest.length === 0
        ? intercept || (rest.length === 0 && term !== fullCodingTerm && fullCodingTerm !== undefined)
        : labels.has(restLabel);
    const useContrasts = component.interact === null && component.refLabels.length === 0 && restPresent;
    const levels = levelsOnRows(component, rows);
    const dropped = new Set(component.refLabels);
    const kept = levels.filter((level, k) => !(useContrasts && k === 0) && !dropped.has(level.label));
    const interact = component.interact ? gather(component.interact.values.hi, rows) : null;
    const next: DesignColumn[] = [];
    for (const level of kept) {
      const dummy = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        if (component.codes[rows[i] as number] === level.code)
          dummy[i] = interact ? (interact[i] as number) : 1;
      }
      const base =
        component.naming === "fixest"
          ? `${component.prefix}::${level.label}`
          : `${component.prefix}${level.label}`;
      const name = component.interact ? `${base}:${component.interact.name}` : base;
      for (const c of columns)
        next.push({ name: joinName(c.name, name), hi: c.hi ? multiply(c.hi, dummy) : dummy, lo: null });
    }
    // R varies the first factor fastest: reorder from level-major to column-major.
    columns = columns.length === 1 ? next : reorderFastestFirst(next, columns.length, kept.length);
  });
  // Every term has at least one factor, so no column is still the implicit ones.
  return columns as DesignColumn[];
}

function levelsOnRows(component: CategoricalComponent, rows: Int32Array): { label: string; code: number }[] {
  const present = new Uint8Array(component.labels.length);
  for (let i = 0; i < rows.length; i++) {
    const code = component.codes[rows[i] as number] as number;
    if (code >= 0) present[code] = 1;
  }
  const levels = component.labels.map((label, code) => ({ label, code })).filter((l) => present[l.code]);
  return component.numericLevels
    ? levels.sort((a, b) => Number(a.label) - Number(b.label))
    : levels.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

function reorderFastestFirst(columns: DesignColumn[], previous: number, levels: number): DesignColumn[] {
  const out: DesignColumn[] = [];
  for (let l = 0; l < levels; l++)
    for (let p = 0; p < previous; p++) out.push(columns[l * previous + p] as DesignColumn);
  return out;
}

function joinName(a: string, b: string): string {
  return a === "" ? b : `${a}:${b}`;
}

function multiply(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) * (b[i] as number);
  return out;
}

/**
 * The values at `rows`. When every row is used (rows = 0..n-1) the input array itself is returned, not a copy:
 * frame columns are never written to, and on 10-million-row data the copies would cost hundreds of megabytes.
 */
export function gather(values: Float64Array, rows: Int32Array): Float64Array {
  if (rows.length === values.length && (rows.length === 0 || rows[rows.length - 1] === rows.length - 1))
    return values;
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i] as number] as number;
  return out;
}

function gatherLo(values: Float64Array | null, rows: Int32Array): Float64Array | null {
  return values === null ? null : gather(values, rows);
}

function gatherColumn(column: Column, rows: Int32Array): Column {
  if (column.kind === "number")
    return { kind: "number", name: column.name, values: gather(column.values, rows) };
  const codes = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) codes[i] = column.codes[rows[i] as number] as number;
  return { kind: "string", name: column.name, codes, levels: column.levels };
}

/** A time variable's values on the rows used; it must be numeric (years, months as numbers). */
function timeValues(table: Table, name: string, rows: Int32Array): Float64Array {
  const column = table.column(name);
  if (column.kind !== "number")
    throw dataError(`${table.source}, column '${name}': a time variable must be numeric, found text`);
  return gather(column.values, rows);
}

/** Dense 0..G-1 ids of a column's values on the rows used (clusters), in order of first appearance. */
export function encodeIds(column: Column, rows: Int32Array): ClusterIds {
  return encodeCluster(gatherColumn(column, rows));
}

/** encodeIds for a column already restricted to the rows used. */
function encodeCluster(column: Column): ClusterIds {
  const fixedEffect = encodeFixedEffect([column], column.name);
  return { name: column.name, ids: fixedEffect.ids, count: fixedEffect.nlevels, fixedEffect };
}

/** The frame restricted to the rows flagged in `keep` (1 = keep), e.g. after dropping singletons. */
export function subsetFrame(frame: ModelFrame, keep: Uint8Array): ModelFrame {
  let count = 0;
  for (let i = 0; i < keep.length; i++) count += keep[i] as number;
  const local = new Int32Array(count);
  for (let i = 0, j = 0; i < keep.length; i++) if (keep[i]) local[j++] = i;
  const column = (c: DesignColumn): DesignColumn => ({
    name: c.name,
    hi: gather(c.hi, local),
    lo: c.lo ? gather(c.lo, local) : null,
  });
  const fixedEffectColumns = new Map<string, Column>();
  for (const [name, c] of frame.fixedEffectColumns) fixedEffectColumns.set(name, gatherColumn(c, local));
  return {
    ...frame,
    rows: Int32Array.from(local, (i) => frame.rows[i] as number),
    nobs: count,
    response: column(frame.response),
    columns: frame.columns.map(column),
    weights: frame.weights ? gather(frame.weights, local) : null,
    clusters: frame.clusters.map((c) => reencode(c, local)),
    times: new Map([...frame.times].map(([name, values]) => [name, gather(values, local)])),
    offset: frame.offset ? gather(frame.offset, local) : null,
    fixedEffectColumns,
    endogenous: frame.endogenous.map(column),
    instruments: frame.instruments.map(column),
  };
}

function reencode(cluster: ClusterIds, local: Int32Array): ClusterIds {
  const index = new Map<number, number>();
  const ids = new Int32Array(local.length);
  for (let i = 0; i < local.length; i++) {
    const old = cluster.ids[local[i] as number] as number;
    let id = index.get(old);
    if (id === undefined) {
      id = index.size;
      index.set(old, id);
    }
    ids[i] = id;
  }
  return { name: cluster.name, ids, count: index.size };
}
