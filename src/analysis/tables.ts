/**
 * Spec tables (`tables:`): the columns a table names (models, `by` groups, IV stages), its options turned into the
 * report's TableOptions, its extra rows (statistics under a label, linear and nonlinear combinations with their
 * stars), and one file per format of the report's registry (src/report/formats.ts) under `tables/`.
 */
import { usageError } from "../errors.js";
import { type CombinationResult, modelCombination } from "../inference/combination.js";
import { twoSidedPValue } from "../inference/distributions.js";
import type { ModelResult, Output } from "../model/result.js";
import { extensionOf, writeDocument } from "../report/formats.js";
// Spec tables may be written as JSON, which validates results with the schema (see formats.ts prepare).
import "../report/json.js";
import { stageColumns } from "../report/modelRows.js";
import { formatCount, formatFixed } from "../report/numberFormat.js";
import { regressionDocument } from "../report/regressionDocument.js";
import { DEFAULT_STARS, type StarLevels, starLevels, stars } from "../report/stars.js";
import { type Cell, type ExtraRow, fitCell, type TableOptions } from "../report/table.js";
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
    const j = index.get(term) ?? index.get(`fit_${term}`);
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
      `first_stage_f: model '${model.name}' has ${stages.length} endogenous regressors; use stats: [first_stage_f] for one row per endogenous regressor`,
    );
  }
  return (stages[0] as { partial_f: number }).partial_f;
}

/** The columns of a table: each model's results (a `by` model gives one column per group), or an IV stage. */
export function tableColumns(
  spec: TableSpec,
  models: Map<string, FittedModel>,
  where: string,
): ModelResult[] {
  const columns: ModelResult[] = [];
  for (const entry of spec.models) {
    const name = typeof entry === "string" ? entry : entry.model;
    const model = models.get(name);
    if (model === undefined) {
      throw usageError(`${where}: no model named '${name}' (models: ${[...models.keys()].join(", ")})`);
    }
    if (typeof entry === "string") {
      columns.push(...model.results);
      continue;
    }
    model.results.forEach((result, g) => {
      if (result.iv === undefined)
        throw usageError(`${where}: model '${name}' is not an IV model; it has no ${entry.stage} stage`);
      columns.push(...stageColumns(result, [entry.stage], model.reducedForms[g] ?? null));
    });
  }
  if (spec.titles !== undefined && spec.titles.length !== columns.length) {
    throw usageError(`${where}: ${spec.titles.length} titles for ${columns.length} columns`);
  }
  return columns.map((m, i) => ({ ...m, name: spec.titles?.[i] ?? m.name }));
}

function statCell(
  model: ModelResult,
  stat: Extract<RowSpec, { stat: unknown }>["stat"],
  spec: TableSpec,
): string {
  const digits = spec.stat_digits ?? spec.digits;
  switch (stat) {
    case "clusters":
    case "n_clusters":
      return model.vcov.n_clusters.map((g) => formatCount(g, spec.thousands)).join(" x ");
    case "first_stage_f":
    case "ivwald":
      return model.iv === undefined || model.stage === "reduced"
        ? ""
        : model.stage === "first"
          ? formatFixed(model.f_stat ?? Number.NaN, spec.stat_digits ?? 2)
          : formatFixed(firstStageF(model), spec.stat_digits ?? 2);
    default:
      return fitCell(model, stat, digits, spec.labels ?? {}, spec.thousands, spec.stat_digits ?? 2);
  }
}

/** The table's star levels (false for none). */
function levelsOf(spec: TableSpec): StarLevels | false {
  if (spec.stars === false) return false;
  return spec.stars === true ? DEFAULT_STARS : starLevels(spec.stars);
}

function starred(v: { estimate: number; p_value: number } | null, spec: TableSpec): Cell | string {
  if (v === null) return "";
  const levels = levelsOf(spec);
  return {
    text: formatFixed(v.estimate, spec.digits),
    stars: levels === false ? "" : stars(v.p_value, levels),
  };
}

/**
 * A combination for each column that has every term it names, else null (a blank cell: the column is another
 * specification); an error when no column has them.
 */
function perColumn<T>(columns: ModelResult[], label: string, f: (m: ModelResult) => T): (T | null)[] {
  let lastError: unknown = null;
  const values = columns.map((m) => {
    try {
      return f(m);
    } catch (error) {
      if (!/no coefficient/.test((error as Error).message)) throw error;
      lastError = error;
      return null;
    }
  });
  if (values.every((v) => v === null) && lastError !== null)
    throw usageError(`row '${label}': ${(lastError as Error).message}`);
  return values;
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
      rows.push({ label: row.label, cells: columns.map((m) => statCell(m, row.stat, spec)) });
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
      const values = perColumn(columns, row.label, (m) => nlcom(m, row.nlcom));
      rows.push({ label: row.label, cells: values.map((v) => starred(v, spec)) });
      const below = row.below_label ?? "";
      if (row.below === "std_error")
        rows.push({
          label: below,
          cells: values.map((v) => (v ? `(${formatFixed(v.std_error, spec.digits)})` : "")),
        });
      else if (row.below === "p_value")
        rows.push({
          label: below,
          cells: values.map((v) => (v ? `[${formatFixed(v.p_value, spec.digits)}]` : "")),
        });
    } else {
      const values = perColumn(columns, row.label, (m) => lincom(m, row.lincom));
      rows.push({ label: row.label, cells: values.map((v) => starred(v, spec)) });
      if (row.pvalue)
        rows.push({
          label: row.below_label ?? "",
          cells: values.map((v) => (v ? `[${formatFixed(v.p_value, spec.digits)}]` : "")),
        });
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
    ...(spec.stat_digits !== undefined ? { statDigits: spec.stat_digits } : {}),
    stars: levelsOf(spec),
    ...(keep ? { keep, order: keep } : {}),
    ...(spec.drop ? { drop: spec.drop } : {}),
    labels,
    ...(spec.stats ? { stats: spec.stats } : {}),
    ...(spec.fit ? { fit: spec.fit } : {}),
    fixedEffects: spec.fixed_effects,
    ...(spec.fe_marks ? { feMarks: spec.fe_marks } : {}),
    extraRows: extraRows(spec, columns),
    notes: spec.notes_mode,
    extraNotes: spec.notes,
    thousands: spec.thousands,
    coefstat: spec.coefstat,
    beside: spec.beside,
    ...(spec.groups ? { groups: spec.groups } : {}),
  };
}

/** The files of one table: `tables/<name>.<extension>` for each of its formats. */
export function renderSpecTable(
  name: string,
  spec: TableSpec,
  models: Map<string, FittedModel>,
  version: string,
): Map<string, string> {
  const where = `tables.${name}`;
  const columns = tableColumns(spec, models, where);
  const output: Output = { tool: "mobility", version, models: columns };
  let doc: ReturnType<typeof regressionDocument>;
  try {
    doc = regressionDocument(output, {
      ...tableOptions(spec, columns),
      ...(spec.title !== undefined ? { title: spec.title } : {}),
      label: spec.label ?? `tab:${name}`,
      long: spec.long,
    });
  } catch (error) {
    throw usageError(`${where}: ${(error as Error).message}`);
  }
  const files = new Map<string, string>();
  for (const format of spec.formats) {
    files.set(
      `tables/${name}.${extensionOf(format)}`,
      writeDocument(doc, format, {
        ...(spec.panel_columns !== undefined ? { panelColumns: spec.panel_columns } : {}),
        latex: { fragment: spec.latex?.fragment ?? false, siunitx: spec.latex?.siunitx ?? false },
      }),
    );
  }
  return files;
}
