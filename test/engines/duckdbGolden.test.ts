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
import { engineCases, expectGolden, expectSameModel, isSlow, requestOf } from "./goldenCases.js";

const { runs: all, refused } = engineCases();
const runs = process.env.MOBILITY_SLOW_TESTS === "1" ? all : all.filter((c) => !isSlow(c));
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
