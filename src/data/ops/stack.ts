/**
 * Stacking several files into one table (F-33 years, TEA school years, any yearly CSVs): rows appended in file
 * order, columns aligned by name, each file's rows tagged in a column whose value comes from the file name or is
 * given per file, and a report of the columns present in some files only.
 *
 * Conventions (data.table::rbindlist(fill = TRUE, idcol) and dplyr::bind_rows(.id) as references):
 *   - Columns: the first file's, in its order, then each new name in order of appearance; a column absent from
 *     a file is missing in its rows (reported with the files it is absent from).
 *   - A column that is numeric in some files and text in others becomes text, numbers written as R's
 *     as.character writes them (rbindlist coerces the same way; bind_rows refuses); reported. Force a type with
 *     `types` to avoid it.
 *   - The tag column comes first; its values are numbers when every tag is a number ("1995"), else text. From a
 *     file name with `pattern`, a regular expression matched against the base name: its `tag` named group, else
 *     its first group, else the whole match; no match is an error naming the file. Without a pattern the tag is
 *     the base name without its extension(s).
 *   - File lists: glob patterns (`*`, `?`, `**`, `{a,b}`, `[0-9]`) expand to the matching files sorted by name;
 *     a pattern matching nothing is an error.
 */
import { basename, isAbsolute, resolve } from "node:path";
import { globSync } from "tinyglobby";
import { dataError, usageError } from "../../errors.js";
import { numberText } from "../expression/evaluate.js";
import { isNumberToken } from "../missing.js";
import { type Column, MISSING_CODE, Table } from "../table.js";

export interface StackInput {
  table: Table;
  /** The file it came from, as given (for the report). */
  file: string;
  tag?: string;
}

export interface StackReport {
  files: { file: string; rows: number; columns: number; tag?: string }[];
  rows: number;
  columns: number;
  /** Columns missing from some files, with those files. */
  partial: { column: string; missingFrom: string[] }[];
  /** Columns that were numbers in some files and text in others (made text). */
  mixed: { column: string; textIn: string[] }[];
  tag?: string;
}

const GLOB = /[*?[\]{}]/;

/** Expands globs (relative to `baseDir`), keeping plain names as they are; each pattern's matches sorted. */
export function expandFiles(patterns: readonly string[], baseDir = "."): string[] {
  const out: string[] = [];
  for (const pattern of patterns) {
    if (!GLOB.test(pattern) || pattern === "-") {
      out.push(pattern);
      continue;
    }
    const matches = globSync(pattern, {
      cwd: baseDir,
      onlyFiles: true,
      expandDirectories: false,
      absolute: false,
    }).sort();
    if (matches.length === 0)
      throw dataError(`no file matches '${pattern}'${baseDir === "." ? "" : ` (in ${baseDir})`}`);
    // Keep the pattern's own form (relative stays relative) so messages and manifests name files as written.
    const prefix = /^(\.\.?\/)+/.exec(pattern)?.[0] ?? "";
    for (const m of matches)
      out.push(isAbsolute(pattern) ? resolve(baseDir, m) : m.startsWith(prefix) ? m : `${prefix}${m}`);
  }
  return out;
}

/** The tag of a file from its name (see the module comment). */
export function tagFromName(file: string, pattern?: string): string {
  const name = basename(file);
  if (pattern === undefined) return name.replace(/(\.[A-Za-z0-9]+)+$/, "") || name;
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (error) {
    throw usageError(`tag pattern /${pattern}/ is not a regular expression (${(error as Error).message})`);
  }
  const m = re.exec(name);
  if (m === null) throw dataError(`${file}: the file name does not match the tag pattern /${pattern}/`);
  return m.groups?.tag ?? m[1] ?? m[0];
}

