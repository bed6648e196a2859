/**
 * Ordinary (weighted) least squares from a model frame to a ModelResult, with or without fixed effects: solve,
 * drop collinear columns, build the covariance, compute the fit statistics. IV models are handed to iv.ts.
 */

import { fixedEffectValues } from "../absorb/fixedEffectValues.js";
import { estimationError } from "../errors.js";
import type { ModelResult } from "../model/result.js";
import { leastSquares } from "../numeric/leastSquares.js";
import { computeVcov } from "../vcov/vcov.js";
import {
  assembleResult,
  collinearNote,
  type EstimateOptions,
  feParamsForVcov,
  INTERCEPT,
  noDegreesOfFreedom,
  prepareDesign,
  reghdfeFeParams,
} from "./design.js";
import type { DesignColumn, ModelFrame } from "./frame.js";
import { estimateIv } from "./iv.js";

export { type EstimateOptions, INTERCEPT } from "./design.js";

export function estimateOls(inputFrame: ModelFrame, options: EstimateOptions): ModelResult {
  if (inputFrame.formula.iv !== null) return estimateIv(inputFrame, options);
  const design = prepareDesign(inputFrame, options);
  const { frame, absorbed, columns, response, absorbedByFe, notes } = design;
  const n = frame.nobs;
  if (columns.length === 0) {
    throw estimationError(
      absorbedByFe.length > 0
        ? `"${frame.formula.text}": every regressor is collinear with the fixed effects (${absorbedByFe.join(", ")})`
        : `"${frame.formula.text}" has no regressors`,
    );
  }
  const fit = leastSquares(columns, response, frame.weights, { forcePath: options.forcePath });
  const slopes = fit.kept.length;
  const reghdfe = options.vcov.convention === "reghdfe" ? reghdfeFeParams(design, options) : null;
  const kFull = slopes + (reghdfe ? reghdfe.fit : design.feParams);
  if (n - kFull <= 0) throw noDegreesOfFreedom(frame.formula.text, n, kFull);
  const keptColumns = fit.kept.map((j) => columns[j] as DesignColumn);
  const terms = keptColumns.map((c) => c.name);
  const collinear = [...absorbedByFe, ...fit.dropped.map((j) => (columns[j] as DesignColumn).name)];
  if (collinear.length > 0) notes.push(collinearNote(collinear, absorbed !== null));

  const kVcov = slopes + (reghdfe ? reghdfe.vcov : feParamsForVcov(design, options));
  const vcov = computeVcov(
    {
      columns: keptColumns.map((c) => c.hi),
      residuals: fit.residuals,
      weights: frame.weights,
      bread: fit.xtxInverse,
      rss: fit.rss,
      nobs: n,
      k: kVcov,
      ...(reghdfe ? { kResidual: slopes + reghdfe.residual } : {}),
      ...(terms.includes(INTERCEPT) ? { interceptColumn: terms.indexOf(INTERCEPT) } : {}),
    },
    { ...options.vcov, clusters: frame.clusters },
  );
  notes.push(...(vcov.notes ?? []));
  if (reghdfe?.dof) {
    const { dfA, dfANested, rows } = reghdfe.dof;
    vcov.info = { ...vcov.info, fe_dof: { df_a: dfA, df_a_nested: dfANested, table: rows } };
  }
  if (kVcov !== kFull) {
    // iid-style quantities (sigma, adjusted R2) keep the full count; only the cluster correction changes.
    notes.push("fixed effects nested in the cluster variable are not counted in the small-sample correction");
  }
  if (absorbed && options.onFixedEffects) {
    options.onFixedEffects(
      fixedEffectValues(
        originalResiduals(frame, fit.kept, columns, fit.coefficients),
        design.fixedEffects,
        frame.weights ?? undefined,
        { absorber: absorbed.absorber, tol: 1e-12 },
      ),
    );
  }

  return assembleResult(design, options, {
    estimator: "ols",
    terms,
    estimates: fit.coefficients,
    vcov,
    collinear,
    rss: fit.rss,
    kFull,
  });
}

/** y - X b on the original (not demeaned) scale: what the fixed effects explain plus the residual. */
function originalResiduals(
  frame: ModelFrame,
  kept: number[],
  columns: DesignColumn[],
  b: Float64Array,
): Float64Array {
  const r = Float64Array.from(frame.response.hi);
  kept.forEach((j, m) => {
    const name = (columns[j] as DesignColumn).name;
    const original = frame.columns.find((c) => c.name === name) as DesignColumn;
    const bm = b[m] as number;
    for (let i = 0; i < r.length; i++) r[i] = (r[i] as number) - bm * (original.hi[i] as number);
  });
  return r;
}
