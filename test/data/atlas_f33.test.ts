/**
 * End to end: county per-pupil spending from the real 1995 F-33 district file (all 15,553 districts), as a
 * ratio of sums per county after moving 1995 county codes to the Atlas's 2010s vintage, merged 1:1 with the
 * Atlas extract. Checked against fixtures/readers/atlas_f33_expected.json, computed independently by
 * scripts/readers/check_atlas_f33.py (Python standard library, hand-written code changes).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { aggregateTable } from "../../src/data/ops/aggregate.js";
import { mergeTables } from "../../src/data/ops/merge.js";
import { readAtlas } from "../../src/data/readers/atlas.js";
import { readF33 } from "../../src/data/readers/f33.js";
import { FIX, num, rowWhere, str } from "./helpers.js";

interface Expected {
  merge: { atlas_rows: number; f33_counties: number; matched: number; atlas_only: number };
  counties: Record<
    string,
    {
      ppe: number | null;
      local_share: number | null;
      enrollment: number | null;
      n_districts: number | null;
      kfr_pooled_pooled_p25: number | null;
      czname: string;
    }
  >;
}

const expected = JSON.parse(readFileSync(`${FIX}/atlas_f33_expected.json`, "utf8")) as Expected;

describe("Atlas x F-33 1995 county file", () => {
  it("matches the independent Python computation", async () => {
    const f33 = await readF33("fixtures/f33_1995_districts.csv", { fipsVintage: 2015 });
    const counties = aggregateTable(f33.table, {
      by: ["fips"],
      ratio: ["ppe=TOTALEXP/V33", "local_share=TLOCREV/TOTALREV"],
      sum: ["enrollment=V33"],
      count: true,
    });
    // Districts without a county code form one trailing missing-key group; drop it before merging 1:1.
    const withFips = counties.take(Int32Array.from({ length: counties.nrows - 1 }, (_, i) => i));
    expect(str(counties, "fips", counties.nrows - 1)).toBeUndefined();
    expect(withFips.nrows).toBe(expected.merge.f33_counties);

    const atlas = await readAtlas(`${FIX}/atlas_county_outcomes.csv`);
    const { table, report } = mergeTables(atlas.table, withFips, {
      on: ["fips"],
      how: "left",
      expect: "1:1",
    });
    expect(report.leftRows).toBe(expected.merge.atlas_rows);
    expect(report.matchedLeft).toBe(expected.merge.matched);
    expect(report.leftOnly).toBe(expected.merge.atlas_only);

    for (const [fips, want] of Object.entries(expected.counties)) {
      const row = rowWhere(table, "fips", fips);
      expect(str(table, "czname", row)).toBe(want.czname);
      expect(num(table, "kfr_pooled_pooled_p25", row)).toBe(want.kfr_pooled_pooled_p25);
      for (const key of ["ppe", "local_share", "enrollment", "n"] as const) {
        const value = want[key === "n" ? "n_districts" : key];
        const got = num(table, key, row);
        if (value === null) expect(got, `${fips} ${key}`).toBeNaN();
        else expect(got, `${fips} ${key}`).toBeCloseTo(value, 9);
      }
    }
    // Spot checks by hand: Autauga AL has one district, 27,458,000 / 7,568; Miami-Dade comes from Dade (12025).
    const autauga = rowWhere(table, "fips", "01001");
    expect(num(table, "ppe", autauga)).toBeCloseTo(27458000 / 7568, 9);
    expect(num(table, "ppe", rowWhere(table, "fips", "12086"))).toBeCloseTo(2364342000 / 321615, 9);
    expect(num(table, "ppe", rowWhere(table, "fips", "08014"))).toBeNaN(); // Broomfield did not exist in 1995
  });
});
