/** Small accessors for the reader tests. */
import { type Column, stringAt, type Table } from "../../src/data/table.js";

export const FIX = "fixtures/readers";

/** The row index whose text column `name` equals `value` (throws if absent). */
export function rowWhere(table: Table, name: string, value: string): number {
  const column = table.column(name);
  if (column.kind !== "string") throw new Error(`${name} is not text`);
  for (let i = 0; i < table.nrows; i++) if (stringAt(column, i) === value) return i;
  throw new Error(`no row with ${name} = ${value}`);
}

export function num(table: Table, name: string, row: number): number {
  return table.numeric(name).values[row] as number;
}

export function str(table: Table, name: string, row: number): string | undefined {
  const column: Column = table.column(name);
  if (column.kind !== "string") throw new Error(`${name} is not text`);
  return stringAt(column, row);
}

export function texts(table: Table, name: string): (string | undefined)[] {
  return Array.from({ length: table.nrows }, (_, i) => str(table, name, i));
}
