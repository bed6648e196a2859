/**
 * The binary formats behind the one reading entry point (`readCsv` in ../csv.ts, which every command and
 * dataset reader calls): Stata .dta, Excel .xlsx/.xls and Parquet, each to the same typed Table with column
 * selection, forced types and progress. Which one applies is decided by resolveInput (content, then name).
 */
import { Table } from "../table.js";
import type { ResolvedInput } from "./input.js";
import type { FormatReadOptions } from "./options.js";

export type { Compression, DataFormat } from "./detect.js";
export { DATA_FORMATS, formatFromBytes, formatFromName } from "./detect.js";
export { isStdinPath, type ResolvedInput, resolveInput } from "./input.js";
export type { FormatReadOptions, ValueLabelMode } from "./options.js";

// The readers are loaded when a file of their format is read: SheetJS and hyparquet (with its WebAssembly
// decompressors) would otherwise add ~0.4 s of CPU to every command's start.

/** Reads a resolved non-CSV input into a Table whose source is the display name. */
export async function readBinaryFormat(input: ResolvedInput, options: FormatReadOptions): Promise<Table> {
  const { file, display } = input;
  let result: { columns: Table["columns"]; nrows: number };
  if (input.format === "dta") result = (await import("./dta.js")).readDta(file, display, options);
  else if (input.format === "parquet")
    result = await (await import("./parquet.js")).readParquet(file, display, options);
  else
    result = (await import("./excel.js")).readExcel(
      file,
      display,
      input.format === "xls" ? "xls" : "xlsx",
      options,
    );
  return new Table(result.columns, result.nrows, display);
}

/** Column names of a resolved non-CSV input, reading as little as the format allows. */
export async function binaryFormatNames(input: ResolvedInput, options: FormatReadOptions): Promise<string[]> {
  const { file, display } = input;
  if (input.format === "dta") return (await import("./dta.js")).dtaNames(file, display);
  if (input.format === "parquet") return (await import("./parquet.js")).parquetNames(file, display);
  return (await import("./excel.js")).excelNames(
    file,
    display,
    input.format === "xls" ? "xls" : "xlsx",
    options,
  );
}
