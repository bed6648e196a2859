import { describe, expect, it } from "vitest";
import type { Output } from "../../src/model/result.js";
import { formatForPath, OUTPUT_FORMATS, parseOutputFormat, renderOutput } from "../../src/report/render.js";
import { clusteredModel, coef, twoModels } from "./fixtures.js";

describe("renderOutput", () => {
  it("dispatches on the format", () => {
    const output = twoModels();
    expect(renderOutput(output, "text").startsWith("=====")).toBe(true);
    expect(renderOutput(output, "markdown").startsWith("|")).toBe(true);
    expect(renderOutput(output, "latex").startsWith("% Table written by mobility")).toBe(true);
    expect(renderOutput(output, "csv").startsWith("model,name,term")).toBe(true);
    expect(renderOutput(output, "json").startsWith("{")).toBe(true);
  });

  it("is byte-identical for identical input and does not mutate it", () => {
    for (const format of OUTPUT_FORMATS) {
      const output = twoModels();
      const before = structuredClone(output);
      const first = renderOutput(output, format, { digits: 3 });
      expect(renderOutput(twoModels(), format, { digits: 3 })).toBe(first);
      expect(output).toEqual(before);
      expect(first.endsWith("\n")).toBe(true);
    }
  });

  it("prints no negative zero and no NaN in any format", () => {
    const model = clusteredModel();
    model.coefficients = [coef("x", -0.000001, Number.NaN, Number.NaN), coef("y", -0, 0.1, 1)];
    model.r2 = Number.NaN;
    model.adj_r2 = Number.NaN;
    const output: Output = { tool: "mobility", version: "0", models: [model] };
    for (const format of OUTPUT_FORMATS) {
      const text = renderOutput(output, format);
      if (format === "text") expect(text).toMatch(/^x +0\.0000$/m);
      expect(text, format).not.toMatch(/(?<![\w.])-0(\.0+)?(?![\w.])|NaN/);
    }
  });

  it("parses format names and guesses them from file names", () => {
    expect(parseOutputFormat("MD")).toBe("markdown");
    expect(parseOutputFormat("tex")).toBe("latex");
    expect(parseOutputFormat("json")).toBe("json");
    expect(() => parseOutputFormat("xlsx")).toThrow(
      "unknown format 'xlsx'; expected one of text, markdown, latex, csv, json",
    );
    expect(formatForPath("out/table.tex")).toBe("latex");
    expect(formatForPath("table.MD")).toBe("markdown");
    expect(formatForPath("coefs.csv")).toBe("csv");
    expect(formatForPath("result.json")).toBe("json");
    expect(formatForPath("table.txt")).toBe("text");
    expect(formatForPath("dir.d/table")).toBe("text");
  });
});
