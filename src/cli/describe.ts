/** `mobility describe <file>`: columns, types, missing counts and summary statistics. */
import type { Command } from "commander";
import { readCsv } from "../data/csv.js";
import { describeTable, formatDescription } from "../data/describe.js";
import { formatReport, getReader } from "../data/readers/index.js";
import type { Table } from "../data/table.js";
import { formatList } from "../report/formats.js";
import { addDescribeByOptions, describeByColumns, describeByGroup } from "./describeBy.js";
import { readerOptionsFrom } from "./ingest.js";
import { parseListOption, parseTypesOption } from "./options.js";
import { installProgress } from "./progress.js";

export function registerDescribe(program: Command): void {
  const command = program
    .command("describe")
    .description("list columns with type, missing count and summary statistics")
    .argument("<file>", "CSV file")
    .option("--columns <list>", "only these columns (comma-separated)")
    .option("--missing <list>", "extra tokens meaning missing (besides empty, NA and .)")
    .option("--types <list>", "force column types, e.g. fips:string,year:number")
    .option("--format <format>", `text or json; with --by any table format (${formatList()})`)
    .option("--reader <kind>", "read the file with a dataset reader (atlas, f33, tea, states, ...)")
    .option("--long", "with --reader atlas: the long kfr table")
    .option("--quiet", "no progress bar while reading");
  addDescribeByOptions(command).action(
    async (file: string, opts: Record<string, string | boolean | undefined>) => {
      installProgress(opts);
      const str = (v: string | boolean | undefined) => (typeof v === "string" ? v : undefined);
      let table: Table;
      if (opts.reader !== undefined && opts.reader !== "csv") {
        const result = await getReader(String(opts.reader))(file, readerOptionsFrom(opts));
        if (!opts.quiet) process.stderr.write(formatReport(result.report));
        table = result.table;
      } else {
        table = await readCsv(file, {
          columns: describeByColumns(opts),
          missing: parseListOption(str(opts.missing)),
          types: parseTypesOption(str(opts.types)),
        });
      }
      if (opts.by !== undefined) {
        process.stdout.write(describeByGroup(table, opts));
        return;
      }
      const description = describeTable(table);
      process.stdout.write(
        opts.format === "json" ? `${JSON.stringify(description, null, 2)}\n` : formatDescription(description),
      );
    },
  );
}
