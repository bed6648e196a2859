/**
 * Every small-sample convention in one place. A convention turns the raw covariance (the plain sandwich,
 * or sigma^2 (X'WX)^-1 with sigma^2 = RSS / (n - K)) into the reported one, and chooses the t degrees of freedom.
 *
 * fixest (default; fixest >= 0.10 `ssc(adj = TRUE, fixef.K = "nested", cluster.adj = TRUE, cluster.df = "min",
 * t.df = "min")`, which is also Stata's for iid, `vce(robust)` and one-way `vce(cluster)`):
 *   iid       RSS / (n - K) (X'WX)^-1                         t(n - K)
 *   hc1       n / (n - K) x HC0                                t(n - K)
 *   cluster   (n - 1) / (n - K) x G / (G - 1) x CR0            t(G - 1)
 *   multi-way every term of the Cameron-Gelbach-Miller sum takes G_min / (G_min - 1), G_min the smallest
 *             number of clusters among the cluster variables     t(G_min - 1)
 * per-term: as fixest, but each term of the multi-way sum takes its own G / (G - 1) (Cameron, Gelbach and
 *   Miller 2011; sandwich::vcovCL(type = "HC1", multi0 = FALSE); Stata's cgmreg).
 * none: the raw sandwich (HC0, CR0) with normal (z) inference for clustered and robust; iid unchanged.
 * reghdfe: Stata's reghdfe (Correia) 6.12.3, read in sergiocorreia/reghdfe current-code/Regression.mata (commit
 *   67d0347b): reghdfe_solve_ols, reghdfe_vce_unadjusted, reghdfe_vce_robust, reghdfe_vce_cluster, reghdfe_fix_psd;
 *   the same formulas in 5.9.0 (historical-code/reghdfe5.mata: reghdfe_robust, reghdfe_cluster). With
 *   df_m = regressors kept (the constant excluded: reghdfe reports _cons but absorbs it in the FEs) and
 *   df_a = the FE parameters of fixedEffectDof.ts `reghdfeDof` (exact connected components for two FEs, pairwise
 *   lower bounds for more, nested FEs dropped when clustering):
 *   iid       RSS / (n - K) (X'WX)^-1, K = df_m + df_a                                    t(n - K)
 *   hc1       n / (n - K) x HC0, K = df_m + df_a                                          t(n - K)
 *   cluster   (n - 1) / (n - K) x G_min / (G_min - 1) x (CGM sum of CR0 terms), one factor for every term,
 *             K = df_m + df_a + 1 if some FE is nested in a cluster variable (reghdfe's `nested_adj`: the
 *             nested FEs leave df_a but the constant they contain is counted once), else df_m + df_a;
 *             t(min(G_min - 1, n - df_m - df_a)) (e(df_r): no `nested_adj` there).
 *   multi-way only: when the covariance of the slopes has a negative eigenvalue it is replaced by
 *   U max(Lambda, 0) U' (Cameron, Gelbach and Miller 2011, p. 242; reghdfe_fix_psd on the block without _cons,
 *   since reghdfe 6 -- issue #225; 5.x fixed the matrix with _cons, which could move the slopes' errors too).
 *   Without fixed effects reghdfe's K is that of regress (df_a = 1, the constant), the same as fixest's.
 * hc0, hc2 and hc3 are definitions, not corrections: they ignore the convention (as sandwich::vcovHC).
 *
 * HAC (fixest's vcov_newey_west_internal and vcov_driscoll_kraay_internal, R/VCOV.R, 0.12.2): with T the number
 * of distinct time periods in the sample, the raw sandwich is multiplied by T / (T - 1) (cluster.adj) and by
 * (n - 1) / (n - K), K counting as fixef.K = "nested" with the panel unit and time as the nesting variables; t
 * degrees of freedom T - 1 (t.df = "min", the time periods being the covariance's "clusters"). none: the raw
 * sandwich and normal inference.
 *
 * Poisson (fixest's feglm): the iid covariance is the inverse Hessian times (n - 1) / (n - K) (vcov.fixest applies
 * its `adj` to every type, and a GLM's bread is not divided by it first as feols's is); the sandwiches take the same
 * factors as least squares.
 *
 * The parameter count K itself is built here too (`parameterCounts`), from the fit's degrees-of-freedom facts.
 */

import { usageError } from "../errors.js";
import type { DegreesOfFreedom, ReghdfeCount } from "../model/fit.js";

export type SmallSampleConvention = "fixest" | "per-term" | "none" | "reghdfe";

export const SMALL_SAMPLE_CONVENTIONS: readonly SmallSampleConvention[] = [
  "fixest",
  "per-term",
  "none",
  "reghdfe",
];

/** A small-sample convention by name (`stata` is an alias of `fixest`). */
export function parseSmallSample(value: string | undefined): SmallSampleConvention {
  const v = (value ?? "fixest").toLowerCase();
  if (v === "stata") return "fixest";
  if ((SMALL_SAMPLE_CONVENTIONS as readonly string[]).includes(v)) return v as SmallSampleConvention;
  throw usageError(
    `small-sample convention: expected one of ${SMALL_SAMPLE_CONVENTIONS.join(", ")} (or stata), found '${value}'`,
  );
}

