/**
 * Callaway and Sant'Anna (2021) against R's did (att_gt + aggte; scripts/golden/did_cs.R ->
 * test/golden/did_cs.json) on did's own county minimum-wage data (fixtures/eventstudy/mpdta.csv) and on the state
 * reform panel: group-time effects, simple / dynamic / group / calendar aggregations, analytic standard errors
 * (unit and state clusters), the Wald pre-test, and, with the same set.seed(), the multiplier bootstrap's standard
 * errors and sup-t critical values (the same Rademacher draws as R). Also R's own RNG (src/estimate/staggered/
 * rRandom.ts) against values printed by R 4.2.2.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readCsv } from "../../src/data/csv.js";
import { numericColumn } from "../../src/data/table.js";
import { estimateEventStudyModel } from "../../src/estimate/staggered/eventStudies.js";
import { quantileType1 } from "../../src/estimate/staggered/multiplierBootstrap.js";
import { RMersenneTwister } from "../../src/estimate/staggered/rRandom.js";
import type { ModelResult } from "../../src/model/result.js";

type Num = number | null;
interface Agg {
  egt: number | number[];
  att: Num | Num[];
  se: Num | Num[];
  overall_att: number;
  overall_se: number;
  crit_val: number;
}
interface Case {
  id: string;
  settings: {
    covariates: string | null;
    control: "nevertreated" | "notyettreated";
    base_period: "varying" | "universal";
    method: "dr" | "ipw" | "reg";
    anticipation: number;
    weights: string | null;
    cluster: string | null;
    min_e: number | null;
    max_e: number | null;
    balance_e: number | null;
    boot: number;
    seed: number | null;
  };
  n: number;
  group_time: { group: number[]; time: number[]; att: Num[]; se: Num[] };
  crit_val: number;
  W: number | null;
  W_df: number | null;
  dynamic: Agg;
  simple: { att: number; se: number };
  group: Agg;
  calendar: Agg;
}
const golden = JSON.parse(readFileSync("test/golden/did_cs.json", "utf8")) as { cases: Case[] };
const mpdta = await readCsv("fixtures/eventstudy/mpdta.csv");
const mp = mpdta.withColumns([
  numericColumn("pop", Float64Array.from(mpdta.numeric("lpop").values, Math.exp)),
  numericColumn(
    "state",
    Float64Array.from(mpdta.numeric("countyreal").values, (v) => Math.floor(v / 1000)),
  ),
]);
const states = await readCsv("fixtures/eventstudy/states_reforms_full.csv", { types: { state: "string" } });

const arr = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);
/** Largest relative difference; an R NA must be NaN (or a normalised 0) here. */
function worst(ours: readonly number[], theirs: readonly Num[]): number {
  expect(ours.length).toBe(theirs.length);
  let w = 0;
  theirs.forEach((t, j) => {
    const o = ours[j] as number;
    if (t === null) {
      expect(Number.isNaN(o) || o === 0, `entry ${j}: R has NA, we have ${o}`).toBe(true);
      return;
    }
    w = Math.max(w, o === t ? 0 : Math.abs(o - t) / Math.max(Math.abs(o), Math.abs(t)));
  });
  return w;
}

function run(c: Case): ModelResult {
  const s = c.settings;
  const isMp = c.id.startsWith("mpdta");
  return estimateEventStudyModel(isMp ? mp : states, {
    outcome: isMp ? "lemp" : "log(total_revenue / enroll)",
    unit: isMp ? "countyreal" : "state",
    time: "year",
    eventTime: isMp ? "first.treat" : "reform_year",
    estimator: "cs",
    neverTreated: isMp ? ["0"] : [],
    control: s.control === "nevertreated" ? "never" : "not-yet",
    basePeriod: s.base_period,
    csMethod: s.method,
    covariates: s.covariates,
    anticipation: s.anticipation,
    weights: s.weights,
    ...(s.cluster ? { cluster: [s.cluster] } : {}),
    window: s.min_e !== null && s.max_e !== null ? [s.min_e, s.max_e] : null,
    balanceE: s.balance_e,
    boot: s.boot > 0 ? s.boot : null,
    ...(s.seed !== null ? { seed: s.seed } : {}),
  });
}

