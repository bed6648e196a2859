/**
 * `mobility ingest <kind> <file>`: reads a dataset with its dedicated reader (ids normalised, masking codes
 * applied, optional reshapes), prints the reader's report to stderr, and writes the table as CSV or JSON to
 * --out (atomically) or stdout.
 */
import type { Command } from "commander";
import type { ReaderOptions } from "../data/readers/index.js";
import { formatReport, getReader, READER_KINDS } from "../data/readers/index.js";
import { ReaderOptionsSchema } from "../data/readers/options.js";
import type { Table } from "../data/table.js";
import { tableToCsvChunks, tableToJsonChunks, writeCsv, writeJson } from "../data/writeCsv.js";
import { usageError } from "../errors.js";
import { addFileFormatOptions, addSubsetOption, applySubset, fileFormatOptionsFrom } from "./fileOptions.js";
import { installProgress } from "./progress.js";

export interface OutputOptions {
  out?: string;
  format?: string;
}

/** Writes `table` to opts.out (atomically) or stdout, as CSV (default) or JSON. */
export function writeTableOutput(table: Table, opts: OutputOptions): void {
  const format = opts.format ?? "csv";
  if (format !== "csv" && format !== "json")
    throw usageError(`--format: expected csv or json, found '${format}'`);
  if (opts.out !== undefined) {
    if (format === "csv") writeCsv(table, opts.out);
    else writeJson(table, opts.out);
    return;
  }
  const emit = (chunk: string) => {
    process.stdout.write(chunk);
  };
  if (format === "csv") tableToCsvChunks(table, emit);
  else tableToJsonChunks(table, emit);
}

/** The one description of --fips-vintage (every command that takes it). */
export const FIPS_VINTAGE_HELP =
  "f33: update county codes to this vintage: a year, or 'atlas' (= 2015, the Opportunity Atlas county file's vintage)";

/** The command line's reader flags, checked by the one schema spec files use too (src/data/readers/options.ts). */
export function readerOptionsFrom(opts: Record<string, unknown>): ReaderOptions {
  const raw: Record<string, unknown> = {};
  if (opts.long === true) raw.long = true;
  if (opts.perPupil === true) raw.perPupil = true;
  if (opts.dollarsIn !== undefined) raw.dollarsIn = opts.dollarsIn;
  if (opts.fipsVintage !== undefined)
    raw.fipsVintage = opts.fipsVintage === "atlas" ? "atlas" : Number(opts.fipsVintage);
  if (typeof opts.from === "string") raw.from = opts.from;
  if (typeof opts.to === "string") raw.to = opts.to;
  const parsed = ReaderOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? "");
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw usageError(`${flag}: ${issue?.message ?? "invalid value"}, found '${String(opts[key])}'`);
  }
  const options: ReaderOptions = parsed.data;
  const format = fileFormatOptionsFrom(opts);
  if (Object.keys(format).length > 0) options.format = format;
  return options;
}

export function registerIngest(program: Command): void {
  const command = program
    .command("ingest")
    .description("read a known dataset (ids normalised, masking codes applied) and write it as CSV or JSON")
    .argument("<kind>", `dataset reader: ${READER_KINDS.join(", ")}`)
    .argument("<file>", "input file")
    .option("--long", "atlas: one row per county x race x gender x percentile")
    .option("--per-pupil", "f33/states: add ppe_total, rev_per_pupil, local_share")
    .option("--dollars-in <unit>", "f33: money columns in the file are in units or thousands of dollars")
    .option("--fips-vintage <year>", FIPS_VINTAGE_HELP)
    .option("--from <column>", "crosswalk: the id column to map from")
    .option("--to <column>", "crosswalk: the id column to map to")
    .option("--out <file>", "write here (atomically) instead of stdout")
    .option("--format <format>", "csv or json", "csv")
    .option("--quiet", "no progress bar while reading");
  addSubsetOption(addFileFormatOptions(command)).action(
    async (kind: string, file: string, opts: Record<string, unknown>) => {
      installProgress(opts);
      const reader = getReader(kind);
      const { table: read, report } = await reader(file, readerOptionsFrom(opts));
      process.stderr.write(formatReport(report));
      const table = applySubset(read, opts);
      writeTableOutput(table, {
        ...(typeof opts.out === "string" ? { out: opts.out } : {}),
        ...(typeof opts.format === "string" ? { format: opts.format } : {}),
      });
    },
  );
}
