/**
 * README claims about commands, end to end through the built CLI, against R (scripts/golden/claims.R, issue 18):
 * --drop-singletons under the default convention (fixest fixef.rm = "singleton"), --fixef-out (fixest::fixef),
 * merge 1:m and m:m (base R merge), aggregate (weighted.mean, sum, count), describe (mean, sd, median), and the
 * refusal of HC2/HC3 with fixed effects.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { expectClose } from "../helpers/close.js";

const golden = JSON.parse(readFileSync("test/golden/claims.json", "utf8"));
const dir = mkdtempSync(join(tmpdir(), "mobility-claims-cli-"));
const counties = "fixtures/atlas_f33_county.csv";

function csvRows(text: string): Record<string, string>[] {
  return Papa.parse<Record<string, string>>(text.trim(), { header: true }).data;
}

describe("regress options against fixest", () => {
  it("--drop-singletons (default convention) = fixest fixef.rm = 'singleton': sample, estimates, SEs, df", () => {
    const s = golden.singletons;
    const run = runCli([
      "regress",
      s.file,
      s.formula,
      "--cluster",
      "state",
      "--drop-singletons",
      "--format",
      "json",
    ]);
    expect(run.status, run.stderr).toBe(0);
    const model = JSON.parse(run.stdout).models[0];
    expect(model.nobs).toBe(s.nobs);
    expect(model.coefficients.map((c: { term: string }) => c.term)).toEqual(s.terms);
    expectClose(
      model.coefficients.map((c: { estimate: number }) => c.estimate),
      s.estimate,
      1e-9,
      "estimate",
    );
    expectClose(
      model.coefficients.map((c: { std_error: number }) => c.std_error),
      s.std_error,
      1e-8,
      "std_error",
    );
    expect(model.vcov.df_t).toBe(s.df_t);
    // fixest's obsRemoved counts the rows with missing values too; ours notes them apart.
    const removed = (model.notes as string[]).map((n) =>
      Number(/^(\d+) (singleton )?observations removed/.exec(n)?.[1] ?? 0),
    );
    expect(removed.reduce((a, b) => a + b, 0)).toBe(s.singletons_removed);
    expect(JSON.stringify(model.notes)).toContain("singleton observations removed");
  });

  it("--fixef-out writes fixest::fixef's state effects", () => {
    const f = golden.fixef;
    const out = join(dir, "fe.csv");
    const run = runCli(["regress", f.file, f.formula, "--fixef-out", out, "--format", "json"]);
    expect(run.status, run.stderr).toBe(0);
    const rows = csvRows(readFileSync(out, "utf8"));
    const byLevel = new Map(rows.map((r) => [Number(r.level), Number(r.value)]));
    expect(byLevel.size).toBe(f.levels.length);
    expectClose(
      f.levels.map((level: string) => byLevel.get(Number(level)) ?? Number.NaN),
      f.values,
      1e-9,
      "fixed effects",
    );
  });

  it("hc2 and hc3 with fixed effects are refused (exit 2, one line)", () => {
    for (const vcov of ["hc2", "hc3"]) {
      const run = runCli(["regress", counties, "kfr_pooled_pooled_p25 ~ log_ppe | state", "--vcov", vcov]);
      expect(run.status).toBe(2);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stderr).toContain(`${vcov} is not available with fixed effects`);
    }
  });
});

describe("data commands against base R", () => {
  it("merge --expect 1:m: rows and sums equal R's merge()", () => {
    const m = golden.commands.merge_1_m;
    const run = runCli([
      "merge",
      "fixtures/commands/state_local_share.csv",
      "fixtures/f33_1995_districts.csv",
      "--on",
      "FIPST",
      "--expect",
      "1:m",
    ]);
    expect(run.status, run.stderr).toBe(0);
    const rows = csvRows(run.stdout);
    expect(rows).toHaveLength(m.rows);
    const v33 = rows.map((r) => Number(r.V33));
    expect(v33.reduce((a, b) => a + (Number.isNaN(b) ? 0 : b), 0)).toBe(m.sum_V33);
    const weighted = rows.reduce((a, r) => {
      const p = Number(r.mean_local_share) * Number(r.V33);
      return a + (Number.isNaN(p) ? 0 : p);
    }, 0);
    expectClose([weighted], [m.sum_share_times_V33], 1e-12, "sum of share x V33");
    // The reverse order is m:1, so --expect 1:m on it must fail (exit 3).
    const wrong = runCli([
      "merge",
      "fixtures/f33_1995_districts.csv",
      "fixtures/commands/state_local_share.csv",
      "--on",
      "FIPST",
      "--expect",
      "1:m",
    ]);
    expect(wrong.status).toBe(3);
  });

  it("merge --expect m:m: every pair, as R's merge()", () => {
    const m = golden.commands.merge_m_m;
    const run = runCli([
      "merge",
      "fixtures/commands/county_fipst.csv",
      "fixtures/f33_1995_districts.csv",
      "--on",
      "FIPST",
      "--expect",
      "m:m",
    ]);
    expect(run.status, run.stderr).toBe(0);
    const rows = csvRows(run.stdout);
    expect(rows).toHaveLength(m.rows);
    expect(rows.reduce((a, r) => a + (Number(r.V33) || 0), 0)).toBe(m.sum_V33);
  });

  it("aggregate --by state: weighted means, sums and counts equal R's", () => {
    const a = golden.commands.aggregate;
    const run = runCli([
      "aggregate",
      counties,
      "--by",
      "state",
      "--mean",
      "kfr=kfr_pooled_pooled_p25",
      "--weight",
      "enrollment",
      "--sum",
      "enrollment",
      "--count",
    ]);
    expect(run.status, run.stderr).toBe(0);
    const rows = csvRows(run.stdout);
    expect(rows.map((r) => r.state)).toEqual(a.state);
    expectClose(
      rows.map((r) => Number(r.kfr)),
      a.kfr,
      1e-14,
      "weighted mean",
    );
    expect(rows.map((r) => Number(r.enrollment))).toEqual(a.enrollment);
    expect(rows.map((r) => Number(r.n))).toEqual(a.n);
  });

  it("describe: n, mean, sd, min, median, max equal R's", () => {
    const d = golden.commands.describe_log_ppe;
    const run = runCli(["describe", counties, "--columns", "log_ppe", "--format", "json"]);
    expect(run.status, run.stderr).toBe(0);
    const column = JSON.parse(run.stdout).columns[0];
    expect(column.n).toBe(d.n);
    expectClose(
      [column.mean, column.sd, column.min, column.median, column.max],
      [d.mean, d.sd, d.min, d.median, d.max],
      1e-14,
      "summary statistics",
    );
  });
});
