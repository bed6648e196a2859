/** Per-coefficient inference: t statistic, two-sided p-value and confidence interval from a covariance. */
import type { Matrix } from "ml-matrix";
import type { Coefficient } from "../model/result.js";
import { criticalValue, twoSidedPValue } from "./distributions.js";

/**
 * `dfT`: the t degrees of freedom of every coefficient, or one per coefficient (CR2/CR3's Satterthwaite df, then
 * also reported in each row's `df`).
 */
export function coefficientTable(
  terms: readonly string[],
  estimates: Float64Array,
  vcov: Matrix,
  dfT: number | readonly number[],
  level: number,
): Coefficient[] {
  const perCoefficient = typeof dfT !== "number";
  const common = perCoefficient ? Number.NaN : criticalValue(level, dfT);
  return terms.map((term, j) => {
    const df = perCoefficient ? (dfT[j] as number) : dfT;
    const q = perCoefficient ? criticalValue(level, df) : common;
    const estimate = estimates[j] as number;
    const se = Math.sqrt(vcov.get(j, j));
    const statistic = estimate / se;
    return {
      term,
      estimate,
      std_error: se,
      statistic,
      p_value: twoSidedPValue(statistic, df),
      conf_low: estimate - q * se,
      conf_high: estimate + q * se,
      ...(perCoefficient ? { df } : {}),
    };
  });
}
