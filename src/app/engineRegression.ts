/**
 * The application layer for regressions on a SQL engine (DuckDB, ClickHouse), next to src/app/regression.ts for
 * the memory engine: open the engine, resolve the data (files, a table, a query) to a relation, run every formula
 * (src/engines/sql/run.ts), close. The CLI and spec files call `planEngine` first: the memory engine keeps its
 * own path (readModelData + runRegressions), unchanged.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ColumnType } from "../data/columnBuilder.js";
import { Table } from "../data/table.js";
import {
  chooseEngine,
  type EngineChoice,
  memoryBudget,
  parseEngine,
  parseSize,
} from "../engines/registry.js";
import type { DataSource, EngineName } from "../engines/types.js";
import { usageError } from "../errors.js";
import type { ModelResult } from "../model/result.js";
import { type RegressionRequest, requestColumns } from "./regression.js";

/** Where the data are and how to reach them, as the command line and spec files give it. */
export interface EngineData {
  /** Data files (CSV or Parquet; several, or globs). */
  paths?: readonly string[] | undefined;
  /** A table or a query in the database of `connection` (or in DuckDB's own, in memory). */
  table?: string | undefined;
  query?: string | undefined;
  /** DuckDB: a database file; ClickHouse: http://host:port[/database]. */
  connection?: string | undefined;
  engine?: string | undefined;
  /** Memory budget for the automatic choice ("8GB"). */
  memoryBudget?: string | undefined;
  /** DuckDB's memory limit and threads. */
  memoryLimit?: string | undefined;
  threads?: number | undefined;
  missing?: readonly string[] | undefined;
  types?: Record<string, ColumnType> | undefined;
  progress?: ((message: string) => void) | undefined;
}

/** The data source of the request. */
export function dataSourceOf(data: EngineData): DataSource {
  const given = [data.table, data.query, (data.paths ?? []).length > 0 ? "files" : undefined].filter(
    (v) => v !== undefined,
  );
  if (given.length > 1) throw usageError("give the data as files, --table or --query: one of them");
  if (data.table !== undefined) return { kind: "table", name: data.table };
  if (data.query !== undefined) return { kind: "query", sql: data.query };
  if ((data.paths ?? []).length === 0) throw usageError("no data: give a file, --table or --query");
  return { kind: "files", paths: data.paths ?? [] };
}

/** Which engine runs (memory unless asked, or unless the data need another; see src/engines/registry.ts). */
export function planEngine(data: EngineData): EngineChoice {
  const requested = parseEngine(data.engine);
  const source = dataSourceOf(data);
  const choice = chooseEngine(requested, source, data.connection, memoryBudget(data.memoryBudget));
  if (choice.engine === "memory" && source.kind !== "files")
    throw usageError(
      "the memory engine reads files: use --engine duckdb or clickhouse for --table and --query",
    );
  return choice;
}

export interface EngineRegressionRun {
  engine: EngineName;
  models: ModelResult[];
  warnings: string[];
}

