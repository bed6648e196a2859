/**
 * Fixed-effect facts computed in SQL: singleton observations (iteratively, as src/absorb/singletons.ts defines
 * them), the number of levels of each fixed effect in the estimation sample, and whether a fixed effect is nested
 * in a cluster variable (every level inside one cluster: fixest's cpp_check_nested), for fixest's fixef.K =
 * "nested" count.
 */
import { type SqlConnection, scalar } from "./connection.js";
import type { SqlFixedEffect } from "./sample.js";

export interface Singletons {
  /** Rows in singleton groups after the cascade (reported, and removed with --drop-singletons). */
  readonly rows: number;
  /** A predicate removing them (true when there are none). */
  readonly keep: string;
  readonly scans: number;
}

/**
 * The singleton cascade: rounds of one GROUP BY per fixed effect over the rows not yet removed, each finding the
 * levels with exactly one row; their rows are removed, which can leave another level with one row, until a round
 * finds none. The set removed is the largest subset in which every level has two rows or more, as in the memory
 * engine (it does not depend on the order of removal).
 */
export async function findSingletonsSql(
  conn: SqlConnection,
  source: string,
  columns: readonly string[],
  where: string,
  nobs: number,
  fes: readonly SqlFixedEffect[],
): Promise<Singletons> {
  const d = conn.dialect;
  const dropped: (string | null)[] = fes.map(() => null);
  const predicate = () => {
    const parts = fes.flatMap((fe, t) => (dropped[t] ? [d.notIn(fe.keys, dropped[t] as string)] : []));
    return parts.length === 0 ? "1 = 1" : parts.join(" AND ");
  };
  let scans = 0;
  for (let round = 0; round < 1000; round++) {
    let found = false;
    for (let t = 0; t < fes.length; t++) {
      const fe = fes[t] as SqlFixedEffect;
      const keys = fe.keys.map(d.quote);
      const singles = conn.scratchName("singles");
      scans++;
      await conn.exec(d.dropTable(singles));
      await conn.exec(
        d.createTableAs(
          singles,
          `SELECT ${keys.join(", ")} FROM (${d.aggregate({
            source,
            columns,
            where: `${where} AND ${predicate()}`,
            lookups: [],
            groups: fe.keys.map((key) => ({ expr: d.quote(key), alias: key })),
            sums: [],
            count: "n",
            having: "n = 1",
          })})`,
        ),
      );
      const count = scalar(await conn.query(`SELECT count(*) AS n FROM ${singles}`), "n");
      if (count === 0) {
        await conn.exec(d.dropTable(singles));
        continue;
      }
      found = true;
      const previous = dropped[t];
      if (previous) {
        const union = conn.scratchName("singles");
        await conn.exec(d.dropTable(union));
        await conn.exec(
          d.createTableAs(
            union,
            `SELECT ${keys.join(", ")} FROM ${previous} UNION ALL SELECT ${keys.join(", ")} FROM ${singles}`,
          ),
        );
        await conn.exec(d.dropTable(previous));
        await conn.exec(d.dropTable(singles));
        dropped[t] = union;
      } else dropped[t] = singles;
    }
    if (!found) break;
  }
  const keep = predicate();
  if (keep === "1 = 1") return { rows: 0, keep, scans };
  scans++;
  const left = scalar(
    await conn.query(
      d.aggregate({
        source,
        columns,
        where: `${where} AND ${keep}`,
        lookups: [],
        groups: [],
        sums: [],
        count: "n",
      }),
    ),
    "n",
  );
  return { rows: nobs - left, keep, scans };
}

/** Number of levels of a fixed effect (or of any grouping) in the rows `where`. */
export async function levelCount(
  conn: SqlConnection,
  source: string,
  columns: readonly string[],
  where: string,
  keys: readonly string[],
): Promise<number> {
  const d = conn.dialect;
  const grouped = d.aggregate({
    source,
    columns,
    where,
    lookups: [],
    groups: keys.map((key) => ({ expr: d.quote(key), alias: key })),
    sums: [],
    count: "n",
  });
  return scalar(await conn.query(`SELECT count(*) AS n FROM (${grouped})`), "n");
}

/** Whether every level of the fixed effect lies inside one cluster of `cluster` (in the rows `where`). */
export async function isNestedSql(
  conn: SqlConnection,
  source: string,
  columns: readonly string[],
  where: string,
  fe: SqlFixedEffect,
  cluster: string,
): Promise<boolean> {
  const d = conn.dialect;
  const grouped = d.aggregate({
    source,
    columns,
    where,
    lookups: [],
    groups: fe.keys.map((key) => ({ expr: d.quote(key), alias: key })),
    sums: [],
    extremes: [
      { fn: "min", expr: d.quote(cluster), alias: "lo" },
      { fn: "max", expr: d.quote(cluster), alias: "hi" },
    ],
    having: "lo <> hi",
  });
  return scalar(await conn.query(`SELECT count(*) AS n FROM (${grouped})`), "n") === 0;
}
