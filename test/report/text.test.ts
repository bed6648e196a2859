import { describe, expect, it } from "vitest";
import type { Output } from "../../src/model/result.js";
import { type RenderOptions, renderOutput } from "../../src/report/render.js";
import { clusteredModel, coef, fixedEffectModel, twoModels } from "./fixtures.js";

const renderText = (output: Output, options: RenderOptions = {}) => renderOutput(output, "text", options);

describe("text tables", () => {
  it("renders two models as an aligned esttab-style table", () => {
    expect(renderText(twoModels(), { notes: "full" })).toMatchInlineSnapshot(`
      "=======================================================================
                                  (1)                       (2)
                                kfr_p25                   kfr_p25
      -----------------------------------------------------------------------
      (Intercept)              0.4123***
                              (0.0123)
      log_ppe                  0.0457***                 0.0312***
                              (0.0150)                  (0.0110)
      I(log_ppe^2)             0.0000
                              (0.0001)
      local_share             -0.1235**
                              (0.0600)
      log_ppe:local_share      0.0100*
                              (0.0055)
      region::South                                     -1.2500*
                                                        (0.5000)
      share_%_black                                      0.0000
                                                        (0.0000)
      -----------------------------------------------------------------------
      state FE                    No                        Yes
      Observations              3,012                     3,000
      R2                       0.2346                    0.6123
      Adj. R2                  0.2335                    0.6001
      Within R2                                          0.0412
      Standard errors      Clustered (state)  Two-way clustered (state, year)
      =======================================================================
      Standard errors in parentheses. * p < 0.10, ** p < 0.05, *** p < 0.01
      (1) 12 rows dropped for missing values.
      (1) Collinear term dropped: urban_share.
      "
    `);
  });

  it("is ASCII with no trailing spaces and ends with a newline", () => {
    const text = renderText(twoModels());
    expect(text).toMatch(/^[\x20-\x7e\n]*$/);
    expect(text).not.toMatch(/ \n/);
    expect(text.endsWith("\n")).toBe(true);
  });

  it("renders --by groups, labels, custom stars, NaN and -0", () => {
    const a = { ...fixedEffectModel(), group: { region: "South" }, notes: ["4 singletons dropped."] };
    a.coefficients = [
      coef("log_ppe", -0.00001, 0.002, 0.995),
      coef("region::South", Number.NaN, Number.NaN, Number.NaN),
    ];
    a.adj_r2 = Number.NaN;
    const b = { ...clusteredModel(), group: { region: "West" }, notes: [] };
    const text = renderText(
      { tool: "mobility", version: "0", models: [a, b] },
      {
        keep: ["log_ppe", "region::South", "local_share"],
        labels: { log_ppe: "Log PPE" },
        digits: 3,
        stars: [{ symbol: "+", threshold: 0.005 }],
        extraRows: [{ label: "Controls", cells: ["No", "Yes"] }],
        notes: "full",
      },
    );
    expect(text).toMatchInlineSnapshot(`
      "===================================================================
                                     (1)                       (2)
                                   kfr_p25                   kfr_p25
      Sample (region)               South                     West
      -------------------------------------------------------------------
      Log PPE                       0.000                     0.046+
                                   (0.002)                   (0.015)
      region::South

      local_share                                            -0.123
                                                             (0.060)
      -------------------------------------------------------------------
      state FE                       Yes                       No
      Observations                  3,000                     3,012
      R2                            0.612                     0.235
      Adj. R2                                                 0.234
      Within R2                     0.041
      Standard errors  Two-way clustered (state, year)  Clustered (state)
      Controls                       No                        Yes
      ===================================================================
      Standard errors in parentheses. + p < 0.005
      (1) 4 singletons dropped.
      "
    `);
  });
});
