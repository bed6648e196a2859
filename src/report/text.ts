/**
 * Fixed-width plain text for terminals and logs, laid out like esttab's: labels left-aligned; in `number` columns
 * numbers right-aligned with their decimal points in line (stars hang to the right of the number, the closing
 * parenthesis of a standard error takes the first star's place) and other cells centred; headers centred (a cell
 * spanning several columns over all of them, underlined with "-"); "=" rules around the table and "-" rules
 * between its parts. Lines carry no trailing spaces; "R²" is written "R2" so that the table greps as ASCII.
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

const GAP = "  ";

/** Columns a string takes on a terminal: combining marks (α̂) take none. */
export function displayWidth(text: string): number {
  return text.replace(/[\u0300-\u036f]/g, "").length;
}

function padEnd(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

function padStart(text: string, width: number): string {
  return " ".repeat(Math.max(0, width - displayWidth(text))) + text;
}

/** Unicode that the text writer spells in ASCII. */
function fold(text: string): string {
  return text.replace(/²/g, "2").replace(/³/g, "3");
}

function center(text: string, width: number): string {
  const w = displayWidth(text);
  const left = Math.floor((width - w) / 2);
  return " ".repeat(Math.max(0, left)) + text + " ".repeat(Math.max(0, width - w - left));
}

function pad(text: string, width: number, align: "left" | "right" | "center"): string {
  if (align === "left") return padEnd(text, width);
  if (align === "right") return padStart(text, width);
  return center(text, width);
}

/** The cell at column `column` of a row without spans (body rows), or an empty cell. */
function cellAt(row: GridRow, column: number): GridCell {
  return row.cells[column] ?? { text: "" };
}

/** A number cell split into its aligned part and what hangs right of it: "(0.0150)" -> "(0.0150", ")". */
function splitNumber(c: GridCell): { core: string; post: string } {
  const text = fold(c.text);
  const bracket = /[)\]]$/.test(text) ? text.slice(-1) : "";
  return { core: bracket ? text.slice(0, -1) : text, post: bracket + (c.stars ?? "") };
}

/** Every body cell of one column, unpadded, and the column's width. */
function layoutColumn(rows: readonly GridRow[], column: number, align: Grid["align"][number]): string[] {
  const cells = rows.map((row) => cellAt(row, column));
  if (align !== "number") {
    const texts = cells.map((c) => fold(`${c.text}${c.stars ?? ""}${c.tail ?? ""}`));
    const width = Math.max(0, ...texts.map(displayWidth));
    return texts.map((t) => pad(t, width, align));
  }
  const numeric = cells.map(isNumberCell);
  const parts = cells.map((c, i) => (numeric[i] ? splitNumber(c) : { core: "", post: "" }));
  const coreWidth = Math.max(0, ...parts.map((p) => p.core.length));
  const postWidth = Math.max(0, ...parts.map((p) => p.post.length));
  const block = coreWidth + postWidth;
  const others = cells.map((c, i) => (numeric[i] ? "" : fold(`${c.text}${c.stars ?? ""}${c.tail ?? ""}`)));
  const width = Math.max(block, ...others.map(displayWidth));
  const offset = Math.floor((width - block) / 2);
  return cells.map((c, i) => {
    if (!numeric[i]) return center(others[i] ?? "", width);
    if (c.text === "") return " ".repeat(width);
    const p = parts[i] as { core: string; post: string };
    return (
      " ".repeat(offset) +
      p.core.padStart(coreWidth) +
      p.post.padEnd(postWidth) +
      " ".repeat(width - offset - block)
    );
  });
}

