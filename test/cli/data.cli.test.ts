/**
 * The data commands end to end through the built CLI: standard input, binary formats, --subset, stack, the
 * aggregate ratio rule's note, merge --missing-keys. Numbers are checked by hand on small real extracts.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mobility-data-cli-"));
const grunfeld = "fixtures/grunfeld.csv";

describe("reading: standard input, compressed and binary files (by hand)", () => {
  it("describe - and regress /dev/stdin read standard input without seeking", async () => {
    const { readFileSync } = await import("node:fs");
    const csv = readFileSync(grunfeld, "utf8");
    const described = runCli(["describe", "-", "--format", "json"], csv);
    expect(described.status, described.stderr).toBe(0);
    expect(JSON.parse(described.stdout).rows).toBe(200);
    const regressed = runCli(["regress", "/dev/stdin", "inv ~ value + capital", "--format", "json"], csv);
    expect(regressed.status, regressed.stderr).toBe(0);
    const fromFile = runCli(["regress", grunfeld, "inv ~ value + capital", "--format", "json"]);
    expect(JSON.parse(regressed.stdout).models[0].coefficients).toEqual(
      JSON.parse(fromFile.stdout).models[0].coefficients,
    );
  });

  it("a gzip-compressed CSV reads like the CSV; a .gz that is not gzip is one line, exit 3", () => {
    const gz = join(dir, "g.csv.gz");
    writeFileSync(gz, gzipSync(Buffer.from("a,b\n1,2\n3,4\n")));
    const ok = runCli(["describe", gz, "--format", "json"]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).columns[0]).toMatchObject({ name: "a", n: 2, mean: 2 });
    const bad = join(dir, "bad.gz");
    writeFileSync(bad, "a,b\n1,2\n");
    const result = runCli(["describe", bad]);
    expect(result.status).toBe(3);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/bad\.gz: expected a gzip-compressed file/);
  });

  it("describe a Stata file and an Excel sheet with --subset", () => {
    const dta = runCli([
      "describe",
      "fixtures/formats/lihtc_ak_v118.dta",
      "--subset",
      "n_units >= 50",
      "--format",
      "json",
    ]);
    expect(dta.status, dta.stderr).toBe(0);
    expect(dta.stderr).toMatch(/--subset n_units >= 50: 25 -> \d+ rows/);
    const xlsx = runCli([
      "describe",
      "fixtures/formats/tdhca_2017_award_log.xlsx",
      "--sheet",
      "Submissions",
      "--skip",
      "13",
      "--columns",
      "Total Units",
      "--subset",
      "`Award Status` == 'Awarded'",
      "--format",
      "json",
    ]);
    expect(xlsx.status, xlsx.stderr).toBe(0);
    const d = JSON.parse(xlsx.stdout);
    expect(d.columns.map((c: { name: string }) => c.name)).toEqual(["Total Units"]);
    expect(d.rows).toBeGreaterThan(10);
  });
});

describe("stack, aggregate and merge", () => {
  it("stack: two F-33 extracts with a year tag from the file name; columns present in one file only are reported", () => {
    const out = join(dir, "stacked.csv");
    const result = runCli([
      "stack",
      "fixtures/readers/f33_1995_districts_subset.csv",
      "fixtures/readers/f33_2000_subset.csv",
      "--tag",
      "fy",
      "--tag-pattern",
      "f33_(\\d{4})",
      "--out",
      out,
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/stack: 2 files -> 67 rows/);
    expect(result.stderr).toMatch(/LEAID: not in fixtures\/readers\/f33_2000_subset\.csv/);
    const described = runCli(["describe", out, "--columns", "fy", "--format", "json"]);
    expect(JSON.parse(described.stdout).columns[0]).toMatchObject({ n: 67, min: 1995, max: 2000 });
  });

  it("aggregate notes the rows the ratio rule leaves out", () => {
    const result = runCli([
      "aggregate",
      "fixtures/readers/f33_1995_districts_subset.csv",
      "--by",
      "STABBR",
      "--ratio",
      "ppe=TOTALEXP/V33",
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /note: \d+ rows left out of every output column .*V33 missing or <= 0 \(ratio ppe\)/,
    );
  });

  it("merge --missing-keys match pairs missing keys (Stata) and says so; the default never does", () => {
    const left = join(dir, "l.csv");
    const right = join(dir, "r.csv");
    writeFileSync(left, "k,x\n1,a\n,b\n");
    writeFileSync(right, "k,y\n1,c\n,d\n");
    const never = runCli(["merge", left, right, "--on", "k"]);
    expect(never.stdout.trim().split("\n")).toHaveLength(2);
    const match = runCli(["merge", left, right, "--on", "k", "--missing-keys", "match"]);
    expect(match.status, match.stderr).toBe(0);
    expect(match.stdout.trim().split("\n")).toEqual(["k,x,y", "1,a,c", ",b,d"]);
    expect(match.stderr).toMatch(
      /missing keys matched each other \(Stata's rule, missing keys: match\): 1 pairs/,
    );
  });
});
