/**
 * LaTeX tables: a `table` float with caption and label (or, with `fragment`, the table alone for `\input{}` into
 * the author's own float), booktabs rules, notes in a threeparttable `tablenotes` block (as wide as the table), and
 * optional decimal alignment with siunitx `S` columns. The first line says which packages the output needs.
 *
 * Text is escaped (`log_ppe`, `I(x^2)`, `50%`, `a&b` compile); Greek letters and math symbols written in Unicode
 * (β, ×, ↓, ², ≤) become their math commands, and `$...$` in a label or note passes through unchanged, so a label
 * can be typeset by hand. Stars are superscripts in every row (coefficients, combinations, statistics), minus
 * signs are math minus signs, a header cell over several columns is a `\multicolumn` with a `\cmidrule` under it.
 * In siunitx columns, numbers are left to siunitx (a standard error's parentheses and the stars are braced text
 * around the number) and every other cell is braced, so it is centred rather than parsed.
 */
import type { FormatWriter, WriteOptions } from "./formats.js";
import {
  type Grid,
  type GridCell,
  type GridRow,
  isNumberCell,
  type ReportDocument,
  splitPanels,
} from "./grid.js";

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

/** Unicode symbols that pdflatex's default input encoding cannot typeset, as math. */
const UNICODE_MATH: Record<string, string> = {
  "×": "\\times",
  "÷": "\\div",
  "±": "\\pm",
  "≤": "\\leq",
  "≥": "\\geq",
  "≠": "\\neq",
  "≈": "\\approx",
  "→": "\\rightarrow",
  "←": "\\leftarrow",
  "↑": "\\uparrow",
  "↓": "\\downarrow",
  "∞": "\\infty",
  "·": "\\cdot",
  "²": "^{2}",
  "³": "^{3}",
  "−": "-",
  "√": "\\surd",
  "∑": "\\sum",
  "∆": "\\Delta",
  "₀": "_{0}",
  "₁": "_{1}",
  "₂": "_{2}",
  "₃": "_{3}",
  "₄": "_{4}",
  "₅": "_{5}",
  "₆": "_{6}",
  "₇": "_{7}",
  "₈": "_{8}",
  "₉": "_{9}",
  "̂": "",
};
const GREEK = "αβγδεζηθικλμνξοπρστυφχψω";
const GREEK_NAMES = [
  "alpha",
  "beta",
  "gamma",
  "delta",
  "epsilon",
  "zeta",
  "eta",
  "theta",
  "iota",
  "kappa",
  "lambda",
  "mu",
  "nu",
  "xi",
  "o",
  "pi",
  "rho",
  "sigma",
  "tau",
  "upsilon",
  "phi",
  "chi",
  "psi",
  "omega",
];
const GREEK_UPPER: Record<string, string> = {
  Γ: "Gamma",
  Δ: "Delta",
  Θ: "Theta",
  Λ: "Lambda",
  Ξ: "Xi",
  Π: "Pi",
  Σ: "Sigma",
  Φ: "Phi",
  Ψ: "Psi",
  Ω: "Omega",
};
for (let i = 0; i < GREEK.length; i++) {
  const name = GREEK_NAMES[i] as string;
  UNICODE_MATH[GREEK[i] as string] = name === "o" ? "o" : `\\${name}`;
}
for (const [symbol, name] of Object.entries(GREEK_UPPER)) UNICODE_MATH[symbol] = `\\${name}`;
const UNICODE_PATTERN = new RegExp(`[${Object.keys(UNICODE_MATH).join("")}]+`, "g");

