/**
 * Low-Income Housing Tax Credit projects: HUD's national LIHTC database (LIHTCPUB; here the Alaska rows,
 * lihtc/hud_lihtcpub_AK_subset.csv, field names lower-cased) and TDHCA's 2017 9% application log for Texas
 * (lihtc/tdhca_2017_9pct_htc_applications.csv).
 *
 * Both readers put the same normalised columns first:
 *   project_id   text (HUD hud_id "AKA20030030"; TDHCA application number "17330")
 *   project      project / development name
 *   yr_pis       year placed in service (HUD; missing for TDHCA applications)
 *   yr_alloc     allocation year (HUD `year`; TDHCA: the application round, 2017)
 *   units        total units (HUD n_units; TDHCA Total Units)
 *   li_units     low-income units
 *   lat, lon     decimal degrees (HUD only; TDHCA log has none)
 *   state_fips   2 digits; county_fips 5 digits; tract_fips 11 digits (2010 tracts for HUD; TDHCA Census Tract)
 * followed by the file's remaining columns under their original names.
 *
 * HUD conventions: the tract is taken from fips2010 ("2020002303.0" -> "02020002303"); where that is empty but
 * st2010/cnty2010/trct2010 are present it is built from the parts (trct2010 is the tract number in hundredths:
 * "23.03" -> 002303). HUD writes unknown years as 8888 (and 9999); both are set missing.
 */
import { z } from "zod";
import { dataError } from "../../errors.js";
import { countyFips, stateFips, tractFips, tractFromParts } from "../fips.js";
import {
  type Column,
  MISSING_CODE,
  type NumericColumn,
  numericColumn,
  type StringColumn,
  stringAt,
  stringColumn,
  Table,
} from "../table.js";
import {
  lineOf,
  mapIds,
  type ReaderOptions,
  type ReaderResult,
  ReportBuilder,
  readWithLayout,
} from "./common.js";

export const HUD_LIHTC_LAYOUT = z.object({
  hud_id: z.string(),
  project: z.string().nullable(),
  latitude: z.number().min(-90).max(90).nullable(),
  longitude: z.number().min(-180).max(180).nullable(),
  st2010: z.string().nullable(),
  cnty2010: z.string().nullable(),
  trct2010: z.string().nullable(),
  fips2010: z.string().nullable(),
  n_units: z.number().min(0).nullable(),
  li_units: z.number().min(0).nullable(),
  yr_pis: z.number().int().nullable(),
  year: z.number().int().nullable(),
});

export const TDHCA_LAYOUT = z.object({
  "Application Number": z.string().regex(/^\d+$/, "expected a numeric application number"),
  "Development name": z.string().nullable(),
  County: z.string().nullable(),
  "LI Units": z.number().min(0).nullable(),
  "Market Rate Units": z.number().min(0).nullable(),
  "Total Units": z.number().min(0).nullable(),
  "Census Tract": z.string().nullable(),
  "HTC Request/ Underwriting Amount": z.number().nullable().optional(),
  "Award Status": z.string().nullable().optional(),
});

const HUD_YEAR_CODES = new Set([8888, 9999]);

export async function readHudLihtc(path: string, _options: ReaderOptions = {}): Promise<ReaderResult> {
  const report = new ReportBuilder("lihtc-hud", path);
  const { table } = await readWithLayout(path, HUD_LIHTC_LAYOUT, { reader: "lihtc-hud" });
  const n = table.nrows;
  const ctx = (column: string, row: number) => ({ source: path, line: lineOf(row), column });

  const st = table.column("st2010") as StringColumn;
  const cn = table.column("cnty2010") as StringColumn;
  const tr = table.column("trct2010") as StringColumn;
  const f10 = table.column("fips2010") as StringColumn;
  const stateCodes: (string | undefined)[] = new Array(n);
  const countyCodes: (string | undefined)[] = new Array(n);
  const tractCodes: (string | undefined)[] = new Array(n);
  let fromParts = 0;
  let noTract = 0;
  let mismatch = 0;
  for (let i = 0; i < n; i++) {
    const s = stringAt(st, i);
    const c = stringAt(cn, i);
    stateCodes[i] = s === undefined ? undefined : stateFips(s, ctx("st2010", i));
    countyCodes[i] = s === undefined || c === undefined ? undefined : countyFips(s, c, ctx("cnty2010", i));
    const full = stringAt(f10, i);
    const part = stringAt(tr, i);
    if (full !== undefined) {
      tractCodes[i] = tractFips(full, ctx("fips2010", i));
      if (countyCodes[i] !== undefined && tractCodes[i]?.slice(0, 5) !== countyCodes[i]) mismatch++;
    } else if (part !== undefined && s !== undefined && c !== undefined) {
      tractCodes[i] = tractFromParts(s, c, part, ctx("trct2010", i));
      fromParts++;
    } else {
      tractCodes[i] = undefined;
      noTract++;
    }
  }
  report.note("tract_fips from fips2010 (11 digits, zero-padded); county_fips from st2010 + cnty2010");
  if (fromParts > 0) report.note(`${fromParts} tracts built from st2010/cnty2010/trct2010`);
  if (noTract > 0) report.note(`${noTract} projects have no 2010 tract`);
  if (mismatch > 0)
    report.note(`${mismatch} projects whose fips2010 tract is not in their st2010/cnty2010 county`);

  const years = (name: string, out: string): NumericColumn => {
    const v = table.numeric(name).values;
    const values = new Float64Array(n);
    let coded = 0;
    for (let i = 0; i < n; i++) {
      const y = v[i] as number;
      if (HUD_YEAR_CODES.has(y)) coded++;
      values[i] = HUD_YEAR_CODES.has(y) ? Number.NaN : y;
    }
    if (coded > 0) report.rejectMany(`${name} = 8888/9999 (HUD unknown-year code): set missing`, coded, []);
    return numericColumn(out, values);
  };
  const lat = table.numeric("latitude");
  let noPoint = 0;
  for (let i = 0; i < n; i++) if (Number.isNaN(lat.values[i] as number)) noPoint++;
  if (noPoint > 0) report.note(`${noPoint} projects have no latitude/longitude`);

  const normalised: Column[] = [
    rename(table.column("hud_id"), "project_id"),
    table.column("project"),
    years("yr_pis", "yr_pis"),
    years("year", "yr_alloc"),
    rename(table.column("n_units"), "units"),
    table.column("li_units"),
    rename(lat, "lat"),
    rename(table.column("longitude"), "lon"),
    stringColumn("state_fips", stateCodes),
    stringColumn("county_fips", countyCodes),
    stringColumn("tract_fips", tractCodes),
  ];
  const consumed = new Set([
    "hud_id",
    "project",
    "yr_pis",
    "year",
    "n_units",
    "li_units",
    "latitude",
    "longitude",
  ]);
  const rest = table.columns.filter((c) => !consumed.has(c.name));
  const out = new Table([...normalised, ...rest], n, path);
  return { table: out, report: report.finish(n, n) };
}

