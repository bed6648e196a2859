/**
 * What every dataset reader shares: the report it returns, reading a file's header, checking the file against
 * the reader's layout (a zod object schema with one entry per column), and typed-array helpers for turning
 * text columns into normalised id columns.
 *
 * A layout is the schema of one row of the real file, e.g.
 *   z.object({ state: z.number().int().min(1).max(78), county: z.number().int(), czname: z.string().nullable() })
 * but rows are never materialised as objects: the schema is read column by column. A `z.number()` entry forces
 * the column to numbers (a non-number token is an error naming file, line and column), `z.string()` forces text
 * (so "001902" keeps its zeros); `.optional()` means the column may be absent from the file; `.nullable()` means
 * cells may be missing. Numeric checks (int/min/max) are verified on each column's extreme values and first
 * non-integer, which is exact for those checks; string checks (regex, length) run on the distinct values.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { z } from "zod";
import { dataError } from "../../errors.js";
import type { ColumnType } from "../columnBuilder.js";
import { readCsv } from "../csv.js";
import { readTableHeader } from "../csvHeader.js";
import type { FormatReadOptions } from "../formats/options.js";
import {
  type Column,
  MISSING_CODE,
  type NumericColumn,
  numericColumn,
  type StringColumn,
  type Table,
} from "../table.js";

export interface RejectedRows {
  reason: string;
  count: number;
  /** Up to five examples ("line 12: '5.50012E+12'"). */
  examples: string[];
}

export interface ReaderReport {
  reader: string;
  source: string;
  rowsRead: number;
  rowsOut: number;
  /** Rows dropped (or cells set missing, when the reason says so), grouped by reason. */
  rejected: RejectedRows[];
  /** Conventions applied: units, missing codes, id padding, renamed columns. */
  notes: string[];
}

export interface ReaderResult {
  table: Table;
  report: ReaderReport;
}

/** Options any reader may receive from the registry; each reader validates the ones it uses. */
export interface ReaderOptions {
  long?: boolean;
  perPupil?: boolean;
  dollarsIn?: "units" | "thousands";
  /**
   * f33: update county codes (data vintage = the file's year) to this vintage with updateCountyFips; "atlas" is
   * ATLAS_FIPS_VINTAGE (2015), the vintage of the Opportunity Atlas county file.
   */
  fipsVintage?: number | "atlas";
  /** Generic crosswalk reader: the id columns to map from and to. */
  from?: string;
  to?: string;
  /** How to read the file when it is a workbook or a Stata file (sheet, skip, valueLabels); any reader. */
  format?: FileFormatOptions;
}

export type FileFormatOptions = Pick<FormatReadOptions, "sheet" | "skip" | "valueLabels">;

/**
 * The file-format options of the reader call in progress (set by getReader from ReaderOptions.format), so that
 * every reader's header and body reads see the sheet / skip / value-label choice without passing it through.
 */
export const readerFormat = new AsyncLocalStorage<FileFormatOptions>();

export type Reader = (path: string, options?: ReaderOptions) => Promise<ReaderResult>;

export class ReportBuilder {
  private readonly rejected = new Map<string, RejectedRows>();
  readonly notes: string[] = [];

  constructor(
    readonly reader: string,
    readonly source: string,
  ) {}

  note(message: string): void {
    this.notes.push(message);
  }

  reject(reason: string, example?: string): void {
    let entry = this.rejected.get(reason);
    if (entry === undefined) {
      entry = { reason, count: 0, examples: [] };
      this.rejected.set(reason, entry);
    }
    entry.count++;
    if (example !== undefined && entry.examples.length < 5) entry.examples.push(example);
  }

  rejectMany(reason: string, count: number, examples: readonly string[]): void {
    for (let i = 0; i < count; i++) this.reject(reason, examples[i]);
  }

  finish(rowsRead: number, rowsOut: number): ReaderReport {
    return {
      reader: this.reader,
      source: this.source,
      rowsRead,
      rowsOut,
      rejected: [...this.rejected.values()],
      notes: [...this.notes],
    };
  }
}

/** The report as lines of text for stderr. */
export function formatReport(report: ReaderReport): string {
  const lines = [`${report.reader}: ${report.source}: read ${report.rowsRead} rows, kept ${report.rowsOut}`];
  for (const r of report.rejected) {
    const examples = r.examples.length > 0 ? ` (e.g. ${r.examples.join("; ")})` : "";
    lines.push(`  ${r.count} × ${r.reason}${examples}`);
  }
  for (const note of report.notes) lines.push(`  note: ${note}`);
  return `${lines.join("\n")}\n`;
}

/**
 * The column names of a data file in any format readCsv reads (a text file's header line, BOM stripped and
 * trimmed; a .dta's variables; a Parquet footer; a sheet's header row), reading only what that takes.
 */
