/**
 * Spec-file support for the heterogeneity-robust estimators (`estimator: event_study` with `method: cs` or
 * `imputation`), tied to R's did and didimputation (scripts/golden/did_cs.R, didimputation.R); and never-treated
 * codes (0, Inf, "never") in numeric and text event columns.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runSpec } from "../../src/analysis/run.js";
import { numericColumn, stringColumn, Table } from "../../src/data/table.js";
import { eventValues, unitEvents } from "../../src/estimate/staggered/eventPeriods.js";

const cs = JSON.parse(readFileSync("test/golden/did_cs.json", "utf8")).cases.find(
  (c: { id: string }) => c.id === "mpdta_notyet_universal",
);
const imputation = JSON.parse(readFileSync("test/golden/didimputation.json", "utf8")).cases.find(
  (c: { id: string }) => c.id === "mpdta_horizons",
);

describe("spec files: method cs and imputation (R did, didimputation)", () => {
  it("runs both: their paths (equal to R) and aggregates in models.json", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mobility-spec-did-"));
    const spec = join(dir, "analysis.yaml");
    writeFileSync(
      spec,
      `name: did
data:
  sources:
    mpdta: { file: ${resolve("fixtures/eventstudy/mpdta.csv")} }
models:
  cs:
    data: mpdta
    estimator: event_study
    event_study: { outcome: lemp, unit: countyreal, time: year, event_time: first.treat, never_treated: [0], method: cs, control: not-yet, base_period: universal }
  bjs:
    data: mpdta
    estimator: event_study
    event_study: { outcome: lemp, unit: countyreal, time: year, event_time: first.treat, never_treated: [0], method: imputation, pretrends: [-3, -2, -1], cumulative: [1] }
`,
    );
    const result = await runSpec(spec, { write: false });
    const models = JSON.parse(result.files.get("models.json") as string).models;
    const csModel = models.find((m: { name: string }) => m.name === "cs");
    expect(csModel.estimator).toBe("cs");
    expect(csModel.coefficients.map((c: { rel_time: number }) => c.rel_time)).toEqual(cs.dynamic.egt);
    csModel.coefficients.forEach((c: { estimate: number; reference?: boolean }, j: number) => {
      if (c.reference) expect(cs.dynamic.se[j]).toBeNull();
      expect(Math.abs(c.estimate - cs.dynamic.att[j])).toBeLessThan(1e-12);
    });
    const bjs = models.find((m: { name: string }) => m.name === "bjs");
    const at0 = bjs.coefficients.find((c: { rel_time: number }) => c.rel_time === 0);
    const k = imputation.result.term.indexOf("0");
    expect(Math.abs(at0.estimate - imputation.result.estimate[k]) / Math.abs(at0.estimate)).toBeLessThan(
      1e-8,
    );
    expect(Math.abs(at0.std_error - imputation.result.std_error[k]) / at0.std_error).toBeLessThan(1e-8);
    expect(bjs.event_study.aggregates.map((a: { kind: string }) => a.kind)).toEqual([
      "att",
      "post_average",
      "cumulative",
    ]);
  }, 30_000);
});

describe("never-treated codes", () => {
  const table = new Table(
    [
      numericColumn("unit", [1, 1, 2, 2, 3, 3]),
      numericColumn("year", [1, 2, 1, 2, 1, 2]),
      stringColumn("event", ["2", "2", "never", "never", "Inf", undefined]),
      numericColumn("g", [2, 2, 0, 0, Number.POSITIVE_INFINITY, Number.NaN]),
    ],
    6,
    "codes.csv",
  );

  it("text codes: 'never' and 'Inf' mean never treated when named; otherwise a one-line error with the line", () => {
    const events = unitEvents(table, "unit", "event", ["never", "Inf"]);
    expect(Array.from(events.event)).toEqual([2, Number.NaN, Number.NaN]);
    expect(events.codedNever).toBe(2);
    expect(() => unitEvents(table, "unit", "event", [])).toThrow(
      /codes\.csv line 4, column 'event': expected an event period \(a number\), found 'never' \(pass --never-treated/,
    );
  });

  it("numeric codes: 0 and Inf are read as never treated only on request", () => {
    expect(Array.from(unitEvents(table, "unit", "g", ["0", "Inf"]).event)).toEqual([
      2,
      Number.NaN,
      Number.NaN,
    ]);
    expect(Array.from(eventValues(table, "g", ["0", "Inf"]).never)).toEqual([0, 0, 1, 1, 1, 0]);
    // Without the code, 0 is an event in period 0 and Inf is an error.
    expect(() => unitEvents(table, "unit", "g", ["0"])).toThrow(
      /line 6, column .g.: expected an event period, found Inf \(pass --never-treated Inf/,
    );
  });
});
