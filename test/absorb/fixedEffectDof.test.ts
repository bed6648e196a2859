import { describe, expect, it } from "vitest";
import {
  absorbedParameterCount,
  connectedComponents,
  fixestFixefK,
  isNestedIn,
  referencesPerFe,
} from "../../src/absorb/fixedEffectDof.js";
import { fixedEffectFromIds, withSlope } from "../../src/absorb/fixedEffects.js";
import { caseData, golden } from "./feGolden.js";

describe("absorbed parameters against lm()'s rank of the dummy design", () => {
  for (const c of golden.cases) {
    it(`${c.name}: fixest-exact ${c.fe.length <= 2 ? "and components " : ""}equal the rank`, () => {
      const { fes } = caseData(c);
      expect(absorbedParameterCount(fes, "fixest-exact")).toBe(c.rank);
      if (fes.length <= 2) expect(absorbedParameterCount(fes, "components")).toBe(c.rank);
    });
  }

  it("fixest's default rule ignores disconnected components", () => {
    const c = golden.cases.find((g) => g.name === "disconnected 2 FE");
    if (!c) throw new Error("missing case");
    const { fes } = caseData(c);
    expect(connectedComponents(fes[0] as never, fes[1] as never)).toBe(3);
    expect(absorbedParameterCount(fes, "fixest")).toBe(29 + 12 - 1);
    expect(absorbedParameterCount(fes, "components")).toBe(29 + 12 - 3);
  });

  it("components rule is conservative beyond two FEs", () => {
    const c = golden.cases.find((g) => g.name === "panel3 3 FE");
    if (!c) throw new Error("missing case");
    const { fes } = caseData(c);
    expect(absorbedParameterCount(fes, "components")).toBe(80 + 30 + 8 - 1 - 1);
    expect(absorbedParameterCount(fes, "fixest")).toBe(80 + 30 + 8 - 2);
  });
});

describe("fixest's K (ssc) for the documentation example", () => {
  // fixest ssc() examples: fe1 = rep(1:3, c(4, 3, 3)), fe2 = rep(1:5, each = 2), one regressor x.
  const fe1 = fixedEffectFromIds("fe1", Int32Array.from([0, 0, 0, 0, 1, 1, 1, 2, 2, 2]));
  const fe2 = fixedEffectFromIds("fe2", Int32Array.from([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]));
  const fes = [fe1, fe2];
  const kx = 1;

  it("nested (default) clustered by fe1: K = 1 + 5", () => {
    expect(isNestedIn(fe1, fe1.ids)).toBe(true);
    expect(isNestedIn(fe2, fe1.ids)).toBe(false);
    expect(kx + fixestFixefK(fes, { fixefK: "nested", nested: [true, false] })).toBe(6);
  });
  it("none: K = 1", () => expect(kx + fixestFixefK(fes, { fixefK: "none" })).toBe(1));
  it("full: K = 1 + 3 + 5 - 1", () => expect(kx + fixestFixefK(fes, { fixefK: "full" })).toBe(8));
  it("full, force_exact: K = 1 + 3 + 5 - 2", () => {
    expect(referencesPerFe(fes)).toEqual([0, 2]);
    expect(kx + fixestFixefK(fes, { fixefK: "full", forceExact: true })).toBe(7);
  });
  it("nested without clustering behaves as full", () => {
    expect(fixestFixefK(fes, { fixefK: "nested" })).toBe(7);
  });
  it("all FEs nested: only the absorbed intercept counts", () => {
    expect(fixestFixefK(fes, { fixefK: "nested", nested: [true, true] })).toBe(1);
  });
  it("counts slope coefficients", () => {
    const x = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const sl = withSlope(fe1, x, { name: "t" });
    // fe1[t]: 3 intercepts + 3 slopes; plus fe2; one restriction between the two intercept FEs.
    expect(fixestFixefK([sl, fe2], { fixefK: "full" })).toBe(6 + 5 - 1);
    expect(fixestFixefK([sl, fe2], { fixefK: "none" })).toBe(3);
    expect(absorbedParameterCount([sl, fe2], "fixest-exact")).toBe(6 + 5 - 2);
  });
});

describe("isNestedIn", () => {
  it("detects nesting of an FE in a coarser cluster", () => {
    const county = fixedEffectFromIds("county", Int32Array.from([0, 0, 1, 2, 2, 3]));
    const state = Int32Array.from([7, 7, 7, 9, 9, 9]);
    expect(isNestedIn(county, state)).toBe(true);
    expect(isNestedIn(county, Int32Array.from([7, 8, 7, 9, 9, 9]))).toBe(false);
  });
});
