/**
 * DuckDB's dialect (DuckDB 1.5, through @duckdb/node-api): standard SQL with several JOINs per SELECT, row-value
 * NOT IN, window functions, and `fsum`, a compensated (Kahan-Babuska) sum over DOUBLE (DuckDB's plain `sum` over
 * DOUBLE is not compensated, and its parallel partial sums make the last bits depend on the thread schedule).
 * `ln`, `sqrt` raise an error outside their domain, so they are guarded to give R's NaN and -Inf.
 */
import {
  type AggregateQuery,
  type Dialect,
  doubleQuoted,
  type Lookup,
  type RowsQuery,
  singleQuoted,
} from "./dialect.js";

const NAN = "CAST('nan' AS DOUBLE)";
const MINUS_INF = "CAST('-inf' AS DOUBLE)";

function ln(x: string): string {
  return `(CASE WHEN ${x} > 0 THEN ln(${x}) WHEN ${x} = 0 THEN ${MINUS_INF} ELSE ${NAN} END)`;
}

function keyList(keys: readonly string[]): string {
  return keys.map(doubleQuoted).join(", ");
}

/** The source with its coefficient tables LEFT JOINed on their keys, each value renamed to its alias. */
function joinedSource(source: string, lookups: readonly Lookup[]): string {
  const joins = lookups.map(
    (l) =>
      ` LEFT JOIN (SELECT ${keyList(l.keys)}, ${l.values.map((v, j) => `${doubleQuoted(v)} AS ${doubleQuoted(l.aliases[j] as string)}`).join(", ")} FROM ${l.table}) USING (${keyList(l.keys)})`,
  );
  return `${source} AS src${joins.join("")}`;
}

export const duckdbDialect: Dialect = {
  name: "duckdb",
  quote: doubleQuoted,
  string: singleQuoted,
  number(value) {
    if (Number.isNaN(value)) return NAN;
    if (value === Number.POSITIVE_INFINITY) return "CAST('inf' AS DOUBLE)";
    if (value === Number.NEGATIVE_INFINITY) return MINUS_INF;
    // DuckDB parses a string cast to DOUBLE correctly rounded: the shortest round-trip form comes back exact.
    return `CAST('${String(value)}' AS DOUBLE)`;
  },
  toDouble: (expr) => `CAST(${expr} AS DOUBLE)`,
  isMissingNumber: (expr) => `(${expr} IS NULL OR isnan(CAST(${expr} AS DOUBLE)))`,
  isFinite: (expr) => `coalesce(isfinite(${expr}), false)`,
  call(fn, x) {
    switch (fn) {
      case "log":
        return ln(x);
      case "log10":
        return `(CASE WHEN ${x} > 0 THEN log10(${x}) WHEN ${x} = 0 THEN ${MINUS_INF} ELSE ${NAN} END)`;
      case "log2":
        return `(CASE WHEN ${x} > 0 THEN log2(${x}) WHEN ${x} = 0 THEN ${MINUS_INF} ELSE ${NAN} END)`;
      case "exp":
        return `exp(${x})`;
      case "sqrt":
        return `(CASE WHEN ${x} >= 0 THEN sqrt(${x}) ELSE ${NAN} END)`;
      case "abs":
        return `abs(${x})`;
      case "log1p":
        // log1p(x) = log(u) x / (u - 1), u = 1 + x (Goldberg 1991, "What every computer scientist should know
        // about floating-point arithmetic", Theorem 4): a few ulps where log(1 + x) loses digits.
        return `(CASE WHEN abs(${x}) > 0.5 THEN ${ln(`(1 + ${x})`)} WHEN 1 + ${x} = 1 THEN ${x} ELSE ln(1 + ${x}) * ${x} / ((1 + ${x}) - 1) END)`;
      case "expm1":
        // expm1(x) = (u - 1) x / log(u), u = exp(x) (Kahan's trick, Higham 2002, section 1.14.1).
        return `(CASE WHEN abs(${x}) > 0.5 THEN exp(${x}) - 1 WHEN exp(${x}) = 1 THEN ${x} ELSE (exp(${x}) - 1) * ${x} / ln(exp(${x})) END)`;
    }
  },
  power: (base, exponent) => `pow(${base}, ${exponent})`,
  when: (condition, then, otherwise) => `(CASE WHEN ${condition} THEN ${then} ELSE ${otherwise} END)`,
  sum: (expr) => `fsum(${expr})`,
  aggregate(q: AggregateQuery) {
    const select = [
      ...q.groups.map((g) => `${g.expr} AS ${doubleQuoted(g.alias)}`),
      ...q.sums.map((s) => `fsum(${s.expr}) AS ${doubleQuoted(s.alias)}`),
      ...(q.counts ?? []).map(
        (c) => `CAST(count(*) FILTER (WHERE ${c.condition}) AS DOUBLE) AS ${doubleQuoted(c.alias)}`,
      ),
      ...(q.count ? [`CAST(count(*) AS DOUBLE) AS ${doubleQuoted(q.count)}`] : []),
      ...(q.extremes ?? []).map((p) => `${p.fn}(${p.expr}) AS ${doubleQuoted(p.alias)}`),
    ];
    const groupBy = q.groups.length > 0 ? ` GROUP BY ${q.groups.map((_, j) => j + 1).join(", ")}` : "";
    const rows = `${joinedSource(q.source, q.lookups)} WHERE ${q.where}`;
    let sql: string;
    if (q.derived && q.derived.length > 0) {
      // The derived values in a projection below the aggregate, with the source columns the groups may read.
      const inner = [
        ...q.columns.map(doubleQuoted),
        ...q.derived.map((v) => `${v.expr} AS ${doubleQuoted(v.alias)}`),
      ];
      sql = `SELECT ${select.join(", ")} FROM (SELECT ${inner.join(", ")} FROM ${rows})${groupBy}`;
    } else sql = `SELECT ${select.join(", ")} FROM ${rows}${groupBy}`;
    if (q.having) sql = `SELECT * FROM (${sql}) WHERE ${q.having}`;
    if (q.orderByGroups && q.groups.length > 0)
      sql += ` ORDER BY ${q.groups.map((g) => doubleQuoted(g.alias)).join(", ")}`;
    return sql;
  },
  rows(q: RowsQuery) {
    const select = q.values.map((v) => `${v.expr} AS ${doubleQuoted(v.alias)}`);
    return `SELECT ${select.join(", ")} FROM ${joinedSource(q.source, q.lookups)} WHERE ${q.where}`;
  },
  notIn(keys, table) {
    const list = keyList(keys);
    return keys.length === 1
      ? `${list} NOT IN (SELECT ${list} FROM ${table})`
      : `(${list}) NOT IN (SELECT ${list} FROM ${table})`;
  },
  createTableAs: (name, select) => `CREATE OR REPLACE TEMP TABLE ${name} AS ${select}`,
  dropTable: (name) => `DROP TABLE IF EXISTS ${name}`,
  numberedLevels(name, source, where, keys) {
    const list = keyList(keys);
    return `CREATE OR REPLACE TEMP TABLE ${name} AS SELECT CAST(row_number() OVER (ORDER BY ${list}) - 1 AS INTEGER) AS idx, ${list} FROM (SELECT ${list} FROM ${source} AS src WHERE ${where} GROUP BY ${list})`;
  },
  indexJoin: (select, left, right) => `SELECT ${select} FROM ${left} JOIN ${right} USING (idx)`,
};
