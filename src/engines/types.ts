/**
 * The engine layer: where the rows live and who computes the model's summaries. `memory` reads the data into typed
 * arrays in this process (src/estimate, the default); `duckdb` (embedded, out of core) and `clickhouse` (a server
 * or a distributed cluster over HTTP) compute the same Fit in SQL (src/engines/sql) and return only k x k and
 * G x k summaries. Every engine ends in the shared covariance, summarize and report code.
 */
import type { ColumnType } from "../data/columnBuilder.js";
import type { ModelResult } from "../model/result.js";

export type EngineName = "memory" | "duckdb" | "clickhouse";

export const ENGINE_NAMES: readonly EngineName[] = ["memory", "duckdb", "clickhouse"];

/** Where the data are: files (CSV or Parquet, several or a glob), a table, or a query, in a database. */
export type DataSource =
  | { readonly kind: "files"; readonly paths: readonly string[] }
  | { readonly kind: "table"; readonly name: string }
  | { readonly kind: "query"; readonly sql: string };

export interface EngineOptions {
  /** DuckDB: a database file; ClickHouse: http://host:port[/database]. */
  readonly connection?: string | undefined;
  /** Extra tokens meaning missing in CSV files. */
  readonly missing?: readonly string[] | undefined;
  /** Forced column types of CSV files. */
  readonly types?: Record<string, ColumnType> | undefined;
  /** DuckDB's memory limit (e.g. "2GB") and threads. */
  readonly memoryLimit?: string | undefined;
  readonly threads?: number | undefined;
  /** Where DuckDB spills (default: a temporary directory). */
  readonly tempDirectory?: string | undefined;
  /** The columnar cache (src/engines/cache): off with --no-cache. */
  readonly cache?: boolean | undefined;
  /** Progress messages for stderr (null: quiet). */
  readonly progress?: ((message: string) => void) | undefined;
}

/** The engine block of each result (src/model/result.ts `engine`). */
export type EngineInfo = NonNullable<ModelResult["engine"]>;
