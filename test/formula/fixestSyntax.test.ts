/**
 * fixest formula syntax against fixest 0.12.2 (scripts/golden/fixest_syntax.R, test/golden/fixest_syntax.json):
 * formulas from fixest's documentation (multiple outcomes c(y1, y2), sw(), csw(), sw0(), csw0() on the right and
 * in the fixed effects, ..("regex"), poly(x, k, raw = TRUE), i() with a positional or named reference, IV with an
 * instrument interaction, split / fsplit), expanded into the same models in the same order, with the same
 * formulas, coefficient names and numbers (estimates 1e-10, iid standard errors 1e-9).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runRegressions } from "../../src/app/regression.js";
import { readCsv } from "../../src/data/csv.js";
import { expandFormula } from "../../src/formula/expand.js";
import { parseFormula } from "../../src/formula/parser.js";
import { expectClose } from "../helpers/close.js";

type Many<T> = T | T[];
interface GoldenModel {
  formula: string;
  sample: string | null;
  nobs: number;
  terms: Many<string>;
  estimate: Many<number>;
  std_error: Many<number>;
  first_stages?: { endogenous: string; r2: number; adj_r2: number; within_r2: number }[];
}
interface GoldenCase {
  id: string;
  data: string;
  formula: string;
  split?: string;
  fsplit?: string;
  models: GoldenModel[];
}
const golden = JSON.parse(readFileSync("test/golden/fixest_syntax.json", "utf8")) as { cases: GoldenCase[] };
const list = <T>(x: Many<T>): T[] => (Array.isArray(x) ? x : [x]);
const squash = (s: string) => s.replace(/\s+/g, " ").trim();

describe("fixest's documented formula syntax gives fixest's models (scripts/golden/fixest_syntax.R)", () => {
  for (const c of golden.cases) {
    it(`${c.id}: ${c.formula}${c.split ? ` (split ${c.split})` : ""}${c.fsplit ? ` (fsplit ${c.fsplit})` : ""}`, async () => {
      const table = await readCsv(c.data);
      const texts = expandFormula(c.formula, table.names);
      const by = c.split ?? c.fsplit;
      const run = runRegressions(table, {
        formulas: texts.map(parseFormula),
        covariance: { vcov: "iid" },
        level: 0.95,
        ...(by ? { by: [by], fullSample: c.fsplit !== undefined } : {}),
      });
      expect(run.models).toHaveLength(c.models.length);
      run.models.forEach((m, k) => {
        const g = c.models[k] as GoldenModel;
        const what = `${c.id} model ${k + 1}`;
        expect(squash(m.result.formula), `${what} formula`).toBe(squash(g.formula));
        const sample = m.group === null ? (by ? "Full sample" : null) : String(Object.values(m.group)[0]);
        expect(sample, `${what} sample`).toBe(g.sample);
        expect(m.result.nobs, `${what} nobs`).toBe(g.nobs);
        expect(
          m.result.coefficients.map((x) => x.term),
          `${what} terms`,
        ).toEqual(list(g.terms));
        expectClose(
          m.result.coefficients.map((x) => x.estimate),
          list(g.estimate),
          1e-10,
          `${what} estimate`,
        );
        expectClose(
          m.result.coefficients.map((x) => x.std_error),
          list(g.std_error),
          1e-9,
          `${what} std_error`,
        );
        // First stages: fixest's R2 of each is the full R2 (fixed effects included), with its within R2.
        for (const [j, stage] of (g.first_stages ?? []).entries()) {
          const ours = m.result.iv?.first_stages[j];
          expect(ours?.endogenous, `${what} first stage ${j + 1}`).toBe(stage.endogenous);
          expectClose(
            [ours?.r2, ours?.adj_r2, ours?.within_r2],
            [stage.r2, stage.adj_r2, stage.within_r2],
            1e-10,
            `${what} first stage ${stage.endogenous} r2, adj_r2, within_r2`,
          );
        }
      });
    });
  }
});

describe("formula expansion errors", () => {
  it("explains what is not supported", () => {
    expect(() => parseFormula("y ~ poly(x, 2)")).toThrow(
      /orthogonal polynomial, which is not supported; write poly\(x, k, raw = TRUE\)/,
    );
    expect(() => parseFormula("y ~ i(period, 5)")).toThrow(/second argument is a variable to interact with/);
    expect(() => expandFormula('y ~ ..("^z")', ["y", "x"])).toThrow(/matches no column \(columns: y, x\)/);
    expect(() => expandFormula('y ~ ..("^x")')).toThrow(/needs the data's column names/);
    expect(() => expandFormula("y ~ sw(a, b) + csw(c, d)")).toThrow(/one stepwise function/);
  });

  it("leaves a formula without multiple-estimation syntax untouched", () => {
    expect(expandFormula("  y ~ x + i(g, ref = c(1, 2)) | fe ")).toEqual([
      "y ~ x + i(g, ref = c(1, 2)) | fe",
    ]);
  });
});
