/** Per-coefficient inference: t statistic, two-sided p-value and confidence interval from a covariance. */
import type { Matrix } from "ml-matrix";
import type { Coefficient } from "../model/result.js";
import { criticalValue, twoSidedPValue } from "./distributions.js";

export function coefficientTable(
  terms: readonly string[],
  estimates: Float64Array,
  vcov: Matrix,
  dfT: number,
  level: number,
): Coefficient[] {
  const q = criticalValue(level, dfT);
  return terms.map((term, j) => {
    const estimate = estimates[j] as number;
    const se = Math.sqrt(vcov.get(j, j));
    const statistic = estimate / se;
    return {
      term,
      estimate,
      std_error: se,
      statistic,
      p_value: twoSidedPValue(statistic, dfT),
      conf_low: estimate - q * se,
      conf_high: estimate + q * se,
    };
  });
}
