/**
 * The reading entry point of every command and dataset reader: `readCsv(path, options)` gives a typed Table from
 * a delimited text file, a Stata .dta, an Excel .xlsx/.xls, a Parquet file, any of them gzip- or zstd-compressed,
 * or standard input (`-`, `/dev/stdin`), chosen by content and name (formats/input.ts, formats/detect.ts).
 *
 * Delimited text is read by papaparse over a file stream (only the requested columns materialised, types
 * inferred per column or forced, missing-value tokens honoured; never the whole file as one string), or by the
 * byte-level reader for large files (fastCsv.ts).
 */
import { createReadStream } from "node:fs";
import Papa from "papaparse";
import { dataError, usageError } from "../errors.js";
import { ColumnBuilder, type ColumnType } from "./columnBuilder.js";
import { readDelimitedHeader } from "./csvHeader.js";
import { normaliseHeader, readCsvFast } from "./fastCsv.js";
import { readBinaryFormat, resolveInput } from "./formats/index.js";
import type { FormatReadOptions } from "./formats/options.js";
import { missingSet } from "./missing.js";
import { Table } from "./table.js";
import { refuseInvalidUtf8 } from "./textEncoding.js";

export interface CsvOptions extends Omit<FormatReadOptions, "columns" | "missing" | "types" | "onProgress"> {
  /** Read only these columns (in this order). Default: all. */
  columns?: readonly string[];
  /** Extra tokens that mean missing, on top of "", "NA" and ".". */
  missing?: readonly string[];
  /** Force a column's type instead of inferring it. */
  types?: Readonly<Record<string, ColumnType>>;
  /** Field delimiter; default: guessed by papaparse from the first lines. */
  delimiter?: string;
  /**
   * "fast": the byte-level reader of fastCsv.ts (same Table; it hands over to papaparse on input it does not
   * model); "papaparse": always papaparse; "auto" (default): fast for files of FAST_ENGINE_MIN_BYTES and more.
   */
  engine?: "auto" | "fast" | "papaparse";
  /** Called as the file is read with the bytes read so far and the file size (for a progress bar). */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/**
 * From this file size up, engine "auto" uses the byte-level reader (one thread below its THREADED_MIN_BYTES):
 * it gives the same Table as papaparse, or declines and papaparse reads the file. Below it, papaparse's
 * start-up is as cheap as the byte-level reader's.
 */
export const FAST_ENGINE_MIN_BYTES = 1024 * 1024;

let defaultProgress: CsvOptions["onProgress"];
let defaultNotes: CsvOptions["onNote"];

/** Where reads that pass no onNote send their notes (the CLI: stderr, unless --quiet). */
export function setDefaultReadNotes(onNote: CsvOptions["onNote"]): void {
  defaultNotes = onNote;
}

/**
 * A progress callback for reads that pass none (the dataset readers call readCsv themselves); the CLI sets it
 * once per command (src/cli/progress.ts).
 */
export function setDefaultCsvProgress(onProgress: CsvOptions["onProgress"]): void {
  defaultProgress = onProgress;
}

/**
 * Reads `path` (any supported format, see the module comment) into a Table whose `source` is the path as given
 * ("<stdin>" for standard input). Options a format does not use are ignored (delimiter for .dta, sheet for CSV).
 */
export async function readCsv(path: string, options: CsvOptions = {}): Promise<Table> {
  const onProgress = options.onProgress ?? defaultProgress;
  const input = await resolveInput(path, onProgress);
  if (input.format !== "csv")
    return readBinaryFormat(input, { ...options, ...(onProgress ? { onProgress } : {}) });
  const file = input.file;
  const size = input.size;
  const engine = options.engine ?? "auto";
  if (engine === "fast" || (engine === "auto" && size >= FAST_ENGINE_MIN_BYTES)) {
    const table = await readCsvFast(file, { ...options, onProgress });
    if (table !== undefined) {
      refuseInvalidUtf8(table, file, input.display);
      await noteDuplicateNames(table, file, input.display, options);
      onProgress?.(size, size);
      return file === input.display ? table : new Table(table.columns, table.nrows, input.display);
    }
  }
  const stream = createReadStream(file);
  if (onProgress !== undefined) {
    let bytes = 0;
    stream.on("data", (chunk) => {
      bytes += chunk.length;
      onProgress(bytes, size);
    });
  }
  const table = await parseCsvStream(stream, input.display, options);
  refuseInvalidUtf8(table, file, input.display);
  await noteDuplicateNames(table, file, input.display, options);
  onProgress?.(size, size);
  return table;
}

/**
 * Header names that repeat are made unique as R's make.unique does (x, x.1, x.2); never in silence: a note names
 * each renamed column (fread warns the same way). Only when some name ends in ".<digits>" is the header re-read.
 */
async function noteDuplicateNames(
  table: Table,
  file: string,
  display: string,
  options: CsvOptions,
): Promise<void> {
  const onNote = options.onNote ?? defaultNotes;
  if (onNote === undefined || !table.columns.some((c) => /\.\d+$/.test(c.name))) return;
  const raw = await readDelimitedHeader(file, display, options.delimiter);
  const seen = new Map<string, number>();
  raw.forEach((name, j) => {
    if (name === "") return;
    const count = seen.get(name) ?? 0;
    seen.set(name, count + 1);
    if (count > 0)
      onNote(`${display}: duplicate column name '${name}' (column ${j + 1}) read as '${name}.${count}'`);
  });
}

/** Parses CSV text already in memory (tests, small inline data). */
export function parseCsvText(text: string, source: string, options: CsvOptions = {}): Promise<Table> {
  return parseCsvStream(text, source, options);
}

function parseCsvStream(
  input: NodeJS.ReadableStream | string,
  source: string,
  options: CsvOptions,
): Promise<Table> {
  const missing = missingSet(options.missing);
  return new Promise<Table>((resolve, reject) => {
    let header: string[] | undefined;
    let builders: ColumnBuilder[] = [];
    let positions: number[] = [];
    let rows = 0;
    let line = 0; // incremented before each record: the header is line 1
    let failed = false;

    const fail = (error: unknown, parser?: Papa.Parser) => {
      if (failed) return;
      failed = true;
      parser?.abort();
      reject(error);
    };

    const onHeader = (fields: string[]) => {
      header = normaliseHeader(fields);
      const wanted = options.columns ?? header;
      positions = wanted.map((name) => {
        const at = header?.indexOf(name) ?? -1;
        if (at < 0) throw usageError(`${source}: no column '${name}'${listColumns(header ?? [])}`);
        return at;
      });
      for (const name of Object.keys(options.types ?? {})) {
        if (!header.includes(name)) throw usageError(`${source}: --types names unknown column '${name}'`);
      }
      builders = wanted.map((name) => new ColumnBuilder(name, missing, options.types?.[name], source));
    };

    const onRow = (fields: string[]) => {
      line++;
      if (header === undefined) {
        onHeader(fields);
        return;
      }
      if (fields.length !== header.length) {
        // A trailing delimiter-only or blank line is not data; anything else ragged is an error.
        if (fields.length === 1 && fields[0]?.trim() === "") return;
        throw dataError(
          `${source} line ${line}: expected ${header.length} fields (as in the header), found ${fields.length}`,
        );
      }
      for (let j = 0; j < positions.length; j++) {
        (builders[j] as ColumnBuilder).push(fields[positions[j] as number] as string, line);
      }
      rows++;
    };

    const config = {
      header: false,
      skipEmptyLines: true,
      delimiter: options.delimiter ?? "",
      chunk: (results: Papa.ParseResult<string[]>, parser: Papa.Parser) => {
        if (failed) return;
        try {
          const quoteError = results.errors.find((e) => e.type === "Quotes");
          const linesBefore = line;
          for (const fields of results.data) onRow(fields);
          if (quoteError !== undefined) {
            // papaparse's row counts the records of this chunk from 0 (the header is a record).
            const at = linesBefore + (quoteError.row ?? 0) + 1;
            throw dataError(
              quoteError.code === "MissingQuotes"
                ? `${source} line ${at}: a quoted field is never closed (a quote opens it and no quote ends it before the end of the file)`
                : `${source} line ${at}: a malformed quote (text after a closing quote, or a quote inside an unquoted field)`,
            );
          }
        } catch (error) {
          fail(error, parser);
        }
      },
      complete: () => {
        if (failed) return;
        if (header === undefined) {
          fail(dataError(`${source}: the file is empty (no header line)`));
          return;
        }
        try {
          resolve(
            new Table(
              builders.map((b) => b.finish()),
              rows,
              source,
            ),
          );
        } catch (error) {
          fail(error);
        }
      },
      error: (error: Error) => fail(dataError(`${source}: ${error.message}`)),
    };
    // papaparse's typings do not cover Node streams; its runtime does (it reads them chunk by chunk).
    Papa.parse(input as unknown as string, config as unknown as Papa.ParseConfig<string[]>);
  });
}

function listColumns(names: readonly string[]): string {
  if (names.length <= 15) return ` (columns: ${names.join(", ")})`;
  return ` (${names.length} columns, starting ${names.slice(0, 10).join(", ")}, ...)`;
}
