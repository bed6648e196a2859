/**
 * ClickHouse's dialect, written against ClickHouse 18.16 (Debian's clickhouse-server) and its HTTP interface.
 * Where that version differs from standard SQL:
 *  - one JOIN per SELECT: the coefficient tables are joined by nesting, `ANY LEFT JOIN (...) USING keys`; the
 *    innermost join runs on the shards when the source is a Distributed table (`GLOBAL` sends the coefficient
 *    table to them), the outer ones on the server that received the query;
 *  - `sumKahan` (compensated) exists, but merging its partial state across shards crashes 18.16; the shards'
 *    partial results are therefore finalised where they are computed (`distributed_group_by_no_merge = 1`, set
 *    on every query by the connection) and merged by an outer GROUP BY with a plain SUM over at most one row per
 *    shard and group: every aggregation over the source is written in these two levels;
 *  - no window functions: levels are numbered with rowNumberInAllBlocks() over a sorted subquery;
 *  - text parsing of floating-point numbers is not correctly rounded in 18.16, so a double is written as an
 *    exact integer times a power of two (its printing is exact, shortest round trip);
 *  - log, sqrt return NaN / -inf outside their domain (as R does); there is no log1p or expm1.
 */
import {
  type AggregateQuery,
  binaryParts,
  type Dialect,
  type Lookup,
  type RowsQuery,
  singleQuoted,
} from "./dialect.js";

function quote(identifier: string): string {
  return `\`${identifier.replace(/\\/g, "\\\\").replace(/`/g, "\\`")}\``;
}

function stringLiteral(value: string): string {
  return singleQuoted(value.replace(/\\/g, "\\\\"));
}

function keyList(keys: readonly string[]): string {
  return keys.map(quote).join(", ");
}

function number(value: number): string {
  if (Number.isNaN(value)) return "(0 / 0)";
  if (value === Number.POSITIVE_INFINITY) return "(1 / 0)";
  if (value === Number.NEGATIVE_INFINITY) return "(-1 / 0)";
  if (Number.isInteger(value) && Math.abs(value) < 2 ** 53) return `toFloat64(${value})`;
  const { mantissa, exponent } = binaryParts(value);
  return `(toFloat64(${mantissa}) * pow(2, ${exponent}))`;
}

/**
 * The rows with their coefficient lookups: the first join on the source itself (on the shards), the others nested
 * around it. `where` is the filter to apply at the top, or "" when the nesting has applied it already.
 */
function joinedRows(
  source: string,
  columns: readonly string[],
  filter: string,
  lookups: readonly Lookup[],
): { from: string; where: string } {
  let from = source;
  let carried = [...columns.map(quote)];
  lookups.forEach((l, j) => {
    const right = `(SELECT ${keyList(l.keys)}, ${l.values.map((v, i) => `${quote(v)} AS ${quote(l.aliases[i] as string)}`).join(", ")} FROM ${l.table})`;
    if (j === 0) {
      from = `${source} GLOBAL ANY LEFT JOIN ${right} USING ${keyList(l.keys)}`;
    } else {
      const inner =
        j === 1
          ? `SELECT ${carried.join(", ")} FROM ${from} WHERE ${filter}`
          : `SELECT ${carried.join(", ")} FROM ${from}`;
      from = `(${inner}) ANY LEFT JOIN ${right} USING ${keyList(l.keys)}`;
    }
    carried = [...carried, ...l.aliases.map(quote)];
  });
  return { from, where: lookups.length <= 1 ? ` WHERE ${filter}` : "" };
}

