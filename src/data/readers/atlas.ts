/**
 * Opportunity Atlas county outcomes (Chetty, Friedman, Hendren, Jones, Porter 2018), the public
 * `county_outcomes_simple.csv`, and the county and CZ tables of Chetty, Hendren, Kline, Saez (2014).
 *
 * Atlas layout (one row per county, 2010s county codes: Oglala Lakota 46102, Kusilvak 02158, no Bedford city):
 *   state, county        numeric FIPS parts (1, 1 for Autauga AL) -> added `fips` "01001"
 *   cz, czname           1990 commuting zone id (number) and name; cz is empty for some PR/island counties
 *   kfr_<race>_<gender>_p<pct> (+ _se)   mean household income rank (0-1) of children with parents at
 *                                        percentile pct; race in pooled/black/hisp/white, gender pooled/male/female
 *   jail_<race>_<gender>_p<pct> (+ _se)  incarceration rate, same cells
 *   <race>_<gender>_count                number of children in the cell (fractional: weighted)
 *   Numbers are written like ".36166623"; missing is empty.
 *
 * `long: true` gives one row per county x race x gender x pct with columns fips, state, county, cz, czname,
 * race, gender, pct, kfr, kfr_se, jail, jail_se, count (jail* only when the file has them; count is the
 * <race>_<gender>_count companion, repeated across percentiles). Cells whose kfr is missing are kept (NaN) and
 * counted in the report.
 */
import { z } from "zod";
import { dataError } from "../../errors.js";
import { countyFips, stateFips } from "../fips.js";
import { pivotLonger } from "../ops/reshape.js";
import { type Column, Table } from "../table.js";
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
} from "./common.js";

const optionalNumber = z.number().nullable().optional();

export const ATLAS_LAYOUT = z.object({
  state: z
    .number()
    .int()
    .min(1, "expected a state FIPS code (1-78)")
    .max(78, "expected a state FIPS code (1-78)"),
  county: z
    .number()
    .int()
    .min(1, "expected a county FIPS code (1-999)")
    .max(999, "expected a county FIPS code (1-999)"),
  cz: z.number().int().nullable(),
  czname: z.string().nullable(),
  kfr_pooled_pooled_p25: z.number().nullable(),
  kfr_pooled_pooled_p25_se: optionalNumber,
  pooled_pooled_count: z.number().min(0, "expected a non-negative count").nullable(),
});

const OUTCOME = /^(kfr|jail)_([a-z]+)_([a-z]+)_p(\d+)(_se)?$/;
const COUNT = /^([a-z]+)_([a-z]+)_count$/;

export const atlasOptions = z.object({ long: z.boolean().default(false) });

export async function readAtlas(path: string, options: ReaderOptions = {}): Promise<ReaderResult> {
  const { long } = atlasOptions.parse({ long: options.long ?? false });
  const report = new ReportBuilder("atlas", path);
  const header = await readHeader(path);
  const types: Record<string, "number"> = {};
  for (const name of header) if (OUTCOME.test(name) || COUNT.test(name)) types[name] = "number";
  const { table } = await readWithLayout(path, ATLAS_LAYOUT, { reader: "atlas", types });

  const fips = combineIds(table.column("state"), table.column("county"), "fips", (s, c, row) =>
    countyFips(s, c, { source: path, line: lineOf(row), column: "state/county" }),
  );
  const wide = table.withColumns([]).withColumns([fips]);
  const ordered = new Table([fips, ...wide.columns.filter((c) => c.name !== "fips")], table.nrows, path);
  report.note("fips = 5-digit county code from state (2 digits) + county (3 digits), zero-padded");
  report.note(
    "county codes are the 2010s vintage (46102 Oglala Lakota, 02158 Kusilvak); see updateCountyFips",
  );
  const noCz = countMissing(ordered.column("cz"));
  if (noCz > 0) report.note(`${noCz} counties have no commuting zone (cz missing)`);

  if (!long) return { table: ordered, report: report.finish(table.nrows, table.nrows) };

  // Long: discover the kfr cells and their companions from the header.
  const cells = new Map<string, { race: string; gender: string; pct: number }>();
  for (const name of header) {
    const m = OUTCOME.exec(name);
    if (m === null || m[1] !== "kfr" || m[5] !== undefined) continue;
    cells.set(name, { race: m[2] as string, gender: m[3] as string, pct: Number(m[4]) });
  }
  if (cells.size === 0) throw dataError(`${path}: no kfr_<race>_<gender>_p<pct> columns to reshape`);
  const hasJail = header.some((n) => n.startsWith("jail_"));
  const values = hasJail ? ["kfr", "kfr_se", "jail", "jail_se", "count"] : ["kfr", "kfr_se", "count"];
  const present = new Set(header);
  const pick = (name: string) => (present.has(name) ? name : undefined);
  const groups = [...cells.values()].map(({ race, gender, pct }) => {
    const stem = `${race}_${gender}_p${pct}`;
    const sources = [pick(`kfr_${stem}`), pick(`kfr_${stem}_se`)];
    if (hasJail) sources.push(pick(`jail_${stem}`), pick(`jail_${stem}_se`));
    sources.push(pick(`${race}_${gender}_count`));
    return { key: [race, gender, pct], sources };
  });
  const longTable = pivotLonger(ordered, {
    id: ["fips", "state", "county", "cz", "czname"],
    keys: ["race", "gender", "pct"],
    values,
    groups,
  });
  const kfr = longTable.column("kfr");
  const missingKfr = countMissing(kfr);
  report.note(
    `long: ${groups.length} cells (race x gender x pct) per county; columns ${values.join(", ")}; ` +
      "count is the <race>_<gender>_count companion (the same for every pct)",
  );
  if (missingKfr > 0) report.note(`${missingKfr} county x cell rows have no kfr estimate (kept as missing)`);
  return { table: longTable, report: report.finish(table.nrows, longTable.nrows) };
}

