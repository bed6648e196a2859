/**
 * Sun-Abraham without unidentified cohorts, and the default window (every observed relative period), against
 * fixest (scripts/golden/sunab_fixest.R -> test/golden/sunab_fixest.json) on the full state reform panel
 * (fixtures/eventstudy/states_reforms_full.csv: the 1992 and 1993 reform cohorts have no observation at -1).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readCsv } from "../../src/data/csv.js";
import { type EventStudySpec, estimateEventStudy } from "../../src/estimate/eventStudy.js";

interface Case {
  id: string;
  removed_cohorts?: number[];
  removed_observations?: number;
  nobs: number;
  rel_time: number[];
  estimate: number[];
  std_error: number[];
  att?: { estimate: number; std_error: number };
}
const golden = JSON.parse(readFileSync("test/golden/sunab_fixest.json", "utf8")) as { cases: Case[] };
const byId = (id: string) => golden.cases.find((c) => c.id === id) as Case;
const full = await readCsv("fixtures/eventstudy/states_reforms_full.csv", { types: { state: "string" } });
const subset = await readCsv("fixtures/eventstudy/states_reforms.csv", { types: { state: "string" } });
const base: EventStudySpec = {
  outcome: "log(total_revenue / enroll)",
  unit: "state",
  time: "year",
  eventTime: "reform_year",
};
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);

function expectPath(model: ReturnType<typeof estimateEventStudy>["model"], c: Case): number {
  const path = model.coefficients.filter((x) => x.rel_time !== undefined && !x.reference);
  expect(path.map((x) => x.rel_time)).toEqual(c.rel_time);
  let worst = 0;
  path.forEach((x, j) => {
    worst = Math.max(
      worst,
      rel(x.estimate, c.estimate[j] as number),
      rel(x.std_error, c.std_error[j] as number),
    );
  });
  return worst;
}

describe("Sun-Abraham on the full reform panel equals fixest's sunab() on the identified sample (scripts/golden/sunab_fixest.R)", () => {
  const fit = estimateEventStudy(full, { ...base, estimator: "sunab" });
  const c = byId("sunab_full_identified");

  it("removes the cohorts without an observation at -1 and names them with the observations removed", () => {
    expect(c.removed_cohorts).toEqual([1992, 1993]);
    const es = fit.model.event_study;
    expect(es?.removed_cohorts?.map((r) => r.cohort)).toEqual(c.removed_cohorts);
    expect(es?.removed_observations).toBe(c.removed_observations);
    const note = fit.model.notes.find((n) =>
      n.startsWith("cohorts without an observation at the reference period"),
    );
    expect(note).toMatch(
      /1992: 3 units, 69 observations, observed at 1 to 23; 1993: 5 units, 115 observations/,
    );
    expect(note).toMatch(/fixest's sunab\(\) keeps them as controls without dummies/);
    expect(fit.model.nobs).toBe(c.nobs);
  });

  it("path estimates and clustered standard errors to 1e-9 (every observed relative period, no window)", () => {
    expect(fit.model.event_study?.window_default).toBe(true);
    expect(expectPath(fit.model, c)).toBeLessThan(1e-9);
  });

  it("post-period ATT (summary(agg = 'ATT')) to 1e-9", () => {
    const att = fit.model.event_study?.att[0];
    expect(rel(att?.estimate ?? 0, c.att?.estimate ?? 1)).toBeLessThan(1e-9);
    expect(rel(att?.std_error ?? 0, c.att?.std_error ?? 1)).toBeLessThan(1e-9);
  });

  it("differs from fixest run with those cohorts kept (their arbitrary normalisation moves every period)", () => {
    const all = byId("sunab_full_fixest_all");
    const at0 = (x: Case) => x.estimate[x.rel_time.indexOf(0)] as number;
    expect(Math.abs(at0(all) - at0(c))).toBeGreaterThan(1e-4);
  });
});

describe("default window = every observed relative period, as fixest (scripts/golden/sunab_fixest.R)", () => {
  it("TWFE on the full panel equals feols(y ~ i(rel, ref = c(-1, -1000)) | state + year) to 1e-9", () => {
    const fit = estimateEventStudy(full, { ...base, estimator: "twfe" });
    expect(fit.model.notes).toContain("window: every observed relative period (-10 to 23)");
    expect(fit.model.nobs).toBe(byId("twfe_full").nobs);
    expect(expectPath(fit.model, byId("twfe_full"))).toBeLessThan(1e-9);
  });

  it("Sun-Abraham on the 1994-1998 subset (nothing removed) equals sunab() to 1e-9", () => {
    const fit = estimateEventStudy(subset, { ...base, estimator: "sunab" });
    expect(fit.model.event_study?.removed_cohorts).toBeUndefined();
    expect(expectPath(fit.model, byId("sunab_subset"))).toBeLessThan(1e-9);
  });
});

describe("TWFE by-group paths need their reference period", () => {
  it("a group with no observation at -1 is an error naming it and its observed periods", () => {
    expect(() => estimateEventStudy(full, { ...base, byGroup: "reform_year" })).toThrow(
      /group reform_year = 1992 has no observation at the reference period -1 \(observed relative periods: 1 to 23\); name a reference for it with --group-ref "1992=1"/,
    );
  });

  it("--group-ref normalises such groups at the named period: a reference row there, none at -1", () => {
    const fit = estimateEventStudy(full, {
      ...base,
      byGroup: "reform_year",
      groupReference: { "1992": [1], "1993": [0] },
    });
    const refs = fit.model.coefficients.filter((c) => c.reference).map((c) => [c.group, c.rel_time]);
    expect(refs).toContainEqual(["1992", 1]);
    expect(refs).toContainEqual(["1993", 0]);
    expect(refs).toContainEqual(["1994", -1]);
    expect(refs).not.toContainEqual(["1992", -1]);
    expect(fit.model.event_study?.group_reference).toEqual({ "1992": [1], "1993": [0] });
    // Each cohort's own path equals its separate regression against the never treated (saturated model).
    const sunab = estimateEventStudy(full, { ...base, estimator: "sunab" });
    const cell = sunab.cells.find((x) => x.cohort === 1995 && x.rel === 3);
    const row = fit.model.coefficients.find((x) => x.group === "1995" && x.rel_time === 3);
    expect(Math.abs((row?.estimate ?? 0) - (cell?.estimate ?? 1))).toBeLessThan(1e-10);
  });

  it("pooled TWFE without treated observations at the reference period is an error", () => {
    expect(() => estimateEventStudy(full, { ...base, ref: [-20] })).toThrow(
      /the treated units have no observation at the reference period -20 \(observed relative periods: -10 to 23\)/,
    );
  });
});
