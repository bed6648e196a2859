/**
 * The distribution functions behind every p-value and interval (src/inference/distributions.ts, @stdlib) against
 * 40-digit values from mpmath (scripts/golden/t_dist.py, test/golden/t_dist.json): Student-t quantiles for the
 * 0.90, 0.95 and 0.99 intervals and two-sided p-values at the degrees of freedom the golden cases use; and the
 * F upper tail against its closed forms (F(1, d) = t^2 two-sided; F(d1, inf) = chi-square / d1, exact for df 2).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { criticalValue, fPValue, twoSidedPValue } from "../../src/inference/distributions.js";
import { expectClose } from "../helpers/close.js";

interface TCase {
  df: number;
  quantile: Record<string, number>;
  two_sided_p: Record<string, number>;
}

const golden = JSON.parse(readFileSync("test/golden/t_dist.json", "utf8")) as { cases: TCase[] };

describe("Student t against mpmath (scripts/golden/t_dist.py)", () => {
  for (const c of golden.cases) {
    it(`df = ${c.df}: quantiles and two-sided p-values`, () => {
      const q = Object.entries(c.quantile);
      // criticalValue(level) is the quantile at 1 - (1 - level) / 2: 0.975 <-> a 95% interval.
      expectClose(
        q.map(([p]) => criticalValue(1 - 2 * (1 - Number(p)), c.df)),
        q.map(([, v]) => v),
        1e-12,
        "quantile",
      );
      const t = Object.entries(c.two_sided_p);
      expectClose(
        t.map(([stat]) => twoSidedPValue(Number(stat), c.df)),
        t.map(([, v]) => v),
        1e-12,
        "two-sided p",
        { logScale: true },
      );
      // Symmetric in the sign of the statistic.
      expect(twoSidedPValue(-1.96, c.df)).toBe(twoSidedPValue(1.96, c.df));
    });
  }
});

describe("F upper tail: closed forms", () => {
  it("F(1, d) at t^2 equals the two-sided t p-value", () => {
    for (const c of golden.cases) {
      for (const [stat, p] of Object.entries(c.two_sided_p)) {
        const t = Number(stat);
        expect(Math.abs(fPValue(t * t, 1, c.df) / p - 1)).toBeLessThan(1e-12);
      }
    }
  });

  it("F(2, inf) at x is the chi-square(2) tail of 2x, exp(-x)", () => {
    for (const x of [0.1, 1, 5, 20])
      expect(Math.abs(fPValue(x, 2, Number.POSITIVE_INFINITY) / Math.exp(-x) - 1)).toBeLessThan(1e-12);
  });

  it("normal inference at df = Infinity", () => {
    expect(Math.abs(criticalValue(0.95, Number.POSITIVE_INFINITY) - 1.959963984540054)).toBeLessThan(1e-15);
    expect(Math.abs(twoSidedPValue(1.959963984540054, Number.POSITIVE_INFINITY) - 0.05)).toBeLessThan(1e-15);
  });
});
