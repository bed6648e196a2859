/**
 * Predictions for new rows from a fitted model: fitted values x'b, their standard errors sqrt(x'Vx) with the
 * model's own covariance V (`vcov_matrix`), confidence intervals for the mean and prediction intervals for a new
 * observation, fit ± q sqrt(se_fit² + sigma²), with q the t quantile on the model's `vcov.df_t` (for an iid
 * model, n - K: exactly R's `predict.lm(interval = "confidence" | "prediction")`).
 *
 * The design of the new rows is built the way frame.ts builds the fit's (same term names, R's `prefixLEVEL` and
 * fixest's `var::level` dummies, interactions joined by ':' with the first factor varying fastest), and each
 * column is matched to a coefficient by name. Factor levels are those of the rows the fit used
 * (`fitLevels`): a row whose level the fit never saw cannot be predicted and gets NaN (R's predict stops with
 * "factor has new levels"; here the other rows are still predicted and the count is reported). A level that is
 * the fit's reference has no coefficient and contributes zero, as in R. Columns the fit dropped as collinear
 * contribute nothing (R's rank-deficient predict). Rows with a missing regressor get NaN.
 *
 * Limits: fixed-effects models (the absorbed effects are not in the result) and IV are refused; the prediction
 * interval of a weighted model is for a new observation of weight one.
 */
import type { Column, Table } from "../data/table.js";
import { MISSING_CODE } from "../data/table.js";
import { usageError } from "../errors.js";
import type { Expr, ParsedFormula } from "../formula/ast.js";
import { deparse } from "../formula/deparse.js";
import { evaluateNumeric } from "../formula/evaluate.js";
import { criticalValue } from "../inference/distributions.js";
import type { ModelResult } from "../model/result.js";
import { INTERCEPT } from "./ols.js";

export interface Prediction {
  fit: Float64Array;
  se_fit: Float64Array;
  conf_low: Float64Array;
  conf_high: Float64Array;
  pred_low: Float64Array;
  pred_high: Float64Array;
  /** Rows not predicted because a factor level was not in the fit. */
  unseenLevels: number;
  /** Rows not predicted because a regressor is missing or not finite. */
  missing: number;
}

/** For each categorical factor of the formula (keyed by its deparsed text), the levels present in the fit. */
export type FitLevels = Map<string, Set<string>>;

interface Categorical {
  kind: "categorical";
  key: string;
  /** Label of each row (undefined where missing). */
  labels: (string | undefined)[];
  naming: "r" | "fixest";
  prefix: string;
  interact: { name: string; values: Float64Array } | null;
}

interface Numeric {
  kind: "numeric";
  name: string;
  values: Float64Array;
}

type Component = Categorical | Numeric;

function rowLabels(column: Column): (string | undefined)[] {
  const out: (string | undefined)[] = new Array(
    column.kind === "number" ? column.values.length : column.codes.length,
  );
  if (column.kind === "number") {
    for (let i = 0; i < out.length; i++) {
      const v = column.values[i] as number;
      out[i] = Number.isNaN(v) ? undefined : String(v);
    }
  } else {
    for (let i = 0; i < out.length; i++) {
      const c = column.codes[i] as number;
      out[i] = c === MISSING_CODE ? undefined : column.levels[c];
    }
  }
  return out;
}

/** One factor of a term over every row of `table`, classified as frame.ts does. */
function component(factor: Expr, table: Table, text: string): Component {
  if (factor.type === "var" && table.has(factor.name) && table.column(factor.name).kind === "string") {
    return {
      kind: "categorical",
      key: deparse(factor),
      labels: rowLabels(table.column(factor.name)),
      naming: "r",
      prefix: factor.name,
      interact: null,
    };
  }
  if (factor.type === "call" && (factor.fn === "factor" || factor.fn === "as.factor")) {
    const arg = factor.args[0];
    if (arg?.type !== "var") throw usageError(`predict: ${factor.fn}() takes one column name`);
    return {
      kind: "categorical",
      key: deparse(factor),
      labels: rowLabels(table.column(arg.name)),
      naming: "r",
      prefix: deparse(factor),
      interact: null,
    };
  }
  if (factor.type === "call" && factor.fn === "i") {
    const [first, second] = factor.args;
    if (first?.type !== "var") throw usageError("predict: i() takes a column name first");
    return {
      kind: "categorical",
      key: deparse(factor),
      labels: rowLabels(table.column(first.name)),
      naming: "fixest",
      prefix: first.name,
      interact:
        second === undefined
          ? null
          : { name: deparse(second), values: evaluateNumeric(second, table, text).hi },
    };
  }
  return { kind: "numeric", name: deparse(factor), values: evaluateNumeric(factor, table, text).hi };
}

function checkSupported(formula: ParsedFormula): void {
  if (formula.fixedEffects.length > 0) {
    throw usageError(
      `predict: "${formula.text}" has fixed effects, whose estimates the result does not hold`,
    );
  }
  if (formula.iv !== null) throw usageError(`predict: "${formula.text}" is an IV model; not supported`);
}