export async function readHeader(path: string, delimiter?: string): Promise<string[]> {
  const format = readerFormat.getStore() ?? {};
  return readTableHeader(path, delimiter === undefined ? format : { ...format, delimiter });
}

export type Layout = z.ZodObject;

interface ColumnSpec {
  name: string;
  type: ColumnType;
  optional: boolean;
  nullable: boolean;
  check: z.ZodType;
}

function unwrap(schema: z.ZodType): { inner: z.ZodType; optional: boolean; nullable: boolean } {
  let inner = schema;
  let optional = false;
  let nullable = false;
  for (;;) {
    if (inner instanceof z.ZodOptional) {
      optional = true;
      inner = inner.unwrap() as z.ZodType;
    } else if (inner instanceof z.ZodNullable) {
      nullable = true;
      inner = inner.unwrap() as z.ZodType;
    } else {
      return { inner, optional, nullable };
    }
  }
}

export function layoutColumns(layout: Layout): ColumnSpec[] {
  return Object.entries(layout.shape).map(([name, schema]) => {
    const { inner, optional, nullable } = unwrap(schema as z.ZodType);
    const type: ColumnType = inner instanceof z.ZodNumber ? "number" : "string";
    return { name, type, optional, nullable, check: inner };
  });
}

export interface LayoutReadOptions {
  reader: string;
  /** Extra missing tokens for the CSV reader. */
  missing?: readonly string[];
  /** Force these other columns' types too. */
  types?: Record<string, ColumnType>;
  delimiter?: string;
}

/**
 * Reads `path` with the columns of `layout` forced to their types, after checking that the required ones are
 * in the header, then validates the values against the layout. Columns not in the layout are read as well,
 * with their type inferred.
 */
export async function readWithLayout(
  path: string,
  layout: Layout,
  options: LayoutReadOptions,
): Promise<{ table: Table; header: string[] }> {
  const header = await readHeader(path, options.delimiter);
  const specs = layoutColumns(layout);
  const present = new Set(header);
  const missing = specs.filter((s) => !s.optional && !present.has(s.name)).map((s) => `'${s.name}'`);
  if (missing.length > 0) {
    throw dataError(
      `${path}: missing required column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} for the ` +
        `${options.reader} reader (the file has ${header.length} columns: ${preview(header)})`,
    );
  }
  const types: Record<string, ColumnType> = { ...options.types };
  for (const spec of specs) if (present.has(spec.name)) types[spec.name] = spec.type;
  for (const name of Object.keys(types)) if (!present.has(name)) delete types[name];
  const table = await readCsv(path, {
    ...(readerFormat.getStore() ?? {}),
    types,
    ...(options.missing !== undefined ? { missing: options.missing } : {}),
    ...(options.delimiter !== undefined ? { delimiter: options.delimiter } : {}),
  });
  for (const spec of specs) {
    if (table.has(spec.name)) validateColumn(table.column(spec.name), spec, path);
  }
  return { table, header };
}

function preview(names: readonly string[]): string {
  return names.length <= 12 ? names.join(", ") : `${names.slice(0, 12).join(", ")}, ...`;
}

/** Data row r (0-based) is on file line r + 2 when the file has no blank or multi-line rows. */
export const lineOf = (row: number): number => row + 2;

function validateColumn(column: Column, spec: ColumnSpec, source: string): void {
  const at = (row: number) => `${source} line ${lineOf(row)}, column '${spec.name}'`;
  if (column.kind === "number") {
    const values = column.values;
    let minRow = -1;
    let maxRow = -1;
    let fracRow = -1;
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (Number.isNaN(v)) {
        if (!spec.nullable) throw dataError(`${at(i)}: expected a value, found a missing cell`);
        continue;
      }
      if (minRow < 0 || v < (values[minRow] as number)) minRow = i;
      if (maxRow < 0 || v > (values[maxRow] as number)) maxRow = i;
      if (fracRow < 0 && !Number.isInteger(v)) fracRow = i;
    }
    for (const row of [fracRow, minRow, maxRow]) {
      if (row < 0) continue;
      const result = spec.check.safeParse(values[row]);
      if (!result.success) {
        throw dataError(`${at(row)}: ${result.error.issues[0]?.message ?? "invalid"}, found ${values[row]}`);
      }
    }
    return;
  }
  const codes = column.codes;
  const bad = new Map<number, string>();
  column.levels.forEach((level, code) => {
    const result = spec.check.safeParse(level);
    if (!result.success) bad.set(code, result.error.issues[0]?.message ?? "invalid");
  });
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i] as number;
    if (code === MISSING_CODE) {
      if (!spec.nullable) throw dataError(`${at(i)}: expected a value, found a missing cell`);
      continue;
    }
    const message = bad.get(code);
    if (message !== undefined) throw dataError(`${at(i)}: ${message}, found '${column.levels[code]}'`);
  }
}

