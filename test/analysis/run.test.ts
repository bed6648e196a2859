import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { formatCheckReport } from "../../src/analysis/check.js";
import { runSpec } from "../../src/analysis/run.js";
import { EXIT_CODES } from "../../src/errors.js";
import { VERSION } from "../../src/version.js";

// A tiny data set whose regression is known by hand: y = 1 + 2x exactly for group a, and b shifted by 1.
// x: 1..6, g: a,b alternating; y = 1 + 2x + (g == b) + e with e = (+0.1, -0.1, ...).
const CSV = `id,g,x,w,y
1,a,1,1,3.1
2,b,2,2,5.9
3,a,3,1,7.1
4,b,4,2,9.9
5,a,5,1,11.1
6,b,6,2,13.9
7,c,7,1,
`;

const SPEC = `name: tiny
data:
  sources:
    raw: { file: data.csv }
  tables:
    used:
      from: raw
      steps:
        - filter: y is not missing
        - derive:
            x2: x^2
            zx: { standardize: x, within: g }
models:
  m1:
    data: used
    formula: y ~ x + g
    vcov: hc1
  m2:
    data: used
    formula: y ~ x
tables:
  main:
    models: [m1, m2]
    titles: ["With group", "Without"]
    coefficients: [{ x: "Slope" }, { gb: "Group b" }]
    fit: [r2]
    rows:
      - { label: "N (rows)", stat: nobs }
      - { label: "x + gb", lincom: { x: 1 } }
    notes: ["A tiny test table."]
expect:
  values:
    - { model: m2, term: x, estimate: 2.0685714285714285 }
    - { model: m1, nobs: 6 }
`;

