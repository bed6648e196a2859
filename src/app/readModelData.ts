/**
 * Reading the data of a regression: a plain CSV is read column by column after every name the request uses is
 * checked against the header (an unknown formula variable points into the formula before any row is read); a
 * dataset reader (atlas, f33, ...) reads and normalises the whole file first.
 */
import { statSync } from "node:fs";
import type { ColumnType } from "../data/columnBuilder.js";
import { readCsv } from "../data/csv.js";
import { readCsvHeader } from "../data/csvHeader.js";
import type { FileFormatOptions, ReaderOptions } from "../data/readers/index.js";
import { Table } from "../data/table.js";
import { parseSize } from "../engines/registry.js";
import { usageError } from "../errors.js";
import { formulaVariables, unknownInFormula } from "../formula/variables.js";
import { type RegressionRequest, requestColumns } from "./regression.js";

export interface DataOptions {
  /** Dataset reader kind (default: plain CSV). */
  reader?: string | undefined;
  readerOptions?: ReaderOptions | undefined;
  /** Extra tokens meaning missing. */
  missing?: readonly string[] | undefined;
  /** Forced column types. */
  types?: Record<string, ColumnType> | undefined;
  /** The columnar cache for large CSVs (src/engines/cache.ts); false is --no-cache. */
  cache?: boolean | undefined;
  /** Workbooks and Stata files: the sheet, rows to skip, value labels (--sheet, --skip, --value-labels). */
  format?: FileFormatOptions | undefined;
}

export interface ModelData {
  table: Table;
  /** The dataset reader's report (what it read, rejected, normalised), for stderr. */
  readerReport: string | null;
}

export async function readModelData(
  path: string,
  request: Pick<
    RegressionRequest,
    "formulas" | "covariance" | "weights" | "by" | "offset" | "bootstrap" | "subset"
  >,
  options: DataOptions = {},
): Promise<ModelData> {
  const kind = options.reader ?? "csv";
  if (kind === "csv" && /\.(parquet|pq)$/i.test(path)) return readParquetModelData(path, request);
  // Dataset readers (and their layout schemas) load only when one is asked for.
  const readers = kind === "csv" ? null : await import("../data/readers/index.js");
  const prepared = readers === null ? null : await readers.getReader(kind)(path, options.readerOptions ?? {});
  const header = prepared ? prepared.table.names : await readCsvHeader(path, options.format ?? {});
  const columns = requestColumns(request);
  for (const formula of request.formulas) {
    for (const name of formulaVariables(formula)) {
      if (!header.includes(name)) throw unknownInFormula(formula, name, path, header);
    }
  }
  const needed = new Set(columns.formula);
  for (const [role, names] of columns.options) {
    for (const name of names) {
      if (!header.includes(name)) throw usageError(`${role}: no column '${name}' in ${path}`);
      needed.add(name);
    }
  }
  const wanted = header.filter((h) => needed.has(h));
  const parse = (columns: string[]) =>
    readCsv(path, {
      columns,
      missing: options.missing ? [...options.missing] : undefined,
      types: options.types,
      ...(options.format ?? {}),
    });
  const table = prepared ? prepared.table : await readThroughCache(path, wanted, options, parse);
  return { table, readerReport: prepared && readers ? readers.formatReport(prepared.report) : null };
}

/**
 * The columns `wanted` of a CSV: from the columnar cache when it holds them, else parsed (only the columns the
 * cache lacks) and added to it. Small files and --no-cache parse directly.
 */
async function readThroughCache(
  path: string,
  wanted: string[],
  options: DataOptions,
  parse: (columns: string[]) => Promise<Table>,
): Promise<Table> {
  // The cache (and DuckDB with it) is loaded only for files large enough to use it.
  const minimum = parseSize(process.env.MOBILITY_CACHE_MIN ?? "64MB", "MOBILITY_CACHE_MIN");
  if (options.cache === false || process.env.MOBILITY_NO_CACHE === "1" || fileSize(path) < minimum)
    return parse(wanted);
  const { cachedColumns, cacheable, cacheKey, cacheSettings, readCache, writeCache } = await import(
    "../engines/cache.js"
  );
  const settings = cacheSettings();
  if (!cacheable(path, settings, false)) return parse(wanted);
  const key = cacheKey(path, { missing: options.missing ?? [], types: options.types ?? {} });
  const held = (await cachedColumns(settings, key)) ?? [];
  const heldNames = new Set(held.map((c) => c.name));
  const missing = wanted.filter((name) => !heldNames.has(name));
  if (missing.length === 0) {
    const kinds = new Map(held.map((c) => [c.name, c.kind]));
    return readCache(
      settings,
      key,
      wanted.map((name) => ({ name, kind: kinds.get(name) ?? "number" })),
      path,
    );
  }
  const parsed = await parse(missing);
  const old = held.length > 0 ? await readCache(settings, key, held, path) : null;
  const columns = [
    ...(old ? old.names.map((n) => old.column(n)) : []),
    ...parsed.names.map((n) => parsed.column(n)),
  ];
  const union = new Table(columns, parsed.nrows, path);
  try {
    await writeCache(settings, key, union);
  } catch (error) {
    // A cache that cannot be written (read-only disk, full) must not stop the regression.
    process.stderr.write(`mobility: the columnar cache was not written (${(error as Error).message})\n`);
  }
  return new Table(
    wanted.map((name) => union.column(name)),
    union.nrows,
    path,
  );
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** A Parquet file for the memory engine: the columns the request reads, through DuckDB (typed blocks). */
async function readParquetModelData(
  path: string,
  request: Pick<RegressionRequest, "formulas" | "covariance" | "weights" | "by">,
): Promise<ModelData> {
  const { DuckdbConnection } = await import("../engines/duckdb/connection.js");
  const { readColumns } = await import("../engines/duckdb/columns.js");
  const conn = await DuckdbConnection.open({ threads: 2 });
  try {
    const relation = `read_parquet(${conn.dialect.string(path)})`;
    const schema = await conn.describe(relation);
    const header = schema.map((c) => c.name);
    const columns = requestColumns(request);
    for (const formula of request.formulas)
      for (const name of formulaVariables(formula))
        if (!header.includes(name)) throw unknownInFormula(formula, name, path, header);
    const needed = new Set(columns.formula);
    for (const [role, names] of columns.options)
      for (const name of names) {
        if (!header.includes(name)) throw usageError(`${role}: no column '${name}' in ${path}`);
        needed.add(name);
      }
    const wanted = schema
      .filter((c) => needed.has(c.name))
      .map((c) => ({ name: c.name, kind: c.kind === "number" ? ("number" as const) : ("text" as const) }));
    const table = await readColumns(conn.raw, relation, wanted, { quote: conn.dialect.quote, source: path });
    return { table, readerReport: null };
  } finally {
    await conn.close();
  }
}
