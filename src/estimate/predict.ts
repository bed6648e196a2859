/**
 * Predictions for new rows from a fitted model (R's predict.lm, fixest's predict.fixest): the linear predictor
 * x'b, plus the estimated fixed effects of the row's levels (fixest::fixef), plus an offset; for Poisson the
 * fitted mean exp(eta). Standard errors of the fit, confidence intervals for the mean and prediction intervals for
 * a new observation, fit ± q sqrt(se_fit² + sigma²), q the t quantile on the model's `vcov.df_t` (for an iid model
 * n - K: exactly `predict.lm(interval = "confidence" | "prediction")` and fixest's predict with `interval`).
 *
 * The design of the new rows is built the way frame.ts builds the fit's (same term names, R's `prefixLEVEL` and
 * fixest's `var::level` dummies, interactions joined by ':' with the first factor varying fastest), and each
 * column is matched to a coefficient by name; an IV model's endogenous regressors enter with their actual values
 * under their coefficients `fit_<name>` (fixest's predict of a 2SLS model). Factor levels are those of the rows the
 * fit used (`fitLevels`): a row whose level the fit never saw cannot be predicted and gets NaN (R's predict stops
 * with "factor has new levels"; here the other rows are still predicted and the count is reported). A level that
 * is the fit's reference has no coefficient and contributes zero, as in R. Columns the fit dropped as collinear
 * contribute nothing (R's rank-deficient predict). Rows with a missing regressor get NaN.
 *
 * Fixed effects: each row gets the sum over fixed-effect terms of the estimated value of its level (varying
 * slopes `fe[x]` times x), normalised as fixest::fixef; a level the fit did not see gives NaN, as fixest's predict
 * (it returns NA for them). fixest computes no standard error with fixed effects. Here, with one fixed effect
 * (no slope), least squares and iid errors, the standard error is that of the same model with the fixed effect as
 * dummies (predict.lm on lm(y ~ x + factor(fe))): the estimated effect of level g is the weighted group mean of
 * y - x'b, alpha_g = ybar_g - xbar_g'b, so the prediction is ybar_g + (x - xbar_g)'b, and since the within
 * estimator b is uncorrelated with every group mean ybar_g, Var = sigma²/W_g + (x - xbar_g)'V(x - xbar_g), W_g the
 * group's sum of weights. Other fixed-effect models get NaN standard errors and intervals, with a note.
 *
 * Poisson: fit = exp(eta); se_fit = fit * sqrt(x'Vx) by the delta method (predict.glm(type = "response",
 * se.fit = TRUE) with the model's covariance); the confidence interval is exp(eta ± q sqrt(x'Vx)) (on the link
 * scale, then transformed); a prediction interval is not defined (NaN, with a note).
 *
 * The prediction interval of a weighted model is for a new observation of weight one.
 */
import type { FixedEffectValuesResult } from "../absorb/fixedEffectValues.js";
import type { Column, Table } from "../data/table.js";
import { MISSING_CODE } from "../data/table.js";
import { usageError } from "../errors.js";
import type { Expr, ParsedFormula, Term } from "../formula/ast.js";
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
  /** Rows not predicted because a factor or fixed-effect level was not in the fit. */
  unseenLevels: number;
  /** Rows not predicted because a regressor is missing or not finite. */
  missing: number;
  /** What the caller should tell the user (unseen fixed-effect levels, standard errors not available). */
  notes: string[];
}

/** For each categorical factor of the formula (keyed by its deparsed text), the levels present in the fit. */
export type FitLevels = Map<string, Set<string>>;

/**
 * The one-fixed-effect pieces of the dummy-variable standard error: per level label, the sum of weights W_g and
 * the weighted means of the coefficients' columns (in coefficient order) on the estimation rows.
 */
export interface FixedEffectMoments {
  readonly name: string;
  readonly levels: ReadonlyMap<string, { weight: number; means: Float64Array }>;
}

/** Everything a prediction needs from a fitted model. */
export interface PredictableModel {
  readonly result: ModelResult;
  readonly formula: ParsedFormula;
  readonly levels: FitLevels;
  /** The estimated fixed effects (fixest::fixef normalisation), when the model has any. */
  readonly fixedEffects?: FixedEffectValuesResult | null;
  readonly fixedEffectMoments?: FixedEffectMoments | null;
  /** A Poisson model's offset expression. */
  readonly offset?: Expr | null;
}

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

/** The label of each row of a column, as levels are labelled (numbers as String(v), as frame.ts does). */
export function rowLabels(column: Column): (string | undefined)[] {
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
    // The parser moved positional reference levels into `ref` (i(period, treat, 5)): args are factor and var.
    const interact = second ?? null;
    return {
      kind: "categorical",
      key: deparse(factor),
      labels: rowLabels(table.column(first.name)),
      naming: "fixest",
      prefix: first.name,
      interact:
        interact === null
          ? null
          : { name: deparse(interact), values: evaluateNumeric(interact, table, text).hi },
    };
  }
  return { kind: "numeric", name: deparse(factor), values: evaluateNumeric(factor, table, text).hi };
}

