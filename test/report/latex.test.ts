import { describe, expect, it } from "vitest";
import type { Output } from "../../src/model/result.js";
import { escapeLatex } from "../../src/report/latex.js";
import { type RenderOptions, renderOutput } from "../../src/report/render.js";
import { twoModels } from "./fixtures.js";

const renderLatex = (output: Output, options: RenderOptions = {}) => renderOutput(output, "latex", options);

describe("LaTeX tables", () => {
  it("renders a booktabs tabular fragment with threeparttable notes", () => {
    expect(
      renderOutput(twoModels(), "latex", { notes: "full", latex: { fragment: true } }),
    ).toMatchInlineSnapshot(`
      "% Table written by mobility; needs \\usepackage{booktabs}, \\usepackage{threeparttable}.
      \\begin{threeparttable}
      \\begin{tabular}{lcc}
      \\toprule
       & (1) & (2) \\\\
       & kfr\\_p25 & kfr\\_p25 \\\\
      \\midrule
      (Intercept) & 0.4123\\textsuperscript{***} &  \\\\
       & (0.0123) &  \\\\
      log\\_ppe & 0.0457\\textsuperscript{***} & 0.0312\\textsuperscript{***} \\\\
       & (0.0150) & (0.0110) \\\\
      I(log\\_ppe\\textasciicircum{}2) & 0.0000 &  \\\\
       & (0.0001) &  \\\\
      local\\_share & $-$0.1235\\textsuperscript{**} &  \\\\
       & (0.0600) &  \\\\
      log\\_ppe:local\\_share & 0.0100\\textsuperscript{*} &  \\\\
       & (0.0055) &  \\\\
      region::South &  & $-$1.2500\\textsuperscript{*} \\\\
       &  & (0.5000) \\\\
      share\\_\\%\\_black &  & 0.0000 \\\\
       &  & (0.0000) \\\\
      \\midrule
      state FE & No & Yes \\\\
      Observations & 3,012 & 3,000 \\\\
      R$^{2}$ & 0.2346 & 0.6123 \\\\
      Adj. R$^{2}$ & 0.2335 & 0.6001 \\\\
      Within R$^{2}$ &  & 0.0412 \\\\
      Standard errors & Clustered (state) & Two-way clustered (state, year) \\\\
      \\bottomrule
      \\end{tabular}
      \\begin{tablenotes}[flushleft]
      \\footnotesize
      \\item Standard errors in parentheses. * p \\textless{} 0.10, ** p \\textless{} 0.05, *** p \\textless{} 0.01
      \\item (1) 12 rows dropped for missing values.
      \\item (1) Collinear term dropped: urban\\_share.
      \\end{tablenotes}
      \\end{threeparttable}
      "
    `);
  });

  it("escapes every LaTeX special character", () => {
    expect(escapeLatex("I(x^2)")).toBe("I(x\\textasciicircum{}2)");
    expect(escapeLatex("a_b % & # $ {} ~ \\ < > |")).toBe(
      "a\\_b \\% \\& \\# \\$ \\{\\} \\textasciitilde{} \\textbackslash{} \\textless{} \\textgreater{} \\textbar{}",
    );
    expect(escapeLatex("state::CA x:z")).toBe("state::CA x:z");
  });

  it("leaves no unescaped special character outside the markup it writes", () => {
    const body = renderLatex(twoModels())
      .split("\n")
      .filter((line) => !line.startsWith("%"))
      .join("\n")
      .replace(/\\[a-zA-Z]+(\{[^{}]*\})*/g, "") // commands with their arguments
      .replace(/\\[_%&#${}]/g, "") // escaped characters
      .replace(/\$-\$|R\$\^\{2\}\$/g, "") // minus signs and R^2
      .replace(/ & /g, "")
      .replace(/\\\\/g, "");
    expect(body).not.toMatch(/[_%&#$^~]/);
  });
});
