/**
 * Deterministic data for the benchmarks: a seeded PRNG (mulberry32, never Math.random), generators that fill
 * typed arrays, and CSV writers that stream to disk in 1 MiB chunks (the file is never one string).
 *
 * Every generated number is rounded to a fixed number of decimals, k / 10^d, computed as one correctly rounded
 * division. Its shortest decimal representation (what String() writes) is then exactly that decimal, so a
 * reader that parses correctly (ours, data.table::fread) gets back the very same double: the typed arrays used
 * in-process and the CSV read by R hold identical data, and coefficients can be compared to rounding level.
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/** Bumped whenever a generator changes, so that cached CSV files are regenerated. */
export const GENERATOR_VERSION = 2;

import { mulberry32, normalSource } from "../src/numeric/random.js";

export { mulberry32, normalSource };

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/** v rounded to d decimals, as the double nearest to the decimal (see the header). */
export function roundTo(v: number, d: number): number {
  const p = POW10[d] as number;
  return Math.round(v * p) / p;
}

// ---------------------------------------------------------------- case 1 / case 3 data

export const OLS_SEED = 20240601;
export const OLS_FIRMS = 100_000;
export const OLS_YEARS = 50;
export const OLS_REGRESSORS = ["x1", "x2", "x3", "x4", "x5"] as const;
export const OLS_COLUMNS = ["y", ...OLS_REGRESSORS, "firm", "year"] as const;

export interface OlsData {
  n: number;
  y: Float64Array;
  /** x1..x5. */
  x: Float64Array[];
  /** 1..OLS_FIRMS. */
  firm: Int32Array;
  /** 1971..2020. */
  year: Int32Array;
}

/**
 * y = 1 + x1 + x2 + x3 + x4 + x5 + e. The x's are correlated (a common factor) and have firm-level components,
 * and e has firm and year shocks, so that clustering matters; everything is rounded to 6 decimals.
 */
export function generateOlsData(n: number, seed = OLS_SEED): OlsData {
  const uniform = mulberry32(seed);
  const normal = normalSource(uniform);
  const firmEffect = Float64Array.from({ length: OLS_FIRMS }, () => normal());
  const yearEffect = Float64Array.from({ length: OLS_YEARS }, () => 0.5 * normal());
  const x = OLS_REGRESSORS.map(() => new Float64Array(n));
  const y = new Float64Array(n);
  const firm = new Int32Array(n);
  const year = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const f = Math.floor(uniform() * OLS_FIRMS);
    const t = Math.floor(uniform() * OLS_YEARS);
    firm[i] = f + 1;
    year[i] = 1971 + t;
    const common = normal();
    const fe = firmEffect[f] as number;
    let sum = 1;
    for (let j = 0; j < x.length; j++) {
      const v = roundTo(0.5 * common + 0.3 * fe + normal(), 6);
      (x[j] as Float64Array)[i] = v;
      sum += v;
    }
    y[i] = roundTo(sum + fe + (yearEffect[t] as number) + 2 * normal(), 6);
  }
  return { n, y, x, firm, year };
}

// ---------------------------------------------------------------- CSV writing

