/**
 * Paper-ready regression tables (issue 14): statistics rows from the registry, IV stages as columns next to OLS,
 * column groups, panels and the long layout, standard errors beside the estimate, t / p / intervals, stars in
 * every row type, Unicode labels in LaTeX. The models are hand-built (test/report/fixtures.ts style): these tests
 * are about layout, the numbers are what the fixtures say.
 */
import { describe, expect, it } from "vitest";
import type { ModelResult, Output } from "../../src/model/result.js";
import { FORMAT_NAMES, findFormat, formatForPath } from "../../src/report/formats.js";
import { type Grid, splitPanels } from "../../src/report/grid.js";
import { escapeLatex, latexText } from "../../src/report/latex.js";
import { stageColumns } from "../../src/report/modelRows.js";
import { groupThousands } from "../../src/report/numberFormat.js";
import { regressionDocument } from "../../src/report/regressionDocument.js";
import { renderOutput } from "../../src/report/render.js";
import { buildTable, regressionGrid } from "../../src/report/table.js";
import { clusteredModel, coef, fixedEffectModel } from "./fixtures.js";

/** An IV model with two endogenous regressors, fixed effects and clustered errors. */
function ivModel(): ModelResult {
  const base = fixedEffectModel();
  const stage = (endo: string, b1: number, b2: number, f: number, r2: number, wr2: number) => ({
    endogenous: endo,
    coefficients: [coef("bsim", b1, 0.1, 0.0001), coef("bsim:pc", b2, 0.2, 0.5)],
    partial_f: f,
    partial_f_df1: 2,
    partial_f_df2: 49,
    partial_f_p_value: 1e-6,
    sanderson_windmeijer_f: null,
    r2,
    adj_r2: r2 - 0.01,
    within_r2: wr2,
  });
  return {
    ...base,
    name: "y",
    dependent: "y",
    estimator: "iv",
    nobs: 12924,
    coefficients: [coef("fit_beta", -3.1625, 2.3397, 0.18), coef("fit_beta:pc", 0.0247, 0.0052, 0.00001)],
    within_r2: 0.5,
    iv: {
      endogenous: ["beta", "beta:pc"],
      instruments: ["bsim", "bsim:pc"],
      first_stages: [
        stage("beta", 0.8969, 0, 96.1, 0.91, 0.887),
        stage("beta:pc", -4.1, 0.97, 61.3, 0.8, 0.7),
      ],
      cragg_donald_f: 150.25,
      kleibergen_paap_f: 287.149,
    },
  };
}

function olsWithBeta(): ModelResult {
  return {
    ...fixedEffectModel(),
    name: "y",
    dependent: "y",
    coefficients: [coef("beta", -1.5, 0.5, 0.004), coef("beta:pc", 0.02, 0.004, 0.00001)],
    y_mean: 0.55623,
    y_sd: 0.1,
  };
}

const out = (models: ModelResult[]): Output => ({ tool: "mobility", version: "0", models });
const rowsOf = (o: Output, options = {}) =>
  buildTable(o, options).fit.map((r) => [r.label, ...r.cells.map((c) => c.text + c.stars)]);

describe("statistics rows (src/report/stats.ts)", () => {
  it("shows KP F once per IV model, first-stage F per endogenous regressor, clusters, means, with separators", () => {
    const rows = rowsOf(out([olsWithBeta(), ivModel()]), {
      stats: ["n", "clusters", "ymean", "first_stage_f", "kp_f", "cd_f", "f"],
    });
    expect(rows).toEqual([
      ["Observations", "3,000", "12,924"],
      ["Clusters (state)", "50", "50"],
      ["Clusters (year)", "10", "10"],
      ["Mean of dep. var.", "0.5562", ""],
      ["First-stage F (beta)", "", "96.10"],
      ["First-stage F (beta:pc)", "", "61.30"],
      ["Kleibergen-Paap F", "", "287.15"],
      ["Cragg-Donald F", "", "150.25"],
    ]);
  });

  it("rejects an unknown statistic, naming the registry's", () => {
    expect(() => rowsOf(out([olsWithBeta()]), { stats: ["kp"] })).toThrow(
      /unknown statistic 'kp'; expected one of fe, n, r2/,
    );
  });

  it("groups thousands in counts only", () => {
    expect(groupThousands("80033")).toBe("80,033");
    expect(groupThousands("-1234567.25")).toBe("-1,234,567.25");
    expect(groupThousands("999")).toBe("999");
  });
});

