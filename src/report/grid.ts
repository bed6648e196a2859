/**
 * The renderer-neutral layout every printed table is reduced to: regression tables (table.ts), summary and balance
 * tables (summaryTable.ts), data listings (listTable.ts) and event-study tables. A Grid is a list of header rows,
 * body sections separated by rules, and notes; the format writers (text.ts, markdown.ts, latex.ts, registered in
 * formats.ts) only lay it out and escape it, so a new output format is one writer for every kind of table.
 *
 * Cells hold text that is already formatted (numberFormat.ts). Significance stars are kept apart from the number
 * so that each writer typesets them its way (hung to the right in text, superscripts in LaTeX). Text is Unicode:
 * "R²" and "β" are written as such; the text writer folds "²" to "2" (tables grep as ASCII where they can) and the
 * LaTeX writer maps Greek letters and math symbols to their commands.
 */

/**
 * How a column's cells are aligned: `number` columns align numbers on their right edge (equal decimals, so the
 * decimal points line up) with stars hanging to the right, and centre the other cells (Yes/No, "Clustered
 * (state)"); `left`/`right`/`center` align every cell.
 */
export type Align = "left" | "right" | "center" | "number";

export interface GridCell {
  /** The printed value ("0.1234", "(0.0567)", "Yes", "" for nothing). */
  readonly text: string;
  /** Significance stars ("***", "" for none), typeset after the number. */
  readonly stars?: string;
  /** Text printed after the stars ("0.12*** (0.05)" with standard errors beside the estimate). */
  readonly tail?: string;
  /** Columns this cell spans (header cells over groups of models); default 1. */
  readonly span?: number;
}

export interface GridRow {
  readonly cells: readonly GridCell[];
}

export interface Grid {
  /** Alignment per column (the stub, if any, is column 0). */
  readonly align: readonly Align[];
  /** Whether column 0 is a stub of row labels (regression tables) rather than data. */
  readonly stub: boolean;
  readonly header: readonly GridRow[];
  /** Body sections; writers draw a rule between consecutive non-empty sections. */
  readonly sections: readonly (readonly GridRow[])[];
  /** Lines printed under the table. */
  readonly notes: readonly string[];
  /** A heading printed above this grid when a document holds several (panels). */
  readonly heading?: string;
}

/** A table to write in any format: its layout (one grid, or several panels) and its data for CSV and JSON. */
export interface ReportDocument {
  /** Title: the first line in text, bold in Markdown, the caption in LaTeX. */
  readonly title?: string;
  /** Cross-reference label of a LaTeX float (`\label{}`). */
  readonly label?: string;
  readonly grids: readonly Grid[];
  /** Rows for the data formats (CSV): names and values, one array per row. */
  records(): Records;
  /** The value written as JSON (a result Output, or the records as objects). */
  json(): unknown;
}

/** A cell of a data record: numbers are written in full precision, null is missing. */
export type RecordValue = string | number | boolean | null;

export interface Records {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly RecordValue[])[];
}

export const EMPTY_CELL: GridCell = Object.freeze({ text: "" });

export function cell(text: string, stars = ""): GridCell {
  return stars === "" ? { text } : { text, stars };
}

/** Number of columns a row covers (spans counted). */
export function rowWidth(row: GridRow): number {
  return row.cells.reduce((sum, c) => sum + (c.span ?? 1), 0);
}

/** The text of a cell as one string (number, stars and tail), for writers that do not typeset stars apart. */
export function plainText(c: GridCell): string {
  return `${c.text}${c.stars ?? ""}${c.tail ?? ""}`;
}

/**
 * Whether a cell of a `number` column is a number to align: "0.1234", "-1.5", "(0.0567)", "[0.012]", "3,119",
 * "12". Anything else ("Yes", "ref.", "Clustered (state)", "[0.01; 0.08]") is centred.
 */
export function isNumberCell(c: GridCell): boolean {
  return (
    c.tail === undefined && /^[([]?-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?(e[-+]?\d+)?[)\]]?$|^-?Inf$/.test(c.text)
  );
}

/**
 * Splits a grid with a stub into panels of at most `size` data columns each (a `--by` table with 51 states
 * becomes six panels of nine). Header cells spanning a panel boundary are cut at it. Each panel keeps the stub,
 * every row and the section structure; the notes go under the last panel.
 */
export function splitPanels(grid: Grid, size: number): Grid[] {
  const data = grid.align.length - (grid.stub ? 1 : 0);
  if (!grid.stub || size <= 0 || data <= size) return [grid];
  const panels: Grid[] = [];
  const count = Math.ceil(data / size);
  for (let p = 0; p < count; p++) {
    const from = 1 + p * size;
    const to = Math.min(grid.align.length, from + size);
    const slice = (row: GridRow): GridRow => ({ cells: sliceCells(row.cells, from, to) });
    panels.push({
      align: [grid.align[0] ?? "left", ...grid.align.slice(from, to)],
      stub: true,
      header: grid.header.map(slice),
      sections: grid.sections.map((rows) => rows.map(slice)),
      notes: p === count - 1 ? grid.notes : [],
      heading: `Panel ${panelLetter(p)}: columns ${from} to ${to - 1} of ${data}`,
    });
  }
  return panels;
}

/** A, B, ..., Z, AA, AB, ... */
export function panelLetter(index: number): string {
  let s = "";
  let i = index;
  do {
    s = String.fromCharCode(65 + (i % 26)) + s;
    i = Math.floor(i / 26) - 1;
  } while (i >= 0);
  return s;
}

/** The stub cell (column 0) and the cells covering columns [from, to), spans cut at the edges. */
function sliceCells(cells: readonly GridCell[], from: number, to: number): GridCell[] {
  const out: GridCell[] = [];
  let column = 0;
  for (const c of cells) {
    const span = c.span ?? 1;
    const start = column;
    const end = column + span;
    column = end;
    if (start === 0 && span === 1) {
      out.push(c);
      continue;
    }
    const lo = Math.max(start, from);
    const hi = Math.min(end, to);
    if (hi <= lo) continue;
    const width = hi - lo;
    const { span: _span, ...rest } = c;
    out.push(width === 1 ? rest : { ...rest, span: width });
  }
  return out;
}