function setup(spec = SPEC): string {
  const dir = mkdtempSync(join(tmpdir(), "mobility-spec-"));
  writeFileSync(join(dir, "data.csv"), CSV);
  writeFileSync(join(dir, "analysis.yaml"), spec);
  return dir;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

describe("mobility run: a tiny spec end to end (numbers by hand)", () => {
  it("estimates, renders the table and passes its expectations", async () => {
    const dir = setup();
    const result = await runSpec(join(dir, "analysis.yaml"));
    expect(result.check.failed).toBe(0);
    // m2: slope of y on x over 6 rows, by hand: Sxy / Sxx = 36.2 / 17.5.
    const m2 = result.models.get("m2")?.results[0];
    expect(m2?.coefficients[1]?.estimate).toBeCloseTo(36.2 / 17.5, 12);
    const text = result.files.get("tables/main.txt") ?? "";
    expect(text).toContain("With group");
    expect(text).toContain("Slope");
    expect(text).toContain("N (rows)");
    expect(text).toContain("[0.");
    expect(text).toContain("A tiny test table.");
    expect(result.files.get("tables/main.md")).toContain("| Slope");
    expect(result.files.get("tables/main.tex")).toContain("\\toprule");
    expect(listFiles(result.outDir)).toEqual([
      "data_report.txt",
      "manifest.json",
      "models.json",
      "tables/main.md",
      "tables/main.tex",
      "tables/main.txt",
    ]);
    expect(result.files.get("data_report.txt")).toContain("filter y is not missing: 7 -> 6 rows");
  });

  it("manifest: tool version, sha256 of the spec and inputs, output hashes, the resolved spec", async () => {
    const dir = setup();
    const result = await runSpec(join(dir, "analysis.yaml"));
    const manifest = JSON.parse(readFileSync(join(result.outDir, "manifest.json"), "utf8"));
    const sha = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");
    expect(manifest.tool).toBe("mobility");
    expect(manifest.version).toBe(VERSION);
    expect(manifest.spec).toEqual({ file: "analysis.yaml", sha256: sha(SPEC) });
    expect(manifest.inputs).toEqual([{ file: "data.csv", sha256: sha(CSV), bytes: Buffer.byteLength(CSV) }]);
    for (const out of manifest.outputs) {
      expect(sha(readFileSync(join(result.outDir, out.file)))).toBe(out.sha256);
    }
    // Resolved: defaults filled in.
    expect(manifest.resolved_spec.models.m2.level).toBe(0.95);
    expect(manifest.resolved_spec.expect.tolerance).toBe(1e-8);
    expect(JSON.stringify(manifest)).not.toContain(dir); // no absolute paths
    expect(JSON.stringify(manifest)).not.toMatch(/20\d\d-\d\d-\d\dT/); // no timestamps
  });

  it("is deterministic: two runs give byte-identical output directories", async () => {
    const dir = setup();
    const a = await runSpec(join(dir, "analysis.yaml"), { out: join(dir, "a") });
    const b = await runSpec(join(dir, "analysis.yaml"), { out: join(dir, "b") });
    const files = listFiles(a.outDir);
    expect(listFiles(b.outDir)).toEqual(files);
    for (const f of files) {
      expect(readFileSync(join(b.outDir, f), "utf8"), f).toBe(readFileSync(join(a.outDir, f), "utf8"));
    }
  });

  it("--check: a drifted number fails with a readable diff", async () => {
    const dir = setup(SPEC.replace("estimate: 2.0685714285714285", "estimate: 2.07"));
    const result = await runSpec(join(dir, "analysis.yaml"), { write: false });
    expect(result.check.failed).toBe(1);
    expect(formatCheckReport(result.check)).toBe(
      "check: 1 of 2 expected values drifted:\n" +
        "  model m2, term x, estimate: expected 2.07, found 2.0685714285714285 (relative difference 6.90e-4 > tolerance 1e-8)\n",
    );
  });

  it("--check via the command line: exit code 6 and the diff on stdout; 0 when all hold", () => {
    const drifted = setup(SPEC.replace("nobs: 6", "nobs: 7"));
    const run = (dir: string) =>
      spawnSync(
        process.execPath,
        ["--import", "tsx", "src/cli/main.ts", "run", join(dir, "analysis.yaml"), "--check"],
        {
          encoding: "utf8",
        },
      );
    const bad = run(drifted);
    expect(EXIT_CODES.check).toBe(6);
    expect(bad.status).toBe(6);
    expect(bad.stdout).toContain("model m1, nobs: expected 7, found 6");
    expect(bad.stderr).toMatch(/^mobility: error: check failed: 1 of 2 expected values drifted/);
    const good = run(setup());
    expect(good.status).toBe(0);
    expect(good.stdout).toBe("check: all 2 expected values hold\n");
  });

  it("errors in data steps name the spec line and key; unknown columns are data errors", async () => {
    const dir = setup(SPEC.replace("- filter: y is not missing", "- filter: yy is not missing"));
    await expect(runSpec(join(dir, "analysis.yaml"), { write: false })).rejects.toThrow(
      /^analysis\.yaml line 9, key data\.tables\.used\.steps\[0\]: expression "!is\.na\(yy\)" at position 8: no column 'yy'/,
    );
  });
});

// Model outputs as data, nlcom rows, counterfactuals and event studies on the same tiny data (hand values).
describe("mobility run: coefficients tables, nlcom rows, counterfactuals (numbers by hand)", () => {
  it("registers per-group coefficients, renders a turning point and predicts under the reference curve", async () => {
    const spec = `name: tiny2
data:
  sources:
    raw: { file: data.csv }
  tables:
    used: { from: raw, steps: [ { filter: y is not missing } ] }
    slopes_x: { from: coefs, steps: [ { filter: "term == 'x'" } ] }
models:
  by_g:
    data: used
    formula: y ~ x
    by: g
    coefficients_table: coefs
  quad:
    data: used
    formula: y ~ x + I(x^2)
  fe:
    data: used
    formula: y ~ x | g
    by: w
counterfactuals:
  cf: { model: fe, reference: "2", columns: [id, g, w, x, y] }
tables:
  t:
    models: [quad]
    rows: [ { label: "Turning point", nlcom: "-b[x]/(2*b[I(x^2)])" } ]
lists:
  cf_list: { from: cf, formats: [csv] }
  slopes: { from: slopes_x, formats: [csv] }
expect:
  values:
    - { list: slopes, rows: 2 }
`;
    const dir = setup(spec);
    const result = await runSpec(join(dir, "analysis.yaml"), { write: false });
    expect(result.check.failed).toBe(0);
    // Group a: y = 1 + 2x + e with x = 1, 3, 5 and e = 0.1 each: slope exactly 2; group b: 9.9-5.9 over 2 = 2.
    const slopes = result.lists.get("slopes");
    expect(Array.from(slopes?.numeric("estimate").values ?? [])).toEqual([
      expect.closeTo(2, 12),
      expect.closeTo(2, 12),
    ]);
    const quad = result.models.get("quad")?.results[0];
    const b1 = quad?.coefficients.find((c) => c.term === "x")?.estimate as number;
    const b2 = quad?.coefficients.find((c) => c.term === "I(x^2)")?.estimate as number;
    expect(result.files.get("tables/t.txt")).toContain((-b1 / (2 * b2)).toFixed(4));
    // w = 1 rows (a) and w = 2 rows (b) each have one g level: FE = mean(y - b x); own fit = y - residual.
    const cf = result.lists.get("cf_list");
    const diff = cf?.numeric("difference").values ?? new Float64Array();
    const w = cf?.numeric("w").values ?? new Float64Array();
    diff.forEach((d, i) => {
      if (w[i] === 2) expect(d).toBe(0);
    });
    const feModels = result.models.get("fe")?.results ?? [];
    const slope = (k: number) => feModels[k]?.coefficients[0]?.estimate as number;
    const x = cf?.numeric("x").values ?? new Float64Array();
    diff.forEach((d, i) => {
      if (w[i] === 1) expect(d).toBeCloseTo((slope(1) - slope(0)) * (x[i] as number), 12);
    });
  });
});
