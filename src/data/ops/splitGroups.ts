/** Splitting a table by the values of some columns (`--by`, spec `by:`), groups sorted by value. */
import { estimationError } from "../../errors.js";
import { stringAt, type Table } from "../table.js";

export interface TableGroup {
  table: Table;
  /** The group's values by column name; null when there is no split. */
  group: Record<string, string | number> | null;
}

/**
 * One table per distinct combination of the `by` columns, sorted by value (numbers numerically, text by code
 * point). Rows with a missing value in a `by` column belong to no group. No `by` gives the whole table.
 */
export function splitByGroups(table: Table, by: readonly string[]): TableGroup[] {
  if (by.length === 0) return [{ table, group: null }];
  const columns = by.map((name) => table.column(name));
  const groups = new Map<string, { rows: number[]; values: (string | number)[] }>();
  for (let i = 0; i < table.nrows; i++) {
    const values = columns.map((c) => (c.kind === "number" ? (c.values[i] as number) : stringAt(c, i)));
    if (values.some((v) => v === undefined || (typeof v === "number" && Number.isNaN(v)))) continue;
    const key = JSON.stringify(values);
    let group = groups.get(key);
    if (group === undefined) {
      group = { rows: [], values: values as (string | number)[] };
      groups.set(key, group);
    }
    group.rows.push(i);
  }
  if (groups.size === 0) throw estimationError(`${table.source}: every row has a missing ${by.join("/")}`);
  const sorted = [...groups.values()].sort((a, b) => compareValues(a.values, b.values));
  return sorted.map((g) => ({
    table: g.rows.length === table.nrows ? table : table.take(g.rows),
    group: Object.fromEntries(by.map((name, j) => [name, g.values[j] as string | number])),
  }));
}

function compareValues(a: (string | number)[], b: (string | number)[]): number {
  for (let j = 0; j < a.length; j++) {
    const x = a[j] as string | number;
    const y = b[j] as string | number;
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}
