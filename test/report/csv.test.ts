import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import type { Output } from "../../src/model/result.js";
import { csvField } from "../../src/report/csv.js";
import { renderOutput } from "../../src/report/render.js";
import { clusteredModel, coef, fixedEffectModel, twoModels } from "./fixtures.js";

function parse(text: string): Record<string, unknown>[] {
  const result = Papa.parse<Record<string, unknown>>(text, {
    header: true,
    dynamicTyping: true,
    skipEmptyLines: true,
  });
  expect(result.errors).toEqual([]);
  return result.data;
}

const renderCsv = (output: Output) => renderOutput(output, "csv");

describe("CSV of regressions", () => {
  it("writes one row per model and term with the tidy columns", () => {
    const text = renderCsv(twoModels());
    expect(text.split("\n")[0]).toBe(
      "model,name,term,estimate,std_error,statistic,p_value,conf_low,conf_high,nobs,r2,type,formula,data",
    );
    expect(text.split("\n")[3]).toBe(
      "1,kfr_p25,I(log_ppe^2),-0.00001234,0.00005,-0.2468,0.81,-0.00011034,0.00008565999999999999,3012,0.2345678,coefficient,kfr_p25 ~ log_ppe + I(log_ppe^2) + local_share + log_ppe:local_share + urban_share,",
    );
    expect(text.endsWith("\n")).toBe(true);
  });

  it("parses back to the same numbers, in full precision", () => {
    const output = twoModels();
    const rows = parse(renderCsv(output));
    const expected = output.models.flatMap((model, i) =>
      model.coefficients.map((c) => ({
        model: i + 1,
        name: model.name,
        ...c,
        nobs: model.nobs,
        r2: model.r2,
        type: "coefficient",
        formula: model.formula,
        data: null,
      })),
    );
    expect(rows).toEqual(expected);
  });

  it("quotes fields as RFC 4180 says", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    // One quoting rule for the whole project (data/writeCsv.ts): leading or trailing spaces are quoted too.
    expect(csvField(" padded")).toBe('" padded"');
    const output: Output = { tool: "mobility", version: "0", models: [clusteredModel()] };
    output.models[0]?.coefficients.splice(0, 5, coef('f(x, "y")', 1, 0.5, 0.04));
    const text = renderCsv(output);
    expect(text.split("\n")[1]).toMatch(/^1,kfr_p25,"f\(x, ""y""\)",1,0\.5,2,/);
    expect(parse(text)[0]?.term).toBe('f(x, "y")');
  });

  it("adds one column per --by variable", () => {
    const a = { ...fixedEffectModel(), group: { region: "South", term: 1990 } };
    const b = { ...fixedEffectModel(), group: { region: "West", term: 2000 } };
    const rows = parse(renderCsv({ tool: "mobility", version: "0", models: [a, b] }));
    expect(Object.keys(rows[0] ?? {}).slice(0, 5)).toEqual(["model", "name", "region", "by_term", "term"]);
    expect(rows.map((row) => [row.model, row.region, row.by_term, row.term])[3]).toEqual([
      2,
      "West",
      2000,
      "log_ppe",
    ]);
  });

  it("writes NaN as an empty field, infinities as Inf and -0 as 0", () => {
    const model = clusteredModel();
    model.coefficients = [
      {
        term: "x",
        estimate: -0,
        std_error: Number.NaN,
        statistic: Number.NaN,
        p_value: Number.NaN,
        conf_low: Number.NEGATIVE_INFINITY,
        conf_high: Number.POSITIVE_INFINITY,
      },
    ];
    model.r2 = Number.NaN;
    const text = renderCsv({ tool: "mobility", version: "0", models: [model] });
    expect(text.split("\n")[1]).toMatch(/^1,kfr_p25,x,0,,,,-Inf,Inf,3012,,coefficient,/);
  });
});

describe("CSV of combinations", () => {
  it("keeps --lincom and --nlcom results as rows of type lincom / nlcom, with the input named", () => {
    const model = { ...clusteredModel(), data: "data/counties.csv" };
    model.combinations = [
      { expression: "b[log_ppe] + b[local_share]", kind: "lincom" as const, ...coef("", -0.08, 0.06, 0.2) },
      { expression: "-b[log_ppe]/b[local_share]", kind: "nlcom" as const, ...coef("", 0.37, 0.2, 0.07) },
    ];
    const rows = parse(renderOutput({ tool: "mobility", version: "0", models: [model] }, "csv"));
    const combos = rows.filter((r) => r.type !== "coefficient");
    expect(combos.map((r) => [r.term, r.type, r.estimate, r.std_error, r.data])).toEqual([
      ["b[log_ppe] + b[local_share]", "lincom", -0.08, 0.06, "data/counties.csv"],
      ["-b[log_ppe]/b[local_share]", "nlcom", 0.37, 0.2, "data/counties.csv"],
    ]);
    expect(rows.every((r) => r.formula === model.formula)).toBe(true);
  });
});