/** Buffered writer: text is encoded into a 1 MiB buffer that is flushed to the file descriptor when full. */
export class CsvSink {
  private readonly fd: number;
  private readonly buffer = Buffer.allocUnsafe(1 << 20);
  private offset = 0;
  bytes = 0;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, "w");
  }

  /** Appends ASCII text (numbers, commas, names, newlines). */
  write(text: string): void {
    if (this.offset + text.length > this.buffer.length) this.flush();
    if (text.length > this.buffer.length) {
      writeSync(this.fd, text);
      this.bytes += text.length;
      return;
    }
    this.offset += this.buffer.write(text, this.offset, "latin1");
  }

  private flush(): void {
    let done = 0;
    while (done < this.offset) done += writeSync(this.fd, this.buffer, done, this.offset - done);
    this.bytes += this.offset;
    this.offset = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Writes the case-1 data as y,x1,...,x5,firm,year. Returns the file size in bytes. */
export function writeOlsCsv(path: string, data: OlsData): number {
  const sink = new CsvSink(path);
  sink.write(`${OLS_COLUMNS.join(",")}\n`);
  const [x1, x2, x3, x4, x5] = data.x as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  for (let i = 0; i < data.n; i++) {
    sink.write(`${data.y[i]},${x1[i]},${x2[i]},${x3[i]},${x4[i]},${x5[i]},${data.firm[i]},${data.year[i]}\n`);
  }
  sink.close();
  return sink.bytes;
}

/**
 * Ten numeric columns with mixed formats, to exercise the number parser rather than one pattern:
 * integers, 1 to 8 decimals, negative values, magnitudes from 1e-3 to 1e6.
 */
export const INGEST_COLUMNS: readonly { name: string; decimals: number; scale: number; offset: number }[] = [
  { name: "id", decimals: 0, scale: 0, offset: 0 }, // row number
  { name: "count", decimals: 0, scale: 500, offset: 1000 },
  { name: "share", decimals: 4, scale: 0.2, offset: 0.5 },
  { name: "income", decimals: 2, scale: 20_000, offset: 55_000 },
  { name: "z", decimals: 6, scale: 1, offset: 0 },
  { name: "rate", decimals: 8, scale: 0.01, offset: 0.03 },
  { name: "log_pop", decimals: 5, scale: 1.5, offset: 10 },
  { name: "delta", decimals: 3, scale: 100, offset: 0 },
  { name: "ppe", decimals: 1, scale: 3_000, offset: 12_000 },
  { name: "tiny", decimals: 7, scale: 0.001, offset: 0 },
];

/**
 * Writes rows of INGEST_COLUMNS until the file reaches `targetBytes`. Returns rows written and bytes.
 */
export function writeIngestCsv(
  path: string,
  targetBytes: number,
  seed = 7,
): { rows: number; bytes: number; columns: string[] } {
  const uniform = mulberry32(seed);
  const normal = normalSource(uniform);
  const sink = new CsvSink(path);
  const columns = INGEST_COLUMNS.map((c) => c.name);
  sink.write(`${columns.join(",")}\n`);
  let rows = 0;
  const fields: string[] = new Array(INGEST_COLUMNS.length);
  while (sink.bytes < targetBytes) {
    // `bytes` counts flushed output (flushes happen every MiB), checked every 8192 rows.
    for (let r = 0; r < 8192; r++) {
      rows++;
      for (let j = 0; j < INGEST_COLUMNS.length; j++) {
        const c = INGEST_COLUMNS[j] as (typeof INGEST_COLUMNS)[number];
        const v = j === 0 ? rows : roundTo(c.offset + c.scale * normal(), c.decimals);
        fields[j] = String(v);
      }
      sink.write(`${fields.join(",")}\n`);
    }
  }
  sink.close();
  return { rows, bytes: sink.bytes, columns };
}

// ---------------------------------------------------------------- wide (Atlas-like) file

const WIDE_RACES = ["pooled", "white", "black", "hisp", "asian", "natam", "other"] as const;
const WIDE_GENDERS = ["pooled", "male", "female"] as const;
const WIDE_PCTS = [1, 10, 20, 25, 40, 50, 60, 70, 75, 80, 90, 100] as const;

/**
 * The numeric columns of the wide file, as the Opportunity Atlas names them: kfr_<race>_<gender>_p<pct> and its
 * standard error kfr_<race>_<gender>_p<pct>_se; 7 races x 3 genders x 12 percentiles x 2 = 504 columns.
 */
export const WIDE_NUMERIC_COLUMNS: readonly string[] = WIDE_RACES.flatMap((race) =>
  WIDE_GENDERS.flatMap((gender) =>
    WIDE_PCTS.flatMap((p) => [`kfr_${race}_${gender}_p${p}`, `kfr_${race}_${gender}_p${p}_se`]),
  ),
);
export const WIDE_COLUMNS: readonly string[] = ["cty", "county_name", ...WIDE_NUMERIC_COLUMNS];
/** The 5 columns the benchmark selects: spread over the file (first, middle, last numeric columns). */
export const WIDE_SELECTION: readonly string[] = [
  "kfr_pooled_pooled_p25",
  "kfr_pooled_pooled_p25_se",
  "kfr_black_male_p50",
  "kfr_hisp_female_p75_se",
  "kfr_other_female_p100",
];

const SYLLABLES = [
  "al",
  "ba",
  "cor",
  "den",
  "el",
  "fay",
  "gar",
  "han",
  "ir",
  "jef",
  "kel",
  "lin",
  "mar",
  "nor",
];

/** ~3,200 FIPS-like county codes (state 01-56, odd county numbers) with made-up names, some needing quotes. */
function wideCounties(uniform: () => number): { ids: string[]; names: string[] } {
  const ids: string[] = [];
  const names: string[] = [];
  for (let state = 1; state <= 56; state++) {
    const count = 20 + Math.floor(uniform() * 75);
    for (let c = 0; c < count; c++) {
      ids.push(`${String(state).padStart(2, "0")}${String(2 * c + 1).padStart(3, "0")}`);
      let name = "";
      const parts = 2 + Math.floor(uniform() * 2);
      for (let k = 0; k < parts; k++) name += SYLLABLES[Math.floor(uniform() * SYLLABLES.length)];
      name = `${name[0]?.toUpperCase()}${name.slice(1)}`;
      const r = uniform();
      // As in the Atlas: a few names carry a comma (quoted) or an escaped quote.
      if (r < 0.02) names.push(`"${name}, City and Borough of"`);
      else if (r < 0.025) names.push(`"${name} ""Old"" County"`);
      else names.push(`${name} ${r < 0.9 ? "County" : "Parish"}`);
    }
  }
  return { ids, names };
}

/** Bumped when writeWideCsv changes (part of the wide file's cache key; GENERATOR_VERSION covers the others). */
export const WIDE_GENERATOR_VERSION = 1;

/**
 * Writes an Atlas-like wide CSV until it reaches `targetBytes`: cty (5-digit zero-padded code, text),
 * county_name (text, a few quoted), then WIDE_NUMERIC_COLUMNS written as the Atlas writes them, without a
 * leading zero: estimates like .36166623 (8 decimals), standard errors like .0050261188 (10 decimals). Cells are
 * empty (missing) for small groups: about 4% of rows miss a whole race group, and 1% of other cells are empty.
 */
export function writeWideCsv(
  path: string,
  targetBytes: number,
  seed = 11,
): { rows: number; bytes: number; columns: number } {
  const uniform = mulberry32(seed);
  const { ids, names } = wideCounties(uniform);
  const sink = new CsvSink(path);
  sink.write(`${WIDE_COLUMNS.join(",")}\n`);
  const perRace = WIDE_GENDERS.length * WIDE_PCTS.length * 2;
  let rows = 0;
  while (sink.bytes < targetBytes) {
    for (let r = 0; r < 256; r++) {
      const county = rows % ids.length;
      rows++;
      let line = `${ids[county]},${names[county]}`;
      const level = 0.3 + 0.2 * uniform();
      for (let race = 0; race < WIDE_RACES.length; race++) {
        const absent = race > 0 && uniform() < 0.04;
        for (let j = 0; j < perRace; j += 2) {
          if (absent || uniform() < 0.01) {
            line += ",,";
            continue;
          }
          // Estimate in [.1, .9) with 8 decimals; standard error in [.001, .01) with 10 decimals.
          const estimate = 10_000_000 + Math.floor((level + 0.4 * uniform()) * 80_000_000);
          const se = 10_000_000 + Math.floor(uniform() * 90_000_000);
          line += `,.${estimate},.00${se}`;
        }
      }
      sink.write(`${line}\n`);
    }
  }
  sink.close();
  return { rows, bytes: sink.bytes, columns: WIDE_COLUMNS.length };
}