/** Escapes plain text for LaTeX text mode (no math passthrough). */
export function escapeLatex(text: string): string {
  return text
    .replace(/[\\{}$&%#_^~<>|]/g, (c) => LATEX_SPECIALS[c] ?? c)
    .replace(UNICODE_PATTERN, (run) => {
      // A combining circumflex (α̂) puts a hat on the symbol before it.
      const out: string[] = [];
      for (const c of run) {
        if (c === "\u0302" && out.length > 0) out[out.length - 1] = `\\hat{${out[out.length - 1]}}`;
        else out.push(UNICODE_MATH[c] ?? c);
      }
      return `$${out.join(" ")}$`;
    });
}

/**
 * Escapes text, passing `$...$` math through untouched. A math span starts with a character that is neither a
 * digit nor a space and ends without a space (`$\\beta$`, `$x_1$`), so amounts such as "($1000) ... ($1000)"
 * stay dollar signs.
 */
export function latexText(text: string): string {
  const parts = text.split(/(\$[^$\s\d][^$]*(?<!\s)\$)/);
  return parts.map((p, i) => (i % 2 === 1 ? p : escapeLatex(p))).join("");
}

/** "-0.1234" -> "$-$0.1234" and "(-1.5)" -> "($-$1.5)": a minus sign rather than a hyphen. */
function mathMinus(text: string): string {
  return text.replace(/^([([]?)-(?=[0-9])/, "$1$$-$$");
}

export interface LatexOptions {
  /** Only the table (threeparttable, tabular and notes) for `\input{}`, without float, caption or label. */
  fragment?: boolean;
  /** siunitx `S` columns: numbers aligned on the decimal point. */
  siunitx?: boolean;
  /** Float placement (default "htbp"). */
  placement?: string;
}

function starsLatex(stars: string | undefined): string {
  return stars ? `\\textsuperscript{${escapeLatex(stars)}}` : "";
}

/** One body cell in a plain (c, l, r) column. */
function plainCell(c: GridCell): string {
  return `${mathMinus(latexText(c.text))}${starsLatex(c.stars)}${c.tail ? latexText(c.tail) : ""}`;
}

/** One body cell in a siunitx S column: a number with braced text around it, or braced text. */
function siunitxCell(c: GridCell): string {
  if (c.text === "") return "";
  if (!isNumberCell(c) || c.text.includes(",")) return `{${plainCell(c)}}`;
  const m = /^([([]?)(.*?)([)\]]?)$/.exec(c.text) as RegExpExecArray;
  const [, open, number, close] = m as unknown as [string, string, string, string];
  const pre = open ? `{${open}}` : "";
  const post = close || c.stars ? `{${close}${starsLatex(c.stars)}}` : "";
  return `${pre}${number}${post}`;
}

/** siunitx's table-format of a column: integer and decimal digits, and whether a sign occurs. */
function tableFormat(cells: GridCell[]): string {
  let integer = 1;
  let decimals = 0;
  let sign = false;
  for (const c of cells) {
    if (!isNumberCell(c) || c.text.includes(",")) continue;
    const number = c.text.replace(/^[([]|[)\]]$/g, "");
    if (number.startsWith("-")) sign = true;
    const [int, dec] = number.replace(/^-/, "").split(".");
    integer = Math.max(integer, (int ?? "").length);
    decimals = Math.max(decimals, (dec ?? "").length);
  }
  return `${sign ? "-" : ""}${integer}.${decimals}`;
}

function columnSpec(grid: Grid, siunitx: boolean): string {
  const body = grid.sections.flat();
  return grid.align
    .map((a, j) => {
      if (grid.stub && j === 0) return "l";
      if (a === "number" && siunitx) {
        const cells = body.map((row) => row.cells[j] ?? { text: "" });
        const stars = Math.max(0, ...cells.map((c) => (c.stars ?? "").length));
        const post = `)${"*".repeat(stars)}`;
        return `S[table-format=${tableFormat(cells)}, table-space-text-pre={(}, table-align-text-before=false, table-space-text-post={${post}}]`;
      }
      return a === "left" ? "l" : a === "right" ? "r" : "c";
    })
    .join("");
}

function headerLine(row: GridRow, grid: Grid, siunitx: boolean): string[] {
  const parts: string[] = [];
  const rules: string[] = [];
  let column = 0;
  // A row of column groups (any cell spanning columns) is underlined group by group.
  const grouped = row.cells.some((c) => (c.span ?? 1) > 1);
  for (const c of row.cells) {
    const span = c.span ?? 1;
    const text = latexText(`${c.text}${c.stars ?? ""}`);
    const isStub = grid.stub && column === 0;
    if (grouped && !isStub && c.text !== "") rules.push(`\\cmidrule(lr){${column + 1}-${column + span}}`);
    if (span > 1) {
      parts.push(`\\multicolumn{${span}}{c}{${text}}`);
    } else if (!isStub && siunitx && grid.align[column] === "number") {
      parts.push(text === "" ? "" : `{${text}}`);
    } else parts.push(text);
    column += span;
  }
  return [`${parts.join(" & ")} \\\\`, ...(rules.length > 0 ? [rules.join(" ")] : [])];
}

function bodyLine(row: GridRow, grid: Grid, siunitx: boolean): string {
  return `${row.cells
    .map((c, j) => {
      if (grid.stub && j === 0) return latexText(c.text);
      return siunitx && grid.align[j] === "number" ? siunitxCell(c) : plainCell(c);
    })
    .join(" & ")} \\\\`;
}

function tabular(grid: Grid, siunitx: boolean): string[] {
  const out = [`\\begin{tabular}{${columnSpec(grid, siunitx)}}`, "\\toprule"];
  for (const row of grid.header) out.push(...headerLine(row, grid, siunitx));
  for (const section of grid.sections) {
    if (section.length === 0) continue;
    out.push("\\midrule");
    for (const row of section) out.push(bodyLine(row, grid, siunitx));
  }
  out.push("\\bottomrule", "\\end{tabular}");
  return out;
}

function notesBlock(notes: readonly string[]): string[] {
  if (notes.length === 0) return [];
  return [
    "\\begin{tablenotes}[flushleft]",
    "\\footnotesize",
    ...notes.map((n) => `\\item ${latexText(n)}`),
    "\\end{tablenotes}",
  ];
}

export function writeLatex(doc: ReportDocument, options: WriteOptions = {}): string {
  const latex = options.latex ?? {};
  const siunitx = latex.siunitx === true;
  const grids = options.panelColumns
    ? doc.grids.flatMap((g) => splitPanels(g, options.panelColumns ?? 0))
    : doc.grids;
  const notes = grids.flatMap((g) => g.notes);
  const packages = [
    "booktabs",
    ...(notes.length > 0 ? ["threeparttable"] : []),
    ...(siunitx ? ["siunitx"] : []),
  ];
  const out = [`% Table written by mobility; needs ${packages.map((p) => `\\usepackage{${p}}`).join(", ")}.`];
  if (latex.fragment) {
    if (doc.title) out.push(`% ${doc.title.replace(/\n/g, " ")}`);
  } else {
    out.push(`\\begin{table}[${latex.placement ?? "htbp"}]`, "\\centering");
  }
  if (notes.length > 0) out.push("\\begin{threeparttable}");
  if (!latex.fragment && doc.title) out.push(`\\caption{${latexText(doc.title)}}`);
  if (!latex.fragment && doc.label) out.push(`\\label{${doc.label}}`);
  grids.forEach((grid, i) => {
    if (i > 0) out.push("\\medskip", "");
    if (grid.heading) out.push(`\\textit{${latexText(grid.heading)}}\\\\[2pt]`);
    out.push(...tabular(grid, siunitx));
  });
  out.push(...notesBlock(notes));
  if (notes.length > 0) out.push("\\end{threeparttable}");
  if (!latex.fragment) out.push("\\end{table}");
  return `${out.join("\n")}\n`;
}

export const latexFormat: FormatWriter = {
  name: "latex",
  aliases: ["tex"],
  extensions: ["tex"],
  summary: "LaTeX table float (booktabs, threeparttable notes; --fragment, --siunitx)",
  write: writeLatex,
};
