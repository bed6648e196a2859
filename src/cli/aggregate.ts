/**
 * `mobility aggregate <file> --by county --sum TOTALEXP,V33 --mean x --weight w`: one row per group, groups in
 * sorted key order (see src/data/ops/aggregate.ts for the conventions).
 */
import type { Command } from "commander";
import { aggregateWithReport, formatAggregateReport } from "../data/ops/aggregate.js";
import { formatReport, getReader } from "../data/readers/index.js";
import { usageError } from "../errors.js";
import { addFileFormatOptions, addSubsetOption, applySubset } from "./fileOptions.js";
import { FIPS_VINTAGE_HELP, readerOptionsFrom, writeTableOutput } from "./ingest.js";
import { parseListOption } from "./options.js";
import { installProgress } from "./progress.js";

export function registerAggregate(program: Command): void {
  const command = program
    .command("aggregate")
    .description("collapse to one row per group: sums, (weighted) means, ratios of sums, counts")
    .argument("<file>", "input file")
    .requiredOption("--by <list>", "group columns (comma-separated)")
    .option("--sum <list>", "columns to sum (name=column to rename)")
    .option("--mean <list>", "columns to average (name=column to rename)")
    .option(
      "--ratio <list>",
      "ratios of sums, e.g. ppe=TOTALEXP/V33; with ratios a row is used (by every output column) only if each ratio has its numerator and a positive denominator",
    )
    .option("--weight <column>", "weight for --mean")
    .option("--count", "add n, the number of rows per group")
    .option("--reader <kind>", "dataset reader for the file (default: plain CSV)", "csv")
    .option("--per-pupil", "pass --per-pupil to the reader (f33, states)")
    .option("--fips-vintage <year>", FIPS_VINTAGE_HELP)
    .option("--long", "pass --long to the reader (atlas)")
    .option("--out <file>", "write here (atomically) instead of stdout")
    .option("--format <format>", "csv or json", "csv")
    .option("--quiet", "no progress bar while reading");
  addSubsetOption(addFileFormatOptions(command)).action(
    async (file: string, opts: Record<string, unknown>) => {
      installProgress(opts);
      const by = parseListOption(String(opts.by)) ?? [];
      const sum = parseListOption(opts.sum as string | undefined);
      const mean = parseListOption(opts.mean as string | undefined);
      const ratio = parseListOption(opts.ratio as string | undefined);
      if (sum === undefined && mean === undefined && ratio === undefined && opts.count !== true) {
        throw usageError("aggregate: nothing to compute; give --sum, --mean, --ratio or --count");
      }
      if (opts.weight !== undefined && mean === undefined)
        throw usageError("aggregate: --weight applies to --mean only");
      const { table: read, report } = await getReader(String(opts.reader))(file, readerOptionsFrom(opts));
      if (opts.reader !== "csv") process.stderr.write(formatReport(report));
      const table = applySubset(read, opts);
      const { table: out, report: aggregated } = aggregateWithReport(table, {
        by,
        ...(sum !== undefined ? { sum } : {}),
        ...(mean !== undefined ? { mean } : {}),
        ...(ratio !== undefined ? { ratio } : {}),
        ...(typeof opts.weight === "string" ? { weight: opts.weight } : {}),
        count: opts.count === true,
      });
      process.stderr.write(formatAggregateReport(aggregated, by));
      writeTableOutput(out, {
        ...(typeof opts.out === "string" ? { out: opts.out } : {}),
        ...(typeof opts.format === "string" ? { format: opts.format } : {}),
      });
    },
  );
}
