/**
 * `mobility aggregate <file> --by county --sum TOTALEXP,V33 --mean x --weight w`: one row per group, groups in
 * sorted key order (see src/data/ops/aggregate.ts for the conventions).
 */
import type { Command } from "commander";
import { aggregateTable } from "../data/ops/aggregate.js";
import { formatReport, getReader } from "../data/readers/index.js";
import { usageError } from "../errors.js";
import { readerOptionsFrom, writeTableOutput } from "./ingest.js";
import { parseListOption } from "./options.js";
import { installProgress } from "./progress.js";

export function registerAggregate(program: Command): void {
  program
    .command("aggregate")
    .description("collapse to one row per group: sums, (weighted) means, ratios of sums, counts")
    .argument("<file>", "input file")
    .requiredOption("--by <list>", "group columns (comma-separated)")
    .option("--sum <list>", "columns to sum (name=column to rename)")
    .option("--mean <list>", "columns to average (name=column to rename)")
    .option("--ratio <list>", "ratios of sums, e.g. ppe=TOTALEXP/V33")
    .option("--weight <column>", "weight for --mean")
    .option("--count", "add n, the number of rows per group")
    .option("--reader <kind>", "dataset reader for the file (default: plain CSV)", "csv")
    .option("--per-pupil", "pass --per-pupil to the reader (f33, states)")
    .option("--fips-vintage <year>", "pass --fips-vintage to the readers (f33)")
    .option("--long", "pass --long to the reader (atlas)")
    .option("--out <file>", "write here (atomically) instead of stdout")
    .option("--format <format>", "csv or json", "csv")
    .option("--quiet", "no progress bar while reading")
    .action(async (file: string, opts: Record<string, unknown>) => {
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
      const { table, report } = await getReader(String(opts.reader))(file, readerOptionsFrom(opts));
      if (opts.reader !== "csv") process.stderr.write(formatReport(report));
      const out = aggregateTable(table, {
        by,
        ...(sum !== undefined ? { sum } : {}),
        ...(mean !== undefined ? { mean } : {}),
        ...(ratio !== undefined ? { ratio } : {}),
        ...(typeof opts.weight === "string" ? { weight: opts.weight } : {}),
        count: opts.count === true,
      });
      process.stderr.write(`aggregate: ${table.nrows} rows -> ${out.nrows} groups by ${by.join(", ")}\n`);
      writeTableOutput(out, {
        ...(typeof opts.out === "string" ? { out: opts.out } : {}),
        ...(typeof opts.format === "string" ? { format: opts.format } : {}),
      });
    });
}
