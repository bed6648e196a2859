/**
 * The result of an estimation as plain data: what `--format json` prints and what every other format renders.
 * This schema is the machine interface scripts and CI rely on: add fields, never rename or remove them.
 * Snake_case keys follow broom/fixest's tidy output so that R users recognise them.
 */
import { z } from "zod";

export const CoefficientSchema = z.object({
  term: z.string(),
  estimate: z.number(),
  std_error: z.number(),
  statistic: z.number(),
  p_value: z.number(),
  conf_low: z.number(),
  conf_high: z.number(),
});
export type Coefficient = z.infer<typeof CoefficientSchema>;

/** Every number that enters a small-sample correction, so a user can reconcile a table with Stata or R. */
export const VcovInfoSchema = z.object({
  /** iid, hc0, hc1, hc2, hc3, or cluster. */
  type: z.string(),
  /** Cluster variables (empty unless clustered). */
  cluster: z.array(z.string()),
  /** Number of clusters per cluster variable, same order. */
  n_clusters: z.array(z.number()),
  /** Name of the small-sample convention (fixest, stata, ...). */
  ssc: z.string(),
  /** The scalar that multiplies the raw sandwich (or sigma^2 (X'X)^-1 for iid). */
  adjustment: z.number(),
  /** Degrees of freedom of the t distribution used for p-values and intervals (Infinity = normal). */
  df_t: z.number(),
  /** n and K as used in the corrections. */
  n: z.number(),
  k: z.number(),
});
export type VcovInfo = z.infer<typeof VcovInfoSchema>;

export const ModelResultSchema = z.object({
  /** Column title: the formula's dependent variable unless named. */
  name: z.string(),
  formula: z.string(),
  estimator: z.enum(["ols", "iv"]),
  dependent: z.string(),
  nobs: z.number(),
  /** Rows removed before estimation, by reason. */
  dropped: z.object({ missing: z.number(), infinite: z.number(), singletons: z.number() }),
  coefficients: z.array(CoefficientSchema),
  /** Terms removed because they were collinear with earlier terms (or the fixed effects). */
  collinear: z.array(z.string()),
  vcov: VcovInfoSchema,
  /** Row-major covariance of the estimated coefficients, same order as `coefficients`. */
  vcov_matrix: z.array(z.array(z.number())),
  r2: z.number(),
  adj_r2: z.number(),
  within_r2: z.number().nullable(),
  rmse: z.number(),
  /** Residual standard error, sqrt(RSS / df_resid). */
  sigma: z.number(),
  df_resid: z.number(),
  /** Wald F test that all slopes are zero, using the model's vcov (as fixest's `fitstat(~wald)`). */
  f_stat: z.number().nullable(),
  f_df1: z.number().nullable(),
  f_df2: z.number().nullable(),
  f_p_value: z.number().nullable(),
  fixed_effects: z.array(z.string()),
  weights: z.string().nullable(),
  /** Values of the `--by` columns for this model. */
  group: z.record(z.string(), z.union([z.string(), z.number()])).nullable(),
  notes: z.array(z.string()),
});
export type ModelResult = z.infer<typeof ModelResultSchema>;

export const OutputSchema = z.object({
  tool: z.literal("mobility"),
  version: z.string(),
  models: z.array(ModelResultSchema),
});
export type Output = z.infer<typeof OutputSchema>;
