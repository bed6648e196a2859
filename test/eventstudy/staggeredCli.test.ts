/**
 * `mobility eventstudy` with the heterogeneity-robust estimators, end to end through the built CLI: the command-line
 * contract (--estimator cs|imputation|all, --control, --base-period, --cs-method, --never-treated, --lincom,
 * --cumulative), the JSON rows shared by every estimator, numbers tied to R's did (scripts/golden/did_cs.R), the
 * side-by-side table and plot, and the one-line errors (no control units, a group without its reference period).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

const MPDTA = "fixtures/eventstudy/mpdta.csv";
const FULL = "fixtures/eventstudy/states_reforms_full.csv";
const golden = JSON.parse(readFileSync("test/golden/did_cs.json", "utf8")) as {
  cases: { id: string; dynamic: { egt: number[]; att: number[]; se: number[] } }[];
};
const mpNever = golden.cases.find((c) => c.id === "mpdta_never_varying") as (typeof golden.cases)[number];
const MP = [
  "eventstudy",
  MPDTA,
  "--outcome",
  "lemp",
  "--unit",
  "countyreal",
  "--time",
  "year",
  "--event-time",
  "first.treat",
];
const STATES = [
  "eventstudy",
  FULL,
  "--outcome",
  "log(total_revenue / enroll)",
  "--unit",
  "state",
  "--time",
  "year",
  "--event-time",
  "reform_year",
  "--types",
  "state:string",
];

describe("mobility eventstudy: Callaway-Sant'Anna and imputation (CLI)", () => {
  const dir = mkdtempSync(join(tmpdir(), "mobility-did-"));

  it("--estimator cs --never-treated 0: did's dynamic path as the JSON rows, the cs block, aggregates", () => {
    const r = runCli([
      ...MP,
      "--estimator",
      "cs",
      "--never-treated",
      "0",
      "--lincom",
      "b[rel::3] - b[rel::0]",
      "--cumulative",
      "1",
      "--format",
      "json",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const model = JSON.parse(r.stdout).models[0];
    expect(model.estimator).toBe("cs");
    for (const key of ["rel_time", "estimate", "std_error", "conf_low", "conf_high", "n_treated"]) {
      expect(model.coefficients[0]).toHaveProperty(key);
    }
    expect(model.coefficients.map((c: { rel_time: number }) => c.rel_time)).toEqual(mpNever.dynamic.egt);
    model.coefficients.forEach((c: { estimate: number; std_error: number }, j: number) => {
      expect(Math.abs(c.estimate - (mpNever.dynamic.att[j] as number))).toBeLessThan(1e-12);
      expect(Math.abs(c.std_error - (mpNever.dynamic.se[j] as number))).toBeLessThan(1e-12);
    });
    const es = model.event_study;
    expect(es.estimator).toBe("cs");
    expect(es.never_treated_codes).toEqual(["0"]);
    expect(es.cs).toMatchObject({ control: "never", base_period: "varying", method: "dr", n_units: 500 });
    expect(es.cs.group_time).toHaveLength(12);
    const kinds = es.aggregates.map((a: { kind: string }) => a.kind);
    expect(kinds).toEqual(["att", "post_average", "cumulative", "lincom"]);
    const at = (e: number) => model.coefficients.find((c: { rel_time: number }) => c.rel_time === e).estimate;
    const lincom = es.aggregates.find((a: { kind: string }) => a.kind === "lincom");
    expect(lincom.estimate).toBeCloseTo(at(3) - at(0), 14);
    expect(es.aggregates.find((a: { kind: string }) => a.kind === "cumulative").estimate).toBeCloseTo(
      at(0) + at(1),
      14,
    );
  });

  it("--estimator all: one side-by-side table and one plot with the four estimators; identical on a rerun", () => {
    const svg = join(dir, "all.svg");
    const args = [...STATES, "--estimator", "all", "--window", "-5:8", "--plot", svg];
    const a = runCli(args);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/Rel\. time\s+TWFE\s+Sun-Abraham\s+Callaway-Sant'Anna\s+Imputation/);
    expect(a.stdout).toMatch(/Post average/);
    const text = readFileSync(svg, "utf8");
    for (const name of ["TWFE", "Sun-Abraham", "Callaway-Sant'Anna", "Imputation"])
      expect(text).toContain(`>${name}</text>`);
    const b = runCli(args);
    expect(b.stdout).toBe(a.stdout);
    expect(readFileSync(svg, "utf8")).toBe(text);
    const json = runCli([...STATES, "--estimator", "twfe,imputation", "--format", "json"]);
    const models = JSON.parse(json.stdout).models;
    expect(models.map((m: { name: string }) => m.name)).toEqual(["TWFE", "Imputation"]);
  });

  it("Sun-Abraham on the full panel names the cohorts it removes; TWFE --by-group refuses a group without -1", () => {
    const sunab = runCli([...STATES, "--estimator", "sunab"]);
    expect(sunab.status, sunab.stderr).toBe(0);
    expect(sunab.stdout).toMatch(
      /cohorts without an observation at the reference period -1 removed before estimation/,
    );
    const grouped = runCli([...STATES, "--by-group", "reform_year"]);
    expect(grouped.status).toBe(4);
    expect(grouped.stderr).toMatch(
      /^mobility: error: group reform_year = 1992 has no observation at the reference period -1 \(observed relative periods: 1 to 23\)/,
    );
    expect(grouped.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("a design with no control units is refused with one line (exit 4); unknown values are usage errors", () => {
    const file = join(dir, "all_treated.csv");
    const rows = ["unit,year,event,y"];
    for (let u = 1; u <= 6; u++) for (let t = 1; t <= 5; t++) rows.push(`${u},${t},3,${u + t * 0.1}`);
    writeFileSync(file, `${rows.join("\n")}\n`);
    for (const estimator of ["twfe", "cs"]) {
      const r = runCli([
        "eventstudy",
        file,
        "--outcome",
        "y",
        "--unit",
        "unit",
        "--time",
        "year",
        "--event-time",
        "event",
        "--estimator",
        estimator,
      ]);
      expect(r.status).toBe(4);
      expect(r.stderr).toMatch(
        /no control units: every unit has its event in period 3 and none is never treated/,
      );
    }
    const bad = runCli([...MP, "--estimator", "cs", "--base-period", "fixed"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(
      /^mobility: error: --base-period: expected one of varying, universal, found 'fixed'/,
    );
  });
});
