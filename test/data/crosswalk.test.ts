import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCzCrosswalk, readIdMap } from "../../src/data/readers/crosswalk.js";
import { readStatesAll } from "../../src/data/readers/states.js";
import { FIX, num, rowWhere, str } from "./helpers.js";

describe("county -> commuting zone (czlma903)", () => {
  it("reads the 1990 crosswalk with numeric CZ ids", async () => {
    const { table } = await readCzCrosswalk(`${FIX}/czlma903_subset.csv`);
    expect(table.nrows).toBe(36);
    const autauga = rowWhere(table, "fips", "01001");
    expect(num(table, "cz", autauga)).toBe(11101);
    expect(num(table, "cz80", autauga)).toBe(28101);
    expect(num(table, "pop1990", autauga)).toBe(34222);
    expect(str(table, "msa1993", autauga)).toBe("5240");
    expect(str(table, "msa1993", rowWhere(table, "fips", "01005"))).toBeUndefined(); // "0000"
    expect(num(table, "cz", rowWhere(table, "fips", "12025"))).toBe(7000); // "07000"
    expect(num(table, "cz", rowWhere(table, "fips", "30113"))).toBe(34402);
    expect(str(table, "place_fips", autauga)).toBe("0151000");
  });
});

describe("generic id map", () => {
  it("maps ids as text and refuses a one-to-many mapping", async () => {
    const { table, report } = await readIdMap(`${FIX}/czlma903_subset.csv`, {
      from: "County FIPS Code",
      to: "CZ90",
    });
    expect(str(table, "CZ90", rowWhere(table, "County FIPS Code", "12025"))).toBe("07000");
    expect(report.notes[0]).toMatch(/36 ids mapped/);
    const path = join(tmpdir(), `idmap-${process.pid}.csv`);
    writeFileSync(path, "a,b\n1001.0,x\n1001,x\n1003,y\n1003,z\n");
    await expect(readIdMap(path, { from: "a", to: "b" })).rejects.toThrow(
      `${path} line 5: 'a' 1003 maps to both 'y' and 'z' in column 'b'`,
    );
  });
});

describe("states_all panel", () => {
  it("adds state FIPS, keeps thousands, per-pupil in dollars", async () => {
    const { table, report } = await readStatesAll(`${FIX}/states_all_subset.csv`, { perPupil: true });
    const tx = rowWhere(table, "PRIMARY_KEY", "2015_TEXAS");
    expect(str(table, "state", tx)).toBe("48");
    expect(num(table, "TOTAL_EXPENDITURE", tx)).toBe(56255791);
    // 1000 * 56255791 / 5004866 and 28783628 / 55582029, by hand from the file's line.
    expect(num(table, "ppe_total", tx)).toBeCloseTo((1000 * 56255791) / 5004866, 9);
    expect(num(table, "local_share", tx)).toBeCloseTo(28783628 / 55582029, 12);
    expect(str(table, "state", rowWhere(table, "PRIMARY_KEY", "1990_DODEA"))).toBeUndefined();
    expect(num(table, "ppe_total", rowWhere(table, "PRIMARY_KEY", "1992_ALABAMA"))).toBeNaN(); // ENROLL empty
    expect(report.rejected[0]?.count).toBe(2);
  });
});
