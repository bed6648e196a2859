import { describe, expect, it } from "vitest";
import { parseCsvText } from "../../src/data/csv.js";
import { aggregateTable } from "../../src/data/ops/aggregate.js";
import { readF33 } from "../../src/data/readers/f33.js";
import { FIX, num, rowWhere, texts } from "./helpers.js";

describe("aggregateTable", () => {
  it("sorted groups; sums, means, weighted means, ratios of sums, counts", async () => {
    const t = await parseCsvText("g,x,w,d\nb,1,1,2\na,2,3,4\nb,3,,6\na,,1,\nc,,,\n", "t.csv");
    const out = aggregateTable(t, {
      by: ["g"],
      sum: ["x", "sx=x"],
      mean: ["mx=x"],
      ratio: ["r=x/d"],
      count: true,
    });
    expect(texts(out, "g")).toEqual(["a", "b", "c"]);
    expect(Array.from(out.numeric("x").values)).toEqual([2, 4, Number.NaN]);
    expect(Array.from(out.numeric("mx").values)).toEqual([2, 2, Number.NaN]);
    expect(Array.from(out.numeric("r").values)).toEqual([0.5, 0.5, Number.NaN]);
    // The ratio rule: rows without a denominator (a's second row, c's row) are left out of every column, n too.
    expect(Array.from(out.numeric("n").values)).toEqual([1, 2, 0]);
    const weighted = aggregateTable(t, { by: ["g"], mean: ["x"], weight: "w" });
    // b: only the row with both x and w present counts (x=1, w=1); a: x=2, w=3.
    expect(Array.from(weighted.numeric("x").values)).toEqual([2, 1, Number.NaN]);
  });

  it("numeric keys sort numerically, missing last; name clashes are usage errors", async () => {
    const t = await parseCsvText("k,x\n10,1\n9,2\n,3\n10,4\n", "t.csv");
    const out = aggregateTable(t, { by: ["k"], sum: ["x"] });
    expect(Array.from(out.numeric("k").values)).toEqual([9, 10, Number.NaN]);
    expect(Array.from(out.numeric("x").values)).toEqual([2, 5, 3]);
    expect(() => aggregateTable(t, { by: ["k"], sum: ["x"], mean: ["x"] })).toThrow(
      /two output columns named 'x'/,
    );
    expect(() => aggregateTable(t, { by: ["k"], ratio: ["x"] })).toThrow(/name=numerator\/denominator/);
  });

  it("negative weights are a data error", async () => {
    const t = await parseCsvText("k,x,w\n1,1,-1\n", "t.csv");
    expect(() => aggregateTable(t, { by: ["k"], mean: ["x"], weight: "w" })).toThrow(
      "t.csv line 2, column 'w': weights must be non-negative, found -1",
    );
  });

  it("county spending per pupil from real F-33 districts (ratio of sums)", async () => {
    const { table } = await readF33(`${FIX}/f33_1995_districts_subset.csv`);
    const out = aggregateTable(table, {
      by: ["fips"],
      ratio: ["ppe=TOTALEXP/V33"],
      sum: ["V33"],
      count: true,
    });
    // County 01015 (Calhoun AL) has 5 districts in f1995_districts.csv; sums checked with Python.
    const calhoun = rowWhere(out, "fips", "01015");
    expect(num(out, "n", calhoun)).toBe(5);
    expect(num(out, "V33", calhoun)).toBe(19619);
    expect(num(out, "ppe", calhoun)).toBeCloseTo(4186.910647841379, 9);
    expect(texts(out, "fips").at(-1)).toBeUndefined(); // Alaska REAAs without FIPSCO: one missing group, last
  });
});
