/**
 * What the SQL engine needs from a database connection: run statements, read small results (k x k sums, G x k
 * group sums, fixed-effect coefficients) into typed arrays, describe a relation's columns, and load a small numeric
 * table exactly. One implementation per engine (src/engines/duckdb, src/engines/clickhouse).
 */
import type { Dialect } from "./dialect.js";

export type ResultColumn =
  | { readonly name: string; readonly kind: "number"; readonly values: Float64Array }
  | { readonly name: string; readonly kind: "text"; readonly values: readonly (string | null)[] };

export interface QueryResult {
  readonly columns: readonly ResultColumn[];
  readonly rowCount: number;
}

/** A column of a source relation, by kind: numbers (any integer, decimal or floating type), text, or other. */
export interface SourceColumn {
  readonly name: string;
  readonly kind: "number" | "text" | "other";
  /** The engine's own type name. */
  readonly type: string;
}

/** Work done by a connection, for the JSON's engine block. */
export interface ConnectionStatistics {
  /** Statements sent. */
  queries: number;
  /** Bytes the engine reported reading (ClickHouse), or null when the engine does not report them. */
  bytesRead: number | null;
}

export interface UploadColumn {
  readonly name: string;
  readonly integer: boolean;
  readonly values: ArrayLike<number>;
}

export interface SqlConnection {
  readonly dialect: Dialect;
  readonly statistics: ConnectionStatistics;
  exec(sql: string): Promise<void>;
  query(sql: string): Promise<QueryResult>;
  /**
   * Runs a query whose result may be long (the fixed-effect cross-tabulation has up to one row per estimation
   * row) and hands its numeric columns to `onChunk` block by block, in result order, without a JavaScript value
   * per cell where the engine allows; NULL arrives as NaN (DOUBLE) or as the engine's null marker (integers).
   */
  stream(sql: string, onChunk: (columns: readonly ArrayLike<number>[], rows: number) => void): Promise<void>;
  describe(relation: string): Promise<SourceColumn[]>;
  /**
   * Stores these columns in table `name` (a name from `scratchName`), replacing it, and returns a relation that
   * reads them back as the columns given, every double exactly (the table itself, or a query over it).
   */
  upload(name: string, columns: readonly UploadColumn[]): Promise<string>;
  /** A name for a scratch table, unique to this connection (dropped by `close`). */
  scratchName(base: string): string;
  close(): Promise<void>;
}

/** A numeric result column by name (NaN for NULL). */
export function numberColumn(result: QueryResult, name: string): Float64Array {
  const column = result.columns.find((c) => c.name === name);
  if (column === undefined) throw new Error(`internal: no column '${name}' in a query result`);
  if (column.kind === "number") return column.values;
  return Float64Array.from(column.values, (v) => (v === null ? Number.NaN : Number(v)));
}

/** A result column as strings (null for NULL): numbers are written as JavaScript writes them. */
export function textColumn(result: QueryResult, name: string): (string | null)[] {
  const column = result.columns.find((c) => c.name === name);
  if (column === undefined) throw new Error(`internal: no column '${name}' in a query result`);
  if (column.kind === "text") return [...column.values];
  return Array.from(column.values, (v) => (Number.isNaN(v) ? null : String(v)));
}

/** The single value of a one-row numeric result column. */
export function scalar(result: QueryResult, name: string): number {
  return numberColumn(result, name)[0] ?? Number.NaN;
}
