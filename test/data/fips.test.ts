import { describe, expect, it } from "vitest";
import {
  COUNTY_FIPS_CHANGES,
  countyFips,
  STATES,
  stateFips,
  tractFips,
  tractFromParts,
  updateCountyFips,
  updateCountyFipsDetailed,
} from "../../src/data/fips.js";
import { MobilityError } from "../../src/errors.js";

describe("county FIPS normalisation", () => {
  it("accepts numbers, unpadded, padded and float-formatted strings", () => {
    for (const v of ["1001", 1001, "01001", "1001.0", " 1001 ", "1001.00"])
      expect(countyFips(v)).toBe("01001");
    expect(countyFips(48141)).toBe("48141");
    expect(countyFips(1, 1)).toBe("01001");
    expect(countyFips("AL", "001")).toBe("01001");
    expect(countyFips("Texas", 141)).toBe("48141");
    expect(countyFips("72", "1")).toBe("72001");
  });

  it("rejects invalid codes with file, line and column", () => {
    const ctx = { source: "f.csv", line: 12, column: "fips" };
    expect(() => countyFips("5.50012E+12", ctx)).toThrow(
      "f.csv line 12, column 'fips': expected a 5-digit county FIPS code, found '5.50012E+12' (scientific notation",
    );
    expect(() => countyFips("1001.5", ctx)).toThrow(/found '1001.5'/);
    expect(() => countyFips("123456", ctx)).toThrow(/more than 5 digits/);
    expect(() => countyFips("03001", ctx)).toThrow(/'03' is not a state FIPS code/);
    expect(() => countyFips("01000", ctx)).toThrow(/county part 000/);
    expect(() => countyFips(-1001, ctx)).toThrow(MobilityError);
    expect(() => countyFips("abc", ctx)).toThrow(MobilityError);
    expect(() => countyFips(1, 1000, ctx)).toThrow(/more than 3 digits/);
  });

  it("tracts: 11 digits from floats and from HUD's parts", () => {
    expect(tractFips("2020002303.0")).toBe("02020002303");
    expect(tractFips("48141001700")).toBe("48141001700");
    expect(tractFromParts("2", "20", "23.03")).toBe("02020002303");
    expect(tractFromParts(2, 20, "6.0")).toBe("02020000600");
    expect(() => tractFips("48141000000")).toThrow(/tract part 000000/);
    expect(() => tractFromParts(2, 20, "12345.6")).toThrow(MobilityError);
  });
});

describe("state FIPS", () => {
  it("maps names, postal codes and numbers; 50 states + DC + PR", () => {
    expect(stateFips("CA")).toBe("06");
    expect(stateFips("california")).toBe("06");
    expect(stateFips("NEW HAMPSHIRE")).toBe("33");
    expect(stateFips("District of Columbia")).toBe("11");
    expect(stateFips("Washington")).toBe("53");
    expect(stateFips("West Virginia")).toBe("54");
    expect(stateFips("Puerto Rico")).toBe("72");
    expect(stateFips(6)).toBe("06");
    expect(stateFips("6.0")).toBe("06");
    const core = STATES.filter((s) => !["60", "66", "69", "78"].includes(s.fips));
    expect(core).toHaveLength(52);
    for (const s of core) expect(stateFips(s.name)).toBe(s.fips);
  });

  it("refuses unknown names and non-state codes instead of guessing", () => {
    expect(() => stateFips("Virgina", { source: "x.csv", line: 3, column: "STNAME" })).toThrow(
      "x.csv line 3, column 'STNAME': expected a state FIPS code, postal abbreviation or state name, found 'Virgina' (unknown state)",
    );
    expect(() => stateFips("03")).toThrow(/not a state FIPS code/);
    expect(() => stateFips(57)).toThrow(/not a state FIPS code/);
  });
});

describe("county FIPS changes", () => {
  it("maps the documented 1990s-2010s changes forward", () => {
    expect(updateCountyFips("12025", 1990, 2010)).toBe("12086");
    expect(updateCountyFips("51780", 1990, 2010)).toBe("51083");
    expect(updateCountyFips("51560", 1990, 2010)).toBe("51005");
    expect(updateCountyFips("30113", 1990, 2010)).toBe("30067");
    expect(updateCountyFips("51515", 1990, 2010)).toBe("51515"); // Bedford city merged only in 2013
    expect(updateCountyFips("51515", 1990, 2015)).toBe("51019");
    expect(updateCountyFips("46113", 1995, 2015)).toBe("46102");
    expect(updateCountyFips("02270", 1995, 2015)).toBe("02158");
    expect(updateCountyFips("01001", 1990, 2020)).toBe("01001");
  });

  it("follows chains and flags splits as approximate", () => {
    const u = updateCountyFipsDetailed("02231", 1990, 2010);
    expect(u.fips).toBe("02105");
    expect(u.applied.map((c) => c.to)).toEqual(["02232", "02105"]);
    expect(u.approximate).toBe(true);
    expect(updateCountyFipsDetailed("12025", 1990, 2010).approximate).toBe(false);
  });

  it("documents Broomfield as created from parts, with no predecessor code", () => {
    const broomfield = COUNTY_FIPS_CHANGES.find((c) => c.to === "08014");
    expect(broomfield?.kind).toBe("created");
    expect(broomfield?.partsTo).toEqual(["08001", "08013", "08059", "08123"]);
    expect(updateCountyFips("08013", 1990, 2010)).toBe("08013");
    for (const c of COUNTY_FIPS_CHANGES) expect(c.note.length).toBeGreaterThan(20);
  });

  it("refuses to go backwards in time", () => {
    expect(() => updateCountyFips("12086", 2010, 1990)).toThrow(/forward in time/);
  });
});
