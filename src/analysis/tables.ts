import { usageError } from "../errors.js";
import { type CombinationResult, modelCombination } from "../inference/combination.js";
import { twoSidedPValue } from "../inference/distributions.js";
import type { ModelResult, Output } from "../model/result.js";
import { formatLatexTable } from "../report/latex.js";
import { formatMarkdownTable } from "../report/markdown.js";
import { formatCount, formatFixed } from "../report/numberFormat.js";
import { renderOutput } from "../report/render.js";
import { DEFAULT_STARS, stars } from "../report/stars.js";
import { buildTable, type ExtraRow, fitCell, type TableOptions } from "../report/table.js";
import { formatTextTable } from "../report/text.js";
import type { FittedModel } from "./models.js";
import type { RowSpec, TableSpec } from "./schema.js";

export interface Lincom {
  estimate: number;
  std_error: number;
  statistic: number;
  p_value: number;
}

/** sum_j w_j b_j with variance w'Vw, t on the model's df_t (as fixest's / car's linearHypothesis for one row). */
export function lincom(model: ModelResult, weights: Readonly<Record<string, number>>): Lincom {
  const index = new Map(model.coefficients.map((c, j) => [c.term, j]));
  const entries = Object.entries(weights).map(([term, w]) => {
    const j = index.get(term);
    if (j === undefined) {
      throw usageError(
        `lincom: model '${model.name}' has no coefficient '${term}' (terms: ${[...index.keys()].join(", ")})`,
      );
    }
    return { j, w };
  });
  let estimate = 0;
  let variance = 0;
  for (const a of entries) {
    estimate += a.w * (model.coefficients[a.j]?.estimate as number);
    for (const b of entries) variance += a.w * b.w * (model.vcov_matrix[a.j]?.[b.j] as number);
  }
  const std_error = Math.sqrt(variance);
  const statistic = estimate / std_error;
  return { estimate, std_error, statistic, p_value: twoSidedPValue(statistic, model.vcov.df_t) };
}

/** A nonlinear combination of the model's coefficients by the delta method (Stata's nlcom; inference/combination). */
export function nlcom(model: ModelResult, expression: string, level = 0.95): CombinationResult {
  return modelCombination("nlcom", expression, model, level);
}

/** The first-stage F of the excluded instruments of an IV model with one endogenous regressor. */
export function firstStageF(model: ModelResult): number {
  const stages = model.iv?.first_stages ?? [];
  if (stages.length === 0) throw usageError(`first_stage_f: model '${model.name}' is not an IV model`);
  if (stages.length > 1) {
    throw usageError(
      `first_stage_f: model '${model.name}' has ${stages.length} endogenous regressors; one F per row is shown only for one`,
    );
  }
  return (stages[0] as { partial_f: number }).partial_f;
}

/** The columns of a table: each model's results (a `by` model gives one column per group). */
export function tableColumns(
  spec: TableSpec,
  models: Map<string, FittedModel>,
  where: string,
): ModelResult[] {
  const columns: ModelResult[] = [];
  for (const name of spec.models) {
    const model = models.get(name);
    if (model === undefined) {
      throw usageError(`${where}: no model named '${name}' (models: ${[...models.keys()].join(", ")})`);
    }
    columns.push(...model.results);
  }
  if (spec.titles !== undefined && spec.titles.length !== columns.length) {
    throw usageError(`${where}: ${spec.titles.length} titles for ${columns.length} columns`);
  }
  return columns.map((m, i) => ({ ...m, name: spec.titles?.[i] ?? m.name }));
}

function statCell(
  model: ModelResult,
  stat: Extract<RowSpec, { stat: unknown }>["stat"],
  digits: number,
): string {
  switch (stat) {
    case "nobs":
    case "r2":
    case "adj_r2":
    case "within_r2":
    case "rmse":
      return fitCell(model, stat, digits);
    case "sigma":
      return formatFixed(model.sigma, digits);
    case "f_stat":
      return model.f_stat === null ? "" : formatFixed(model.f_stat, digits);
    case "n_clusters":
      return model.vcov.n_clusters.map(formatCount).join(" x ");
    case "first_stage_f":
      return model.iv === undefined ? "" : formatFixed(firstStageF(model), 2);
  }
}

