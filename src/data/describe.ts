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
        const { mean: m, sd } = scaledMoments(values);
        summary.mean = m;
        summary.sd = sd;
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

/**
 * Mean and sample standard deviation computed on values brought near 1 by a power of two (exact both ways), so
 * that a column on a 1e300 scale does not overflow to an sd of Infinity nor one on a 1e-300 scale underflow to 0.
 */
export function scaledMoments(values: number[]): { mean: number; sd: number } {
  let largest = 0;
  for (const v of values) if (Number.isFinite(v)) largest = Math.max(largest, Math.abs(v));
  const finite = values.every(Number.isFinite);
  const e = largest > 0 && finite ? Math.min(1022, Math.max(-1000, Math.floor(Math.log2(largest)))) : 0;
  const down = 2 ** -e;
  const scaled = e === 0 ? values : values.map((v) => v * down);
  const up = (x: number) => x * 2 ** e;
  return {
    mean: up(mean(scaled)),
    sd: scaled.length > 1 ? up(sampleStandardDeviation(scaled)) : Number.NaN,
  };
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
