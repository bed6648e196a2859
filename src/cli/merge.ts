/**
 * `mobility merge <left> <right> --on a,b`: joins two files (each read with a dataset reader or as plain CSV),
 * prints a Stata-style report to stderr and writes the result.
 */
import type { Command } from "commander";
import {
  formatMergeReport,
  type MergeExpect,
  type MergeHow,
  type MissingKeys,
  mergeTables,
} from "../data/ops/merge.js";
import { formatReport, getReader } from "../data/readers/index.js";
import { usageError } from "../errors.js";
import { addFileFormatOptions } from "./fileOptions.js";
import { FIPS_VINTAGE_HELP, readerOptionsFrom, writeTableOutput } from "./ingest.js";
import { parseListOption } from "./options.js";
import { installProgress } from "./progress.js";

const HOWS: readonly MergeHow[] = ["inner", "left", "outer"];
const EXPECTS: readonly MergeExpect[] = ["1:1", "m:1", "1:m", "m:m"];

export function registerMerge(program: Command): void {
  const command = program
    .command("merge")
    .description("join two files on key columns, with a matched/unmatched report")
    .argument("<left>", "left file")
    .argument("<right>", "right file")
    .requiredOption("--on <list>", "key columns (comma-separated), present in both files")
    .option("--how <how>", "inner, left or outer", "inner")
    .option("--expect <kind>", "1:1, m:1, 1:m or m:m: fail if the keys are not unique as stated")
    .option("--suffixes <pair>", "rename clashing non-key columns, e.g. .x,.y")
    .option("--indicator", "add a _merge column (both, left_only, right_only)")
    .option(
      "--missing-keys <rule>",
      "never (default): a row with a missing key matches nothing; match: missing matches missing, as Stata's merge",
      "never",
    )
    .option("--left-reader <kind>", "dataset reader for the left file (default: plain CSV)", "csv")
    .option("--right-reader <kind>", "dataset reader for the right file (default: plain CSV)", "csv")
    .option("--per-pupil", "pass --per-pupil to the readers (f33, states)")
    .option("--fips-vintage <year>", FIPS_VINTAGE_HELP)
    .option("--long", "pass --long to the readers (atlas)")
    .option("--out <file>", "write here (atomically) instead of stdout")
    .option("--format <format>", "csv or json", "csv")
    .option("--quiet", "no progress bar while reading");
  addFileFormatOptions(command).action(
    async (leftFile: string, rightFile: string, opts: Record<string, unknown>) => {
      installProgress(opts);
      const how = String(opts.how);
      if (!HOWS.includes(how as MergeHow))
        throw usageError(`--how: expected inner, left or outer, found '${how}'`);
      const expect = opts.expect === undefined ? undefined : String(opts.expect);
      if (expect !== undefined && !EXPECTS.includes(expect as MergeExpect)) {
        throw usageError(`--expect: expected 1:1, m:1, 1:m or m:m, found '${expect}'`);
      }
      const on = parseListOption(String(opts.on)) ?? [];
      const missingKeys = String(opts.missingKeys);
      if (missingKeys !== "never" && missingKeys !== "match") {
        throw usageError(`--missing-keys: expected never or match, found '${missingKeys}'`);
      }
      let suffixes: [string, string] | undefined;
      if (typeof opts.suffixes === "string") {
        const parts = opts.suffixes.split(",");
        if (parts.length !== 2)
          throw usageError(`--suffixes: expected two suffixes like .x,.y, found '${opts.suffixes}'`);
        suffixes = [parts[0] as string, parts[1] as string];
      }
      const readerOptions = readerOptionsFrom(opts);
      const left = await getReader(String(opts.leftReader))(leftFile, readerOptions);
      const right = await getReader(String(opts.rightReader))(rightFile, readerOptions);
      if (opts.leftReader !== "csv") process.stderr.write(formatReport(left.report));
      if (opts.rightReader !== "csv") process.stderr.write(formatReport(right.report));
      const { table, report } = mergeTables(left.table, right.table, {
        on,
        how: how as MergeHow,
        ...(expect !== undefined ? { expect: expect as MergeExpect } : {}),
        ...(suffixes !== undefined ? { suffixes } : {}),
        indicator: opts.indicator === true,
        missingKeys: missingKeys as MissingKeys,
      });
      process.stderr.write(formatMergeReport(report));
      writeTableOutput(table, {
        ...(typeof opts.out === "string" ? { out: opts.out } : {}),
        ...(typeof opts.format === "string" ? { format: opts.format } : {}),
      });
    },
  );
}
