/**
 * GitHub-flavoured Markdown pipe tables. GFM allows one header row and no spanning cells, so the grid's first
 * header row heads the table, its other header rows become the first rows, and a cell spanning columns is
 * written in the first of them. Every cell is escaped so that term names and stars render literally (`*` would
 * otherwise start emphasis, `|` end a cell). Cells are padded so the source reads as a table too. A title is a
 * bold line above; notes follow the table, one paragraph each.
 */
import type { FormatWriter, WriteOptions } from "./formats.js";
import {
  type Grid,
  type GridCell,
  type GridRow,
  plainText,
  type ReportDocument,
  splitPanels,
} from "./grid.js";

/** Backslash-escapes the characters that Markdown or a GFM table would interpret. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|#~&$]/g, (c) => `\\${c}`);
}

function padCenter(text: string, width: number): string {
  const left = Math.floor((width - text.length) / 2);
  return " ".repeat(Math.max(0, left)) + text + " ".repeat(Math.max(0, width - text.length - left));
}

/** A row's cells with spans expanded: the text in the first column of a span, empty cells after it. */
function expand(row: GridRow): GridCell[] {
  const out: GridCell[] = [];
  for (const c of row.cells) {
    out.push(c);
    for (let k = 1; k < (c.span ?? 1); k++) out.push({ text: "" });
  }
  return out;
}

/** Lays out one grid (no title). */
export function formatMarkdownGrid(grid: Grid): string {
  const ncol = grid.align.length;
  const [first, ...restHeader] = grid.header;
  const toTexts = (row: GridRow | undefined) => {
    const cells = row ? expand(row) : [];
    return Array.from({ length: ncol }, (_, j) => escapeMarkdown(plainText(cells[j] ?? { text: "" })));
  };
  const head = toTexts(first);
  const rows = [...restHeader, ...grid.sections.flat()].map(toTexts);
  const widths = head.map((text, j) => Math.max(3, text.length, ...rows.map((row) => (row[j] ?? "").length)));
  const align = (j: number) => grid.align[j] ?? "left";
  const line = (cells: string[]) =>
    `| ${cells
      .map((text, j) => {
        const w = widths[j] ?? 0;
        const a = align(j);
        return a === "left" ? text.padEnd(w) : a === "right" ? text.padStart(w) : padCenter(text, w);
      })
      .join(" | ")} |`;
  const rule = `|${widths
    .map((w, j) => {
      const a = align(j);
      if (a === "left") return `:${"-".repeat(w + 1)}`;
      if (a === "right") return `${"-".repeat(w + 1)}:`;
      return `:${"-".repeat(w)}:`;
    })
    .join("|")}|`;
  const out = [
    ...(grid.heading ? [`*${escapeMarkdown(grid.heading)}*`, ""] : []),
    line(head),
    rule,
    ...rows.map(line),
    "",
    ...grid.notes.flatMap((note) => [escapeMarkdown(note), ""]),
  ];
  return out.join("\n").replace(/\n+$/, "");
}

export function writeMarkdown(doc: ReportDocument, options: WriteOptions = {}): string {
  const grids = options.panelColumns
    ? doc.grids.flatMap((g) => splitPanels(g, options.panelColumns ?? 0))
    : doc.grids;
  const title = doc.title ? `**${escapeMarkdown(doc.title)}**\n\n` : "";
  return `${title}${grids.map(formatMarkdownGrid).join("\n\n")}\n`;
}

export const markdownFormat: FormatWriter = {
  name: "markdown",
  aliases: ["md"],
  extensions: ["md", "markdown"],
  summary: "GitHub Markdown pipe table",
  write: writeMarkdown,
};