export const clickhouseDialect: Dialect = {
  name: "clickhouse",
  quote,
  string: stringLiteral,
  number,
  toDouble: (expr) => `toFloat64(${expr})`,
  isMissingNumber: (expr) => `(${expr} IS NULL OR isNaN(toFloat64(${expr})))`,
  isFinite: (expr) => `(ifNull(isFinite(${expr}), 0) = 1)`,
  call(fn, x) {
    switch (fn) {
      case "log":
        return `log(${x})`;
      case "log10":
        return `log10(${x})`;
      case "log2":
        return `log2(${x})`;
      case "exp":
        return `exp(${x})`;
      case "sqrt":
        return `sqrt(${x})`;
      case "abs":
        return `abs(${x})`;
      case "log1p":
        // Goldberg's log1p (see dialectDuckdb.ts); `if` evaluates both branches, harmlessly here.
        return `if(abs(${x}) > 0.5, log(1 + ${x}), if(1 + ${x} = 1, ${x}, log(1 + ${x}) * ${x} / ((1 + ${x}) - 1)))`;
      case "expm1":
        return `if(abs(${x}) > 0.5, exp(${x}) - 1, if(exp(${x}) = 1, ${x}, (exp(${x}) - 1) * ${x} / log(exp(${x}))))`;
    }
  },
  power: (base, exponent) => `pow(${base}, ${exponent})`,
  when: (condition, then, otherwise) => `(CASE WHEN ${condition} THEN ${then} ELSE ${otherwise} END)`,
  sum: (expr) => `sumKahan(${expr})`,
  aggregate(q: AggregateQuery) {
    const { from, where } = joinedRows(q.source, q.columns, q.where, q.lookups);
    // ClickHouse's aliases are global to a query: the shard-level ones get a prefix so that an alias (x1) never
    // captures a source column of the same name; the merge level renames them back.
    const local = (alias: string) => quote(`mob_a_${alias}`);
    const inner = [
      ...q.groups.map((g) => `${g.expr} AS ${local(g.alias)}`),
      ...q.sums.map((s) => `sumKahan(${s.expr}) AS ${local(s.alias)}`),
      ...(q.counts ?? []).map((c) => `countIf(${c.condition}) AS ${local(c.alias)}`),
      ...(q.count ? [`count() AS ${local(q.count)}`] : []),
      ...(q.extremes ?? []).map((p) => `${p.fn}(${p.expr}) AS ${local(p.alias)}`),
    ];
    const innerGroup =
      q.groups.length > 0 ? ` GROUP BY ${q.groups.map((g) => local(g.alias)).join(", ")}` : "";
    // Derived values as WITH aliases (ClickHouse substitutes them where they are used and computes each once).
    const withClause =
      q.derived && q.derived.length > 0
        ? `WITH ${q.derived.map((v) => `${v.expr} AS ${quote(v.alias)}`).join(", ")} `
        : "";
    const innerSql = `${withClause}SELECT ${inner.join(", ")} FROM ${from}${where}${innerGroup}`;
    // Merge the shards' finalised partial results (one row per shard and group).
    const outer = [
      ...q.groups.map((g) => `${local(g.alias)} AS ${quote(g.alias)}`),
      ...q.sums.map((s) => `sum(${local(s.alias)}) AS ${quote(s.alias)}`),
      ...(q.counts ?? []).map((c) => `toFloat64(sum(${local(c.alias)})) AS ${quote(c.alias)}`),
      ...(q.count ? [`toFloat64(sum(${local(q.count)})) AS ${quote(q.count)}`] : []),
      ...(q.extremes ?? []).map((p) => `${p.fn}(${local(p.alias)}) AS ${quote(p.alias)}`),
    ];
    const outerGroup =
      q.groups.length > 0 ? ` GROUP BY ${q.groups.map((g) => local(g.alias)).join(", ")}` : "";
    let sql = `SELECT ${outer.join(", ")} FROM (${innerSql})${outerGroup}`;
    if (q.having) sql = `SELECT * FROM (${sql}) WHERE ${q.having}`;
    if (q.orderByGroups && q.groups.length > 0)
      sql += ` ORDER BY ${q.groups.map((g) => quote(g.alias)).join(", ")}`;
    return sql;
  },
  rows(q: RowsQuery) {
    const { from, where } = joinedRows(q.source, q.columns, q.where, q.lookups);
    // Shard-level aliases get a prefix, as in `aggregate`, so that an alias never captures a source column.
    const inner = q.values.map((v) => `${v.expr} AS ${quote(`mob_r_${v.alias}`)}`);
    return `SELECT ${q.values.map((v) => `${quote(`mob_r_${v.alias}`)} AS ${quote(v.alias)}`).join(", ")} FROM (SELECT ${inner.join(", ")} FROM ${from}${where})`;
  },
  notIn(keys, table) {
    const list = keyList(keys);
    return keys.length === 1
      ? `${list} GLOBAL NOT IN (SELECT ${list} FROM ${table})`
      : `(${list}) GLOBAL NOT IN (SELECT ${list} FROM ${table})`;
  },
  createTableAs: (name, select) => `CREATE TABLE ${name} ENGINE = Memory AS ${select}`,
  dropTable: (name) => `DROP TABLE IF EXISTS ${name}`,
  numberedLevels(name, source, where, keys) {
    const list = keyList(keys);
    // Two-level GROUP BY: the shards' distinct keys, then their union (the connection never merges across shards
    // by itself, see the module comment).
    return `CREATE TABLE ${name} ENGINE = Memory AS SELECT toUInt32(rowNumberInAllBlocks()) AS idx, ${list} FROM (SELECT ${list} FROM (SELECT ${list} FROM ${source} WHERE ${where} GROUP BY ${list}) GROUP BY ${list} ORDER BY ${list})`;
  },
  indexJoin: (select, left, right) => `SELECT ${select} FROM ${left} ANY INNER JOIN ${right} USING idx`,
};
