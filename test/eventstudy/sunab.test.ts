/**
 * Sun and Abraham (2021) on a simulated staggered-adoption panel (test/eventstudy/simulate.ts): effects differ by
 * cohort and grow with time since the event, so the pooled TWFE event study is visibly biased (spurious
 * pre-trends, distorted post periods) while the interaction-weighted estimator recovers the cohort-share weighted
 * truth. The aggregation is also rebuilt by hand from separate regressions of each cohort against the
 * never-treated units (see src/estimate/sunAbraham.ts for why these agree exactly in a saturated model).
 */
import { describe, expect, it } from "vitest";
import { type EventStudySpec, estimateEventStudy } from "../../src/estimate/eventStudy.js";
import { simulatePanel } from "./simulate.js";

const sim = simulatePanel();
const base: EventStudySpec = {
  outcome: "y",
  unit: "unit",
  time: "year",
  eventTime: "event",
  window: [-12, 13],
};
const sunab = estimateEventStudy(sim.table, { ...base, estimator: "sunab" });
const twfe = estimateEventStudy(sim.table, { ...base, estimator: "twfe" });

/** The estimand: sum_e w_{e,l} CATT_{e,l} with the cohort shares of the estimation sample. */
function truthAt(rel: number): number {
  const cells = sunab.cells.filter((c) => c.rel === rel);
  const total = cells.reduce((s, c) => s + c.nobs, 0);
  return cells.reduce((s, c) => s + c.nobs * sim.effect(c.cohort as number, rel), 0) / total;
}

describe("Sun-Abraham on a simulated staggered panel (seeded, deterministic)", () => {
  const path = sunab.model.coefficients.filter((c) => c.rel_time !== undefined && !c.reference);

  it("recovers the cohort-share weighted effects within 4 standard errors at every relative period", () => {
    expect(path.length).toBe(25);
    for (const c of path) {
      const truth = truthAt(c.rel_time as number);
      expect(Math.abs(c.estimate - truth), `rel ${c.rel_time}`).toBeLessThan(4 * c.std_error);
    }
  });

  it("while pooled TWFE is visibly biased (pre-trends of more than 6 standard errors)", () => {
    const worst = Math.max(
      ...twfe.model.coefficients
        .filter((c) => c.rel_time !== undefined && !c.reference)
        .map((c) => Math.abs(c.estimate - truthAt(c.rel_time as number)) / c.std_error),
    );
    expect(worst).toBeGreaterThan(6);
    expect(twfe.model.event_study?.pre_test?.p_value).toBeLessThan(1e-6);
    expect(sunab.model.event_study?.pre_test?.p_value).toBeGreaterThan(0.01);
  });

  it("post-period ATT within 4 standard errors of the truth", () => {
    const post = sunab.cells.filter((c) => c.rel >= 0);
    const total = post.reduce((s, c) => s + c.nobs, 0);
    const truth = post.reduce((s, c) => s + c.nobs * sim.effect(c.cohort as number, c.rel), 0) / total;
    const att = sunab.model.event_study?.att[0];
    expect(att).toBeDefined();
    expect(Math.abs((att?.estimate ?? 0) - truth)).toBeLessThan(4 * (att?.std_error ?? 0));
  });

  it("equals, to 1e-10, the same shares applied to separate regressions of each cohort against the never treated", () => {
    const rows = sim.table.nrows;
    const event = sim.table.numeric("event").values;
    const byCohort = new Map<number, Map<number, number>>();
    for (const cohort of sim.cohorts) {
      const keep: number[] = [];
      for (let i = 0; i < rows; i++) {
        const e = event[i] as number;
        if (Number.isNaN(e) || e === cohort) keep.push(i);
      }
      const fit = estimateEventStudy(sim.table.take(keep), { ...base, estimator: "twfe" });
      byCohort.set(
        cohort,
        new Map(
          fit.model.coefficients
            .filter((c) => !c.reference && c.rel_time !== undefined)
            .map((c) => [c.rel_time as number, c.estimate]),
        ),
      );
    }
    for (const c of path) {
      const rel = c.rel_time as number;
      const cells = sunab.cells.filter((x) => x.rel === rel);
      const total = cells.reduce((s, x) => s + x.nobs, 0);
      let hand = 0;
      for (const cell of cells) {
        const separate = byCohort.get(cell.cohort as number)?.get(rel) as number;
        expect(Math.abs(separate - cell.estimate)).toBeLessThan(1e-10);
        hand += (cell.nobs / total) * separate;
      }
      expect(Math.abs(hand - c.estimate), `rel ${rel}`).toBeLessThan(1e-10);
    }
  });

  it("TWFE with one path per cohort (--by-group on the event column) gives sunab's cohort coefficients", () => {
    const byGroup = estimateEventStudy(sim.table, { ...base, estimator: "twfe", byGroup: "event" });
    for (const cell of sunab.cells) {
      const row = byGroup.model.coefficients.find(
        (c) => c.rel_time === cell.rel && c.group === String(cell.cohort),
      );
      expect(Math.abs((row?.estimate ?? Number.NaN) - cell.estimate)).toBeLessThan(1e-10);
      expect(Math.abs((row?.std_error ?? Number.NaN) - cell.std_error)).toBeLessThan(1e-12);
    }
  });

  it("standard errors of the aggregate are the delta method W V W' of the cohort cells (weights fixed)", () => {
    // One period with a single cohort: the aggregate is that cell, with its own standard error.
    const single = path.find((c) => sunab.cells.filter((x) => x.rel === c.rel_time).length === 1);
    expect(single).toBeDefined();
    const cell = sunab.cells.find((x) => x.rel === single?.rel_time);
    expect(single?.std_error).toBeCloseTo(cell?.std_error ?? Number.NaN, 12);
    expect(single?.n_treated).toBe(60);
  });
});
