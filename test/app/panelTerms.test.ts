/**
 * fixest's panel operators in formulas, l(), f() and d() with --panel-id (fixest panel.id), against fixest itself
 * (scripts/golden/panel_formula.R) on the state reform panel with gap years removed: names, samples, estimates,
 * standard errors, p-values and covariance matrices.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { expectModelMatchesGolden, type GoldenModel } from "../helpers/goldenModel.js";
import { regress } from "../helpers/regress.js";

interface PanelCase extends GoldenModel {
  id: string;
  file: string;
  formula: string;
  panel_id: string[];
  vcov: string;
  cluster: string | null;
}

const golden = JSON.parse(readFileSync("test/golden/panel_formula.json", "utf8")) as { cases: PanelCase[] };

// Measured worst relative errors: estimates 1.1e-12 (a coefficient of 0.002 beside a lagged outcome), 4e-15 on
// the others; tolerances about 100x and above.
const TOLERANCE = { estimate: 1e-10, std_error: 1e-9, p_value: 1e-8 };

describe("l(), f(), d() in formulas match fixest with panel.id (scripts/golden/panel_formula.R)", () => {
  for (const c of golden.cases) {
    it(`${c.id}: ${c.formula} [${c.vcov}${c.cluster ? ` ${c.cluster}` : ""}]`, async () => {
      const output = await regress(c.file, [c.formula], {
        vcov: c.vcov === "cluster" ? undefined : c.vcov === "hetero" ? "hc1" : c.vcov,
        cluster: c.cluster ?? undefined,
        panelId: c.panel_id.join(","),
      });
      expectModelMatchesGolden(output.models[0], c, TOLERANCE);
    });
  }

  it("without --panel-id the formula error points at the operator", async () => {
    await expect(
      regress("fixtures/eventstudy/states_reforms_gaps.csv", ["enroll ~ l(total_revenue, 1)"], {}),
    ).rejects.toThrow(/l\(\) needs the panel: give --panel-id unit,time/);
  });
});
