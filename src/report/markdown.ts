/**
 * GitHub-flavoured Markdown pipe table. GFM allows one header row, so the model numbers head the table and the
 * model names (and `--by` groups) form its first rows. Every cell is escaped so that term names and stars render
 * literally (`*` would otherwise start emphasis, `|` end a cell); "R2" is typeset as "R²". Cells are padded so
 * the source reads as a table too. Notes follow the table, one paragraph each.
 */
import type { Output } from "../model/result.js";
import { buildTable, type RegressionTable, type TableOptions, type TableRow } from "./table.js";

/** Backslash-escapes the characters that Markdown or a GFM table would interpret. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|#~&$]/g, (c) => `\\${c}`);
}

function rowLabel(row: TableRow): string {
  const label = escapeMarkdown(row.label);
  return row.kind === "fit" &&
    (row.stat === "r2" || row.stat === "adj_r2" || row.stat === "within_r2" || row.stat === "pseudo_r2")
    ? label.replace("R2", "R²")
    : label;
}

/** Lays out a built table. */
export function formatMarkdownTable(table: RegressionTable): string {
  const [numbers, ...restHeader] = table.header;
  const rows = [...restHeader, ...table.coefficients, ...table.fit].map((row) => [
    rowLabel(row),
    ...row.cells.map((cell) => escapeMarkdown(cell.text + cell.stars)),
  ]);
  const head = ["", ...(numbers?.cells ?? []).map((cell) => escapeMarkdown(cell.text))];
  const widths = head.map((text, j) => Math.max(3, text.length, ...rows.map((row) => (row[j] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((text, j) => (j === 0 ? text.padEnd(widths[j] ?? 0) : padCenter(text, widths[j] ?? 0))).join(" | ")} |`;
  const rule = `|${widths.map((w, j) => (j === 0 ? `:${"-".repeat(w + 1)}` : `:${"-".repeat(w)}:`)).join("|")}|`;
  const out = [
    line(head),
    rule,
    ...rows.map(line),
    "",
    ...table.notes.flatMap((note) => [escapeMarkdown(note), ""]),
  ];
  return `${out.join("\n").replace(/\n+$/, "")}\n`;
}

function padCenter(text: string, width: number): string {
  const left = Math.floor((width - text.length) / 2);
  return " ".repeat(Math.max(0, left)) + text + " ".repeat(Math.max(0, width - text.length - left));
}

/** The regression table of `output` as a GitHub Markdown table followed by its notes (ends with a newline). */
export function renderMarkdown(output: Output, options: TableOptions = {}): string {
  return formatMarkdownTable(buildTable(output, options));
}
