/**
 * De-duplication on key columns, with a report of what was removed (Stata's `duplicates report` /
 * `duplicates drop`, dplyr::distinct(.keep_all = TRUE)).
 *
 * keep: "first" keeps the first row of each key (dplyr::distinct, Stata's duplicates drop on the key with
 * `force`), "last" the last one, "none" drops every row whose key appears more than once (for keys that are
 * ambiguous, such as district names shared by two districts in a state, where neither row can be trusted to be
 * the one meant). Rows keep their order. Missing key values are values: two rows with the same missing key
 * are duplicates (as in both references). No `on` means all columns (exact duplicate rows).
 */
import { usageError } from "../../errors.js";
import { type Column, MISSING_CODE, type Table } from "../table.js";

export type DistinctKeep = "first" | "last" | "none";

export interface DistinctReport {
  on: string[];
  keep: DistinctKeep;
  rowsIn: number;
  rowsOut: number;
  /** Keys that occur more than once, and the rows they cover. */
  duplicatedKeys: number;
  duplicatedRows: number;
  /** Up to 5 duplicated keys with their counts ("NAME=Union, STABBR=NJ (2 rows)"). */
  examples: string[];
}

export function distinctRows(
  table: Table,
  on: readonly string[] = [],
  keep: DistinctKeep = "first",
): { table: Table; report: DistinctReport } {
  if (!["first", "last", "none"].includes(keep))
    throw usageError(`distinct: keep must be first, last or none, found '${keep}'`);
  const columns: Column[] = on.length === 0 ? [...table.columns] : on.map((name) => table.column(name));
  const n = table.nrows;
  const keyOf = (i: number): string => {
    let key = "";
    for (const column of columns) {
      if (column.kind === "number") key += `${column.values[i]}\u0000`;
      else {
        const c = column.codes[i] as number;
        key += c === MISSING_CODE ? "\u0001\u0000" : `${column.levels[c]}\u0000`;
      }
    }
    return key;
  };
  const first = new Map<string, number>();
  const count = new Map<string, number>();
  const last = new Map<string, number>();
  const keys: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const key = keyOf(i);
    keys[i] = key;
    if (!first.has(key)) first.set(key, i);
    last.set(key, i);
    count.set(key, (count.get(key) ?? 0) + 1);
  }
  const rows: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = keys[i] as string;
    const c = count.get(key) as number;
    if (keep === "none" ? c === 1 : keep === "first" ? first.get(key) === i : last.get(key) === i)
      rows.push(i);
  }
  let duplicatedKeys = 0;
  let duplicatedRows = 0;
  const examples: string[] = [];
  for (const [key, c] of count) {
    if (c < 2) continue;
    duplicatedKeys++;
    duplicatedRows += c;
    if (examples.length < 5) {
      const row = first.get(key) as number;
      const shown = columns
        .map((column) => {
          const v =
            column.kind === "number"
              ? column.values[row]
              : column.codes[row] === MISSING_CODE
                ? undefined
                : column.levels[column.codes[row] as number];
          return `${column.name}=${v === undefined || (typeof v === "number" && Number.isNaN(v)) ? "NA" : v}`;
        })
        .slice(0, 4)
        .join(", ");
      examples.push(`${shown} (${c} rows)`);
    }
  }
  const out = rows.length === n ? table : table.take(rows);
  return {
    table: out,
    report: {
      on: columns.map((c) => c.name),
      keep,
      rowsIn: n,
      rowsOut: out.nrows,
      duplicatedKeys,
      duplicatedRows,
      examples,
    },
  };
}

export function formatDistinctReport(report: DistinctReport): string {
  const keys = report.on.length > 6 ? `${report.on.slice(0, 6).join(", ")}, ...` : report.on.join(", ");
  const what =
    report.duplicatedKeys === 0
      ? "no duplicated keys"
      : `${report.duplicatedKeys} key(s) appear more than once (${report.duplicatedRows} rows; keep ${report.keep})` +
        `${report.examples.length > 0 ? `, e.g. ${report.examples.join("; ")}` : ""}`;
  return `distinct on ${keys}: ${report.rowsIn} -> ${report.rowsOut} rows, ${what}`;
}
