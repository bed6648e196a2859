/**
 * The IV block of a SQL 2SLS result, as src/estimate/iv/summary.ts builds it for the memory engine: each first
 * stage's coefficient table and the Wald F of its excluded instruments with the model's covariance type (fixest's
 * ivwald; the classical partial F with iid errors), Cragg-Donald and Sanderson-Windmeijer from the first stages'
 * small matrices (weakInstruments.ts, from V'WV summed in the database).
 * Kleibergen-Paap: where ivreg2's statistic equals the first stage's Wald F (one endogenous regressor, HC1 or
 * one-way clustered errors under the fixest or per-term convention) it is that F; its general form needs the
 * partialled instruments over the rows, which the SQL engines do not bring back: null with a note.
 */
import { Matrix } from "ml-matrix";
import { weakInstrumentStatisticsFromCrossProducts } from "../../estimate/iv/weakInstruments.js";
import { coefficientTable } from "../../inference/coefficientTable.js";
import { type WaldTest, waldTest } from "../../inference/wald.js";
import type { ModelResult } from "../../model/result.js";
import { computeCovariance } from "../../vcov/registry.js";
import type { CovarianceRequest } from "../../vcov/types.js";
import type { SqlFit } from "./fit.js";

export function sqlIvSummary(
  fit: SqlFit,
  request: CovarianceRequest,
  level: number,
): { block: Pick<ModelResult, "iv">; notes: string[] } {
  const iv = fit.iv;
  if (iv === undefined) return { block: {}, notes: [] };
  const p = iv.firstStages.length;
  const vv = new Matrix(p, p);
  iv.firstStages.forEach((s, j) => {
    for (let t = 0; t < p; t++) vv.set(j, t, s.residualCross[t] as number);
  });
  const weak = weakInstrumentStatisticsFromCrossProducts(
    iv.firstStages.map((s) => ({
      instruments: s.keptInstruments,
      instrumentCoefficients: s.instrumentCoefficients,
      instrumentInverse: s.instrumentInverse,
    })),
    vv,
    iv.dfResid,
  );
  const stages = iv.firstStages.map((stage, j) => {
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
      sanderson_windmeijer_f: p > 1 ? (weak.sandersonWindmeijer[j] ?? null) : null,
      r2: stage.r2,
    };
  });
  const notes: string[] = [];
  const type = request.type;
  let kp: number | null = null;
  if (type !== "iid") {
    const shortcut =
      p === 1 &&
      (request.ssc === "fixest" || request.ssc === "per-term") &&
      (type === "hc1" || (type === "cluster" && request.cluster.length === 1));
    if (shortcut) kp = stages[0]?.partial_f ?? null;
    else
      notes.push(
        "the Kleibergen-Paap F in this case needs the partialled instruments over the rows, which the SQL engines do not bring back: not reported (use --engine memory)",
      );
  }
  return {
    block: {
      iv: {
        endogenous: [...iv.endogenous],
        instruments: [...iv.instruments],
        first_stages: stages,
        cragg_donald_f: weak.craggDonald,
        kleibergen_paap_f: kp,
      },
    },
    notes,
  };
}
