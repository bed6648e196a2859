/**
 * Ordinary (weighted) least squares from a model frame to a ModelResult: solve, drop collinear columns, build
 * the covariance, and compute the fit statistics. Fixed effects and IV are handled in their own modules and
 * reuse the same pieces.
 */
import { estimationError } from "../errors.js";
import { coefficientTable } from "../inference/coefficientTable.js";
import { waldTest } from "../inference/wald.js";
import type { ModelResult } from "../report/result.js";
import { computeVcov, type VcovSpec } from "../vcov/vcov.js";
import type { DesignColumn, ModelFrame } from "./frame.js";
import { leastSquares } from "./leastSquares.js";

export interface EstimateOptions {
  vcov: Omit<VcovSpec, "clusters">;
  level: number;
  name?: string;
  group?: Record<string, string | number> | null;
  forcePath?: "exact" | "fast";
}

export const INTERCEPT = "(Intercept)";

export function estimateOls(frame: ModelFrame, options: EstimateOptions): ModelResult {
  if (frame.formula.fixedEffects.length > 0) {
    throw estimationError("fixed effects (| fe) are not estimated yet in this version; see issue #3");
  }
  if (frame.formula.iv !== null) {
    throw estimationError("instrumental variables (| endo ~ inst) are not estimated yet in this version");
  }
  const n = frame.nobs;
  const columns: DesignColumn[] = frame.intercept
    ? [{ name: INTERCEPT, hi: new Float64Array(n).fill(1), lo: null }, ...frame.columns]
    : [...frame.columns];
  if (columns.length === 0) throw estimationError(`"${frame.formula.text}" has no regressors`);
  const fit = leastSquares(columns, frame.response, frame.weights, { forcePath: options.forcePath });
  const k = fit.kept.length;
  if (n - k <= 0) {
    throw estimationError(
      `"${frame.formula.text}": ${n} observation${n === 1 ? "" : "s"} for ${k} coefficient${k === 1 ? "" : "s"} leaves no residual degrees of freedom`,
    );
  }
  const keptColumns = fit.kept.map((j) => columns[j] as DesignColumn);
  const terms = keptColumns.map((c) => c.name);
  const collinear = fit.dropped.map((j) => (columns[j] as DesignColumn).name);
  const notes = [...frame.notes];
  if (collinear.length > 0) {
    notes.push(
      `${collinear.length === 1 ? "variable" : "variables"} ${collinear.map((c) => `'${c}'`).join(", ")} removed because of collinearity`,
    );
  }

  const vcov = computeVcov(
    {
      columns: keptColumns.map((c) => c.hi),
      residuals: fit.residuals,
      weights: frame.weights,
      bread: fit.xtxInverse,
      rss: fit.rss,
      nobs: n,
      k,
    },
    { ...options.vcov, clusters: frame.clusters },
  );
  const dfT = vcov.info.df_t;
  const coefficients = coefficientTable(terms, fit.coefficients, vcov.matrix, dfT, options.level);

  const slopes = terms.map((t, j) => (t === INTERCEPT ? -1 : j)).filter((j) => j >= 0);
  const wald = waldTest(fit.coefficients, vcov.matrix, slopes, dfT);
  const { r2, adjR2 } = rSquared(frame, fit.rss, n, k);

  return {
    name: options.name ?? frame.response.name,
    formula: frame.formula.text,
    estimator: "ols",
    dependent: frame.response.name,
    nobs: n,
    dropped: { missing: frame.dropped.missing, infinite: frame.dropped.infinite, singletons: 0 },
    coefficients,
    collinear,
    vcov: vcov.info,
    vcov_matrix: vcov.matrix.to2DArray(),
    r2,
    adj_r2: adjR2,
    within_r2: null,
    rmse: Math.sqrt(fit.rss / n),
    sigma: Math.sqrt(fit.rss / (n - k)),
    df_resid: n - k,
    f_stat: wald?.statistic ?? null,
    f_df1: wald?.df1 ?? null,
    f_df2: wald?.df2 ?? null,
    f_p_value: wald?.p_value ?? null,
    fixed_effects: [],
    weights: frame.weightsName,
    group: options.group ?? null,
    notes,
  };
}

/**
 * R^2 as lm reports it: centred (weighted) total sum of squares with an intercept, uncentred without one; the
 * adjusted R^2 uses n - 1 (or n without intercept) over n - K.
 */
function rSquared(frame: ModelFrame, rss: number, n: number, k: number): { r2: number; adjR2: number } {
  const y = frame.response.hi;
  const w = frame.weights;
  let sw = 0;
  let swy = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? (w[i] as number) : 1;
    sw += wi;
    swy += wi * (y[i] as number);
  }
  const center = frame.intercept ? swy / sw : 0;
  let tss = 0;
  for (let i = 0; i < n; i++) {
    const d = (y[i] as number) - center;
    tss += (w ? (w[i] as number) : 1) * d * d;
  }
  const r2 = 1 - rss / tss;
  const adjR2 = 1 - ((1 - r2) * (frame.intercept ? n - 1 : n)) / (n - k);
  return { r2, adjR2 };
}
