/** The small dense helpers (src/numeric/matrices.ts) on hand-computed values. */
import { Matrix } from "ml-matrix";
import { describe, expect, it } from "vitest";
import { matrixFromSquare, outerProductOfRows, symmetrizeInPlace } from "../../src/numeric/matrices.js";

describe("dense helpers", () => {
  it("builds a matrix from a row-major square", () => {
    expect(matrixFromSquare(Float64Array.from([1, 2, 3, 4]), 2).to2DArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it("sums outer products of rows: sum_g s_g s_g'", () => {
    // rows (1, 2) and (3, -1): [[1+9, 2-3], [2-3, 4+1]]
    expect(outerProductOfRows(Float64Array.from([1, 2, 3, -1]), 2, 2).to2DArray()).toEqual([
      [10, -1],
      [-1, 5],
    ]);
  });

  it("symmetrizes in place", () => {
    const m = new Matrix([
      [1, 2],
      [4, 5],
    ]);
    expect(symmetrizeInPlace(m).to2DArray()).toEqual([
      [1, 3],
      [3, 5],
    ]);
  });
});
