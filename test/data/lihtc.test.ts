import { describe, expect, it } from "vitest";
import { readHudLihtc, readTdhca } from "../../src/data/readers/lihtc.js";
import { FIX, num, rowWhere, str } from "./helpers.js";

describe("HUD LIHTC database", () => {
  it("normalises ids, units, coordinates and tract/county/state FIPS", async () => {
    const { table, report } = await readHudLihtc(`${FIX}/lihtc_hud_AK.csv`);
    expect(table.nrows).toBe(30);
    expect(table.names.slice(0, 11)).toEqual([
      "project_id",
      "project",
      "yr_pis",
      "yr_alloc",
      "units",
      "li_units",
      "lat",
      "lon",
      "state_fips",
      "county_fips",
      "tract_fips",
    ]);
    // hud_lihtcpub_AK_subset.csv line 3: AKA20030030, JEWELL LAKE VILLA, ..., fips2010 2020002303.0, n_units 125, li_units 110.0
    const jewell = rowWhere(table, "project_id", "AKA20030030");
    expect(str(table, "project", jewell)).toBe("JEWELL LAKE VILLA");
    expect(str(table, "tract_fips", jewell)).toBe("02020002303");
    expect(str(table, "county_fips", jewell)).toBe("02020");
    expect(str(table, "state_fips", jewell)).toBe("02");
    expect(num(table, "units", jewell)).toBe(125);
    expect(num(table, "li_units", jewell)).toBe(110);
    expect(num(table, "lat", jewell)).toBe(61.140926);
    expect(num(table, "lon", jewell)).toBe(-149.94685);
    expect(num(table, "yr_pis", jewell)).toBe(2003);
    expect(num(table, "yr_alloc", jewell)).toBe(2003);
    // Line 2: TRADEWINDS APTS in Unalaska has no tract or coordinates.
    const tradewinds = rowWhere(table, "project_id", "AKA20000010");
    expect(str(table, "tract_fips", tradewinds)).toBeUndefined();
    expect(str(table, "county_fips", tradewinds)).toBe("02016");
    expect(num(table, "lat", tradewinds)).toBeNaN();
    expect(report.notes.join("\n")).toMatch(/have no 2010 tract/);
  });
});

describe("TDHCA 2017 9% applications", () => {
  it("derives county and state from the census tract", async () => {
    const { table, report } = await readTdhca(`${FIX}/lihtc_tdhca_2017.csv`);
    expect(table.nrows).toBe(20);
    const blueFlame = rowWhere(table, "project_id", "17330");
    expect(str(table, "project", blueFlame)).toBe("Blue Flame");
    expect(str(table, "tract_fips", blueFlame)).toBe("48141001700");
    expect(str(table, "county_fips", blueFlame)).toBe("48141");
    expect(str(table, "state_fips", blueFlame)).toBe("48");
    expect(num(table, "units", blueFlame)).toBe(150);
    expect(num(table, "li_units", blueFlame)).toBe(120);
    expect(num(table, "Market Rate Units", blueFlame)).toBe(30);
    expect(num(table, "yr_alloc", blueFlame)).toBe(2017);
    expect(table.has("col34")).toBe(false);
    expect(report.notes.join("\n")).toMatch(/dropped the unnamed spreadsheet columns col34, col35/);
  });
});
