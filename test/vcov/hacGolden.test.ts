/**
 * Newey-West and Driscoll-Kraay covariances against fixest itself (vcov = NW(L) ~ unit + time, DK(L) ~ time;
 * scripts/golden/hac.R) on the real state education panel: fixed effects nested in the panel variables (fixest's
 * K), default and explicit lags, weights, a time series with fixest's automatic lag, and a Poisson model.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { expectModelMatchesGolden, type GoldenModel } from "../helpers/goldenModel.js";
import { regress } from "../helpers/regress.js";

/** A golden case: how the model is specified, and its results (GoldenModel). */
interface HacCase extends GoldenModel {
  id: string;
  file: string;
  formula: string;
  vcov: "nw" | "dk";
  panel_id: string[];
  lag: number | null;
  weights: string | null;
  family: string;
  type: string;
  df_t: number;
  dof_k: number;
}

const golden = JSON.parse(readFileSync("test/golden/hac.json", "utf8")) as { cases: HacCase[] };

// Measured worst errors: estimates 3e-10 (models without fixed effects, where fixest's double-precision solve is
// the less accurate side), standard errors 7e-9 (the time series with the automatic lag), p-values 1.5e-7.
const TOLERANCE = { estimate: 1e-9, std_error: 1e-7, p_value: 1e-5 };

describe("HAC covariances match fixest (scripts/golden/hac.R)", () => {
  for (const c of golden.cases) {
    it(`${c.id}: ${c.formula} [${c.type}, panel ${c.panel_id.join("+")}]`, async () => {
      const output = await regress(c.file, [c.formula], {
        family: c.family,
        vcov: c.vcov,
        panelId: c.panel_id.join(","),
        lag: c.lag ?? undefined,
        weights: c.weights ?? undefined,
      });
      const model = expectModelMatchesGolden(output.models[0], c, TOLERANCE);
      // fixest's label "Newey-West (L=2)" carries the lag it used, default or given.
      expect(`L=${model.vcov.lag}`).toBe(/\(L=(\d+)\)/.exec(c.type)?.[0].slice(1, -1));
      expect(model.vcov.k).toBe(c.dof_k);
      // Poisson uses normal inference (fixest reports z values whatever its df.t attribute says).
      expect(model.vcov.df_t).toBe(c.family === "poisson" ? Number.POSITIVE_INFINITY : c.df_t);
    });
  }

  it("refuses a Newey-West time series with repeated periods, pointing to dk", async () => {
    await expect(
      regress("fixtures/states_all_panel.csv", ["log(TOTAL_EXPENDITURE) ~ log(TOTAL_REVENUE)"], {
        vcov: "nw",
        panelId: "YEAR",
      }),
    ).rejects.toThrow(/one row per period of 'YEAR'.*use dk/);
  });
});
