/**
 * Distribution functions for p-values and critical values. All come from @stdlib (well-tested ports of
 * Boost/Cephes algorithms); nothing here is hand-written numerics. An infinite degree of freedom means the
 * normal distribution (z inference).
 */
import betainc from "@stdlib/math-base-special-betainc";
import gammainc from "@stdlib/math-base-special-gammainc";
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import tCdf from "@stdlib/stats-base-dists-t-cdf";
import tQuantile from "@stdlib/stats-base-dists-t-quantile";

/** Two-sided p-value of a t (or z, df = Infinity) statistic. */
export function twoSidedPValue(statistic: number, df: number): number {
  const t = Math.abs(statistic);
  if (Number.isNaN(t)) return Number.NaN;
  return Number.isFinite(df) ? 2 * tCdf(-t, df) : 2 * normalCdf(-t, 0, 1);
}

/** The quantile used for a two-sided interval at `level` (0.95 -> t_{0.975}). */
export function criticalValue(level: number, df: number): number {
  const p = 1 - (1 - level) / 2;
  return Number.isFinite(df) ? tQuantile(p, df) : normalQuantile(p, 0, 1);
}

/**
 * Upper-tail p-value of an F(df1, df2) statistic, computed as a regularized incomplete beta
 * I_{df2/(df2 + df1 F)}(df2/2, df1/2) so that small p-values keep their digits (1 - cdf would round to 0).
 * df2 = Infinity gives the chi-square(df1) tail of df1 * F, as the upper regularized incomplete gamma
 * Q(df1/2, df1 F/2), so that it keeps its digits too (1 - cdf lost 2e-8 relative at a p of 2e-9).
 */
export function fPValue(statistic: number, df1: number, df2: number): number {
  if (Number.isNaN(statistic)) return Number.NaN;
  if (!Number.isFinite(df2)) return gammainc((statistic * df1) / 2, df1 / 2, true, true);
  return betainc(df2 / (df2 + df1 * statistic), df2 / 2, df1 / 2, true, false);
}
