/**
 * reghdfe's count of absorbed parameters (fixedEffectDof.ts `reghdfeDof`) on designs small enough to count by
 * hand; each expectation says how. The rules are those of reghdfe's DoF.mata (module comment); real-data cases
 * against R are in reghdfeSsc.test.ts.
 */
import { describe, expect, it } from "vitest";
import { reghdfeDof } from "../../src/absorb/fixedEffectDof.js";
import { fixedEffectFromIds, withSlope } from "../../src/absorb/fixedEffects.js";

const fe = (name: string, ids: number[]) => fixedEffectFromIds(name, Int32Array.from(ids));

describe("reghdfeDof (hand counts)", () => {
  // Rows: a (6 levels), b (4 levels), c (2 levels).
  // a-b edges: a0-b0, a1-b0, a2-b1, a3-b1, a4-b2, a5-b3 -> components {a0,a1,b0}, {a2,a3,b1}, {a4,b2}, {a5,b3} = 4
  // a-c edges: a0-c0, a1-c0, a2-c1, a3-c1, a4-c0, a5-c1 -> 2 components; b-c: b0-c0, b1-c1, b2-c0, b3-c1 -> 2
  const a = fe("a", [0, 1, 2, 3, 4, 5]);
  const b = fe("b", [0, 0, 1, 1, 2, 3]);
  const c = fe("c", [0, 0, 1, 1, 0, 1]);

  it("two FEs: the second loses its connected components (6 + 4 - 4 = 6)", () => {
    const dof = reghdfeDof([a, b]);
    expect(dof.rows.map((r) => r.redundant)).toEqual([0, 4]);
    expect(dof.dfA).toBe(6);
    expect(dof.dfANested).toBe(0);
  });

  it("three FEs, pairwise: the third loses max(1, m_ac = 2, m_bc = 2) = 2 (6 + 4 + 2 - 0 - 4 - 2 = 6)", () => {
    const dof = reghdfeDof([a, b, c]);
    expect(dof.rows.map((r) => r.redundant)).toEqual([0, 4, 2]);
    expect(dof.rows.map((r) => r.exact)).toEqual([true, true, false]);
    expect(dof.dfA).toBe(6);
  });

  it("a FE nested in a cluster: all its levels redundant, and the first remaining FE loses one too", () => {
    // cluster codes: b is nested (b0 -> 0, b1 -> 0, b2 -> 1, b3 -> 1); a and c are not (c0 spans both clusters).
    const cluster = Int32Array.from([0, 0, 0, 0, 1, 1]);
    const dof = reghdfeDof([a, b, c], [cluster]);
    // a is nested too (each a-level is one row): a 6/6, b 4/4, c loses 1 (first remaining, nested > 0).
    expect(dof.rows.map((r) => [r.nested, r.redundant])).toEqual([
      [true, 6],
      [true, 4],
      [false, 1],
    ]);
    expect(dof.dfANested).toBe(10);
    expect(dof.dfA).toBe(1);
  });

  it("without clustering no FE is nested, whatever the data", () => {
    expect(reghdfeDof([b, c]).dfANested).toBe(0);
  });

  it("slopes: fe[x] redundant where x is constant to 1e-6, fe[[x]] where x is zero to 1e-6", () => {
    const g = fe("g", [0, 0, 1, 1, 2, 2]);
    // level 0: x varies by 5e-7 (constant for reghdfe), level 1: by 1, level 2: constant 3.
    const x = Float64Array.from([1, 1 + 5e-7, 0, 1, 3, 3]);
    const withIntercept = reghdfeDof([withSlope(g, x)]);
    expect(withIntercept.rows.map((r) => [r.part, r.categories, r.redundant])).toEqual([
      ["intercept", 3, 0],
      ["slope", 3, 2],
    ]);
    expect(withIntercept.dfA).toBe(4);
    // slope only: level 0 is x = 1 (not zero), level 1 has x = 0 and 1, level 2: x = 3e-7 and -2e-7 (|min| + |max|
    // = 5e-7: zero).
    const z = Float64Array.from([1, 1, 0, 1, 3e-7, -2e-7]);
    const slopeOnly = reghdfeDof([withSlope(g, z, { intercept: false })]);
    expect(slopeOnly.rows.map((r) => [r.part, r.redundant])).toEqual([["slope", 1]]);
    expect(slopeOnly.dfA).toBe(2);
  });
});
