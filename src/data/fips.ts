/**
 * FIPS codes as zero-padded strings: 2-digit state, 5-digit county (state + 3), 11-digit census tract
 * (county + 6).
 *
 * Accepted spellings of a code: an integer number (1001), a digit string with or without its leading zeros
 * ("1001", "01001"), and the same with a zero fractional part as written by Stata/pandas float exports
 * ("1001.0", "2170975100.00"). Everything else is refused with a data error that names the file, line and
 * column when the caller passes them:
 *   - anything in scientific notation ("5.50012E+12"): Excel rounded it and the original digits are gone;
 *   - fractions (1001.5), signs, letters, too many digits for the level;
 *   - a state part that is not a state/DC/PR/island-area code (03, 07, 14, 43, 52, 57+ other than 60/66/69/72/78);
 *   - a county part 000 (a statewide total, not a county) and a tract part 000000.
 *
 * State names and postal codes map to the 2-digit code (50 states, DC, Puerto Rico and the four island areas).
 * Names are matched case-insensitively after dropping punctuation and collapsing spaces; no prefix or fuzzy
 * matching, so "Virginia" never becomes "West Virginia" and an unknown name is an error, not a guess.
 *
 * County code changes between census vintages are in COUNTY_FIPS_CHANGES below.
 */
import { dataError } from "../errors.js";

/** Where a value came from, for error messages: "file line 12, column 'FIPSCO': ...". */
export interface FipsContext {
  source?: string;
  line?: number;
  column?: string;
}

export interface StateInfo {
  fips: string;
  postal: string;
  name: string;
}

/** 50 states, DC and Puerto Rico, plus the island areas (AS, GU, MP, VI) that some federal files carry. */
export const STATES: readonly StateInfo[] = [
  { fips: "01", postal: "AL", name: "Alabama" },
  { fips: "02", postal: "AK", name: "Alaska" },
  { fips: "04", postal: "AZ", name: "Arizona" },
  { fips: "05", postal: "AR", name: "Arkansas" },
  { fips: "06", postal: "CA", name: "California" },
  { fips: "08", postal: "CO", name: "Colorado" },
  { fips: "09", postal: "CT", name: "Connecticut" },
  { fips: "10", postal: "DE", name: "Delaware" },
  { fips: "11", postal: "DC", name: "District of Columbia" },
  { fips: "12", postal: "FL", name: "Florida" },
  { fips: "13", postal: "GA", name: "Georgia" },
  { fips: "15", postal: "HI", name: "Hawaii" },
  { fips: "16", postal: "ID", name: "Idaho" },
  { fips: "17", postal: "IL", name: "Illinois" },
  { fips: "18", postal: "IN", name: "Indiana" },
  { fips: "19", postal: "IA", name: "Iowa" },
  { fips: "20", postal: "KS", name: "Kansas" },
  { fips: "21", postal: "KY", name: "Kentucky" },
  { fips: "22", postal: "LA", name: "Louisiana" },
  { fips: "23", postal: "ME", name: "Maine" },
  { fips: "24", postal: "MD", name: "Maryland" },
  { fips: "25", postal: "MA", name: "Massachusetts" },
  { fips: "26", postal: "MI", name: "Michigan" },
  { fips: "27", postal: "MN", name: "Minnesota" },
  { fips: "28", postal: "MS", name: "Mississippi" },
  { fips: "29", postal: "MO", name: "Missouri" },
  { fips: "30", postal: "MT", name: "Montana" },
  { fips: "31", postal: "NE", name: "Nebraska" },
  { fips: "32", postal: "NV", name: "Nevada" },
  { fips: "33", postal: "NH", name: "New Hampshire" },
  { fips: "34", postal: "NJ", name: "New Jersey" },
  { fips: "35", postal: "NM", name: "New Mexico" },
  { fips: "36", postal: "NY", name: "New York" },
  { fips: "37", postal: "NC", name: "North Carolina" },
  { fips: "38", postal: "ND", name: "North Dakota" },
  { fips: "39", postal: "OH", name: "Ohio" },
  { fips: "40", postal: "OK", name: "Oklahoma" },
  { fips: "41", postal: "OR", name: "Oregon" },
  { fips: "42", postal: "PA", name: "Pennsylvania" },
  { fips: "44", postal: "RI", name: "Rhode Island" },
  { fips: "45", postal: "SC", name: "South Carolina" },
  { fips: "46", postal: "SD", name: "South Dakota" },
  { fips: "47", postal: "TN", name: "Tennessee" },
  { fips: "48", postal: "TX", name: "Texas" },
  { fips: "49", postal: "UT", name: "Utah" },
  { fips: "50", postal: "VT", name: "Vermont" },
  { fips: "51", postal: "VA", name: "Virginia" },
  { fips: "53", postal: "WA", name: "Washington" },
  { fips: "54", postal: "WV", name: "West Virginia" },
  { fips: "55", postal: "WI", name: "Wisconsin" },
  { fips: "56", postal: "WY", name: "Wyoming" },
  { fips: "60", postal: "AS", name: "American Samoa" },
  { fips: "66", postal: "GU", name: "Guam" },
  { fips: "69", postal: "MP", name: "Northern Mariana Islands" },
  { fips: "72", postal: "PR", name: "Puerto Rico" },
  { fips: "78", postal: "VI", name: "U.S. Virgin Islands" },
];

