/**
 * The golden regression cases (test/golden/{ols,feols,iv,reghdfe}.json, written by scripts/golden/*.R) as the SQL
 * engine tests run them: each through the memory engine and through a SQL engine, compared with each other and
 * with the golden values. Cases a SQL engine refuses by design (varying slopes, HC2/HC3, reghdfe's count with
 * fixed effects) are listed with the reason; reghdfe cases with fixed effects run under the fixest convention.
 */
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import type { RegressionRequest } from "../../src/app/regression.js";
import { parseListOption } from "../../src/cli/options.js";
import { parseFormula } from "../../src/formula/parser.js";
import type { ModelResult } from "../../src/model/result.js";

export interface EngineCase {
  id: string;
  set: string;
  file: string;
  formula: string;
  vcov: string;
  cluster: string[] | null;
  weights: string | null;
  ssc: string;
  dropSingletons: boolean;
  estimate: number[];
  std_error: number[];
  terms: string[];
}

interface RawCase {
  id: string;
  file: string;
  formula: string;
  vcov: string;
  cluster: string[] | null;
  weights: string | null;
  ssc?: string | null;
  drop_singletons?: boolean;
  terms: string[];
  estimate: number[];
  std_error: number[];
}

/** Why a SQL engine does not run a case (null: it does). */
export function refusal(c: { formula: string; vcov: string }): string | null {
  if (/\[/.test(c.formula)) return "varying slopes (fe[x]) run on the memory engine only";
  if (c.vcov === "hc2" || c.vcov === "hc3") return "HC2/HC3 need the leverage of every row";
  return null;
}

export function engineCases(): { runs: EngineCase[]; refused: { id: string; why: string }[] } {
  const runs: EngineCase[] = [];
  const refused: { id: string; why: string }[] = [];
  for (const set of ["ols", "feols", "iv", "reghdfe"]) {
    const golden = JSON.parse(readFileSync(`test/golden/${set}.json`, "utf8")) as { cases: RawCase[] };
    for (const c of golden.cases) {
      const why = refusal(c);
      if (why) {
        refused.push({ id: `${set}/${c.id}`, why });
        continue;
      }
      const hasFe =
        c.formula.split("|").length > 1 && !/~[^|]*\|[^|~]*~/.test(c.formula.replace(/\|[^|]*$/, "|"));
      const ssc =
        set === "reghdfe"
          ? hasFe && /\|/.test(c.formula)
            ? "fixest"
            : "reghdfe"
          : c.ssc === "cgm"
            ? "per-term"
            : (c.ssc ?? "fixest");
      runs.push({
        id: `${set}/${c.id}`,
        set,
        file: c.file,
        formula: c.formula,
        vcov: c.vcov,
        cluster: c.cluster,
        weights: c.weights,
        ssc,
        dropSingletons: c.drop_singletons ?? false,
        estimate: c.estimate,
        std_error: c.std_error,
        terms: c.terms,
      });
    }
  }
  return { runs, refused };
}

export function requestOf(c: EngineCase): RegressionRequest {
  return {
    formulas: [parseFormula(c.formula)],
    covariance: { vcov: c.vcov, cluster: c.cluster ?? parseListOption(undefined), ssc: c.ssc },
    weights: c.weights ?? undefined,
    level: 0.95,
    dropSingletons: c.dropSingletons,
  };
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/**
 * SQL result vs memory result: the same terms, and >= 9 significant digits on estimates and standard errors.
 * Where the memory engine itself is farther than that from R (an ill-conditioned sandwich: the intercept's robust
 * variance with x and x^2 regressors, where the double-precision product bread x meat x bread loses digits in
 * both engines), the tolerance for that standard error is twice the memory engine's distance from R.
 */
export function expectSameModel(
  sql: ModelResult,
  memory: ModelResult,
  tolerance = 1e-9,
  golden?: EngineCase,
): void {
  expect(sql.coefficients.map((c) => c.term)).toEqual(memory.coefficients.map((c) => c.term));
  expect(sql.nobs).toBe(memory.nobs);
  expect(sql.dropped).toEqual(memory.dropped);
  expect(sql.collinear).toEqual(memory.collinear);
  expect(sql.notes).toEqual(memory.notes);
  expect(sql.vcov.k).toBe(memory.vcov.k);
  expect(sql.vcov.n_clusters).toEqual(memory.vcov.n_clusters);
  expect(sql.vcov.df_t).toBe(memory.vcov.df_t);
  sql.coefficients.forEach((c, j) => {
    const m = memory.coefficients[j] as ModelResult["coefficients"][number];
    expect(relative(c.estimate, m.estimate), `${c.term} estimate`).toBeLessThan(tolerance);
    const g = golden?.terms.indexOf(c.term) ?? -1;
    const floor = golden && g >= 0 ? 2 * relative(m.std_error, golden.std_error[g] as number) : 0;
    expect(relative(c.std_error, m.std_error), `${c.term} std. error`).toBeLessThan(
      Math.max(tolerance, floor),
    );
  });
  expect(relative(sql.r2, memory.r2)).toBeLessThan(tolerance);
  expect(relative(sql.sigma, memory.sigma)).toBeLessThan(tolerance);
}

/** SQL result vs the golden (R) values: the digits the memory engine's own golden tests require. */
export function expectGolden(sql: ModelResult, c: EngineCase, tolerance = 1e-8): void {
  const byTerm = new Map(sql.coefficients.map((x) => [x.term, x]));
  c.terms.forEach((term, j) => {
    // The IV goldens name the endogenous regressor as R does; fixest and we print it as fit_<name>.
    const got = byTerm.get(term) ?? byTerm.get(`fit_${term}`);
    expect(got, term).toBeDefined();
    expect(relative(got?.estimate as number, c.estimate[j] as number), `${term} estimate vs R`).toBeLessThan(
      tolerance,
    );
    // reghdfe's standard errors with fixed effects use its own K, which the SQL engines do not compute.
    if (c.set !== "reghdfe" || !/\|/.test(c.formula))
      expect(
        relative(got?.std_error as number, c.std_error[j] as number),
        `${term} std. error vs R`,
      ).toBeLessThan(tolerance);
  });
}
