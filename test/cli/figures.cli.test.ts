/**
 * The figure commands (map, binscatter, plot) as users meet them: files written, notes on stderr, one-line errors.
 * Numbers are checked against R binsreg in test/estimate/binscatter.test.ts and marks against data in
 * test/report/*.test.ts; here they only tie the CLI to those paths.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

const COUNTY = "fixtures/atlas_f33_county.csv";
const golden = JSON.parse(readFileSync("test/golden/binsreg.json", "utf8")) as {
  cases: { raw: { dots: { fit: number[] } } };
};

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "mobility-fig-"));
}

function expectOneLineError(stderr: string, pattern: RegExp) {
  const lines = stderr.trimEnd().split("\n");
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^mobility: error: /);
  expect(lines[0]).toMatch(pattern);
}

describe("mobility map", () => {
  it("maps the Atlas by county with the match report on stderr (PNG)", () => {
    const dir = tempDir();
    const out = join(dir, "map.png");
    const r = runCli([
      "map",
      "fixtures/atlas_county.csv",
      "--reader",
      "atlas",
      "--quiet",
      "--fips",
      "fips",
      "--value",
      "kfr_pooled_pooled_p25",
      "--out",
      out,
      "--report",
      join(dir, "report.json"),
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("every id matches a polygon");
    expect(r.stderr).toMatch(
      /89 polygons lie outside the projection and are not drawn \(71 of them with data\)/,
    );
    expect(readFileSync(out).subarray(1, 4).toString()).toBe("PNG");
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
    expect(report.unmatchedIds).toEqual([]);
  }, 60_000);

  it("lists county codes of another vintage, and brings them forward with --id-vintage", () => {
    const dir = tempDir();
    const data = join(dir, "old.csv");
    writeFileSync(data, "fips,v\n12025,1\n46113,2\n01001,3\n51780,4\n");
    // 1994 codes: Dade (12025, recoded 1997), Shannon (46113, 2015), South Boston city (51780, merged 1995).
    const r = runCli([
      "map",
      data,
      "--fips",
      "fips",
      "--value",
      "v",
      "--classes",
      "2",
      "--id-vintage",
      "1994",
      "--out",
      join(dir, "m.svg"),
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("every id matches a polygon");
    const svg = readFileSync(join(dir, "m.svg"), "utf8");
    expect(svg).toContain('aria-label="12086 Miami-Dade: 1"');
    expect(svg).toContain('aria-label="51083 Halifax: 4"');
  }, 60_000);

  it("refuses a bad output extension or an unknown column in one line", () => {
    const bad = runCli(["map", COUNTY, "--fips", "fips", "--value", "ppe", "--out", "map.jpg"]);
    expect(bad.status).toBe(2);
    expectOneLineError(bad.stderr, /--out: expected a file ending in \.svg or \.png, found 'map\.jpg'/);
    const col = runCli([
      "map",
      COUNTY,
      "--fips",
      "fips",
      "--value",
      "log(ppx)",
      "--out",
      join(tempDir(), "m.svg"),
    ]);
    expect(col.status).toBe(2);
    expectOneLineError(col.stderr, /--value: no column 'ppx'/);
  });
});

describe("mobility binscatter", () => {
  it("prints binsreg's dots as CSV (20 bins, no controls; R binsreg golden)", () => {
    const r = runCli([
      "binscatter",
      COUNTY,
      "--y",
      "kfr_pooled_pooled_p25",
      "--x",
      "log_ppe",
      "--bins",
      "20",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("bin,left,right,n,x,fit,ci_fit,ci_low,ci_high");
    const fits = lines.slice(1).map((l) => Number(l.split(",")[5]));
    fits.forEach((f, i) => {
      expect(Math.abs(f / (golden.cases.raw.dots.fit[i] as number) - 1)).toBeLessThan(1e-9);
    });
    expect(r.stderr).toContain("3 observations removed because of missing values (kfr_pooled_pooled_p25: 3)");
  });

  it("writes the plot and the whole result as JSON, with groups, controls and fixed effects", () => {
    const dir = tempDir();
    const r = runCli([
      "binscatter",
      COUNTY,
      "--y",
      "kfr_black_male_p25",
      "--x",
      "log(ppe)",
      "--controls",
      "local_share",
      "--absorb",
      "state",
      "--bins",
      "10",
      "--ci",
      "--plot",
      join(dir, "b.svg"),
      "--out",
      join(dir, "b.json"),
    ]);
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, "b.json"), "utf8"));
    expect(json.binscatter.groups[0].dots).toHaveLength(10);
    expect(json.binscatter.absorb).toBe("state");
    expect(readFileSync(join(dir, "b.svg"), "utf8")).toContain(
      "Controls at their means: local_share; state fixed",
    );
  }, 60_000);

  it("refuses one bin and an unknown control in one line", () => {
    const one = runCli([
      "binscatter",
      COUNTY,
      "--y",
      "kfr_pooled_pooled_p25",
      "--x",
      "log_ppe",
      "--bins",
      "1",
    ]);
    expect(one.status).toBe(2);
    expectOneLineError(one.stderr, /--bins: expected a whole number of at least 2, found '1'/);
    const ctl = runCli([
      "binscatter",
      COUNTY,
      "--y",
      "kfr_pooled_pooled_p25",
      "--x",
      "log_ppe",
      "--controls",
      "nope",
    ]);
    expect(ctl.status).toBe(2);
    expectOneLineError(ctl.stderr, /--controls: no column 'nope'/);
  });
});

describe("mobility plot", () => {
  it("draws a coefficient plot of the models in a regress JSON file", () => {
    const dir = tempDir();
    const r = runCli([
      "plot",
      "examples/spending_race_gender/output/models.json",
      "--term",
      "ppe_k",
      "local_share",
      "--out",
      join(dir, "coef.svg"),
    ]);
    expect(r.status, r.stderr).toBe(0);
    const svg = readFileSync(join(dir, "coef.svg"), "utf8");
    expect(svg).toContain("Bars: 95% confidence intervals, clustered (state) SEs");
    expect(svg.match(/aria-label="[^"]*, ppe_k: estimate/g)?.length).toBe(2);
  }, 30_000);

  it("draws estimates by group from a tidy CSV with standard errors", () => {
    const dir = tempDir();
    const data = join(dir, "tp.csv");
    writeFileSync(
      data,
      "year,estimate,std_error\n2000,0.51,0.05\n2005,0.62,0.06\n2010,0.8,0.05\n2020,0.97,0.04\n",
    );
    const r = runCli([
      "plot",
      data,
      "--x",
      "year",
      "--se",
      "std_error",
      "--type",
      "lines",
      "--out",
      join(dir, "tp.svg"),
    ]);
    expect(r.status, r.stderr).toBe(0);
    const svg = readFileSync(join(dir, "tp.svg"), "utf8");
    expect(svg).toContain("Bars: 95% normal intervals, estimate ± 1.96 × std_error");
    expect(svg).toContain(
      'aria-label="x 2010: estimate 0.8, interval 0.7020018007729973 to 0.8979981992270027"',
    );
  }, 30_000);
});