/**
 * Applies `normalise` to each distinct value of a text column (or each distinct number of a numeric column)
 * and returns the resulting text column. `normalise` returns undefined for "set missing"; it may throw.
 * The row passed is the first row holding that value (for error messages).
 */
export function mapIds(
  column: Column,
  name: string,
  normalise: (raw: string, firstRow: number) => string | undefined,
): StringColumn {
  const n = column.kind === "number" ? column.values.length : column.codes.length;
  const codes = new Int32Array(n);
  const levels: string[] = [];
  const index = new Map<string, number>();
  const intern = (v: string | undefined): number => {
    if (v === undefined) return MISSING_CODE;
    let c = index.get(v);
    if (c === undefined) {
      c = levels.length;
      levels.push(v);
      index.set(v, c);
    }
    return c;
  };
  if (column.kind === "string") {
    const memo = new Int32Array(column.levels.length).fill(-2);
    for (let i = 0; i < n; i++) {
      const code = column.codes[i] as number;
      if (code === MISSING_CODE) {
        codes[i] = MISSING_CODE;
        continue;
      }
      let out = memo[code] as number;
      if (out === -2) {
        out = intern(normalise(column.levels[code] as string, i));
        memo[code] = out;
      }
      codes[i] = out;
    }
  } else {
    const memo = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const v = column.values[i] as number;
      if (Number.isNaN(v)) {
        codes[i] = MISSING_CODE;
        continue;
      }
      let out = memo.get(v);
      if (out === undefined) {
        out = intern(normalise(String(v), i));
        memo.set(v, out);
      }
      codes[i] = out;
    }
  }
  return { kind: "string", name, codes, levels };
}

/** Combines two id columns row by row through `combine` (memoised on the pair of raw values). */
export function combineIds(
  a: Column,
  b: Column,
  name: string,
  combine: (x: string, y: string, firstRow: number) => string | undefined,
): StringColumn {
  const n = a.kind === "number" ? a.values.length : a.codes.length;
  const raw = (c: Column, i: number): string | undefined => {
    if (c.kind === "number") {
      const v = c.values[i] as number;
      return Number.isNaN(v) ? undefined : String(v);
    }
    const code = c.codes[i] as number;
    return code === MISSING_CODE ? undefined : c.levels[code];
  };
  const codes = new Int32Array(n);
  const levels: string[] = [];
  const index = new Map<string, number>();
  const memo = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const x = raw(a, i);
    const y = raw(b, i);
    if (x === undefined || y === undefined) {
      codes[i] = MISSING_CODE;
      continue;
    }
    const key = `${x}\u0001${y}`;
    let out = memo.get(key);
    if (out === undefined) {
      const v = combine(x, y, i);
      if (v === undefined) out = MISSING_CODE;
      else {
        out = index.get(v);
        if (out === undefined) {
          out = levels.length;
          levels.push(v);
          index.set(v, out);
        }
      }
      memo.set(key, out);
    }
    codes[i] = out;
  }
  return { kind: "string", name, codes, levels };
}

/** Columns of `table` with same-named ones replaced in place by `replacements`; new names appended. */
export function replaceColumns(table: Table, replacements: readonly Column[]): Column[] {
  const byName = new Map(replacements.map((c) => [c.name, c]));
  const out = table.columns.map((c) => byName.get(c.name) ?? c);
  for (const c of replacements) if (!table.has(c.name)) out.push(c);
  return out;
}

/** Renames columns (old -> new); columns not named keep their names. */
export function renameColumns(table: Table, renames: Readonly<Record<string, string>>): Column[] {
  return table.columns.map((c): Column => {
    const name = renames[c.name];
    if (name === undefined) return c;
    return c.kind === "number"
      ? { kind: "number", name, values: c.values }
      : { kind: "string", name, codes: c.codes, levels: c.levels };
  });
}

/** A numeric copy of a column with `f` applied to each value. */
export function mapNumbers(column: NumericColumn, name: string, f: (v: number) => number): NumericColumn {
  const out = new Float64Array(column.values.length);
  for (let i = 0; i < out.length; i++) out[i] = f(column.values[i] as number);
  return numericColumn(name, out);
}

/** Rows (0-based) where `keep` is 1. */
export function rowsWhere(keep: Uint8Array): Int32Array {
  let n = 0;
  for (let i = 0; i < keep.length; i++) n += keep[i] as number;
  const rows = new Int32Array(n);
  let j = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i] === 1) rows[j++] = i;
  return rows;
}
