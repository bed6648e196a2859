/** `mobility describe <file>`: columns, types, missing counts and summary statistics. */
import type { Command } from "commander";
import { readCsv } from "../data/csv.js";
import { describeTable, formatDescription } from "../data/describe.js";
import { columnsOfExpression } from "../data/expression/index.js";
import { formatReport, getReader } from "../data/readers/index.js";
import { Table } from "../data/table.js";
import { formatList } from "../report/formats.js";
import { addDescribeByOptions, describeByColumns, describeByGroup } from "./describeBy.js";
import { addFileFormatOptions, addSubsetOption, applySubset, fileFormatOptionsFrom } from "./fileOptions.js";
import { readerOptionsFrom } from "./ingest.js";
import { parseListOption, parseTypesOption } from "./options.js";
import { installProgress } from "./progress.js";

export function registerDescribe(program: Command): void {
  const command = program
    .command("describe")
    .description("list columns with type, missing count and summary statistics")
    .argument(
      "<file>",
      "data file: CSV/TSV, Stata .dta, Excel .xlsx/.xls, Parquet, .gz/.zst, or - for standard input",
    )
    .option("--columns <list>", "only these columns (comma-separated)")
    .option("--missing <list>", "extra tokens meaning missing (besides empty, NA and .)")
    .option("--types <list>", "force column types, e.g. fips:string,year:number")
    .option("--format <format>", `text or json; with --by any table format (${formatList()})`)
    .option("--reader <kind>", "read the file with a dataset reader (atlas, f33, tea, states, ...)")
    .option("--long", "with --reader atlas: the long kfr table")
    .option("--quiet", "no progress bar while reading");
  addSubsetOption(addFileFormatOptions(addDescribeByOptions(command))).action(
    async (file: string, opts: Record<string, string | boolean | undefined>) => {
      installProgress(opts);
      const str = (v: string | boolean | undefined) => (typeof v === "string" ? v : undefined);
      let table: Table;
      if (opts.reader !== undefined && opts.reader !== "csv") {
        const result = await getReader(String(opts.reader))(file, readerOptionsFrom(opts));
        if (!opts.quiet) process.stderr.write(formatReport(result.report));
        table = result.table;
      } else {
        const notes: string[] = [];
        // With --by the grouping column is read too.
        const columns = describeByColumns(opts);
        const subsetColumns =
          typeof opts.subset === "string" && columns !== undefined ? columnsOfExpression(opts.subset) : [];
        table = await readCsv(file, {
          columns:
            columns === undefined
              ? undefined
              : [...columns, ...subsetColumns.filter((c) => !columns.includes(c))],
          missing: parseListOption(str(opts.missing)),
          types: parseTypesOption(str(opts.types)),
          ...fileFormatOptionsFrom(opts),
          onNote: (note) => notes.push(note),
        });
        if (!opts.quiet) for (const note of notes) process.stderr.write(`${table.source}: ${note}\n`);
        // Columns the condition needs were read too; describe only the ones asked for.
        const subset = applySubset(table, opts);
        table =
          columns === undefined
            ? subset
            : new Table(
                columns.map((c) => subset.column(c)),
                subset.nrows,
                subset.source,
              );
      }
      if (opts.reader !== undefined && opts.reader !== "csv") table = applySubset(table, opts);
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