export async function readTdhca(path: string, _options: ReaderOptions = {}): Promise<ReaderResult> {
  const report = new ReportBuilder("lihtc-tdhca", path);
  const { table } = await readWithLayout(path, TDHCA_LAYOUT, { reader: "lihtc-tdhca" });
  const n = table.nrows;
  const tract = mapIds(table.column("Census Tract"), "tract_fips", (raw, row) => {
    const code = tractFips(raw, { source: path, line: lineOf(row), column: "Census Tract" });
    if (!code.startsWith("48")) {
      throw dataError(
        `${path} line ${lineOf(row)}, column 'Census Tract': expected a Texas tract (state 48), found '${raw}'`,
      );
    }
    return code;
  });
  const county = mapIds(tract, "county_fips", (raw) => raw.slice(0, 5));
  const state = stringColumn(
    "state_fips",
    Array.from(tract.codes, (c) => (c === MISSING_CODE ? undefined : "48")),
  );
  let noTract = 0;
  for (const c of tract.codes) if (c === MISSING_CODE) noTract++;
  const li = table.numeric("LI Units").values;
  const mr = table.numeric("Market Rate Units").values;
  const tot = table.numeric("Total Units").values;
  let inconsistent = 0;
  for (let i = 0; i < n; i++) {
    if ((li[i] as number) + (mr[i] as number) !== (tot[i] as number)) inconsistent++;
  }
  const normalised: Column[] = [
    rename(table.column("Application Number"), "project_id"),
    rename(table.column("Development name"), "project"),
    numericColumn("yr_pis", new Float64Array(n).fill(Number.NaN)),
    numericColumn("yr_alloc", new Float64Array(n).fill(2017)),
    rename(table.column("Total Units"), "units"),
    rename(table.column("LI Units"), "li_units"),
    numericColumn("lat", new Float64Array(n).fill(Number.NaN)),
    numericColumn("lon", new Float64Array(n).fill(Number.NaN)),
    state,
    county,
    tract,
  ];
  const consumed = new Set([
    "Application Number",
    "Development name",
    "Total Units",
    "LI Units",
    "col34",
    "col35",
  ]);
  const dropped = ["col34", "col35"].filter((c) => table.has(c));
  const rest = table.columns.filter((c) => !consumed.has(c.name));
  const out = new Table([...normalised, ...rest], n, path);
  report.note("state_fips/county_fips from the 11-digit Census Tract; the log has no coordinates");
  report.note("yr_alloc = 2017 (the application round of this log), whatever the award status");
  if (noTract > 0) report.note(`${noTract} applications have no census tract`);
  if (inconsistent > 0) report.note(`${inconsistent} rows where LI Units + Market Rate Units != Total Units`);
  if (dropped.length > 0) {
    report.note(
      `dropped the unnamed spreadsheet columns ${dropped.join(", ")} (stray copies of other cells)`,
    );
  }
  return { table: out, report: report.finish(n, n) };
}

function rename(column: Column, name: string): Column {
  return column.kind === "number"
    ? { kind: "number", name, values: column.values }
    : { kind: "string", name, codes: column.codes, levels: column.levels };
}
