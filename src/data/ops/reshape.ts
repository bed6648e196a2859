/**
 * Wide-to-long reshape: each input row becomes one output row per "cell group" (e.g. one per race x gender x
 * percentile), with the group's key values in key columns and the group's source columns gathered into shared
 * value columns. Output rows are ordered by input row, then by group order. All data stays in typed arrays.
 */
import { dataError } from "../../errors.js";
import {
  type Column,
  MISSING_CODE,
  type NumericColumn,
  type StringColumn,
  stringColumn,
  Table,
} from "../table.js";

export interface LongGroup {
  /** One value per entry of `keys`, in the same order. */
  key: readonly (string | number)[];
  /** For each entry of `values`, the numeric source column, or undefined where this group has none (NaN). */
  sources: readonly (string | undefined)[];
}

export interface LongSpec {
  /** Columns copied onto every output row of their input row. */
  id: readonly string[];
  /** Names of the key columns; a key column is numeric when all its group values are numbers. */
  keys: readonly string[];
  /** Names of the gathered value columns. */
  values: readonly string[];
  groups: readonly LongGroup[];
}

export function pivotLonger(table: Table, spec: LongSpec): Table {
  const n = table.nrows;
  const g = spec.groups.length;
  const total = n * g;
  const columns: Column[] = [];

  for (const name of spec.id) {
    const column = table.column(name);
    if (column.kind === "number") {
      const values = new Float64Array(total);
      for (let i = 0; i < n; i++) values.fill(column.values[i] as number, i * g, (i + 1) * g);
      columns.push({ kind: "number", name, values });
    } else {
      const codes = new Int32Array(total);
      for (let i = 0; i < n; i++) codes.fill(column.codes[i] as number, i * g, (i + 1) * g);
      columns.push({ kind: "string", name, codes, levels: column.levels });
    }
  }

  spec.keys.forEach((name, k) => {
    const keyValues = spec.groups.map((group) => {
      const v = group.key[k];
      if (v === undefined) throw new Error(`internal: group without a value for key '${name}'`);
      return v;
    });
    if (keyValues.every((v) => typeof v === "number")) {
      const values = new Float64Array(total);
      for (let i = 0; i < n; i++) for (let j = 0; j < g; j++) values[i * g + j] = keyValues[j] as number;
      columns.push({ kind: "number", name, values });
    } else {
      const levelColumn: StringColumn = stringColumn(
        name,
        keyValues.map((v) => String(v)),
      );
      const codes = new Int32Array(total);
      for (let i = 0; i < n; i++) codes.set(levelColumn.codes, i * g);
      columns.push({ kind: "string", name, codes, levels: levelColumn.levels });
    }
  });

  spec.values.forEach((name, v) => {
    const out = new Float64Array(total).fill(Number.NaN);
    spec.groups.forEach((group, j) => {
      const source = group.sources[v];
      if (source === undefined) return;
      const column = table.column(source);
      if (column.kind !== "number") {
        throw dataError(
          `${table.source}: column '${source}' is text, expected numbers to reshape into '${name}'`,
        );
      }
      const values = (column as NumericColumn).values;
      for (let i = 0; i < n; i++) out[i * g + j] = values[i] as number;
    });
    columns.push({ kind: "number", name, values: out });
  });

  return new Table(columns, total, table.source);
}

/** Rows of `table` where numeric column `name` is not missing. */
export function dropMissing(table: Table, name: string): { table: Table; dropped: number } {
  const column = table.column(name);
  const keep: number[] = [];
  for (let i = 0; i < table.nrows; i++) {
    const missing =
      column.kind === "number" ? Number.isNaN(column.values[i] as number) : column.codes[i] === MISSING_CODE;
    if (!missing) keep.push(i);
  }
  return { table: table.take(Int32Array.from(keep)), dropped: table.nrows - keep.length };
}
