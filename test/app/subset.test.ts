/**
 * `--subset` / a spec model's `subset:` through the application layer: the rows kept are those where the R-style
 * condition is TRUE, and the estimates equal fixest's on R's subset() of the same data:
 *   d <- read.csv("fixtures/fe/grunfeld.csv")
 *   feols(inv ~ value + capital | firm, subset(d, year >= 1940 & firm != 3))   # fixest 0.12.2
 * (fixest's default standard errors with one fixed effect: clustered by it) gives value 0.14682481398090622 (se 0.014820252214715619), capital 0.30991161711650428 (se 0.022797805874925914).
 */
import { describe, expect, it } from "vitest";
import { expectClose } from "../helpers/close.js";
import { regressRun } from "../helpers/regress.js";

describe("subset", () => {
  it("keeps the rows where the condition is TRUE, with a note (fixest on R's subset())", async () => {
    const run = await regressRun("fixtures/fe/grunfeld.csv", ["inv ~ value + capital | firm"], {
      subset: "year >= 1940 & firm != 3",
      cluster: "firm",
    });
    const model = run.models[0]?.result;
    if (model === undefined) throw new Error("no model");
    expect(model.nobs).toBe(135);
    expectClose(
      model.coefficients.map((c) => c.estimate),
      [0.14682481398090622, 0.30991161711650428],
      1e-12,
      "estimates",
    );
    expectClose(
      model.coefficients.map((c) => c.std_error),
      [0.014820252214715619, 0.022797805874925914],
      1e-10,
      "standard errors",
    );
    expect(model.notes[0]).toBe('subset "year >= 1940 & firm != 3" removed 65 of 200 rows');
  });

  it("points at the character of a malformed condition", async () => {
    await expect(
      regressRun("fixtures/fe/grunfeld.csv", ["inv ~ value | firm"], { subset: "year >= " }),
    ).rejects.toThrow(/expression "year >= " at position 9/);
  });
});
