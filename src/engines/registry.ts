/**
 * Which engine runs a request: the one asked for, else the memory engine unless the data cannot be held in memory
 * (files beyond the memory budget, several files or a glob) or live in a database (a table, a query, a connection
 * string), where DuckDB (embedded, out of core) or ClickHouse (an http:// connection) runs. The choice is said in
 * a note on every model when it was not asked for.
 */
import { existsSync, statSync } from "node:fs";
import { totalmem } from "node:os";
import { usageError } from "../errors.js";
import { type DataSource, ENGINE_NAMES, type EngineName } from "./types.js";

/** Bytes of memory per byte of file the memory engine needs (measured: 650 MB of CSV, 1.03 GB peak RSS). */
const MEMORY_PER_CSV_BYTE = 1.6;
/** Parquet is compressed: about this many bytes in memory per byte of file (doubles, dictionary text). */
const MEMORY_PER_PARQUET_BYTE = 5;

export function parseEngine(value: string | undefined): EngineName | undefined {
  if (value === undefined) return undefined;
  const key = value.toLowerCase();
  if ((ENGINE_NAMES as readonly string[]).includes(key)) return key as EngineName;
  throw usageError(`--engine: expected one of ${ENGINE_NAMES.join(", ")}, found '${value}'`);
}

/** "4GB", "512MB", "1.5G", a number of bytes. */
export function parseSize(value: string, option: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(value);
  if (!m) throw usageError(`${option}: expected a size like 4GB or 512MB, found '${value}'`);
  const unit = { "": 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[
    (m[2] as string).toLowerCase()
  ] as number;
  return Number(m[1]) * unit;
}

/** The memory budget: MOBILITY_MEMORY_BUDGET, else half of this machine's memory. */
export function memoryBudget(option?: string): number {
  const value = option ?? process.env.MOBILITY_MEMORY_BUDGET;
  return value ? parseSize(value, "--memory-budget") : totalmem() / 2;
}

function gigabytes(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GB`;
}

export interface EngineChoice {
  readonly engine: EngineName;
  /** Why it was chosen, when it was not asked for (a note on every model); null otherwise. */
  readonly reason: string | null;
}

export function chooseEngine(
  requested: EngineName | undefined,
  source: DataSource,
  connection: string | undefined,
  budget: number,
): EngineChoice {
  if (requested !== undefined) return { engine: requested, reason: null };
  if (connection !== undefined && /^https?:\/\//.test(connection))
    return {
      engine: "clickhouse",
      reason: "the clickhouse engine ran (the connection is a ClickHouse server)",
    };
  if (source.kind !== "files")
    return {
      engine: "duckdb",
      reason: `the duckdb engine ran (the data are a ${source.kind} in a database)`,
    };
  const globbed = source.paths.some((p) => /[*?[]/.test(p));
  if (source.paths.length > 1 || globbed)
    return {
      engine: "duckdb",
      reason: "the duckdb engine ran (several data files: it reads them as one table)",
    };
  const path = source.paths[0] as string;
  if (!existsSync(path)) return { engine: "memory", reason: null };
  const size = statSync(path).size;
  const need = size * (/\.(parquet|pq)$/i.test(path) ? MEMORY_PER_PARQUET_BYTE : MEMORY_PER_CSV_BYTE);
  if (need > budget)
    return {
      engine: "duckdb",
      reason: `the duckdb engine ran out of core: ${path} would need about ${gigabytes(need)} in memory, beyond the memory budget of ${gigabytes(budget)} (--memory-budget; --engine memory to force)`,
    };
  return { engine: "memory", reason: null };
}
