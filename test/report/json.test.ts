import { describe, expect, it } from "vitest";
import { MobilityError } from "../../src/errors.js";
import { type Output, OutputSchema } from "../../src/model/result.js";
import { parseOutputJson, renderJson, validateOutput } from "../../src/report/json.js";
import { clusteredModel, twoModels } from "./fixtures.js";

describe("renderJson", () => {
  it("pretty-prints the Output with a 2-space indent and a final newline", () => {
    const text = renderJson(twoModels());
    expect(
      text.startsWith('{\n  "tool": "mobility",\n  "version": "0.1.0",\n  "models": [\n    {\n      "name"'),
    ).toBe(true);
    expect(text.endsWith("}\n")).toBe(true);
  });

  it("round-trips through OutputSchema", () => {
    const output = twoModels();
    const parsed = OutputSchema.parse(JSON.parse(renderJson(output)));
    expect(parsed).toEqual(output);
    expect(parseOutputJson(renderJson(output))).toEqual(output);
  });

  it("writes keys in schema order and drops unknown keys", () => {
    const model = clusteredModel();
    const shuffled = Object.fromEntries(Object.entries(model).reverse());
    const output = {
      models: [{ ...shuffled, extra: 1 }],
      version: "0.1.0",
      tool: "mobility",
    } as unknown as Output;
    const expected = renderJson({ tool: "mobility", version: "0.1.0", models: [model] });
    expect(renderJson(output)).toBe(expected);
  });

  it("maps NaN to null, infinities to strings and -0 to 0, and reads them back", () => {
    const model = clusteredModel();
    model.adj_r2 = Number.NaN;
    model.within_r2 = Number.NaN;
    model.vcov.df_t = Number.POSITIVE_INFINITY;
    model.coefficients[0] = {
      ...(model.coefficients[0] as Output["models"][number]["coefficients"][number]),
      estimate: -0,
      conf_low: Number.NEGATIVE_INFINITY,
    };
    const output: Output = { tool: "mobility", version: "0", models: [model] };
    const text = renderJson(output);
    expect(text).toContain('"adj_r2": null,');
    expect(text).toContain('"within_r2": null,');
    expect(text).toContain('"df_t": "Infinity",');
    expect(text).toContain('"conf_low": "-Infinity",');
    expect(text).toContain('"estimate": 0,');
    expect(text).not.toMatch(/NaN|-0[,\n]/);
    const back = parseOutputJson(text);
    expect(back.models[0]?.adj_r2).toBeNaN();
    expect(back.models[0]?.within_r2).toBeNull(); // a missing within R² is null either way
    expect(back.models[0]?.vcov.df_t).toBe(Number.POSITIVE_INFINITY);
    expect(back.models[0]?.coefficients[0]?.conf_low).toBe(Number.NEGATIVE_INFINITY);
    expect(renderJson(back)).toBe(text);
  });

  it("refuses an Output that does not match the schema", () => {
    const bad = { ...twoModels(), tool: "other" } as unknown as Output;
    expect(() => renderJson(bad)).toThrow(/does not match the output schema/);
    const missing = twoModels();
    delete (missing.models[0] as Partial<Output["models"][number]>).nobs;
    expect(() => validateOutput(missing)).toThrow(/nobs/);
  });

  it("reports unreadable JSON as a data error", () => {
    expect(() => parseOutputJson("{")).toThrow(MobilityError);
    expect(() => parseOutputJson('{"tool":"mobility"}')).toThrow(/not a mobility result/);
  });
});
