/**
 * Collapses a table to one row per group (Stata's `collapse`).
 *
 * Conventions:
 *   - Groups are in SORTED order of their key values (deterministic whatever the input order): by the first
 *     `by` column, then the next; numbers ascending, text by code-unit order; a missing key value is its own
 *     group, sorted last.
 *   - sum: sum of the non-missing values; a group with no non-missing value gets NaN (not 0, unlike Stata).
 *     Sums are unweighted.
 *   - mean: mean of the non-missing values; with `weight`, sum(w*x)/sum(w) over rows where both x and w are
 *     present (NaN when that sum of weights is 0). Negative weights are an error.
 *   - ratio: "name=num/den" gives sum(num)/sum(den), e.g. county spending per pupil as ppe=TOTALEXP/V33 (a
 *     ratio of sums, not a mean of ratios).
 *   - THE RULE for ratios (one rule, every output column): when the aggregation has ratios, a row is used only
 *     if, for every ratio, its numerator and denominator are present and the denominator is positive; a row
 *     that fails is left out of EVERY output column of its group (sums, means, ratios and n alike), so that in
 *     each output row a ratio equals sum(numerator) / sum(denominator) of the sums beside it, and all columns
 *     describe the same districts. The report counts the rows left out per reason (e.g. 1,097 F-33 1995
 *     districts with V33 = 0, which are non-operating or special districts whose spending pays for pupils
 *     counted elsewhere). A group with no usable row keeps its key with missing values (n = 0).
 *     Without ratios, sums and means each use the rows where their own column is present, as before.
 *   - count: adds `n`, the number of rows used in each group.
 *   - Output columns are the by columns, then sums, means, ratios, n. A spec item "out=col" names the output;
 *     plain "col" keeps the column's name. Two outputs with the same name are a usage error.
 */
import { dataError, usageError } from "../../errors.js";
import { type Column, MISSING_CODE, numericColumn, Table } from "../table.js";

export interface AggregateOptions {
  by: readonly string[];
  sum?: readonly string[];
  mean?: readonly string[];
  ratio?: readonly string[];
  weight?: string;
  count?: boolean;
}

function parseItem(item: string): { out: string; source: string } {
  const at = item.indexOf("=");
  if (at < 0) return { out: item, source: item };
  const out = item.slice(0, at).trim();
  const source = item.slice(at + 1).trim();
  if (out === "" || source === "") throw usageError(`aggregate: expected name=column, found '${item}'`);
  return { out, source };
}

export interface AggregateReport {
  rowsIn: number;
  groups: number;
  /** Rows left out of every output column by the ratio rule. */
  excluded: number;
  /** One line per reason ("V33 missing or <= 0 (ratio ppe): 1097 rows"). */
  reasons: string[];
}

export function aggregateTable(table: Table, options: AggregateOptions): Table {
  return aggregateWithReport(table, options).table;
}

/** The ratio rule's mask: 1 where a row may be used (see the module comment), with the reasons counted. */
function ratioRows(
  table: Table,
  ratios: readonly string[],
): { use: Uint8Array; excluded: number; reasons: string[] } {
  const n = table.nrows;
  const use = new Uint8Array(n).fill(1);
  const reasons: string[] = [];
  for (const item of ratios) {
    const { out, source } = parseItem(item);
    const parts = source.split("/").map((s) => s.trim());
    if (parts.length !== 2 || parts[0] === "" || parts[1] === "" || !item.includes("=")) {
      throw usageError(`aggregate --ratio: expected name=numerator/denominator, found '${item}'`);
    }
    const a = table.numeric(parts[0] as string).values;
    const b = table.numeric(parts[1] as string).values;
    let noNum = 0;
    let badDen = 0;
    for (let i = 0; i < n; i++) {
      const den = b[i] as number;
      if (!(den > 0)) badDen++;
      else if (Number.isNaN(a[i] as number)) noNum++;
      if (!(den > 0) || Number.isNaN(a[i] as number)) use[i] = 0;
    }
    if (badDen > 0) reasons.push(`${parts[1]} missing or <= 0 (ratio ${out}): ${badDen} rows`);
    if (noNum > 0) reasons.push(`${parts[0]} missing (ratio ${out}): ${noNum} rows`);
  }
  let excluded = 0;
  for (let i = 0; i < n; i++) excluded += 1 - (use[i] as number);
  return { use, excluded, reasons };
}

