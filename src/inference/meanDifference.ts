/**
 * Group means and their differences, for summary-statistics and balance tables (`mobility describe --by`): per
 * group the number of non-missing values, mean and standard deviation (n - 1); between two groups the difference
 * of means with Welch's standard error sqrt(s1²/n1 + s2²/n2), Welch-Satterthwaite degrees of freedom and the
 * two-sided t p-value: R's t.test(x, y) (var.equal = FALSE, the default; stats:::t.test.default).
 */
import { twoSidedPValue } from "./distributions.js";

export interface GroupMoments {
  n: number;
  mean: number;
  sd: number;
}

export interface MeanDifference {
  /** mean(a) - mean(b). */
  estimate: number;
  std_error: number;
  statistic: number;
  df: number;
  p_value: number;
}

/** n, mean and sample standard deviation of the finite values of x (NaN is missing). */
export function moments(x: Float64Array): GroupMoments {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (Number.isNaN(v)) continue;
    n++;
    sum += v;
  }
  const mean = n > 0 ? sum / n : Number.NaN;
  let ss = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (!Number.isNaN(v)) ss += (v - mean) ** 2;
  }
  return { n, mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : Number.NaN };
}

/** Welch's two-sample t test of mean(a) - mean(b) from the groups' moments. */
export function welchDifference(a: GroupMoments, b: GroupMoments): MeanDifference {
  const va = (a.sd * a.sd) / a.n;
  const vb = (b.sd * b.sd) / b.n;
  const se = Math.sqrt(va + vb);
  const estimate = a.mean - b.mean;
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  const statistic = estimate / se;
  return { estimate, std_error: se, statistic, df, p_value: twoSidedPValue(statistic, df) };
}
