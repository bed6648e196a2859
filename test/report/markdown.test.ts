import { describe, expect, it } from "vitest";
import type { Output } from "../../src/model/result.js";
import { escapeMarkdown } from "../../src/report/markdown.js";
import { type RenderOptions, renderOutput } from "../../src/report/render.js";
import { coef, twoModels } from "./fixtures.js";

const renderMarkdown = (output: Output, options: RenderOptions = {}) =>
  renderOutput(output, "markdown", options);

describe("Markdown tables", () => {
  it("renders a GitHub pipe table with escaped cells and notes", () => {
    expect(renderMarkdown(twoModels(), { notes: "full" })).toMatchInlineSnapshot(`
      "|                       |        (1)        |               (2)               |
      |:----------------------|:-----------------:|:-------------------------------:|
      |                       |     kfr\\_p25      |            kfr\\_p25             |
      | (Intercept)           |   0.4123\\*\\*\\*    |                                 |
      |                       |     (0.0123)      |                                 |
      | log\\_ppe              |   0.0457\\*\\*\\*    |          0.0312\\*\\*\\*           |
      |                       |     (0.0150)      |            (0.0110)             |
      | I(log\\_ppe^2)         |      0.0000       |                                 |
      |                       |     (0.0001)      |                                 |
      | local\\_share          |    -0.1235\\*\\*    |                                 |
      |                       |     (0.0600)      |                                 |
      | log\\_ppe:local\\_share |     0.0100\\*      |                                 |
      |                       |     (0.0055)      |                                 |
      | region::South         |                   |            -1.2500\\*            |
      |                       |                   |            (0.5000)             |
      | share\\_%\\_black       |                   |             0.0000              |
      |                       |                   |            (0.0000)             |
      | state FE              |        No         |               Yes               |
      | Observations          |       3,012       |              3,000              |
      | R²                    |      0.2346       |             0.6123              |
      | Adj. R²               |      0.2335       |             0.6001              |
      | Within R²             |                   |             0.0412              |
      | Standard errors       | Clustered (state) | Two-way clustered (state, year) |

      Standard errors in parentheses. \\* p \\< 0.10, \\*\\* p \\< 0.05, \\*\\*\\* p \\< 0.01

      (1) 12 rows dropped for missing values.

      (1) Collinear term dropped: urban\\_share.
      "
    `);
  });

  it("escapes characters that Markdown or a table cell would interpret", () => {
    expect(escapeMarkdown("a|b*c_d`e<f>[g]\\h")).toBe("a\\|b\\*c\\_d\\`e\\<f\\>\\[g\\]\\\\h");
    expect(escapeMarkdown("I(x^2) state::CA a:b")).toBe("I(x^2) state::CA a:b");
  });

  it("has the same number of cells in every table row, even with a | in a term", () => {
    const output = twoModels();
    output.models[0]?.coefficients.push(coef("a|b", 1, 1, 1));
    const lines = renderMarkdown(output)
      .split("\n")
      .filter((line) => line.startsWith("|"));
    const counts = lines.map((line) => line.replace(/\\\|/g, "").split("|").length);
    expect(new Set(counts)).toEqual(new Set([5]));
  });
});
