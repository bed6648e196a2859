/**
 * Reading only the columns a command needs: every name an option gives is checked against the file's header
 * first (a one-line usage error naming the option), then the CSV is streamed with just those columns.
 */
import { readCsv } from "../data/csv.js";
import type { Table } from "../data/table.js";
import { usageError } from "../errors.js";
import { parseListOption, parseTypesOption } from "./options.js";

/** Option name (as the user typed it) and the column names it refers to. */
export type NamedColumns = readonly (readonly [string, readonly string[]])[];

export async function readNamedColumns(
  data: string,
  header: readonly string[],
  named: NamedColumns,
  opts: { missing?: string; types?: string },
  alreadyChecked: ReadonlySet<string> = new Set(),
): Promise<Table> {
  const needed = new Set(alreadyChecked);
  for (const [option, names] of named) {
    for (const name of names) {
      if (!header.includes(name)) throw usageError(`${option}: no column '${name}' in ${data}`);
      needed.add(name);
    }
  }
  return readCsv(data, {
    columns: header.filter((h) => needed.has(h)),
    missing: parseListOption(opts.missing),
    types: parseTypesOption(opts.types),
  });
}
