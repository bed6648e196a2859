/**
 * Parquet files through hyparquet (pure JavaScript, all encodings) with hyparquet-compressors (gzip, zstd,
 * brotli, lz4 pages), read one row group at a time so that memory stays near one copy of the columns read.
 *
 * Types, as R arrow / nanoparquet read them into a data frame:
 *   BOOLEAN -> numbers 1/0; INT32, INT64, FLOAT, DOUBLE, DECIMAL -> numbers (INT64 beyond 2^53 loses digits,
 *   as R's double does; a note says how many values); BYTE_ARRAY strings (UTF8/STRING, and unannotated byte
 *   arrays, which hyparquet decodes as UTF-8) -> text; DATE -> ISO text "2017-08-04"; TIMESTAMP -> ISO text
 *   "2017-08-04T13:45:00.000Z" (UTC); nulls -> missing; the empty string is missing (the CSV convention).
 * Nested columns (lists, structs, maps) are refused with a message naming them, unless they are not selected.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { type FileMetaData, parquetMetadata, parquetRead, parquetSchema } from "hyparquet";
import { compressors as allCompressors } from "hyparquet-compressors";
import { dataError } from "../../errors.js";
import { type Column, MISSING_CODE } from "../table.js";
import type { FormatColumns } from "./dta.js";
import { checkTypesKnown, type FormatReadOptions, forceType, selectPositions } from "./options.js";

/**
 * hyparquet-compressors' SNAPPY instantiates its WebAssembly module on every page (hysnappy's snappyUncompress),
 * which took more time than decoding on a 1 GiB file; without it hyparquet uses its own JavaScript snappy
 * decoder. The other codecs (gzip, zstd, brotli, lz4) come from hyparquet-compressors.
 */
const compressors = Object.fromEntries(
  Object.entries(allCompressors).filter(([codec]) => codec !== "SNAPPY"),
);

interface ParquetFile {
  byteLength: number;
  slice(start: number, end?: number): ArrayBuffer;
  close(): void;
}

/** A synchronous slice reader over the file (hyparquet accepts plain ArrayBuffers from slice). */
function openParquet(file: string, display: string): ParquetFile {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    const code = error instanceof Error && "code" in error ? String(error.code) : String(error);
    throw dataError(`${display}: cannot read file (${code})`);
  }
  const size = fstatSync(fd).size;
  return {
    byteLength: size,
    slice(start: number, end?: number): ArrayBuffer {
      const stop = Math.min(end ?? size, size);
      const length = Math.max(0, stop - start);
      const buffer = new ArrayBuffer(length);
      const view = new Uint8Array(buffer);
      let got = 0;
      while (got < length) {
        const n = readSync(fd, view, got, length - got, start + got);
        if (n === 0) break;
        got += n;
      }
      return buffer;
    },
    close() {
      closeSync(fd);
    },
  };
}

function damaged(display: string, error: unknown): Error {
  const why = error instanceof Error ? error.message : String(error);
  return dataError(
    `${display}: not a valid Parquet file (${why.replace(/\s+/g, " ").slice(0, 160)}); the file is truncated or damaged`,
  );
}

interface ParquetColumnInfo {
  name: string;
  kind: "number" | "text" | "nested";
}

function readMetadata(
  file: ParquetFile,
  display: string,
): { metadata: FileMetaData; columns: ParquetColumnInfo[] } {
  if (file.byteLength < 12)
    throw dataError(
      `${display}: not a valid Parquet file (${file.byteLength} bytes); the file is truncated or damaged`,
    );
  const tail = new Uint8Array(file.slice(file.byteLength - 8));
  const magic = String.fromCharCode(...tail.subarray(4));
  if (magic !== "PAR1") {
    throw dataError(
      `${display}: not a valid Parquet file (no 'PAR1' at its end); the file is truncated or damaged`,
    );
  }
  const footerLength = new DataView(tail.buffer).getUint32(0, true);
  if (footerLength + 8 > file.byteLength) {
    throw dataError(
      `${display}: not a valid Parquet file (footer of ${footerLength} bytes in a file of ${file.byteLength}); the file is truncated or damaged`,
    );
  }
  let metadata: FileMetaData;
  try {
    metadata = parquetMetadata(file.slice(file.byteLength - 8 - footerLength));
  } catch (error) {
    throw damaged(display, error);
  }
  const tree = parquetSchema(metadata);
  const columns = tree.children.map((child): ParquetColumnInfo => {
    const element = child.element;
    if (child.children.length > 0) return { name: element.name, kind: "nested" };
    const logical = element.logical_type?.type;
    const converted = element.converted_type;
    const isDate =
      converted === "DATE" ||
      logical === "DATE" ||
      logical === "TIMESTAMP" ||
      converted?.startsWith("TIMESTAMP") ||
      element.type === "INT96";
    const numeric =
      ["BOOLEAN", "INT32", "INT64", "FLOAT", "DOUBLE"].includes(element.type ?? "") ||
      converted === "DECIMAL";
    return { name: element.name, kind: numeric && !isDate ? "number" : "text" };
  });
  return { metadata, columns };
}

