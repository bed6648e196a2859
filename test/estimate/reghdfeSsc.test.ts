/**
 * `--ssc reghdfe` against R: lm() on explicit fixed-effect dummies, sandwich's HC0/CR0 on it, and reghdfe's
 * counts (df_a from qr() ranks of dummy pairs, nesting checked in R) and factors applied by hand, as read in
 * reghdfe's Mata source (scripts/golden/reghdfe.R, test/golden/reghdfe.json). The cigar_* cases also meet standard
 * errors printed by FixedEffectModels.jl's test suite as matching reghdfe, at their printed precision.
 * Real data: Baltagi's cigarette panel, Grunfeld, Petersen, Atlas x F-33 counties (state and commuting zone: four
 * connected components), CigarettesSW; panel3 and disconnected are synthetic fixtures of scripts/golden/demean.R.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ReghdfeDofRow } from "../../src/absorb/fixedEffectDof.js";
import { expectClose, expectCoefficientsClose, type GoldenRegressionCase } from "../helpers/close.js";
import { regress } from "../helpers/regress.js";

/** reghdfe's e(dof_table) rows, as the golden JSON spells them. */
type DofRow = ReghdfeDofRow;

interface ReghdfeCase extends GoldenRegressionCase {
  drop_singletons: boolean;
  singletons_dropped: number;
  terms: string[];
  estimate: number[];
  std_error: number[];
  statistic: number[];
  conf_low: number[];
  conf_high: number[];
  k: number;
  df_t: number;
  adjustment: number;
  n_clusters: Record<string, number> | null;
  df_a: number;
  df_a_nested: number;
  dof_table: DofRow[] | DofRow;
  psd_fixed: boolean;
  sigma: number;
  adj_r2: number;
  r2: number;
  df_resid: number;
  vcov_matrix: number[][];
  published: { source: string; terms: string[]; std_error: number[]; decimals: number[] } | null;
}

const golden = JSON.parse(readFileSync("test/golden/reghdfe.json", "utf8")) as { cases: ReghdfeCase[] };
// The demeaning stops at 1e-10 of each column's sd: agreement to 1e-8 relative is the contract (README).
const RELATIVE = 1e-8;

async function run(c: ReghdfeCase) {
  const output = await regress(c.file, [c.formula], {
    vcov: c.vcov === "cluster" ? undefined : c.vcov,
    cluster: c.cluster?.join(","),
    weights: c.weights ?? undefined,
    ssc: "reghdfe",
    dropSingletons: c.drop_singletons,
    level: "0.95",
    types: c.file.includes("atlas_f33") ? "fips:string,state:string" : undefined,
  });
  const model = output.models[0];
  if (model === undefined) throw new Error("no model");
  return model;
}

describe("--ssc reghdfe matches reghdfe's conventions computed in R (scripts/golden/reghdfe.R)", () => {
  for (const c of golden.cases) {
    it(`${c.id}: ${c.formula} [${c.vcov}${c.cluster ? ` ${c.cluster.join("+")}` : ""}${c.weights ? `, weights ${c.weights}` : ""}${c.drop_singletons ? ", --drop-singletons" : ""}]`, async () => {
      const model = await run(c);
      expect(model.nobs).toBe(c.nobs);
      expect(model.dropped.singletons).toBe(c.singletons_dropped);
      expect(model.coefficients.map((x) => x.term)).toEqual(c.terms);
      expectCoefficientsClose(
        model.coefficients,
        c,
        ["estimate", "std_error", "statistic", "conf_low", "conf_high"],
        RELATIVE,
      );
      expectCoefficientsClose(model.coefficients, c, ["p_value"], RELATIVE, { logScale: true });
      expectClose(model.vcov_matrix.flat(), c.vcov_matrix.flat(), RELATIVE, "vcov_matrix");
      // Every number that enters the correction.
      expect(model.vcov.ssc).toBe("reghdfe");
      expect(model.vcov.n).toBe(c.nobs);
      expect(model.vcov.k).toBe(c.k);
      expect(model.vcov.df_t).toBe(c.df_t);
      expect(model.vcov.n_clusters).toEqual(c.n_clusters ? Object.values(c.n_clusters) : []);
      expectClose([model.vcov.adjustment], [c.adjustment], 1e-14, "adjustment");
      const table = Array.isArray(c.dof_table) ? c.dof_table : [c.dof_table];
      if (table.length > 0) {
        expect(model.vcov.fe_dof).toEqual({ df_a: c.df_a, df_a_nested: c.df_a_nested, table });
      } else {
        expect(model.vcov.fe_dof).toBeUndefined();
      }
      expect(model.df_resid).toBe(c.df_resid);
      expectClose(
        [model.sigma, model.adj_r2, model.r2],
        [c.sigma, c.adj_r2, c.r2],
        RELATIVE,
        "sigma, adj_r2, r2",
      );
      expect(model.notes.some((n) => n.includes("not positive semi-definite"))).toBe(c.psd_fixed);
    });
  }
});

describe("--ssc reghdfe reproduces standard errors published as reghdfe's (FixedEffectModels.jl test/fit.jl)", () => {
  for (const c of golden.cases.filter((x) => x.published !== null)) {
    const published = c.published as NonNullable<ReghdfeCase["published"]>;
    it(`${c.id}: ${published.terms.join(", ")} = ${published.std_error.join(", ")}`, async () => {
      const model = await run(c);
      published.terms.forEach((term, j) => {
        const got = model.coefficients.find((x) => x.term === term)?.std_error as number;
        const unit = 10 ** -(published.decimals[j] as number);
        expect(Math.abs(got - (published.std_error[j] as number)) / unit).toBeLessThanOrEqual(0.5);
      });
    });
  }
});
