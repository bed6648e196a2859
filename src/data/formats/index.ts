/**
 * The binary formats behind the one reading entry point (`readCsv` in ../csv.ts, which every command and
 * dataset reader calls): Stata .dta, Excel .xlsx/.xls and Parquet, each to the same typed Table with column
 * selection, forced types and progress. Which one applies is decided by resolveInput (content, then name).
 */
import { Table } from "../table.js";
import { dtaNames, readDta } from "./dta.js";
import { excelNames, readExcel } from "./excel.js";
import type { ResolvedInput } from "./input.js";
import type { FormatReadOptions } from "./options.js";
import { parquetNames, readParquet } from "./parquet.js";

export type { Compression, DataFormat } from "./detect.js";
export { DATA_FORMATS, formatFromBytes, formatFromName } from "./detect.js";
export { isStdinPath, type ResolvedInput, resolveInput } from "./input.js";
export type { FormatReadOptions, ValueLabelMode } from "./options.js";

/** Reads a resolved non-CSV input into a Table whose source is the display name. */
export async function readBinaryFormat(input: ResolvedInput, options: FormatReadOptions): Promise<Table> {
  const { file, display } = input;
  const result =
    input.format === "dta"
      ? readDta(file, display, options)
      : input.format === "parquet"
        ? await readParquet(file, display, options)
        : readExcel(file, display, input.format === "xls" ? "xls" : "xlsx", options);
  return new Table(result.columns, result.nrows, display);
}

/** Column names of a resolved non-CSV input, reading as little as the format allows. */
export function binaryFormatNames(input: ResolvedInput, options: FormatReadOptions): string[] {
  const { file, display } = input;
  if (input.format === "dta") return dtaNames(file, display);
  if (input.format === "parquet") return parquetNames(file, display);
  return excelNames(file, display, input.format === "xls" ? "xls" : "xlsx", options);
}