function extraRows(spec: TableSpec, columns: ModelResult[]): ExtraRow[] {
  const rows: ExtraRow[] = [];
  for (const row of spec.rows) {
    if ("cells" in row) {
      if (row.cells.length !== columns.length) {
        throw usageError(`row '${row.label}': ${row.cells.length} cells for ${columns.length} columns`);
      }
      rows.push({ label: row.label, cells: row.cells });
    } else if ("stat" in row) {
      rows.push({ label: row.label, cells: columns.map((m) => statCell(m, row.stat, spec.digits)) });
    } else if ("boot_p" in row) {
      const term = row.boot_p;
      rows.push({
        label: row.label,
        cells: columns.map((m) => {
          const p = m.coefficients.find((c) => c.term === term)?.boot_p_value;
          if (p === undefined && m.bootstrap === undefined)
            throw usageError(`row '${row.label}': model '${m.name}' has no bootstrap block`);
          return p === undefined ? "" : formatFixed(p, 3);
        }),
      });
    } else if ("nlcom" in row) {
      const values = columns.map((m) => nlcom(m, row.nlcom));
      rows.push({
        label: row.label,
        cells: values.map(
          (v) => formatFixed(v.estimate, spec.digits) + (spec.stars ? stars(v.p_value, DEFAULT_STARS) : ""),
        ),
      });
      if (row.below === "std_error")
        rows.push({ label: "", cells: values.map((v) => `(${formatFixed(v.std_error, spec.digits)})`) });
      else if (row.below === "p_value")
        rows.push({ label: "", cells: values.map((v) => `[${formatFixed(v.p_value, spec.digits)}]`) });
    } else {
      const values = columns.map((m) => lincom(m, row.lincom));
      rows.push({
        label: row.label,
        cells: values.map(
          (v) => formatFixed(v.estimate, spec.digits) + (spec.stars ? stars(v.p_value, DEFAULT_STARS) : ""),
        ),
      });
      if (row.pvalue)
        rows.push({ label: "", cells: values.map((v) => `[${formatFixed(v.p_value, spec.digits)}]`) });
    }
  }
  return rows;
}

function tableOptions(spec: TableSpec, columns: ModelResult[]): TableOptions {
  const labels: Record<string, string> = { ...(spec.labels ?? {}) };
  let keep: string[] | undefined;
  if (spec.coefficients !== undefined) {
    keep = [];
    for (const entry of spec.coefficients) {
      if (typeof entry === "string") keep.push(entry);
      else {
        for (const [term, label] of Object.entries(entry)) {
          keep.push(term);
          labels[term] = label;
        }
      }
    }
  }
  return {
    digits: spec.digits,
    stars: spec.stars ? DEFAULT_STARS : false,
    ...(keep ? { keep, order: keep } : {}),
    ...(spec.drop ? { drop: spec.drop } : {}),
    labels,
    ...(spec.fit ? { fit: spec.fit } : {}),
    fixedEffects: spec.fixed_effects,
    extraRows: extraRows(spec, columns),
  };
}

const EXTENSIONS = { text: "txt", markdown: "md", latex: "tex", csv: "csv", json: "json" } as const;

/** The files of one table: `<name>.txt`, `.md`, `.tex` (and `.csv`, `.json` if asked), by file name. */
export function renderSpecTable(
  name: string,
  spec: TableSpec,
  models: Map<string, FittedModel>,
  version: string,
): Map<string, string> {
  const where = `tables.${name}`;
  const columns = tableColumns(spec, models, where);
  const output: Output = { tool: "mobility", version, models: columns };
  let options: TableOptions;
  try {
    options = tableOptions(spec, columns);
  } catch (error) {
    throw usageError(`${where}: ${(error as Error).message}`);
  }
  const files = new Map<string, string>();
  for (const format of spec.formats) {
    const file = `tables/${name}.${EXTENSIONS[format]}`;
    if (format === "csv" || format === "json") {
      files.set(file, renderOutput(output, format));
      continue;
    }
    let table: ReturnType<typeof buildTable>;
    try {
      table = buildTable(output, options);
    } catch (error) {
      throw usageError(`${where}: ${(error as Error).message}`);
    }
    table.notes.push(...spec.notes);
    if (format === "text") {
      const body = formatTextTable(table);
      files.set(file, spec.title ? `${spec.title}\n${body}` : body);
    } else if (format === "markdown") {
      const body = formatMarkdownTable(table);
      files.set(file, spec.title ? `**${spec.title}**\n\n${body}` : body);
    } else {
      const body = formatLatexTable(table);
      files.set(file, spec.title ? `% ${spec.title.replace(/\n/g, " ")}\n${body}` : body);
    }
  }
  return files;
}
