/**
 * The IV block of a result, which depends on the covariance chosen: each first stage's coefficient table and the
 * Wald F of its excluded instruments with the model's covariance type (fixest's `ivwald`; with iid errors the
 * classical partial F), and the Kleibergen-Paap rk Wald F (robust or clustered errors, kleibergenPaap.ts).
 */
import { coefficientTable } from "../../inference/coefficientTable.js";
import { type WaldTest, waldTest } from "../../inference/wald.js";
import type { ModelResult } from "../../model/result.js";
import { computeCovariance } from "../../vcov/registry.js";
import type { CovarianceRequest } from "../../vcov/types.js";
import type { FirstStage, IvFit } from "./fit.js";
import { kleibergenPaapF } from "./kleibergenPaap.js";

export function ivSummary(fit: IvFit, request: CovarianceRequest, level: number): Pick<ModelResult, "iv"> {
  const stages = fit.firstStages.map((stage, j) => {
    const covariance = computeCovariance(stage.fit, request);
    const dfT = covariance.info.df_t;
    const wald = waldTest(
      stage.fit.coefficients,
      covariance.matrix,
      stage.instrumentIndices,
      dfT,
    ) as WaldTest;
    return {
      endogenous: stage.endogenous,
      coefficients: coefficientTable(stage.fit.terms, stage.fit.coefficients, covariance.matrix, dfT, level),
      partial_f: wald.statistic,
      partial_f_df1: wald.df1,
      partial_f_df2: wald.df2,
      partial_f_p_value: wald.p_value,
      sanderson_windmeijer_f: fit.firstStages.length > 1 ? (fit.sandersonWindmeijer[j] ?? null) : null,
      r2: stage.r2,
      adj_r2: stage.adjR2,
      within_r2: stage.withinR2,
    };
  });
  return {
    iv: {
      endogenous: [...fit.endogenousNames],
      instruments: [...fit.instrumentNames],
      first_stages: stages,
      cragg_donald_f: fit.craggDonald,
      kleibergen_paap_f: kleibergenPaap(fit, request, stages[0]?.partial_f ?? null),
    },
  };
}

/**
 * Kleibergen-Paap rk Wald F, null with iid errors and for covariances ivreg2's statistic is not defined for here
 * (HAC). With one endogenous regressor under ivreg2's own factors (HC1, or one-way clustering under the fixest or
 * per-term convention) it is the first stage's Wald F of the excluded instruments: reusing it saves a pass over
 * the rows and a cluster table (kleibergenPaap.ts gives the same number).
 */
function kleibergenPaap(fit: IvFit, request: CovarianceRequest, firstStageF: number | null): number | null {
  const type = request.type;
  if (type === "iid" || type === "nw" || type === "dk") return null;
  const clustered = type === "cluster";
  const ivreg2Factors = request.ssc === "fixest" || request.ssc === "per-term";
  const oneEndogenous = fit.firstStages.length === 1;
  if (oneEndogenous && ivreg2Factors && (type === "hc1" || (clustered && request.cluster.length === 1)))
    return firstStageF;
  const first = fit.firstStages[0] as FirstStage;
  const zTilde = fit.partialledInstruments();
  const design = fit.design;
  const statistic = kleibergenPaapF({
    instruments: first.keptInstruments.map((c) => zTilde[design.instruments.indexOf(c)] as Float64Array),
    endogenousCrossProducts: fit.endogenousCrossProducts,
    coefficients: fit.firstStages.map((f) => f.instrumentCoefficients),
    residuals: fit.firstStages.map((f) => f.residuals),
    weights: design.frame.weights,
    nobs: design.frame.nobs,
    k:
      first.fit.dof.coefficients +
      (clustered ? first.fit.dof.fixedEffectsNested(request.cluster) : first.fit.dof.fixedEffects),
    clusters: clustered ? request.cluster.map((name) => fit.idVariable?.(name) ?? missing(name)) : [],
  });
  return Number.isFinite(statistic) ? statistic : null;
}

function missing(name: string): never {
  throw new Error(`internal: no cluster variable '${name}' in the IV fit`);
}
