/**
 * Census/NCES F-33 school district finance files.
 *
 * Layouts handled (see ../shared/data/SOURCES.md):
 *   - f1995_districts.csv: LEAID, FIPST, FIPSCO, NAME, STNAME, STABBR, SCHLEV, YEAR, CCDNF, V33, TOTALREV,
 *     TFEDREV, TSTREV, TLOCREV, TOTALEXP, Z32, Z33.
 *   - f1995_ids.txt (tab-delimited, BOM): the same ids plus CENSUSID, without V33; header "Z32 - TOTAL SALARIES"
 *     is read as Z32.
 *   - f1995.csv ... f2000.csv (BOM): NAME, STNAME, STABBR, SCHLEV, YEAR, CCDNF, TOTALREV, ..., Z33, V33 and no
 *     ids at all; their rows are districts known only by name and state (f1995.csv is row-aligned with
 *     f1995_ids.txt). The reader adds `state` from STABBR so they can at least be joined by state.
 *
 * Conventions:
 *   - LEAID (NCES district id) -> 7-digit zero-padded text ("100005" -> "0100005"); CENSUSID -> 14 digits.
 *   - Ids damaged by Excel into scientific notation ("5.50012E+12") have lost their digits. Choice: the cell is
 *     set MISSING (the row is kept, its finance data is still good for county and state totals) and the
 *     report counts it with examples; such an id can never become a merge key.
 *   - `fips` (5-digit county) from FIPST + FIPSCO; FIPSCO empty (Alaska REAAs) -> fips missing, reported.
 *     `fipsVintage: 2015` (or `atlas`, the same: ATLAS_FIPS_VINTAGE) updates the codes from the file's year to
 *     that vintage (updateCountyFips: Dade 12025 -> 12086, Shannon 46113 -> 46102, ...) so they match the Atlas;
 *     each change is reported.
 *   - `year` (4 digits) from the 2-digit YEAR (95 -> 1995, 0 -> 2000; 50-99 are 19xx).
 *   - Money: these files are in dollars (values are multiples of 1000 because the Census rounds to thousands
 *     but writes whole dollars). Some published F-33 years are in thousands of dollars; pass
 *     `dollarsIn: "thousands"` for those and the money columns are multiplied by 1000, so output is always
 *     in dollars.
 *   - perPupil: ppe_total = TOTALEXP / V33, rev_per_pupil = TOTALREV / V33 (NaN where V33 is missing or <= 0),
 *     local_share = TLOCREV / TOTALREV (NaN where TOTALREV is missing or <= 0). V33 is fall membership
 *     (enrollment); the NaN counts are in the report.
 */
import { z } from "zod";
import { dataError } from "../../errors.js";
import { countyFips, resolveFipsVintage, stateFips, updateCountyFipsDetailed } from "../fips.js";
import {
  type Column,
  isMissing,
  MISSING_CODE,
  type NumericColumn,
  numericColumn,
  type StringColumn,
  stringColumn,
  Table,
} from "../table.js";
import {
  combineIds,
  lineOf,
  mapIds,
  type ReaderOptions,
  type ReaderResult,
  ReportBuilder,
  readHeader,
  readWithLayout,
  renameColumns,
  replaceColumns,
} from "./common.js";

const money = z.number().nullable();

export const F33_LAYOUT = z.object({
  LEAID: z.string().nullable().optional(),
  CENSUSID: z.string().nullable().optional(),
  FIPST: z.number().int().min(1).max(78).nullable().optional(),
  FIPSCO: z.number().int().min(0).max(999).nullable().optional(),
  NAME: z.string().nullable(),
  STNAME: z.string().nullable(),
  STABBR: z
    .string()
    .regex(/^[A-Z]{2}$/, "expected a 2-letter state abbreviation")
    .nullable(),
  SCHLEV: z.number().int().nullable().optional(),
  YEAR: z.number().int().min(0).max(99).nullable(),
  CCDNF: z.number().int().nullable().optional(),
  V33: z.number().nullable().optional(),
  TOTALREV: money,
  TFEDREV: money,
  TSTREV: money,
  TLOCREV: money,
  TOTALEXP: money,
  Z32: money.optional(),
  Z33: money.optional(),
});

export const F33_MONEY = ["TOTALREV", "TFEDREV", "TSTREV", "TLOCREV", "TOTALEXP", "Z32", "Z33"] as const;

