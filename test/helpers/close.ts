import { expect } from "vitest";

export interface CloseOptions {
  /**
   * Absolute floor of the denominator: |a - e| / max(|e|, floor). Default 0 (purely relative; an expected 0 then
   * needs an exact 0). Choose it per quantity where true zeros or values at rounding level occur.
   */
  floor?: number;
  /** Compare on the log scale, |log a - log e| (p-values, which span hundreds of orders of magnitude). */
  logScale?: boolean;
}

/**
 * Asserts element-wise agreement, reporting the worst element. Fails on a length mismatch and on any element that
 * is not a number where a number is expected (NaN, undefined, null); infinities must match exactly.
 */
export function expectClose(
  actual: readonly (number | null | undefined)[],
  expected: readonly (number | null | undefined)[],
  tolerance: number,
  what: string,
  options: CloseOptions = {},
) {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const floor = options.floor ?? 0;
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (typeof e !== "number" || Number.isNaN(e))
      throw new Error(`${what}[${i}]: the expected value is ${e}, not a number`);
    if (typeof a !== "number" || Number.isNaN(a)) throw new Error(`${what}[${i}]: got ${a}, expected ${e}`);
    let err: number;
    if (!Number.isFinite(e) || !Number.isFinite(a)) err = a === e ? 0 : Number.POSITIVE_INFINITY;
    else if (options.logScale && e > 0 && a > 0) err = Math.abs(Math.log(a) - Math.log(e));
    else if (a === e) err = 0;
    else err = Math.abs(a - e) / Math.max(Math.abs(e), floor);
    if (err > worst) {
      worst = err;
      at = i;
    }
  }
  expect(
    worst,
    `${what}: worst ${options.logScale ? "log-scale" : "relative"} error ${worst} at [${at}] (got ${actual[at]}, expected ${expected[at]})`,
  ).toBeLessThanOrEqual(tolerance);
}

type CoefficientField = "estimate" | "std_error" | "statistic" | "p_value" | "conf_low" | "conf_high";

/** expectClose for each named field of a coefficient table against the golden case's arrays of the same name. */
export function expectCoefficientsClose(
  coefficients: readonly Record<CoefficientField, number>[],
  golden: Partial<Record<CoefficientField, readonly number[]>>,
  fields: readonly CoefficientField[],
  tolerance: number,
  options: CloseOptions = {},
) {
  for (const field of fields) {
    const expected = golden[field];
    if (expected === undefined) throw new Error(`the golden case has no field '${field}'`);
    expectClose(
      coefficients.map((x) => x[field]),
      expected,
      tolerance,
      field,
      options,
    );
  }
}

/** The fields every golden regression case carries (the R scripts in scripts/golden write them the same way). */
export interface GoldenRegressionCase {
  id: string;
  /** Fixture path. */
  file: string;
  formula: string;
  vcov: string;
  cluster: string[] | null;
  weights: string | null;
  nobs: number;
}
