/**
 * `mobility describe <file> --by group`: a summary-statistics and balance table (src/report/summaryTable.ts) in any
 * format of the report registry. Kept apart from describe.ts so that command only branches here.
 */
import type { Command } from "commander";
import type { Table } from "../data/table.js";
import { findFormat } from "../report/formats.js";
import { balanceDocument } from "../report/summaryTable.js";
import { parseListOption } from "./options.js";
import { parseLabels } from "./tableOptions.js";

export interface DescribeByOptions {
  by?: string;
  reference?: string;
  columns?: string;
  format?: string;
  digits?: string;
  labels?: string[];
  title?: string;
  fragment?: boolean;
  siunitx?: boolean;
  thousands?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The options of the balance table. */
export function addDescribeByOptions(command: Command): Command {
  return command
    .option("--by <column>", "a balance table: means and SDs per group and differences with Welch SEs")
    .option("--reference <group>", "with --by: the group the others are compared with (default: the first)")
    .option("--digits <n>", "with --by: decimals (default 3)")
    .option(
      "--labels <file|pairs>",
      'with --by: display names, "name=label,..." or a .json/.csv file',
      collect,
      [],
    )
    .option("--title <text>", "with --by: table title (LaTeX caption)")
    .option("--fragment", "with --by and LaTeX: only the table, for \\input{}")
    .option("--siunitx", "with --by and LaTeX: siunitx decimal alignment")
    .option("--no-thousands", "with --by: no thousands separators in counts");
}

/** The columns to read: those asked for, plus the grouping column. */
export function describeByColumns(opts: DescribeByOptions): string[] | undefined {
  const columns = parseListOption(opts.columns);
  if (columns === undefined || opts.by === undefined || columns.includes(opts.by)) return columns;
  return [...columns, opts.by];
}

/** The balance table of `table` in the format asked for (text by default). */
export function describeByGroup(table: Table, opts: DescribeByOptions): string {
  const digits = opts.digits === undefined ? 3 : Number(opts.digits);
  const format = findFormat(opts.format ?? "text");
  const doc = balanceDocument(table, {
    by: opts.by as string,
    ...(opts.columns !== undefined
      ? { columns: (parseListOption(opts.columns) ?? []).filter((c) => c !== opts.by) }
      : {}),
    ...(opts.reference !== undefined ? { reference: opts.reference } : {}),
    digits: Number.isInteger(digits) && digits >= 0 && digits <= 12 ? digits : 3,
    labels: parseLabels(opts.labels ?? []),
    thousands: opts.thousands !== false,
    ...(opts.title !== undefined ? { title: opts.title } : {}),
  });
  return format.write(doc, { latex: { fragment: opts.fragment === true, siunitx: opts.siunitx === true } });
}