export const f33Options = z.object({
  perPupil: z.boolean().default(false),
  dollarsIn: z.enum(["units", "thousands"]).default("units"),
});

const EXCEL_SCIENTIFIC = /^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$/;

export async function readF33(path: string, options: ReaderOptions = {}): Promise<ReaderResult> {
  const parsed = f33Options.safeParse({
    perPupil: options.perPupil ?? false,
    dollarsIn: options.dollarsIn ?? "units",
  });
  if (!parsed.success) throw dataError(`f33 reader: dollarsIn must be "units" or "thousands"`);
  const { perPupil, dollarsIn } = parsed.data;
  const report = new ReportBuilder("f33", path);

  const header = await readHeader(path);
  const renames: Record<string, string> = {};
  for (const name of header) {
    const stem = /^(Z3[23])\s+-\s+/.exec(name);
    if (stem !== null && !header.includes(stem[1] as string)) renames[name] = stem[1] as string;
  }
  const types: Record<string, "number"> = {};
  for (const name of Object.keys(renames)) types[name] = "number";
  const read = await readWithLayout(path, F33_LAYOUT, { reader: "f33", types });
  const table = new Table(renameColumns(read.table, renames), read.table.nrows, path);
  for (const [from, to] of Object.entries(renames)) report.note(`column '${from}' read as ${to}`);
  const n = table.nrows;
  const added: Column[] = [];

  if (table.has("LEAID")) {
    added.push(idColumn(table.column("LEAID"), "LEAID", 7, path, report));
    report.note("LEAID zero-padded to 7 digits");
  }
  if (table.has("CENSUSID")) {
    added.push(idColumn(table.column("CENSUSID"), "CENSUSID", 14, path, report));
  }
  if (table.has("FIPST") && table.has("FIPSCO")) {
    const fips = combineIds(table.column("FIPST"), table.column("FIPSCO"), "fips", (s, c, row) =>
      countyFips(s, c, { source: path, line: lineOf(row), column: "FIPST/FIPSCO" }),
    );
    let noCounty = 0;
    for (const code of fips.codes) if (code === MISSING_CODE) noCounty++;
    report.note("fips = FIPST (2 digits) + FIPSCO (3 digits)");
    if (options.fipsVintage !== undefined) {
      const fileYear = firstYear(table);
      added.push(updateFipsColumn(fips, fileYear, resolveFipsVintage(options.fipsVintage), report));
    } else {
      added.push(fips);
    }
    if (noCounty > 0) report.note(`${noCounty} rows have no county code (FIPSCO empty), fips missing`);
  } else {
    report.note("this layout has no LEAID/FIPS ids: districts are identified only by NAME and STABBR");
  }
  added.push(
    mapIds(table.column("STABBR"), "state", (raw, row) =>
      stateFips(raw, { source: path, line: lineOf(row), column: "STABBR" }),
    ),
  );

  const yearIn = table.numeric("YEAR").values;
  const year = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const y = yearIn[i] as number;
    year[i] = Number.isNaN(y) ? Number.NaN : y >= 50 ? 1900 + y : 2000 + y;
  }
  added.push(numericColumn("year", year));

  const moneyNames = F33_MONEY.filter((m) => table.has(m));
  if (dollarsIn === "thousands") {
    for (const name of moneyNames) {
      const v = table.numeric(name).values;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = (v[i] as number) * 1000;
      added.push(numericColumn(name, out));
    }
    report.note(`money columns (${moneyNames.join(", ")}) were in thousands; multiplied by 1000 to dollars`);
  } else {
    report.note(`money columns (${moneyNames.join(", ")}) in dollars as in the file`);
  }

  let out = new Table(replaceColumns(table, added), n, path);
  if (perPupil) {
    if (!out.has("V33")) {
      throw dataError(`${path}: perPupil needs the enrollment column V33, which this file does not have`);
    }
    const v33 = out.numeric("V33").values;
    const exp = (out.column("TOTALEXP") as NumericColumn).values;
    const rev = (out.column("TOTALREV") as NumericColumn).values;
    const loc = (out.column("TLOCREV") as NumericColumn).values;
    const ppe = new Float64Array(n);
    const rpp = new Float64Array(n);
    const share = new Float64Array(n);
    let noPupils = 0;
    let noRevenue = 0;
    for (let i = 0; i < n; i++) {
      const pupils = v33[i] as number;
      const total = rev[i] as number;
      const okPupils = pupils > 0; // false for NaN too
      const okRevenue = total > 0;
      if (!okPupils) noPupils++;
      if (!okRevenue) noRevenue++;
      ppe[i] = okPupils ? (exp[i] as number) / pupils : Number.NaN;
      rpp[i] = okPupils ? total / pupils : Number.NaN;
      share[i] = okRevenue ? (loc[i] as number) / total : Number.NaN;
    }
    out = out.withColumns([
      numericColumn("ppe_total", ppe),
      numericColumn("rev_per_pupil", rpp),
      numericColumn("local_share", share),
    ]);
    report.note("ppe_total = TOTALEXP/V33, rev_per_pupil = TOTALREV/V33, local_share = TLOCREV/TOTALREV");
    if (noPupils > 0)
      report.note(`${noPupils} rows with V33 missing or <= 0: ppe_total and rev_per_pupil missing`);
    if (noRevenue > 0) report.note(`${noRevenue} rows with TOTALREV missing or <= 0: local_share missing`);
  }
  // Ids first: LEAID, CENSUSID, fips, state, then the file's columns, then derived ones.
  const first = ["LEAID", "CENSUSID", "fips", "state", "year"].filter((c) => out.has(c));
  const ordered = new Table(
    [...first.map((c) => out.column(c)), ...out.columns.filter((c) => !first.includes(c.name))],
    n,
    path,
  );
  return { table: ordered, report: report.finish(n, n) };
}

