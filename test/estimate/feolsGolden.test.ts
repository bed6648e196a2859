/**
 * Fixed-effects regressions against R: lm() on explicit dummies with fixest's conventions computed by hand from
 * fixest's source (R/VCOV.R, R/ESTIMATION_FUNS.R), cross-checked with estimatr::lm_robust(fixed_effects =),
 * plm's within estimator and sandwich::vcovCL. Golden file and script: test/golden/feols.json,
 * scripts/golden/feols.R. Real data: Grunfeld, CigarettesSW, Petersen, Atlas x F-33 counties; panel3 is synthetic
 * (three fixed effects, weights, interactions).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { FixedEffectValuesResult } from "../../src/absorb/fixedEffectValues.js";
import { expectClose, expectCoefficientsClose, type GoldenRegressionCase } from "../helpers/close.js";
import { regress } from "../helpers/regress.js";

interface FeCase extends GoldenRegressionCase {
  terms: string[];
  estimate: number[];
  std_error: number[];
  conf_low: number[];
  conf_high: number[];
  p_value: number[];
  statistic: number[];
  vcov_matrix: number[][];
  df_t: number;
  vcov_k: number;
  r2: number;
  adj_r2: number;
  within_r2: number;
  rmse: number;
  sigma: number;
  collinear_dropped?: string[] | null;
  fixef?: { fe: string; references: number; levels: string[]; values: number[] }[] | null;
}

const golden = JSON.parse(readFileSync("test/golden/feols.json", "utf8")) as { cases: FeCase[] };
// The demeaning stops at 1e-10 of each column's sd: agreement to 1e-8 relative is the contract (README).
const RELATIVE = 1e-8;

describe("fixed effects match fixest's conventions computed in R (scripts/golden/feols.R)", () => {
  for (const c of golden.cases) {
    it(`${c.id}: ${c.formula} [${c.vcov}${c.cluster ? ` ${c.cluster.join("+")}` : ""}${c.weights ? `, weights ${c.weights}` : ""}]`, async () => {
      let fixef: FixedEffectValuesResult | null = null;
      const output = await regress(
        c.file,
        [c.formula],
        {
          vcov: c.vcov === "cluster" ? undefined : c.vcov,
          cluster: c.cluster?.join(","),
          weights: c.weights ?? undefined,
          level: "0.95",
          types: c.file.includes("atlas_f33") ? "fips:string,state:string" : undefined,
        },
        (_, values) => {
          fixef = values;
        },
      );
      const model = output.models[0];
      if (model === undefined) throw new Error("no model");
      expect(model.nobs).toBe(c.nobs);
      expect(model.coefficients.map((x) => x.term)).toEqual(c.terms);
      expectCoefficientsClose(
        model.coefficients,
        c,
        ["estimate", "std_error", "conf_low", "conf_high"],
        RELATIVE,
      );
      expectCoefficientsClose(model.coefficients, c, ["statistic"], RELATIVE);
      expectCoefficientsClose(model.coefficients, c, ["p_value"], RELATIVE, { logScale: true });
      expectClose(model.vcov_matrix.flat(), c.vcov_matrix.flat(), 2 * RELATIVE, "vcov matrix");
      expect(model.vcov.k).toBe(c.vcov_k);
      expect(model.vcov.df_t).toBe(c.df_t);
      expectClose(
        [model.r2, model.adj_r2, model.within_r2 ?? Number.NaN, model.rmse, model.sigma],
        [c.r2, c.adj_r2, c.within_r2, c.rmse, c.sigma],
        RELATIVE,
        "r2, adj_r2, within_r2, rmse, sigma",
      );
      if (c.collinear_dropped && c.collinear_dropped.length > 0)
        expect(model.collinear).toEqual(c.collinear_dropped);
      for (const expected of c.fixef ?? []) {
        const got = (fixef as FixedEffectValuesResult | null)?.fixedEffects.find(
          (f) => f.name === expected.fe,
        );
        expect(got?.levels).toEqual(expected.levels);
        expect(got?.references).toBe(expected.references);
        // Fixed effects are level means of y - Xb: absolute agreement relative to their spread.
        const scale = Math.max(...expected.values.map(Math.abs));
        Array.from(got?.values ?? []).forEach((v, j) => {
          expect(Math.abs(v - (expected.values[j] as number)) / scale).toBeLessThan(1e-8);
        });
      }
    });
  }
});
