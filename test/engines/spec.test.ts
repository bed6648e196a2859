/**
 * `engine: duckdb` in a spec file: the model is estimated in embedded DuckDB on the spec's data table and equals
 * the memory engine's (fixest's feols on Grunfeld, test/golden/feols.json, through both engines).
 */
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { runSpec } from "../../src/analysis/run.js";

it("a spec model with engine: duckdb equals the same model on the memory engine (fixest feols, Grunfeld)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mobility-spec-engine-"));
  cpSync("fixtures/fe/grunfeld.csv", join(dir, "grunfeld.csv"));
  writeFileSync(
    join(dir, "analysis.yaml"),
    `name: engines
data:
  sources:
    panel: { file: grunfeld.csv, types: { firm: string } }
models:
  memory:
    data: panel
    formula: inv ~ value + capital | firm + year
    cluster: [firm]
  duckdb:
    data: panel
    formula: inv ~ value + capital | firm + year
    cluster: [firm]
    engine: duckdb
`,
  );
  const result = await runSpec(join(dir, "analysis.yaml"), { out: join(dir, "out") });
  const memory = result.models.get("memory")?.results[0];
  const duckdb = result.models.get("duckdb")?.results[0];
  expect(duckdb?.engine?.name).toBe("duckdb");
  memory?.coefficients.forEach((c, j) => {
    const d = duckdb?.coefficients[j];
    expect(d?.term).toBe(c.term);
    expect(Math.abs((d?.estimate as number) / c.estimate - 1)).toBeLessThan(1e-9);
    expect(Math.abs((d?.std_error as number) / c.std_error - 1)).toBeLessThan(1e-9);
  });
  // fixest: value 0.1177158550826, capital 0.3579162730734 (scripts/golden/feols.R, grunfeld_twfe_cluster_firm)
  expect(duckdb?.coefficients[0]?.estimate).toBeCloseTo(0.1177158550826, 12);
});