const STATE_CODES = new Set(STATES.map((s) => s.fips));

/** Other spellings seen in our files (STNAME in F-33 is upper case in 1997+, which the normalisation covers). */
const STATE_ALIASES: Record<string, string> = {
  "washington dc": "11",
  "washington d c": "11",
  "d c": "11",
  "dist of columbia": "11",
  "dist columbia": "11",
  "virgin islands": "78",
  "us virgin islands": "78",
  "virgin islands of the us": "78",
  "commonwealth of puerto rico": "72",
  marianas: "69",
  "northern marianas": "69",
  "commonwealth of marianas": "69",
  "commonwealth of the northern mariana islands": "69",
};

const STATE_BY_KEY: Map<string, string> = (() => {
  const map = new Map<string, string>();
  for (const s of STATES) {
    map.set(nameKey(s.name), s.fips);
    map.set(s.postal.toLowerCase(), s.fips);
  }
  for (const [alias, fips] of Object.entries(STATE_ALIASES)) map.set(alias, fips);
  return map;
})();

function nameKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/[.,'’]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function where(context: FipsContext | undefined): string {
  if (context === undefined) return "";
  const parts: string[] = [];
  if (context.source !== undefined)
    parts.push(context.line !== undefined ? `${context.source} line ${context.line}` : context.source);
  else if (context.line !== undefined) parts.push(`line ${context.line}`);
  if (context.column !== undefined) parts.push(`column '${context.column}'`);
  return parts.length > 0 ? `${parts.join(", ")}: ` : "";
}

function fail(context: FipsContext | undefined, expected: string, value: unknown, why?: string): never {
  const shown = typeof value === "string" ? `'${value}'` : String(value);
  throw dataError(`${where(context)}expected ${expected}, found ${shown}${why ? ` (${why})` : ""}`);
}

const DIGITS_WITH_ZERO_FRACTION = /^(\d+)(?:\.0*)?$/;
const SCIENTIFIC = /^[+-]?\d*\.?\d*[eE][+-]?\d*$/;

/**
 * The digits of an integer code, without leading zeros handling: "01001" -> "01001", "1001.0" -> "1001",
 * 1001 -> "1001". Refuses scientific notation, fractions and anything not a non-negative integer.
 */
function codeDigits(value: string | number, expected: string, context?: FipsContext): string {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0 || !Number.isInteger(value) || !Number.isSafeInteger(value)) {
      fail(context, expected, value, "not a non-negative integer");
    }
    return String(value);
  }
  const token = value.trim();
  if (token === "") fail(context, expected, value, "empty");
  const match = DIGITS_WITH_ZERO_FRACTION.exec(token);
  if (match !== null) return match[1] as string;
  if (SCIENTIFIC.test(token) && /\d/.test(token)) {
    fail(context, expected, value, "scientific notation: the digits were rounded away, probably by Excel");
  }
  return fail(context, expected, value);
}

