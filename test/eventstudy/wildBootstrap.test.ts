/**
 * `eventstudy --boot B` for twfe/sunab: a wild cluster bootstrap p-value and interval per event coefficient,
 * against fwildclusterboot::boottest on the same TWFE regression built by hand in R (scripts/golden/
 * eventstudy_wild.R: dummies for -3..3 but -1, treated rows outside the window removed, state and year fixed
 * effects, clusters by state): estimates and t statistics exactly, p-values within Monte Carlo error.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { expectClose } from "../helpers/close.js";

interface WildEventGolden {
  file: string;
  n_clusters: number;
  nobs: number;
  coefficients: { term: string; estimate: number; std_error: number; p_value: number; reps: number }[];
}

const golden = JSON.parse(readFileSync("test/golden/eventstudy_wild.json", "utf8")) as WildEventGolden;
const REPS = 9999;

describe("eventstudy --boot (twfe): wild cluster bootstrap per event coefficient vs fwildclusterboot", () => {
  const run = runCli([
    "eventstudy",
    golden.file,
    "--outcome",
    "log(total_revenue / enroll)",
    "--unit",
    "state",
    "--time",
    "year",
    "--event-time",
    "reform_year",
    "--window=-3:3",
    "--boot",
    String(REPS),
    "--seed",
    "20261202",
    "--format",
    "json",
  ]);

  it("estimates and standard errors equal the hand-built regression's (fixest)", () => {
    expect(run.status, run.stderr).toBe(0);
    const model = JSON.parse(run.stdout).models[0];
    expect(model.nobs).toBe(golden.nobs);
    const byTerm = new Map(model.coefficients.map((c: { term: string }) => [c.term, c]));
    const rows = golden.coefficients.map(
      (g) => byTerm.get(g.term) as { estimate: number; std_error: number },
    );
    expectClose(
      rows.map((r) => r.estimate),
      golden.coefficients.map((g) => g.estimate),
      1e-10,
      "estimate",
    );
    expectClose(
      rows.map((r) => r.std_error),
      golden.coefficients.map((g) => g.std_error),
      // fixest's default demeaning tolerance leaves 1.2e-8 in its standard errors here.
      1e-7,
      "std_error",
    );
    expect(model.bootstrap).toMatchObject({
      type: "wcr",
      reps: REPS,
      cluster: "state",
      n_clusters: golden.n_clusters,
    });
  });

  it("bootstrap p-values within Monte Carlo error of boottest (B = 199,999), the reference row untested", () => {
    const model = JSON.parse(run.stdout).models[0];
    for (const g of golden.coefficients) {
      const row = model.coefficients.find((c: { term: string }) => c.term === g.term);
      const p = row.boot_p_value as number;
      const sd = Math.sqrt(g.p_value * (1 - g.p_value) * (1 / REPS + 1 / g.reps));
      expect(Math.abs(p - g.p_value), g.term).toBeLessThan(4.5 * sd + 1e-12);
      expect(row.boot_conf_low).toBeLessThan(row.estimate);
      expect(row.boot_conf_high).toBeGreaterThan(row.estimate);
    }
    const reference = model.coefficients.find((c: { reference?: boolean }) => c.reference);
    expect(reference.boot_p_value).toBeUndefined();
  });
});
