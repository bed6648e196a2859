/**
 * `mobility regress --ssc reghdfe` as users meet it: accepted, and its JSON carries every number of the correction
 * (n, K and reghdfe's df_a table, G per cluster variable, the factor, the t degrees of freedom). The numbers are
 * those of the R computation in test/golden/reghdfe.json (scripts/golden/reghdfe.R); test/estimate/reghdfeSsc.test.ts
 * checks every case, this only ties the command line to that path.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

const golden = JSON.parse(readFileSync("test/golden/reghdfe.json", "utf8")) as {
  cases: {
    id: string;
    nobs: number;
    k: number;
    df_t: number;
    adjustment: number;
    df_a: number;
    df_a_nested: number;
    std_error: number[];
  }[];
};

describe("mobility regress --ssc reghdfe", () => {
  it("prints reghdfe's n, K, G and t degrees of freedom in the JSON (county_3fe_cluster_state)", () => {
    const expected = golden.cases.find((c) => c.id === "county_3fe_cluster_state");
    if (!expected) throw new Error("golden case missing");
    const r = runCli([
      "regress",
      "fixtures/atlas_f33_county.csv",
      "kfr_pooled_pooled_p25 ~ log_ppe + local_share | state + cz + n_districts",
      "--cluster",
      "state",
      "--ssc",
      "reghdfe",
      "--types",
      "fips:string,state:string",
      "--format",
      "json",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const model = JSON.parse(r.stdout).models[0];
    expect(model.vcov).toMatchObject({
      type: "cluster",
      cluster: ["state"],
      n_clusters: [50],
      ssc: "reghdfe",
      n: expected.nobs,
      k: expected.k,
      df_t: expected.df_t,
    });
    expect(model.vcov.adjustment).toBeCloseTo(expected.adjustment, 12);
    expect(model.vcov.fe_dof.df_a).toBe(expected.df_a);
    expect(model.vcov.fe_dof.df_a_nested).toBe(expected.df_a_nested);
    expect(model.vcov.fe_dof.table.map((row: { term: string }) => row.term)).toEqual([
      "state",
      "cz",
      "n_districts",
    ]);
    model.coefficients.forEach((c: { std_error: number }, j: number) => {
      expect(Math.abs(c.std_error / (expected.std_error[j] as number) - 1)).toBeLessThan(1e-8);
    });
  });

  it("refuses IV models with a usage error (reghdfe has no IV)", () => {
    const r = runCli([
      "regress",
      "fixtures/iv/cigarettes_sw_panel.csv",
      "lpacks ~ lincome | state | lprice ~ tdiff",
      "--ssc",
      "reghdfe",
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^mobility: error: the reghdfe convention is for OLS/);
  });

  it("lists reghdfe among the conventions of an unknown --ssc", () => {
    const r = runCli(["regress", "fixtures/petersen.csv", "y ~ x", "--ssc", "areg"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/fixest, per-term, none, reghdfe/);
  });
});
