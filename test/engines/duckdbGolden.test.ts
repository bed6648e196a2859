/**
 * The DuckDB engine equals the memory engine on every golden case it runs (coefficients and standard errors to
 * >= 9 significant digits), and both match the golden R values (fixest, lm + sandwich, AER::ivreg, reghdfe:
 * scripts/golden/{ols,feols,iv,reghdfe}.R).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readModelData } from "../../src/app/readModelData.js";
import { requestColumns, runRegressions } from "../../src/app/regression.js";
import { DuckdbConnection } from "../../src/engines/duckdb/connection.js";
import { resolveDuckdbSource } from "../../src/engines/duckdb/source.js";
import { runSqlRegressions } from "../../src/engines/sql/run.js";
import { parseFormula } from "../../src/formula/parser.js";
import { engineCases, expectGolden, expectSameModel, requestOf } from "./goldenCases.js";

const { runs, refused } = engineCases();
let conn: DuckdbConnection;

beforeAll(async () => {
  // One thread: deterministic sums, and no thread hand-offs on these small tables.
  conn = await DuckdbConnection.open({ threads: 1 });
});
afterAll(async () => {
  await conn.close();
});

describe("DuckDB engine = memory engine on the golden cases (R: fixest, lm + sandwich, AER::ivreg, reghdfe)", () => {
  for (const c of runs) {
    it(`${c.id}: ${c.formula} [${c.vcov}${c.cluster ? ` ${c.cluster.join("+")}` : ""}${c.weights ? `, weights ${c.weights}` : ""}, ssc ${c.ssc}${c.dropSingletons ? ", drop singletons" : ""}]`, async () => {
      const request = requestOf(c);
      const { table } = await readModelData(c.file, request);
      const memory = runRegressions(table, request).models[0]?.result;
      const columns = requestColumns(request);
      const { source } = await resolveDuckdbSource(
        conn,
        { kind: "files", paths: [c.file] },
        [...columns.formula, ...columns.options.flatMap(([, names]) => names)],
        {},
      );
      const sql = (await runSqlRegressions(conn, source, request, { engine: "duckdb" })).models[0]?.result;
      expect(sql).toBeDefined();
      expect(memory).toBeDefined();
      if (!sql || !memory) return;
      expectSameModel(sql, memory, 1e-9, c.set === "reghdfe" ? undefined : c);
      expectGolden(sql, c);
    }, 120_000);
  }
  it("lists the cases it does not run, with the reason", () => {
    expect(refused.map((r) => r.id)).toEqual(refused.map((r) => r.id));
    expect(refused.every((r) => r.why.length > 0)).toBe(true);
  });
});

/**
 * Features no golden case exercises quickly, against the memory engine (itself tested against fixest): singletons
 * dropped in a three-way cascade, two fixed effects with many rows per pair of levels (merged cross-tabulation),
 * fixest's i() with a reference and transformations, missing values and their
 * per-column note, a weighted multi-way clustered model with a factor interaction.
 */
describe("DuckDB engine = memory engine on more features (memory engine: fixest's conventions)", () => {
  const extra: { file: string; formula: string; options: Record<string, unknown> }[] = [
    {
      file: "fixtures/fe/panel3.csv",
      formula: "y ~ x1 + x2 | f1 + f2 + f3",
      options: { dropSingletons: true, cluster: ["f1"] },
    },
    {
      file: "fixtures/atlas_f33_county.csv",
      formula: "kfr_pooled_pooled_p25 ~ log(ppe) + i(n_districts, ref = 1) | state",
      options: { dropSingletons: true, vcov: "hc1" },
    },
    // Counties in state x commuting-zone cells: few distinct pairs, so the cross-tabulation is the merged form
    // (one entry per cell with its count or weight), unlike the row-expanded form the random panels give.
    {
      file: "fixtures/atlas_f33_county.csv",
      formula: "kfr_pooled_pooled_p25 ~ log(ppe) + local_share | state + cz",
      options: { cluster: ["state"] },
    },
    {
      file: "fixtures/atlas_f33_county.csv",
      formula: "kfr_pooled_pooled_p25 ~ log(ppe) + local_share | state + cz",
      options: { vcov: "hc1", weights: "enrollment" },
    },
    {
      file: "fixtures/atlas_f33_county.csv",
      formula: "kfr_black_pooled_p25 ~ sqrt(enrollment) + log1p(local_share) + expm1(local_share):state_num",
      options: { cluster: ["state", "cz"], weights: "enrollment" },
    },
  ];
  for (const e of extra) {
    it(`${e.file}: ${e.formula} ${JSON.stringify(e.options)}`, async () => {
      const request = {
        formulas: [parseFormula(e.formula)],
        covariance: {
          vcov: e.options.vcov as string | undefined,
          cluster: e.options.cluster as string[] | undefined,
        },
        weights: e.options.weights as string | undefined,
        dropSingletons: e.options.dropSingletons as boolean | undefined,
        level: 0.95,
      };
      const { table } = await readModelData(e.file, request);
      const memory = runRegressions(table, request).models[0]?.result;
      const columns = requestColumns(request);
      const { source } = await resolveDuckdbSource(
        conn,
        { kind: "files", paths: [e.file] },
        [...columns.formula, ...columns.options.flatMap(([, names]) => names)],
        {},
      );
      const sql = (await runSqlRegressions(conn, source, request, { engine: "duckdb" })).models[0]?.result;
      if (!sql || !memory) throw new Error("no result");
      expectSameModel(sql, memory);
    }, 120_000);
  }
});
