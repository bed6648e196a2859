// Writes the Parquet fixtures of test/data/formats.test.ts with DuckDB (an independent Parquet writer), from
// the real CSV fixtures/readers/f33_1995_districts_subset.csv (47 F-33 FY1995 districts), in four variants:
// snappy (DuckDB's default), zstd, gzip, and uncompressed with row groups of 10 rows (several row groups,
// plain and dictionary pages). Derived columns exercise INT64, BOOLEAN and DATE; scripts/golden/formats.R
// computes the same values from the CSV with R for the golden file.
//   node scripts/golden/parquet_fixtures.mjs      (from the repository root)
// DuckDB's Node package is not a dependency of mobility: the script installs it into a temporary folder from
// the npm registry when it cannot be imported (it ships its binary inside the registry package).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

async function duckdb() {
  try {
    return await import("@duckdb/node-api");
  } catch {
    const dir = join(tmpdir(), "mobility-duckdb");
    if (!existsSync(join(dir, "node_modules", "@duckdb", "node-api"))) {
      mkdirSync(dir, { recursive: true });
      execFileSync(
        "npm",
        ["install", "--prefix", dir, "--no-audit", "--no-fund", "@duckdb/node-api@1.5.6-r.1"],
        { stdio: "inherit" },
      );
    }
    const entry = join(dir, "node_modules", "@duckdb", "node-api", "lib", "index.js");
    return await import(pathToFileURL(entry).href);
  }
}

const { DuckDBInstance } = await duckdb();
const db = await DuckDBInstance.create(":memory:");
const c = await db.connect();
const csv = resolve("fixtures/readers/f33_1995_districts_subset.csv");
await c.run(`CREATE TABLE f33 AS SELECT *,
    CAST(V33 AS BIGINT) AS V33_i64,
    TOTALREV > 1000000 AS big,
    DATE '1994-07-01' + CAST(CCDNF AS INTEGER) AS fy_start
  FROM read_csv('${csv}', header = true, types = {'LEAID': 'VARCHAR', 'NAME': 'VARCHAR', 'STNAME': 'VARCHAR',
    'STABBR': 'VARCHAR', 'FIPST': 'INTEGER', 'FIPSCO': 'INTEGER', 'SCHLEV': 'INTEGER', 'YEAR': 'INTEGER',
    'CCDNF': 'INTEGER', 'V33': 'DOUBLE', 'TOTALREV': 'DOUBLE', 'TFEDREV': 'DOUBLE', 'TSTREV': 'DOUBLE',
    'TLOCREV': 'DOUBLE', 'TOTALEXP': 'DOUBLE', 'Z32': 'DOUBLE', 'Z33': 'DOUBLE'})`);
const variants = [
  ["snappy", "COMPRESSION snappy"],
  ["zstd", "COMPRESSION zstd"],
  ["gzip", "COMPRESSION gzip"],
  ["none_rowgroups", "COMPRESSION uncompressed, ROW_GROUP_SIZE 10"],
];
for (const [name, options] of variants) {
  const out = resolve(`fixtures/formats/f33_subset_${name}.parquet`);
  await c.run(`COPY f33 TO '${out}' (FORMAT parquet, ${options})`);
  console.log(`wrote ${out}`);
}
const version = await c.runAndReadAll("select version()");
console.log(`DuckDB ${version.getRows()[0][0]}`);
