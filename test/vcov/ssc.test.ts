/**
 * The small-sample conventions (src/vcov/ssc.ts) on hand-computed numbers: the factors of fixest's ssc() and
 * Stata (iid, HC1, one- and multi-way clusters, HAC), the per-term and none conventions, t degrees of freedom,
 * and K built from the degrees-of-freedom facts (fixest's "nested" count, reghdfe's count, refusals).
 */
import { describe, expect, it } from "vitest";
import type { DegreesOfFreedom } from "../../src/model/fit.js";
import {
  clusterAdjustment,
  hacAdjustment,
  heteroAdjustment,
  iidScale,
  parameterCounts,
  parseSmallSample,
  tDegreesOfFreedom,
} from "../../src/vcov/ssc.js";

const facts = (over: Partial<DegreesOfFreedom> = {}): DegreesOfFreedom => ({
  coefficients: 3,
  interceptIndex: null,
  fixedEffects: 60,
  fixedEffectTerms: ["state", "year"],
  fixedEffectsNested: (vars) => (vars.includes("state") ? 10 : 60),
  ...over,
});

describe("small-sample conventions", () => {
  it("fixest (= Stata) factors and t df", () => {
    expect(heteroAdjustment("fixest", 100, 4)).toBe(100 / 96);
    expect(clusterAdjustment("fixest", 100, 4, 20, 20)).toBe((99 / 96) * (20 / 19));
    // Multi-way: every term takes G_min / (G_min - 1); per-term: each its own G.
    expect(clusterAdjustment("fixest", 100, 4, 50, 20)).toBe((99 / 96) * (20 / 19));
    expect(clusterAdjustment("per-term", 100, 4, 50, 20)).toBe((99 / 96) * (50 / 49));
    expect(hacAdjustment("fixest", 100, 4, 25)).toBe((99 / 96) * (25 / 24));
    expect(tDegreesOfFreedom("fixest", "iid", 100, 4, 0)).toBe(96);
    expect(tDegreesOfFreedom("fixest", "cluster", 100, 4, 20)).toBe(19);
    expect(tDegreesOfFreedom("fixest", "hac", 100, 4, 25)).toBe(24);
    expect(tDegreesOfFreedom("reghdfe", "cluster", 100, 4, 200, 10)).toBe(90);
  });

  it("none: raw sandwiches and normal inference; iid unchanged", () => {
    expect(heteroAdjustment("none", 100, 4)).toBe(1);
    expect(clusterAdjustment("none", 100, 4, 20, 20)).toBe(1);
    expect(hacAdjustment("none", 100, 4, 25)).toBe(1);
    expect(tDegreesOfFreedom("none", "cluster", 100, 4, 20)).toBe(Number.POSITIVE_INFINITY);
    expect(tDegreesOfFreedom("none", "hetero", 100, 4, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(tDegreesOfFreedom("none", "iid", 100, 4, 0)).toBe(96);
    expect(iidScale("none", { kind: "estimated" }, 48, 100, 4)).toBe(0.5);
  });

  it("iid scale: RSS / (n - K), or (n - 1) / (n - K) times a fixed dispersion (fixest's feglm)", () => {
    expect(iidScale("fixest", { kind: "estimated" }, 96, 100, 4)).toBe(1);
    expect(iidScale("fixest", { kind: "fixed", value: 1 }, 96, 100, 4)).toBe(99 / 96);
    expect(iidScale("none", { kind: "fixed", value: 1 }, 96, 100, 4)).toBe(1);
  });

  it("K: full count, fixest's nested count for grouping variables, with a note when they differ", () => {
    expect(parameterCounts(facts(), "fixest", [], [])).toMatchObject({
      k: 63,
      kResidual: 63,
      kFit: 63,
      notes: [],
    });
    const nested = parameterCounts(facts(), "fixest", ["state"], ["state"]);
    expect(nested).toMatchObject({ k: 13, kFit: 63 });
    expect(nested.notes[0]).toMatch(/nested in the cluster variable are not counted/);
    // Without fixed effects nothing is nested.
    expect(
      parameterCounts(facts({ fixedEffects: 0, fixedEffectTerms: [] }), "fixest", ["state"], ["state"]).k,
    ).toBe(3);
  });

  it("K: reghdfe's count, and refusals a fit declares", () => {
    const counts = parameterCounts(
      facts({
        reghdfe: () => ({ dfA: 40, dfANested: 9, table: [] }),
      }),
      "reghdfe",
      ["state"],
      ["state"],
    );
    expect(counts).toMatchObject({ k: 44, kResidual: 43, kFit: 52 });
    expect(() => parameterCounts(facts({ unsupported: { reghdfe: "no IV" } }), "reghdfe", [], [])).toThrow(
      /no IV/,
    );
    expect(parseSmallSample(undefined)).toBe("fixest");
    expect(parseSmallSample("STATA")).toBe("fixest");
  });
});
