/**
 * `mobility stack <files...>`: reads several files (a list and/or glob patterns) with one reader, stacks them
 * with columns aligned by name, tags each file's rows (--tag, from the file name with --tag-pattern or given
 * with --tags), prints the stacking report (rows per file, columns present in some files only) to stderr and
 * writes the table (see src/data/ops/stack.ts for the conventions).
 */
import type { Command } from "commander";
import { formatStackReport } from "../data/ops/stack.js";
import { formatReport, READER_KINDS } from "../data/readers/index.js";
import { readStack } from "../data/stackFiles.js";
import { addFileFormatOptions, addSubsetOption, applySubset, fileFormatOptionsFrom } from "./fileOptions.js";
import { FIPS_VINTAGE_HELP, readerOptionsFrom, writeTableOutput } from "./ingest.js";
import { parseListOption, parseTypesOption } from "./options.js";
import { installProgress } from "./progress.js";

export function registerStack(program: Command): void {
  const command = program
    .command("stack")
    .description(
      "stack several files (a list or globs) into one table, columns aligned by name, rows tagged by file",
    )
    .argument("<files...>", "files or quoted glob patterns ('data/f*.csv'), in order")
    .option("--tag <column>", "add this column holding each file's tag (default tag: the file's base name)")
    .option(
      "--tag-pattern <regex>",
      "take the tag from the file name: the regex's 'tag' group, else its first group",
    )
    .option("--tags <list>", "the tags, one per file in order (comma-separated)")
    .option(
      "--reader <kind>",
      `dataset reader for every file: csv (default, any format), ${READER_KINDS.filter((k) => k !== "csv").join(", ")}`,
      "csv",
    )
    .option("--columns <list>", "only these columns (a file without one gets it missing; the report says so)")
    .option("--missing <list>", "csv: extra tokens meaning missing (besides empty, NA and .)")
    .option("--types <list>", "csv: force column types, e.g. DISTRICT:string")
    .option("--per-pupil", "pass --per-pupil to the reader (f33, states)")
    .option("--fips-vintage <year>", FIPS_VINTAGE_HELP)
    .option("--out <file>", "write here (atomically) instead of stdout")
    .option("--format <format>", "csv or json", "csv")
    .option("--quiet", "no progress bar while reading");
  addSubsetOption(addFileFormatOptions(command)).action(
    async (files: string[], opts: Record<string, unknown>) => {
      installProgress(opts);
      const tags = parseListOption(opts.tags as string | undefined);
      const reader = String(opts.reader);
      const format = fileFormatOptionsFrom(opts);
      const result = await readStack({
        files,
        ...(typeof opts.tag === "string" ? { tag: opts.tag } : tags !== undefined ? { tag: "tag" } : {}),
        ...(typeof opts.tagPattern === "string" ? { tagPattern: opts.tagPattern } : {}),
        ...(tags !== undefined ? { tags } : {}),
        reader,
        readerOptions: readerOptionsFrom(opts),
        ...(typeof opts.columns === "string" ? { columns: parseListOption(opts.columns) ?? [] } : {}),
        ...(typeof opts.missing === "string" ? { missing: parseListOption(opts.missing) ?? [] } : {}),
        ...(typeof opts.types === "string" ? { types: parseTypesOption(opts.types) ?? {} } : {}),
        ...(Object.keys(format).length > 0 ? { format } : {}),
      });
      for (const report of result.readerReports) process.stderr.write(formatReport(report));
      process.stderr.write(formatStackReport(result.report));
      const table = applySubset(result.table, opts);
      writeTableOutput(table, {
        ...(typeof opts.out === "string" ? { out: opts.out } : {}),
        ...(typeof opts.format === "string" ? { format: opts.format } : {}),
      });
    },
  );
}
