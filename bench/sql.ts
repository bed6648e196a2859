/**
 * The SQL engines at scale (issue 15): `y ~ x1 + x2 | f1 + f2` clustered by f1, f1 1,000,000 levels and f2
 * 10,000 (the twofe design of bench/hdfe.ts), from Parquet files of 10M, 30M and 100M rows.
 *
 *   npm run build && node dist/bench/sql.js                  # every size (BENCH_SQL_ROWS=10000000,30000000,100000000)
 *   BENCH_SQL_ROWS=1000000 node dist/bench/sql.js            # a quick run
 *   BENCH_SQL_CLICKHOUSE=0 / BENCH_SQL_R=0 / BENCH_SQL_CACHE=0  skip a part; BENCH_SQL_ONLY=cache: only the cache
 *   BENCH_SQL_CLICKHOUSE_ROWS=n: the size the ClickHouse cluster runs (default 10M, the largest every engine holds)
 *   BENCH_SQL_OUT=file: where to write (default bench/results/sql.json)
 *
 * Every engine runs as its own process, timed from outside with /usr/bin/time (wall seconds, peak RSS: DuckDB is
 * embedded, so the Node process's peak RSS is Node and DuckDB together): `mobility regress` with --engine duckdb
 * (memory limit 2GB, spilling beyond) on every size; --engine memory and R fixest (feols, 2 threads; the data
 * read by arrow when installed, else fread from CSV, untimed) on the sizes both hold (up to 30M rows); and the
 * same model on a two-shard ClickHouse cluster on loopback at 10M rows (src/engines/clickhouse/localCluster.ts), the
 * rows dealt out to the shards in turn. Also the columnar cache: the same `regress` twice on the 10M-row CSV.
 * Data are generated in DuckDB from a hash of the row number (deterministic). Writes bench/results/sql.json.
 * Not wired into bench/run.ts.
 */
import { spawnSync } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { clickhouseServerBinary, startLocalCluster } from "../src/engines/clickhouse/localCluster.js";
import { DuckdbConnection } from "../src/engines/duckdb/connection.js";

const FORMULA = "y ~ x1 + x2 | f1 + f2";
const DATA = "bench/data";
const MAIN = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));

/** Standard normal from two hashed uniforms (Box-Muller), in SQL. */
function normal(seed: string): string {
  const u = (k: number) => `((hash(${seed}, ${k}) >> 11)::DOUBLE + 0.5) / 9007199254740992.0`;
  return `sqrt(-2 * ln(${u(1)})) * cos(2 * pi() * ${u(2)})`;
}

async function generate(n: number): Promise<string> {
  const path = `${DATA}/sql_twofe_${n}.parquet`;
  if (existsSync(path)) return path;
  mkdirSync(DATA, { recursive: true });
  const conn = await DuckdbConnection.open({ memoryLimit: "4GB", tempDirectory: `${DATA}/duckdb_tmp` });
  const rows = `SELECT range AS i, CAST(hash(range, 11) % 1000000 AS INTEGER) AS f1, CAST(hash(range, 12) % 10000 AS INTEGER) AS f2 FROM range(${n})`;
  await conn.exec(
    `COPY (SELECT 1 + 0.5 * x1 - 0.3 * x2 + e1 + e2 + u AS y, x1, x2, f1, f2 FROM (
       SELECT ${normal("i, 4")} + 0.2 * e1 AS x1, ${normal("i, 5")} AS x2, ${normal("i, 6")} AS u, e1, e2, f1, f2, i FROM (
         SELECT *, ${normal("f1, 7")} AS e1, ${normal("f2, 8")} AS e2 FROM (${rows})))
       ORDER BY i) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)`,
  );
  await conn.close();
  return path;
}

async function toCsv(parquet: string): Promise<string> {
  const csv = parquet.replace(/\.parquet$/, ".csv");
  if (existsSync(csv)) return csv;
  const conn = await DuckdbConnection.open({ memoryLimit: "4GB" });
  await conn.exec(`COPY (SELECT * FROM read_parquet('${parquet}')) TO '${csv}' (HEADER, DELIMITER ',')`);
  await conn.close();
  return csv;
}

