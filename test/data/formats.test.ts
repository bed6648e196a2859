/**
 * The file-format readers against R: haven (Stata .dta, the real HUD file and haven-written fixtures in formats
 * 113-119), readxl (the real TDHCA .xlsx and the Chetty et al. .xls) and R's reading of the CSV the Parquet
 * fixtures were written from by DuckDB (scripts/golden/formats.R, scripts/golden/parquet_fixtures.mjs).
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readCsv } from "../../src/data/csv.js";
import { readTableHeader } from "../../src/data/csvHeader.js";
import type { FormatReadOptions } from "../../src/data/formats/options.js";
import { stringAt, type Table } from "../../src/data/table.js";

interface GoldenColumn {
  name: string;
  type: "number" | "text";
  values: (string | null)[];
}
interface GoldenTable {
  nrows: number;
  columns: GoldenColumn[];
  names?: string[];
}

const golden = JSON.parse(readFileSync("test/golden/formats.json", "utf8"));
const SHARED = "../shared/data";
const hasShared = existsSync(SHARED);
if (!hasShared) console.log(`formats.test: ${SHARED} absent, the tests of the shared real files are skipped`);

/** Compares every column of `table` with the golden one (by position when names are not comparable). */
function expectSameTable(table: Table, want: GoldenTable, byPosition = false): void {
  expect(table.nrows).toBe(want.nrows);
  expect(table.columns.length).toBe(want.columns.length);
  want.columns.forEach((g, j) => {
    const column = byPosition ? table.columns[j] : table.column(g.name);
    if (column === undefined) throw new Error(`no column ${j}`);
    const where = `${g.name} (${column.name})`;
    const allMissing = g.values.every((v) => v === null);
    if (!allMissing) expect(column.kind === "number" ? "number" : "text", where).toBe(g.type);
    for (let i = 0; i < want.nrows; i++) {
      const expected = g.values[i] ?? null;
      if (column.kind === "number") {
        const v = column.values[i] as number;
        if (expected === null) expect(Number.isNaN(v), `${where} row ${i + 1}: ${v}`).toBe(true);
        else expect(v, `${where} row ${i + 1}`).toBe(Number(expected));
      } else {
        const s = stringAt(column, i) ?? null;
        if (
          expected !== null &&
          s !== null &&
          g.type === "text" &&
          s !== expected &&
          !Number.isNaN(Number(s))
        ) {
          // readxl writes a number cell of a text column with 17 digits, mobility the shortest exact text.
          expect(Number(s), `${where} row ${i + 1}`).toBe(Number(expected));
        } else expect(s, `${where} row ${i + 1}`).toBe(expected);
      }
    }
  });
}

describe("Stata .dta (haven 2.5.1 read_dta as the reference)", () => {
  it.skipIf(!hasShared)(
    "the real HUD LIHTC Alaska file (format 118: byte, int, long, float, double, strN, value labels)",
    async () => {
      const notes: string[] = [];
      const table = await readCsv(`${SHARED}/lihtc/hud_lihtcpub_AK_subset.dta`, {
        onNote: (n) => notes.push(n),
      });
      expectSameTable(table, golden.dta_real);
      expect(notes.join("\n")).toMatch(/value labels used as text for 2 variable\(s\): hud, state_num/);
      const codes = await readCsv(`${SHARED}/lihtc/hud_lihtcpub_AK_subset.dta`, {
        valueLabels: "codes",
        columns: golden.dta_real.labelled,
      });
      expectSameTable(codes, golden.dta_real_codes);
    },
  );

  for (const release of ["113", "114", "115", "117", "118", "119"]) {
    it(`haven-written format ${release} (strL from 117 on, value labels, missing values)`, async () => {
      const fixture = golden.dta_fixtures[release];
      expect(fixture.release_in_file).toBe(Number(release));
      const table = await readCsv(fixture.file);
      expectSameTable(table, fixture);
      expect(await readTableHeader(fixture.file)).toEqual(fixture.columns.map((c: GoldenColumn) => c.name));
    });
  }

  it("column selection and forced types", async () => {
    const file = "fixtures/formats/lihtc_ak_v118.dta";
    const table = await readCsv(file, { columns: ["n_units", "hud_id"], types: { n_units: "string" } });
    expect(table.names).toEqual(["n_units", "hud_id"]);
    const want = golden.dta_fixtures["118"].columns.find((c: GoldenColumn) => c.name === "n_units").values;
    const col = table.column("n_units");
    expect(col.kind).toBe("string");
    if (col.kind === "string") expect(stringAt(col, 0)).toBe(String(Number(want[0])));
    await expect(readCsv(file, { columns: ["nope"] })).rejects.toThrow(/no column 'nope'/);
  });
});

describe("Excel (readxl 1.4.2 read_excel as the reference)", () => {
  for (const [k, sheet] of [
    [0, "Submissions"],
    [1, "Tie Breakers"],
  ] as const) {
    it(`the real TDHCA 2017 award log .xlsx, sheet '${sheet}'`, async () => {
      const want = golden.xlsx[k];
      const options: FormatReadOptions = { sheet: want.sheet, skip: want.skip };
      const table = await readCsv(want.file, options);
      expectSameTable(table, want, true);
      // Names as readxl reads them, made unique as R's make.unique (readxl's "unique" repair writes x...3).
      const seen = new Map<string, number>();
      want.names.forEach((name: string, j: number) => {
        const k = seen.get(name) ?? 0;
        seen.set(name, k + 1);
        if (name !== "") expect(table.columns[j]?.name).toBe(k === 0 ? name.trim() : `${name.trim()}.${k}`);
      });
      expect(await readTableHeader(want.file, options)).toEqual(table.names);
    });
  }

  for (const k of [0, 1]) {
    it.skipIf(!hasShared)(
      `the real Chetty et al. (2014) online tables .xls, ${golden.xls[k].sheet}`,
      async () => {
        const want = golden.xls[k];
        const table = await readCsv(want.file, { sheet: want.sheet, skip: want.skip });
        expectSameTable(table, want, true);
      },
    );
  }

  it("names an unknown sheet and lists the sheets", async () => {
    await expect(readCsv("fixtures/formats/tdhca_2017_award_log.xlsx", { sheet: "Awards" })).rejects.toThrow(
      /no sheet 'Awards' \(sheets: 'Submissions', 'Tie Breakers'\)/,
    );
  });
});

describe("Parquet (DuckDB-written files; values as R reads the CSV they were written from)", () => {
  for (const variant of ["snappy", "zstd", "gzip", "none_rowgroups"]) {
    it(`f33 subset, ${variant} (INT32, INT64, DOUBLE, VARCHAR, BOOLEAN, DATE; nulls)`, async () => {
      const file = `fixtures/formats/f33_subset_${variant}.parquet`;
      const table = await readCsv(file);
      expectSameTable(table, golden.parquet);
      expect(await readTableHeader(file)).toEqual(golden.parquet.columns.map((c: GoldenColumn) => c.name));
      const two = await readCsv(file, { columns: ["TOTALREV", "NAME"] });
      expect(two.names).toEqual(["TOTALREV", "NAME"]);
    });
  }
});
