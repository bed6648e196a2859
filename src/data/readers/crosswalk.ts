/**
 * Crosswalks: the USDA ERS county -> 1990 commuting zone file (czlma903.csv, the source of the usual
 * cw_cty_czone) and a generic id-to-id mapping reader.
 *
 * czlma903 layout: "County FIPS Code" (5-digit text), CZ90, "County Name", Distance, "Population 1990", CZ80,
 * "Rural-urban Continuum Code 1993 (Beale Code)" ("." missing), "MSA 1993" ("0000" = not in an MSA),
 * "MSA Name", "State Place Code" (7 digits), "Name of largest place in Commuting Zone". 3141 counties of the
 * 1990 vintage (Dade 12025, Shannon 46113, Yellowstone NP 30113, ...); 741 CZs.
 *
 * Output names: fips, cz, county_name, distance, pop1990, cz80, beale1993, msa1993, msa_name, place_fips,
 * cz_largest_place. `cz` and `cz80` are numbers (CZ90 "07000" -> 7000), matching the Atlas and Chetty (2014)
 * files, which write CZ ids without leading zeros; msa1993 "0000" becomes missing.
 */
import { z } from "zod";
import { dataError } from "../../errors.js";
import { countyFips } from "../fips.js";
import { type Column, MISSING_CODE, numericColumn, stringAt, stringColumn, Table } from "../table.js";
import {
  lineOf,
  mapIds,
  type ReaderOptions,
  type ReaderResult,
  ReportBuilder,
  readWithLayout,
  renameColumns,
} from "./common.js";

export const CZLMA903_LAYOUT = z.object({
  "County FIPS Code": z.string().regex(/^\d{5}$/, "expected a 5-digit county FIPS code"),
  CZ90: z.string().regex(/^\d{1,5}$/, "expected a commuting zone id of up to 5 digits"),
  "County Name": z.string().nullable(),
  Distance: z.number().nullable().optional(),
  "Population 1990": z.number().int().min(0).nullable().optional(),
  CZ80: z
    .string()
    .regex(/^\d{1,5}$/)
    .nullable()
    .optional(),
  "Rural-urban Continuum Code 1993 (Beale Code)": z.number().int().nullable().optional(),
  "MSA 1993": z
    .string()
    .regex(/^\d{4}$/)
    .nullable()
    .optional(),
  "MSA Name": z.string().nullable().optional(),
  "State Place Code": z
    .string()
    .regex(/^\d{7}$/)
    .nullable()
    .optional(),
  "Name of largest place in Commuting Zone": z.string().nullable().optional(),
});

const CZLMA903_NAMES: Readonly<Record<string, string>> = {
  "County Name": "county_name",
  Distance: "distance",
  "Population 1990": "pop1990",
  "Rural-urban Continuum Code 1993 (Beale Code)": "beale1993",
  "MSA Name": "msa_name",
  "Name of largest place in Commuting Zone": "cz_largest_place",
};

function idNumber(column: Column, name: string): Column {
  if (column.kind === "number") return { kind: "number", name, values: column.values };
  const values = new Float64Array(column.codes.length);
  const parsed = column.levels.map((l) => Number(l));
  for (let i = 0; i < values.length; i++) {
    const c = column.codes[i] as number;
    values[i] = c === MISSING_CODE ? Number.NaN : (parsed[c] as number);
  }
  return numericColumn(name, values);
}

export async function readCzCrosswalk(path: string, _options: ReaderOptions = {}): Promise<ReaderResult> {
  const report = new ReportBuilder("cz-crosswalk", path);
  const { table } = await readWithLayout(path, CZLMA903_LAYOUT, { reader: "cz-crosswalk" });
  const n = table.nrows;
  const fips = mapIds(table.column("County FIPS Code"), "fips", (raw, row) =>
    countyFips(raw, { source: path, line: lineOf(row), column: "County FIPS Code" }),
  );
  const added: Column[] = [fips, idNumber(table.column("CZ90"), "cz")];
  if (table.has("CZ80")) added.push(idNumber(table.column("CZ80"), "cz80"));
  if (table.has("MSA 1993")) {
    added.push(mapIds(table.column("MSA 1993"), "msa1993", (raw) => (raw === "0000" ? undefined : raw)));
  }
  if (table.has("State Place Code"))
    added.push(mapIds(table.column("State Place Code"), "place_fips", (r) => r));
  const consumed = new Set(["County FIPS Code", "CZ90", "CZ80", "MSA 1993", "State Place Code"]);
  const rest = renameColumns(table, CZLMA903_NAMES).filter((c) => !consumed.has(c.name));
  const out = new Table([...added, ...rest], n, path);
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const f = stringAt(fips, i) as string;
    if (seen.has(f))
      throw dataError(`${path} line ${lineOf(i)}, column 'County FIPS Code': county ${f} appears twice`);
    seen.add(f);
  }
  const czs = new Set<number>();
  for (const v of (added[1] as { values: Float64Array }).values) czs.add(v);
  report.note(
    `${n} counties (1990 vintage) in ${czs.size} commuting zones; cz and cz80 as numbers (07000 -> 7000)`,
  );
  report.note("msa1993 '0000' (not in an MSA) set missing; columns renamed to snake_case");
  return { table: out, report: report.finish(n, n) };
}

/**
 * A generic id -> id mapping from any CSV with columns `from` and `to` (options.from / options.to). Both read
 * as text (so leading zeros survive; numbers written "1001.0" become "1001"). Rows with either id missing are
 * dropped; exact duplicate pairs are dropped; a `from` id mapped to two different `to` ids is a data error,
 * since a mapping must be a function.
 */
export async function readIdMap(path: string, options: ReaderOptions = {}): Promise<ReaderResult> {
  const from = options.from;
  const to = options.to;
  if (from === undefined || to === undefined || from === to) {
    throw dataError(
      "crosswalk reader: give two different id columns, e.g. --from 'County FIPS Code' --to CZ90",
    );
  }
  const report = new ReportBuilder("crosswalk", path);
  const layout = z.object({ [from]: z.string().nullable(), [to]: z.string().nullable() });
  const { table } = await readWithLayout(path, layout, { reader: "crosswalk" });
  const clean = (raw: string) => raw.trim().replace(/^(\d+)\.0*$/, "$1");
  const a = mapIds(table.column(from), from, clean);
  const b = mapIds(table.column(to), to, clean);
  const mapped = new Map<string, string>();
  const keptFrom: string[] = [];
  const keptTo: string[] = [];
  let missing = 0;
  let duplicates = 0;
  for (let i = 0; i < table.nrows; i++) {
    const x = stringAt(a, i);
    const y = stringAt(b, i);
    if (x === undefined || y === undefined) {
      missing++;
      continue;
    }
    const prior = mapped.get(x);
    if (prior === undefined) {
      mapped.set(x, y);
      keptFrom.push(x);
      keptTo.push(y);
    } else if (prior === y) {
      duplicates++;
    } else {
      throw dataError(
        `${path} line ${lineOf(i)}: '${from}' ${x} maps to both '${prior}' and '${y}' in column '${to}' (a crosswalk must map each id to one id)`,
      );
    }
  }
  if (missing > 0) report.rejectMany(`rows with '${from}' or '${to}' missing: dropped`, missing, []);
  if (duplicates > 0) report.rejectMany("repeated identical pairs: dropped", duplicates, []);
  report.note(`${mapped.size} ids mapped to ${new Set(keptTo).size} ids`);
  const out = new Table([stringColumn(from, keptFrom), stringColumn(to, keptTo)], keptFrom.length, path);
  return { table: out, report: report.finish(table.nrows, out.nrows) };
}
