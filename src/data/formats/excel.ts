/**
 * Excel workbooks (.xlsx OOXML and .xls BIFF8) through SheetJS (`xlsx`), turned into a typed Table with readxl's
 * conventions (readxl::read_excel, the R reference):
 *   - the sheet by name or 1-based position (default the first);
 *   - the data region is the bounding box of the cells that hold a value, starting at row `skip` + 1 or later
 *     (`skip` is a lower bound: empty rows after it are skipped too); its first row holds the column names, and
 *     rows after it are data (a blank row inside the region is a row of missing values; trailing blank rows are
 *     not part of the region);
 *   - column types come from the cells: a column whose value cells are all numbers (or booleans, read 1/0) is
 *     numeric; any text cell makes it text, and its number cells are written as the shortest text that reads back
 *     as the same number (readxl writes 17 significant digits: "0.34240999999999999" where we write "0.34241";
 *     both read back as the same double);
 *   - text is trimmed, and empty text and the missing tokens (empty, NA, "." and --missing) are missing (readxl's
 *     default `na` is only ""); text that looks like a number stays text, as readxl keeps it (force with types);
 *   - dates (number cells with a date format) become ISO text, "2017-08-04" or "2017-08-04 13:45:00";
 *   - formula cells give their cached value; error cells (#N/A, #DIV/0!) are missing;
 *   - names: trimmed header text, empty ones V1, V2, ... by position, duplicates made unique as R's make.unique.
 */
import { readFileSync, statSync } from "node:fs";
import XLSX from "xlsx";
import { dataError } from "../../errors.js";
import { missingSet } from "../missing.js";
import { type Column, MISSING_CODE } from "../table.js";
import type { FormatColumns } from "./dta.js";
import {
  checkTypesKnown,
  type FormatReadOptions,
  forceType,
  selectPositions,
  uniqueNames,
} from "./options.js";
import { readZipEntries, writeStoredZip } from "./zipArchive.js";

type Cell = { kind: "number"; value: number } | { kind: "text"; value: string } | undefined;

interface SheetGrid {
  names: string[];
  /** Data cells by column, rows top to bottom. */
  columns: Cell[][];
  nrows: number;
  /** Sheet row number (1-based) of the first data row, for messages. */
  firstRow: number;
  sheetName: string;
}

export function excelNames(
  file: string,
  display: string,
  format: "xlsx" | "xls",
  options: FormatReadOptions = {},
): string[] {
  return readGrid(file, display, format, options).names;
}

export function readExcel(
  file: string,
  display: string,
  format: "xlsx" | "xls",
  options: FormatReadOptions = {},
): FormatColumns {
  options.onProgress?.(0, 1);
  const grid = readGrid(file, display, format, options);
  const positions = selectPositions(grid.names, options.columns, display);
  checkTypesKnown(grid.names, options.types, display);
  const missing = missingSet(options.missing);
  const columns = positions.map((j) => {
    const name = grid.names[j] as string;
    const column = toColumn(name, grid.columns[j] as Cell[], grid.nrows, missing);
    const forced = options.types?.[name];
    return forced === undefined
      ? column
      : forceType(
          column,
          forced,
          `${display} sheet '${grid.sheetName}'`,
          (row) => `row ${grid.firstRow + row}`,
        );
  });
  options.onProgress?.(1, 1);
  options.onNote?.(`sheet '${grid.sheetName}', header on row ${grid.firstRow - 1}, ${grid.nrows} data rows`);
  return { columns, nrows: grid.nrows };
}

/** The last workbook parsed (a command reads the header, then the body: one parse for both). */
let lastWorkbook: { key: string; workbook: XLSX.WorkBook } | undefined;

function parseWorkbook(file: string): XLSX.WorkBook {
  const stat = statSync(file);
  const key = `${file}\u0000${stat.size}\u0000${stat.mtimeMs}`;
  if (lastWorkbook?.key === key) return lastWorkbook.workbook;
  const raw = readFileSync(file);
  // An .xlsx (a zip archive) is checked entry by entry and re-framed before SheetJS sees it (zipArchive.ts).
  const bytes = raw[0] === 0x50 && raw[1] === 0x4b ? writeStoredZip(readZipEntries(raw)) : raw;
  const workbook = XLSX.read(bytes, {
    type: "buffer",
    cellNF: true,
    cellHTML: false,
    cellFormula: false,
    cellText: false,
  });
  lastWorkbook = { key, workbook };
  return workbook;
}

