/**
 * Moving typed columns between this process and DuckDB without a JavaScript value per cell: numbers travel as
 * DOUBLE vectors (NaN for missing), text as INTEGER codes (-1 for missing) with a separate table of levels, each
 * 2048-row vector copied as one typed-array block. Used by the columnar cache (write once, read the columns a
 * model uses) and by the memory engine to read Parquet.
 *
 * The block copies use the vectors' typed arrays (the `items` field of @duckdb/node-api's DOUBLE and INTEGER
 * vectors, version 1.5): where that field is absent the code falls back to one call per value.
 */
import { DOUBLE, type DuckDBConnection, DuckDBDataChunk, type DuckDBVector, INTEGER } from "@duckdb/node-api";
import { type Column, numericColumn, Table } from "../../data/table.js";

const CHUNK = 2048;

/** A DOUBLE or INTEGER vector's own typed array, when @duckdb/node-api exposes it (version 1.5), else null. */
export function items(vector: DuckDBVector): Float64Array | Int32Array | null {
  const raw = (vector as unknown as { items?: unknown }).items;
  return raw instanceof Float64Array || raw instanceof Int32Array ? raw : null;
}

/** Appends the columns of `table` to DuckDB table `name` (created here: DOUBLE and INTEGER code columns). */
export async function writeColumns(
  connection: DuckDBConnection,
  name: string,
  table: Table,
  quote: (s: string) => string,
): Promise<void> {
  const columns = table.names.map((n) => table.column(n));
  const definition = columns.map((c) => `${quote(c.name)} ${c.kind === "number" ? "DOUBLE" : "INTEGER"}`);
  await connection.run(`CREATE TABLE ${quote(name)} (${definition.join(", ")})`);
  const appender = await connection.createAppender(name);
  const types = columns.map((c) => (c.kind === "number" ? DOUBLE : INTEGER));
  const n = table.nrows;
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    const chunk = DuckDBDataChunk.create(types, end - start);
    columns.forEach((c, j) => {
      const vector = chunk.getColumnVector(j);
      const source = c.kind === "number" ? c.values.subarray(start, end) : c.codes.subarray(start, end);
      const target = items(vector);
      if (target !== null && target.length >= end - start) {
        target.set(source);
      } else {
        for (let i = 0; i < end - start; i++) vector.setItem(i, source[i] as number);
      }
      vector.flush();
    });
    appender.appendDataChunk(chunk);
  }
  appender.closeSync();
  // Levels of the text columns.
  const text = columns.filter((c) => c.kind === "string");
  if (text.length > 0) {
    await connection.run(
      `CREATE TABLE ${quote(`${name}__levels`)} ("column" VARCHAR, code INTEGER, level VARCHAR)`,
    );
    const levels = await connection.createAppender(`${name}__levels`);
    for (const c of text) {
      if (c.kind !== "string") continue;
      c.levels.forEach((level, code) => {
        levels.appendVarchar(c.name);
        levels.appendInteger(code);
        levels.appendVarchar(level);
        levels.endRow();
      });
    }
    levels.closeSync();
  }
}

/**
 * Reads `columns` of a relation into a Table: numbers as doubles (NULL and NaN as NaN), text through a table of
 * levels when the relation was written by writeColumns (`codes: true`), else as strings coded here.
 */
export async function readColumns(
  connection: DuckDBConnection,
  relation: string,
  columns: readonly { name: string; kind: "number" | "text" }[],
  options: { quote: (s: string) => string; levelsTable?: string; source: string },
): Promise<Table> {
  const q = options.quote;
  const select = columns.map((c) =>
    c.kind === "number"
      ? `coalesce(CAST(${q(c.name)} AS DOUBLE), CAST('nan' AS DOUBLE))`
      : options.levelsTable
        ? `coalesce(CAST(${q(c.name)} AS INTEGER), -1)`
        : `CAST(${q(c.name)} AS VARCHAR)`,
  );
  // Streamed, not materialised: a materialised result's getChunk cost 2.7 s for 10M rows of five columns, the
  // stream reads them in about a quarter of that. A scan of one relation keeps its rows in order (DuckDB's order
  // preservation), and the row count comes first (from the Parquet metadata) so that each column is allocated once.
  const counted = await connection.runAndReadAll(`SELECT count(*) FROM ${relation}`);
  const n = Number(counted.getColumns()[0]?.[0] ?? 0);
  const result = await connection.stream(`SELECT ${select.join(", ")} FROM ${relation}`);
  const numbers = columns.map((c) => (c.kind === "number" ? new Float64Array(n) : null));
  const codes = columns.map((c) => (c.kind === "text" ? new Int32Array(n) : null));
  const dictionaries = columns.map(() => new Map<string, number>());
  let at = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const rows = chunk.rowCount;
    if (at + rows > n) throw new Error(`internal: ${relation} has more rows than it counted (${n})`);
    columns.forEach((c, j) => {
      const vector = chunk.getColumnVector(j);
      const out = (numbers[j] ?? codes[j]) as Float64Array | Int32Array;
      const block = items(vector);
      if (block !== null && (c.kind === "number" || options.levelsTable))
        out.set(block.subarray(0, rows), at);
      else if (c.kind === "number" || options.levelsTable)
        for (let i = 0; i < rows; i++) out[at + i] = vector.getItem(i) as number;
      else {
        const dictionary = dictionaries[j] as Map<string, number>;
        for (let i = 0; i < rows; i++) {
          const v = vector.getItem(i) as string | null;
          if (v === null) out[at + i] = -1;
          else {
            let code = dictionary.get(v);
            if (code === undefined) {
              code = dictionary.size;
              dictionary.set(v, code);
            }
            out[at + i] = code;
          }
        }
      }
    });
    at += rows;
  }
  if (at !== n) throw new Error(`internal: ${relation} has ${at} rows, it counted ${n}`);
  const levelsOf = async (name: string, j: number): Promise<string[]> => {
    if (!options.levelsTable) return [...(dictionaries[j] as Map<string, number>).keys()];
    const levels = await connection.runAndReadAll(
      `SELECT level FROM ${options.levelsTable} WHERE "column" = '${name.replace(/'/g, "''")}' ORDER BY code`,
    );
    return levels.getColumns()[0]?.map((v) => String(v)) ?? [];
  };
  const out: Column[] = [];
  for (const [j, c] of columns.entries()) {
    if (c.kind === "number") out.push(numericColumn(c.name, numbers[j] as Float64Array));
    else
      out.push({
        kind: "string",
        name: c.name,
        codes: codes[j] as Int32Array,
        levels: await levelsOf(c.name, j),
      });
  }
  return new Table(out, n, options.source);
}