export function aggregateWithReport(
  table: Table,
  options: AggregateOptions,
): { table: Table; report: AggregateReport } {
  const by = options.by.map((name) => table.column(name));
  if (by.length === 0) throw usageError("aggregate: give at least one --by column");
  const n = table.nrows;

  // Group ids: key string per row -> group index; then sort groups by key values.
  const keyOf = (i: number): string => {
    let key = "";
    for (const column of by) {
      const part =
        column.kind === "number"
          ? (column.values[i] as number).toString()
          : String(column.codes[i] as number);
      key += `${part}\u0000`;
    }
    return key;
  };
  const groupIndex = new Map<string, number>();
  const firstRow: number[] = [];
  const rowGroup = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const key = keyOf(i);
    let g = groupIndex.get(key);
    if (g === undefined) {
      g = firstRow.length;
      firstRow.push(i);
      groupIndex.set(key, g);
    }
    rowGroup[i] = g;
  }
  const order = firstRow.map((_, g) => g);
  order.sort((a, b) => compareRows(by, firstRow[a] as number, firstRow[b] as number));
  const rank = new Int32Array(order.length);
  order.forEach((g, r) => {
    rank[g] = r;
  });
  const G = order.length;
  for (let i = 0; i < n; i++) rowGroup[i] = rank[rowGroup[i] as number] as number;
  const groupFirst = Int32Array.from(order, (g) => firstRow[g] as number);

  const keys = new Table(by, n, table.source).take(groupFirst);
  const rule = (options.ratio ?? []).length > 0 ? ratioRows(table, options.ratio ?? []) : undefined;
  const used = (i: number) => rule === undefined || rule.use[i] === 1;
  const columns: Column[] = [...keys.columns];
  const names = new Set(columns.map((c) => c.name));
  const add = (column: Column) => {
    if (names.has(column.name)) {
      throw usageError(
        `aggregate: two output columns named '${column.name}' (use name=column to rename one)`,
      );
    }
    names.add(column.name);
    columns.push(column);
  };

  for (const item of options.sum ?? []) {
    const { out, source } = parseItem(item);
    const x = table.numeric(source).values;
    const sums = new Float64Array(G);
    const seen = new Uint8Array(G);
    for (let i = 0; i < n; i++) {
      const v = x[i] as number;
      if (Number.isNaN(v) || !used(i)) continue;
      const g = rowGroup[i] as number;
      sums[g] = (sums[g] as number) + v;
      seen[g] = 1;
    }
    for (let g = 0; g < G; g++) if (seen[g] === 0) sums[g] = Number.NaN;
    add(numericColumn(out, sums));
  }

  let w: Float64Array | undefined;
  if (options.weight !== undefined) {
    w = table.numeric(options.weight).values;
    for (let i = 0; i < n; i++) {
      if ((w[i] as number) < 0) {
        throw dataError(
          `${table.source} line ${i + 2}, column '${options.weight}': weights must be non-negative, found ${w[i]}`,
        );
      }
    }
  }
  for (const item of options.mean ?? []) {
    const { out, source } = parseItem(item);
    const x = table.numeric(source).values;
    const num = new Float64Array(G);
    const den = new Float64Array(G);
    for (let i = 0; i < n; i++) {
      const v = x[i] as number;
      const wi = w === undefined ? 1 : (w[i] as number);
      if (Number.isNaN(v) || Number.isNaN(wi) || !used(i)) continue;
      const g = rowGroup[i] as number;
      num[g] = (num[g] as number) + wi * v;
      den[g] = (den[g] as number) + wi;
    }
    const means = new Float64Array(G);
    for (let g = 0; g < G; g++)
      means[g] = (den[g] as number) > 0 ? (num[g] as number) / (den[g] as number) : Number.NaN;
    add(numericColumn(out, means));
  }

  for (const item of options.ratio ?? []) {
    const { out, source } = parseItem(item);
    const parts = source.split("/").map((s) => s.trim());
    if (parts.length !== 2 || parts[0] === "" || parts[1] === "" || !item.includes("=")) {
      throw usageError(`aggregate --ratio: expected name=numerator/denominator, found '${item}'`);
    }
    const a = table.numeric(parts[0] as string).values;
    const b = table.numeric(parts[1] as string).values;
    const num = new Float64Array(G);
    const den = new Float64Array(G);
    for (let i = 0; i < n; i++) {
      const x = a[i] as number;
      const y = b[i] as number;
      if (!used(i)) continue;
      const g = rowGroup[i] as number;
      num[g] = (num[g] as number) + x;
      den[g] = (den[g] as number) + y;
    }
    const ratios = new Float64Array(G);
    for (let g = 0; g < G; g++)
      ratios[g] = (den[g] as number) > 0 ? (num[g] as number) / (den[g] as number) : Number.NaN;
    add(numericColumn(out, ratios));
  }

  if (options.count === true) {
    const counts = new Float64Array(G);
    for (let i = 0; i < n; i++)
      if (used(i)) counts[rowGroup[i] as number] = (counts[rowGroup[i] as number] as number) + 1;
    add(numericColumn("n", counts));
  }
  return {
    table: new Table(columns, G, table.source),
    report: { rowsIn: n, groups: G, excluded: rule?.excluded ?? 0, reasons: rule?.reasons ?? [] },
  };
}

export function formatAggregateReport(report: AggregateReport, by: readonly string[]): string {
  const lines = [`aggregate by ${by.join(", ")}: ${report.rowsIn} rows -> ${report.groups} groups`];
  if (report.excluded > 0) {
    lines.push(
      `  note: ${report.excluded} rows left out of every output column (a ratio needs its numerator and a positive denominator): ${report.reasons.join("; ")}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function compareRows(by: readonly Column[], a: number, b: number): number {
  for (const column of by) {
    let c: number;
    if (column.kind === "number") {
      const x = column.values[a] as number;
      const y = column.values[b] as number;
      const xm = Number.isNaN(x);
      const ym = Number.isNaN(y);
      c = xm || ym ? Number(xm) - Number(ym) : x < y ? -1 : x > y ? 1 : 0;
    } else {
      const x = column.codes[a] as number;
      const y = column.codes[b] as number;
      if (x === MISSING_CODE || y === MISSING_CODE)
        c = Number(x === MISSING_CODE) - Number(y === MISSING_CODE);
      else {
        const s = column.levels[x] as string;
        const t = column.levels[y] as string;
        c = s < t ? -1 : s > t ? 1 : 0;
      }
    }
    if (c !== 0) return c;
  }
  return 0;
}