function countMissing(column: Column): number {
  let n = 0;
  if (column.kind === "number") {
    for (const v of column.values) if (Number.isNaN(v)) n++;
  } else {
    for (const c of column.codes) if (c < 0) n++;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------------------------
// Chetty, Hendren, Kline, Saez (2014), "Where is the Land of Opportunity?", online data tables
// ---------------------------------------------------------------------------------------------------------------

/**
 * Online Data Table III (county level): original header -> our name. County codes are the 2000 vintage
 * (12086 Miami-Dade, 02232 Skagway-Hoonah-Angoon, no Broomfield). Incomes in 2012 dollars as published.
 */
export const CHETTY2014_COUNTY_NAMES: Readonly<Record<string, string>> = {
  "County FIPS Code": "county_fips_raw",
  "County Name": "county_name",
  "Commuting Zone ID": "cz",
  "Commuting Zone Name": "czname",
  State: "state_name",
  "Number of Children in Core Sample": "n_children",
  "Rank-Rank Slope": "rank_slope",
  "Absolute Upward Mobility": "abs_mobility",
  "Top 1% Income Share": "top1_share",
  "Interquartile Income Range": "income_iqr",
  Gini: "gini",
  "Teenage Birth Rate": "teen_birth",
  "Share Between p25 and p75": "share_p25_p75",
  "Mean Parent Income": "parent_income_mean",
  "Mean Child Income": "child_income_mean",
  "Parent Income P25": "parent_income_p25",
  "Child Income P25": "child_income_p25",
  "Median Parent Income": "parent_income_p50",
  "Median Child Income": "child_income_p50",
  "Parent Income P75": "parent_income_p75",
  "Child Income P75": "child_income_p75",
  "Parent Income P90": "parent_income_p90",
  "Child Income P90": "child_income_p90",
  "Parent Income P99": "parent_income_p99",
  "Child Income P99": "child_income_p99",
};

/**
 * Online Data Table V (commuting zones). AM = absolute upward mobility (expected rank at p25, 0-100),
 * RM = relative mobility (rank-rank slope). The original headers are irregular ("RM, 2011-2012, Parent
 * Income" has an extra comma, "AM, %White>80%  ZIPs" two spaces); the map lists them verbatim.
 */
export const CHETTY2014_CZ_NAMES: Readonly<Record<string, string>> = {
  CZ: "cz",
  "CZ Name": "czname",
  State: "state_postal",
  "Children in 1980-82 Cohorts": "n_children_8082",
  "AM, 80-82 Cohort": "am_8082",
  "RM, 80-82 Cohort": "rm_8082",
  "P(Child in Q5 | Parent in Q1), 80-85 Cohort": "p_q5_given_q1_8085",
  "AM, College Attendance": "am_college",
  "RM, College Attendance": "rm_college",
  "AM, Teenage birth": "am_teen_birth",
  "RM, Teenage birth": "rm_teen_birth",
  "AM, Females": "am_female",
  "RM, Females": "rm_female",
  "AM, Males": "am_male",
  "RM, Males": "rm_male",
  "AM, Males, Individual Income": "am_male_indiv_income",
  "RM, Males, Individual Income": "rm_male_indiv_income",
  "AM, Cost of Living Adjusted": "am_col_adjusted",
  "RM, Cost of Living Adjusted": "rm_col_adjusted",
  "AM, 2011-2012 Parent Income": "am_parent_income_2011_12",
  "RM, 2011-2012, Parent Income": "rm_parent_income_2011_12",
  "AM, Single Parents": "am_single_parents",
  "RM, Single Parents": "rm_single_parents",
  "AM, Married Parents": "am_married_parents",
  "RM, Married Parents": "rm_married_parents",
  "AM, 83-85 Cohort": "am_8385",
  "RM, 83-85 Cohort": "rm_8385",
  "AM, 80-85 Cohort": "am_8085",
  "RM, 80-85 Cohort": "rm_8085",
  "AM, %White>80%  ZIPs": "am_white80_zips",
  "RM, %White>80% ZIPs": "rm_white80_zips",
  "AM, Poverty Line": "am_poverty_line",
  "RM, Poverty Line": "rm_poverty_line",
  "AM, College Quality": "am_college_quality",
  "RM, College Quality": "rm_college_quality",
};

const CHETTY_COUNTY_LAYOUT = z.object({
  "County FIPS Code": z.string().regex(/^\d{4,5}$/, "expected a 4- or 5-digit county FIPS code"),
  "County Name": z.string(),
  "Commuting Zone ID": z.number().int().min(1),
  "Commuting Zone Name": z.string(),
  State: z.string(),
  "Absolute Upward Mobility": z.number().nullable(),
  "Rank-Rank Slope": z.number().nullable(),
});

const CHETTY_CZ_LAYOUT = z.object({
  CZ: z.number().int().min(1),
  "CZ Name": z.string(),
  State: z.string().regex(/^[A-Z]{2}$/, "expected a 2-letter state abbreviation"),
  "AM, 80-82 Cohort": z.number().nullable(),
  "RM, 80-82 Cohort": z.number().nullable(),
});

function numericTypes(header: readonly string[], names: Readonly<Record<string, string>>, text: string[]) {
  const types: Record<string, "number"> = {};
  for (const name of header) if (name in names && !text.includes(name)) types[name] = "number";
  return types;
}

/** Chetty et al. (2014) Online Data Table III: county mobility with county -> CZ. Adds `fips` and `state`. */
export async function readChetty2014County(
  path: string,
  _options: ReaderOptions = {},
): Promise<ReaderResult> {
  const report = new ReportBuilder("chetty2014-county", path);
  const header = await readHeader(path);
  const types = numericTypes(header, CHETTY2014_COUNTY_NAMES, [
    "County FIPS Code",
    "County Name",
    "Commuting Zone Name",
    "State",
  ]);
  const { table } = await readWithLayout(path, CHETTY_COUNTY_LAYOUT, { reader: "chetty2014-county", types });
  const renamed = new Table(renameColumns(table, CHETTY2014_COUNTY_NAMES), table.nrows, path);
  const fips = mapIds(renamed.column("county_fips_raw"), "fips", (raw, row) =>
    countyFips(raw, { source: path, line: lineOf(row), column: "County FIPS Code" }),
  );
  const state = mapIds(renamed.column("state_name"), "state", (raw, row) =>
    stateFips(raw, { source: path, line: lineOf(row), column: "State" }),
  );
  const out = new Table(
    [fips, state, ...renamed.columns.filter((c) => c.name !== "county_fips_raw")],
    renamed.nrows,
    path,
  );
  report.note("columns renamed to snake_case (see CHETTY2014_COUNTY_NAMES); fips zero-padded to 5 digits");
  report.note("county codes are the 2000 vintage (12086 Miami-Dade, 02232 Skagway-Hoonah-Angoon)");
  report.note("incomes in dollars as published; abs_mobility on the 0-100 rank scale, not 0-1 as Atlas kfr");
  return { table: out, report: report.finish(table.nrows, out.nrows) };
}

/** Chetty et al. (2014) Online Data Table V: CZ mobility estimates. Adds `state` (2-digit FIPS). */
export async function readChetty2014Cz(path: string, _options: ReaderOptions = {}): Promise<ReaderResult> {
  const report = new ReportBuilder("chetty2014-cz", path);
  const header = await readHeader(path);
  const types = numericTypes(header, CHETTY2014_CZ_NAMES, ["CZ Name", "State"]);
  const { table } = await readWithLayout(path, CHETTY_CZ_LAYOUT, { reader: "chetty2014-cz", types });
  const unknown = header.filter((h) => !(h in CHETTY2014_CZ_NAMES));
  if (unknown.length > 0) report.note(`columns kept under their original names: ${unknown.join(", ")}`);
  const renamed = new Table(renameColumns(table, CHETTY2014_CZ_NAMES), table.nrows, path);
  const state = mapIds(renamed.column("state_postal"), "state", (raw, row) =>
    stateFips(raw, { source: path, line: lineOf(row), column: "State" }),
  );
  const out = new Table([state, ...renamed.columns], renamed.nrows, path);
  report.note("columns renamed to snake_case (see CHETTY2014_CZ_NAMES); am_* on the 0-100 rank scale");
  return { table: out, report: report.finish(table.nrows, out.nrows) };
}
