import { describe, expect, it } from "vitest";
import { fixedEffectFromIds } from "../../src/absorb/fixedEffects.js";
import { findReferences, fixedEffectValues } from "../../src/absorb/fixedEffectValues.js";
import { caseData, golden, sd } from "./feGolden.js";

describe("fixedEffectValues against lm() with fixest's references (scripts/golden/demean.R)", () => {
  for (const c of golden.cases) {
    const fx = c.fixef;
    const sl = c.slopeFixef;
    if (fx) {
      it(`${c.name}: FE coefficients and references`, () => {
        const { fes, columns, weights } = caseData(c);
        const y = columns.get(fx.y) as Float64Array;
        const r = y.slice();
        fx.x.forEach((name, j) => {
          const x = columns.get(name) as Float64Array;
          for (let i = 0; i < r.length; i++)
            r[i] = (r[i] as number) - (fx.coef[j] as number) * (x[i] as number);
        });
        const res = fixedEffectValues(r, fes, weights, { tol: 1e-12 });
        expect(res.converged).toBe(true);
        expect(res.approximate).toBe(false);
        const scale = sd(y);
        c.fe.forEach((name, q) => {
          const want = fx.fe[name];
          const got = res.fixedEffects[q];
          if (!want || !got) throw new Error(`missing ${name}`);
          expect(got.references, name).toBe(want.references);
          const byLabel = new Map(want.levels.map((l, g) => [l, want.values[g] as number]));
          expect(got.levels?.length).toBe(want.levels.length);
          got.levels?.forEach((label, g) => {
            expect(
              Math.abs((got.values[g] as number) - (byLabel.get(label) as number)) / scale,
              `${name} ${label}`,
            ).toBeLessThan(1e-9);
          });
        });
        const total = Object.values(fx.fe).reduce((a, e) => a + e.references, 0);
        expect(res.regular).toBe(total <= c.fe.length - 1);
      });
    }
    if (sl) {
      it(`${c.name}: slope coefficients (identified) match lm()`, () => {
        const { fes, columns, weights } = caseData(c);
        const r = (columns.get(sl.y) as Float64Array).slice();
        sl.x.forEach((name, j) => {
          const x = columns.get(name) as Float64Array;
          for (let i = 0; i < r.length; i++)
            r[i] = (r[i] as number) - (sl.coef[j] as number) * (x[i] as number);
        });
        const res = fixedEffectValues(r, fes, weights, { tol: 1e-12 });
        const slope = res.fixedEffects.find((e) => e.name.includes("[["));
        if (!slope?.levels) throw new Error("no slope entry");
        expect(slope.name).toBe(`${c.slope?.fe}[[${c.slope?.var}]]`);
        const byLabel = new Map(sl.levels.map((l, g) => [l, sl.values[g] as number]));
        slope.levels.forEach((label, g) => {
          expect(Math.abs((slope.values[g] as number) - (byLabel.get(label) as number))).toBeLessThan(1e-8);
        });
        expect(slope.references).toBe(0);
      });
    }
  }
});

describe("findReferences (fixest's reference search)", () => {
  it("sets one reference per connected component with two FEs", () => {
    // fixest's ssc() documentation example: fe1 = rep(1:3, c(4, 3, 3)), fe2 = rep(1:5, each = 2).
    const a = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
    const b = Int32Array.from([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    expect(findReferences([a, b], [3, 5]).references).toEqual([0, 2]);
  });

  it("recovers coefficients from the fitted sums, second FE's first-row level at 0", () => {
    const a = Int32Array.from([0, 1, 1, 2, 0, 2]);
    const b = Int32Array.from([1, 0, 1, 0, 0, 1]);
    const alpha = [1.5, -2, 0.25];
    const beta = [3, 7];
    const sum = Float64Array.from(a, (g, i) => (alpha[g] as number) + (beta[b[i] as number] as number));
    const { values, references } = findReferences([a, b], [3, 2], sum);
    expect(references).toEqual([0, 1]);
    // Normalised so that beta[b[0]] = beta[1] = 0: alpha shifts by +7, beta by -7.
    expect(Array.from(values[1] as Float64Array)).toEqual([-4, 0]);
    expect(Array.from(values[0] as Float64Array)).toEqual([8.5, 5, 7.25]);
  });

  it("returns level values for a single FE and sorts numeric labels numerically", () => {
    const fe = fixedEffectFromIds("g", Int32Array.from([0, 1, 2, 0, 1, 2]), 3, ["10", "9", "100"]);
    const r = Float64Array.from([1, 2, 3, 1, 2, 3]);
    const res = fixedEffectValues(r, [fe], undefined);
    const e = res.fixedEffects[0];
    expect(e?.levels).toEqual(["9", "10", "100"]);
    expect(Array.from(e?.values ?? [])).toEqual([2, 1, 3]);
  });
});
