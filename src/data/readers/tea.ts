/**
 * Texas Education Agency TAPR campus and district files and the Comptroller's FAST district file
 * (../shared/data/tea_texas).
 *
 * Ids (all kept as zero-padded text, whatever the year's file did):
 *   CAMPUS   -> `campus`   9 digits ("1902001" in 2021-22 -> "001902001")
 *   DISTRICT -> `district` 6 digits ("1902" -> "001902"; the DISTPROF downloads write "'001902": the leading
 *               apostrophe, an Excel text marker, is stripped)
 *   COUNTY   -> `tea_county` 3 digits. This is TEA's county number (1-254, alphabetical with the Mc- names
 *               after Maverick), NOT the FIPS county code: Madison is TEA 154 but FIPS 48313.
 *   county_fips  5-digit FIPS county code from TEA's county number through TX_COUNTIES (txCounties.ts, made
 *               from the TEA and NCES CCD files by scripts/readers/make_tx_county_fips.py). Files without a
 *               COUNTY column (the district profiles) take the county number from the first three digits of
 *               the district id, TEA's county-district number (CDN): the county of the district's office.
 *   FAST: "District Number" -> district, "County Number" -> tea_county (and county_fips).
 * A campus id's first 6 digits are its district; rows where they disagree are counted in the report.
 *
 * Missing values:
 *   TAPR: "." (and empty/blank) is missing. TAPR data downloads also mask small or suppressed cells with the
 *     negative codes -1, -2 and -3 (written "-1.0"/"-3.0" in some years). In every TAPR file here those are
 *     the only negative values, and the columns they appear in (counts, percentages, FTEs, salaries) cannot be
 *     negative, so every -1, -2, -3 in a numeric column is set missing; the report counts them per code.
 *   FAST: blank ("  ") is missing; -88 is a not-available code in any column; -1 and -2 are masking codes in
 *     every column except the z-scores (names containing "Z-Score"), where they could be real values and are
 *     kept. Some FAST values were truncated to 20 characters, losing the exponent of numbers written in
 *     scientific notation ("4.0000000000000001E-"): those cells cannot be recovered and are set missing, with
 *     a count per column in the report; the column is still read as numbers.
 */
import { z } from "zod";
import { dataError } from "../../errors.js";
import { isNumberToken } from "../missing.js";
import { type Column, MISSING_CODE, numericColumn, type StringColumn, Table } from "../table.js";
import {
  lineOf,
  mapIds,
  type ReaderOptions,
  type ReaderResult,
  ReportBuilder,
  readHeader,
  readWithLayout,
  replaceColumns,
} from "./common.js";
import { TX_COUNTIES } from "./txCounties.js";

const optionalId = z.string().nullable().optional();

export const TEA_TAPR_LAYOUT = z.object({
  CAMPUS: optionalId,
  DISTRICT: optionalId,
  COUNTY: optionalId,
});

export const TEA_FAST_LAYOUT = z.object({
  "County Number": z.string(),
  "District Number": z.string(),
  "District Name": z.string(),
  "Cost-Adjusted Core Operating Expenditures Per Student": z.string().nullable(),
});

const TAPR_MASKS = new Set([-1, -2, -3]);

const FIPS_BY_TEA_COUNTY = new Map(TX_COUNTIES.map(([number, , fips]) => [number, fips]));

/** county_fips from 3-digit TEA county numbers (or the first three digits of 6- or 9-digit ids). */
function countyFipsColumn(ids: StringColumn, path: string): StringColumn {
  return mapIds(ids, "county_fips", (raw) => {
    const fips = FIPS_BY_TEA_COUNTY.get(Number(raw.slice(0, 3)));
    if (fips === undefined)
      throw dataError(`${path}: '${raw}' does not start with a TEA county number (001-254)`);
    return fips;
  });
}
const TRUNCATED_SCIENTIFIC = /^[+-]?\d*\.?\d+[eE][+-]?$/;

