/** Hand-built estimation results for the report tests. */
import type { Coefficient, ModelResult, Output } from "../../src/model/result.js";

export function coef(term: string, estimate: number, std_error: number, p_value: number): Coefficient {
  const statistic = estimate / std_error;
  return {
    term,
    estimate,
    std_error,
    statistic,
    p_value,
    conf_low: estimate - 1.96 * std_error,
    conf_high: estimate + 1.96 * std_error,
  };
}

/** Clustered by state, with notes and a collinear term dropped. */
export function clusteredModel(): ModelResult {
  return {
    name: "kfr_p25",
    formula: "kfr_p25 ~ log_ppe + I(log_ppe^2) + local_share + log_ppe:local_share + urban_share",
    estimator: "ols",
    dependent: "kfr_p25",
    nobs: 3012,
    dropped: { missing: 12, infinite: 0, singletons: 0 },
    coefficients: [
      coef("(Intercept)", 0.412345678, 0.0123456, 1e-12),
      coef("log_ppe", 0.0456789, 0.0150001, 0.004),
      coef("I(log_ppe^2)", -0.00001234, 0.00005, 0.81),
      coef("local_share", -0.123456, 0.06, 0.049),
      coef("log_ppe:local_share", 0.01, 0.0055, 0.0712),
    ],
    collinear: ["urban_share"],
    vcov: {
      type: "cluster",
      cluster: ["state"],
      n_clusters: [50],
      ssc: "fixest",
      adjustment: 1.0213,
      df_t: 49,
      n: 3012,
      k: 5,
    },
    vcov_matrix: [],
    r2: 0.2345678,
    adj_r2: 0.2335,
    within_r2: null,
    rmse: 0.0512,
    sigma: 0.05125,
    df_resid: 3007,
    f_stat: 41.2,
    f_df1: 4,
    f_df2: 49,
    f_p_value: 1e-9,
    fixed_effects: [],
    weights: null,
    group: null,
    notes: ["12 rows dropped for missing values.", "Collinear term dropped: urban_share."],
  };
}

/** State fixed effect, within R², two-way clustered. */
export function fixedEffectModel(): ModelResult {
  return {
    name: "kfr_p25",
    formula: "kfr_p25 ~ log_ppe + i(region::South) | state",
    estimator: "ols",
    dependent: "kfr_p25",
    nobs: 3000,
    dropped: { missing: 20, infinite: 0, singletons: 4 },
    coefficients: [
      coef("log_ppe", 0.0312, 0.011, 0.006),
      coef("region::South", -1.25, 0.5, 0.05),
      coef("share_%_black", 2.5e-7, 1e-7, 0.2),
    ],
    collinear: [],
    vcov: {
      type: "cluster",
      cluster: ["state", "year"],
      n_clusters: [50, 10],
      ssc: "fixest",
      adjustment: 1.1,
      df_t: 9,
      n: 3000,
      k: 3,
    },
    vcov_matrix: [],
    r2: 0.6123,
    adj_r2: 0.6001,
    within_r2: 0.0412,
    rmse: 0.04,
    sigma: 0.0401,
    df_resid: 2947,
    f_stat: null,
    f_df1: null,
    f_df2: null,
    f_p_value: null,
    fixed_effects: ["state"],
    weights: null,
    group: null,
    notes: [],
  };
}

export function twoModels(): Output {
  return { tool: "mobility", version: "0.1.0", models: [clusteredModel(), fixedEffectModel()] };
}
