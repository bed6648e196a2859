/**
 * Reduced forms for `--stages reduced` and spec `{model, stage: reduced}`: the reduced form of an IV model is the
 * OLS of the outcome on the exogenous regressors and the instruments, the formula a user would write (fixest has
 * no reduced-form stage; its users run this feols). Checked against that formula estimated directly, and its
 * coefficient names against fixest's (instrument interactions in the user's order).
 */
import { describe, expect, it } from "vitest";
import { reducedFormFormula, runRegressions } from "../../src/app/regression.js";
import { readCsv } from "../../src/data/csv.js";
import { parseFormula } from "../../src/formula/parser.js";

describe("reduced forms of IV models", () => {
  it("is the OLS of y on the exogenous regressors and the instruments, with the IV model's covariance", async () => {
    const table = await readCsv("fixtures/iv/cigarettes_sw_panel.csv");
    const iv = parseFormula("lpacks ~ lincome | state + year | lprice ~ tdiff");
    expect(reducedFormFormula(iv).text).toBe("lpacks ~ lincome + tdiff | state + year");
    const run = runRegressions(table, {
      formulas: [iv],
      covariance: { cluster: ["state"] },
      level: 0.95,
      reducedForms: true,
    });
    const direct = runRegressions(table, {
      formulas: [parseFormula("lpacks ~ lincome + tdiff | state + year")],
      covariance: { cluster: ["state"] },
      level: 0.95,
    });
    const reduced = run.models[0]?.reduced?.result;
    expect(reduced?.stage).toBe("reduced");
    expect(reduced?.coefficients).toEqual(direct.models[0]?.result.coefficients);
  });

  it("writes the instruments' interactions in the user's order and keeps a no-intercept model so", () => {
    expect(reducedFormFormula(parseFormula("y ~ 1 | fe | beta + beta:pc ~ bsim + bsim:pc")).text).toBe(
      "y ~ bsim + bsim:pc | fe",
    );
    expect(reducedFormFormula(parseFormula("y ~ x - 1 | endo ~ z")).text).toBe("y ~ 0 + x + z");
  });
});