/** Pads `digits` (leading zeros allowed) to `width`, refusing more significant digits than fit. */
function padTo(digits: string, width: number, expected: string, raw: unknown, context?: FipsContext): string {
  const stripped = digits.replace(/^0+(?=\d)/, "");
  if (stripped.length > width) fail(context, expected, raw, `more than ${width} digits`);
  return stripped.padStart(width, "0");
}

function checkState(code: string, expected: string, raw: unknown, context?: FipsContext): void {
  if (!STATE_CODES.has(code)) fail(context, expected, raw, `'${code}' is not a state FIPS code`);
}

/**
 * A 2-digit state FIPS code from a number, a code string, a postal abbreviation or a state name.
 * stateFips(6) = stateFips("06") = stateFips("CA") = stateFips("california") = "06".
 */
export function stateFips(value: string | number, context?: FipsContext): string {
  const expected = "a state FIPS code, postal abbreviation or state name";
  if (typeof value === "string" && /[A-Za-z]/.test(value) && !SCIENTIFIC.test(value.trim())) {
    const code = STATE_BY_KEY.get(nameKey(value));
    if (code === undefined) fail(context, expected, value, "unknown state");
    return code;
  }
  const code = padTo(codeDigits(value, expected, context), 2, expected, value, context);
  checkState(code, expected, value, context);
  return code;
}

/** True for a valid 2-digit state code string ("01".."56" in use, "60", "66", "69", "72", "78"). */
export function isStateFips(code: string): boolean {
  return STATE_CODES.has(code);
}

/** The state record for a 2-digit code, or undefined. */
export function stateInfo(code: string): StateInfo | undefined {
  return STATES.find((s) => s.fips === code);
}

/**
 * A 5-digit county FIPS code from one value ("1001", 1001, "01001", "1001.0") or, with two arguments, from
 * its state and county parts: countyFips(1, 1) = countyFips("AL", "001") = "01001".
 */
export function countyFips(value: string | number, context?: FipsContext): string;
export function countyFips(state: string | number, county: string | number, context?: FipsContext): string;
export function countyFips(a: string | number, b?: string | number | FipsContext, c?: FipsContext): string {
  if (b === undefined || typeof b === "object") {
    const context = b;
    const expected = "a 5-digit county FIPS code";
    const code = padTo(codeDigits(a, expected, context), 5, expected, a, context);
    checkState(code.slice(0, 2), expected, a, context);
    if (code.endsWith("000")) fail(context, expected, a, "county part 000 is a state total");
    return code;
  }
  const context = c;
  const state = stateFips(a, context);
  const expected = "a 3-digit county FIPS code";
  const county = padTo(codeDigits(b, expected, context), 3, expected, b, context);
  if (county === "000") fail(context, expected, b, "county part 000 is a state total");
  return `${state}${county}`;
}

/** An 11-digit census tract code: state (2) + county (3) + tract (6). "2020002303.0" -> "02020002303". */
export function tractFips(value: string | number, context?: FipsContext): string {
  const expected = "an 11-digit census tract FIPS code";
  const code = padTo(codeDigits(value, expected, context), 11, expected, value, context);
  checkState(code.slice(0, 2), expected, value, context);
  if (code.slice(2, 5) === "000") fail(context, expected, value, "county part 000");
  if (code.slice(5) === "000000") fail(context, expected, value, "tract part 000000");
  return code;
}

/**
 * A tract code from its parts as HUD's LIHTC file writes them: state, county, and the tract as a decimal
 * number of hundredths ("23.03" is tract 002303, "6.0" is 000600).
 */