interface Timed {
  seconds: number;
  peak_rss_mb: number;
  stdout: string;
  error?: string;
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Timed {
  const started = process.hrtime.bigint();
  const child = spawnSync("/usr/bin/time", ["-v", command, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
    env,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr)?.[1] ?? Number.NaN);
  const out: Timed = { seconds, peak_rss_mb: peakKb / 1024, stdout: child.stdout };
  if (child.status !== 0) out.error = child.stderr.trim().split("\n").slice(-12, -8).join(" ").slice(0, 400);
  return out;
}

function mobility(data: string[], extra: string[]): Timed {
  return timed(process.execPath, [
    "--max-old-space-size=16000",
    MAIN,
    "regress",
    ...data,
    FORMULA,
    "--cluster",
    "f1",
    "--format",
    "json",
    "--quiet",
    ...extra,
  ]);
}

function summary(run: Timed): Record<string, unknown> {
  if (run.error) return { error: run.error, seconds: run.seconds };
  const model = JSON.parse(run.stdout).models[0];
  return {
    seconds: run.seconds,
    peak_rss_mb: run.peak_rss_mb,
    nobs: model.nobs,
    coefficients: model.coefficients.map((c: { term: string; estimate: number; std_error: number }) => [
      c.term,
      c.estimate,
      c.std_error,
    ]),
    demeaning: model.demeaning ?? null,
    engine: model.engine ?? null,
  };
}

function rAvailable(): { arrow: boolean } | null {
  if (process.env.BENCH_SQL_R === "0") return null;
  const probe = spawnSync(
    "Rscript",
    ["-e", "library(fixest); cat(requireNamespace('arrow', quietly = TRUE))"],
    { encoding: "utf8" },
  );
  if (probe.status !== 0) return null;
  return { arrow: probe.stdout.trim().endsWith("TRUE") };
}

function runR(parquet: string, csv: string | null, arrow: boolean): Record<string, unknown> {
  const read = arrow ? `arrow::read_parquet('${parquet}')` : `data.table::fread('${csv}')`;
  const script = `suppressMessages(library(fixest)); setFixest_nthreads(2); d <- ${read}; t <- proc.time();
    m <- feols(${FORMULA}, d, cluster = ~f1); s <- (proc.time() - t)[["elapsed"]];
    cat(jsonlite::toJSON(list(fit_seconds = s, coefficients = unname(coef(m)), se = unname(se(m))), digits = NA))`;
  const run = timed("Rscript", ["-e", script]);
  if (run.error) return { error: run.error };
  const out = JSON.parse(run.stdout.trim().split("\n").pop() as string);
  return {
    seconds_process: run.seconds,
    seconds_fit: out.fit_seconds,
    peak_rss_mb: run.peak_rss_mb,
    coefficients: out.coefficients,
    std_errors: out.se,
    read_with: arrow ? "arrow" : "fread",
  };
}

async function runClickhouse(parquet: string): Promise<Record<string, unknown>> {
  if (process.env.BENCH_SQL_CLICKHOUSE === "0" || clickhouseServerBinary() === null)
    return { skipped: "clickhouse-server not installed" };
  const cluster = await startLocalCluster(2, { memoryBytes: 6_000_000_000 });
  try {
    const started = process.hrtime.bigint();
    const conn = await DuckdbConnection.open({ memoryLimit: "2GB" });
    const definition = "y Float64, x1 Float64, x2 Float64, f1 Int32, f2 Int32";
    for (const [s, url] of cluster.urls.entries()) {
      const tsv = `${DATA}/sql_shard${s}.tsv`;
      // Rows dealt out in turn; numbers written with 17 significant digits (ClickHouse 18.16 may round the last bit).
      await conn.exec(
        `COPY (SELECT y, x1, x2, f1, f2 FROM (SELECT *, row_number() OVER () - 1 AS r FROM read_parquet('${parquet}')) WHERE r % ${cluster.urls.length} = ${s}) TO '${tsv}' (HEADER false, DELIMITER '\t')`,
      );
      const post = (sql: string, body?: string) =>
        fetch(`${url}/?query=${encodeURIComponent(sql)}`, { method: "POST", body: body ?? "" });
      await post(`CREATE TABLE bench_local (${definition}) ENGINE = MergeTree ORDER BY tuple()`);
      const response = await fetch(
        `${url}/?query=${encodeURIComponent("INSERT INTO bench_local FORMAT TabSeparated")}`,
        {
          method: "POST",
          body: createReadStream(tsv) as never,
          duplex: "half",
        } as RequestInit,
      );
      if (!response.ok) throw new Error(await response.text());
      await post(
        `CREATE TABLE bench AS bench_local ENGINE = Distributed(${cluster.name}, default, bench_local)`,
      );
      rmSync(tsv, { force: true });
    }
    await conn.close();
    const loadSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const run = mobility(
      [],
      ["--engine", "clickhouse", "--connection", cluster.urls[0] as string, "--table", "bench"],
    );
    return { load_seconds: loadSeconds, shards: cluster.urls.length, ...summary(run) };
  } finally {
    await cluster.stop();
  }
}

function cacheBench(csv: string): Record<string, unknown> {
  const dir = `${DATA}/cache`;
  rmSync(dir, { recursive: true, force: true });
  const env = { ...process.env, MOBILITY_CACHE_DIR: dir };
  const light = ["y ~ x1 + x2", "--vcov", "hc1", "--format", "json", "--quiet"];
  const run = () => timed(process.execPath, [MAIN, "regress", csv, ...light], env);
  // The no-cache run first: it also brings the CSV into the page cache, so that the first cached run is not
  // charged for a cold disk (this VM's page cache is shared and often evicted).
  const noCache = timed(process.execPath, [MAIN, "regress", csv, ...light, "--no-cache"], env);
  const first = run();
  const second = run();
  return {
    file_mb: statSync(csv).size / 2 ** 20,
    model: `${light[0]} --vcov hc1`,
    first_seconds: first.seconds,
    second_seconds: second.seconds,
    no_cache_seconds: noCache.seconds,
    ratio_second_to_first: second.seconds / first.seconds,
    ratio_second_to_no_cache: second.seconds / noCache.seconds,
    error: noCache.error ?? first.error ?? second.error ?? null,
  };
}

async function main(): Promise<void> {
  const sizes = (process.env.BENCH_SQL_ROWS ?? "10000000,30000000,100000000").split(",").map(Number);
  const r = rAvailable();
  // ClickHouse on the size every engine holds (loading 100M rows into a two-shard cluster on this machine would
  // measure the load, not the model).
  const clickhouseRows = Number(
    process.env.BENCH_SQL_CLICKHOUSE_ROWS ?? (sizes.includes(10_000_000) ? 10_000_000 : Math.min(...sizes)),
  );
  const results: Record<string, unknown>[] = [];
  for (const n of process.env.BENCH_SQL_ONLY === "cache" ? [] : sizes) {
    const parquet = await generate(n);
    const row: Record<string, unknown> = { rows: n, parquet_mb: statSync(parquet).size / 2 ** 20 };
    process.stderr.write(`${n} rows: duckdb...\n`);
    row.duckdb = summary(mobility([parquet], ["--engine", "duckdb", "--memory-limit", "2GB"]));
    if (n <= 30_000_000) {
      process.stderr.write(`${n} rows: memory...\n`);
      row.memory = summary(mobility([parquet], ["--engine", "memory"]));
      if (r) {
        process.stderr.write(`${n} rows: R fixest...\n`);
        row.fixest = runR(parquet, r.arrow ? null : await toCsv(parquet), r.arrow);
      } else row.fixest = { skipped: "R with fixest not installed" };
    }
    if (n === clickhouseRows) {
      process.stderr.write(`${n} rows: clickhouse (two shards)...\n`);
      row.clickhouse = await runClickhouse(parquet);
    }
    results.push(row);
    process.stderr.write(`${JSON.stringify(row).slice(0, 400)}\n`);
  }
  let cache: Record<string, unknown> | null = null;
  if (process.env.BENCH_SQL_CACHE !== "0") {
    const n = sizes.includes(10_000_000) ? 10_000_000 : Math.min(...sizes);
    cache = cacheBench(await toCsv(await generate(n)));
  }
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(
    process.env.BENCH_SQL_OUT ?? "bench/results/sql.json",
    `${JSON.stringify({ formula: FORMULA, cluster: "f1", node: process.version, cores: 2, results, cache }, null, 2)}\n`,
  );
}

await main();
