/**
 * The SQL dialect layer: every piece of SQL text whose spelling differs between engines is produced here, so that
 * the model code (frame.ts, demean.ts, fit.ts) writes each query once. A new engine (Spark SQL, Trino, BigQuery)
 * is one file implementing `Dialect` (see dialectDuckdb.ts and dialectClickhouse.ts) plus a connection.
 *
 * WHAT THE MODELS NEED FROM SQL (the contract a dialect must fulfil):
 *   every model   scalar arithmetic on DOUBLE (+ - * / and a power function), CASE, IS NULL, a NaN and a
 *                 finiteness test, GROUP BY with SUM and COUNT, ORDER BY, CREATE TABLE ... AS SELECT, and a way
 *                 to load a small numeric table (the fixed-effect coefficients) exactly.
 *   transformations  natural log, log10, log2, exp, sqrt, abs (log1p and expm1 are composed from them).
 *   factors, i()  SELECT DISTINCT of a column, equality with a literal.
 *   fixed effects a LEFT (or ANY LEFT) JOIN of the rows with a coefficient table on the fixed effect's columns
 *                 (USING), one table per fixed effect (the numbered levels, then the coefficients); GROUP BY
 *                 with ORDER BY for the cross-tabulations (or, optionally, `rows`: the rows' level ids, for
 *                 an unweighted one); NOT IN (subquery) on those columns for
 *                 singleton removal; MIN/MAX per group for the nesting test. A dialect whose engine allows one
 *                 JOIN per SELECT (ClickHouse 18) nests them.
 *   clustered SEs GROUP BY the cluster variables (and their intersections) of score sums.
 *   accuracy      a compensated (Kahan-Babuska) SUM over DOUBLE where the engine has one: DuckDB `fsum`,
 *                 ClickHouse `sumKahan`; elsewhere plain SUM (the refinement pass in solve.ts limits the damage).
 *   distribution  on a sharded table the right side of a JOIN or IN must be sent to the shards (ClickHouse's
 *                 GLOBAL), and partial aggregates must merge across shards.
 */

/** One coefficient table joined to the rows: `values` are its columns, renamed to `aliases` in the query. */
export interface Lookup {
  readonly table: string;
  /** Source columns the table is keyed by (the fixed effect's variables); the table has columns of the same names. */
  readonly keys: readonly string[];
  readonly values: readonly string[];
  readonly aliases: readonly string[];
}

/**
 * An aggregation over the estimation rows: SELECT groups, compensated sums FROM source [JOIN lookups] WHERE filter
 * GROUP BY groups. Expressions refer to source columns by their quoted names and to lookup values by their aliases.
 */
export interface AggregateQuery {
  readonly source: string;
  /** Source columns the expressions read (a dialect that nests joins must carry them through). */
  readonly columns: readonly string[];
  readonly where: string;
  readonly lookups: readonly Lookup[];
  /**
   * Per-row values computed once and referred to by their aliases in groups and sums (the basis columns of a Gram
   * matrix: each appears in k sums).
   */
  readonly derived?: readonly { readonly expr: string; readonly alias: string }[];
  readonly groups: readonly { readonly expr: string; readonly alias: string }[];
  readonly sums: readonly { readonly expr: string; readonly alias: string }[];
  /** Rows of each group where a condition holds (integer counts). */
  readonly counts?: readonly { readonly condition: string; readonly alias: string }[];
  /** Also count the rows of each group, as `alias`. */
  readonly count?: string;
  /** MIN and MAX aggregates (they merge across shards by themselves). */
  readonly extremes?: readonly {
    readonly fn: "min" | "max";
    readonly expr: string;
    readonly alias: string;
  }[];
  readonly having?: string;
  readonly orderByGroups?: boolean;
}

/** The estimation rows themselves (no GROUP BY), with lookup values: SELECT values FROM source [JOIN lookups] WHERE. */
export interface RowsQuery {
  readonly source: string;
  readonly columns: readonly string[];
  readonly where: string;
  readonly lookups: readonly Lookup[];
  readonly values: readonly { readonly expr: string; readonly alias: string }[];
}

export interface Dialect {
  readonly name: string;
  quote(identifier: string): string;
  string(value: string): string;
  /** A literal that the engine reads back as exactly this double. */
  number(value: number): string;
  toDouble(expr: string): string;
  /** A boolean expression: a numeric column that is NULL or NaN. */
  isMissingNumber(expr: string): string;
  /** A boolean expression, false for NULL, NaN and the infinities. */
  isFinite(expr: string): string;
  /** R's elementary functions with R's values outside their domain (NaN, -Inf), never an error. */
  call(fn: "log" | "log10" | "log2" | "exp" | "sqrt" | "abs" | "log1p" | "expm1", arg: string): string;
  power(base: string, exponent: string): string;
  /** `CASE WHEN cond THEN a ELSE b END` (both engines spell it this way; kept for engines that do not). */
  when(condition: string, then: string, otherwise: string): string;
  /** A compensated sum where the engine has one. */
  sum(expr: string): string;
  aggregate(query: AggregateQuery): string;
  /**
   * Optional: the rows with lookup values, in any order. A dialect that has it lets the demeaning read an
   * unweighted cross-tabulation as one level id per row and sort it here (src/engines/sql/demean.ts), instead of
   * a GROUP BY and ORDER BY of the cells in the database (DuckDB, 10M rows: 0.7 s against 4-5 s; ClickHouse's
   * whole 10M-row model: 50-52 s against 78-82 s).
   */
  rows?(query: RowsQuery): string;
  /** `keys NOT IN (SELECT keys FROM table)` over source columns (for the sharded case: sent to the shards). */
  notIn(keys: readonly string[], table: string): string;
  createTableAs(name: string, select: string): string;
  dropTable(name: string): string;
  /** A table of the distinct values of `keys` in the sample, numbered 0.. in sorted order (column `idx`). */
  numberedLevels(name: string, source: string, where: string, keys: readonly string[]): string;
  /** `SELECT <select> FROM left JOIN right USING (idx)`: two small tables matched on their `idx` column. */
  indexJoin(select: string, left: string, right: string): string;
}

/** SQL standard quoting with doubled inner quotes. */
export function doubleQuoted(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** A single-quoted string literal, backslashes left alone (SQL standard). */
export function singleQuoted(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Integer mantissa and power of two with m * 2^e === v exactly (|m| < 2^53); for finite non-zero v. */
export function binaryParts(v: number): { mantissa: number; exponent: number } {
  if (v === 0 || !Number.isFinite(v)) return { mantissa: v, exponent: 0 };
  let exponent = Math.floor(Math.log2(Math.abs(v))) - 52;
  let mantissa = v / 2 ** exponent;
  while (!Number.isInteger(mantissa)) {
    exponent -= 1;
    mantissa = v / 2 ** exponent;
  }
  // Smallest exponent first would give huge mantissas for integers: normalise trailing zeros away.
  while (mantissa !== 0 && Number.isInteger(mantissa / 2) && Math.abs(mantissa) >= 2) {
    mantissa /= 2;
    exponent += 1;
  }
  return { mantissa, exponent };
}