function padId(width: number, column: string, path: string) {
  return (raw: string, row: number): string | undefined => {
    const token = raw.trim().replace(/^'/, "");
    if (token === "" || token === ".") return undefined;
    const digits = /^(\d+)(?:\.0*)?$/.exec(token)?.[1];
    const stripped = digits?.replace(/^0+(?=\d)/, "");
    if (stripped === undefined || stripped.length > width) {
      throw dataError(
        `${path} line ${lineOf(row)}, column '${column}': expected an id of at most ${width} digits, found '${raw}'`,
      );
    }
    return stripped.padStart(width, "0");
  };
}

/** TAPR campus or district file (detected from the header: CAMPUS present -> campus file). */
export async function readTea(path: string, _options: ReaderOptions = {}): Promise<ReaderResult> {
  const header = await readHeader(path);
  if (!header.includes("CAMPUS") && !header.includes("DISTRICT")) {
    if (header.includes("District Number")) return readTeaFast(path);
    throw dataError(
      `${path}: missing required column 'CAMPUS' or 'DISTRICT' for the tea reader (the file has ${header.length} columns, starting ${header.slice(0, 8).join(", ")})`,
    );
  }
  const level = header.includes("CAMPUS") ? "campus" : "district";
  const report = new ReportBuilder(`tea-${level}`, path);
  const { table } = await readWithLayout(path, TEA_TAPR_LAYOUT, { reader: "tea" });
  const ids: Column[] = [];
  if (table.has("CAMPUS")) ids.push(mapIds(table.column("CAMPUS"), "campus", padId(9, "CAMPUS", path)));
  if (table.has("DISTRICT"))
    ids.push(mapIds(table.column("DISTRICT"), "district", padId(6, "DISTRICT", path)));
  if (table.has("COUNTY")) ids.push(mapIds(table.column("COUNTY"), "tea_county", padId(3, "COUNTY", path)));
  const countySource = ids.find((c) => c.name === "tea_county") ?? ids.find((c) => c.name === "district");
  if (countySource?.kind === "string") ids.push(countyFipsColumn(countySource, path));
  report.note(
    `ids as zero-padded text: ${ids
      .filter((c) => c.name !== "county_fips")
      .map((c) => `${c.name} (${c.name === "campus" ? 9 : c.name === "district" ? 6 : 3} digits)`)
      .join(", ")}`,
  );
  if (table.has("COUNTY"))
    report.note("tea_county is TEA's county number, not a FIPS code; county_fips is the FIPS code");
  else if (table.has("DISTRICT")) {
    report.note(
      "county_fips from the first three digits of the district id (TEA's county number of the district)",
    );
  }
  checkCampusDistrict(ids, report);

  const masked = new Map<number, number>();
  const maskedColumns = new Set<string>();
  const replaced: Column[] = [];
  for (const column of table.columns) {
    if (column.kind !== "number" || ["CAMPUS", "DISTRICT", "COUNTY"].includes(column.name)) continue;
    let values: Float64Array | undefined;
    for (let i = 0; i < column.values.length; i++) {
      const v = column.values[i] as number;
      if (v < 0 && TAPR_MASKS.has(v)) {
        values ??= Float64Array.from(column.values);
        values[i] = Number.NaN;
        masked.set(v, (masked.get(v) ?? 0) + 1);
        maskedColumns.add(column.name);
      }
    }
    if (values !== undefined) replaced.push(numericColumn(column.name, values));
  }
  for (const [code, count] of [...masked].sort((a, b) => b[0] - a[0])) {
    report.rejectMany(`cells with TEA masking code ${code}: set missing`, count, []);
  }
  if (maskedColumns.size > 0) {
    report.note(
      `masking codes found in ${maskedColumns.size} columns (e.g. ${[...maskedColumns].slice(0, 4).join(", ")})`,
    );
  }
  report.note("'.' and blank cells are missing");
  const body = replaceColumns(table, replaced).filter(
    (c) => !["CAMPUS", "DISTRICT", "COUNTY"].includes(c.name),
  );
  const out = new Table([...ids, ...body], table.nrows, path);
  return { table: out, report: report.finish(table.nrows, out.nrows) };
}

function checkCampusDistrict(ids: Column[], report: ReportBuilder): void {
  const campus = ids.find((c) => c.name === "campus");
  const district = ids.find((c) => c.name === "district");
  if (campus?.kind !== "string" || district?.kind !== "string") return;
  let bad = 0;
  const examples: string[] = [];
  for (let i = 0; i < campus.codes.length; i++) {
    const c = campus.codes[i] as number;
    const d = district.codes[i] as number;
    if (c === MISSING_CODE || d === MISSING_CODE) continue;
    const cid = campus.levels[c] as string;
    const did = district.levels[d] as string;
    if (cid.slice(0, 6) !== did) {
      bad++;
      if (examples.length < 5) examples.push(`line ${lineOf(i)}: campus ${cid}, district ${did}`);
    }
  }
  if (bad > 0) report.rejectMany("campus id does not start with its district id (row kept)", bad, examples);
}

/** The Comptroller's FAST district file (fast_fast-district.csv). */
export async function readTeaFast(path: string, _options: ReaderOptions = {}): Promise<ReaderResult> {
  const report = new ReportBuilder("tea-fast", path);
  const header = await readHeader(path);
  // Read everything as text: truncated numbers would otherwise turn whole columns into text silently.
  const types: Record<string, "string"> = {};
  for (const name of header) types[name] = "string";
  const { table } = await readWithLayout(path, TEA_FAST_LAYOUT, { reader: "tea-fast", types });
  const ids: Column[] = [
    mapIds(table.column("District Number"), "district", padId(6, "District Number", path)),
    mapIds(table.column("County Number"), "tea_county", padId(3, "County Number", path)),
  ];
  ids.push(countyFipsColumn(ids[1] as StringColumn, path));
  const body: Column[] = [];
  const truncatedByColumn: string[] = [];
  let truncated = 0;
  const sentinel = new Map<string, number>();
  for (const column of table.columns) {
    if (column.name === "District Number" || column.name === "County Number") continue;
    if (column.kind !== "string") {
      body.push(column);
      continue;
    }
    const numeric = column.levels.every((l) => isNumberToken(l) || TRUNCATED_SCIENTIFIC.test(l));
    if (!numeric || column.levels.length === 0) {
      body.push(column);
      continue;
    }
    const zScore = column.name.includes("Z-Score");
    const levelValues = column.levels.map((l) => {
      if (TRUNCATED_SCIENTIFIC.test(l)) return Number.NaN;
      const v = Number(l);
      if (v === -88 || (!zScore && (v === -1 || v === -2))) return Number.NaN;
      return v;
    });
    const values = new Float64Array(column.codes.length);
    let lost = 0;
    for (let i = 0; i < values.length; i++) {
      const code = column.codes[i] as number;
      if (code === MISSING_CODE) {
        values[i] = Number.NaN;
        continue;
      }
      const level = column.levels[code] as string;
      values[i] = levelValues[code] as number;
      if (TRUNCATED_SCIENTIFIC.test(level)) lost++;
      else if (Number.isNaN(values[i] as number)) sentinel.set(level, (sentinel.get(level) ?? 0) + 1);
    }
    if (lost > 0) {
      truncated += lost;
      truncatedByColumn.push(`${column.name}: ${lost}`);
    }
    body.push(numericColumn(column.name, values));
  }
  if (truncated > 0) {
    report.rejectMany(
      "cells truncated to 20 characters with the exponent lost (e.g. '4.0000000000000001E-'): set missing",
      truncated,
      truncatedByColumn.slice(0, 5),
    );
  }
  for (const [code, count] of sentinel)
    report.rejectMany(`cells with FAST code ${code}: set missing`, count, []);
  report.note(
    "ids: district (6 digits), tea_county (TEA county number, 3 digits, not FIPS), county_fips (FIPS)",
  );
  report.note("-88 missing everywhere; -1/-2 missing except in Z-Score columns; blank cells missing");
  const out = new Table([...ids, ...body], table.nrows, path);
  return { table: out, report: report.finish(table.nrows, out.nrows) };
}