describe.each(golden.cases)(
  "Callaway-Sant'Anna $id equals R did att_gt + aggte (scripts/golden/did_cs.R)",
  (c) => {
    const model = run(c);
    const cs = model.event_study?.cs;
    const TOL = 1e-9;

    it("group-time ATT(g, t) and their standard errors", () => {
      expect(cs?.n_units).toBe(c.n);
      expect(cs?.group_time.map((r) => r.group)).toEqual(c.group_time.group);
      expect(cs?.group_time.map((r) => r.time)).toEqual(c.group_time.time);
      expect(worst(cs?.group_time.map((r) => r.estimate) ?? [], c.group_time.att)).toBeLessThan(TOL);
      expect(worst(cs?.group_time.map((r) => r.std_error) ?? [], c.group_time.se)).toBeLessThan(TOL);
    });

    it("dynamic aggregation (the event-study rows) and its overall effect", () => {
      const path = model.coefficients;
      expect(path.map((r) => r.rel_time)).toEqual(arr(c.dynamic.egt));
      expect(
        worst(
          path.map((r) => r.estimate),
          arr(c.dynamic.att),
        ),
      ).toBeLessThan(TOL);
      expect(
        worst(
          path.map((r) => (r.reference ? Number.NaN : r.std_error)),
          arr(c.dynamic.se),
        ),
      ).toBeLessThan(TOL);
      expect(
        worst(
          [cs?.dynamic.overall.estimate ?? 0, cs?.dynamic.overall.std_error ?? 0],
          [c.dynamic.overall_att, c.dynamic.overall_se],
        ),
      ).toBeLessThan(TOL);
    });

    it("simple, group and calendar aggregations", () => {
      expect(
        worst([cs?.simple.estimate ?? 0, cs?.simple.std_error ?? 0], [c.simple.att, c.simple.se]),
      ).toBeLessThan(TOL);
      expect(cs?.group.rows.map((r) => r.group)).toEqual(arr(c.group.egt));
      expect(worst(cs?.group.rows.map((r) => r.estimate) ?? [], arr(c.group.att))).toBeLessThan(TOL);
      expect(worst(cs?.group.rows.map((r) => r.std_error) ?? [], arr(c.group.se))).toBeLessThan(TOL);
      expect(
        worst(
          [cs?.group.overall.estimate ?? 0, cs?.group.overall.std_error ?? 0],
          [c.group.overall_att, c.group.overall_se],
        ),
      ).toBeLessThan(TOL);
      expect(cs?.calendar.rows.map((r) => r.time)).toEqual(arr(c.calendar.egt));
      expect(worst(cs?.calendar.rows.map((r) => r.estimate) ?? [], arr(c.calendar.att))).toBeLessThan(TOL);
      expect(worst(cs?.calendar.rows.map((r) => r.std_error) ?? [], arr(c.calendar.se))).toBeLessThan(TOL);
      expect(
        worst(
          [cs?.calendar.overall.estimate ?? 0, cs?.calendar.overall.std_error ?? 0],
          [c.calendar.overall_att, c.calendar.overall_se],
        ),
      ).toBeLessThan(TOL);
    });

    it("Wald pre-test (present exactly when R reports it)", () => {
      if (c.W === null) {
        expect(cs?.pre_test).toBeNull();
        return;
      }
      expect(cs?.pre_test?.df).toBe(c.W_df);
      expect(worst([cs?.pre_test?.statistic ?? 0], [c.W])).toBeLessThan(1e-8);
    });

    if (c.settings.boot > 0) {
      it("bootstrap: the same draws as R, so the same standard errors and sup-t critical values", () => {
        expect(cs?.bootstrap?.iterations).toBe(c.settings.boot);
        expect(worst([cs?.bootstrap?.group_time_critical_value ?? 0], [c.crit_val])).toBeLessThan(1e-12);
        expect(worst([cs?.dynamic.critical_value ?? 0], [c.dynamic.crit_val])).toBeLessThan(1e-12);
        expect(worst([cs?.group.critical_value ?? 0], [c.group.crit_val])).toBeLessThan(1e-12);
        expect(worst([cs?.calendar.critical_value ?? 0], [c.calendar.crit_val])).toBeLessThan(1e-12);
        const band = model.coefficients.find((r) => r.band_low !== undefined);
        expect(band?.band_high).toBeCloseTo(
          (band?.estimate ?? 0) + (cs?.dynamic.critical_value ?? 0) * (band?.std_error ?? 0),
          14,
        );
      });
    }
  },
);

describe("R's random numbers (values printed by R 4.2.2)", () => {
  it("set.seed(42); runif(3) and set.seed(1); runif(2)", () => {
    const a = new RMersenneTwister(42);
    expect([a.unifRand(), a.unifRand(), a.unifRand()]).toEqual([
      0.91480604349635541, 0.93707541329786181, 0.28613953478634357,
    ]);
    const b = new RMersenneTwister(1);
    expect([b.unifRand(), b.unifRand()]).toEqual([0.26550866314209998, 0.37212389963679016]);
  });

  it("set.seed(-7); runif(2000)[2000] (past the first 624-word block)", () => {
    const r = new RMersenneTwister(-7);
    let v = 0;
    for (let i = 0; i < 2000; i++) v = r.unifRand();
    expect(v).toBe(0.083479251945391297);
  });

  it("quantile(type = 1): R's quantile(c(3, 1, 4, 1, 5, 9, 2, 6), c(.25, .5, .95), type = 1) = 1, 3, 9", () => {
    const x = [3, 1, 4, 1, 5, 9, 2, 6];
    expect([0.25, 0.5, 0.95].map((p) => quantileType1(x, p))).toEqual([1, 3, 9]);
  });
});
