/**
 * Data sources for the DuckDB engine: CSV files (read by DuckDB's reader once into a temporary table, since a
 * model scans its rows many times), Parquet files (scanned where they are: columnar, only the columns a model
 * reads), several files or a glob of either, a table of a DuckDB database, or a query.
 */
import { existsSync, statSync } from "node:fs";
import { dataError, usageError } from "../../errors.js";
import { scalar } from "../sql/connection.js";
import type { SqlSource } from "../sql/fit.js";
import type { DataSource } from "../types.js";
import type { DuckdbConnection } from "./connection.js";

export interface ResolvedSource {
  readonly source: SqlSource;
  /** Bytes of the source files read per scan, and once (CSV: read and sniffed). */
  readonly bytes: { perScan: number; fixed: number } | null;
}

const DEFAULT_MISSING = ["", "NA", "."];

/** Whether a path is a Parquet file (by extension). */
export function isParquet(path: string): boolean {
  return /\.(parquet|pq)$/i.test(path);
}

function isGlob(path: string): boolean {
  return /[*?[]/.test(path);
}

function list(paths: readonly string[], conn: DuckdbConnection): string {
  return `[${paths.map((p) => conn.dialect.string(p)).join(", ")}]`;
}

/**
 * The SQL relation of a source, its schema, and what reading it costs. `columns`: the columns the request reads
 * (a CSV source keeps only those).
 */
export async function resolveDuckdbSource(
  conn: DuckdbConnection,
  data: DataSource,
  columns: readonly string[],
  options: {
    missing?: readonly string[] | undefined;
    types?: Record<string, "number" | "string"> | undefined;
  },
): Promise<ResolvedSource> {
  const d = conn.dialect;
  if (data.kind === "table") {
    const relation = data.name
      .split(".")
      .map((part) => d.quote(part))
      .join(".");
    return { source: { relation, label: data.name, schema: await schemaOf(conn, relation) }, bytes: null };
  }
  if (data.kind === "query") {
    const relation = `(${data.sql})`;
    return { source: { relation, label: "the query", schema: await schemaOf(conn, relation) }, bytes: null };
  }
  const paths = data.paths;
  if (paths.length === 0) throw usageError("no data files given");
  for (const path of paths) {
    if (!isGlob(path) && !existsSync(path)) throw dataError(`cannot read '${path}': no such file`);
  }
  const size = paths.filter((p) => !isGlob(p)).reduce((total, p) => total + statSync(p).size, 0);
  const label = paths.length === 1 ? (paths[0] as string) : `${paths[0]} (and ${paths.length - 1} more)`;
  const parquet = paths.every(isParquet);
  if (!parquet && paths.some(isParquet))
    throw usageError("the data files mix Parquet and CSV: give one kind");
  if (parquet) {
    const relation = `read_parquet(${list(paths, conn)})`;
    const schema = await schemaOf(conn, relation);
    const used = columns.filter((c) => schema.has(c));
    const meta = await conn.query(
      `SELECT CAST(coalesce(sum(total_compressed_size), 0) AS DOUBLE) AS bytes FROM parquet_metadata(${list(paths, conn)}) WHERE path_in_schema IN (${used.map((c) => d.string(c)).join(", ") || "''"})`,
    );
    const perScan = scalar(meta, "bytes") || 0;
    return { source: { relation, label, schema }, bytes: { perScan, fixed: 0 } };
  }
  const nullstr = [...new Set([...DEFAULT_MISSING, ...(options.missing ?? [])])]
    .map((t) => d.string(t))
    .join(", ");
  const types = Object.entries(options.types ?? {})
    .map(([name, type]) => `${d.string(name)}: ${d.string(type === "string" ? "VARCHAR" : "DOUBLE")}`)
    .join(", ");
  const reader = `read_csv(${list(paths, conn)}, header = true, nullstr = [${nullstr}], sample_size = -1${types ? `, types = {${types}}` : ""})`;
  const raw = await schemaOf(conn, reader);
  const keep = columns.filter((c) => raw.has(c));
  const table = conn.scratchName("source");
  await conn.exec(
    `CREATE OR REPLACE TEMP TABLE ${table} AS SELECT ${keep.length > 0 ? keep.map(d.quote).join(", ") : "*"} FROM ${reader}`,
  );
  const schema = await schemaOf(conn, table);
  // Columns the request names but the file lacks stay in the schema as absent (for the error messages).
  return {
    source: { relation: table, label, schema: new Map([...raw].map(([k, v]) => [k, schema.get(k) ?? v])) },
    bytes: { perScan: 0, fixed: 2 * size },
  };
}

async function schemaOf(conn: DuckdbConnection, relation: string) {
  const columns = await conn.describe(relation);
  return new Map(columns.map((c) => [c.name, c]));
}
