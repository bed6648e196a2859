/**
 * A simulated staggered design with known truth (test/eventstudy/simulate.ts: cohorts treated in years 5, 9 and
 * 13 plus never-treated units, 60 each, 18 years; effects that differ by cohort and grow with time since
 * treatment). With equal cohort sizes in a balanced panel, Sun-Abraham's cohort shares, Callaway-Sant'Anna's
 * P(G = g) weights and the imputation estimator's per-horizon weights all target the same thing at event time e:
 * the mean over cohorts observed at e of their effect. Pooled TWFE does not (its weights mix cohorts and use
 * already-treated units as controls): it is visibly biased, while the three heterogeneity-robust estimators
 * recover the truth within their confidence intervals, and Callaway-Sant'Anna's simultaneous (sup-t) bootstrap band
 * covers the whole true path.
 */
import { describe, expect, it } from "vitest";
import type { StaggeredSpec } from "../../src/estimate/staggered/eventStudies.js";
import { estimateEventStudyModel } from "../../src/estimate/staggered/eventStudies.js";
import { simulatePanel } from "./simulate.js";

const YEARS = 18;
const sim = simulatePanel(20240611, 60, YEARS);
const base: StaggeredSpec = { outcome: "y", unit: "unit", time: "year", eventTime: "event" };

/** The common estimand at event time e (0 before treatment). */
function truth(e: number): number {
  const cohorts = sim.cohorts.filter((g) => g + e <= YEARS && g + e >= 1);
  return cohorts.reduce((s, g) => s + sim.effect(g, e), 0) / cohorts.length;
}

function post(model: ReturnType<typeof estimateEventStudyModel>) {
  return model.coefficients.filter(
    (c) => c.rel_time !== undefined && !c.reference && (c.rel_time as number) >= 0,
  );
}

describe("simulated staggered adoption with dynamic, cohort-specific effects (known truth)", () => {
  const twfe = estimateEventStudyModel(sim.table, { ...base, estimator: "twfe" });
  const robust = {
    sunab: estimateEventStudyModel(sim.table, { ...base, estimator: "sunab" }),
    cs: estimateEventStudyModel(sim.table, { ...base, estimator: "cs" }),
    imputation: estimateEventStudyModel(sim.table, { ...base, estimator: "imputation" }),
  };

  it("pooled TWFE is biased: some post-period coefficient is more than 6 standard errors from the truth", () => {
    const z = post(twfe).map((c) => Math.abs(c.estimate - truth(c.rel_time as number)) / c.std_error);
    expect(Math.max(...z)).toBeGreaterThan(6);
  });

  for (const [name, model] of Object.entries(robust)) {
    it(`${name}: every post-period estimate within its 99.9% interval of the truth (|z| < 3.3), none biased like TWFE`, () => {
      const rows = post(model);
      expect(rows.length).toBe(YEARS - 5 + 1);
      for (const c of rows) {
        const z = Math.abs(c.estimate - truth(c.rel_time as number)) / c.std_error;
        expect(z, `${name} at e = ${c.rel_time}`).toBeLessThan(3.3);
      }
    });
  }

  it("Sun-Abraham, Callaway-Sant'Anna (never-treated controls) and imputation agree on the post-period average within noise", () => {
    const averages = Object.values(robust).map(
      (m) => m.event_study?.aggregates?.find((a) => a.kind === "post_average")?.estimate as number,
    );
    const target =
      post(robust.sunab).reduce((s, c) => s + truth(c.rel_time as number), 0) / post(robust.sunab).length;
    for (const a of averages) expect(Math.abs(a - target)).toBeLessThan(0.1);
    // Without covariates, CS with never-treated controls and Sun-Abraham estimate the same cells.
    expect(Math.abs((averages[0] as number) - (averages[1] as number))).toBeLessThan(1e-10);
  });

  it("Callaway-Sant'Anna's sup-t band from the multiplier bootstrap covers the entire true path (pre-periods 0)", () => {
    const model = estimateEventStudyModel(sim.table, { ...base, estimator: "cs", boot: 999, seed: 11 });
    for (const c of model.coefficients) {
      const e = c.rel_time as number;
      const t = e < 0 ? 0 : truth(e);
      expect(c.band_low, `e = ${e}`).toBeLessThanOrEqual(t);
      expect(c.band_high, `e = ${e}`).toBeGreaterThanOrEqual(t);
      // The band is wider than the pointwise interval.
      expect((c.band_high as number) - (c.band_low as number)).toBeGreaterThan(c.conf_high - c.conf_low);
    }
  });
});
