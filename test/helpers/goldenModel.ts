/**
 * One model of our JSON output against one golden case: sample size, term names, estimates, standard errors,
 * p-values (log scale) and the covariance matrix, each within its own relative tolerance (test/helpers/close.ts).
 */
import { expect } from "vitest";
import type { ModelResult } from "../../src/model/result.js";
import { expectClose } from "./close.js";

export interface GoldenModel {
  nobs: number;
  terms: string[];
  estimate: number[];
  std_error: number[];
  p_value: number[];
  vcov_matrix: number[][];
}

export interface GoldenTolerance {
  estimate: number;
  std_error: number;
  p_value: number;
}

export function expectModelMatchesGolden(
  model: ModelResult | undefined,
  golden: GoldenModel,
  tolerance: GoldenTolerance,
): ModelResult {
  if (model === undefined) throw new Error("no model");
  expect(model.nobs).toBe(golden.nobs);
  expect(model.coefficients.map((x) => x.term)).toEqual(golden.terms);
  const column = (key: "estimate" | "std_error" | "p_value") => model.coefficients.map((x) => x[key]);
  expectClose(column("estimate"), golden.estimate, tolerance.estimate, "estimate");
  expectClose(column("std_error"), golden.std_error, tolerance.std_error, "std_error");
  expectClose(column("p_value"), golden.p_value, tolerance.p_value, "p_value", { logScale: true });
  expectClose(model.vcov_matrix.flat(), golden.vcov_matrix.flat(), tolerance.std_error * 2, "vcov matrix");
  return model;
}
