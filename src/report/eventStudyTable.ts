/**
 * Event-study tables: one row per relative period (per group), in long form — relative time, estimate, standard
 * error, confidence interval, number of treated units observed at that period — then the controls, the joint
 * pre-period test, the path aggregates (average of post periods, cumulative effects, --lincom, the estimator's own
 * ATT), the estimator's extra summaries (Callaway-Sant'Anna's aggregations, the imputation sample), the sample and
 * the notes. The reference period is a row of its own with estimate 0 and "ref." in place of a standard error.
 * With `--bin-endpoints` the end points read "<= lo" and ">= hi". With the multiplier bootstrap, simultaneous
 * bands are two more columns.
 *
 * Several estimators on one panel (`--estimator all`): one side-by-side table, a column per estimator (estimate
 * over its standard error in parentheses), rows = relative periods, then each estimator's post-period average.
 *
 * The same grids are laid out as text, Markdown, LaTeX and tidy CSV; JSON is the Output itself (json.ts).
 */
import { usageError } from "../errors.js";
import type { Coefficient, ModelResult, Output } from "../model/result.js";
import { csvField } from "./csv.js";
import { escapeLatex } from "./latex.js";
import { escapeMarkdown } from "./markdown.js";
import { checkDigits, DEFAULT_DIGITS, formatCount, formatFixed, formatFull } from "./numberFormat.js";
import { describeVcov } from "./table.js";

export type EventStudyFormat = "text" | "markdown" | "latex" | "csv";

export interface EventStudyTableOptions {
  digits?: number;
  /** Display names of group values (`--group-labels`). */
  groupLabels?: Readonly<Record<string, string>>;
  /** Several estimators of one panel: one side-by-side table. */
  sideBySide?: boolean;
}

interface Grid {
  head: string[];
  /** Numeric columns are right-aligned in text. */
  numeric: boolean[];
  rows: string[][];
  /** Lines printed under the table. */
  below: string[];
}

const ESTIMATORS: Record<string, string> = {
  twfe: "two-way fixed effects",
  sunab: "Sun and Abraham (2021) interaction-weighted",
  cs: "Callaway and Sant'Anna (2021), dynamic aggregation of ATT(g, t)",
  imputation: "Borusyak, Jaravel and Spiess (2024) imputation",
};
const SHORT: Record<string, string> = {
  twfe: "TWFE",
  sunab: "Sun-Abraham",
  cs: "Callaway-Sant'Anna",
  imputation: "Imputation",
};

function relLabel(model: ModelResult, rel: number): string {
  const es = model.event_study;
  if (es?.bin_endpoints) {
    if (rel === es.window[0]) return `<= ${formatFull(rel)}`;
    if (rel === es.window[1]) return `>= ${formatFull(rel)}`;
  }
  return formatFull(rel);
}

function pctOf(level: number): string {
  return `${formatFull(Math.round(level * 1000) / 10)}%`;
}

function describeControl(model: ModelResult): string {
  const es = model.event_study;
  if (es === undefined) return "";
  if (es.estimator === "imputation") return "all untreated observations (never and not yet treated)";
  if (es.control === "never") return "never treated";
  if (es.estimator === "sunab") return "last treated";
  if (es.estimator === "cs") return "not yet treated";
  return "never and not yet treated";
}

