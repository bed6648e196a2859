/** Dense ids of the intersection of groupings (src/numeric/intersectIds.ts), on both the table and the hash path. */
import { describe, expect, it } from "vitest";
import { intersectIds } from "../../src/numeric/intersectIds.js";

describe("intersectIds", () => {
  it("numbers the observed pairs in order of first appearance", () => {
    const a = { name: "firm", ids: Int32Array.from([0, 0, 1, 1, 0, 2]), count: 3 };
    const b = { name: "year", ids: Int32Array.from([0, 1, 0, 1, 0, 1]), count: 2 };
    const ab = intersectIds([a, b]);
    expect(ab.name).toBe("firm^year");
    expect(Array.from(ab.ids)).toEqual([0, 1, 2, 3, 0, 4]);
    expect(ab.count).toBe(5);
  });

  it("gives the same ids through the hash path (level products beyond the lookup table)", () => {
    const n = 1000;
    const big = 5_000_000;
    const a = { name: "a", ids: Int32Array.from({ length: n }, (_, i) => (i * 7919) % big), count: big };
    const b = { name: "b", ids: Int32Array.from({ length: n }, (_, i) => i % 3), count: 3 };
    const ab = intersectIds([a, b]);
    const seen = new Map<string, number>();
    const expected = Array.from({ length: n }, (_, i) => {
      const key = `${a.ids[i]},${b.ids[i]}`;
      if (!seen.has(key)) seen.set(key, seen.size);
      return seen.get(key);
    });
    expect(Array.from(ab.ids)).toEqual(expected);
    expect(ab.count).toBe(seen.size);
  });
});
