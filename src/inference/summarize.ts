/**
 * summarize(fit, covariance, level): the result a user sees, from a fit and one of its covariances: the
 * coefficient table (t or z, p, intervals on the covariance's degrees of freedom), the Wald F of all slopes, fit
 * statistics with the convention's parameter count, sample accounting and notes. Plain data (src/model/result.ts).
 */
import { type Fit, INTERCEPT } from "../model/fit.js";
import type { ModelResult } from "../model/result.js";
import type { Covariance } from "../vcov/types.js";
import { coefficientTable } from "./coefficientTable.js";
import { diagnoseFit } from "./diagnostics.js";
import { waldTest } from "./wald.js";

export interface SummaryOptions {
  level: number;
  /** Column title (default: the dependent variable). */
  name?: string | undefined;
  /** Values of the `by` columns this model was estimated on. */
  group?: Record<string, string | number> | null | undefined;
}

export function summarize(fit: Fit, covariance: Covariance, options: SummaryOptions): ModelResult {
  const dfT = covariance.info.df_t;
  const terms = [...fit.terms];
  const slopeIndices = terms.map((t, j) => (t === INTERCEPT ? -1 : j)).filter((j) => j >= 0);
  // With degrees of freedom per coefficient (CR2/CR3) there is no single F reference: no joint test is printed.
  const perCoefficient = covariance.coefficientDf;
  const n = fit.nobs;
  const kFit = covariance.parameters.kFit;
  // A perfect fit's standard errors are zero up to rounding (NIST certifies 0 for Wampler1): they are reported,
  // but t statistics of 1e15-1e33 are not, nor p-values or the F test (src/inference/diagnostics.ts).
  const diagnostics = diagnoseFit(fit, n - kFit);
  const vcov = covariance.matrix;
  const wald =
    diagnostics.perfectFit || perCoefficient ? null : waldTest(fit.coefficients, vcov, slopeIndices, dfT);
  const coefficients = coefficientTable(terms, fit.coefficients, vcov, perCoefficient ?? dfT, options.level);
  if (diagnostics.perfectFit) {
    for (const c of coefficients) {
      c.statistic = Number.NaN;
      c.p_value = Number.NaN;
    }
  }
  const { tss, withinTss, centred, likelihood } = fit.statistics;
  // R2 and sigma describe least squares; a likelihood model reports its pseudo R2 and deviance instead.
  const leastSquares = likelihood === undefined;
  const r2 = leastSquares ? 1 - fit.rss / tss : Number.NaN;
  return {
    name: options.name ?? fit.dependent,
    formula: fit.formula,
    estimator: fit.estimator as ModelResult["estimator"],
    dependent: fit.dependent,
    nobs: n,
    dropped: { ...fit.sample.dropped },
    coefficients,
    collinear: [...fit.collinear],
    vcov: covariance.info,
    vcov_matrix: vcov.to2DArray(),
    r2,
    adj_r2: 1 - ((1 - r2) * (centred ? n - 1 : n)) / (n - kFit),
    within_r2: withinTss === null ? null : 1 - fit.rss / withinTss,
    rmse: Math.sqrt(fit.rss / n),
    sigma: leastSquares ? Math.sqrt(fit.rss / (n - kFit)) : Number.NaN,
    df_resid: n - kFit,
    f_stat: wald?.statistic ?? null,
    f_df1: wald?.df1 ?? null,
    f_df2: wald?.df2 ?? null,
    f_p_value: wald?.p_value ?? null,
    ...(likelihood
      ? {
          likelihood: {
            deviance: likelihood.deviance,
            null_deviance: likelihood.nullDeviance,
            log_lik: likelihood.logLik,
            null_log_lik: likelihood.nullLogLik,
            pseudo_r2: 1 - likelihood.logLik / likelihood.nullLogLik,
            squared_correlation: likelihood.squaredCorrelation,
            iterations: likelihood.iterations,
            converged: likelihood.converged,
          },
        }
      : {}),
    fixed_effects: [...fit.fixedEffects.terms],
    ...(fit.fixedEffects.demeaning ? { demeaning: { ...fit.fixedEffects.demeaning } } : {}),
    weights: fit.sample.weights,
    group: options.group ?? null,
    notes: [...fit.sample.notes, ...covariance.notes, ...diagnostics.notes],
  };
}
