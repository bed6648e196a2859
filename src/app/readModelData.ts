/**
 * Reading the data of a regression: a plain CSV is read column by column after every name the request uses is
 * checked against the header (an unknown formula variable points into the formula before any row is read); a
 * dataset reader (atlas, f33, ...) reads and normalises the whole file first.
 */
import type { ColumnType } from "../data/columnBuilder.js";
import { readCsv } from "../data/csv.js";
import { readCsvHeader } from "../data/csvHeader.js";
import type { ReaderOptions } from "../data/readers/index.js";
import type { Table } from "../data/table.js";
import { usageError } from "../errors.js";
import { formulaVariables, unknownInFormula } from "../formula/variables.js";
import { type RegressionRequest, requestColumns } from "./regression.js";

export interface DataOptions {
  /** Dataset reader kind (default: plain CSV). */
  reader?: string | undefined;
  readerOptions?: ReaderOptions | undefined;
  /** Extra tokens meaning missing. */
  missing?: readonly string[] | undefined;
  /** Forced column types. */
  types?: Record<string, ColumnType> | undefined;
}

export interface ModelData {
  table: Table;
  /** The dataset reader's report (what it read, rejected, normalised), for stderr. */
  readerReport: string | null;
}

export async function readModelData(
  path: string,
  request: Pick<RegressionRequest, "formulas" | "covariance" | "weights" | "by" | "offset">,
  options: DataOptions = {},
): Promise<ModelData> {
  const kind = options.reader ?? "csv";
  // Dataset readers (and their layout schemas) load only when one is asked for.
  const readers = kind === "csv" ? null : await import("../data/readers/index.js");
  const prepared = readers === null ? null : await readers.getReader(kind)(path, options.readerOptions ?? {});
  const header = prepared ? prepared.table.names : await readCsvHeader(path);
  const columns = requestColumns(request);
  for (const formula of request.formulas) {
    for (const name of formulaVariables(formula)) {
      if (!header.includes(name)) throw unknownInFormula(formula, name, path, header);
    }
  }
  const needed = new Set(columns.formula);
  for (const [role, names] of columns.options) {
    for (const name of names) {
      if (!header.includes(name)) throw usageError(`${role}: no column '${name}' in ${path}`);
      needed.add(name);
    }
  }
  const table = prepared
    ? prepared.table
    : await readCsv(path, {
        columns: header.filter((h) => needed.has(h)),
        missing: options.missing ? [...options.missing] : undefined,
        types: options.types,
      });
  return { table, readerReport: prepared && readers ? readers.formatReport(prepared.report) : null };
}
