/** Column summaries for `mobility describe`. Statistics come from simple-statistics over the non-missing values. */
import { max, mean, median, min, sampleStandardDeviation } from "simple-statistics";
import type { Table } from "./table.js";

export interface ColumnSummary {
  name: string;
  type: "number" | "string";
  n: number;
  missing: number;
  mean?: number;
  sd?: number;
  min?: number;
  median?: number;
  max?: number;
  distinct?: number;
  top?: string;
}

export interface TableDescription {
  source: string;
  rows: number;
  columns: ColumnSummary[];
}

export function describeTable(table: Table): TableDescription {
  const columns = table.columns.map((column): ColumnSummary => {
    if (column.kind === "number") {
      const present = column.values.filter((v) => !Number.isNaN(v));
      const summary: ColumnSummary = {
        name: column.name,
        type: "number",
        n: present.length,
        missing: table.nrows - present.length,
      };
      if (present.length > 0) {
        const values = Array.from(present);
        summary.mean = mean(values);
        summary.sd = values.length > 1 ? sampleStandardDeviation(values) : Number.NaN;
        summary.min = min(values);
        summary.median = median(values);
        summary.max = max(values);
      }
      return summary;
    }
    const counts = new Int32Array(column.levels.length);
    let missing = 0;
    for (const code of column.codes) {
      if (code < 0) missing++;
      else counts[code] = (counts[code] as number) + 1;
    }
    let top = -1;
    for (let k = 0; k < counts.length; k++)
      if (top < 0 || (counts[k] as number) > (counts[top] as number)) top = k;
    return {
      name: column.name,
      type: "string",
      n: table.nrows - missing,
      missing,
      distinct: column.levels.length,
      ...(top >= 0 ? { top: column.levels[top] } : {}),
    };
  });
  return { source: table.source, rows: table.nrows, columns };
}

export function formatDescription(description: TableDescription): string {
  const header = ["column", "type", "n", "missing", "mean", "sd", "min", "median", "max", "distinct/top"];
  const fmt = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? "" : formatG(v));
  const rows = description.columns.map((c) => [
    c.name,
    c.type,
    String(c.n),
    String(c.missing),
    fmt(c.mean),
    fmt(c.sd),
    fmt(c.min),
    fmt(c.median),
    fmt(c.max),
    c.type === "string" ? `${c.distinct} levels; top '${c.top ?? ""}'` : "",
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, j) => (j < 2 ? cell.padEnd(widths[j] as number) : cell.padStart(widths[j] as number)))
      .join("  ")
      .trimEnd();
  return `${description.source}: ${description.rows} rows, ${description.columns.length} columns\n${[line(header), ...rows.map(line)].join("\n")}\n`;
}

/** Seven significant digits, like R's default print. */
function formatG(v: number): string {
  return Number(v.toPrecision(7)).toString();
}
