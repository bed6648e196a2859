/**
 * Fixed-width plain-text table for terminals and logs, laid out like esttab's: labels left-aligned, numbers
 * right-aligned with their decimal points in line (stars hang to the right of the number, the closing parenthesis
 * of a standard error takes the first star's place), headers centred, "=" rules around the table and "-" rules
 * between its parts. Lines carry no trailing spaces; "R2" is written in ASCII so that the table greps.
 */
import type { Output } from "../model/result.js";
import { buildTable, type Cell, type RegressionTable, type TableOptions, type TableRow } from "./table.js";

const GAP = "  ";

function center(text: string, width: number): string {
  const left = Math.floor((width - text.length) / 2);
  return " ".repeat(Math.max(0, left)) + text + " ".repeat(Math.max(0, width - text.length - left));
}

/** Rows whose cells are numbers, aligned on their decimal points; the others (Yes/No, S.E. type) are centred. */
function isNumeric(row: TableRow): boolean {
  return row.kind === "coef" || row.kind === "se" || (row.kind === "fit" && row.stat !== "vcov");
}

/**
 * Every body cell of one column, without padding. Numbers end at a common right edge followed by a tail as wide
 * as the widest stars (or 1, the ")" of a standard error), and the block of numbers is centred in the column.
 */
function alignColumn(rows: TableRow[], column: number): { cells: string[]; width: number } {
  const cells = rows.map((row) => row.cells[column] ?? { text: "", stars: "" });
  const starWidth = Math.max(0, ...cells.map((cell) => cell.stars.length));
  const hasSe = rows.some((row, i) => row.kind === "se" && cells[i]?.text !== "");
  const tail = Math.max(starWidth, hasSe ? 1 : 0);
  const numbers = rows.map((row, i) => {
    const cell: Cell = cells[i] ?? { text: "", stars: "" };
    if (!isNumeric(row) || cell.text === "") return "";
    if (row.kind === "se") return cell.text + " ".repeat(Math.max(0, tail - 1));
    return cell.text + cell.stars.padEnd(tail);
  });
  const block = Math.max(0, ...numbers.map((text) => text.length));
  const others = rows.map((row, i) => (isNumeric(row) ? 0 : (cells[i]?.text.length ?? 0)));
  const width = Math.max(block, ...others);
  const offset = Math.floor((width - block) / 2);
  return {
    width,
    cells: rows.map((row, i) => {
      if (!isNumeric(row)) return center(cells[i]?.text ?? "", width);
      const text = numbers[i] ?? "";
      return text === "" ? "" : " ".repeat(offset) + text.padStart(block);
    }),
  };
}

/** Lays out a built table. */
export function formatTextTable(table: RegressionTable): string {
  const body = [...table.coefficients, ...table.fit];
  const all = [...table.header, ...body];
  const labelWidth = Math.max(0, ...all.map((row) => row.label.length));
  const columns = Array.from({ length: table.columns }, (_, j) => {
    const { cells, width } = alignColumn(body, j);
    const headerWidth = Math.max(0, ...table.header.map((row) => row.cells[j]?.text.length ?? 0));
    // A wider header widens the column: shift the body to stay centred under it.
    const extra = Math.max(0, headerWidth - width);
    const shift = " ".repeat(Math.floor(extra / 2));
    return { aligned: cells.map((text) => (text === "" ? "" : shift + text)), width: width + extra };
  });

  const line = (label: string, cells: string[]) =>
    [label.padEnd(labelWidth), ...cells].join(GAP).replace(/\s+$/, "");
  const totalWidth = labelWidth + columns.reduce((sum, c) => sum + GAP.length + c.width, 0);
  const out: string[] = ["=".repeat(totalWidth)];
  for (const row of table.header) {
    out.push(
      line(
        row.label,
        columns.map((c, j) => center(row.cells[j]?.text ?? "", c.width)),
      ),
    );
  }
  out.push("-".repeat(totalWidth));
  const bodyLine = (index: number) => {
    const row = body[index];
    return line(
      row?.label ?? "",
      columns.map((c) => (c.aligned[index] ?? "").padEnd(c.width)),
    );
  };
  table.coefficients.forEach((_, i) => {
    out.push(bodyLine(i));
  });
  if (table.coefficients.length > 0 && table.fit.length > 0) out.push("-".repeat(totalWidth));
  table.fit.forEach((_, i) => {
    out.push(bodyLine(table.coefficients.length + i));
  });
  out.push("=".repeat(totalWidth), ...table.notes);
  return `${out.join("\n")}\n`;
}

/** The regression table of `output` as fixed-width text (ends with a newline). */
export function renderText(output: Output, options: TableOptions = {}): string {
  return formatTextTable(buildTable(output, options));
}