/** The lines under a model's table (tests, aggregates, estimator details, sample, notes). */
function belowLines(model: ModelResult, digits: number, level: number): string[] {
  const es = model.event_study;
  if (es === undefined) return [];
  const pct = pctOf(level);
  const f = (x: number) => formatFixed(x, digits);
  const below: string[] = [];
  if (es.estimator === "cs") {
    const t = es.cs?.pre_test;
    below.push(
      t
        ? `Pre-test (did's Wald test that every pre-treatment ATT(g, t) is zero): chi2(${formatFull(t.df)}) = ${f(t.statistic)}, p = ${f(t.p_value)}`
        : "Pre-test: not available (no pre-treatment ATT(g, t), or their covariance is singular).",
    );
  } else if (es.pre_test) {
    const t = es.pre_test;
    const what =
      es.estimator === "imputation"
        ? "Pre-trend test (untreated observations, coefficients jointly zero)"
        : "Pre-period coefficients jointly zero";
    below.push(
      `${what} (${t.terms.length} term${t.terms.length === 1 ? "" : "s"}): F(${formatFull(t.df1)}, ${formatFull(t.df2)}) = ${f(t.statistic)}, p = ${f(t.p_value)}`,
    );
  } else {
    below.push("Pre-period test: no pre-period coefficients.");
  }
  for (const a of es.aggregates ?? []) {
    below.push(
      `${a.label}: ${f(a.estimate)} (${f(a.std_error)}), ${pct} CI [${f(a.conf_low)}, ${f(a.conf_high)}], p = ${f(a.p_value)}`,
    );
  }
  if (es.cs) {
    const cs = es.cs;
    const row = (r: { estimate: number; std_error: number }) => `${f(r.estimate)} (${f(r.std_error)})`;
    below.push(
      `By cohort (did's aggte type group): ${cs.group.rows.map((r) => `${formatFull(r.group)}: ${row(r)}`).join("; ")}; overall ${row(cs.group.overall)}`,
      `By period (type calendar): ${cs.calendar.rows.map((r) => `${formatFull(r.time)}: ${row(r)}`).join("; ")}; overall ${row(cs.calendar.overall)}`,
      `Dynamic overall (mean of event times >= 0): ${row(cs.dynamic.overall)}`,
      `Group-time effects: ${cs.group_time.length} ATT(g, t) (JSON: event_study.cs.group_time); method ${cs.method}, base period ${cs.base_period}${cs.anticipation > 0 ? `, anticipation ${cs.anticipation}` : ""}${cs.covariates.length > 0 ? `, covariates ${cs.covariates.join(", ")}` : ""}${cs.bootstrap ? `; multiplier bootstrap ${cs.bootstrap.iterations} draws, seed ${cs.bootstrap.seed}, sup-t critical value ${f(cs.dynamic.critical_value)}` : ""}.`,
    );
  }
  if (es.imputation) {
    const im = es.imputation;
    below.push(
      `Imputation sample: ${formatCount(im.n_untreated_obs)} untreated observations fit the fixed effects, ${formatCount(im.n_treated_obs)} treated observations imputed; ${formatCount(im.n_clusters)} clusters.`,
    );
  }
  const window =
    es.window.length === 2
      ? `${formatFull(es.window[0] as number)}:${formatFull(es.window[1] as number)}`
      : "";
  const reference = es.reference.length > 0 ? `; reference ${es.reference.map(formatFull).join(", ")}` : "";
  below.push(
    `Estimator: ${ESTIMATORS[es.estimator] ?? es.estimator}; controls: ${describeControl(model)}; window ${window}${es.window_default ? " (every observed period)" : ""}${es.bin_endpoints ? " (end points binned)" : ""}${reference}.`,
    `Observations: ${formatCount(model.nobs)}; treated units: ${formatCount(es.n_treated_units)}; ${es.estimator === "cs" || es.estimator === "imputation" ? "never-treated units" : "control units"}: ${formatCount(es.n_control_units)}; fixed effects: ${model.fixed_effects.join(", ") || "none"}; standard errors: ${describeVcov(model.vcov)}.`,
    ...model.notes.map((n) => `Note: ${n}.`.replace(/\.\.$/, ".")),
  );
  return below;
}

function modelGrid(
  model: ModelResult,
  digits: number,
  level: number,
  labels: Readonly<Record<string, string>>,
): Grid {
  const es = model.event_study;
  if (es === undefined) throw usageError(`model '${model.name}' is not an event study`);
  const hasGroups = es.groups.length > 0;
  const hasBand = model.coefficients.some((c) => c.band_low !== undefined);
  const pct = pctOf(level);
  const head = [
    ...(hasGroups ? [es.group_by ?? "group"] : []),
    "Rel. time",
    "Estimate",
    "Std. error",
    `${pct} CI low`,
    `${pct} CI high`,
    ...(hasBand ? ["Band low", "Band high"] : []),
    "N treated",
  ];
  const numeric = head.map((_, j) => j >= (hasGroups ? 1 : 0));
  const rows: string[][] = [];
  const band = (c: Coefficient) =>
    hasBand
      ? c.band_low === undefined
        ? ["", ""]
        : [formatFixed(c.band_low, digits), formatFixed(c.band_high ?? Number.NaN, digits)]
      : [];
  for (const c of model.coefficients) {
    if (c.rel_time === undefined) continue;
    const group = hasGroups ? [c.group === undefined ? "" : (labels[c.group] ?? c.group)] : [];
    if (c.reference) {
      rows.push([
        ...group,
        relLabel(model, c.rel_time),
        formatFixed(0, digits),
        "ref.",
        "",
        "",
        ...(hasBand ? ["", ""] : []),
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
        ...band(c),
        c.n_treated === undefined || Number.isNaN(c.n_treated) ? "" : formatCount(c.n_treated),
      ]);
    }
  }
  for (const c of model.coefficients.filter((x) => x.rel_time === undefined)) {
    rows.push([
      ...(hasGroups ? [""] : []),
      c.term,
      formatFixed(c.estimate, digits),
      formatFixed(c.std_error, digits),
      formatFixed(c.conf_low, digits),
      formatFixed(c.conf_high, digits),
      ...(hasBand ? ["", ""] : []),
      "",
    ]);
  }
  return { head, numeric, rows, below: belowLines(model, digits, level) };
}

