/**
 * Options every file-format reader takes (the CSV reader's, plus those of the binary formats), and the column
 * finishing shared by them: selecting columns, forcing a column's type, extra missing tokens on text.
 */
import { dataError } from "../../errors.js";
import type { ColumnType } from "../columnBuilder.js";
import { isNumberToken } from "../missing.js";
import { type Column, MISSING_CODE, type NumericColumn, type StringColumn, stringColumn } from "../table.js";

export type ValueLabelMode = "auto" | "labels" | "codes";

export interface FormatReadOptions {
  /** Read only these columns, in this order. */
  columns?: readonly string[];
  /** Extra text tokens that mean missing (Excel text cells; CSV fields). */
  missing?: readonly string[];
  /** Force a column's type. */
  types?: Readonly<Record<string, ColumnType>>;
  /** Bytes processed so far and the total, for a progress bar. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Conventions applied while reading (value labels used, dates converted, ...). */
  onNote?: (message: string) => void;
  /** Excel: the sheet, by name or 1-based position (default: the first). */
  sheet?: string | number;
  /** Excel: rows to skip before the header row (a lower bound, as readxl's `skip`: empty rows are skipped too). */
  skip?: number;
  /**
   * Stata: "labels" turns labelled variables into text (a value without a label keeps its code as text, as
   * haven::as_factor(levels = "default")); "codes" keeps the numbers; "auto" (default) uses labels for variables
   * whose every non-missing value has one, codes otherwise.
   */
  valueLabels?: ValueLabelMode;
}

/** Checks `columns` against the names a file has and returns their positions (an error lists the names). */
export function selectPositions(
  names: readonly string[],
  wanted: readonly string[] | undefined,
  display: string,
): number[] {
  if (wanted === undefined) return names.map((_, j) => j);
  return wanted.map((name) => {
    const at = names.indexOf(name);
    if (at < 0) throw dataError(`${display}: no column '${name}'${listNames(names)}`);
    return at;
  });
}

export function checkTypesKnown(
  names: readonly string[],
  types: FormatReadOptions["types"],
  display: string,
): void {
  for (const name of Object.keys(types ?? {})) {
    if (!names.includes(name)) throw dataError(`${display}: --types names unknown column '${name}'`);
  }
}

export function listNames(names: readonly string[]): string {
  if (names.length <= 15) return ` (columns: ${names.join(", ")})`;
  return ` (${names.length} columns, starting ${names.slice(0, 10).join(", ")}, ...)`;
}

/**
 * A column converted to `type`: numbers to text as String(x) (the shortest text that reads back as the same
 * number); text to numbers where every non-missing value is a number token (else an error naming the row, counted
 * from 1 as `rowLabel` says).
 */
export function forceType(
  column: Column,
  type: ColumnType,
  display: string,
  rowLabel: (row: number) => string,
): Column {
  if (column.kind === type) return column;
  if (column.kind === "number") {
    const values: (string | undefined)[] = new Array(column.values.length);
    for (let i = 0; i < values.length; i++) {
      const v = column.values[i] as number;
      values[i] = Number.isNaN(v) ? undefined : String(v);
    }
    return stringColumn(column.name, values);
  }
  const levelValues = column.levels.map((level) =>
    isNumberToken(level.trim()) ? Number(level.trim()) : Number.NaN,
  );
  const values = new Float64Array(column.codes.length);
  for (let i = 0; i < values.length; i++) {
    const code = column.codes[i] as number;
    if (code === MISSING_CODE) {
      values[i] = Number.NaN;
      continue;
    }
    const v = levelValues[code] as number;
    if (Number.isNaN(v)) {
      throw dataError(
        `${display} ${rowLabel(i)}, column '${column.name}': expected a number, found '${column.levels[code]}'`,
      );
    }
    values[i] = v;
  }
  return { kind: "number", name: column.name, values } satisfies NumericColumn;
}

/** A text column with `tokens` (and the empty string) set missing. */
export function applyMissingTokens(column: StringColumn, tokens: ReadonlySet<string>): StringColumn {
  const hit = column.levels.map((level) => tokens.has(level));
  if (!hit.some(Boolean)) return column;
  const codes = new Int32Array(column.codes.length);
  for (let i = 0; i < codes.length; i++) {
    const c = column.codes[i] as number;
    codes[i] = c === MISSING_CODE || hit[c] ? MISSING_CODE : c;
  }
  return { kind: "string", name: column.name, codes, levels: column.levels };
}

/** Makes names unique as R's make.unique does (x, x.1, x.2); empty names become V1, V2, ... by position. */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((raw, j) => {
    const name = raw === "" ? `V${j + 1}` : raw;
    const count = seen.get(name) ?? 0;
    seen.set(name, count + 1);
    return count === 0 ? name : `${name}.${count}`;
  });
}
