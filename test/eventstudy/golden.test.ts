/**
 * Event studies against estimatr::lm_robust on explicit relative-time dummies (scripts/golden/eventstudy.R ->
 * test/golden/eventstudy.json), on the states_all panel around school-finance reforms (fixtures/eventstudy/).
 *
 * Conventions: estimatr's se_type = "stata" counts every fixed-effect dummy in K; mobility gives the same numbers
 * with the fixed effects as explicit dummies. With absorbed fixed effects mobility follows fixest (the state FE,
 * nested in the state clusters, is not counted), so there the check is estimatr's CR0 times our reported factor.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readCsv } from "../../src/data/csv.js";
import { type EventStudySpec, estimateEventStudy } from "../../src/estimate/eventStudy.js";

interface GoldenCase {
  id: string;
  window: [number, number];
  bin_endpoints: boolean;
  estimator: "twfe" | "sunab";
  control: "never" | "not-yet";
  nobs: number;
  n_clusters: number;
  k_estimatr: number;
  rel_time: number[];
  estimate: number[];
  std_error_stata: number[];
  std_error_cr0: number[];
  pre_test: { statistic: number; df1: number; df2: number; p_value: number };
  att?: { estimate: number; std_error_stata: number; std_error_cr0: number };
}
const golden = JSON.parse(readFileSync("test/golden/eventstudy.json", "utf8")) as { cases: GoldenCase[] };
const table = await readCsv("fixtures/eventstudy/states_reforms.csv", { types: { state: "string" } });

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);

function spec(c: GoldenCase, dummies: boolean): EventStudySpec {
  return {
    outcome: "log(total_revenue / enroll)",
    unit: "state",
    time: "year",
    eventTime: "reform_year",
    window: c.window,
    binEndpoints: c.bin_endpoints,
    estimator: c.estimator,
    control: c.control,
    fixedEffectsAsDummies: dummies,
  };
}

describe.each(golden.cases)(
  "event study $id matches estimatr::lm_robust (scripts/golden/eventstudy.R)",
  (c) => {
    const dummies = estimateEventStudy(table, spec(c, true)).model;
    const absorbed = estimateEventStudy(table, spec(c, false)).model;
    const path = (m: typeof dummies) =>
      m.coefficients.filter((x) => x.rel_time !== undefined && !x.reference);

    it("estimates (explicit dummies and absorbed FE) to 1e-9", () => {
      for (const m of [dummies, absorbed]) {
        expect(m.nobs).toBe(c.nobs);
        const p = path(m);
        expect(p.map((x) => x.rel_time)).toEqual(c.rel_time);
        p.forEach((x, j) => {
          expect(rel(x.estimate, c.estimate[j] as number)).toBeLessThan(1e-9);
        });
      }
    });

    it('standard errors: explicit dummies = se_type "stata" (K counts all FE dummies) to 1e-9', () => {
      expect(dummies.vcov.k).toBe(c.k_estimatr);
      path(dummies).forEach((x, j) => {
        expect(rel(x.std_error, c.std_error_stata[j] as number)).toBeLessThan(1e-9);
      });
    });

    it("standard errors: absorbed FE (fixest K) = CR0 x (n-1)/(n-K) G/(G-1) to 1e-9", () => {
      expect(absorbed.vcov.n_clusters).toEqual([c.n_clusters]);
      const factor = ((c.nobs - 1) / (c.nobs - absorbed.vcov.k)) * (c.n_clusters / (c.n_clusters - 1));
      expect(rel(absorbed.vcov.adjustment, factor)).toBeLessThan(1e-14);
      path(absorbed).forEach((x, j) => {
        expect(rel(x.std_error, (c.std_error_cr0[j] as number) * Math.sqrt(factor))).toBeLessThan(1e-9);
      });
    });

    it("joint pre-period Wald test (stata convention) and the reference row", () => {
      const t = dummies.event_study?.pre_test;
      expect(t?.df1).toBe(c.pre_test.df1);
      expect(t?.df2).toBe(c.pre_test.df2);
      expect(rel(t?.statistic ?? 0, c.pre_test.statistic)).toBeLessThan(1e-8);
      expect(rel(t?.p_value ?? 0, c.pre_test.p_value)).toBeLessThan(1e-7);
      const ref = dummies.coefficients.find((x) => x.reference);
      expect(ref).toMatchObject({ rel_time: -1, estimate: 0, std_error: 0 });
    });

    // Only the Sun-Abraham cases have an aggregate ATT to compare.
    if (c.att !== undefined) {
      const expected = c.att;
      it("Sun-Abraham post-period ATT", () => {
        const att = dummies.event_study?.att[0];
        expect(rel(att?.estimate ?? 0, expected.estimate)).toBeLessThan(1e-9);
        expect(rel(att?.std_error ?? 0, expected.std_error_stata)).toBeLessThan(1e-9);
      });
    }
  },
);
