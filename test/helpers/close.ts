import { expect } from "vitest";

/** Asserts element-wise relative agreement (absolute near zero), reporting the worst element. */
export function expectClose(
  actual: readonly number[],
  expected: readonly number[],
  tolerance: number,
  what: string,
) {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    const diff = Math.abs(a - e) / Math.max(Math.abs(e), 1e-300);
    const err = Math.abs(e) < 1e-12 ? Math.abs(a - e) : diff;
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  expect(
    worst,
    `${what}: worst relative error ${worst} at [${at}] (got ${actual[at]}, expected ${expected[at]})`,
  ).toBeLessThanOrEqual(tolerance);
}

type CoefficientField = "estimate" | "std_error" | "statistic" | "conf_low" | "conf_high";

/** expectClose for each named field of a coefficient table against the golden case's arrays of the same name. */
export function expectCoefficientsClose(
  coefficients: readonly Record<CoefficientField, number>[],
  golden: Partial<Record<CoefficientField, readonly number[]>>,
  fields: readonly CoefficientField[],
  tolerance: number,
) {
  for (const field of fields) {
    expectClose(
      coefficients.map((x) => x[field]),
      golden[field] ?? [],
      tolerance,
      field,
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
