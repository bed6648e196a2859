/**
 * Event-study tables: one row per relative period (per group), in long form — relative time, estimate, standard
 * error, confidence interval, number of treated units observed at that period — then the controls, the joint
 * pre-period test, Sun and Abraham's ATT, the sample and the notes. The reference period is a row of its own with
 * estimate 0 and "ref." in place of a standard error. With `--bin-endpoints` the end points read "<= lo" and
 * ">= hi". The same grid is laid out as text, Markdown, LaTeX and tidy CSV; JSON is the Output itself (json.ts).
 */
import { usageError } from "../errors.js";
import type { ModelResult, Output } from "../model/result.js";
import { csvField } from "./csv.js";
import { escapeLatex } from "./latex.js";
import { escapeMarkdown } from "./markdown.js";
import { checkDigits, DEFAULT_DIGITS, formatCount, formatFixed, formatFull } from "./numberFormat.js";
import { describeVcov } from "./table.js";

export type EventStudyFormat = "text" | "markdown" | "latex" | "csv";

export interface EventStudyTableOptions {
  digits?: number;
}

interface Grid {
  head: string[];
  /** Numeric columns are right-aligned in text. */
  numeric: boolean[];
  rows: string[][];
  /** Lines printed under the table. */
  below: string[];
}

function relLabel(model: ModelResult, rel: number): string {
  const es = model.event_study;
  if (es?.bin_endpoints) {
    if (rel === es.window[0]) return `<= ${formatFull(rel)}`;
    if (rel === es.window[1]) return `>= ${formatFull(rel)}`;
  }
  return formatFull(rel);
}

function modelGrid(model: ModelResult, digits: number, level: number): Grid {
  const es = model.event_study;
  if (es === undefined) throw usageError(`model '${model.name}' is not an event study`);
  const hasGroups = es.groups.length > 0;
  const pct = `${formatFull(Math.round(level * 1000) / 10)}%`;
  const head = [
    ...(hasGroups ? [es.group_by ?? "group"] : []),
    "Rel. time",
    "Estimate",
    "Std. error",
    `${pct} CI low`,
    `${pct} CI high`,
    "N treated",
  ];
  const numeric = head.map((_, j) => j >= (hasGroups ? 1 : 0));
  const rows: string[][] = [];
  for (const c of model.coefficients) {
    if (c.rel_time === undefined) continue;
    const group = hasGroups ? [c.group ?? ""] : [];
    if (c.reference) {
      rows.push([
        ...group,
        relLabel(model, c.rel_time),
        formatFixed(0, digits),
        "ref.",
        "",
        "",
        formatCount(c.n_treated ?? 0),
      ]);
    } else {
      rows.push([
        ...group,
        relLabel(model, c.rel_time),
        formatFixed(c.estimate, digits),
        formatFixed(c.std_error, digits),
        formatFixed(c.conf_low, digits),
        formatFixed(c.conf_high, digits),
        formatCount(c.n_treated ?? 0),
      ]);
    }
  }
  const controls = model.coefficients.filter((c) => c.rel_time === undefined);
  if (controls.length > 0) {
    for (const c of controls) {
      rows.push([
        ...(hasGroups ? [""] : []),
        c.term,
        formatFixed(c.estimate, digits),
        formatFixed(c.std_error, digits),
        formatFixed(c.conf_low, digits),
        formatFixed(c.conf_high, digits),
        "",
      ]);
    }
  }
  const below: string[] = [];
  if (es.pre_test) {
    const t = es.pre_test;
    below.push(
      `Pre-period coefficients jointly zero (${t.terms.length} term${t.terms.length === 1 ? "" : "s"}): F(${formatFull(t.df1)}, ${formatFull(t.df2)}) = ${formatFixed(t.statistic, digits)}, p = ${formatFixed(t.p_value, digits)}`,
    );
  } else {
    below.push("Pre-period test: no pre-period coefficients.");
  }
  for (const a of es.att) {
    below.push(
      `ATT over post periods${a.group === null ? "" : ` (${es.group_by} = ${a.group})`}, cohort-share weights: ${formatFixed(a.estimate, digits)} (${formatFixed(a.std_error, digits)}), ${pct} CI [${formatFixed(a.conf_low, digits)}, ${formatFixed(a.conf_high, digits)}], p = ${formatFixed(a.p_value, digits)}`,
    );
  }
  const estimator =
    es.estimator === "sunab" ? "Sun and Abraham (2021) interaction-weighted" : "two-way fixed effects";
  const control =
    es.control === "never"
      ? "never treated"
      : es.estimator === "sunab"
        ? "last treated"
        : "never and not yet treated";
  below.push(
    `Estimator: ${estimator}; controls: ${control}; window ${formatFull(es.window[0] as number)}:${formatFull(es.window[1] as number)}${es.bin_endpoints ? " (end points binned)" : ""}; reference ${es.reference.map(formatFull).join(", ")}.`,
    `Observations: ${formatCount(model.nobs)}; treated units: ${formatCount(es.n_treated_units)}; control units: ${formatCount(es.n_control_units)}; fixed effects: ${model.fixed_effects.join(", ") || "none"}; standard errors: ${describeVcov(model.vcov)}.`,
    ...model.notes.map((n) => `Note: ${n}.`.replace(/\.\.$/, ".")),
  );
  return { head, numeric, rows, below };
}