function readGrid(
  file: string,
  display: string,
  format: "xlsx" | "xls",
  options: FormatReadOptions,
): SheetGrid {
  let workbook: XLSX.WorkBook;
  try {
    workbook = parseWorkbook(file);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw dataError(
      `${display}: not a readable Excel ${format === "xlsx" ? ".xlsx" : ".xls"} workbook (${why.replace(/\s+/g, " ").slice(0, 120)}); the file is damaged or not a workbook`,
    );
  }
  const sheetNames = workbook.SheetNames;
  if (sheetNames.length === 0) throw dataError(`${display}: the workbook has no sheets`);
  const sheetName = pickSheet(sheetNames, options.sheet, display);
  const sheet = workbook.Sheets[sheetName];
  if (sheet === undefined) throw dataError(`${display}: sheet '${sheetName}' could not be read`);
  const date1904 = workbook.Workbook?.WBProps?.date1904 === true;

  // Cells holding a value, by position.
  const cells = new Map<number, Map<number, Cell>>();
  let minRow = Number.POSITIVE_INFINITY;
  let maxRow = -1;
  let minCol = Number.POSITIVE_INFINITY;
  let maxCol = -1;
  const skip = options.skip ?? 0;
  for (const address of Object.keys(sheet)) {
    if (address.startsWith("!")) continue;
    const raw = sheet[address] as XLSX.CellObject;
    const cell = cellValue(raw, date1904);
    if (cell === undefined) continue;
    const { r, c } = XLSX.utils.decode_cell(address);
    if (r < skip) continue;
    let row = cells.get(r);
    if (row === undefined) {
      row = new Map();
      cells.set(r, row);
    }
    row.set(c, cell);
    if (r < minRow) minRow = r;
    if (r > maxRow) maxRow = r;
    if (c < minCol) minCol = c;
    if (c > maxCol) maxCol = c;
  }
  if (maxRow < 0) {
    throw dataError(
      `${display}: sheet '${sheetName}' has no cells with values${skip > 0 ? ` after the first ${skip} rows` : ""}`,
    );
  }
  const width = maxCol - minCol + 1;
  const headerRow = cells.get(minRow) ?? new Map<number, Cell>();
  const rawNames: string[] = [];
  for (let c = minCol; c <= maxCol; c++) {
    const cell = headerRow.get(c);
    rawNames.push(cell === undefined ? "" : cell.kind === "text" ? cell.value : String(cell.value));
  }
  const names = uniqueNames(rawNames.map((n) => n.trim()));
  const nrows = maxRow - minRow;
  const columns: Cell[][] = Array.from({ length: width }, () => new Array<Cell>(nrows));
  for (let r = minRow + 1; r <= maxRow; r++) {
    const row = cells.get(r);
    if (row === undefined) continue;
    for (const [c, cell] of row) (columns[c - minCol] as Cell[])[r - minRow - 1] = cell;
  }
  return { names, columns, nrows, firstRow: minRow + 2, sheetName };
}

function pickSheet(names: readonly string[], wanted: string | number | undefined, display: string): string {
  if (wanted === undefined) return names[0] as string;
  if (typeof wanted === "number" || /^\d+$/.test(wanted)) {
    const k = Number(wanted);
    if (!Number.isInteger(k) || k < 1 || k > names.length) {
      throw dataError(
        `${display}: no sheet ${wanted} (the workbook has ${names.length}: ${names.map((n) => `'${n}'`).join(", ")})`,
      );
    }
    if (typeof wanted === "number" || !names.includes(wanted)) return names[k - 1] as string;
  }
  if (!names.includes(String(wanted))) {
    throw dataError(`${display}: no sheet '${wanted}' (sheets: ${names.map((n) => `'${n}'`).join(", ")})`);
  }
  return String(wanted);
}

function cellValue(cell: XLSX.CellObject, date1904: boolean): Cell {
  switch (cell.t) {
    case "n": {
      const v = cell.v as number;
      if (!Number.isFinite(v)) return undefined;
      const format = typeof cell.z === "string" ? cell.z : undefined;
      if (format !== undefined && XLSX.SSF.is_date(format))
        return { kind: "text", value: dateText(v, date1904) };
      return { kind: "number", value: v };
    }
    case "b":
      return { kind: "number", value: cell.v ? 1 : 0 };
    case "s": {
      const text = String(cell.v ?? "").trim();
      return text === "" ? undefined : { kind: "text", value: text };
    }
    case "d": {
      const d = cell.v instanceof Date ? cell.v : new Date(String(cell.v));
      return Number.isNaN(d.getTime()) ? undefined : { kind: "text", value: d.toISOString().slice(0, 10) };
    }
    default:
      return undefined; // errors (#N/A, ...) and stubs
  }
}

/** An Excel date serial as ISO text (SSF's calendar, which follows Excel's, 1900 leap-year bug included). */
function dateText(serial: number, date1904: boolean): string {
  const parts = XLSX.SSF.parse_date_code(serial, { date1904 }) as
    | { y: number; m: number; d: number; H: number; M: number; S: number }
    | undefined;
  if (parts === undefined) return String(serial);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const date = `${pad(parts.y, 4)}-${pad(parts.m)}-${pad(parts.d)}`;
  if (parts.H === 0 && parts.M === 0 && parts.S === 0) return date;
  return `${date} ${pad(parts.H)}:${pad(parts.M)}:${pad(parts.S)}`;
}

function toColumn(name: string, cells: Cell[], n: number, missing: ReadonlySet<string>): Column {
  let text = false;
  for (let i = 0; i < n; i++) {
    const cell = cells[i];
    if (cell?.kind === "text" && !missing.has(cell.value)) {
      text = true;
      break;
    }
  }
  if (!text) {
    const values = new Float64Array(n).fill(Number.NaN);
    for (let i = 0; i < n; i++) {
      const cell = cells[i];
      if (cell?.kind === "number") values[i] = cell.value;
    }
    return { kind: "number", name, values };
  }
  const index = new Map<string, number>();
  const levels: string[] = [];
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const cell = cells[i];
    const value = cell === undefined ? undefined : cell.kind === "text" ? cell.value : String(cell.value);
    if (value === undefined || missing.has(value)) {
      codes[i] = MISSING_CODE;
      continue;
    }
    let code = index.get(value);
    if (code === undefined) {
      code = levels.length;
      levels.push(value);
      index.set(value, code);
    }
    codes[i] = code;
  }
  return { kind: "string", name, codes, levels };
}
