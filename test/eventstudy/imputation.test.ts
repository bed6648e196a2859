/**
 * The imputation estimator (Borusyak, Jaravel and Spiess 2024) against R's didimputation (scripts/golden/
 * didimputation.R -> test/golden/didimputation.json; fixest's tolerances tightened so that R's numbers are
 * didimputation's formulas at full precision) on did's county data and the state reform panel: per-horizon
 * estimates and BJS standard errors, the overall ATT, sampling weights, state clusters, a first-stage covariate,
 * a user weighting (the average of horizons 0-2, our post-period combination) and the pre-trend regression
 * (clustered, as fixest computes that regression).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readCsv } from "../../src/data/csv.js";
import { numericColumn } from "../../src/data/table.js";
import { estimateEventStudyModel } from "../../src/estimate/staggered/eventStudies.js";

interface Tidy {
  term: string[];
  estimate: (number | null)[];
  std_error: (number | null)[];
}
interface Case {
  id: string;
  settings: {
    first_stage: string | null;
    pretrends: number[] | number | null;
    weights: string | null;
    cluster: string | null;
    static: boolean;
    wtr: string | null;
  };
  result: Tidy;
  pretrend_clustered: Tidy | null;
}
const golden = JSON.parse(readFileSync("test/golden/didimputation.json", "utf8")) as { cases: Case[] };
const mpdta = await readCsv("fixtures/eventstudy/mpdta.csv");
const mp = mpdta.withColumns([
  numericColumn("pop", Float64Array.from(mpdta.numeric("lpop").values, Math.exp)),
  numericColumn(
    "state",
    Float64Array.from(mpdta.numeric("countyreal").values, (v) => Math.floor(v / 1000)),
  ),
]);
const states = await readCsv("fixtures/eventstudy/states_reforms_full.csv", { types: { state: "string" } });
const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));

describe.each(golden.cases)("imputation $id equals didimputation (scripts/golden/didimputation.R)", (c) => {
  const s = c.settings;
  const isMp = c.id.startsWith("mpdta");
  const pretrends = s.pretrends === null ? [] : Array.isArray(s.pretrends) ? s.pretrends : [s.pretrends];
  const model = estimateEventStudyModel(isMp ? mp : states, {
    outcome: isMp ? "lemp" : "log(total_revenue / enroll)",
    unit: isMp ? "countyreal" : "state",
    time: "year",
    eventTime: isMp ? "first.treat" : "reform_year",
    estimator: "imputation",
    neverTreated: isMp ? ["0"] : [],
    weights: s.weights,
    ...(s.cluster ? { cluster: [s.cluster] } : {}),
    covariates: s.first_stage ? "log(enroll)" : null,
    pretrends,
    aggregates: { lincom: ["(b[rel::0] + b[rel::1] + b[rel::2]) / 3"] },
  });
  const TOL = 1e-8;

  it("estimates and standard errors", () => {
    let worst = 0;
    let compared = 0;
    c.result.term.forEach((term, j) => {
      const estimate = c.result.estimate[j] as number | null;
      const se = c.result.std_error[j] as number | null;
      let ours: { estimate: number; std_error: number } | undefined;
      if (term === "treat") ours = model.event_study?.imputation?.overall;
      else if (term === "wavg02") ours = model.event_study?.aggregates?.find((a) => a.kind === "lincom");
      else if (Number(term) >= 0) ours = model.coefficients.find((x) => x.rel_time === Number(term));
      else return; // pre-trend rows: below
      if (estimate === null) {
        // A horizon only the never-imputable cohorts reach: didimputation reports NA, we leave it out.
        expect(ours, `horizon ${term}`).toBeUndefined();
        return;
      }
      expect(ours, `term ${term}`).toBeDefined();
      worst = Math.max(worst, rel(ours?.estimate ?? 0, estimate), rel(ours?.std_error ?? 0, se as number));
      compared++;
    });
    expect(compared).toBeGreaterThan(0);
    expect(worst).toBeLessThan(TOL);
  });

  if (c.pretrend_clustered !== null) {
    const pre = c.pretrend_clustered;
    it("pre-trend rows: didimputation's estimates; standard errors clustered as fixest clusters that regression", () => {
      pre.term.forEach((term, j) => {
        const row = model.coefficients.find((x) => x.rel_time === Number(term));
        const fromDidimputation = c.result.estimate[c.result.term.indexOf(term)] as number;
        expect(rel(row?.estimate ?? 0, fromDidimputation)).toBeLessThan(TOL);
        expect(rel(row?.std_error ?? 0, pre.std_error[j] as number)).toBeLessThan(TOL);
      });
      expect(model.event_study?.pre_test?.df1).toBe(pre.term.length);
    });
  }

  if (c.settings.wtr !== null) {
    it("the post-period average is the same BJS estimand as the lincom", () => {
      const avg = model.event_study?.aggregates?.find((a) => a.kind === "post_average");
      const lincom = model.event_study?.aggregates?.find((a) => a.kind === "lincom");
      const horizons = model.coefficients.filter((x) => (x.rel_time as number) >= 0);
      // mpdta has horizons 0-3: the average over all four is a different target than 0-2.
      expect(horizons.map((x) => x.rel_time)).toEqual([0, 1, 2, 3]);
      expect(avg?.estimate).toBeCloseTo(horizons.reduce((sum, x) => sum + x.estimate, 0) / 4, 14);
      expect(lincom?.expression).toBe("(b[rel::0] + b[rel::1] + b[rel::2]) / 3");
    });
  }
});
