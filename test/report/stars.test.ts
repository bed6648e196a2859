import { describe, expect, it } from "vitest";
import { DEFAULT_STARS, formatThreshold, stars, starsLegend } from "../../src/report/stars.js";

describe("stars", () => {
  it("uses strict thresholds 0.01, 0.05, 0.10", () => {
    expect(stars(0)).toBe("***");
    expect(stars(0.0099)).toBe("***");
    expect(stars(0.01)).toBe("**");
    expect(stars(0.0499)).toBe("**");
    expect(stars(0.05)).toBe("*");
    expect(stars(0.0999)).toBe("*");
    expect(stars(0.1)).toBe("");
    expect(stars(1)).toBe("");
    expect(stars(Number.NaN)).toBe("");
  });

  it("takes custom levels in any order", () => {
    const levels = [
      { symbol: "+", threshold: 0.1 },
      { symbol: "**", threshold: 0.01 },
      { symbol: "*", threshold: 0.05 },
    ];
    expect(stars(0.005, levels)).toBe("**");
    expect(stars(0.07, levels)).toBe("+");
    expect(starsLegend(levels)).toBe("+ p < 0.10, * p < 0.05, ** p < 0.01");
  });

  it("prints the esttab legend", () => {
    expect(starsLegend(DEFAULT_STARS)).toBe("* p < 0.10, ** p < 0.05, *** p < 0.01");
    expect(formatThreshold(0.001)).toBe("0.001");
    expect(formatThreshold(0.1)).toBe("0.10");
  });
});