/** Lays out one grid (no title). */
export function formatTextGrid(grid: Grid): string {
  const body = grid.sections.flat();
  const ncol = grid.align.length;
  // Body columns first, then widen for single-column header cells, then for spanning ones.
  const columns = Array.from({ length: ncol }, (_, j) => layoutColumn(body, j, grid.align[j] ?? "left"));
  const widths = columns.map((c) => Math.max(0, ...c.map(displayWidth)));
  const headerCells = grid.header.map((row) => {
    let column = 0;
    return row.cells.map((c) => {
      const at = { c, from: column, span: c.span ?? 1 };
      column += at.span;
      return at;
    });
  });
  for (const row of headerCells)
    for (const { c, from, span } of row)
      if (span === 1) widths[from] = Math.max(widths[from] ?? 0, displayWidth(fold(c.text)));
  for (const row of headerCells) {
    for (const { c, from, span } of row) {
      if (span === 1) continue;
      const covered = widths.slice(from, from + span).reduce((a, b) => a + b, 0) + GAP.length * (span - 1);
      const missing = displayWidth(fold(c.text)) - covered;
      if (missing > 0) widths[from + span - 1] = (widths[from + span - 1] ?? 0) + missing;
    }
  }
  const total = widths.reduce((a, b) => a + b, 0) + GAP.length * Math.max(0, ncol - 1);
  const line = (parts: string[]) => parts.join(GAP).replace(/\s+$/, "");

  const out: string[] = [];
  if (grid.heading) out.push(grid.heading);
  out.push("=".repeat(total));
  for (const row of headerCells) {
    const parts: string[] = [];
    const rules: string[] = [];
    let spanned = false;
    // A row of column groups (any cell spanning columns) is underlined group by group.
    const grouped = row.some(({ span }) => span > 1);
    for (const { c, from, span } of row) {
      const width = widths.slice(from, from + span).reduce((a, b) => a + b, 0) + GAP.length * (span - 1);
      const text = fold(c.text);
      // Headers are centred over model columns; a data listing's follow their column (names over numbers right).
      const own = grid.align[from] ?? "left";
      const align =
        grid.stub && from === 0 ? "left" : span > 1 || grid.stub || own === "number" ? "center" : own;
      parts.push(pad(text, width, align));
      const ruled = grouped && text !== "" && !(grid.stub && from === 0);
      spanned ||= ruled;
      rules.push((ruled ? "-" : " ").repeat(width));
    }
    out.push(line(parts));
    if (spanned) out.push(line(rules));
  }
  const stretch = (j: number, text: string) => {
    const width = widths[j] ?? 0;
    const align = grid.align[j] ?? "left";
    // Re-centre a column widened by its header; keep left/right alignment.
    const current = displayWidth(text);
    if (current >= width) return text;
    if (align === "left") return padEnd(text, width);
    if (align === "right") return padStart(text, width);
    const extra = width - current;
    return " ".repeat(Math.floor(extra / 2)) + text + " ".repeat(extra - Math.floor(extra / 2));
  };
  let index = 0;
  let first = true;
  for (const section of grid.sections) {
    if (section.length === 0) continue;
    out.push("-".repeat(total));
    first = false;
    for (let r = 0; r < section.length; r++) {
      out.push(line(columns.map((c, j) => stretch(j, c[index] ?? ""))));
      index++;
    }
  }
  if (first) out.push("-".repeat(total));
  out.push("=".repeat(total));
  out.push(...grid.notes.map(fold));
  return out.join("\n");
}

const DEFAULT_WIDTH = 120;
/** Tables of at most this many data columns are never split automatically. */
const MIN_PANEL_SPLIT = 6;

function widest(text: string): number {
  return Math.max(0, ...text.split("\n").map(displayWidth));
}

/**
 * A grid as text, split into panels when it is wider than `width`: the largest panel size (in data columns) whose
 * panels all fit, at least one column per panel.
 */
function fitted(grid: Grid, width: number): string[] {
  const whole = formatTextGrid(grid);
  const data = grid.align.length - 1;
  // A few wide columns stay together: panels are for the many columns of `--by` tables.
  if (width <= 0 || !grid.stub || widest(whole) <= width || data <= MIN_PANEL_SPLIT) return [whole];
  for (let size = data - 1; size >= 1; size--) {
    const panels = splitPanels(grid, size).map(formatTextGrid);
    if (size === 1 || panels.every((p) => widest(p) <= width)) return panels;
  }
  return [whole];
}

/**
 * The document as fixed-width text: title, then each grid (panels separated by a blank line). A grid with a stub
 * wider than `width` characters (default 120) is split into panels of model columns.
 */
export function writeText(doc: ReportDocument, options: WriteOptions = {}): string {
  const parts = options.panelColumns
    ? doc.grids.flatMap((g) => splitPanels(g, options.panelColumns ?? 0)).map(formatTextGrid)
    : doc.grids.flatMap((g) => fitted(g, options.width ?? DEFAULT_WIDTH));
  return `${doc.title ? `${fold(doc.title)}\n` : ""}${parts.join("\n\n")}\n`;
}

export const textFormat: FormatWriter = {
  name: "text",
  aliases: ["txt"],
  extensions: ["txt"],
  summary: "fixed-width text (terminals, logs)",
  write: writeText,
};
