/**
 * A DuckDB connection through the npm package @duckdb/node-api (DuckDB embedded in this process; the package
 * ships its prebuilt library). Scratch tables are TEMP tables; with a memory limit and a temp directory DuckDB
 * spills what does not fit to disk, so the working set stays bounded whatever the number of rows.
 */
import { mkdirSync } from "node:fs";
import {
  DOUBLE,
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBInstance,
  DuckDBTypeId,
  INTEGER,
} from "@duckdb/node-api";
import type {
  ConnectionStatistics,
  QueryResult,
  ResultColumn,
  SourceColumn,
  SqlConnection,
  UploadColumn,
} from "../sql/connection.js";
import { duckdbDialect } from "../sql/dialectDuckdb.js";
import { sqlError } from "../sql/errors.js";
import { items } from "./columns.js";

export interface DuckdbOptions {
  /** Database file, or ":memory:" (default). */
  path?: string;
  /** DuckDB's memory_limit, e.g. "2GB" (default: DuckDB's, 80% of RAM). */
  memoryLimit?: string;
  /** Worker threads (default: DuckDB's, the number of cores). */
  threads?: number;
  /** Where DuckDB spills (default: its own, next to the database or in the working directory). */
  tempDirectory?: string;
  /** Open the database read-only (a cache file shared by concurrent runs). */
  readOnly?: boolean;
}

const NUMBER_TYPES = new Set<number>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.DECIMAL,
]);

const CHUNK = 2048;

/** MOBILITY_SQL_TRACE=1: every statement with its duration on stderr. */
const trace = process.env.MOBILITY_SQL_TRACE === "1";

function traceLine(started: number, sql: string): void {
  process.stderr.write(
    `mobility sql ${(performance.now() - started).toFixed(1)} ms: ${process.env.MOBILITY_SQL_TRACE_FULL ? sql : sql.length > 300 ? `${sql.slice(0, 300)}...` : sql}\n`,
  );
}