describe("IV stages as columns (fixest etable stage = 1:2)", () => {
  it("puts first stages and the second stage next to OLS, with the fitted regressor on the OLS row", () => {
    const iv = ivModel();
    const columns = [olsWithBeta(), ...stageColumns(iv, ["first", "second"])];
    const table = buildTable(out(columns), { stats: ["fe", "n", "r2", "within_r2", "kp_f"] });
    expect(table.header.map((r) => r.cells.map((c) => c.text))).toEqual([
      ["(1)", "(2)", "(3)", "(4)"],
      ["OLS", "First stage", "First stage", "2SLS"],
      ["y", "beta", "beta:pc", "y"],
    ]);
    const coefficients = table.coefficients.filter((r) => r.kind === "coef");
    expect(coefficients.map((r) => [r.label, ...r.cells.map((c) => c.text)])).toEqual([
      ["beta", "-1.5000", "", "", "-3.1625"],
      ["beta:pc", "0.0200", "", "", "0.0247"],
      ["bsim", "", "0.8969", "-4.1000", ""],
      ["bsim:pc", "", "0.0000", "0.9700", ""],
    ]);
    const fit = table.fit.map((r) => [r.label, ...r.cells.map((c) => c.text)]);
    // A first stage's R² is the full R² (fixest: 0.910, not the within 0.887).
    expect(fit).toContainEqual(["R²", "0.6123", "0.9100", "0.8000", "0.6123"]);
    expect(fit).toContainEqual(["Within R²", "0.0412", "0.8870", "0.7000", "0.5000"]);
    // Kleibergen-Paap F: once per IV model, in its first first-stage column and under the 2SLS column.
    expect(fit).toContainEqual(["Kleibergen-Paap F", "", "287.15", "", "287.15"]);
  });
});

