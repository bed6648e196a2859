/**
 * Summary-statistics and balance tables (`mobility describe --by group`), in the style of a paper's "Table 1":
 * one row per variable with each group's mean (standard deviation in parentheses below), then the difference of
 * means between the reference group and each other group with its Welch standard error below and stars from its
 * Welch t test (inference/meanDifference.ts), and a last row with each group's number of rows. Laid out as a
 * Grid for every format writer; the CSV records carry every number in full precision.
 */
import { splitByGroups } from "../data/ops/splitGroups.js";
import type { Table } from "../data/table.js";
import { usageError } from "../errors.js";
import {
  type GroupMoments,
  type MeanDifference,
  moments,
  welchDifference,
} from "../inference/meanDifference.js";
import type { GridCell, GridRow, RecordValue, ReportDocument } from "./grid.js";
import { formatCount, formatFixed, formatFull } from "./numberFormat.js";
import { DEFAULT_STARS, stars, starsLegend } from "./stars.js";

export interface BalanceOptions {
  /** The grouping column. */
  by: string;
  /** Numeric columns to summarise (default: every numeric column but `by`). */
  columns?: readonly string[];
  /** The group the others are compared with (default: the first, in sorted order). */
  reference?: string;
  /** Decimals (default 3). */
  digits?: number;
  /** Display names of variables and groups. */
  labels?: Readonly<Record<string, string>>;
  /** Thousands separators in counts (default true). */
  thousands?: boolean;
  title?: string;
}

export interface VariableBalance {
  variable: string;
  /** Per group, in group order. */
  groups: GroupMoments[];
  /** reference minus each other group, in group order without the reference. */
  differences: MeanDifference[];
}

export interface Balance {
  groups: string[];
  /** Rows of each group. */
  sizes: number[];
  reference: number;
  variables: VariableBalance[];
}

function groupName(group: Record<string, string | number> | null, by: string): string {
  const v = group?.[by];
  return typeof v === "number" ? formatFull(v) : String(v);
}

/** The statistics of a balance table. */
export function balance(table: Table, options: BalanceOptions): Balance {
  if (!table.has(options.by)) throw usageError(`--by: no column '${options.by}' in ${table.source}`);
  const columns =
    options.columns ??
    table.columns.filter((c) => c.kind === "number" && c.name !== options.by).map((c) => c.name);
  for (const name of columns) {
    if (!table.has(name)) throw usageError(`--columns: no column '${name}' in ${table.source}`);
    if (table.column(name).kind !== "number")
      throw usageError(`${table.source}, column '${name}': a balance table needs numbers, found text`);
  }
  if (columns.length === 0) throw usageError(`${table.source}: no numeric column to summarise`);
  const parts = splitByGroups(table, [options.by]);
  const groups = parts.map((p) => groupName(p.group, options.by));
  if (groups.length < 2)
    throw usageError(`--by ${options.by}: a balance table needs two groups or more, found ${groups.length}`);
  const reference = options.reference === undefined ? 0 : groups.indexOf(options.reference);
  if (reference < 0)
    throw usageError(
      `--reference: no group '${options.reference}' in column '${options.by}' (groups: ${groups.join(", ")})`,
    );
  const variables = columns.map((variable) => {
    const stats = parts.map((p) => moments(p.table.numeric(variable).values));
    const ref = stats[reference] as GroupMoments;
    const differences = stats.filter((_, g) => g !== reference).map((other) => welchDifference(ref, other));
    return { variable, groups: stats, differences };
  });
  return { groups, sizes: parts.map((p) => p.table.nrows), reference, variables };
}

/** The balance table as a document for the format writers. */
export function balanceDocument(table: Table, options: BalanceOptions): ReportDocument {
  const b = balance(table, options);
  const digits = options.digits ?? 3;
  const labels = options.labels ?? {};
  const thousands = options.thousands !== false;
  const label = (name: string) => labels[name] ?? name;
  const others = b.groups.map((_, g) => g).filter((g) => g !== b.reference);
  const number = (g: number) => `(${g + 1})`;
  const header: GridRow[] = [
    {
      cells: [
        { text: "" },
        ...b.groups.map((g, j) => ({ text: `${number(j)} ${label(g)}` })),
        ...others.map((g) => ({ text: `${number(b.reference)} - ${number(g)}` })),
      ],
    },
  ];
  const body: GridRow[] = [];
  for (const v of b.variables) {
    const means: GridCell[] = v.groups.map((m) => ({ text: formatFixed(m.mean, digits) }));
    const sds: GridCell[] = v.groups.map((m) => ({
      text: Number.isNaN(m.sd) ? "" : `(${formatFixed(m.sd, digits)})`,
    }));
    const diffs: GridCell[] = v.differences.map((d) => ({
      text: formatFixed(d.estimate, digits),
      stars: stars(d.p_value, DEFAULT_STARS),
    }));
    const ses: GridCell[] = v.differences.map((d) => ({
      text: Number.isNaN(d.std_error) ? "" : `(${formatFixed(d.std_error, digits)})`,
    }));
    body.push({ cells: [{ text: label(v.variable) }, ...means, ...diffs] });
    body.push({ cells: [{ text: "" }, ...sds, ...ses] });
  }
  const counts: GridRow = {
    cells: [
      { text: "Observations" },
      ...b.sizes.map((n) => ({ text: formatCount(n, thousands) })),
      ...others.map(() => ({ text: "" })),
    ],
  };
  const missing = b.variables.some((v) => v.groups.some((m, g) => m.n !== b.sizes[g]));
  const notes = [
    `Means with standard deviations in parentheses; differences of means with Welch standard errors in parentheses. ${starsLegend(DEFAULT_STARS)}`,
    ...(missing
      ? ["Some variables have missing values: their means use the non-missing rows (counts in the CSV)."]
      : []),
  ];
  const ncol = 1 + b.groups.length + others.length;
  return {
    ...(options.title !== undefined ? { title: options.title } : {}),
    grids: [
      {
        align: ["left", ...Array.from({ length: ncol - 1 }, () => "number" as const)],
        stub: true,
        header,
        sections: [body, [counts]],
        notes,
      },
    ],
    records: () => {
      const rows: RecordValue[][] = [];
      for (const v of b.variables) {
        v.groups.forEach((m, g) => {
          rows.push([v.variable, b.groups[g] as string, m.n, m.mean, m.sd, null, null, null, null, null]);
        });
        v.differences.forEach((d, k) => {
          const other = others[k] as number;
          rows.push([
            v.variable,
            `${b.groups[b.reference]} - ${b.groups[other]}`,
            null,
            null,
            null,
            d.estimate,
            d.std_error,
            d.statistic,
            d.df,
            d.p_value,
          ]);
        });
      }
      return {
        columns: [
          "variable",
          "group",
          "n",
          "mean",
          "sd",
          "difference",
          "std_error",
          "statistic",
          "df",
          "p_value",
        ],
        rows,
      };
    },
    json: () => ({
      by: options.by,
      groups: b.groups,
      sizes: b.sizes,
      reference: b.groups[b.reference],
      variables: b.variables,
    }),
  };
}