function textLayout(grid: Grid, title: string): string {
  const widths = grid.head.map((h, j) => Math.max(h.length, ...grid.rows.map((r) => (r[j] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, j) => (grid.numeric[j] ? c.padStart(widths[j] ?? 0) : c.padEnd(widths[j] ?? 0)))
      .join("  ")
      .replace(/\s+$/, "");
  const total = widths.reduce((s, w) => s + w, 0) + 2 * (widths.length - 1);
  return [
    title,
    "=".repeat(total),
    line(grid.head),
    "-".repeat(total),
    ...grid.rows.map(line),
    "=".repeat(total),
    ...grid.below,
  ].join("\n");
}

function markdownLayout(grid: Grid, title: string): string {
  const esc = (rows: string[][]) => rows.map((r) => r.map(escapeMarkdown));
  const head = grid.head.map(escapeMarkdown);
  const rows = esc(grid.rows);
  const widths = head.map((h, j) => Math.max(3, h.length, ...rows.map((r) => (r[j] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, j) => (grid.numeric[j] ? c.padStart(widths[j] ?? 0) : c.padEnd(widths[j] ?? 0))).join(" | ")} |`;
  const rule = `|${widths.map((w, j) => (grid.numeric[j] ? `${"-".repeat(w + 1)}:` : `:${"-".repeat(w + 1)}`)).join("|")}|`;
  return [
    `**${escapeMarkdown(title)}**`,
    "",
    line(head),
    rule,
    ...rows.map(line),
    "",
    ...grid.below.flatMap((b) => [escapeMarkdown(b), ""]),
  ]
    .join("\n")
    .replace(/\n+$/, "");
}

function latexLayout(grid: Grid, title: string): string {
  const cell = (c: string) => escapeLatex(c).replace(/^-(?=[0-9])/, "$-$");
  const spec = grid.numeric.map((n) => (n ? "r" : "l")).join("");
  const n = grid.head.length;
  return [
    `% ${title.replace(/\n/g, " ")}`,
    `\\begin{tabular}{${spec}}`,
    "\\toprule",
    `${grid.head.map(escapeLatex).join(" & ")} \\\\`,
    "\\midrule",
    ...grid.rows.map((r) => `${r.map(cell).join(" & ")} \\\\`),
    "\\bottomrule",
    ...grid.below.map((b) => `\\multicolumn{${n}}{l}{\\footnotesize ${escapeLatex(b)}} \\\\`),
    "\\end{tabular}",
  ].join("\n");
}

const CSV_HEAD = [
  "model",
  "group",
  "rel_time",
  "term",
  "estimate",
  "std_error",
  "statistic",
  "p_value",
  "conf_low",
  "conf_high",
  "n_treated",
  "reference",
] as const;

function csvRows(model: ModelResult, index: number): string[] {
  return model.coefficients.map((c) =>
    [
      String(index + 1),
      c.group ?? "",
      c.rel_time === undefined ? "" : formatFull(c.rel_time),
      c.term,
      formatFull(c.estimate),
      formatFull(c.std_error),
      formatFull(c.statistic),
      formatFull(c.p_value),
      formatFull(c.conf_low),
      formatFull(c.conf_high),
      c.n_treated === undefined ? "" : formatCount(c.n_treated),
      c.reference ? "true" : c.rel_time === undefined ? "" : "false",
    ]
      .map(csvField)
      .join(","),
  );
}

/** Renders every event-study model of `output`; ends with a newline, byte-identical for identical input. */
export function renderEventStudy(
  output: Output,
  format: EventStudyFormat,
  options: EventStudyTableOptions & { level?: number } = {},
): string {
  const digits = checkDigits(options.digits ?? DEFAULT_DIGITS);
  const level = options.level ?? 0.95;
  if (format === "csv") {
    return `${[CSV_HEAD.join(","), ...output.models.flatMap((m, i) => csvRows(m, i))].join("\n")}\n`;
  }
  const parts = output.models.map((model) => {
    const grid = modelGrid(model, digits, level);
    const title = `Event study: ${model.dependent} around ${model.event_study?.event_time ?? ""}`;
    if (format === "markdown") return markdownLayout(grid, title);
    if (format === "latex") return latexLayout(grid, title);
    return textLayout(grid, title);
  });
  return `${parts.join("\n\n")}\n`;
}