/** The parameter counts a convention uses, and what the user is told about them. */
export interface ParameterCounts {
  /** K in the small-sample factor. */
  k: number;
  /** K in the residual degrees of freedom of the t statistics (reghdfe's e(df_r)); usually k. */
  kResidual: number;
  /** K of the full model (slopes and fixed-effect parameters): sigma, adjusted R2, df_resid. */
  kFit: number;
  /** reghdfe's count, when the convention is reghdfe and the model has fixed effects. */
  reghdfe: ReghdfeCount | null;
  notes: string[];
}

/**
 * K under `convention` for a covariance that groups by `nestingVariables` (cluster variables, or a HAC's unit and
 * time): fixest counts fixed effects nested in them as fixef.K = "nested" does; reghdfe counts as its DoF.mata with
 * the cluster variables (see the module comment and src/absorb/fixedEffectDof.ts).
 */
export function parameterCounts(
  dof: DegreesOfFreedom,
  convention: SmallSampleConvention,
  nestingVariables: readonly string[],
  clusters: readonly string[],
): ParameterCounts {
  const slopes = dof.coefficients;
  const refusal = dof.unsupported?.[convention];
  if (refusal !== undefined) throw usageError(refusal);
  if (convention === "reghdfe") {
    if (dof.fixedEffectTerms.length === 0) {
      return { k: slopes, kResidual: slopes, kFit: slopes, reghdfe: null, notes: [] };
    }
    if (dof.reghdfe === undefined)
      throw usageError("the reghdfe small-sample convention is not available for this model");
    const count = dof.reghdfe(clusters);
    const nestedConstant = count.dfANested > 0 ? 1 : 0;
    const k = slopes + count.dfA + nestedConstant;
    const kFit = slopes + count.dfA + count.dfANested;
    return {
      k,
      kResidual: slopes + count.dfA,
      kFit,
      reghdfe: count,
      notes: k !== kFit ? [NESTED_NOTE] : [],
    };
  }
  const kFit = slopes + dof.fixedEffects;
  const k =
    nestingVariables.length > 0 && dof.fixedEffectTerms.length > 0
      ? slopes + dof.fixedEffectsNested(nestingVariables)
      : kFit;
  // iid-style quantities (sigma, adjusted R2) keep the full count; only the covariance's factor changes.
  return { k, kResidual: k, kFit, reghdfe: null, notes: k !== kFit ? [NESTED_NOTE] : [] };
}

/** The JSON's vcov.fe_dof (reghdfe's e(df_a), e(df_a_nested) and DoF table), when reghdfe counted. */
export function feDofInfo(counts: ParameterCounts): {
  fe_dof?: { df_a: number; df_a_nested: number; table: ReghdfeCount["table"][number][] };
} {
  const r = counts.reghdfe;
  return r ? { fe_dof: { df_a: r.dfA, df_a_nested: r.dfANested, table: [...r.table] } } : {};
}

const NESTED_NOTE =
  "fixed effects nested in the cluster variable are not counted in the small-sample correction";

/** The iid scale of the bread: RSS / (n - K) for least squares; for a fixed dispersion, (n - 1) / (n - K) x it. */
export function iidScale(
  convention: SmallSampleConvention,
  dispersion: { kind: "estimated" } | { kind: "fixed"; value: number },
  rss: number,
  n: number,
  k: number,
): number {
  if (dispersion.kind === "estimated") return rss / (n - k);
  return convention === "none" ? dispersion.value : (dispersion.value * (n - 1)) / (n - k);
}

/** n / (n - K): HC1. */
export function heteroAdjustment(convention: SmallSampleConvention, n: number, k: number): number {
  return convention === "none" ? 1 : n / (n - k);
}

/** The factor of one term of the (multi-way) cluster sum that has `g` clusters, when the smallest has `gMin`. */
export function clusterAdjustment(
  convention: SmallSampleConvention,
  n: number,
  k: number,
  g: number,
  gMin: number,
): number {
  if (convention === "none") return 1;
  const groups = convention === "per-term" ? g : gMin;
  return ((n - 1) / (n - k)) * (groups / (groups - 1));
}

/** HAC (Newey-West, Driscoll-Kraay): (n - 1) / (n - K) x T / (T - 1), T the time periods (fixest). */
export function hacAdjustment(
  convention: SmallSampleConvention,
  n: number,
  k: number,
  periods: number,
): number {
  if (convention === "none") return 1;
  return ((n - 1) / (n - k)) * (periods / (periods - 1));
}

/**
 * `kResidual`: the parameters reghdfe's e(df_r) subtracts, when they differ from the K of the factor (reghdfe
 * with a fixed effect nested in a cluster variable); defaults to `k`. `groups`: the smallest number of clusters,
 * or of time periods for a HAC covariance.
 */
export function tDegreesOfFreedom(
  convention: SmallSampleConvention,
  type: "iid" | "hetero" | "cluster" | "hac",
  n: number,
  k: number,
  groups: number,
  kResidual: number = k,
): number {
  if (type === "cluster" || type === "hac") {
    if (convention === "none") return Number.POSITIVE_INFINITY;
    if (convention === "reghdfe" && type === "cluster") return Math.min(groups - 1, n - kResidual);
    return groups - 1;
  }
  if (type === "hetero" && convention === "none") return Number.POSITIVE_INFINITY;
  return n - k;
}