export function tractFromParts(
  state: string | number,
  county: string | number,
  tract: string | number,
  context?: FipsContext,
): string {
  const c5 = countyFips(state, county, context);
  const expected = "a census tract number like 23.03 (at most 4 digits before the point, 2 after)";
  const text = typeof tract === "number" ? String(tract) : tract.trim();
  const match = /^(\d{1,4})(?:\.(\d{0,2}))?$/.exec(text);
  if (match === null) fail(context, expected, tract);
  const whole = (match[1] as string).padStart(4, "0");
  const hundredths = (match[2] ?? "").padEnd(2, "0");
  const code = `${c5}${whole}${hundredths}`;
  if (code.slice(5) === "000000") fail(context, expected, tract, "tract part 000000");
  return code;
}

// ---------------------------------------------------------------------------------------------------------------
// County FIPS changes
// ---------------------------------------------------------------------------------------------------------------

/**
 * One change of a county code between census vintages.
 *
 * Source of every entry: U.S. Census Bureau, "Substantial Changes to Counties and County Equivalent Entities:
 * 1970-Present" (census.gov, Geography > Reference > County changes), cross-checked for Clifton Forge and
 * Broomfield against the Census Bureau's ACS "2009 Geography Changes" note. `year` is the year the change took
 * effect; a file of vintage V (data as of V) uses the old code when V < year and the new one when V >= year.
 */
export interface CountyFipsChange {
  year: number;
  /** The code that stopped being used ("" for a county created from parts of others). */
  from: string;
  /** The code `from` maps to (for splits: the successor holding most of the land/population, see note). */
  to: string;
  /** Other codes that received part of `from`'s territory (splits), or, for created counties, the parents. */
  partsTo?: readonly string[];
  kind: "recode" | "merge" | "split" | "created";
  note: string;
}

export const COUNTY_FIPS_CHANGES: readonly CountyFipsChange[] = [
  {
    year: 1992,
    from: "02231",
    to: "02232",
    partsTo: ["02282"],
    kind: "split",
    note:
      "Skagway-Yakutat-Angoon Census Area (02231): Yakutat City and Borough (02282) created from part of it " +
      "(Sept 1992); the remainder became Skagway-Hoonah-Angoon Census Area (02232). Mapped to 02232, the remainder.",
  },
  {
    year: 1995,
    from: "51780",
    to: "51083",
    kind: "merge",
    note: "South Boston independent city (51780) became a town and was added to Halifax County (51083), 1995.",
  },
  {
    year: 1997,
    from: "12025",
    to: "12086",
    kind: "recode",
    note: "Dade County (12025) renamed Miami-Dade County with the new code 12086, 1997.",
  },
  {
    year: 1997,
    from: "30113",
    to: "30067",
    partsTo: ["30031"],
    kind: "split",
    note:
      "Yellowstone National Park (part) (30113), a county equivalent, was annexed to Gallatin (30031) and Park " +
      "(30067) counties (the Census Bureau applied the 1978 dissolution in 1997). Mapped to Park County (30067), " +
      "which received the larger share of the land area (about 146 of 245 sq mi); the 1990 population was 52.",
  },
  {
    year: 2001,
    from: "51560",
    to: "51005",
    kind: "merge",
    note: "Clifton Forge independent city (51560) became a town within Alleghany County (51005), July 2001.",
  },
  {
    year: 2001,
    from: "",
    to: "08014",
    partsTo: ["08001", "08013", "08059", "08123"],
    kind: "created",
    note:
      "Broomfield County (08014) created Nov 2001 from parts of Adams (08001), Boulder (08013), Jefferson (08059) " +
      "and Weld (08123) counties. The parents keep their codes, so no older code maps to 08014: data for " +
      "Broomfield before 2001 sits inside the four parents and cannot be separated by code alone.",
  },
  {
    year: 2007,
    from: "02232",
    to: "02105",
    partsTo: ["02230"],
    kind: "split",
    note:
      "Skagway-Hoonah-Angoon Census Area (02232) split (2007): Skagway Municipality (02230) and Hoonah-Angoon " +
      "Census Area (02105). Mapped to 02105, the larger part by land and population.",
  },
  {
    year: 2008,
    from: "02201",
    to: "02198",
    partsTo: ["02130", "02275"],
    kind: "split",
    note:
      "Prince of Wales-Outer Ketchikan Census Area (02201) became Prince of Wales-Hyder Census Area (02198) in " +
      "2008, with parts going to Ketchikan Gateway Borough (02130) and the new Wrangell City and Borough (02275). " +
      "Mapped to 02198.",
  },
  {
    year: 2008,
    from: "02280",
    to: "02195",
    partsTo: ["02275"],
    kind: "split",
    note:
      "Wrangell-Petersburg Census Area (02280) split (2008) into Wrangell City and Borough (02275) and Petersburg " +
      "Census Area (02195; Petersburg Borough from 2013, same code). Mapped to 02195, the larger part by population.",
  },
  {
    year: 2013,
    from: "51515",
    to: "51019",
    kind: "merge",
    note: "Bedford independent city (51515) became a town and was added to Bedford County (51019), July 2013.",
  },
  {
    year: 2015,
    from: "02270",
    to: "02158",
    kind: "recode",
    note: "Wade Hampton Census Area (02270) renamed Kusilvak Census Area with the new code 02158, July 2015.",
  },
  {
    year: 2015,
    from: "46113",
    to: "46102",
    kind: "recode",
    note: "Shannon County, SD (46113) renamed Oglala Lakota County with the new code 46102, May 2015.",
  },
  {
    year: 2019,
    from: "02261",
    to: "02063",
    partsTo: ["02066"],
    kind: "split",
    note:
      "Valdez-Cordova Census Area (02261) split (Jan 2019) into Chugach Census Area (02063) and Copper River " +
      "Census Area (02066). Mapped to 02063, the larger part by population.",
  },
];

