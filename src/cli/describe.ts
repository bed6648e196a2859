/** `mobility describe <file>`: columns, types, missing counts and summary statistics. */
import type { Command } from "commander";
import { readCsv } from "../data/csv.js";
import { describeTable, formatDescription } from "../data/describe.js";
import { parseListOption, parseTypesOption } from "./options.js";
import { installProgress } from "./progress.js";

export function registerDescribe(program: Command): void {
  program
    .command("describe")
    .description("list columns with type, missing count and summary statistics")
    .argument("<file>", "CSV file")
    .option("--columns <list>", "only these columns (comma-separated)")
    .option("--missing <list>", "extra tokens meaning missing (besides empty, NA and .)")
    .option("--types <list>", "force column types, e.g. fips:string,year:number")
    .option("--format <format>", "text or json", "text")
    .option("--quiet", "no progress bar while reading")
    .action(async (file: string, opts: Record<string, string | undefined>) => {
      installProgress(opts);
      const table = await readCsv(file, {
        columns: parseListOption(opts.columns),
        missing: parseListOption(opts.missing),
        types: parseTypesOption(opts.types),
      });
      const description = describeTable(table);
      process.stdout.write(
        opts.format === "json" ? `${JSON.stringify(description, null, 2)}\n` : formatDescription(description),
      );
    });
}