/** The model's terms with the coefficient-name prefix of each (IV endogenous regressors: "fit_"). */
function predictedTerms(formula: ParsedFormula): { term: Term; prefix: string }[] {
  return [
    ...formula.terms.map((term) => ({ term, prefix: "" })),
    ...(formula.iv?.endogenous ?? []).map((term) => ({ term, prefix: "fit_" })),
  ];
}

/** The factor levels of the rows a fit used (`rows` = ModelFrame.rows into `table`). */
export function fitLevels(formula: ParsedFormula, table: Table, rows: Int32Array): FitLevels {
  const levels: FitLevels = new Map();
  for (const { term } of predictedTerms(formula)) {
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

/** The design of the new rows over the fit's coefficients (row-major), and each row's status. */
function designOf(model: PredictableModel, newdata: Table): { x: Float64Array; k: number; bad: Uint8Array } {
  const { result, formula, levels } = model;
  const n = newdata.nrows;
  const k = result.coefficients.length;
  const index = new Map(result.coefficients.map((c, j) => [c.term, j]));
  const x = new Float64Array(n * k);
  const bad = new Uint8Array(n); // 1 = missing regressor, 2 = unseen level
  const intercept = index.get(INTERCEPT);
  if (intercept !== undefined) for (let i = 0; i < n; i++) x[i * k + intercept] = 1;

  for (const { term, prefix } of predictedTerms(formula)) {
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
      const j = index.get(prefix + col.name);
      if (j === undefined) continue; // the reference level, or a column dropped as collinear
      for (let i = 0; i < n; i++) if (bad[i] === 0) x[i * k + j] = col.value(i);
    }
  }
  return { x, k, bad };
}

/**
 * The fixed-effect part of each row: the sum over fixed-effect terms of the value of its level (times the slope
 * variable for varying slopes). NaN where a level is missing or was not in the fit; `unseen` counts per term.
 */
function fixedEffectPart(
  model: PredictableModel,
  newdata: Table,
): { values: Float64Array; unseen: Map<string, Set<string>>; labels: Map<string, (string | undefined)[]> } {
  const n = newdata.nrows;
  const values = new Float64Array(n);
  const unseen = new Map<string, Set<string>>();
  const labelsByTerm = new Map<string, (string | undefined)[]>();
  const estimated = model.fixedEffects?.fixedEffects ?? [];
  for (const fe of model.formula.fixedEffects) {
    const columns = fe.variables.map((v) => rowLabels(newdata.column(v)));
    // Interacted fixed effects label their levels by joining the variables' labels with "_" (fixedEffects.ts).
    const labels = Array.from({ length: n }, (_, i) => {
      const parts = columns.map((c) => c[i]);
      return parts.some((p) => p === undefined) ? undefined : parts.join("_");
    });
    labelsByTerm.set(fe.label, labels);
    const base = fe.variables.join("^");
    const parts: { values: Map<string, number>; slope: Float64Array | null; name: string }[] = [];
    if (!fe.slopesOnly) parts.push({ values: lookup(estimated, base), slope: null, name: base });
    for (const s of fe.slopes) {
      const name = `${base}[[${s}]]`;
      parts.push({ values: lookup(estimated, name), slope: newdata.numeric(s).values, name });
    }
    const missingLevels = new Set<string>();
    for (let i = 0; i < n; i++) {
      const label = labels[i];
      if (label === undefined) {
        values[i] = Number.NaN;
        continue;
      }
      for (const part of parts) {
        const v = part.values.get(label);
        if (v === undefined) {
          values[i] = Number.NaN;
          missingLevels.add(label);
          break;
        }
        values[i] = (values[i] as number) + v * (part.slope ? (part.slope[i] as number) : 1);
      }
    }
    if (missingLevels.size > 0) unseen.set(fe.label, missingLevels);
  }
  return { values, unseen, labels: labelsByTerm };
}

function lookup(estimated: FixedEffectValuesResult["fixedEffects"], name: string): Map<string, number> {
  const found = estimated.find((f) => f.name === name);
  if (found === undefined) throw usageError(`predict: the fit has no estimated fixed effect '${name}'`);
  const out = new Map<string, number>();
  found.values.forEach((v, j) => {
    out.set(found.levels?.[j] ?? String(j), v);
  });
  return out;
}

/** Fitted values, standard errors, confidence and prediction intervals at `level` for every row of `newdata`. */
export function predictModel(model: PredictableModel, newdata: Table, level: number): Prediction {
  const { result, formula } = model;
  const n = newdata.nrows;
  const notes: string[] = [];
  const { x, k, bad } = designOf(model, newdata);
  const hasFe = formula.fixedEffects.length > 0;
  if (hasFe && (model.fixedEffects === undefined || model.fixedEffects === null))
    throw usageError(`predict: "${formula.text}" has fixed effects but their estimates were not given`);
  const fe = hasFe ? fixedEffectPart(model, newdata) : null;
  for (const [term, levels] of fe?.unseen ?? []) {
    const shown = [...levels].slice(0, 5).join(", ");
    notes.push(
      `fixed effect '${term}': ${levels.size} level${levels.size === 1 ? "" : "s"} not in the fit (${shown}${levels.size > 5 ? ", ..." : ""}); their rows are not predicted`,
    );
  }
  const offset = model.offset ? evaluateNumeric(model.offset, newdata, deparse(model.offset)).hi : null;
  const poisson = result.estimator === "poisson";
  const b = result.coefficients.map((c) => c.estimate);
  const V = result.vcov_matrix;
  const q = criticalValue(level, result.vcov.df_t);
  const s2 = result.sigma * result.sigma;

  // Standard errors with fixed effects: one plain fixed effect, least squares (not IV), iid errors.
  const moments = model.fixedEffectMoments ?? null;
  const feSe =
    hasFe &&
    moments !== null &&
    formula.fixedEffects.length === 1 &&
    formula.fixedEffects[0]?.slopes.length === 0 &&
    result.estimator === "ols" &&
    result.vcov.type === "iid";
  if (hasFe && !feSe) {
    notes.push(
      "standard errors and intervals of predictions with fixed effects are given for one fixed effect without slopes, least squares and iid errors (as lm with the fixed effect as dummies); fixest gives none",
    );
  }
  if (poisson) notes.push("a Poisson model has no prediction interval (pred_low and pred_high are empty)");
  const feLabels = feSe && moments ? fe?.labels.get(formula.fixedEffects[0]?.label as string) : undefined;

  const out: Prediction = {
    fit: new Float64Array(n),
    se_fit: new Float64Array(n),
    conf_low: new Float64Array(n),
    conf_high: new Float64Array(n),
    pred_low: new Float64Array(n),
    pred_high: new Float64Array(n),
    unseenLevels: 0,
    missing: 0,
    notes,
  };
  const d = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const feValue = fe ? (fe.values[i] as number) : 0;
    if (bad[i] !== 0 || Number.isNaN(feValue) || (offset !== null && !Number.isFinite(offset[i] as number))) {
      if (bad[i] === 2 || (bad[i] === 0 && Number.isNaN(feValue) && fe !== null && isUnseen(fe, i)))
        out.unseenLevels++;
      else out.missing++;
      for (const a of [out.fit, out.se_fit, out.conf_low, out.conf_high, out.pred_low, out.pred_high])
        a[i] = Number.NaN;
      continue;
    }
    let eta = feValue + (offset ? (offset[i] as number) : 0);
    for (let j = 0; j < k; j++) eta += (x[i * k + j] as number) * (b[j] as number);
    // The vector whose quadratic form in V is the variance: x, or x - xbar_g with one fixed effect.
    let extra = 0;
    let seDefined = !hasFe;
    for (let j = 0; j < k; j++) d[j] = x[i * k + j] as number;
    if (feSe && moments && feLabels) {
      const g = moments.levels.get(feLabels[i] as string);
      if (g !== undefined) {
        for (let j = 0; j < k; j++) d[j] = (d[j] as number) - (g.means[j] as number);
        extra = s2 / g.weight;
        seDefined = true;
      }
    }
    let quad = 0;
    for (let j = 0; j < k; j++) {
      const dj = d[j] as number;
      if (dj === 0) continue;
      const row = V[j] as number[];
      let s = 0;
      for (let l = 0; l < k; l++) s += (row[l] as number) * (d[l] as number);
      quad += dj * s;
    }
    const seLink = seDefined ? Math.sqrt(Math.max(0, quad + extra)) : Number.NaN;
    if (poisson) {
      const mu = Math.exp(eta);
      out.fit[i] = mu;
      out.se_fit[i] = mu * seLink;
      out.conf_low[i] = Math.exp(eta - q * seLink);
      out.conf_high[i] = Math.exp(eta + q * seLink);
      out.pred_low[i] = Number.NaN;
      out.pred_high[i] = Number.NaN;
    } else {
      const sp = Math.sqrt(seLink * seLink + s2);
      out.fit[i] = eta;
      out.se_fit[i] = seLink;
      out.conf_low[i] = eta - q * seLink;
      out.conf_high[i] = eta + q * seLink;
      out.pred_low[i] = eta - q * sp;
      out.pred_high[i] = eta + q * sp;
    }
  }
  return out;
}

/** Whether row i's fixed-effect value is missing because a level was unseen (rather than a missing label). */
function isUnseen(fe: ReturnType<typeof fixedEffectPart>, i: number): boolean {
  for (const labels of fe.labels.values()) if (labels[i] === undefined) return false;
  return true;
}

/**
 * Fitted values with confidence and prediction intervals for a model without fixed effects (the interface the
 * spec runner's counterfactuals use; predictModel handles every model).
 */
export function predict(
  result: ModelResult,
  formula: ParsedFormula,
  levels: FitLevels,
  newdata: Table,
  level: number,
): Prediction {
  if (formula.fixedEffects.length > 0) {
    throw usageError(
      `predict: "${formula.text}" has fixed effects; predict it with its estimated fixed effects (predictModel)`,
    );
  }
  return predictModel({ result, formula, levels }, newdata, level);
}

function join(a: string, b: string): string {
  return a === "" ? b : `${a}:${b}`;
}
