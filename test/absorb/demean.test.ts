import { describe, expect, it } from "vitest";
import { createAbsorber, demean } from "../../src/absorb/demean.js";
import { fixedEffectFromIds, withSlope } from "../../src/absorb/fixedEffects.js";
import { MobilityError } from "../../src/errors.js";
import { caseData, golden, sd } from "./feGolden.js";

/** Largest |a - b| / scale. */
function maxScaledDiff(a: Float64Array, b: readonly number[], scale: number): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)) / scale);
  return m;
}

describe("demean against lm() on explicit dummies (scripts/golden/demean.R)", () => {
  for (const c of golden.cases) {
    it(`${c.name}: residuals within 1e-9 sd (tol 1e-10), within 1e-7 sd with the default tol`, () => {
      const { fes, columns, weights } = caseData(c);
      const input = c.columns.map((name) => columns.get(name) as Float64Array);
      const tight = demean(input, fes, weights, { tol: 1e-10 });
      const loose = demean(input, fes, weights);
      expect(tight.converged).toBe(true);
      expect(loose.converged).toBe(true);
      c.columns.forEach((name, k) => {
        const scale = sd(input[k] as Float64Array);
        const want = c.demeaned[name] as number[];
        expect(maxScaledDiff(tight.columns[k] as Float64Array, want, scale), name).toBeLessThan(1e-9);
        // The criterion bounds the last step, not the error: the default gets within a few tol.
        expect(maxScaledDiff(loose.columns[k] as Float64Array, want, scale), name).toBeLessThan(1e-7);
      });
      // Copies by default: the inputs are untouched.
      expect(input[0]).toEqual(columns.get(c.columns[0] as string));
    });
  }
});

function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

function randomPanel(n: number, sizes: number[], seed = 1) {
  const r = lcg(seed);
  const fes = sizes.map((G, q) =>
    fixedEffectFromIds(
      `f${q}`,
      Int32Array.from({ length: n }, () => Math.floor(r() * G)),
      G,
    ),
  );
  const cols = [0, 1, 2].map(() => Float64Array.from({ length: n }, () => r() * 10 - 5));
  const weights = Float64Array.from({ length: n }, () => 0.2 + r());
  return { fes, cols, weights };
}

describe("demean behaviour", () => {
  it("processes columns in lockstep exactly as one at a time", () => {
    const { fes, cols } = randomPanel(3000, [400, 60, 9]);
    const together = demean(cols, fes, undefined, { tol: 1e-12 });
    cols.forEach((c, k) => {
      const alone = demean([c], fes, undefined, { tol: 1e-12 });
      expect(
        maxScaledDiff(together.columns[k] as Float64Array, Array.from(alone.columns[0] as Float64Array), 1),
      ).toBeLessThan(1e-10);
    });
  });

  it("overwrites the inputs with inPlace", () => {
    const { fes, cols } = randomPanel(500, [50, 7]);
    const copy = cols.map((c) => c.slice());
    const res = demean(cols, fes, undefined, { inPlace: true });
    expect(res.columns[0]).toBe(cols[0]);
    expect(cols[0]).not.toEqual(copy[0]);
  });

  it("leaves residuals orthogonal to every FE (weighted group sums are zero)", () => {
    const { fes, cols, weights } = randomPanel(4000, [500, 40, 6], 3);
    const res = demean(cols, fes, weights, { tol: 1e-12 });
    for (const fe of fes) {
      for (const col of res.columns) {
        const sums = new Float64Array(fe.nlevels);
        for (let i = 0; i < col.length; i++) {
          const g = fe.ids[i] as number;
          sums[g] = (sums[g] as number) + (weights[i] as number) * (col[i] as number);
        }
        for (const s of sums) expect(Math.abs(s)).toBeLessThan(1e-8);
      }
    }
  });

  it("is exact in one pass for a single FE, with and without slope", () => {
    const { fes, cols, weights } = randomPanel(1000, [30], 5);
    const res = demean(cols, fes, weights);
    expect(res.iterations).toEqual([0, 0, 0]);
    const sl = withSlope(fes[0] as never, cols[2] as Float64Array, { name: "z" });
    const r2 = demean([cols[0] as Float64Array], [sl], weights);
    // Residual orthogonal to 1 and z within each level.
    const s1 = new Float64Array(30);
    const sz = new Float64Array(30);
    const col = r2.columns[0] as Float64Array;
    for (let i = 0; i < col.length; i++) {
      const g = sl.ids[i] as number;
      s1[g] = (s1[g] as number) + (weights[i] as number) * (col[i] as number);
      sz[g] =
        (sz[g] as number) +
        (weights[i] as number) * (col[i] as number) * ((cols[2] as Float64Array)[i] as number);
    }
    for (let g = 0; g < 30; g++) {
      expect(Math.abs(s1[g] as number)).toBeLessThan(1e-9);
      expect(Math.abs(sz[g] as number)).toBeLessThan(1e-8);
    }
  });

  it("returns coefficients whose sum reproduces input minus residual", () => {
    const { fes, cols } = randomPanel(2000, [300, 25, 4], 9);
    const res = demean([cols[0] as Float64Array], fes, undefined, { coefficients: true, tol: 1e-12 });
    const coefs = (res.coefficients as Float64Array[][])[0] as Float64Array[];
    const y = cols[0] as Float64Array;
    const r = res.columns[0] as Float64Array;
    let worst = 0;
    for (let i = 0; i < y.length; i++) {
      let s = 0;
      fes.forEach((fe, q) => {
        s += (coefs[q] as Float64Array)[fe.ids[i] as number] as number;
      });
      worst = Math.max(worst, Math.abs((y[i] as number) - s - (r[i] as number)));
    }
    expect(worst).toBeLessThan(1e-10);
  });

  it("reports non-convergence when maxIter is too small", () => {
    // A chain-like design: FE1 levels overlap FE2 levels only with their neighbours (slow mixing).
    const n = 1000;
    const a = new Int32Array(n);
    const b = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      a[i] = i >> 1;
      b[i] = ((i + 1) >> 1) % 250;
    }
    const fes = [fixedEffectFromIds("a", a), fixedEffectFromIds("b", b)];
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    const res = demean([y], fes, undefined, { maxIter: 2 });
    expect(res.converged).toBe(false);
    expect(res.convergedColumns).toEqual([false]);
    expect(demean([y], fes, undefined).converged).toBe(true);
  });

  it("reuses an absorber across calls", () => {
    const { fes, cols } = randomPanel(1500, [200, 30], 11);
    const absorber = createAbsorber(fes, undefined);
    const a = absorber.demean([cols[0] as Float64Array]);
    const b = demean([cols[0] as Float64Array], fes, undefined);
    expect(a.columns[0]).toEqual(b.columns[0]);
  });

  it("rejects rows with a missing FE and bad weights", () => {
    const fe = fixedEffectFromIds("a", Int32Array.from([0, 1, -1, 1]));
    expect(() => demean([new Float64Array(4)], [fe], undefined)).toThrow(MobilityError);
    const ok = fixedEffectFromIds("a", Int32Array.from([0, 1, 0, 1]));
    expect(() => demean([new Float64Array(4)], [ok], Float64Array.from([1, -1, 1, 1]))).toThrow(/weights/);
  });
});