/** Side by side: a column per model (estimator), rows = relative periods, estimate over (standard error). */
function comparisonGrid(models: readonly ModelResult[], digits: number, level: number): Grid {
  const names = models.map((m) => SHORT[m.event_study?.estimator ?? ""] ?? m.name);
  const rels = [
    ...new Set(
      models.flatMap((m) =>
        m.coefficients.filter((c) => c.rel_time !== undefined).map((c) => c.rel_time as number),
      ),
    ),
  ].sort((a, b) => a - b);
  const head = ["Rel. time", ...names];
  const numeric = head.map(() => true);
  const rows: string[][] = [];
  for (const rel of rels) {
    const estimates: string[] = [];
    const errors: string[] = [];
    for (const m of models) {
      const c = m.coefficients.find((x) => x.rel_time === rel && x.group === undefined);
      if (c === undefined) {
        estimates.push("");
        errors.push("");
      } else if (c.reference) {
        estimates.push(formatFixed(0, digits));
        errors.push("ref.");
      } else {
        estimates.push(formatFixed(c.estimate, digits));
        errors.push(`(${formatFixed(c.std_error, digits)})`);
      }
    }
    rows.push([formatFull(rel), ...estimates], ["", ...errors]);
  }
  const average = models.map((m) => m.event_study?.aggregates?.find((a) => a.kind === "post_average"));
  rows.push(
    ["Post average", ...average.map((a) => (a ? formatFixed(a.estimate, digits) : ""))],
    ["", ...average.map((a) => (a ? `(${formatFixed(a.std_error, digits)})` : ""))],
    ["Observations", ...models.map((m) => formatCount(m.nobs))],
  );
  const below = [
    `Standard errors in parentheses; ${pctOf(level)} intervals in the JSON output. Post average: mean of the post-period (rel. time >= 0) estimates.`,
    ...models.map((m, i) => {
      const es = m.event_study;
      const reference =
        es === undefined
          ? ""
          : es.reference.length > 0
            ? `normalised at ${es.reference.map(formatFull).join(", ")}`
            : es.estimator === "cs"
              ? "pre-periods are short differences (base period varying)"
              : es.estimator === "imputation"
                ? "pre-periods from the pre-trend test regression"
                : "";
      return `${names[i]}: ${ESTIMATORS[es?.estimator ?? ""] ?? ""}; controls: ${describeControl(m)}; ${reference}; standard errors: ${describeVcov(m.vcov)}.`;
    }),
  ];
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
  const cell = (c: string) => escapeLatex(c).replace(/^(\(?)-(?=[0-9])/, "$1$-$");
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

function csvRows(model: ModelResult, index: number, sideBySide: boolean): string[] {
  const label = sideBySide ? (model.event_study?.estimator ?? String(index + 1)) : String(index + 1);
  return model.coefficients.map((c) =>
    [
      label,
      c.group ?? "",
      c.rel_time === undefined ? "" : formatFull(c.rel_time),
      c.term,
      formatFull(c.estimate),
      formatFull(c.std_error),
      formatFull(c.statistic),
      formatFull(c.p_value),
      formatFull(c.conf_low),
      formatFull(c.conf_high),
      c.n_treated === undefined || Number.isNaN(c.n_treated) ? "" : formatCount(c.n_treated),
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
  const labels = options.groupLabels ?? {};
  const sideBySide = options.sideBySide === true && output.models.length > 1;
  if (format === "csv") {
    return `${[CSV_HEAD.join(","), ...output.models.flatMap((m, i) => csvRows(m, i, sideBySide))].join("\n")}\n`;
  }
  const layout = (grid: Grid, title: string) =>
    format === "markdown"
      ? markdownLayout(grid, title)
      : format === "latex"
        ? latexLayout(grid, title)
        : textLayout(grid, title);
  if (sideBySide) {
    const first = output.models[0] as ModelResult;
    const title = `Event study: ${first.dependent} around ${first.event_study?.event_time ?? ""}, ${output.models.length} estimators`;
    return `${layout(comparisonGrid(output.models, digits, level), title)}\n`;
  }
  const parts = output.models.map((model) => {
    const grid = modelGrid(model, digits, level, labels);
    const title = `Event study: ${model.dependent} around ${model.event_study?.event_time ?? ""}`;
    return layout(grid, title);
  });
  return `${parts.join("\n\n")}\n`;
}