export function stackTables(
  inputs: readonly StackInput[],
  tagName?: string,
): { table: Table; report: StackReport } {
  if (inputs.length === 0) throw usageError("stack: no files");
  const names: string[] = [];
  const seen = new Set<string>();
  for (const { table } of inputs) {
    for (const name of table.names) {
      if (!seen.has(name)) {
        seen.add(name);
        names.push(name);
      }
    }
  }
  if (tagName !== undefined && seen.has(tagName)) {
    throw usageError(
      `stack: the tag column '${tagName}' is already a column of the files; choose another name`,
    );
  }
  const total = inputs.reduce((s, input) => s + input.table.nrows, 0);
  const offsets: number[] = [];
  let at = 0;
  for (const input of inputs) {
    offsets.push(at);
    at += input.table.nrows;
  }
  const partial: StackReport["partial"] = [];
  const mixed: StackReport["mixed"] = [];
  const columns: Column[] = [];
  if (tagName !== undefined) {
    const tags = inputs.map((input) => input.tag ?? tagFromName(input.file));
    const numeric = tags.every((t) => isNumberToken(t.trim()));
    if (numeric) {
      const values = new Float64Array(total);
      inputs.forEach((input, k) => {
        values.fill(Number(tags[k]), offsets[k] as number, (offsets[k] as number) + input.table.nrows);
      });
      columns.push({ kind: "number", name: tagName, values });
    } else {
      const levels = [...new Set(tags)];
      const codes = new Int32Array(total);
      inputs.forEach((input, k) => {
        codes.fill(
          levels.indexOf(tags[k] as string),
          offsets[k] as number,
          (offsets[k] as number) + input.table.nrows,
        );
      });
      columns.push({ kind: "string", name: tagName, codes, levels });
    }
  }
  for (const name of names) {
    const parts = inputs.map((input) => (input.table.has(name) ? input.table.column(name) : undefined));
    const missingFrom = inputs.filter((_, k) => parts[k] === undefined).map((input) => input.file);
    if (missingFrom.length > 0) partial.push({ column: name, missingFrom });
    const textIn = inputs.filter((_, k) => parts[k]?.kind === "string").map((input) => input.file);
    const anyNumber = parts.some((p) => p?.kind === "number");
    if (textIn.length === 0) {
      const values = new Float64Array(total).fill(Number.NaN);
      parts.forEach((p, k) => {
        if (p?.kind === "number") values.set(p.values, offsets[k] as number);
      });
      columns.push({ kind: "number", name, values });
      continue;
    }
    if (anyNumber) mixed.push({ column: name, textIn });
    const levels: string[] = [];
    const index = new Map<string, number>();
    const intern = (s: string): number => {
      let c = index.get(s);
      if (c === undefined) {
        c = levels.length;
        levels.push(s);
        index.set(s, c);
      }
      return c;
    };
    const codes = new Int32Array(total).fill(MISSING_CODE);
    parts.forEach((p, k) => {
      if (p === undefined) return;
      const base = offsets[k] as number;
      if (p.kind === "string") {
        const remap = p.levels.map(intern);
        for (let i = 0; i < p.codes.length; i++) {
          const c = p.codes[i] as number;
          codes[base + i] = c === MISSING_CODE ? MISSING_CODE : (remap[c] as number);
        }
      } else {
        for (let i = 0; i < p.values.length; i++) {
          const v = p.values[i] as number;
          codes[base + i] = Number.isNaN(v) ? MISSING_CODE : intern(numberText(v));
        }
      }
    });
    columns.push({ kind: "string", name, codes, levels });
  }
  const table = new Table(
    columns,
    total,
    inputs.length === 1 ? (inputs[0] as StackInput).file : `${inputs.length} files`,
  );
  return {
    table,
    report: {
      files: inputs.map((input) => ({
        file: input.file,
        rows: input.table.nrows,
        columns: input.table.columns.length,
        ...(tagName !== undefined ? { tag: input.tag ?? tagFromName(input.file) } : {}),
      })),
      rows: total,
      columns: columns.length,
      partial,
      mixed,
      ...(tagName !== undefined ? { tag: tagName } : {}),
    },
  };
}

/** The report as text lines (for stderr and data_report.txt). */
export function formatStackReport(report: StackReport): string {
  const lines = [
    `stack: ${report.files.length} files -> ${report.rows} rows, ${report.columns} columns${report.tag ? ` (tag column '${report.tag}')` : ""}`,
  ];
  for (const f of report.files) {
    lines.push(
      `  ${f.file}: ${f.rows} rows, ${f.columns} columns${f.tag !== undefined ? `, ${report.tag} = ${f.tag}` : ""}`,
    );
  }
  if (report.partial.length > 0) {
    lines.push(`  ${report.partial.length} column(s) present in some files only (missing elsewhere):`);
    for (const p of report.partial.slice(0, 20)) {
      const files =
        p.missingFrom.length <= 3
          ? p.missingFrom.join(", ")
          : `${p.missingFrom.slice(0, 3).join(", ")} and ${p.missingFrom.length - 3} more`;
      lines.push(`    ${p.column}: not in ${files}`);
    }
    if (report.partial.length > 20) lines.push(`    ... and ${report.partial.length - 20} more`);
  }
  for (const m of report.mixed) {
    lines.push(
      `  note: '${m.column}' is text in ${m.textIn.length} file(s) (e.g. ${m.textIn[0]}) and numbers elsewhere: made text (force with types)`,
    );
  }
  return `${lines.join("\n")}\n`;
}
