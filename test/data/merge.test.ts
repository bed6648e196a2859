import { describe, expect, it } from "vitest";
import { parseCsvText } from "../../src/data/csv.js";
import { formatMergeReport, mergeTables } from "../../src/data/ops/merge.js";
import { readAtlas } from "../../src/data/readers/atlas.js";
import { readCzCrosswalk } from "../../src/data/readers/crosswalk.js";
import { MobilityError } from "../../src/errors.js";
import { FIX, num, str, texts } from "./helpers.js";

const left = () =>
  parseCsvText("id,year,x\n01001,1995,1\n01003,1995,2\n01005,1995,3\n01003,1996,4\n", "left.csv");
const right = () => parseCsvText("id,y\n01001,10\n01003,30\n09999,99\n", "right.csv");

describe("mergeTables", () => {
  it("inner/left/outer with a Stata-style report", async () => {
    const [l, r] = [await left(), await right()];
    const inner = mergeTables(l, r, { on: ["id"], how: "inner", expect: "m:1" });
    expect(texts(inner.table, "id")).toEqual(["01001", "01003", "01003"]);
    expect(Array.from(inner.table.numeric("y").values)).toEqual([10, 30, 30]);
    expect(inner.report).toMatchObject({ matchedLeft: 3, matchedRight: 2, leftOnly: 1, rightOnly: 1 });
    expect(inner.report.leftOnlySample).toEqual(["01005"]);
    expect(inner.report.rightOnlySample).toEqual(["09999"]);

    const leftJoin = mergeTables(l, r, { on: ["id"], how: "left" });
    expect(texts(leftJoin.table, "id")).toEqual(["01001", "01003", "01005", "01003"]);
    expect(num(leftJoin.table, "y", 2)).toBeNaN();

    const outer = mergeTables(l, r, { on: ["id"], how: "outer", indicator: true });
    expect(texts(outer.table, "id")).toEqual(["01001", "01003", "01005", "01003", "09999"]);
    expect(num(outer.table, "x", 4)).toBeNaN();
    expect(texts(outer.table, "_merge")).toEqual(["both", "both", "left_only", "both", "right_only"]);
    expect(formatMergeReport(outer.report)).toContain("right only:  1  e.g. 09999");
  });

  it("names the duplicated key when an expectation is violated", async () => {
    const [l, r] = [await left(), await right()];
    expect(() => mergeTables(l, r, { on: ["id"], expect: "1:1" })).toThrow(
      "merge --expect 1:1: key id=01003 appears 2 times in the left table (left.csv)",
    );
    expect(() => mergeTables(r, l, { on: ["id"], expect: "m:1" })).toThrow(
      /key id=01003 appears 2 times in the right/,
    );
    expect(() => mergeTables(l, r, { on: ["id"], expect: "1:1" })).toThrow(MobilityError);
    expect(mergeTables(l, r, { on: ["id", "year"].slice(0, 1), expect: "m:1" }).report.matchedPairs).toBe(3);
  });

  it("composite keys; numbers compared without a trailing .0", async () => {
    const a = await parseCsvText("s,c,v\n1,1.0,5\n1,3,6\n", "a.csv");
    const b = await parseCsvText("s,c,w\n1.0,1,7\n", "b.csv");
    const m = mergeTables(a, b, { on: ["s", "c"], how: "left", expect: "1:1" });
    expect(num(m.table, "w", 0)).toBe(7);
    expect(num(m.table, "w", 1)).toBeNaN();
    expect(m.report.leftOnlySample).toEqual(["1 | 3"]);
  });

  it("warns when a key is numeric on one side and text on the other", async () => {
    const a = await parseCsvText("fips,v\n1001,5\n", "a.csv");
    const b = await parseCsvText("fips,w\n01001,7\n", "b.csv");
    const m = mergeTables(a, b, { on: ["fips"] });
    expect(m.report.matchedPairs).toBe(0);
    expect(m.report.warnings[0]).toMatch(/numeric on the left and text on the right/);
  });

  it("refuses clashing column names unless suffixes are given", async () => {
    const a = await parseCsvText("id,v\n1,5\n", "a.csv");
    const b = await parseCsvText("id,v\n1,7\n", "b.csv");
    expect(() => mergeTables(a, b, { on: ["id"] })).toThrow(/column 'v' on both sides and not a key/);
    const m = mergeTables(a, b, { on: ["id"], suffixes: [".x", ".y"] });
    expect(m.table.names).toEqual(["id", "v.x", "v.y"]);
    expect(() => mergeTables(a, b, { on: ["nope"] })).toThrow(/no column 'nope'/);
  });

  it("missing keys never match", async () => {
    const a = await parseCsvText("id,v\n,5\n1,6\n", "a.csv");
    const b = await parseCsvText("id,w\n,7\n1,8\n", "b.csv");
    const m = mergeTables(a, b, { on: ["id"], how: "outer" });
    expect(m.report).toMatchObject({ matchedPairs: 1, leftMissingKey: 1, rightMissingKey: 1, outputRows: 3 });
  });

  it("Atlas x 1990 CZ crosswalk on real extracts: 1990 codes leave renamed counties unmatched", async () => {
    const atlas = (await readAtlas(`${FIX}/atlas_county_outcomes.csv`)).table;
    const cw = (await readCzCrosswalk(`${FIX}/czlma903_subset.csv`)).table;
    const m = mergeTables(atlas, cw, { on: ["fips"], how: "inner", expect: "1:1", suffixes: ["", "_1990"] });
    expect(m.report.matchedPairs).toBe(20); // Alabama 01001-01039 only
    expect(m.report.leftOnly).toBe(10); // incl. 12086 Miami-Dade, 46102 Oglala Lakota (2010s codes)
    expect(m.report.rightOnly).toBe(16); // incl. 12025 Dade, 46113 Shannon (1990 codes)
    expect(texts(m.table, "fips")).not.toContain("12086");
    expect(str(m.table, "fips", 0)).toBe("01001");
    expect(num(m.table, "cz_1990", 0)).toBe(11101);
  });
});
