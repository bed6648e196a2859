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
 * hc0, hc2 and hc3 are definitions, not corrections: they ignore the convention (as sandwich::vcovHC).
 */
import { usageError } from "../errors.js";

export type SmallSampleConvention = "fixest" | "per-term" | "none";

export const SMALL_SAMPLE_CONVENTIONS: readonly SmallSampleConvention[] = ["fixest", "per-term", "none"];

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
  const groups = convention === "fixest" ? gMin : g;
  return ((n - 1) / (n - k)) * (groups / (groups - 1));
}

export function tDegreesOfFreedom(
  convention: SmallSampleConvention,
  type: "iid" | "hetero" | "cluster",
  n: number,
  k: number,
  gMin: number,
): number {
  if (type === "cluster") return convention === "none" ? Number.POSITIVE_INFINITY : gMin - 1;
  if (type === "hetero" && convention === "none") return Number.POSITIVE_INFINITY;
  return n - k;
}
