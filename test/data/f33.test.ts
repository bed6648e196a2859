import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readF33 } from "../../src/data/readers/f33.js";
import { FIX, num, rowWhere, str } from "./helpers.js";

describe("F-33 district finance", () => {
  it("pads LEAID to 7 digits and builds county fips", async () => {
    const { table, report } = await readF33(`${FIX}/f33_1995_districts_subset.csv`);
    expect(table.nrows).toBe(47);
    // f1995_districts.csv line 106: 100240,1,1,AUTAUGA CO SCH DIST,...,V33 7568,TOTALREV 31827000,...
    const autauga = rowWhere(table, "LEAID", "0100240");
    expect(str(table, "fips", autauga)).toBe("01001");
    expect(str(table, "state", autauga)).toBe("01");
    expect(num(table, "year", autauga)).toBe(1995);
    expect(num(table, "V33", autauga)).toBe(7568);
    expect(num(table, "TOTALEXP", autauga)).toBe(27458000);
    expect(str(table, "NAME", rowWhere(table, "LEAID", "2723380"))).toBe("NEW HEIGHTS SCHOOL, INC.");
    const notes = report.notes.join("\n");
    expect(notes).toMatch(/3 rows have no LEAID/);
    expect(notes).toMatch(/2 rows have no county code/);
    expect(notes).toMatch(/in dollars/);
  });

  it("perPupil: spending and revenue per pupil, local share; NaN and reported where V33 <= 0", async () => {
    const { table, report } = await readF33(`${FIX}/f33_1995_districts_subset.csv`, { perPupil: true });
    const autauga = rowWhere(table, "LEAID", "0100240");
    // By hand from the file: 27458000 / 7568, 31827000 / 7568, 7617000 / 31827000.
    expect(num(table, "ppe_total", autauga)).toBeCloseTo(3628.171247357294, 9);
    expect(num(table, "rev_per_pupil", autauga)).toBeCloseTo(4205.47040169133, 9);
    expect(num(table, "local_share", autauga)).toBeCloseTo(0.23932510132906024, 12);
    // CONTRA COSTA CO ROP (line 2): V33 = 0 (as for the other 2 ROPs, ADAK REAA and BEDFORD CITY SCHOOLS).
    const rop = rowWhere(table, "NAME", "CONTRA COSTA CO ROP");
    expect(num(table, "ppe_total", rop)).toBeNaN();
    expect(num(table, "local_share", rop)).toBeCloseTo(121000 / 1786000, 12);
    expect(report.notes.join("\n")).toMatch(/5 rows with V33 missing or <= 0/);
  });

  it("dollarsIn thousands multiplies money by 1000", async () => {
    const { table } = await readF33(`${FIX}/f33_1995_districts_subset.csv`, {
      dollarsIn: "thousands",
      perPupil: true,
    });
    const autauga = rowWhere(table, "LEAID", "0100240");
    expect(num(table, "TOTALEXP", autauga)).toBe(27458000000);
    expect(num(table, "ppe_total", autauga)).toBeCloseTo(3628171.247357294, 6);
  });

  it("updates county codes to a later vintage and reports it", async () => {
    const { table, report } = await readF33(`${FIX}/f33_1995_districts_subset.csv`, { fipsVintage: 2015 });
    expect(str(table, "fips", rowWhere(table, "LEAID", "1200390"))).toBe("12086"); // DADE CO SCH DIST
    expect(report.notes.join("\n")).toMatch(/12025 -> 12086 \(1 rows\)/);
  });

  it("sets Excel-damaged CENSUSIDs missing and reports them (tab-delimited ids file)", async () => {
    const { table, report } = await readF33(`${FIX}/f33_1995_ids_subset.txt`);
    expect(table.nrows).toBe(20);
    expect(str(table, "CENSUSID", 0)).toBe("05100700730200");
    expect(str(table, "CENSUSID", 2)).toBeUndefined();
    expect(str(table, "CENSUSID", 12)).toBe("11506040100000");
    const damaged = report.rejected.find((r) => r.reason.startsWith("CENSUSID in scientific notation"));
    expect(damaged?.count).toBe(16);
    expect(damaged?.examples[0]).toBe("line 4: '5.50012E+12'");
    expect(table.has("Z32")).toBe(true);
  });

  it("reads the id-less yearly files (BOM, YEAR 0 = 2000)", async () => {
    const { table, report } = await readF33(`${FIX}/f33_2000_subset.csv`, { perPupil: true });
    expect(table.has("LEAID")).toBe(false);
    expect(num(table, "year", 0)).toBe(2000);
    expect(str(table, "state", 0)).toBe("06");
    expect(str(table, "NAME", 0)).toBe("CENTRAL CALIFORNIA MIGRANT HEAD STAR");
    expect(report.notes.join("\n")).toMatch(/no LEAID\/FIPS ids/);
  });

  it("refuses an Excel-mangled LEAID as a key but keeps the row", async () => {
    const path = join(tmpdir(), `f33-sci-${process.pid}.csv`);
    writeFileSync(
      path,
      "LEAID,FIPST,FIPSCO,NAME,STNAME,STABBR,YEAR,V33,TOTALREV,TFEDREV,TSTREV,TLOCREV,TOTALEXP\n" +
        "5.50012E+12,55,1,X,Wisconsin,WI,95,10,100,1,2,3,90\n100005,1,95,Y,Alabama,AL,95,3118,13741000,993000,9475000,3273000,13734000\n",
    );
    const { table, report } = await readF33(path);
    expect(str(table, "LEAID", 0)).toBeUndefined();
    expect(str(table, "LEAID", 1)).toBe("0100005");
    expect(report.rejected[0]?.reason).toMatch(/LEAID in scientific notation/);
  });

  it("errors: missing required column, bad county code", async () => {
    const a = join(tmpdir(), `f33-nocol-${process.pid}.csv`);
    writeFileSync(
      a,
      "LEAID,NAME,STNAME,STABBR,YEAR,TOTALREV,TFEDREV,TSTREV,TLOCREV\n1,X,Alabama,AL,95,1,1,1,1\n",
    );
    await expect(readF33(a)).rejects.toThrow(`${a}: missing required column 'TOTALEXP' for the f33 reader`);
    const b = join(tmpdir(), `f33-badco-${process.pid}.csv`);
    writeFileSync(
      b,
      "LEAID,FIPST,FIPSCO,NAME,STNAME,STABBR,YEAR,TOTALREV,TFEDREV,TSTREV,TLOCREV,TOTALEXP\n1,1,1,X,Alabama,AL,95,1,1,1,1,1\n2,3,1,X,Alabama,AL,95,1,1,1,1,1\n",
    );
    await expect(readF33(b)).rejects.toThrow(`${b} line 3, column 'FIPST/FIPSCO'`);
  });
});
