import { describe, expect, it } from "vitest";
import {
  encodeFixedEffect,
  fixedEffectFromIds,
  MISSING_ID,
  missingRows,
  subsetFixedEffect,
  withSlope,
} from "../../src/absorb/fixedEffects.js";
import { findSingletons } from "../../src/absorb/singletons.js";
import { numericColumn, stringColumn } from "../../src/data/table.js";

describe("encodeFixedEffect", () => {
  it("encodes text in order of first appearance and flags missing rows", () => {
    const fe = encodeFixedEffect([stringColumn("state", ["TX", "CA", undefined, "TX"])]);
    expect(fe.name).toBe("state");
    expect(Array.from(fe.ids)).toEqual([0, 1, MISSING_ID, 0]);
    expect(fe.nlevels).toBe(2);
    expect(fe.levels).toEqual(["TX", "CA"]);
    expect(Array.from(fe.missing ?? [])).toEqual([0, 0, 1, 0]);
    expect(fe.nmissing).toBe(1);
  });

  it("encodes integer codes through a table and other numbers through a map", () => {
    const years = encodeFixedEffect([numericColumn("year", [2001, 1999, 2001, Number.NaN])]);
    expect(Array.from(years.ids)).toEqual([0, 1, 0, MISSING_ID]);
    expect(years.levels).toEqual(["2001", "1999"]);
    const big = encodeFixedEffect([numericColumn("id", [1e15, 0.5, 1e15, -3])]);
    expect(Array.from(big.ids)).toEqual([0, 1, 0, 2]);
    expect(big.missing).toBeUndefined();
  });

  it("interacts columns (fe1^fe2) with fixest's '_' labels", () => {
    const fe = encodeFixedEffect([
      stringColumn("state", ["TX", "TX", "CA", "CA", "TX"]),
      numericColumn("year", [2000, 2001, 2000, 2000, Number.NaN]),
    ]);
    expect(fe.name).toBe("state^year");
    expect(Array.from(fe.ids)).toEqual([0, 1, 2, 2, MISSING_ID]);
    expect(fe.levels).toEqual(["TX_2000", "TX_2001", "CA_2000"]);
  });

  it("adds slopes and flags missing slope values", () => {
    const fe = encodeFixedEffect([stringColumn("g", ["a", "b", "a"])]);
    const sl = withSlope(fe, numericColumn("t", [1, Number.NaN, 3]));
    expect(sl.name).toBe("g[t]");
    expect(Array.from(sl.ids)).toEqual([0, MISSING_ID, 0]);
    expect(Array.from(sl.missing ?? [])).toEqual([0, 1, 0]);
    expect(withSlope(fe, numericColumn("t", [1, 2, 3]), { intercept: false }).name).toBe("g[[t]]");
    expect(Array.from(missingRows([fe, sl]) ?? [])).toEqual([0, 1, 0]);
  });

  it("subsets rows and re-densifies levels", () => {
    const fe = encodeFixedEffect([stringColumn("g", ["a", "b", "c", "b", "a"])]);
    const sub = subsetFixedEffect(fe, Uint8Array.from([0, 1, 1, 1, 0]));
    expect(Array.from(sub.ids)).toEqual([0, 1, 0]);
    expect(sub.nlevels).toBe(2);
    expect(sub.levels).toEqual(["b", "c"]);
  });
});

describe("findSingletons", () => {
  it("drops iteratively until no level has a single row", () => {
    // Row 2 is alone in b=1; once it goes, row 3 is alone in a=1; row 4 is alone in a=2 from the start.
    const a = fixedEffectFromIds("a", Int32Array.from([0, 0, 1, 1, 2]));
    const b = fixedEffectFromIds("b", Int32Array.from([0, 0, 1, 2, 2]));
    const res = findSingletons([a, b]);
    expect(Array.from(res.keep)).toEqual([1, 1, 0, 0, 0]);
    expect(res.dropped).toBe(3);
  });

  it("respects an input mask and ignores slope-only FEs", () => {
    const a = fixedEffectFromIds("a", Int32Array.from([0, 0, 1, 1, 1]));
    const mask = Uint8Array.from([1, 1, 1, 1, 0]);
    const slopeOnly = withSlope(
      fixedEffectFromIds("s", Int32Array.from([0, 1, 2, 3, 4])),
      Float64Array.from([1, 2, 3, 4, 5]),
      {
        intercept: false,
      },
    );
    const res = findSingletons([a, slopeOnly], mask);
    expect(Array.from(res.keep)).toEqual([1, 1, 1, 1, 0]);
    expect(res.dropped).toBe(0);
  });

  it("gives the same set whatever the row order", () => {
    let s = 17;
    const r = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    const n = 3000;
    const ia = Int32Array.from({ length: n }, () => Math.floor(r() * 1500));
    const ib = Int32Array.from({ length: n }, () => Math.floor(r() * 900));
    const perm = Array.from({ length: n }, (_, i) => i).sort(() => r() - 0.5);
    const one = findSingletons([fixedEffectFromIds("a", ia, 1500), fixedEffectFromIds("b", ib, 900)]);
    const two = findSingletons([
      fixedEffectFromIds(
        "a",
        Int32Array.from(perm, (i) => ia[i] as number),
        1500,
      ),
      fixedEffectFromIds(
        "b",
        Int32Array.from(perm, (i) => ib[i] as number),
        900,
      ),
    ]);
    expect(two.dropped).toBe(one.dropped);
    perm.forEach((i, j) => {
      expect(two.keep[j]).toBe(one.keep[i]);
    });
    expect(one.dropped).toBeGreaterThan(0);
  });

  it("matches the definition (drop rows alone in a level, recount, repeat) on a sparse three-way design", () => {
    let s = 99;
    const r = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    const n = 4000;
    const sizes = [2500, 700, 40];
    const ids = sizes.map((G) => Int32Array.from({ length: n }, () => Math.floor(r() * G)));
    // Reference: the definition applied literally, one full recount per round.
    const keep = new Uint8Array(n).fill(1);
    for (let changed = true; changed; ) {
      changed = false;
      const counts = sizes.map((G, q) => {
        const c = new Int32Array(G);
        for (let i = 0; i < n; i++) {
          const g = (ids[q] as Int32Array)[i] as number;
          if (keep[i]) c[g] = (c[g] as number) + 1;
        }
        return c;
      });
      for (let i = 0; i < n; i++) {
        if (keep[i] && counts.some((c, q) => c[(ids[q] as Int32Array)[i] as number] === 1)) {
          keep[i] = 0;
          changed = true;
        }
      }
    }
    const res = findSingletons(sizes.map((G, q) => fixedEffectFromIds(`f${q}`, ids[q] as Int32Array, G)));
    expect(Array.from(res.keep)).toEqual(Array.from(keep));
    expect(res.dropped).toBeGreaterThan(100);
  });
});
