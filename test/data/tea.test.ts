import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readTea, readTeaFast } from "../../src/data/readers/tea.js";
import { FIX, num, rowWhere, str, texts } from "./helpers.js";

describe("TEA TAPR files", () => {
  it("campus ids: 9 digits, district 6, county 3, from the quoted 2018-19 file", async () => {
    const { table } = await readTea(`${FIX}/tea_2018-2019_campus_accountability.csv`);
    expect(table.nrows).toBe(20);
    expect(table.names.slice(0, 3)).toEqual(["campus", "district", "tea_county"]);
    const cayuga = rowWhere(table, "campus", "001902001");
    expect(str(table, "district", cayuga)).toBe("001902");
    expect(str(table, "tea_county", cayuga)).toBe("001");
    expect(str(table, "CAMPNAME", cayuga)).toBe("CAYUGA H S");
    expect(num(table, "CA0GS18R", cayuga)).toBe(79.5);
    expect(num(table, "CA0GS18R", rowWhere(table, "campus", "001902041"))).toBeNaN(); // "." in the file
  });

  it("restores the zeros the 2021-22 file dropped", async () => {
    const { table, report } = await readTea(`${FIX}/tea_2021-2022_campus_accountability.csv`);
    expect(texts(table, "campus").slice(0, 2)).toEqual(["001902001", "001902041"]);
    expect(str(table, "district", 0)).toBe("001902");
    expect(str(table, "tea_county", 0)).toBe("001");
    expect(num(table, "CA0GS21R", 0)).toBe(94.4);
    expect(report.rejected).toEqual([]);
  });

  it("strips the apostrophe of DISTPROF ids", async () => {
    const { table } = await readTea(`${FIX}/tea_2022-2023_district_DISTPROF.csv`);
    expect(texts(table, "district").slice(0, 2)).toEqual(["001902", "001903"]);
    expect(str(table, "DISTNAME", 0)).toBe("CAYUGA ISD");
  });

  it("sets TEA masking codes -1/-2/-3 missing and counts them", async () => {
    const { table, report } = await readTea(`${FIX}/tea_2017-2018_district_staff.csv`);
    const cayuga = rowWhere(table, "district", "001902");
    expect(num(table, "DPETALLC", cayuga)).toBe(575);
    expect(num(table, "DPETSBHC", cayuga)).toBeNaN(); // -3 in the file
    expect(num(table, "DPETSAUC", cayuga)).toBeNaN(); // -1 in the file
    const total = report.rejected.reduce((s, r) => s + r.count, 0);
    expect(total).toBe(40); // counted independently with Python's csv module
    expect(report.rejected.map((r) => r.reason)).toContain("cells with TEA masking code -1: set missing");
  });

  it("errors on an id that cannot be a district", async () => {
    const path = join(tmpdir(), `tea-bad-${process.pid}.csv`);
    writeFileSync(path, "DISTRICT,DPETALLC\n001902,575\n12345678,10\n");
    await expect(readTea(path)).rejects.toThrow(
      `${path} line 3, column 'DISTRICT': expected an id of at most 6 digits, found '12345678'`,
    );
    const other = join(tmpdir(), `tea-nocol-${process.pid}.csv`);
    writeFileSync(other, "ID,DPETALLC\n1,2\n");
    await expect(readTea(other)).rejects.toThrow(/missing required column 'CAMPUS' or 'DISTRICT'/);
  });
});

describe("FAST district file", () => {
  it("ids padded, numbers recovered, truncated exponents reported", async () => {
    const { table, report } = await readTeaFast(`${FIX}/tea_fast_district.csv`);
    expect(table.nrows).toBe(12);
    const cayuga = rowWhere(table, "district", "001902");
    expect(str(table, "tea_county", cayuga)).toBe("001");
    expect(str(table, "District Name", cayuga)).toBe("Cayuga ISD");
    expect(num(table, "Cost-Adjusted Core Operating Expenditures Per Student", cayuga)).toBe(10960);
    // "4.0000000000000001E-" in the file: the exponent was cut off.
    expect(num(table, "Spending by Program Bilingual/ESL Education  (Percent)", cayuga)).toBeNaN();
    expect(table.column("Spending by Program Bilingual/ESL Education  (Percent)").kind).toBe("number");
    // Negative z-scores are data, not codes.
    expect(num(table, "Composite Progress Z-Score", rowWhere(table, "district", "001904"))).toBe(-0.1031446);
    const truncated = report.rejected.find((r) => r.reason.startsWith("cells truncated"));
    expect(truncated?.count).toBe(11);
  });

  it("readTea dispatches a FAST file to the FAST reader", async () => {
    const { report } = await readTea(`${FIX}/tea_fast_district.csv`);
    expect(report.reader).toBe("tea-fast");
  });
});
