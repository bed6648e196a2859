/**
 * TEA county numbers -> FIPS (src/data/readers/txCounties.ts) checked against the NCES Common Core of Data: every
 * campus of the real TAPR 2018-19 extract gets the county FIPS code that the CCD records for the same campus.
 */
import { existsSync, readFileSync } from "node:fs";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { readTea } from "../../src/data/readers/tea.js";
import { TX_COUNTIES } from "../../src/data/readers/txCounties.js";
import { FIX, str } from "./helpers.js";

const CCD = "../shared/data/tx_school_locations/tx-campuses-ccd.csv";

describe("Texas county FIPS for TEA files", () => {
  it("254 counties; the FIPS codes are Texas's 254 odd codes 48001-48507 (FIPS PUB 6-4), each once", () => {
    expect(TX_COUNTIES.length).toBe(254);
    const codes = TX_COUNTIES.map(([, , fips]) => fips).sort();
    expect(codes).toEqual(Array.from({ length: 254 }, (_, k) => `48${String(2 * k + 1).padStart(3, "0")}`));
    const byNumber = new Map(TX_COUNTIES.map(([n, name, fips]) => [n, [name, fips]]));
    expect(byNumber.get(154)).toEqual(["Madison", "48313"]); // TEA orders Mc- names after Maverick
    expect(byNumber.get(151)).toEqual(["Loving", "48301"]);
  });

  if (!existsSync(CCD))
    process.stdout.write(
      `txCounties.test: ${CCD} absent, the comparison with the CCD's county codes is skipped\n`,
    );
  it.skipIf(!existsSync(CCD))(
    "campus county_fips equals the CCD's CONUM for the same campus (SEASCH)",
    async () => {
      const { table } = await readTea(`${FIX}/tea_2018-2019_campus_accountability.csv`);
      const ccd = Papa.parse<Record<string, string>>(readFileSync(CCD, "utf8"), { header: true }).data;
      const conum = new Map(ccd.map((r) => [r.SEASCH, r.CONUM]));
      let compared = 0;
      for (let i = 0; i < table.nrows; i++) {
        const campus = str(table, "campus", i) as string;
        const want = conum.get(campus);
        if (want === undefined) continue; // campuses opened after the 2012-13 CCD
        expect(str(table, "county_fips", i), campus).toBe(want);
        compared++;
      }
      expect(compared).toBeGreaterThan(10);
    },
  );
});
