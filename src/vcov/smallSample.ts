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
 */
import { usageError } from "../errors.js";

export type SmallSampleConvention = "fixest" | "per-term" | "none" | "reghdfe";

export const SMALL_SAMPLE_CONVENTIONS: readonly SmallSampleConvention[] = [
  "fixest",
  "per-term",
  "none",
  "reghdfe",
];

export function parseSmallSample(value: string | undefined): SmallSampleConvention {
  const v = (value ?? "fixest").toLowerCase();
  if (v === "stata") return "fixest";
  if ((SMALL_SAMPLE_CONVENTIONS as readonly string[]).includes(v)) return v as SmallSampleConvention;
  throw usageError(
    `--ssc: expected one of ${SMALL_SAMPLE_CONVENTIONS.join(", ")} (or stata), found '${value}'`,
  );
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

/**
 * `kResidual`: the parameters reghdfe's e(df_r) subtracts, when they differ from the K of the factor (reghdfe
 * with a fixed effect nested in a cluster variable); defaults to `k`.
 */
export function tDegreesOfFreedom(
  convention: SmallSampleConvention,
  type: "iid" | "hetero" | "cluster",
  n: number,
  k: number,
  gMin: number,
  kResidual: number = k,
): number {
  if (type === "cluster") {
    if (convention === "none") return Number.POSITIVE_INFINITY;
    if (convention === "reghdfe") return Math.min(gMin - 1, n - kResidual);
    return gMin - 1;
  }
  if (type === "hetero" && convention === "none") return Number.POSITIVE_INFINITY;
  return n - k;
}
