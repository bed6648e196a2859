/**
 * fixest's fix of a multi-way clustered covariance with a negative variance (R/miscfuns.R mat_posdef_fix, called
 * from R/VCOV.R vcov.fixest when a diagonal element is negative). Golden: test/golden/psd_fix.json, written by
 * scripts/golden/psd_fix.R with fixest 0.12.2 on the simulated CZ x parent-percentile x cohort panel
 * fixtures/fewclusters/cz_panel.csv (Table AVII's 2SLS, clustered by state and cohort, by border group).
 */
import { readFileSync } from "node:fs";
import { Matrix } from "ml-matrix";
import { describe, expect, it } from "vitest";
import { fixestPsdFix } from "../../src/vcov/psdFix.js";
import { expectClose } from "../helpers/close.js";
import { regress as runRegress } from "../helpers/regress.js";

interface Case {
  id: string;
  file: string;
  formula: string;
  by: string;
  group: number;
  cluster: string[];
  nobs: number;
  terms: string[];
  estimate: number[];
  fixest_message: boolean;
  negative_diagonal: boolean;
  vcov_before_fix: number[][];
  vcov: number[][];
  std_error: number[];
}
const golden = JSON.parse(readFileSync("test/golden/psd_fix.json", "utf8")) as { cases: Case[] };
const flat = (m: number[][]) => m.flat();

describe("fixestPsdFix equals fixest's vcov_fix on the Table AVII-shaped panel (scripts/golden/psd_fix.R)", () => {
  const formulas = [...new Set(golden.cases.map((c) => c.formula))];
  for (const formula of formulas) {
    it(`${formula}, --cluster state,cohort --by border`, async () => {
      const output = await runRegress("fixtures/fewclusters/cz_panel.csv", [formula], {
        cluster: "state,cohort",
        by: "border",
        level: "0.95",
        types: "state:string,cz:string",
      });
      for (const c of golden.cases.filter((x) => x.formula === formula)) {
        const model = output.models.find((m) => m.group?.border === c.group);
        if (!model) throw new Error(`no model for border = ${c.group}`);
        expect(model.nobs).toBe(c.nobs);
        expect(model.coefficients.map((x) => x.term)).toEqual(c.terms);
        // What regress prints is the fixed covariance, with the note (fixest's default vcov_fix).
        expectClose(flat(model.vcov_matrix), flat(c.vcov), 1e-8, `${c.id}: vcov as regress reports it`);
        expect(
          model.notes.some((n) => n.includes("had a negative variance")),
          `${c.id}: note`,
        ).toBe(c.fixest_message);
        expectClose(
          model.coefficients.map((x) => x.std_error),
          c.std_error,
          1e-8,
          `${c.id}: standard errors`,
        );
        // The fix itself, applied to fixest's covariance before its fix.
        const fixed = fixestPsdFix(new Matrix(c.vcov_before_fix));
        expect(fixed.fixed, `${c.id}: fixed`).toBe(c.fixest_message);
        expectClose(flat(fixed.matrix.to2DArray()), flat(c.vcov), 1e-8, `${c.id}: vcov after fixest's fix`);
      }
    });
  }
});

describe("fixestPsdFix: when and how (fixest R/VCOV.R, R/miscfuns.R)", () => {
  it("leaves a matrix with a negative eigenvalue but no negative variance unchanged (fixest checks the diagonal)", () => {
    const v = new Matrix([
      [1, 2],
      [2, 1],
    ]); // eigenvalues 3 and -1
    const r = fixestPsdFix(v);
    expect(r.fixed).toBe(false);
    expect(r.matrix).toBe(v);
  });
  it("raises every eigenvalue below 1e-10 to 1e-10, not to 0", () => {
    // V = diag(-1, 1e-12, 4): eigenvalues -1, 1e-12, 4 -> 1e-10, 1e-10, 4.
    const r = fixestPsdFix(
      new Matrix([
        [-1, 0, 0],
        [0, 1e-12, 0],
        [0, 0, 4],
      ]),
    );
    expect(r.fixed).toBe(true);
    expect(r.matrix.get(0, 0)).toBeCloseTo(1e-10, 22);
    expect(r.matrix.get(1, 1)).toBeCloseTo(1e-10, 22);
    expect(r.matrix.get(2, 2)).toBeCloseTo(4, 14);
    expect(r.eigenvalues).toEqual([-1, 1e-12, 4]);
  });
});
