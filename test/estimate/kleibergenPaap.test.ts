/**
 * Kleibergen-Paap rk Wald F with several endogenous regressors, against two independent sources:
 * - Stata's ivreg2 (test/golden/ivreg2_stata.json: outputs shipped by restatr/ivreg2r for
 *   `ivreg2 y x1 x2 (endo1 endo2 = z1 z2 z3 z4)` on its simulated data, fixtures/iv/sim_multi_endo.csv): widstat with
 *   `robust` (with and without `small`, which leaves it unchanged), the Cragg-Donald F, and the 2SLS estimates,
 *   standard errors and robust covariance that go with them;
 * - scripts/golden/kleibergen_paap.R (test/golden/kleibergen_paap.json), which builds the statistic as Stata's
 *   ranktest does and reproduces Stata's widstat, for three endogenous regressors, one-way clustering, analytic
 *   weights and absorbed fixed effects.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ModelResult } from "../../src/model/result.js";
import { expectClose, type GoldenRegressionCase } from "../helpers/close.js";
import { regress } from "../helpers/regress.js";

const RELATIVE = 1e-8;

interface StataModel {
  formula: string;
  diagnostics: Record<string, { N: number; cdf: number; widstat: number }>;
  terms: string[];
  estimate: number[];
  std_error: Record<string, number[]>;
  vcov: { hc1: number[][] };
}
const stata = JSON.parse(readFileSync("test/golden/ivreg2_stata.json", "utf8")) as {
  models: { sim_multi_endo: StataModel };
};

interface RCase extends GoldenRegressionCase {
  kleibergen_paap_f: number;
}
const golden = JSON.parse(readFileSync("test/golden/kleibergen_paap.json", "utf8")) as { cases: RCase[] };

async function estimate(
  file: string,
  formula: string,
  options: { vcov?: string; cluster?: string; weights?: string },
): Promise<ModelResult> {
  const output = await regress(file, [formula], { ...options, level: "0.95" });
  const model = output.models[0];
  if (model === undefined || model.iv === undefined) throw new Error("no IV model");
  return model;
}

/** Stata's coefficient names to ours: endogenous regressors are `fit_<name>`, the constant `(Intercept)`. */
function ourTerm(term: string): string {
  if (term === "_cons") return "(Intercept)";
  return term.startsWith("endo") ? `fit_${term}` : term;
}

describe("Kleibergen-Paap rk Wald F and 2SLS against Stata's ivreg2 (restatr/ivreg2r fixtures)", () => {
  const model = stata.models.sim_multi_endo;
  const file = "fixtures/iv/sim_multi_endo.csv";

  it("widstat with robust errors (ivreg2 robust and robust small give the same)", async () => {
    const hc1 = await estimate(file, model.formula, { vcov: "hc1" });
    const hc0 = await estimate(file, model.formula, { vcov: "hc0" });
    expect(hc1.nobs).toBe(model.diagnostics.hc1?.N);
    const widstat = model.diagnostics.hc1?.widstat as number;
    expect(model.diagnostics.hc1_small?.widstat).toBe(widstat);
    expectClose(
      [hc1.iv?.kleibergen_paap_f ?? Number.NaN, hc0.iv?.kleibergen_paap_f ?? Number.NaN],
      [widstat, widstat],
      RELATIVE,
      "Kleibergen-Paap rk Wald F (hc1, hc0)",
    );
  });

  it("Cragg-Donald Wald F (widstat without robust); no Kleibergen-Paap F with iid errors", async () => {
    const iid = await estimate(file, model.formula, { vcov: "iid" });
    const cdf = model.diagnostics.iid?.cdf as number;
    expect(model.diagnostics.iid?.widstat).toBe(cdf);
    expectClose([iid.iv?.cragg_donald_f ?? Number.NaN], [cdf], RELATIVE, "Cragg-Donald F");
    expect(iid.iv?.kleibergen_paap_f).toBeNull();
  });

  it("2SLS estimates and standard errors: iid = Stata small, hc1 = Stata robust small, hc0 = Stata robust", async () => {
    const pairs: [string, string][] = [
      ["iid", "iid_small"],
      ["hc1", "hc1_small"],
      ["hc0", "hc1"],
    ];
    for (const [ours, theirs] of pairs) {
      const m = await estimate(file, model.formula, { vcov: ours });
      const pick = (field: "estimate" | "std_error") =>
        model.terms.map((t) => {
          const c = m.coefficients.find((x) => x.term === ourTerm(t));
          if (c === undefined) throw new Error(`no term ${ourTerm(t)}`);
          return c[field];
        });
      expectClose(pick("estimate"), model.estimate, RELATIVE, `${ours} estimate`);
      expectClose(pick("std_error"), model.std_error[theirs] as number[], RELATIVE, `${ours} std_error`);
    }
  });

  it("robust covariance matrix (Stata robust = our hc0)", async () => {
    const m = await estimate(file, model.formula, { vcov: "hc0" });
    const index = model.terms.map((t) => m.coefficients.findIndex((c) => c.term === ourTerm(t)));
    const ours = index.flatMap((r) => index.map((c) => (m.vcov_matrix[r] as number[])[c] as number));
    expectClose(ours, model.vcov.hc1.flat(), RELATIVE, "vcov");
  });
});

describe("Kleibergen-Paap rk Wald F against the ranktest construction in R (scripts/golden/kleibergen_paap.R)", () => {
  for (const c of golden.cases) {
    const options = [c.vcov, c.cluster?.join("+"), c.weights ? `weights ${c.weights}` : ""].filter(Boolean);
    it(`${c.id}: ${c.formula} [${options.join(", ")}]`, async () => {
      const m = await estimate(c.file, c.formula, {
        vcov: c.vcov === "cluster" ? undefined : c.vcov,
        cluster: c.cluster?.join(","),
        weights: c.weights ?? undefined,
      });
      expect(m.nobs).toBe(c.nobs);
      expectClose([m.iv?.kleibergen_paap_f ?? Number.NaN], [c.kleibergen_paap_f], RELATIVE, "rk Wald F");
    });
  }
});
