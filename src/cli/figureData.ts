/**
 * Reading the data of a figure command (map, binscatter): a plain CSV restricted to the columns the options name
 * (each checked against the header, so a typo is a one-line usage error naming the option), or a raw public file
 * through its dataset reader (`--reader atlas`, `f33`, ...), whose report goes to stderr.
 */
import type { Command } from "commander";
import { readCsvHeader } from "../data/csvHeader.js";
import { formatReport, getReader } from "../data/readers/index.js";
import type { Table } from "../data/table.js";
import { usageError } from "../errors.js";
import { variablesOf } from "../formula/evaluate.js";
import { parseExpression, parseFormula } from "../formula/parser.js";
import { readerOptionsFrom } from "./ingest.js";
import { parseListOption, parseTypesOption } from "./options.js";
import { readNamedColumns } from "./readColumns.js";

export interface FigureDataOptions {
  reader?: string;
  long?: boolean;
  perPupil?: boolean;
  fipsVintage?: string;
  missing?: string;
  types?: string;
  quiet?: boolean;
}

/** The options every figure command that reads a data file takes. */
export function addDataOptions(command: Command): Command {
  return command
    .option(
      "--reader <kind>",
      "read the file with a dataset reader (atlas, f33, states, ...; default: plain CSV)",
    )
    .option("--long", "with --reader atlas: reshape kfr_<race>_<gender>_p<pct> into long rows")
    .option("--per-pupil", "with --reader f33/states: derive per-pupil measures")
    .option("--fips-vintage <year>", "with --reader f33: bring county codes to this vintage")
    .option("--missing <tokens>", "extra tokens meaning missing (besides empty, NA and .)")
    .option("--types <list>", "force column types, e.g. fips:string")
    .option("--quiet", "no reader report on stderr");
}

/** Column names an expression (`log(ppe)`) or a formula right-hand side (`a + log(b)`) reads. */
export function expressionColumns(text: string, option: string): string[] {
  try {
    return [...variablesOf(parseExpression(text))];
  } catch (error) {
    throw usageError(`${option}: ${(error as Error).message}`);
  }
}

export function formulaColumns(rhs: string, option: string, part: "terms" | "fixed"): string[] {
  try {
    const f = parseFormula(part === "terms" ? `y ~ ${rhs}` : `y ~ 1 | ${rhs}`);
    const out = new Set<string>();
    if (part === "terms") for (const t of f.terms) for (const factor of t.factors) variablesOf(factor, out);
    else for (const fe of f.fixedEffects) for (const v of [...fe.variables, ...fe.slopes]) out.add(v);
    return [...out];
  } catch (error) {
    throw usageError(`${option}: ${(error as Error).message}`);
  }
}

/**
 * Reads `data` with only the named columns (each [option, names] pair is checked against the header); `text`
 * columns are read as text whatever they look like (ids such as FIPS codes keep their leading zeros).
 */
export async function readFigureData(
  data: string,
  named: readonly (readonly [string, readonly string[]])[],
  opts: FigureDataOptions,
  text: readonly string[] = [],
): Promise<Table> {
  const kind = opts.reader ?? "csv";
  if (kind !== "csv") {
    const prepared = await getReader(kind)(
      data,
      readerOptionsFrom(opts as unknown as Record<string, unknown>),
    );
    if (!opts.quiet) process.stderr.write(formatReport(prepared.report));
    for (const [option, names] of named) {
      for (const name of names) {
        if (!prepared.table.has(name)) {
          throw usageError(`${option}: no column '${name}' in ${data} as the ${kind} reader reads it`);
        }
      }
    }
    return prepared.table;
  }
  const header = await readCsvHeader(data);
  const types = {
    ...Object.fromEntries(text.map((c) => [c, "string" as const])),
    ...parseTypesOption(opts.types),
  };
  const typesText = Object.entries(types)
    .map(([c, t]) => `${c}:${t}`)
    .join(",");
  return readNamedColumns(data, header, named, {
    ...(opts.missing ? { missing: opts.missing } : {}),
    ...(typesText ? { types: typesText } : {}),
  });
}

export { parseListOption };
