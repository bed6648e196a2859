import { describe, expect, it } from "vitest";
import { MobilityError } from "../../src/errors.js";
import {
  checkDigits,
  formatCount,
  formatFixed,
  formatFull,
  jsonNumber,
} from "../../src/report/numberFormat.js";

describe("formatFixed", () => {
  it("prints a fixed number of decimals, 4 by default", () => {
    expect(formatFixed(0.123456)).toBe("0.1235");
    expect(formatFixed(-2.5)).toBe("-2.5000");
    expect(formatFixed(1234567.891)).toBe("1234567.8910");
    expect(formatFixed(0.123456, 2)).toBe("0.12");
    expect(formatFixed(3.7, 0)).toBe("4");
  });

  it("never prints a negative zero", () => {
    expect(formatFixed(-0)).toBe("0.0000");
    expect(formatFixed(-0.00001)).toBe("0.0000");
    expect(formatFixed(-0.00004999)).toBe("0.0000");
    expect(formatFixed(-0.00005)).toBe("-0.0001");
    expect(formatFixed(-0.4, 0)).toBe("0");
  });

  it("prints NaN as an empty cell and infinities as Inf", () => {
    expect(formatFixed(Number.NaN)).toBe("");
    expect(formatFixed(Number.POSITIVE_INFINITY)).toBe("Inf");
    expect(formatFixed(Number.NEGATIVE_INFINITY)).toBe("-Inf");
  });

  it("rejects bad digits with a usage error", () => {
    expect(() => formatFixed(1, -1)).toThrow(MobilityError);
    expect(() => formatFixed(1, 2.5)).toThrow(/digits must be an integer/);
    expect(() => checkDigits(16)).toThrow(/from 0 to 15/);
    expect(checkDigits(15)).toBe(15);
  });
});

describe("formatCount", () => {
  it("prints plain integers without separators", () => {
    expect(formatCount(1234567)).toBe("1234567");
    expect(formatCount(-0)).toBe("0");
    expect(formatCount(Number.NaN)).toBe("");
  });
});

describe("formatFull", () => {
  it("prints the shortest round-trip decimal", () => {
    for (const x of [0.1, 1 / 3, -2.5e-7, 123456789.125, 1e21, 5e-324]) {
      expect(Number(formatFull(x))).toBe(x);
    }
    expect(formatFull(-0)).toBe("0");
    expect(formatFull(Number.NaN)).toBe("");
    expect(formatFull(Number.NEGATIVE_INFINITY)).toBe("-Inf");
  });
});

describe("jsonNumber", () => {
  it("maps non-finite numbers to null or strings", () => {
    expect(jsonNumber(1.5)).toBe(1.5);
    expect(Object.is(jsonNumber(-0), 0)).toBe(true);
    expect(jsonNumber(Number.NaN)).toBeNull();
    expect(jsonNumber(Number.POSITIVE_INFINITY)).toBe("Infinity");
    expect(jsonNumber(Number.NEGATIVE_INFINITY)).toBe("-Infinity");
  });
});