/** Runs the request on a SQL engine; `choice.reason`, when set, becomes a note on every model. */
export async function runEngineRegressions(
  request: RegressionRequest,
  data: EngineData,
  choice: EngineChoice,
): Promise<EngineRegressionRun> {
  // The engines (and DuckDB's native library) load only when a run uses them.
  const { runSqlRegressions } = await import("../engines/sql/run.js");
  const source = dataSourceOf(data);
  const columns = requestColumns(request);
  const needed = [...columns.formula, ...columns.options.flatMap(([, names]) => names)];
  const note = (models: ModelResult[]) =>
    choice.reason === null
      ? models
      : models.map((m) => ({ ...m, notes: [...m.notes, choice.reason as string] }));
  if (choice.engine === "duckdb") {
    if (data.connection !== undefined && /^https?:\/\//.test(data.connection))
      throw usageError("--engine duckdb takes a database file as --connection, not an http:// address");
    const { DuckdbConnection } = await import("../engines/duckdb/connection.js");
    const { resolveDuckdbSource } = await import("../engines/duckdb/source.js");
    const spill = mkdtempSync(join(tmpdir(), "mobility-duckdb-"));
    const conn = await DuckdbConnection.open({
      path: data.connection ?? ":memory:",
      memoryLimit: data.memoryLimit ?? "2GB",
      threads: data.threads,
      tempDirectory: spill,
    });
    try {
      const resolved = await resolveDuckdbSource(conn, source, needed, {
        missing: data.missing,
        types: data.types,
      });
      const run = await runSqlRegressions(conn, resolved.source, request, {
        engine: "duckdb",
        bytes: resolved.bytes,
        progress: data.progress,
      });
      return { engine: "duckdb", models: note(run.models.map((m) => m.result)), warnings: run.warnings };
    } finally {
      await conn.close();
      rmSync(spill, { recursive: true, force: true });
    }
  }
  if (choice.engine === "clickhouse") {
    if (data.connection === undefined)
      throw usageError("--engine clickhouse needs --connection http://host:port[/database]");
    if (source.kind === "files")
      throw usageError(
        "the clickhouse engine reads tables: load the file into ClickHouse first, then give --table (or --query)",
      );
    const { ClickhouseConnection } = await import("../engines/clickhouse/connection.js");
    const conn = new ClickhouseConnection({
      url: data.connection,
      settings: data.memoryLimit
        ? { max_memory_usage: String(parseSize(data.memoryLimit, "--memory-limit")) }
        : {},
    });
    try {
      const relation =
        source.kind === "table"
          ? source.name
              .split(".")
              .map((part) => conn.dialect.quote(part))
              .join(".")
          : `(${source.sql})`;
      const schema = new Map((await conn.describe(relation)).map((c) => [c.name, c]));
      const label = source.kind === "table" ? source.name : "the query";
      const run = await runSqlRegressions(conn, { relation, label, schema }, request, {
        engine: "clickhouse",
        progress: data.progress,
      });
      return { engine: "clickhouse", models: note(run.models.map((m) => m.result)), warnings: run.warnings };
    } finally {
      await conn.close();
    }
  }
  throw usageError("internal: runEngineRegressions is for the SQL engines");
}

/**
 * Command-line positionals: leading arguments without '~' are data files (a shell expands a glob into several),
 * the rest formulas. With --table or --query every positional is a formula.
 */
export function splitDataAndFormulas(
  positional: readonly string[],
  hasDatabaseSource: boolean,
): { paths: string[]; formulas: string[] } {
  if (hasDatabaseSource) return { paths: [], formulas: [...positional] };
  const first = positional.findIndex((p) => p.includes("~"));
  if (first < 0) return { paths: [...positional], formulas: [] };
  return { paths: positional.slice(0, first), formulas: positional.slice(first) };
}

/**
 * A request on a Table already in memory, estimated by DuckDB (spec files with `engine: duckdb` and no source):
 * the columns the request reads are loaded into an embedded database first.
 */
export async function runOnTable(
  request: RegressionRequest,
  table: Table,
  engine: "duckdb",
): Promise<ModelResult[]> {
  if (engine !== "duckdb")
    throw usageError("a data table runs on the duckdb engine; clickhouse needs a source");
  const { runSqlRegressions } = await import("../engines/sql/run.js");
  const { DuckdbConnection } = await import("../engines/duckdb/connection.js");
  const { writeColumns } = await import("../engines/duckdb/columns.js");
  const columns = requestColumns(request);
  const needed = new Set([...columns.formula, ...columns.options.flatMap(([, names]) => names)]);
  const subset = new Table(
    table.names.filter((n) => needed.has(n)).map((n) => table.column(n)),
    table.nrows,
    table.source,
  );
  const conn = await DuckdbConnection.open({ threads: 1 });
  try {
    await writeColumns(conn.raw, "mob_table_codes", subset, conn.dialect.quote);
    // Text columns travel as codes: decode them with their levels for the SQL engine.
    const select = subset.names.map((n) => {
      const c = subset.column(n);
      const q = conn.dialect.quote(n);
      return c.kind === "number"
        ? `CASE WHEN isnan(${q}) THEN NULL ELSE ${q} END AS ${q}`
        : `(SELECT level FROM mob_table_codes__levels l WHERE l."column" = ${conn.dialect.string(n)} AND l.code = ${q}) AS ${q}`;
    });
    await conn.exec(`CREATE TABLE mob_table AS SELECT ${select.join(", ")} FROM mob_table_codes`);
    const schema = new Map((await conn.describe("mob_table")).map((c) => [c.name, c]));
    const run = await runSqlRegressions(
      conn,
      { relation: "mob_table", label: table.source, schema },
      request,
      {
        engine: "duckdb",
      },
    );
    return run.models.map((m) => m.result);
  } finally {
    await conn.close();
  }
}