function firstYear(table: Table): number {
  for (const y of table.numeric("YEAR").values) if (!Number.isNaN(y)) return y >= 50 ? 1900 + y : 2000 + y;
  throw dataError(`${table.source}: column 'YEAR' is empty, cannot tell the vintage of the county codes`);
}

/** The fips column with codes updated from `from` to `to` (see updateCountyFips), each change reported. */
function updateFipsColumn(fips: StringColumn, from: number, to: number, report: ReportBuilder): StringColumn {
  const updates = fips.levels.map((code) => updateCountyFipsDetailed(code, from, to));
  const rows = new Map<number, number>();
  const values: (string | undefined)[] = new Array(fips.codes.length);
  for (let i = 0; i < fips.codes.length; i++) {
    const code = fips.codes[i] as number;
    if (code === MISSING_CODE) continue;
    const update = updates[code];
    values[i] = update?.fips;
    if (update !== undefined && update.applied.length > 0) rows.set(code, (rows.get(code) ?? 0) + 1);
  }
  const changes = [...rows].map(([code, n]) => {
    const update = updates[code];
    return `${fips.levels[code]} -> ${update?.fips}${update?.approximate ? " (split: approximate)" : ""} (${n} rows)`;
  });
  report.note(
    `county codes updated from vintage ${from} to ${to}: ${changes.length === 0 ? "no changes apply" : changes.join(", ")}`,
  );
  return stringColumn("fips", values);
}

/** A zero-padded id of `width` digits; Excel-damaged cells become missing and are reported. */
function idColumn(column: Column, name: string, width: number, path: string, report: ReportBuilder): Column {
  const examples: string[] = [];
  const out = mapIds(column, name, (raw, row) => {
    const token = raw.trim();
    if (EXCEL_SCIENTIFIC.test(token)) {
      if (examples.length < 5) examples.push(`line ${lineOf(row)}: '${token}'`);
      return undefined;
    }
    const digits = /^(\d+)(?:\.0*)?$/.exec(token)?.[1];
    if (digits === undefined || digits.replace(/^0+(?=\d)/, "").length > width) {
      throw dataError(
        `${path} line ${lineOf(row)}, column '${name}': expected an id of at most ${width} digits, found '${raw}'`,
      );
    }
    return digits.replace(/^0+(?=\d)/, "").padStart(width, "0");
  });
  let damaged = 0;
  let empty = 0;
  for (let i = 0; i < out.codes.length; i++) {
    if (out.codes[i] !== MISSING_CODE) continue;
    if (isMissing(column, i)) empty++;
    else damaged++;
  }
  if (damaged > 0) {
    report.rejectMany(
      `${name} in scientific notation (digits lost, probably by Excel): id set missing, row kept`,
      damaged,
      examples,
    );
  }
  if (empty > 0) report.note(`${empty} rows have no ${name}`);
  return out;
}