export class DuckdbConnection implements SqlConnection {
  readonly dialect = duckdbDialect;
  readonly statistics: ConnectionStatistics = { queries: 0, bytesRead: null };
  private scratch = 0;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    /** DuckDB's worker threads for the statements that may run in parallel (see `serial`). */
    private readonly threads: number,
  ) {}

  /**
   * Runs `work` (one statement) on one thread when it has floating-point sums (`fsum`). DuckDB's parallel
   * aggregation splits a group's rows between threads and combines the partial sums in the order the threads
   * finish, so the last bits of a sum, and of the estimates, changed from run to run with 2 threads (measured on
   * the 1M-row two-FE model: three runs, three outputs). One thread sums the rows in scan order: the same input
   * gives byte-identical output whatever `--threads` is. Statements without such sums (counts, levels, the
   * singleton passes, the cross-tabulation of an unweighted model) keep every thread. Cost at 10M rows two-FE:
   * see the README's engine table.
   */
  private async serial<T>(sql: string, work: () => Promise<T>): Promise<T> {
    if (this.threads <= 1 || !sql.includes("fsum(")) return work();
    await this.connection.run("SET threads = 1");
    try {
      return await work();
    } finally {
      await this.connection.run(`SET threads = ${this.threads}`);
    }
  }

  /** The underlying @duckdb/node-api connection (block transfers of columns: columns.ts). */
  get raw(): DuckDBConnection {
    return this.connection;
  }

  static async open(options: DuckdbOptions = {}): Promise<DuckdbConnection> {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const config: Record<string, string> = {};
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    if (options.threads) config.threads = String(options.threads);
    if (options.tempDirectory) {
      mkdirSync(options.tempDirectory, { recursive: true });
      config.temp_directory = options.tempDirectory;
    }
    if (options.readOnly) config.access_mode = "READ_ONLY";
    const instance = await DuckDBInstance.create(options.path ?? ":memory:", config);
    const connection = await instance.connect();
    const threads = await connection.runAndReadAll("SELECT current_setting('threads') AS t");
    return new DuckdbConnection(instance, connection, Number(threads.getColumns()[0]?.[0] ?? 1));
  }

  async exec(sql: string): Promise<void> {
    this.statistics.queries++;
    const started = trace ? performance.now() : 0;
    try {
      await this.serial(sql, () => this.connection.run(sql));
    } catch (error) {
      throw sqlError("duckdb", sql, error);
    }
    if (trace) traceLine(started, sql);
  }

  async query(sql: string): Promise<QueryResult> {
    this.statistics.queries++;
    let reader: Awaited<ReturnType<DuckDBConnection["runAndReadAll"]>>;
    const started = trace ? performance.now() : 0;
    try {
      reader = await this.serial(sql, () => this.connection.runAndReadAll(sql));
    } catch (error) {
      throw sqlError("duckdb", sql, error);
    }
    if (trace) traceLine(started, sql);
    const names = reader.columnNames();
    const types = reader.columnTypes();
    const data = reader.getColumns();
    const rowCount = reader.currentRowCount;
    const columns: ResultColumn[] = names.map((name, j) => {
      const values = data[j] ?? [];
      if (NUMBER_TYPES.has((types[j] as { typeId: number }).typeId)) {
        const out = new Float64Array(rowCount);
        for (let i = 0; i < rowCount; i++) {
          const v = values[i];
          out[i] = v === null || v === undefined ? Number.NaN : typeof v === "number" ? v : Number(String(v));
        }
        return { name, kind: "number", values: out };
      }
      return {
        name,
        kind: "text",
        values: values.map((v) => (v === null || v === undefined ? null : String(v))),
      };
    });
    return { columns, rowCount };
  }

  async stream(
    sql: string,
    onChunk: (columns: readonly ArrayLike<number>[], rows: number) => void,
  ): Promise<void> {
    this.statistics.queries++;
    const started = trace ? performance.now() : 0;
    try {
      await this.serial(sql, async () => {
        const result = await this.connection.stream(sql);
        for (;;) {
          const chunk = await result.fetchChunk();
          if (chunk === null || chunk.rowCount === 0) break;
          const rows = chunk.rowCount;
          const columns: ArrayLike<number>[] = [];
          for (let j = 0; j < chunk.columnCount; j++) {
            const vector = chunk.getColumnVector(j);
            // The vector's own typed array (INTEGER, DOUBLE) when @duckdb/node-api exposes it, else one call per value.
            const raw = items(vector);
            if (raw !== null) columns.push(raw.subarray(0, rows));
            else
              columns.push(
                Float64Array.from({ length: rows }, (_, i) => Number(vector.getItem(i) ?? Number.NaN)),
              );
          }
          onChunk(columns, rows);
        }
      });
    } catch (error) {
      throw sqlError("duckdb", sql, error);
    }
    if (trace) traceLine(started, sql);
  }

  async describe(relation: string): Promise<SourceColumn[]> {
    const result = await this.query(`DESCRIBE SELECT * FROM ${relation}`);
    const names = result.columns[0]?.values as (string | null)[];
    const types = result.columns[1]?.values as (string | null)[];
    return names.map((name, j) => {
      const type = String(types[j]);
      const kind =
        /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/.test(
          type,
        )
          ? "number"
          : /^VARCHAR/.test(type)
            ? "text"
            : "other";
      return { name: String(name), kind, type };
    });
  }

  async upload(name: string, columns: readonly UploadColumn[]): Promise<string> {
    const definition = columns.map(
      (c) => `${this.dialect.quote(c.name)} ${c.integer ? "INTEGER" : "DOUBLE"}`,
    );
    await this.exec(`CREATE OR REPLACE TEMP TABLE ${name} (${definition.join(", ")})`);
    const appender = await this.connection.createAppender(name.replace(/"/g, ""), null, "temp");
    const n = columns[0]?.values.length ?? 0;
    const types = columns.map((c) => (c.integer ? INTEGER : DOUBLE));
    for (let start = 0; start < n; start += CHUNK) {
      const end = Math.min(n, start + CHUNK);
      const chunk = DuckDBDataChunk.create(types, end - start);
      columns.forEach((c, j) => {
        // Straight into the vector's typed array when @duckdb/node-api exposes it (a million-level fixed effect's
        // coefficients are uploaded once per model), else through an array of values.
        const vector = chunk.getColumnVector(j);
        const target = items(vector);
        if (target !== null && target.length >= end - start) {
          for (let i = start; i < end; i++) target[i - start] = c.values[i] as number;
          vector.flush();
          return;
        }
        const slice: number[] = new Array(end - start);
        for (let i = start; i < end; i++) slice[i - start] = c.values[i] as number;
        chunk.setColumnValues(j, slice);
      });
      appender.appendDataChunk(chunk);
    }
    appender.closeSync();
    return name;
  }

  scratchName(base: string): string {
    this.scratch++;
    return `mob_${base}_${this.scratch}`;
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
