import { describe, expect, it } from "vitest";
import { Table } from "../../src/data/table.js";
import { buildModelFrame } from "../../src/estimate/frame.js";
import { parseFormula } from "../../src/formula/parser.js";

const table = () =>
  new Table(
    [
      { kind: "number", name: "y", values: Float64Array.from([1, 2, 3, 4, 5, 6]) },
      {
        kind: "number",
        name: "x",
        values: Float64Array.from([1, Number.POSITIVE_INFINITY, 3, Number.NaN, 5, 6]),
      },
      { kind: "number", name: "z", values: Float64Array.from([1, 2, 0, 4, 5, 6]) },
    ],
    6,
    "t.csv",
  );

describe("buildModelFrame: missing and non-finite rows", () => {
  it("drops NaN as missing and an infinity in a raw column as not finite", () => {
    const frame = buildModelFrame(table(), parseFormula("y ~ x"), {});
    expect(frame.nobs).toBe(4);
    expect(frame.dropped).toEqual({ missing: 1, infinite: 1, zeroWeight: 0 });
    expect(Array.from(frame.rows)).toEqual([0, 2, 4, 5]);
  });

  it("drops rows where a transformation of a finite column is not finite", () => {
    const frame = buildModelFrame(table(), parseFormula("y ~ log(z)"), {});
    expect(frame.nobs).toBe(5);
    expect(frame.dropped).toEqual({ missing: 0, infinite: 1, zeroWeight: 0 });
  });
});
