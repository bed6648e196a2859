/**
 * The `regress` command as users and scripts meet it: exit codes, one-line errors, output formats, files.
 * Numbers are checked against R in test/estimate/olsGolden.test.ts; here they only tie the CLI to that path.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

const COUNTY = "fixtures/atlas_f33_county.csv";
const golden = JSON.parse(readFileSync("test/golden/ols.json", "utf8")) as {
  cases: { id: string; estimate: number[]; std_error: number[]; nobs: number }[];
};
const goldenCase = (id: string) => golden.cases.find((c) => c.id === id) as (typeof golden.cases)[number];

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "mobility-test-"));
}

function expectOneLineError(stderr: string, pattern: RegExp) {
  const lines = stderr.trimEnd().split("\n");
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^mobility: error: /);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /); // never a stack trace
}

describe("mobility regress: JSON interface", () => {
  it("prints the documented JSON with the numbers of the golden R run (county_cluster_state)", () => {
    const r = runCli([
      "regress",
      COUNTY,
      "kfr_pooled_pooled_p25 ~ log_ppe + local_share",
      "--cluster",
      "state",
      "--types",
      "state:string",
      "--format",
      "json",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.tool).toBe("mobility");
    const model = out.models[0];
    const expected = goldenCase("county_cluster_state");
    expect(model.nobs).toBe(expected.nobs);
    expect(Object.keys(model.coefficients[0])).toEqual([
      "term",
      "estimate",
      "std_error",
      "statistic",
      "p_value",
      "conf_low",
      "conf_high",
    ]);
    model.coefficients.forEach((c: { estimate: number; std_error: number }, j: number) => {
      expect(c.estimate).toBeCloseTo(expected.estimate[j] as number, 12);
      expect(c.std_error).toBeCloseTo(expected.std_error[j] as number, 12);
    });
    expect(model.vcov).toMatchObject({
      type: "cluster",
      cluster: ["state"],
      n_clusters: [50],
      ssc: "fixest",
    });
    expect(model.vcov.df_t).toBe(49);
    expect(model.notes).toEqual([
      "3 observations removed because of missing values (kfr_pooled_pooled_p25: 3)",
    ]);
  });

  it("gives byte-identical output for the same input", () => {
    const args = ["regress", COUNTY, "kfr_pooled_pooled_p25 ~ log_ppe*local_share", "--vcov", "hc1"];
    expect(runCli(args).stdout).toBe(runCli(args).stdout);
  });

  it("--by estimates one model per group, sorted by group value, each matching a subset run", () => {
    const dir = tempDir();
    const subset = join(dir, "tx.csv");
    const text = readFileSync(COUNTY, "utf8").split("\n");
    writeFileSync(subset, [text[0], ...text.slice(1).filter((l) => l.startsWith("48"))].join("\n"));
    const run = runCli([
      "regress",
      COUNTY,
      "kfr_pooled_pooled_p25 ~ log_ppe",
      "--by",
      "state",
      "--format",
      "json",
    ]);
    // Washington DC is one county: it cannot be estimated and is skipped with a warning.
    expect(run.stderr).toMatch(
      /^mobility: warning: group state=11 skipped: .*no residual degrees of freedom\n$/,
    );
    const by = JSON.parse(run.stdout);
    expect(by.models).toHaveLength(49);
    expect(by.models[0].group).toEqual({ state: "01" });
    const texas = by.models.find((m: { group: { state: string } }) => m.group.state === "48");
    const alone = JSON.parse(
      runCli(["regress", subset, "kfr_pooled_pooled_p25 ~ log_ppe", "--format", "json"]).stdout,
    );
    expect(texas.coefficients).toEqual(alone.models[0].coefficients);
  });

  it("drops a collinear regressor with a note, as fixest does", () => {
    const dir = tempDir();
    const file = join(dir, "c.csv");
    writeFileSync(file, "y,x,z\n1,1,2\n2,2,4\n4,3,6\n3,4,8\n6,5,10\n");
    const r = runCli(["regress", file, "y ~ x + z", "--format", "json"]);
    expect(r.status, r.stderr).toBe(0);
    const model = JSON.parse(r.stdout).models[0];
    expect(model.collinear).toEqual(["z"]);
    expect(model.coefficients.map((c: { term: string }) => c.term)).toEqual(["(Intercept)", "x"]);
    expect(model.notes).toContain("variable 'z' removed because of collinearity");
  });
});

describe("mobility regress: formats and files", () => {
  it("writes every format to --out atomically, choosing the format from the extension", () => {
    const dir = tempDir();
    for (const ext of ["txt", "md", "tex", "csv", "json"]) {
      const out = join(dir, `table.${ext}`);
      const r = runCli(["regress", COUNTY, "kfr_pooled_pooled_p25 ~ log_ppe", "--vcov", "hc1", "--out", out]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe("");
      const text = readFileSync(out, "utf8");
      if (ext === "json") expect(JSON.parse(text).models).toHaveLength(1);
      if (ext === "csv") {
        const rows = Papa.parse<Record<string, string>>(text.trim(), { header: true }).data;
        expect(rows.map((row) => row.term)).toEqual(["(Intercept)", "log_ppe"]);
      }
      if (ext === "tex") expect(text).toContain("\\toprule");
      if (ext === "md") expect(text).toMatch(/^\|/m);
    }
  });

  it("fails with exit 5 and no file when the output cannot be written", () => {
    const r = runCli([
      "regress",
      COUNTY,
      "kfr_pooled_pooled_p25 ~ log_ppe",
      "--out",
      "/nonexistent-dir/t.txt",
    ]);
    expect(r.status).toBe(5);
    expectOneLineError(r.stderr, /cannot write \/nonexistent-dir\/t.txt/);
  });
});

describe("mobility regress: bad input gives one line and a documented exit code", () => {
  const dir = tempDir();
  const bad = join(dir, "bad.csv");
  writeFileSync(bad, "y,x,g,empty\n1,2,a,\n2,abc,a,\n3,4,a,\n5,7,a,\n");
  const small = join(dir, "small.csv");
  writeFileSync(small, "y,x,g\n1,2,a\n2,3,a\n3,5,a\n4,4,a\n");

  const cases: [string, string[], number, RegExp][] = [
    ["missing file", ["regress", join(dir, "nope.csv"), "y ~ x"], 3, /nope.csv: cannot read file \(ENOENT\)/],
    [
      "unknown column",
      ["regress", small, "y ~ x + w"],
      2,
      /formula "y ~ x \+ w" at position 9: no column 'w'/,
    ],
    ["malformed formula", ["regress", small, "y ~ x +"], 2, /at position 8: the formula ends where a term/],
    ["x^2 outside I()", ["regress", small, "y ~ x^2"], 2, /write I\(x\^2\)/],
    [
      "text in a numeric column",
      ["regress", bad, "y ~ x"],
      3,
      /bad.csv line 3, column 'x': expected a number, found 'abc'/,
    ],
    ["all-missing regressor", ["regress", bad, "y ~ empty"], 4, /column 'empty' has no non-missing values/],
    [
      "single cluster",
      ["regress", small, "y ~ x", "--cluster", "g"],
      4,
      /cannot cluster by 'g': it has 1 cluster/,
    ],
    [
      "more coefficients than rows",
      ["regress", small, "y ~ x + I(x^2) + I(x^3) + I(x^4)"],
      4,
      /no residual degrees of freedom/,
    ],
    [
      "unknown vcov",
      ["regress", small, "y ~ x", "--vcov", "hc9"],
      2,
      /covariance: expected one of .*found 'hc9'/,
    ],
    [
      "bad level",
      ["regress", small, "y ~ x", "--level", "95"],
      2,
      /--level: expected a number between 0 and 1/,
    ],
    [
      "unknown cluster column",
      ["regress", small, "y ~ x", "--cluster", "firm"],
      2,
      /cluster: no column 'firm'/,
    ],
  ];
  for (const [what, args, status, pattern] of cases) {
    it(`${what}: exit ${status}`, () => {
      const r = runCli(args);
      expect(r.stdout).toBe("");
      expect(r.status, r.stderr).toBe(status);
      expectOneLineError(r.stderr, pattern);
    });
  }
});

describe("mobility regress: IV first stages", () => {
  it("--first-stage puts the first stage next to the 2SLS column, with the partial F of the golden IV run", () => {
    const golden = JSON.parse(readFileSync("test/golden/iv.json", "utf8")) as {
      cases: { id: string; first_stage: { f_wald: number }[] }[];
    };
    const expected = golden.cases.find((c) => c.id === "cig_panel_fe_cluster_state")?.first_stage[0]?.f_wald;
    const r = runCli([
      "regress",
      "fixtures/iv/cigarettes_sw_panel.csv",
      "lpacks ~ lincome | state + year | lprice ~ tdiff",
      "--cluster",
      "state",
      "--first-stage",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.find((l) => l.includes("First stage"))).toMatch(/First stage\s+2SLS$/);
    // fixest's etable prints the fitted regressor under its own name, on the row an OLS estimate of it would use.
    expect(r.stdout).toMatch(/\nlprice\s+-0\.9380\*\*\*\n/);
    expect(r.stdout).toMatch(/\ntdiff\s+0\.0255\*\*\*\n/);
    expect(r.stdout).toMatch(
      new RegExp(`First-stage F\\s+${(expected as number).toFixed(2)}\\s+${(expected as number).toFixed(2)}`),
    );
    expect(r.stdout).toMatch(/Within R2\s+0\.5146\s/);
  });

  it("--first-stage on a model without instruments is a usage error", () => {
    const r = runCli(["regress", COUNTY, "kfr_pooled_pooled_p25 ~ log_ppe", "--first-stage"]);
    expect(r.status).toBe(2);
    expectOneLineError(r.stderr, /--first-stage: no model is an IV model/);
  });
});

describe("mobility regress --reader", () => {
  it("reads a raw Atlas file through the dataset reader, as if ingested first", () => {
    const dir = tempDir();
    const long = join(dir, "atlas_long.csv");
    const ingest = runCli(["ingest", "atlas", "fixtures/atlas_county.csv", "--long", "--out", long]);
    expect(ingest.status, ingest.stderr).toBe(0);
    const formula = "kfr ~ i(race) + i(gender) | fips";
    const direct = runCli([
      "regress",
      "fixtures/atlas_county.csv",
      formula,
      "--reader",
      "atlas",
      "--long",
      "--cluster",
      "state",
      "--format",
      "json",
    ]);
    expect(direct.status, direct.stderr).toBe(0);
    expect(direct.stderr).toMatch(/^atlas: fixtures\/atlas_county.csv: read 3219 rows/);
    const viaFile = runCli([
      "regress",
      long,
      formula,
      "--cluster",
      "state",
      "--types",
      "fips:string,state:string",
      "--format",
      "json",
    ]);
    expect(viaFile.status, viaFile.stderr).toBe(0);
    const a = JSON.parse(direct.stdout).models[0];
    const b = JSON.parse(viaFile.stdout).models[0];
    expect(a.nobs).toBe(b.nobs);
    expect(a.coefficients.map((c: { term: string }) => c.term)).toEqual(
      b.coefficients.map((c: { term: string }) => c.term),
    );
    a.coefficients.forEach((c: { estimate: number; std_error: number }, j: number) => {
      expect(c.estimate).toBeCloseTo(b.coefficients[j].estimate, 12);
      expect(c.std_error).toBeCloseTo(b.coefficients[j].std_error, 12);
    });
  });
});

describe("--coefstat boot_p | boot_ci: the wild bootstrap in place of the standard error (issue 12)", () => {
  const args = [
    "regress",
    COUNTY,
    "kfr_pooled_pooled_p25 ~ log_ppe + local_share",
    "--cluster",
    "state",
    "--boot",
    "999",
    "--seed",
    "7",
  ];
  it("shows the JSON's bootstrap interval and p-value under each bootstrapped estimate, blank under the intercept", () => {
    const json = runCli([...args, "--format", "json"]);
    expect(json.status, json.stderr).toBe(0);
    const rows = JSON.parse(json.stdout).models[0].coefficients as {
      term: string;
      boot_p_value?: number;
      boot_conf_low?: number;
      boot_conf_high?: number;
    }[];
    const ci = runCli([...args, "--coefstat", "boot_ci"]);
    const p = runCli([...args, "--coefstat", "boot_p"]);
    expect(ci.status, ci.stderr).toBe(0);
    expect(p.status, p.stderr).toBe(0);
    for (const row of rows.filter((r) => r.term !== "(Intercept)")) {
      const interval = `[${(row.boot_conf_low as number).toFixed(4)}; ${(row.boot_conf_high as number).toFixed(4)}]`;
      expect(ci.stdout).toContain(interval);
      expect(p.stdout).toContain(`[${(row.boot_p_value as number).toFixed(4)}]`);
    }
    const text = runCli([...args, "--coefstat", "boot_ci"]);
    expect(text.stdout).toContain("Wild cluster bootstrap confidence intervals in brackets");
  });
});
