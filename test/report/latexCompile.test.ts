/**
 * The LaTeX tables compile: each variant (float with caption and label, fragment \input into the author's float,
 * siunitx alignment, column groups, IV stages, Unicode labels, panels) is written into a document and run through
 * pdflatex (TeX Live: texlive-latex-base + texlive-latex-extra; siunitx is in texlive-science). Skips with a message
 * where pdflatex (or siunitx) is absent. Set MOBILITY_TEX_KEEP=dir to keep the PDFs and, with pdftoppm, PNGs.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ModelResult, Output } from "../../src/model/result.js";
import { stageColumns } from "../../src/report/modelRows.js";
import { type RenderOptions, renderOutput } from "../../src/report/render.js";
import { clusteredModel, coef, fixedEffectModel } from "./fixtures.js";

function has(command: string, args: string[]): boolean {
  const r = spawnSync(command, args, { encoding: "utf8" });
  return r.status === 0;
}

const pdflatex = has("pdflatex", ["--version"]);
const siunitx = pdflatex && has("kpsewhich", ["siunitx.sty"]);
const pdftoppm = has("pdftoppm", ["-v"]);
if (!pdflatex)
  console.log("latexCompile: pdflatex not found; skipping (install texlive-latex-base texlive-latex-extra)");
else if (!siunitx)
  console.log("latexCompile: siunitx.sty not found; skipping its case (install texlive-science)");

const dir = mkdtempSync(join(tmpdir(), "mobility-tex-"));
afterAll(() => {
  const keep = process.env.MOBILITY_TEX_KEEP;
  if (keep) {
    mkdirSync(keep, { recursive: true });
    for (const f of readdirSync(dir))
      if (/\.(pdf|png|tex)$/.test(f)) copyFileSync(join(dir, f), join(keep, f));
  }
  rmSync(dir, { recursive: true, force: true });
});

function ivModel(): ModelResult {
  const base = fixedEffectModel();
  return {
    ...base,
    name: "y",
    dependent: "y",
    estimator: "iv",
    coefficients: [coef("fit_beta", -3.1625, 2.3397, 0.18), coef("fit_beta:pc", 0.0247, 0.0052, 0.00001)],
    iv: {
      endogenous: ["beta", "beta:pc"],
      instruments: ["bsim", "bsim:pc"],
      first_stages: ["beta", "beta:pc"].map((e, j) => ({
        endogenous: e,
        coefficients: [
          coef("bsim", j === 0 ? 0.8969 : -4.1167, 0.0374, 0.0001),
          coef("bsim:pc", j, 0.05, 0.001),
        ],
        partial_f: 96.1,
        partial_f_df1: 2,
        partial_f_df2: 49,
        partial_f_p_value: 1e-6,
        sanderson_windmeijer_f: null,
        r2: 0.91,
        within_r2: 0.887,
      })),
      cragg_donald_f: 150.25,
      kleibergen_paap_f: 287.15,
    },
  };
}

function compile(name: string, body: string, packages: string[]): void {
  const tex = [
    "\\documentclass{article}",
    "\\usepackage[T1]{fontenc}",
    ...packages.map((p) => `\\usepackage{${p}}`),
    "\\pagestyle{empty}",
    "\\begin{document}",
    body,
    "\\end{document}",
    "",
  ].join("\n");
  writeFileSync(join(dir, `${name}.tex`), tex);
  const r = spawnSync("pdflatex", ["-interaction=nonstopmode", "-halt-on-error", `${name}.tex`], {
    cwd: dir,
    encoding: "utf8",
  });
  const errors = r.stdout.split("\n").filter((l) => l.startsWith("!"));
  expect(errors, `${name}: ${r.stdout.slice(-2000)}`).toEqual([]);
  expect(r.status).toBe(0);
  if (pdftoppm && process.env.MOBILITY_TEX_KEEP)
    execFileSync("pdftoppm", ["-png", "-r", "110", "-singlefile", `${name}.pdf`, name], { cwd: dir });
}

const output: Output = {
  tool: "mobility",
  version: "0",
  models: [{ ...clusteredModel(), name: "Mobility (rank)" }, ...stageColumns(ivModel(), ["first", "second"])],
};
const options: RenderOptions = {
  title: "β, its interaction with the parent centile, and 50% of ppe_k & friends",
  label: "tab:test",
  labels: {
    beta: "β",
    "beta:pc": "β × parent centile",
    bsim: "β (IV)",
    "bsim:pc": "β (IV) × parent centile",
  },
  groups: [
    { label: "OLS", span: 1 },
    { label: "Approach 1", span: 3 },
  ],
  stats: ["fe", "n", "r2", "within_r2", "kp_f", "clusters"],
  extraRows: [
    { label: "Effect at the 10th percentile ↓", cells: ["", { text: "2.916", stars: "**" }, "", ""] },
  ],
  extraNotes: ["Standard errors clustered at the state level; $p$-values in brackets."],
  notes: "full",
};

describe.skipIf(!pdflatex)("LaTeX tables compile with pdflatex", () => {
  it("a table float with caption, label, column groups, IV stages, Unicode labels and threeparttable notes", () => {
    compile("float", renderOutput(output, "latex", options), ["booktabs", "threeparttable"]);
  });

  it("a fragment \\input into the author's own float", () => {
    writeFileSync(
      join(dir, "fragment-table.tex"),
      renderOutput(output, "latex", { ...options, latex: { fragment: true } }),
    );
    compile(
      "fragment",
      "\\begin{table}\\centering\\caption{Author's caption}\\input{fragment-table.tex}\\end{table}",
      ["booktabs", "threeparttable"],
    );
  });

  it("panels of a wide --by table", () => {
    const models = Array.from({ length: 9 }, (_, i) => ({ ...clusteredModel(), group: { state: `S${i}` } }));
    const latex = renderOutput({ tool: "mobility", version: "0", models }, "latex", {
      panelColumns: 4,
      keep: ["log_ppe"],
      title: "Per state",
    });
    expect(latex.match(/\\begin\{tabular\}/g)).toHaveLength(3);
    compile("panels", latex, ["booktabs", "threeparttable"]);
  });

  it.skipIf(!siunitx)("siunitx decimal alignment", () => {
    compile("siunitx", renderOutput(output, "latex", { ...options, latex: { siunitx: true } }), [
      "booktabs",
      "threeparttable",
      "siunitx",
    ]);
  });
});
