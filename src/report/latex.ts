/**
 * LaTeX `tabular` fragment with booktabs rules, ready for `\input{table.tex}` inside a `table` float (the document
 * needs `\usepackage{booktabs}`). Text is escaped (`log_ppe`, `I(x^2)`, `50%`, `a&b` compile), stars are
 * superscripts, minus signs are math minus signs, "R2" is R$^2$, and the notes are left-aligned rows below the
 * bottom rule, so no threeparttable is needed.
 */
import type { Output } from "../model/result.js";
import { buildTable, type Cell, type RegressionTable, type TableOptions, type TableRow } from "./table.js";

const LATEX_SPECIALS: Record<string, string> = {
  "\\": "\\textbackslash{}",
  "{": "\\{",
  "}": "\\}",
  $: "\\$",
  "&": "\\&",
  "%": "\\%",
  "#": "\\#",
  _: "\\_",
  "^": "\\textasciicircum{}",
  "~": "\\textasciitilde{}",
  "<": "\\textless{}",
  ">": "\\textgreater{}",
  "|": "\\textbar{}",
};

/** Escapes text for LaTeX text mode. */
export function escapeLatex(text: string): string {
  return text.replace(/[\\{}$&%#_^~<>|]/g, (c) => LATEX_SPECIALS[c] ?? c);
}

/** "-0.1234" -> "$-$0.1234" and "(-1.5)" -> "($-$1.5)": a minus sign rather than a hyphen. */
function mathMinus(text: string): string {
  return text.replace(/^(\(?)-(?=[0-9])/, "$1$$-$$");
}

function cell(row: TableRow, c: Cell): string {
  const value = row.kind === "header" ? escapeLatex(c.text) : mathMinus(escapeLatex(c.text));
  return c.stars === "" ? value : `${value}\\textsuperscript{${escapeLatex(c.stars)}}`;
}

function label(row: TableRow): string {
  const text = escapeLatex(row.label);
  return row.kind === "fit" &&
    (row.stat === "r2" || row.stat === "adj_r2" || row.stat === "within_r2" || row.stat === "pseudo_r2")
    ? text.replace("R2", "R$^2$")
    : text;
}

/** Lays out a built table. */
export function formatLatexTable(table: RegressionTable): string {
  const line = (row: TableRow) => `${[label(row), ...row.cells.map((c) => cell(row, c))].join(" & ")} \\\\`;
  const span = table.columns + 1;
  const out = [
    "% Regression table written by mobility; requires \\usepackage{booktabs}.",
    `\\begin{tabular}{l${"c".repeat(table.columns)}}`,
    "\\toprule",
    ...table.header.map(line),
    "\\midrule",
    ...table.coefficients.map(line),
  ];
  if (table.coefficients.length > 0 && table.fit.length > 0) out.push("\\midrule");
  out.push(...table.fit.map(line), "\\bottomrule");
  for (const note of table.notes)
    out.push(`\\multicolumn{${span}}{l}{\\footnotesize ${escapeLatex(note)}} \\\\`);
  out.push("\\end{tabular}");
  return `${out.join("\n")}\n`;
}

/** The regression table of `output` as a LaTeX tabular fragment (ends with a newline). */
export function renderLatex(output: Output, options: TableOptions = {}): string {
  return formatLatexTable(buildTable(output, options));
}