/**
 * The county-code vintage of the Opportunity Atlas county file (county_outcomes_simple.csv): it has the 2015
 * codes Kusilvak 02158 and Oglala Lakota 46102 and still Valdez-Cordova 02261 (split in 2019), so vintages 2015
 * to 2018 match it. Measured on the F-33 FY1995 districts: 3,123 Atlas counties matched with 2015 (F-33 only:
 * 51780, South Boston, merged into Halifax in 1995), 3,122 with 2020 (02261 is then 02063, not in the Atlas),
 * 3,121 with 2010 (02270 and 46113 unmatched), 3,117 without updating.
 */
export const ATLAS_FIPS_VINTAGE = 2015;

/** A vintage option: a year, or "atlas" for ATLAS_FIPS_VINTAGE. */
export function resolveFipsVintage(value: number | "atlas"): number {
  return value === "atlas" ? ATLAS_FIPS_VINTAGE : value;
}

export interface CountyFipsUpdate {
  fips: string;
  /** The changes applied, oldest first (empty when the code did not change). */
  applied: readonly CountyFipsChange[];
  /** True when a split sent part of the territory elsewhere, so the mapping is approximate. */
  approximate: boolean;
}

/**
 * The code a county had at `toVintage`, given its code at `fromVintage` (years; chains such as
 * 02231 -> 02232 -> 02105 are followed). Only forward in time: going back cannot be done by code (a split or a
 * created county has no single predecessor), so `toVintage < fromVintage` is an error.
 */
export function updateCountyFipsDetailed(
  fips: string,
  fromVintage: number,
  toVintage: number,
): CountyFipsUpdate {
  if (!Number.isInteger(fromVintage) || !Number.isInteger(toVintage) || toVintage < fromVintage) {
    throw dataError(
      `updateCountyFips: vintages must be years with from <= to (found ${fromVintage} -> ${toVintage}); ` +
        "county codes can only be updated forward in time",
    );
  }
  let code = countyFips(fips);
  const applied: CountyFipsChange[] = [];
  for (const change of COUNTY_FIPS_CHANGES) {
    if (change.year <= fromVintage || change.year > toVintage) continue;
    if (change.kind === "created" || change.from !== code) continue;
    applied.push(change);
    code = change.to;
  }
  return { fips: code, applied, approximate: applied.some((c) => c.kind === "split") };
}

/** updateCountyFipsDetailed(...).fips: the code at `toVintage`. */
export function updateCountyFips(fips: string, fromVintage: number, toVintage: number): string {
  return updateCountyFipsDetailed(fips, fromVintage, toVintage).fips;
}