describe("layout options", () => {
  it("spans column groups over models and underlines them", () => {
    const o = out([olsWithBeta(), olsWithBeta(), clusteredModel()]);
    const text = renderOutput(o, "text", {
      groups: [
        { label: "Approach 1", span: 2 },
        { label: "Other", span: 1 },
      ],
      keep: ["beta"],
      stats: ["n"],
    });
    const lines = text.split("\n");
    expect(lines[1]).toMatch(/^ +Approach 1 +Other$/);
    expect(lines[2]).toMatch(/^ +-{10,} +-{5,}$/);
    const latex = renderOutput(o, "latex", {
      groups: [
        { label: "Approach 1", span: 2 },
        { label: "Other", span: 1 },
      ],
    });
    expect(latex).toContain(
      " & \\multicolumn{2}{c}{Approach 1} & Other \\\\\n\\cmidrule(lr){2-3} \\cmidrule(lr){4-4}",
    );
    expect(() => buildTable(o, { groups: [{ label: "A", span: 2 }] })).toThrow(
      "column groups span 2 columns; the table has 3",
    );
  });

  it("splits wide tables into panels, each with the stub, and transposes with long", () => {
    const models = Array.from({ length: 12 }, (_, i) => ({
      ...olsWithBeta(),
      group: { state: `S${String(i).padStart(2, "0")}` },
    }));
    const grid = regressionGrid(buildTable(out(models)));
    const panels = splitPanels(grid, 5);
    expect(panels.map((p) => p.align.length)).toEqual([6, 6, 3]);
    expect(panels.map((p) => p.heading)).toEqual([
      "Panel A: columns 1 to 5 of 12",
      "Panel B: columns 6 to 10 of 12",
      "Panel C: columns 11 to 12 of 12",
    ]);
    expect(panels[2]?.header[0]?.cells.map((c) => c.text)).toEqual(["", "(11)", "(12)"]);
    // The text writer splits by itself when a table with many columns would pass 120 characters.
    const text = renderOutput(out(models), "text");
    expect(Math.max(...text.split("\n").map((l) => l.length))).toBeLessThanOrEqual(120);
    expect(text).toContain("Panel B:");
    const long = renderOutput(out(models), "text", { long: true, stats: ["n"], keep: ["beta"] });
    const body = long.split("\n").filter((l) => /^S\d\d /.test(l));
    expect(body).toHaveLength(12);
    expect(body[0]).toMatch(/^S00 +-1\.5000\*\*\* +\(0\.5000\) +3,000$/);
  });

  it("writes standard errors beside the estimate, or t, p and intervals, and says so in the notes", () => {
    const o = out([clusteredModel()]);
    const beside = buildTable(o, { beside: true, keep: ["log_ppe"] });
    expect(beside.coefficients.map((r) => r.cells.map((c) => `${c.text}${c.stars}${c.tail ?? ""}`))).toEqual([
      ["0.0457*** (0.0150)"],
    ]);
    const t = buildTable(o, { coefstat: "t", keep: ["log_ppe"] });
    expect(t.coefficients[1]?.cells[0]?.text).toBe("(3.0452)");
    expect(t.notes[0]).toMatch(/^t statistics in parentheses \(standard errors: clustered \(state\)\)\./);
    const p = buildTable(o, { coefstat: "p", keep: ["log_ppe"] });
    expect(p.coefficients[1]?.cells[0]?.text).toBe("[0.0040]");
    const ci = buildTable(o, { coefstat: "ci", keep: ["log_ppe"] });
    expect(ci.coefficients[1]?.cells[0]?.text).toBe("[0.0163; 0.0751]");
  });

  it("prints an event study's reference period as ref., in every format", () => {
    const m = clusteredModel();
    m.coefficients = [
      { ...coef("rel_time::-1", 0, 0, Number.NaN), reference: true, rel_time: -1 },
      coef("rel_time::0", 0.5, 0.1, 0.001),
    ];
    const table = buildTable(out([m]));
    expect(table.coefficients.map((r) => [r.label, r.cells[0]?.text])).toEqual([
      ["rel_time::-1", "ref."],
      ["", ""],
      ["rel_time::0", "0.5000"],
      ["", "(0.1000)"],
    ]);
  });

  it("typesets stars of combination rows as those of coefficients (LaTeX superscripts)", () => {
    const latex = renderOutput(out([clusteredModel()]), "latex", {
      keep: ["log_ppe"],
      extraRows: [{ label: "Effect", cells: [{ text: "3.7520", stars: "***" }] }],
    });
    expect(latex).toContain("log\\_ppe & 0.0457\\textsuperscript{***} \\\\");
    expect(latex).toContain("Effect & 3.7520\\textsuperscript{***} \\\\");
    expect(latex).not.toMatch(/\d\*\*\*/);
  });

  it("prints fixed-effect rows with the marks asked for", () => {
    const rows = rowsOf(out([olsWithBeta(), clusteredModel()]), { stats: ["fe"], feMarks: ["×", ""] });
    expect(rows).toEqual([["state FE", "×", ""]]);
  });
});

