/**
 * The columnar table every command works on.
 *
 * Numbers live in Float64Array with NaN for missing; strings are dictionary-encoded (Int32Array codes into a
 * level list, -1 for missing). A table never holds row objects: n-length data stays in typed arrays from the
 * reader to the estimator.
 */
import { dataError, usageError } from "../errors.js";

export interface NumericColumn {
  readonly kind: "number";
  readonly name: string;
  readonly values: Float64Array;
}

export interface StringColumn {
  readonly kind: "string";
  readonly name: string;
  /** Index into `levels` for each row, or MISSING_CODE. */
  readonly codes: Int32Array;
  /** Distinct values in order of first appearance (sort them where an order matters, e.g. factor levels). */
  readonly levels: readonly string[];
}

export type Column = NumericColumn | StringColumn;

export const MISSING_CODE = -1;

export class Table {
  readonly nrows: number;
  /** Where the table came from, used in error messages ("file.csv"). */
  readonly source: string;
  private readonly byName: Map<string, Column>;

  constructor(
    readonly columns: readonly Column[],
    nrows: number,
    source = "<table>",
  ) {
    this.nrows = nrows;
    this.source = source;
    this.byName = new Map();
    for (const column of columns) {
      const length = column.kind === "number" ? column.values.length : column.codes.length;
      if (length !== nrows) {
        throw new Error(`internal: column ${column.name} has ${length} rows, table has ${nrows}`);
      }
      this.byName.set(column.name, column);
    }
  }

  get names(): string[] {
    return this.columns.map((c) => c.name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The named column, or a data error naming the source and listing close matches. */
  column(name: string): Column {
    const column = this.byName.get(name);
    if (column === undefined) {
      throw usageError(`${this.source}: no column '${name}'${suggestColumns(name, this.names)}`);
    }
    return column;
  }

  numeric(name: string): NumericColumn {
    const column = this.column(name);
    if (column.kind !== "number") {
      throw dataError(`${this.source}: column '${name}' is text, expected numbers`);
    }
    return column;
  }

  /** A new table with the given columns added or replaced (same row count). */
  withColumns(extra: readonly Column[]): Table {
    const replaced = new Set(extra.map((c) => c.name));
    return new Table(
      [...this.columns.filter((c) => !replaced.has(c.name)), ...extra],
      this.nrows,
      this.source,
    );
  }

  /** A new table holding the rows at `rows`, in that order. */
  take(rows: Int32Array | readonly number[]): Table {
    const columns = this.columns.map((column): Column => {
      if (column.kind === "number") {
        const values = new Float64Array(rows.length);
        for (let i = 0; i < rows.length; i++) values[i] = column.values[rows[i] as number] as number;
        return { kind: "number", name: column.name, values };
      }
      const codes = new Int32Array(rows.length);
      for (let i = 0; i < rows.length; i++) codes[i] = column.codes[rows[i] as number] as number;
      return { kind: "string", name: column.name, codes, levels: column.levels };
    });
    return new Table(columns, rows.length, this.source);
  }
}

/** The value of a string column at a row, or undefined when missing. */
export function stringAt(column: StringColumn, row: number): string | undefined {
  const code = column.codes[row] as number;
  return code === MISSING_CODE ? undefined : column.levels[code];
}

export function isMissing(column: Column, row: number): boolean {
  return column.kind === "number"
    ? Number.isNaN(column.values[row] as number)
    : column.codes[row] === MISSING_CODE;
}

/** Encodes an array of strings (undefined = missing) as a dictionary column. */
export function stringColumn(name: string, values: readonly (string | undefined)[]): StringColumn {
  const index = new Map<string, number>();
  const levels: string[] = [];
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === undefined) {
      codes[i] = MISSING_CODE;
      continue;
    }
    let code = index.get(v);
    if (code === undefined) {
      code = levels.length;
      levels.push(v);
      index.set(v, code);
    }
    codes[i] = code;
  }
  return { kind: "string", name, codes, levels };
}

export function numericColumn(name: string, values: Float64Array | readonly number[]): NumericColumn {
  return {
    kind: "number",
    name,
    values: values instanceof Float64Array ? values : Float64Array.from(values),
  };
}

function suggestColumns(name: string, names: readonly string[]): string {
  const lower = name.toLowerCase();
  const close = names.filter((n) => {
    const l = n.toLowerCase();
    return l === lower || l.includes(lower) || lower.includes(l) || editDistance(l, lower) <= 2;
  });
  if (close.length > 0)
    return ` (did you mean ${close
      .slice(0, 3)
      .map((c) => `'${c}'`)
      .join(", ")}?)`;
  if (names.length <= 12) return ` (columns: ${names.join(", ")})`;
  return ` (${names.length} columns; see 'mobility describe')`;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(
        Math.min(
          (previous[j] as number) + 1,
          (current[j - 1] as number) + 1,
          (previous[j - 1] as number) + cost,
        ),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}
