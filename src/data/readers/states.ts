/**
 * The Kaggle "US Education Datasets: Unification Project" state panel (states_all/states_all.csv, 1986-2019;
 * the older 1992-2017 release has the same columns).
 *
 * Layout: PRIMARY_KEY ("1992_ALABAMA"), STATE (upper case, words joined by "_"; also the pseudo-states DODEA
 * and NATIONAL), YEAR, ENROLL, TOTAL/FEDERAL/STATE/LOCAL_REVENUE, TOTAL/INSTRUCTION/SUPPORT_SERVICES/OTHER/
 * CAPITAL_OUTLAY_EXPENDITURE, GRADES_*_G enrollment counts, AVG_{MATH,READING}_{4,8}_SCORE (NAEP). Money is in
 * THOUSANDS of dollars (Census F-33 state summaries); values are written like "2678885.0"; missing is empty.
 *
 * Adds `state` (2-digit FIPS; missing, and reported, for rows that are not a state, DC or territory: NATIONAL and
 * federal systems such as DODEA and BIE; territories such as PR, GU, VI get their codes). With `perPupil: true` adds
 * ppe_total = 1000 * TOTAL_EXPENDITURE / ENROLL and rev_per_pupil = 1000 * TOTAL_REVENUE / ENROLL in dollars
 * per pupil, and local_share = LOCAL_REVENUE / TOTAL_REVENUE (NaN where the denominator is missing or <= 0).
 */
import { z } from "zod";
import { stateFips } from "../fips.js";
import { MISSING_CODE, numericColumn, Table } from "../table.js";
import {
  lineOf,
  mapIds,
  type ReaderOptions,
  type ReaderResult,
  ReportBuilder,
  readWithLayout,
} from "./common.js";

const money = z.number().nullable();

export const STATES_ALL_LAYOUT = z.object({
  PRIMARY_KEY: z.string(),
  STATE: z.string(),
  YEAR: z.number().int().min(1900).max(2100),
  ENROLL: z.number().min(0).nullable(),
  TOTAL_REVENUE: money,
  FEDERAL_REVENUE: money,
  STATE_REVENUE: money,
  LOCAL_REVENUE: money,
  TOTAL_EXPENDITURE: money,
});

export async function readStatesAll(path: string, options: ReaderOptions = {}): Promise<ReaderResult> {
  const report = new ReportBuilder("states", path);
  const { table } = await readWithLayout(path, STATES_ALL_LAYOUT, { reader: "states" });
  const n = table.nrows;
  // The panel also has national totals and federal/agency systems under many spellings (NATIONAL, DODEA, DOD,
  // DD, BI, BIE, BUREAU_OF_INDIAN_AFFAIRS, ...): any STATE that is not a state, DC or territory name or postal
  // code gets a missing `state` and is listed in the report, rather than guessed.
  const other: string[] = [];
  const state = mapIds(table.column("STATE"), "state", (raw, row) => {
    try {
      return stateFips(raw.replace(/_/g, " "), { source: path, line: lineOf(row), column: "STATE" });
    } catch {
      other.push(raw);
      return undefined;
    }
  });
  let unmatched = 0;
  for (const c of state.codes) if (c === MISSING_CODE) unmatched++;
  if (unmatched > 0) {
    report.rejectMany(
      "rows whose STATE is not a state/DC/territory (national totals, federal school systems): state missing, row kept",
      unmatched,
      other.slice(0, 5),
    );
    if (other.length > 5) report.note(`all non-state STATE values: ${other.join(", ")}`);
  }
  report.note("money columns are in thousands of dollars, as published");
  let out = new Table([state, ...table.columns], n, path);
  if (options.perPupil === true) {
    const enroll = table.numeric("ENROLL").values;
    const exp = table.numeric("TOTAL_EXPENDITURE").values;
    const rev = table.numeric("TOTAL_REVENUE").values;
    const loc = table.numeric("LOCAL_REVENUE").values;
    const ppe = new Float64Array(n);
    const rpp = new Float64Array(n);
    const share = new Float64Array(n);
    let noEnroll = 0;
    for (let i = 0; i < n; i++) {
      const e = enroll[i] as number;
      const r = rev[i] as number;
      if (!(e > 0)) noEnroll++;
      ppe[i] = e > 0 ? (1000 * (exp[i] as number)) / e : Number.NaN;
      rpp[i] = e > 0 ? (1000 * r) / e : Number.NaN;
      share[i] = r > 0 ? (loc[i] as number) / r : Number.NaN;
    }
    out = out.withColumns([
      numericColumn("ppe_total", ppe),
      numericColumn("rev_per_pupil", rpp),
      numericColumn("local_share", share),
    ]);
    report.note(
      "ppe_total and rev_per_pupil in dollars per pupil (x1000 from thousands); local_share a ratio",
    );
    if (noEnroll > 0) report.note(`${noEnroll} rows with ENROLL missing or <= 0: per-pupil values missing`);
  }
  return { table: out, report: report.finish(n, n) };
}