export function parquetNames(path: string, display: string): string[] {
  const file = openParquet(path, display);
  try {
    return readMetadata(file, display).columns.map((c) => c.name);
  } finally {
    file.close();
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const isoDate = (d: Date) =>
  `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/** Parsers that give dates as ISO text (hyparquet's defaults give Date objects). */
const PARSERS = {
  dateFromDays: (days: number) => isoDate(new Date(days * 86400000)),
  timestampFromMilliseconds: (millis: bigint) => new Date(Number(millis)).toISOString(),
  timestampFromMicroseconds: (micros: bigint) => new Date(Number(micros / 1000n)).toISOString(),
  timestampFromNanoseconds: (nanos: bigint) => new Date(Number(nanos / 1000000n)).toISOString(),
};

export async function readParquet(
  path: string,
  display: string,
  options: FormatReadOptions = {},
): Promise<FormatColumns> {
  const file = openParquet(path, display);
  try {
    const { metadata, columns: info } = readMetadata(file, display);
    const names = info.map((c) => c.name);
    const positions = selectPositions(names, options.columns, display);
    checkTypesKnown(names, options.types, display);
    const selected = positions.map((j) => info[j] as ParquetColumnInfo);
    const nested = selected.filter((c) => c.kind === "nested").map((c) => c.name);
    if (nested.length > 0) {
      throw dataError(
        `${display}: column${nested.length > 1 ? "s" : ""} ${nested.map((n) => `'${n}'`).join(", ")} nested (list, struct or map); select flat columns with --columns`,
      );
    }
    const nrows = Number(metadata.num_rows);
    const sinks = selected.map((c) => (c.kind === "number" ? new NumberSink(nrows) : new TextSink(nrows)));
    const sinkByName = new Map(selected.map((c, k) => [c.name, sinks[k] as Sink]));
    const wanted = selected.map((c) => c.name);
    let groupStart = 0;
    let done = 0;
    const total = metadata.row_groups.reduce((s, g) => s + Number(g.total_byte_size ?? 0), 0) || 1;
    for (const group of metadata.row_groups) {
      const groupRows = Number(group.num_rows);
      if (groupRows > 0 && wanted.length > 0) {
        try {
          await parquetRead({
            file,
            metadata,
            columns: wanted,
            rowStart: groupStart,
            rowEnd: groupStart + groupRows,
            compressors,
            parsers: PARSERS as never,
            onChunk: (chunk) => {
              (sinkByName.get(chunk.columnName) as Sink).write(chunk.columnData, chunk.rowStart);
            },
          });
        } catch (error) {
          if (error instanceof Error && error.name === "MobilityError") throw error;
          throw damaged(display, error);
        }
      }
      groupStart += groupRows;
      done += Number(group.total_byte_size ?? 0);
      options.onProgress?.(Math.min(done, total - 1), total);
    }
    if (groupStart !== nrows)
      throw dataError(
        `${display}: not a valid Parquet file (row groups hold ${groupStart} rows, the footer says ${nrows})`,
      );
    const lossy = sinks.reduce((s, sink) => s + (sink instanceof NumberSink ? sink.inexact : 0), 0);
    if (lossy > 0)
      options.onNote?.(`${lossy} 64-bit integer value(s) beyond 2^53 rounded to the nearest double`);
    options.onProgress?.(total, total);
    const columns = selected.map((c, k) => {
      const column = (sinks[k] as Sink).finish(c.name);
      const forced = options.types?.[c.name];
      return forced === undefined ? column : forceType(column, forced, display, (row) => `row ${row + 1}`);
    });
    return { columns, nrows };
  } finally {
    file.close();
  }
}

interface Sink {
  write(data: ArrayLike<unknown>, rowStart: number): void;
  finish(name: string): Column;
}

class NumberSink implements Sink {
  readonly values: Float64Array;
  inexact = 0;

  constructor(n: number) {
    this.values = new Float64Array(n).fill(Number.NaN);
  }

  write(data: ArrayLike<unknown>, rowStart: number): void {
    const values = this.values;
    if (data instanceof Float64Array || data instanceof Float32Array || data instanceof Int32Array) {
      values.set(data, rowStart);
      return;
    }
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      let x: number;
      if (typeof v === "number") x = v;
      else if (typeof v === "bigint") {
        x = Number(v);
        if (!Number.isSafeInteger(x) && BigInt(x) !== v) this.inexact++;
      } else if (typeof v === "boolean") x = v ? 1 : 0;
      else x = Number.NaN; // null / undefined
      values[rowStart + i] = x;
    }
  }

  finish(name: string): Column {
    return { kind: "number", name, values: this.values };
  }
}

class TextSink implements Sink {
  private readonly codes: Int32Array;
  private readonly index = new Map<string, number>();
  private readonly levels: string[] = [];

  constructor(n: number) {
    this.codes = new Int32Array(n).fill(MISSING_CODE);
  }

  write(data: ArrayLike<unknown>, rowStart: number): void {
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v === null || v === undefined) continue;
      const text = typeof v === "string" ? v : v instanceof Date ? v.toISOString() : String(v);
      if (text === "") continue;
      let code = this.index.get(text);
      if (code === undefined) {
        code = this.levels.length;
        this.levels.push(text);
        this.index.set(text, code);
      }
      this.codes[rowStart + i] = code;
    }
  }

  finish(name: string): Column {
    return { kind: "string", name, codes: this.codes, levels: this.levels };
  }
}