describe("LaTeX", () => {
  it("wraps the table in a float with caption and label, or writes a fragment, naming the packages", () => {
    const o = out([clusteredModel()]);
    const float = renderOutput(o, "latex", { title: "Main results", label: "tab:main" });
    expect(float.split("\n").slice(0, 6)).toEqual([
      "% Table written by mobility; needs \\usepackage{booktabs}, \\usepackage{threeparttable}.",
      "\\begin{table}[htbp]",
      "\\centering",
      "\\begin{threeparttable}",
      "\\caption{Main results}",
      "\\label{tab:main}",
    ]);
    expect(float.trimEnd().endsWith("\\end{threeparttable}\n\\end{table}")).toBe(true);
    const fragment = renderOutput(o, "latex", { title: "Main results", latex: { fragment: true } });
    expect(fragment).not.toContain("\\begin{table}");
    expect(fragment).not.toContain("\\caption");
    expect(fragment).toContain("% Main results\n\\begin{threeparttable}\n\\begin{tabular}{lc}");
  });

  it("aligns numbers with siunitx S columns, bracing text, parentheses and stars", () => {
    const latex = renderOutput(out([clusteredModel()]), "latex", {
      keep: ["log_ppe", "local_share"],
      latex: { siunitx: true },
      stats: ["n", "r2", "vcov"],
    });
    expect(latex).toContain("\\usepackage{siunitx}");
    expect(latex).toContain(
      "\\begin{tabular}{lS[table-format=-1.4, table-space-text-pre={(}, table-align-text-before=false, table-space-text-post={)***}]}",
    );
    expect(latex).toContain(" & {(1)} \\\\");
    expect(latex).toContain("log\\_ppe & 0.0457{\\textsuperscript{***}} \\\\");
    expect(latex).toContain(" & {(}0.0150{)} \\\\");
    expect(latex).toContain("local\\_share & -0.1235{\\textsuperscript{**}} \\\\");
    expect(latex).toContain("Observations & {3,012} \\\\");
    expect(latex).toContain("Standard errors & {Clustered (state)} \\\\");
  });

  it("maps Unicode math to LaTeX and passes $...$ through", () => {
    expect(escapeLatex("β × parent centile")).toBe("$\\beta$ $\\times$ parent centile");
    expect(escapeLatex("Effect of a 1sd ↓β")).toBe("Effect of a 1sd $\\downarrow \\beta$");
    expect(escapeLatex("R²")).toBe("R$^{2}$");
    expect(latexText("$\\hat\\alpha_1$ (share)")).toBe("$\\hat\\alpha_1$ (share)");
    expect(latexText("50% of $x_1$")).toBe("50\\% of $x_1$");
    // Dollar amounts are not math.
    expect(latexText("revenue ($1000) on income ($1000)")).toBe("revenue (\\$1000) on income (\\$1000)");
  });
});

describe("format registry (src/report/formats.ts)", () => {
  it("offers one writer per format, found by name, alias or file extension", () => {
    expect(FORMAT_NAMES).toEqual(["text", "markdown", "latex", "csv", "json"]);
    expect(findFormat("TeX").name).toBe("latex");
    expect(findFormat("md").name).toBe("markdown");
    expect(formatForPath("t.markdown")).toBe("markdown");
    expect(() => findFormat("xlsx")).toThrow(
      "unknown format 'xlsx'; expected one of text, markdown, latex, csv, json",
    );
  });

  it("writes any grid, e.g. a data listing, through the same writers", () => {
    const grid: Grid = {
      align: ["left", "right"],
      stub: false,
      header: [{ cells: [{ text: "state" }, { text: "slope" }] }],
      sections: [
        [{ cells: [{ text: "CA" }, { text: "0.0098" }] }, { cells: [{ text: "NJ" }, { text: "-0.1246" }] }],
      ],
      notes: ["Slopes per state."],
    };
    const doc = {
      grids: [grid],
      records: () => ({
        columns: ["state", "slope"],
        rows: [
          ["CA", 0.0098],
          ["NJ", -0.1246],
        ],
      }),
      json: () => [{ state: "CA", slope: 0.0098 }],
    };
    expect(findFormat("markdown").write(doc)).toBe(
      "| state |   slope |\n|:------|--------:|\n| CA    |  0.0098 |\n| NJ    | -0.1246 |\n\nSlopes per state.\n",
    );
    expect(findFormat("csv").write(doc)).toBe("state,slope\nCA,0.0098\nNJ,-0.1246\n");
    expect(findFormat("text").write(doc)).toBe(
      "==============\nstate    slope\n--------------\nCA      0.0098\nNJ     -0.1246\n==============\nSlopes per state.\n",
    );
    expect(regressionDocument(out([clusteredModel()])).grids).toHaveLength(1);
  });
});
