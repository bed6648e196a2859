/**
 * Options shared by the commands that read data files: how to read workbooks and Stata files (--sheet, --skip,
 * --value-labels) and the row condition --subset. `regress` and `eventstudy` take the same through
 * addFileFormatOptions / fileFormatOptionsFrom and addSubsetOption / applySubset.
 */
import type { Command } from "commander";
import { filterRows } from "../data/expression/index.js";
import type { FileFormatOptions } from "../data/readers/index.js";
import type { Table } from "../data/table.js";
import { usageError } from "../errors.js";

export function addFileFormatOptions(command: Command): Command {
  return command
    .option("--sheet <name>", "Excel: the sheet, by name or 1-based position (default: the first)")
    .option(
      "--skip <rows>",
      "Excel: rows to skip before the header row (empty rows after them are skipped too)",
    )
    .option(
      "--value-labels <mode>",
      "Stata: labelled values as text (labels), numbers (codes), or labels where every value has one (auto, default)",
    );
}

export function fileFormatOptionsFrom(opts: Record<string, unknown>): FileFormatOptions {
  const out: FileFormatOptions = {};
  if (typeof opts.sheet === "string") out.sheet = /^\d+$/.test(opts.sheet) ? Number(opts.sheet) : opts.sheet;
  if (opts.skip !== undefined) {
    const skip = Number(opts.skip);
    if (!Number.isInteger(skip) || skip < 0)
      throw usageError(`--skip: expected a whole number of rows, found '${String(opts.skip)}'`);
    out.skip = skip;
  }
  if (opts.valueLabels !== undefined) {
    const mode = String(opts.valueLabels);
    if (mode !== "auto" && mode !== "labels" && mode !== "codes") {
      throw usageError(`--value-labels: expected auto, labels or codes, found '${mode}'`);
    }
    out.valueLabels = mode;
  }
  return out;
}

export function addSubsetOption(command: Command): Command {
  return command.option(
    "--subset <condition>",
    'keep only rows where this R-style condition is TRUE (e.g. "year >= 1995 & !is.na(V33)"); rows where it is FALSE or NA are dropped',
  );
}

/** Applies --subset if given; the count removed goes to stderr (unless quiet). */
export function applySubset(table: Table, opts: Record<string, unknown>): Table {
  if (typeof opts.subset !== "string") return table;
  const result = filterRows(table, opts.subset, "--subset");
  if (opts.quiet !== true) {
    const undecided = result.undecided > 0 ? ` (${result.undecided} where it is NA)` : "";
    process.stderr.write(
      `--subset ${opts.subset}: ${table.nrows} -> ${result.table.nrows} rows${undecided}\n`,
    );
    for (const note of result.notes) process.stderr.write(`  note: ${note}\n`);
  }
  return result.table;
}
