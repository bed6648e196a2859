import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readAtlas, readChetty2014County, readChetty2014Cz } from "../../src/data/readers/atlas.js";
import { FIX, num, rowWhere, str } from "./helpers.js";

const ATLAS = `${FIX}/atlas_county_outcomes.csv`;

describe("Opportunity Atlas county outcomes", () => {
  it("reads the real layout and adds 5-digit fips", async () => {
    const { table, report } = await readAtlas(ATLAS);
    expect(table.nrows).toBe(30);
    expect(table.names.slice(0, 5)).toEqual(["fips", "state", "county", "cz", "czname"]);
    // Values checked against county_outcomes_simple.csv lines 2, 96 and 83.
    const autauga = rowWhere(table, "fips", "01001");
    expect(num(table, "kfr_pooled_pooled_p25", autauga)).toBe(0.36166623);
    expect(num(table, "pooled_pooled_count", autauga)).toBe(5922.3921);
    expect(num(table, "cz", autauga)).toBe(11101);
    expect(str(table, "czname", autauga)).toBe("Montgomery");
    expect(num(table, "kfr_pooled_pooled_p25", rowWhere(table, "fips", "46102"))).toBe(0.24840364);
    expect(num(table, "kfr_pooled_pooled_p25", rowWhere(table, "fips", "12086"))).toBe(0.40987024);
    expect(str(table, "czname", rowWhere(table, "fips", "02158"))).toBe("Bethel");
    expect(report.rowsRead).toBe(30);
    expect(report.notes.join("\n")).toMatch(/2 counties have no commuting zone/);
  });

  it("long: one row per county x race x gender x pct with kfr, kfr_se, count", async () => {
    const { table, report } = await readAtlas(ATLAS, { long: true });
    expect(table.nrows).toBe(30 * 12);
    expect(table.names).toEqual([
      "fips",
      "state",
      "county",
      "cz",
      "czname",
      "race",
      "gender",
      "pct",
      "kfr",
      "kfr_se",
      "jail",
      "jail_se",
      "count",
    ]);
    // Autauga, black male p25: kfr_black_male_p25 = .29705879, _se = .010722122, black_male_count = 989.14886.
    let row = -1;
    for (let i = 0; i < table.nrows; i++) {
      if (
        str(table, "fips", i) === "01001" &&
        str(table, "race", i) === "black" &&
        str(table, "gender", i) === "male"
      )
        row = i;
    }
    expect(num(table, "pct", row)).toBe(25);
    expect(num(table, "kfr", row)).toBe(0.29705879);
    expect(num(table, "kfr_se", row)).toBe(0.010722122);
    expect(num(table, "count", row)).toBe(989.14886);
    expect(num(table, "jail", row)).toBe(0.11109965);
    expect(report.rowsOut).toBe(360);
  });

  it("names the missing required column", async () => {
    const path = join(tmpdir(), `atlas-bad-${process.pid}.csv`);
    writeFileSync(
      path,
      "state,cz,czname,kfr_pooled_pooled_p25,pooled_pooled_count\n1,11101,Montgomery,.36,5922\n",
    );
    await expect(readAtlas(path)).rejects.toThrow(
      `${path}: missing required column 'county' for the atlas reader`,
    );
  });

  it("names file, line and column of a non-number", async () => {
    const path = join(tmpdir(), `atlas-bad2-${process.pid}.csv`);
    writeFileSync(
      path,
      "state,county,cz,czname,kfr_pooled_pooled_p25,pooled_pooled_count\n1,1,11101,Montgomery,.36,5922\n1,x3,11001,Mobile,.38,100\n",
    );
    await expect(readAtlas(path)).rejects.toThrow(
      `${path} line 3, column 'county': expected a number, found 'x3'`,
    );
  });

  it("refuses an invalid state code", async () => {
    const path = join(tmpdir(), `atlas-bad3-${process.pid}.csv`);
    writeFileSync(
      path,
      "state,county,cz,czname,kfr_pooled_pooled_p25,pooled_pooled_count\n3,1,11101,X,.36,5922\n",
    );
    await expect(readAtlas(path)).rejects.toThrow(
      /line 2, column 'state\/county'.*'03' is not a state FIPS code/,
    );
  });
});

describe("Chetty, Hendren, Kline, Saez (2014) online tables", () => {
  it("Table III: county mobility with normalised names", async () => {
    const { table } = await readChetty2014County(`${FIX}/chetty2014_table3_subset.csv`);
    const autauga = rowWhere(table, "fips", "01001");
    expect(str(table, "state", autauga)).toBe("01");
    expect(str(table, "county_name", autauga)).toBe("Autauga");
    expect(num(table, "cz", autauga)).toBe(11101);
    expect(num(table, "abs_mobility", autauga)).toBe(38.38125);
    expect(num(table, "rank_slope", autauga)).toBe(0.44377);
    expect(num(table, "parent_income_p50", autauga)).toBe(53900);
    expect(table.has("County FIPS Code")).toBe(false);
  });

  it("Table V: CZ mobility with normalised names", async () => {
    const { table } = await readChetty2014Cz(`${FIX}/chetty2014_table5_subset.csv`);
    expect(table.nrows).toBe(30);
    expect(num(table, "cz", 0)).toBe(100);
    expect(str(table, "czname", 0)).toBe("Johnson City");
    expect(str(table, "state", 0)).toBe("47");
    expect(num(table, "am_8082", 0)).toBe(38.3875);
    expect(num(table, "rm_parent_income_2011_12", 0)).toBe(0.33133);
    expect(num(table, "am_white80_zips", 0)).toBe(38.368);
  });
});
