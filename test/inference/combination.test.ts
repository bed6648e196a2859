/**
 * --lincom / --nlcom against hand-derived delta-method values computed from R's estimates and covariance
 * (test/golden/ols.json, scripts/golden/ols.R): for a linear combination g'b with Var = g'Vg; for the turning
 * point -a/(2c) the gradient is (-1/(2c), a/(2c^2)).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { twoSidedPValue } from "../../src/inference/distributions.js";
import { regress } from "../helpers/regress.js";

interface GoldenCase {
  id: string;
  terms: string[];
  estimate: number[];
  vcov_matrix: number[][];
  df_t: number;
}
const golden = JSON.parse(readFileSync("test/golden/ols.json", "utf8")) as { cases: GoldenCase[] };
const find = (id: string) => golden.cases.find((c) => c.id === id) as GoldenCase;

function quadraticForm(g: number[], v: number[][]): number {
  let s = 0;
  for (let a = 0; a < g.length; a++)
    for (let b = 0; b < g.length; b++) s += (g[a] as number) * (v[a]?.[b] as number) * (g[b] as number);
  return s;
}

describe("combinations of coefficients (delta method, hand-derived from R's vcov)", () => {
  it("lincom b[log_ppe] + 0.3*b[log_ppe:local_share] on county_interaction_iid", async () => {
    const c = find("county_interaction_iid");
    const out = await regress(
      "fixtures/atlas_f33_county.csv",
      ["kfr_pooled_pooled_p25 ~ log_ppe*local_share"],
      {
        level: "0.95",
        lincom: ["b[log_ppe] + 0.3*b[log_ppe:local_share]"],
      },
    );
    const g: number[] = c.terms.map((t) => (t === "log_ppe" ? 1 : t === "log_ppe:local_share" ? 0.3 : 0));
    const estimate = g.reduce((s, gi, j) => s + gi * (c.estimate[j] as number), 0);
    const se = Math.sqrt(quadraticForm(g, c.vcov_matrix));
    const result = out.models[0]?.combinations?.[0];
    expect(result?.estimate).toBeCloseTo(estimate, 12);
    expect(Math.abs((result?.std_error as number) / se - 1)).toBeLessThan(1e-9);
    expect(result?.p_value).toBeCloseTo(twoSidedPValue(estimate / se, c.df_t), 10);
  });

  it("nlcom turning point -b[log_ppe]/(2*b[I(log_ppe^2)]) on county_black_male_quad_cluster_state", async () => {
    const c = find("county_black_male_quad_cluster_state");
    const out = await regress(
      "fixtures/atlas_f33_county.csv",
      ["kfr_black_male_p25 ~ log_ppe + I(log_ppe^2) + local_share"],
      { level: "0.95", cluster: "state", types: "state:string", nlcom: ["-b[log_ppe]/(2*b[I(log_ppe^2)])"] },
    );
    const ia = c.terms.indexOf("log_ppe");
    const ic = c.terms.indexOf("I(log_ppe^2)");
    const a = c.estimate[ia] as number;
    const q = c.estimate[ic] as number;
    const g = c.terms.map((_, j) => (j === ia ? -1 / (2 * q) : j === ic ? a / (2 * q * q) : 0));
    const result = out.models[0]?.combinations?.[0];
    expect(Math.abs((result?.estimate as number) / (-a / (2 * q)) - 1)).toBeLessThan(1e-9);
    // The quadratic's covariance is ill-conditioned (see olsGolden.test.ts): 1e-8 relative.
    expect(
      Math.abs((result?.std_error as number) / Math.sqrt(quadraticForm(g, c.vcov_matrix)) - 1),
    ).toBeLessThan(1e-8);
  });

  it("rejects a nonlinear --lincom and an unknown coefficient with usage errors", async () => {
    const run = (opts: { lincom?: string[]; nlcom?: string[] }) =>
      regress("fixtures/atlas_f33_county.csv", ["kfr_pooled_pooled_p25 ~ log_ppe"], {
        level: "0.95",
        ...opts,
      });
    await expect(run({ lincom: ["b[log_ppe]^2"] })).rejects.toThrow(
      /not linear in the coefficients: use nlcom/,
    );
    await expect(run({ lincom: ["b[ppe]"] })).rejects.toThrow(
      /no coefficient 'ppe' \(coefficients: \(Intercept\), log_ppe\)/,
    );
    await expect(run({ nlcom: ["log_ppe * 2"] })).rejects.toThrow(/write coefficients as b\[log_ppe\]/);
  });
});
