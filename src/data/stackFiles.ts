/**
 * Reading several files (a list or globs) with one reader and stacking them (ops/stack.ts): what
 * `mobility stack` and spec sources with `files:` do.
 */
import { resolve } from "node:path";
import { dataError, usageError } from "../errors.js";
import type { ColumnType } from "./columnBuilder.js";
import { readCsv } from "./csv.js";
import { readTableHeader } from "./csvHeader.js";
import type { FormatReadOptions } from "./formats/options.js";
import { expandFiles, type StackReport, stackTables, tagFromName } from "./ops/stack.js";
import { getReader, type ReaderOptions, type ReaderReport } from "./readers/index.js";
import { Table } from "./table.js";

export interface StackFilesOptions {
  /** Files or glob patterns; with `tags`, one tag per entry (plain files only). */
  files: readonly string[];
  /** Directory relative paths and globs are taken from (default: the working directory). */
  baseDir?: string;
  /** Tag column name; no tag column without it. */
  tag?: string;
  /** Regular expression taking the tag from each file's base name (see tagFromName). */
  tagPattern?: string;
  /** Tags given per file (same length as the expanded file list). */
  tags?: readonly (string | number)[];
  /** A dataset reader kind, or "csv" (default) for any file format with inferred types. */
  reader?: string;
  readerOptions?: ReaderOptions;
  /** csv reader: only these columns (a file without one of them gets it missing, and the report says so). */
  columns?: readonly string[];
  missing?: readonly string[];
  types?: Readonly<Record<string, ColumnType>>;
  format?: Pick<FormatReadOptions, "sheet" | "skip" | "valueLabels">;
}

export interface StackFilesResult {
  table: Table;
  report: StackReport;
  /** Each file's dataset-reader report (none for csv). */
  readerReports: ReaderReport[];
  /** The files read, after glob expansion, as written (relative to baseDir). */
  files: string[];
}

export async function readStack(options: StackFilesOptions): Promise<StackFilesResult> {
  const base = options.baseDir ?? ".";
  const files = expandFiles(options.files, base);
  if (options.tags !== undefined && options.tags.length !== files.length) {
    throw usageError(`stack: ${options.tags.length} tags for ${files.length} files`);
  }
  const readerKind = options.reader ?? "csv";
  const readerReports: ReaderReport[] = [];
  const inputs = [];
  for (const [k, file] of files.entries()) {
    const path = resolve(base, file);
    let table: Table;
    if (readerKind === "csv") {
      let columns: string[] | undefined;
      if (options.columns !== undefined) {
        const header = await readTableHeader(path, options.format ?? {});
        columns = options.columns.filter((c) => header.includes(c));
      }
      const types =
        options.types === undefined
          ? undefined
          : Object.fromEntries(
              Object.entries(options.types).filter(
                ([name]) => columns === undefined || columns.includes(name),
              ),
            );
      table = await readCsv(path, {
        ...(columns ? { columns } : {}),
        ...(options.missing ? { missing: options.missing } : {}),
        ...(types ? { types } : {}),
        ...(options.format ?? {}),
      });
    } else {
      const result = await getReader(readerKind)(path, {
        ...(options.readerOptions ?? {}),
        ...(options.format ? { format: options.format } : {}),
      });
      readerReports.push({ ...result.report, source: file });
      table = result.table;
      if (options.columns !== undefined) {
        const keep = options.columns.filter((c) => table.has(c));
        table = new Table(
          keep.map((c) => table.column(c)),
          table.nrows,
          table.source,
        );
      }
    }
    const tag = options.tags?.[k];
    inputs.push({
      table,
      file,
      ...(options.tag !== undefined
        ? { tag: tag !== undefined ? String(tag) : tagFromName(file, options.tagPattern) }
        : {}),
    });
  }
  const { table, report } = stackTables(inputs, options.tag);
  // Columns asked for but absent from every file are an error, not a silent all-missing column.
  if (options.columns !== undefined) {
    const absent = options.columns.filter((c) => !table.has(c));
    if (absent.length > 0)
      throw dataError(
        `stack: no file has column${absent.length > 1 ? "s" : ""} ${absent.map((c) => `'${c}'`).join(", ")}`,
      );
  }
  return { table, report, readerReports, files };
}
