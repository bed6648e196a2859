/**
 * Which format a data file is in, from its first bytes (magic numbers) and its name.
 *
 * Content decides where it can: a file whose bytes say Parquet is read as Parquet whatever its name. The name
 * decides only between formats the bytes cannot tell apart (delimited text has no magic number), and a name
 * that promises a binary format the bytes do not have is an error rather than a guess, so that a truncated or
 * mislabelled `.dta`/`.parquet`/`.xlsx`/`.gz` gives one line naming the file instead of a CSV parse of binary
 * data ("line 4: expected 1 fields").
 *
 * Magic numbers (each from the format's specification):
 *   gzip     1f 8b                      (RFC 1952, section 2.3.1)
 *   zstd     28 b5 2f fd                (RFC 8878, section 3.1.1: frame magic 0xFD2FB528 little-endian)
 *   Parquet  "PAR1" at the start and at the end (parquet-format, "File format")
 *   xlsx     "PK\x03\x04" (a zip archive; OOXML workbooks are zip packages, ECMA-376 Part 2)
 *   xls      d0 cf 11 e0 a1 b1 1a e1    (OLE2 compound document holding a BIFF8 workbook, [MS-CFB] 2.2)
 *   dta      "<stata_dta>" (formats 117-119); formats 113-115 start with the release byte 0x71-0x73, then
 *            the byte order 1 (HILO) or 2 (LOHI), then filetype 1 (Stata's dta help, "5.1 Header")
 */
import { dataError } from "../../errors.js";

export type DataFormat = "csv" | "dta" | "xlsx" | "xls" | "parquet";
export type Compression = "gzip" | "zstd";

export const DATA_FORMATS: readonly DataFormat[] = ["csv", "dta", "xlsx", "xls", "parquet"];

/** What the first bytes say, or undefined for anything else (text). */
export function formatFromBytes(head: Uint8Array): DataFormat | Compression | undefined {
  const b = (i: number) => head[i] ?? -1;
  if (b(0) === 0x1f && b(1) === 0x8b) return "gzip";
  if (b(0) === 0x28 && b(1) === 0xb5 && b(2) === 0x2f && b(3) === 0xfd) return "zstd";
  if (ascii(head, 0, 4) === "PAR1") return "parquet";
  if (b(0) === 0x50 && b(1) === 0x4b && b(2) === 0x03 && b(3) === 0x04) return "xlsx";
  const ole = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
  if (ole.every((v, i) => b(i) === v)) return "xls";
  if (ascii(head, 0, 11) === "<stata_dta>") return "dta";
  if (b(0) >= 0x71 && b(0) <= 0x73 && (b(1) === 1 || b(1) === 2) && b(2) === 1 && head.length >= 4)
    return "dta";
  return undefined;
}

/** What the file name says (a trailing .gz/.zst is a compression; the name before it the format). */
export function formatFromName(name: string): { format: DataFormat | undefined; compression?: Compression } {
  const lower = name.toLowerCase();
  let stem = lower;
  let compression: Compression | undefined;
  if (/\.(gz|gzip)$/.test(stem)) {
    compression = "gzip";
    stem = stem.replace(/\.(gz|gzip)$/, "");
  } else if (/\.(zst|zstd)$/.test(stem)) {
    compression = "zstd";
    stem = stem.replace(/\.(zst|zstd)$/, "");
  }
  const ext = /\.([a-z0-9]+)$/.exec(stem)?.[1];
  const byExt: Record<string, DataFormat> = {
    dta: "dta",
    xlsx: "xlsx",
    xlsm: "xlsx",
    xls: "xls",
    parquet: "parquet",
    pq: "parquet",
    csv: "csv",
    tsv: "csv",
    txt: "csv",
    tab: "csv",
  };
  const format = ext === undefined ? undefined : byExt[ext];
  return compression === undefined ? { format } : { format, compression };
}

const DESCRIBE: Record<DataFormat | Compression, string> = {
  csv: "delimited text",
  dta: "a Stata .dta file",
  xlsx: "an Excel .xlsx workbook",
  xls: "an Excel .xls workbook",
  parquet: "a Parquet file",
  gzip: "a gzip-compressed file",
  zstd: "a zstd-compressed file",
};

/**
 * The format of content whose first bytes are `head`, given the name it came under (`nameHint`, possibly with
 * its compression suffix already removed). Throws when the name promises a binary format the bytes lack.
 */
export function decideFormat(head: Uint8Array, nameHint: string, display: string): DataFormat | Compression {
  const byBytes = formatFromBytes(head);
  const byName = formatFromName(nameHint);
  if (byBytes !== undefined) return byBytes;
  if (byName.compression !== undefined) {
    throw dataError(
      `${display}: expected ${DESCRIBE[byName.compression]} (from its name), but its first bytes are not ` +
        `(${showBytes(head)})`,
    );
  }
  if (byName.format !== undefined && byName.format !== "csv") {
    throw dataError(
      `${display}: expected ${DESCRIBE[byName.format]} (from its name), but its first bytes are not ` +
        `(${showBytes(head)}); the file is truncated, damaged or misnamed`,
    );
  }
  return "csv";
}

export function describeFormat(format: DataFormat | Compression): string {
  return DESCRIBE[format];
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  let out = "";
  for (let i = start; i < end && i < bytes.length; i++) out += String.fromCharCode(bytes[i] as number);
  return out;
}

/** The first bytes as hex, for error messages (never the raw binary). */
export function showBytes(head: Uint8Array): string {
  if (head.length === 0) return "the file is empty";
  const shown = Array.from(head.subarray(0, 8), (v) => v.toString(16).padStart(2, "0")).join(" ");
  return `first bytes ${shown}`;
}
