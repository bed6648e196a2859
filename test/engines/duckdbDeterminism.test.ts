/**
 * The DuckDB engine prints the same bytes on every run with two threads (src/engines/duckdb/connection.ts
 * `serial`). The data must be large enough for DuckDB to split a scan between threads (several row groups of
 * 122,880 rows): 400,000 rows of a two-FE panel drawn in DuckDB from a hash of the row number (deterministic).
 * Without the single-threaded sums, three runs of this model gave three different outputs.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckdbConnection } from "../../src/engines/duckdb/connection.js";

let dir: string;
let file: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mobility-determinism-"));
  file = join(dir, "panel.parquet");
  const conn = await DuckdbConnection.open();
  const u = (k: number) => `((hash(range, ${k}) >> 11)::DOUBLE + 0.5) / 9007199254740992.0`;
  await conn.exec(
    `COPY (SELECT CAST(hash(range, 1) % 50000 AS INTEGER) AS f1, CAST(hash(range, 2) % 500 AS INTEGER) AS f2,
       ${u(3)} AS x1, ${u(4)} * 1e3 AS x2, ${u(5)} + 0.5 * ${u(3)} - 1e-3 * ${u(4)} AS y FROM range(400000))
     TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 100000)`,
  );
  await conn.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("DuckDB engine: byte-identical output with two threads", () => {
  it("three runs of a two-FE clustered model print the same bytes", () => {
    const outputs = [1, 2, 3].map(() => {
      const run = spawnSync(
        process.execPath,
        [
          "dist/src/cli/main.js",
          "regress",
          file,
          "y ~ x1 + x2 | f1 + f2",
          "--cluster",
          "f1",
          "--engine",
          "duckdb",
          "--threads",
          "2",
          "--format",
          "json",
          "--quiet",
        ],
        { encoding: "utf8" },
      );
      expect(run.status, run.stderr).toBe(0);
      return run.stdout;
    });
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[2]).toBe(outputs[0]);
  }, 120_000);
});
