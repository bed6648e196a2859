/**
 * `mobility eventstudy` end to end (the built CLI, as users run it): JSON, text, CSV, SVG and PNG files,
 * deterministic output, usage errors; and fixest's `i(rel_time, treated, ref = c(-1, -1000))` through `regress`,
 * tied to the same golden numbers (scripts/golden/eventstudy.R).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

const DATA = "fixtures/eventstudy/states_reforms.csv";
const golden = JSON.parse(readFileSync("test/golden/eventstudy.json", "utf8")) as {
  cases: { id: string; rel_time: number[]; estimate: number[] }[];
};
const drop = golden.cases.find((c) => c.id === "twfe_drop") as (typeof golden.cases)[number];
const BASE = [
  "eventstudy",
  DATA,
  "--outcome",
  "log(total_revenue / enroll)",
  "--unit",
  "state",
  "--time",
  "year",
  "--event-time",
  "reform_year",
  "--window",
  "-3:10",
  "--types",
  "state:string",
];

describe("mobility eventstudy (CLI)", () => {
  const dir = mkdtempSync(join(tmpdir(), "mobility-es-"));

  it("writes JSON with the documented event-study rows and block, numbers as in the golden run", () => {
    const out = join(dir, "es.json");
    const r = runCli([...BASE, "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(out, "utf8"));
    expect(json.models).toHaveLength(1);
    const model = json.models[0];
    const path = model.coefficients.filter((c: { reference?: boolean }) => !c.reference);
    expect(path.map((c: { rel_time: number }) => c.rel_time)).toEqual(drop.rel_time);
    path.forEach((c: { estimate: number }, j: number) => {
      expect(c.estimate).toBeCloseTo(drop.estimate[j] as number, 10);
    });
    const ref = model.coefficients.find((c: { reference?: boolean }) => c.reference);
    expect(ref).toMatchObject({
      term: "rel_time::-1",
      rel_time: -1,
      estimate: 0,
      std_error: 0,
      p_value: null,
      n_treated: 10,
    });
    for (const key of ["rel_time", "estimate", "std_error", "conf_low", "conf_high", "n_treated"]) {
      expect(path[0]).toHaveProperty(key);
    }
    expect(model.event_study).toMatchObject({
      estimator: "twfe",
      window: [-3, 10],
      reference: [-1],
      control: "never",
    });
    expect(model.event_study.pre_test.df1).toBe(2);
    expect(model.vcov_matrix).toHaveLength(model.coefficients.length);
  });

  it("text and CSV tables, identical on a second run; SVG and PNG plots", () => {
    const svg = join(dir, "es.svg");
    const png = join(dir, "es.png");
    const a = runCli([...BASE, "--estimator", "sunab", "--plot", svg]);
    const b = runCli([...BASE, "--estimator", "sunab", "--plot", png]);
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatch(/Rel\. time\s+Estimate\s+Std\. error/);
    expect(a.stdout).toMatch(/-1\s+0\.0000\s+ref\./);
    expect(a.stdout).toMatch(/Pre-period coefficients jointly zero \(2 terms\): F\(2, 22\)/);
    expect(a.stdout).toMatch(/ATT over post periods, cohort-share weights/);
    const svgText = readFileSync(svg, "utf8");
    expect(svgText.startsWith("<svg")).toBe(true);
    expect(svgText).toContain("role-mark");
    expect(svgText).toContain("ref.");
    expect(svgText).toContain("year relative to reform_year");
    const pngBytes = readFileSync(png);
    expect([...pngBytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const again = join(dir, "es2.svg");
    runCli([...BASE, "--estimator", "sunab", "--plot", again]);
    expect(readFileSync(again, "utf8")).toBe(svgText);
    const csv = runCli([...BASE, "--format", "csv"]);
    expect(csv.stdout.split("\n")[0]).toBe(
      "model,group,rel_time,term,estimate,std_error,statistic,p_value,conf_low,conf_high,n_treated,reference",
    );
  });

  it("one series per group in the plot and a group column in the table (--by-group)", () => {
    const svg = join(dir, "groups.svg");
    const r = runCli([
      ...BASE,
      "--by-group",
      "reform_year",
      "--bin-endpoints",
      "--plot",
      svg,
      "--format",
      "markdown",
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| reform\\_year \| Rel\. time/);
    expect(r.stdout).toContain("\\>= 10");
    const text = readFileSync(svg, "utf8");
    expect(text).toMatch(/role-legend/);
    for (const g of ["1994", "1995", "1998"]) expect(text).toContain(`>${g}</text>`);
  });

  it("usage errors are one line with exit code 2", () => {
    const r = runCli([...BASE, "--estimator", "did"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^mobility: error: --estimator: expected one of twfe, sunab/);
    const p = runCli([...BASE, "--plot", join(dir, "x.pdf")]);
    expect(p.status).toBe(2);
    const c = runCli([...BASE, "--unit", "nope"]);
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/no column 'nope'/);
  });
});

describe("fixest's i(rel_time, treated, ref = c(-1, -1000)) in regress", () => {
  it("drops both reference levels and reproduces the golden event-study estimates", () => {
    const rows = readFileSync(DATA, "utf8").trim().split("\n");
    const out = ["state,year,rel_time,treated,total_revenue,enroll"];
    for (const line of rows.slice(1)) {
      const [state, year, reform, enroll, revenue] = line.split(",");
      const treated = reform !== "";
      const relTime = treated ? Number(year) - Number(reform) : -1000;
      if (treated && (relTime < -3 || relTime > 10)) continue;
      out.push([state, year, relTime, treated ? 1 : 0, revenue, enroll].join(","));
    }
    const dir = mkdtempSync(join(tmpdir(), "mobility-i-"));
    const file = join(dir, "panel.csv");
    writeFileSync(file, `${out.join("\n")}\n`);
    expect(existsSync(file)).toBe(true);
    const r = runCli([
      "regress",
      file,
      "log(total_revenue / enroll) ~ i(rel_time, treated, ref = c(-1, -1000)) | state + year",
      "--cluster",
      "state",
      "--format",
      "json",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const model = JSON.parse(r.stdout).models[0];
    const terms = model.coefficients.map((c: { term: string }) => c.term);
    expect(terms).toEqual(drop.rel_time.map((k) => `rel_time::${k}:treated`));
    model.coefficients.forEach((c: { estimate: number }, j: number) => {
      expect(c.estimate).toBeCloseTo(drop.estimate[j] as number, 10);
    });
  });
});
