/**
 * The output-format registry: one writer per format, each laying out every kind of table (regression tables,
 * summary and balance tables, event-study tables, data listings) from a ReportDocument (grid.ts). A new format is
 * one module exporting a FormatWriter and one line in FORMATS; the command-line `--format` help, the format implied
 * by an `--out` file's extension and the spec files' `formats:` lists all come from here.
 */
import { usageError } from "../errors.js";
import { csvFormat } from "./csv.js";
import type { ReportDocument } from "./grid.js";
import { jsonFormat } from "./jsonWriter.js";
import { type LatexOptions, latexFormat } from "./latex.js";
import { markdownFormat } from "./markdown.js";
import { textFormat } from "./text.js";

/** Layout options a writer may use (each ignores what does not apply to it). */
export interface WriteOptions {
  /** Split tables with a stub into panels of at most this many data columns (wide `--by` tables). */
  panelColumns?: number;
  /** Text: split into panels automatically so that lines stay within this many characters (default 120; 0 = never). */
  width?: number;
  latex?: LatexOptions;
}

export interface FormatWriter {
  /** The name `--format` takes. */
  readonly name: string;
  /** Other names accepted for it. */
  readonly aliases: readonly string[];
  /** File extensions (without the dot) that imply it; the first names spec output files. */
  readonly extensions: readonly string[];
  /** One line for `--help`. */
  readonly summary: string;
  /** The document in this format; ends with a newline, byte-identical for identical input. */
  write(doc: ReportDocument, options?: WriteOptions): string;
  /**
   * Loads what writing needs beyond the writer itself (JSON: the result schema that validates it), so that a
   * command pays for it only when it writes this format. Call it once before `write`.
   */
  prepare?(): Promise<void>;
}

/** Every output format, in the order help lists them. */
export const FORMATS: readonly FormatWriter[] = [
  textFormat,
  markdownFormat,
  latexFormat,
  csvFormat,
  jsonFormat,
];

/** The format names, for schemas and help. */
export const FORMAT_NAMES = FORMATS.map((f) => f.name) as [string, ...string[]];

/** "text, markdown, latex, csv or json". */
export function formatList(conjunction = "or"): string {
  const names = [...FORMAT_NAMES];
  const last = names.pop();
  return names.length === 0 ? String(last) : `${names.join(", ")} ${conjunction} ${last}`;
}

/** The writer of a `--format` value (case-insensitive; aliases accepted). */
export function findFormat(value: string): FormatWriter {
  const v = value.toLowerCase();
  const found = FORMATS.find((f) => f.name === v || f.aliases.includes(v));
  if (found === undefined)
    throw usageError(`unknown format '${value}'; expected one of ${FORMAT_NAMES.join(", ")}`);
  return found;
}

/** The format an output file's extension implies (anything unknown is text). */
export function formatForPath(path: string): string {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  return FORMATS.find((f) => ext !== undefined && f.extensions.includes(ext))?.name ?? "text";
}

/** The file extension of a format's output ("tex" for latex). */
export function extensionOf(format: string): string {
  return findFormat(format).extensions[0] ?? format;
}

/** Writes `doc` in `format`. */
export function writeDocument(doc: ReportDocument, format: string, options: WriteOptions = {}): string {
  return findFormat(format).write(doc, options);
}
