/**
 * A data table (a spec's `lists:`, predictions, summaries) as a ReportDocument: one column per table column
 * (numbers right-aligned to `digits` significant digits, text left-aligned) for the layout formats, the values in
 * full precision for CSV, and an array of row objects for JSON. Written by the format registry like every table.
 */
import { MISSING_CODE, type Table } from "../data/table.js";
import type { Align, Grid, GridRow, Records, RecordValue, ReportDocument } from "./grid.js";
import { formatFull } from "./numberFormat.js";

export interface ListDocumentOptions {
  /** Significant digits of numbers in the layout formats (CSV and JSON keep full precision); default 4. */
  digits?: number;
  title?: string;
  notes?: readonly string[];
}

/** A number to `digits` significant digits ("0.1235", "12345" for integers, "" for NaN). */
export function formatSignificant(v: number, digits: number): string {
  if (Number.isNaN(v)) return "";
  if (!Number.isFinite(v)) return formatFull(v);
  if (Number.isInteger(v)) return formatFull(v);
  return formatFull(Number(v.toPrecision(digits)));
}

/** The values of a table as records (numbers as numbers, missing as null). */
export function tableRecords(table: Table): Records {
  const rows: RecordValue[][] = [];
  for (let i = 0; i < table.nrows; i++) {
    rows.push(
      table.columns.map((c) => {
        if (c.kind === "number") {
          const v = c.values[i] as number;
          return Number.isNaN(v) ? null : v;
        }
        const code = c.codes[i] as number;
        return code === MISSING_CODE ? null : (c.levels[code] as string);
      }),
    );
  }
  return { columns: table.names, rows };
}

export function listDocument(table: Table, options: ListDocumentOptions = {}): ReportDocument {
  const digits = options.digits ?? 4;
  const records = tableRecords(table);
  const align: Align[] = table.columns.map((c) => (c.kind === "number" ? "right" : "left"));
  const rows: GridRow[] = records.rows.map((row) => ({
    cells: row.map((v) => ({
      text: typeof v === "number" ? formatSignificant(v, digits) : v === null ? "" : String(v),
    })),
  }));
  const grid: Grid = {
    align,
    stub: false,
    header: [{ cells: table.names.map((name) => ({ text: name })) }],
    sections: [rows],
    notes: options.notes ?? [],
  };
  return {
    ...(options.title !== undefined ? { title: options.title } : {}),
    grids: [grid],
    records: () => records,
    json: () =>
      records.rows.map((row) => Object.fromEntries(records.columns.map((c, j) => [c, row[j] ?? null]))),
  };
}
