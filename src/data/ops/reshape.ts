/**
 * Wide-to-long reshape: each input row becomes one output row per "cell group" (e.g. one per race x gender x
 * percentile), with the group's key values in key columns and the group's source columns gathered into shared
 * value columns. Output rows are ordered by input row, then by group order. All data stays in typed arrays.
 */
import { dataError, usageError } from "../../errors.js";
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

export interface WideSpec {
  /** Columns identifying an output row (default: every column not in names_from / values_from). */
  id?: readonly string[];
  /** The column whose values become column names. */
  namesFrom: string;
  /** The columns spread into the new columns. */
  valuesFrom: readonly string[];
  /** Prefix of the new names (tidyr's names_prefix). */
  namesPrefix?: string;
  /** Between the value column's name and the level with several values_from (tidyr's names_sep, "_"). */
  namesSep?: string;
}

/**
 * Long to wide, as tidyr::pivot_wider: one output row per distinct id combination (in order of first
 * appearance), one new column per value column and distinct `namesFrom` value. Names: the prefix and the value
 * ("1995", or "ppe_1995" with names_prefix "ppe_") for one value column, "<value column><sep><prefix><value>"
 * for several (tidyr's default). New columns are ordered by the `namesFrom` values sorted (numbers numerically,
 * text by code point), not by first appearance (tidyr's names_sort = TRUE). A cell with no row is missing; two
 * rows for the same id and name are an error naming them (tidyr would make a list column). A missing
 * `namesFrom` value is an error.
 */
export function pivotWider(table: Table, spec: WideSpec): Table {
  const namesColumn = table.column(spec.namesFrom);
  const valueColumns = spec.valuesFrom.map((name) => table.column(name));
  const used = new Set([spec.namesFrom, ...spec.valuesFrom]);
  const idNames = spec.id ?? table.names.filter((name) => !used.has(name));
  const idColumns = idNames.map((name) => table.column(name));
  const n = table.nrows;
  const nameOf = (i: number): string | number => {
    if (namesColumn.kind === "number") {
      const v = namesColumn.values[i] as number;
      if (Number.isNaN(v))
        throw dataError(`${table.source}: wider: '${spec.namesFrom}' is missing in row ${i + 1}`);
      return v;
    }
    const code = namesColumn.codes[i] as number;
    if (code === MISSING_CODE)
      throw dataError(`${table.source}: wider: '${spec.namesFrom}' is missing in row ${i + 1}`);
    return namesColumn.levels[code] as string;
  };
  // Output rows by id key, in order of first appearance.
  const rowOf = new Int32Array(n);
  const firstRows: number[] = [];
  const idIndex = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    let key = "";
    for (const c of idColumns) key += `${c.kind === "number" ? c.values[i] : c.codes[i]}\u0000`;
    let r = idIndex.get(key);
    if (r === undefined) {
      r = firstRows.length;
      firstRows.push(i);
      idIndex.set(key, r);
    }
    rowOf[i] = r;
  }
  const distinctNames = [...new Set(Array.from({ length: n }, (_, i) => nameOf(i)))].sort((a, b) =>
    typeof a === "number" && typeof b === "number"
      ? a - b
      : String(a) < String(b)
        ? -1
        : String(a) > String(b)
          ? 1
          : 0,
  );
  const slotOf = new Map(distinctNames.map((v, k) => [v, k]));
  const m = firstRows.length;
  const cell = new Int32Array(m * distinctNames.length).fill(-1);
  for (let i = 0; i < n; i++) {
    const at = (rowOf[i] as number) * distinctNames.length + (slotOf.get(nameOf(i)) as number);
    if ((cell[at] as number) >= 0) {
      const ids = idColumns
        .map((c) => `${c.name}=${c.kind === "number" ? c.values[i] : c.levels[c.codes[i] as number]}`)
        .join(", ");
      throw dataError(
        `${table.source}: wider: two rows (${(cell[at] as number) + 1} and ${i + 1}) for ${ids || "the same id"} and ${spec.namesFrom}=${nameOf(i)}; make the rows unique first (distinct, aggregate)`,
      );
    }
    cell[at] = i;
  }
  const prefix = spec.namesPrefix ?? "";
  const sep = spec.namesSep ?? "_";
  const out: Column[] = new Table(idColumns, n, table.source).take(firstRows).columns.slice();
  for (const value of valueColumns) {
    for (const [k, level] of distinctNames.entries()) {
      const name = valueColumns.length === 1 ? `${prefix}${level}` : `${value.name}${sep}${prefix}${level}`;
      const rows = Int32Array.from({ length: m }, (_, r) => cell[r * distinctNames.length + k] as number);
      if (value.kind === "number") {
        out.push({
          kind: "number",
          name,
          values: Float64Array.from(rows, (row) => (row < 0 ? Number.NaN : (value.values[row] as number))),
        });
      } else {
        out.push({
          kind: "string",
          name,
          codes: Int32Array.from(rows, (row) => (row < 0 ? MISSING_CODE : (value.codes[row] as number))),
          levels: value.levels,
        });
      }
    }
  }
  const names = out.map((c) => c.name);
  const clash = names.find((name, j) => names.indexOf(name) !== j);
  if (clash !== undefined)
    throw usageError(`wider: the new column '${clash}' clashes with another column; set names_prefix`);
  return new Table(out, m, table.source);
}