/** The factor levels of the rows a fit used (`rows` = ModelFrame.rows into `table`). */
export function fitLevels(formula: ParsedFormula, table: Table, rows: Int32Array): FitLevels {
  checkSupported(formula);
  const levels: FitLevels = new Map();
  for (const term of formula.terms) {
    for (const factor of term.factors) {
      const c = component(factor, table, formula.text);
      if (c.kind !== "categorical" || levels.has(c.key)) continue;
      const seen = new Set<string>();
      for (const row of rows) {
        const label = c.labels[row];
        if (label !== undefined) seen.add(label);
      }
      levels.set(c.key, seen);
    }
  }
  return levels;
}

/** Fitted values with confidence and prediction intervals at `level` for every row of `newdata`. */
export function predict(
  result: ModelResult,
  formula: ParsedFormula,
  levels: FitLevels,
  newdata: Table,
  level: number,
): Prediction {
  checkSupported(formula);
  const n = newdata.nrows;
  const k = result.coefficients.length;
  const index = new Map(result.coefficients.map((c, j) => [c.term, j]));
  // Row-major design of the new rows over the fit's coefficients.
  const x = new Float64Array(n * k);
  const bad = new Uint8Array(n); // 1 = missing regressor, 2 = unseen level
  const intercept = index.get(INTERCEPT);
  if (intercept !== undefined) for (let i = 0; i < n; i++) x[i * k + intercept] = 1;

  for (const term of formula.terms) {
    const components = term.factors.map((f) => component(f, newdata, formula.text));
    // Enumerate the term's columns: the product of components, first varying fastest (frame.ts's order).
    let columns: { name: string; value: (i: number) => number }[] = [{ name: "", value: () => 1 }];
    for (const c of components) {
      if (c.kind === "numeric") {
        columns = columns.map((col) => ({
          name: join(col.name, c.name),
          value: (i: number) => col.value(i) * (c.values[i] as number),
        }));
        for (let i = 0; i < n; i++) if (!Number.isFinite(c.values[i] as number)) bad[i] = bad[i] || 1;
        continue;
      }
      const fitted = levels.get(c.key);
      if (fitted === undefined) throw new Error(`internal: no fit levels for ${c.key}`);
      for (let i = 0; i < n; i++) {
        const label = c.labels[i];
        if (label === undefined) bad[i] = bad[i] || 1;
        else if (!fitted.has(label)) bad[i] = 2;
        if (c.interact && !Number.isFinite(c.interact.values[i] as number)) bad[i] = bad[i] || 1;
      }
      const next: typeof columns = [];
      for (const label of fitted) {
        const base = c.naming === "fixest" ? `${c.prefix}::${label}` : `${c.prefix}${label}`;
        const name = c.interact ? `${base}:${c.interact.name}` : base;
        const interact = c.interact;
        for (const col of columns) {
          next.push({
            name: join(col.name, name),
            value: (i: number) =>
              c.labels[i] === label ? col.value(i) * (interact ? (interact.values[i] as number) : 1) : 0,
          });
        }
      }
      columns = next;
    }
    for (const col of columns) {
      const j = index.get(col.name);
      if (j === undefined) continue; // the reference level, or a column dropped as collinear
      for (let i = 0; i < n; i++) if (bad[i] === 0) x[i * k + j] = col.value(i);
    }
  }

  const b = result.coefficients.map((c) => c.estimate);
  const V = result.vcov_matrix;
  const q = criticalValue(level, result.vcov.df_t);
  const s2 = result.sigma * result.sigma;
  const out: Prediction = {
    fit: new Float64Array(n),
    se_fit: new Float64Array(n),
    conf_low: new Float64Array(n),
    conf_high: new Float64Array(n),
    pred_low: new Float64Array(n),
    pred_high: new Float64Array(n),
    unseenLevels: 0,
    missing: 0,
  };
  for (let i = 0; i < n; i++) {
    if (bad[i] !== 0) {
      if (bad[i] === 2) out.unseenLevels++;
      else out.missing++;
      for (const a of [out.fit, out.se_fit, out.conf_low, out.conf_high, out.pred_low, out.pred_high])
        a[i] = Number.NaN;
      continue;
    }
    let fit = 0;
    let quad = 0;
    for (let j = 0; j < k; j++) {
      const xj = x[i * k + j] as number;
      fit += xj * (b[j] as number);
      if (xj === 0) continue;
      const row = V[j] as number[];
      let s = 0;
      for (let l = 0; l < k; l++) s += (row[l] as number) * (x[i * k + l] as number);
      quad += xj * s;
    }
    const se = Math.sqrt(Math.max(0, quad));
    const sp = Math.sqrt(se * se + s2);
    out.fit[i] = fit;
    out.se_fit[i] = se;
    out.conf_low[i] = fit - q * se;
    out.conf_high[i] = fit + q * se;
    out.pred_low[i] = fit - q * sp;
    out.pred_high[i] = fit + q * sp;
  }
  return out;
}

function join(a: string, b: string): string {
  return a === "" ? b : `${a}:${b}`;
}
