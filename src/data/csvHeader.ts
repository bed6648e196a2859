/**
 * Reads only the header of a data file, so that commands can check names before streaming the rows. Any format
 * readCsv reads (a .dta's variable names, a Parquet footer, a sheet's header row, the first line of a text file,
 * standard input, compressed files).
 */
import { open } from "node:fs/promises";
import Papa from "papaparse";
import { dataError } from "../errors.js";
import { binaryFormatNames, resolveInput } from "./formats/index.js";
import type { FormatReadOptions } from "./formats/options.js";

/**
 * The column names of `path` in any format readCsv reads, reading as little as the format allows (the header
 * line of a text file, a .dta's descriptors, a Parquet footer; a workbook's sheet).
 */
export async function readTableHeader(
  path: string,
  options: Pick<FormatReadOptions, "sheet" | "skip"> & { delimiter?: string } = {},
): Promise<string[]> {
  const input = await resolveInput(path);
  if (input.format !== "csv") return binaryFormatNames(input, options);
  return readDelimitedHeader(input.file, input.display, options.delimiter);
}

/** readTableHeader under its historical name (regress and eventstudy call it). */
export const readCsvHeader = readTableHeader;

/** The first line of a delimited text file, split (BOM removed, names trimmed). */
export async function readDelimitedHeader(
  file: string,
  display: string,
  delimiter?: string,
): Promise<string[]> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch (error) {
    throw dataError(
      `${display}: cannot read file (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  try {
    // Wide Atlas tract files have headers of tens of kilobytes: read until the first line break.
    let text = "";
    const buffer = Buffer.alloc(65536);
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      text += buffer.subarray(0, bytesRead).toString("utf8");
      position += bytesRead;
      if (/[\r\n]/.test(text)) break;
    }
    const firstLine = text.split(/\r?\n/)[0] ?? "";
    if (firstLine.trim() === "") throw dataError(`${display}: the file is empty (no header line)`);
    const parsed = Papa.parse<string[]>(firstLine, { header: false, delimiter: delimiter ?? "" });
    return (parsed.data[0] ?? []).map((f, j) => (j === 0 ? f.replace(/^\uFEFF/, "") : f).trim());
  } finally {
    await handle.close();
  }
}
