/**
 * Estimates the `models` of a spec through the application layer (src/app/regression.ts, the same path as
 * `mobility regress`) or estimateEventStudy -> ModelResult, one per `by` group (the spec adds no estimation of its
 * own). A model with `predict` also produces a prediction table (src/estimate/predict.ts), with
 * `coefficients_table` a tidy table of its coefficients, with `fixef_table` its estimated fixed effects; each is
 * registered in the data runner under its name, for data tables, lists and plots to read.
 */

import type { FixedEffectValuesResult } from "../absorb/fixedEffectValues.js";
import { aboveFlags, FLAG_COLUMNS, PREDICTION_COLUMNS, predictableModel } from "../app/predict.js";
import {
  type EstimatedModel,
  fixedEffectsTable,
  groupColumns,
  type RegressionRun,
  runRegressions,
} from "../app/regression.js";
import { filterRows } from "../data/expression/index.js";
import { splitByGroups } from "../data/ops/splitGroups.js";
import { type Column, numericColumn, stringColumn, Table } from "../data/table.js";
import { MobilityError, usageError } from "../errors.js";
import { predictModel } from "../estimate/predict.js";
import { estimateEventStudyModel as estimateAnyEventStudy } from "../estimate/staggered/eventStudies.js";
import type { ParsedFormula } from "../formula/ast.js";
import { evaluateNumeric } from "../formula/evaluate.js";
import { expandFormula } from "../formula/expand.js";
import { parseExpression, parseFormula } from "../formula/parser.js";
import type { ModelResult } from "../model/result.js";
import { type CovarianceOptions, findCovarianceType, resolveCovariance } from "../vcov/registry.js";
import { parseSmallSample } from "../vcov/ssc.js";
import type { DataRunner } from "./data.js";
import type { Path } from "./load.js";
import type { ModelSpec, Spec } from "./schema.js";

export interface FittedModel {
  name: string;
  spec: ModelSpec;
  /** The parsed formula (null for an event study, whose regression is built by estimateEventStudy). */
  formula: ParsedFormula | null;
  /** One result per group (one for a model without `by`), groups in sorted order. */
  results: ModelResult[];
  /** Group labels ("01", "black, male"), parallel to results; empty without `by`. */
  groups: string[];
  /** The `by` values of each result (null without `by`), parallel to results. */
  groupValues: (Record<string, string | number> | null)[];
  /** Estimated fixed effects of each result (null for a model without fixed effects), parallel to results. */
  fixedEffects: (FixedEffectValuesResult | null)[];
  /** Lines for the run report (skipped groups, prediction counts). */
  notes: string[];
  /** The application layer's run (null for an event study). */
  run: RegressionRun | null;
  /** IV models whose reduced form a table shows: the reduced form of each result (else null), parallel. */
  reducedForms: (ModelResult | null)[];
}

/** Estimates every model, in the order of the spec. */
export async function estimateModels(spec: Spec, data: DataRunner): Promise<Map<string, FittedModel>> {
  const fitted = new Map<string, FittedModel>();
  // Reduced forms are estimated for the IV models a table shows them of.
  const reduced = new Set<string>();
  for (const table of Object.values(spec.tables))
    for (const column of table.models)
      if (typeof column !== "string" && column.stage === "reduced") reduced.add(column.model);
  for (const [name, model] of Object.entries(spec.models)) {
    fitted.set(name, await estimateModel(name, model, data, reduced.has(name)));
  }
  return fitted;
}

async function located<T>(data: DataRunner, path: Path, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof MobilityError && !/^\S+ line \d+, key /.test(error.message)) {
      throw data.error(path, error.message, error.kind);
    }
    throw error;
  }
}

async function estimateModel(
  name: string,
  model: ModelSpec,
  data: DataRunner,
  reducedForms: boolean,
): Promise<FittedModel> {
  const at: Path = ["models", name];
  const table = await data.table(model.data, [...at, "data"]);
  if (model.estimator === "event_study") {
    // The event study's rows: the subset applied first, counted in the run report.
    const subset = model.subset;
    if (subset === undefined) return estimateEventStudyModel(name, model, table, data);
    const kept = await located(data, [...at, "subset"], () => filterRows(table, subset, "subset"));
    data.report.push(`model ${name}: subset "${subset}" removed ${kept.removed} of ${table.nrows} rows`);
    return estimateEventStudyModel(name, model, kept.table, data);
  }
  if (model.event_study !== undefined) {
    throw data.error(
      [...at, "event_study"],
      "event_study is given but the estimator is not event_study",
      "usage",
    );
  }
  if (model.formula === undefined) {
    throw data.error(
      at,
      "a model needs a formula (or estimator: event_study with an event_study block)",
      "usage",
    );
  }
  const formulaText = model.formula;
  // fixest's multiple estimation (c(y1, y2) ~, sw(), csw(), ..("regex")): one result per formula (and group).
  const formulas = await located(data, [...at, "formula"], () =>
    expandFormula(formulaText, table.names).map(parseFormula),
  );
  const formula = formulas[0] as ParsedFormula;
  if (model.estimator === "iv" && formula.iv === null) {
    throw data.error([...at, "formula"], "estimator iv needs an IV formula (y ~ x | endo ~ z)", "usage");
  }
  const title = model.title ?? name;
  const covariance = {
    vcov: model.vcov,
    cluster: model.cluster,
    panelId: model.panel_id,
    lag: model.lag,
    ssc: model.ssc,
  };
  await located(data, at, () => resolveCovariance(covariance));
  if (model.engine !== undefined && model.engine !== "memory") {
    if (formulas.length > 1 || model.split !== undefined || model.fsplit !== undefined)
      throw data.error(
        at,
        `multiple estimation (c(), sw(), csw(), split, fsplit) needs engine: memory (this model uses ${model.engine})`,
        "usage",
      );
    return estimateOnSqlEngine(name, model, formula, table, data, covariance, title);
  }
  const run: RegressionRun = await located(data, at, () =>
    runRegressions(table, {
      formulas,
      covariance,
      weights: model.weights,
      by: splitColumns(model),
      fullSample: model.fsplit !== undefined,
      level: model.level,
      family: model.family,
      subset: model.subset,
      bootstrap: model.bootstrap,
      offset: model.offset === undefined ? undefined : parseExpression(model.offset),
      name: (_, label, k) => {
        const parts = [...(formulas.length > 1 ? [String(k + 1)] : []), ...(label === null ? [] : [label])];
        return parts.length === 0 ? title : `${title} (${parts.join(", ")})`;
      },
      reducedForms,
      data: model.data,
    }),
  );
  const results = run.models.map((m) => m.result);
  const groupValues = run.models.map((m) => m.group);
  // Labels of the results: the group's values, preceded by the formula's number when there are several.
  const groups = run.models.map((m) =>
    [
      ...(formulas.length > 1 ? [String(formulas.indexOf(m.formula) + 1)] : []),
      ...(m.group === null ? [] : Object.values(m.group).map(String)),
    ].join(", "),
  );
  const wantsFixedEffects = model.fixef_table !== undefined || data.wantsFixedEffects(name);
  const fixedEffects = run.models.map((m) => (wantsFixedEffects ? m.fit.fixedEffectValues() : null));
  const notes = run.warnings.map((w) => `model ${name}: ${w}`);

  if (model.predict !== undefined) {
    const p = model.predict;
    if (splitColumns(model) !== undefined || formulas.length > 1)
      throw data.error([...at, "predict"], "predict with by is not supported", "usage");
    const estimated = run.models[0] as EstimatedModel;
    const result = results[0] as ModelResult;
    const newdata = p.data === undefined ? table : await data.table(p.data, [...at, "predict", "data"]);
    // The library path of `mobility predict`: fixed effects through their estimates, IV, Poisson (src/app/predict.ts).
    const prediction = await located(data, [...at, "predict"], () =>
      predictModel(
        // The fit's rows index the table the model was estimated on: after its subset.
        predictableModel(
          estimated,
          model.subset === undefined ? table : filterRows(table, model.subset).table,
          {
            offset: model.offset === undefined ? undefined : parseExpression(model.offset),
          },
        ),
        newdata,
        p.level ?? model.level,
      ),
    );
    const keep = p.columns ?? newdata.names;
    const extra: Column[] = [
      numericColumn("fit", prediction.fit),
      numericColumn("se_fit", prediction.se_fit),
      numericColumn("conf_low", prediction.conf_low),
      numericColumn("conf_high", prediction.conf_high),
      numericColumn("pred_low", prediction.pred_low),
      numericColumn("pred_high", prediction.pred_high),
    ];
    const names = [...PREDICTION_COLUMNS];
    if (p.flag_above) {
      const y = await located(
        data,
        [...at, "predict", "flag_above"],
        () => evaluateNumeric(formula.response, newdata, formula.text).hi,
      );
      const flags = aboveFlags(y, prediction, result.sigma, result.vcov.df_t);
      extra.push(
        numericColumn("residual", flags.residual),
        numericColumn("p_above", flags.p_above),
        numericColumn("q_above", flags.q_above),
        numericColumn("above", flags.above),
      );
      names.push(...FLAG_COLUMNS);
    }
    const out = newdata.withColumns(extra);
    const selected = [...keep.filter((c) => !names.includes(c)), ...names];
    const predictions = await located(data, [...at, "predict", "columns"], () =>
      selectColumns(out, selected),
    );
    const predName = p.name ?? `${name}_predictions`;
    data.register(predName, predictions);
    notes.push(
      `model ${name}: predictions ${predName}: ${newdata.nrows} rows, ${newdata.nrows - prediction.missing - prediction.unseenLevels} predicted` +
        `${prediction.missing > 0 ? `, ${prediction.missing} with a missing regressor` : ""}` +
        `${prediction.unseenLevels > 0 ? `, ${prediction.unseenLevels} with a level not in the fit` : ""}`,
      ...prediction.notes.map((n) => `model ${name}: predictions ${predName}: ${n}`),
    );
  }
  const fitted: FittedModel = {
    name,
    spec: model,
    formula,
    results,
    groups,
    groupValues,
    fixedEffects,
    notes,
    run,
    reducedForms: run.models.map((m) => m.reduced?.result ?? null),
  };
  registerOutputs(fitted, data);
  return fitted;
}

/**
 * A model on a SQL engine (src/app/engineRegression.ts): DuckDB on the data table (loaded into an embedded
 * database) or on `source`, ClickHouse on `source`. Results only: no by, predict or fixed-effect values.
 */
async function estimateOnSqlEngine(
  name: string,
  model: ModelSpec,
  formula: ParsedFormula,
  table: Table,
  data: DataRunner,
  covariance: CovarianceOptions,
  title: string,
): Promise<FittedModel> {
  const at: Path = ["models", name];
  if (model.by !== undefined || model.predict !== undefined || model.fixef_table !== undefined)
    throw data.error(
      at,
      `by, predict and fixef_table need engine: memory (this model uses ${model.engine})`,
      "usage",
    );
  const request = {
    formulas: [formula],
    covariance,
    weights: model.weights,
    level: model.level,
    family: model.family,
    name: () => title,
  };
  const { runEngineRegressions, runOnTable } = await import("../app/engineRegression.js");
  const source = model.source;
  const models = await located(data, at, () =>
    source === undefined
      ? runOnTable(request, table, model.engine as "duckdb")
      : runEngineRegressions(
          request,
          { table: source.table, query: source.query, connection: source.connection, engine: model.engine },
          { engine: model.engine as "duckdb" | "clickhouse", reason: null },
        ).then((r) => r.models),
  );
  const fitted: FittedModel = {
    name,
    spec: model,
    formula,
    results: models,
    groups: models.map(() => ""),
    groupValues: models.map(() => null),
    fixedEffects: models.map(() => null),
    notes: [],
    run: null,
    reducedForms: models.map(() => null),
  };
  registerOutputs(fitted, data);
  return fitted;
}

/** An event study (estimateEventStudy), one per `by` group, as a FittedModel. */
async function estimateEventStudyModel(
  name: string,
  model: ModelSpec,
  table: Table,
  data: DataRunner,
): Promise<FittedModel> {
  const at: Path = ["models", name];
  const es = model.event_study;
  if (es === undefined) {
    throw data.error(
      at,
      "estimator event_study needs an event_study block (outcome, unit, time, event_time)",
      "usage",
    );
  }
  if (model.formula !== undefined) {
    throw data.error(
      [...at, "formula"],
      "an event study takes its regression from event_study, not a formula",
      "usage",
    );
  }
  if (model.predict !== undefined)
    throw data.error([...at, "predict"], "predict is not available for event studies", "usage");
  // Event studies cluster by the unit unless another covariance is asked for.
  const clustered = model.vcov === undefined || findCovarianceType(model.vcov)?.name === "cluster";
  const clusters = model.cluster ?? (clustered ? [es.unit] : []);
  const type = await located(data, at, () => resolveCovariance({ vcov: model.vcov, cluster: clusters }).type);
  const title = model.title ?? name;
  const results: ModelResult[] = [];
  const groups: string[] = [];
  const groupValues: (Record<string, string | number> | null)[] = [];
  const notes: string[] = [];
  for (const part of splitByGroups(table, model.by ?? [])) {
    const label = part.group === null ? "" : Object.values(part.group).join(", ");
    try {
      const result = await located(data, [...at, "event_study"], () =>
        estimateAnyEventStudy(part.table, {
          outcome: es.outcome,
          unit: es.unit,
          time: es.time,
          eventTime: es.event_time,
          window: es.window ?? null,
          ...(es.ref !== undefined ? { ref: typeof es.ref === "number" ? [es.ref] : es.ref } : {}),
          binEndpoints: es.bin_endpoints,
          controls: es.controls ?? null,
          covariates: es.covariates ?? null,
          fixedEffects: es.fixed_effects ?? null,
          cluster: type === "cluster" ? clusters : [],
          vcov: type,
          convention: parseSmallSample(model.ssc),
          byGroup: es.by_group ?? null,
          groupReference: es.group_ref
            ? Object.fromEntries(
                Object.entries(es.group_ref).map(([g, r]) => [g, typeof r === "number" ? [r] : r]),
              )
            : null,
          neverTreated: (es.never_treated ?? []).map(String),
          estimator: es.method,
          control: es.control,
          level: model.level,
          weights: model.weights ?? null,
          basePeriod: es.base_period ?? "varying",
          csMethod: es.cs_method ?? "dr",
          anticipation: es.anticipation ?? 0,
          boot: es.boot ?? null,
          ...(es.seed !== undefined ? { seed: es.seed } : {}),
          balanceE: es.balance_e ?? null,
          pretrends: es.pretrends ?? null,
          aggregates: { lincom: es.lincom ?? [], cumulative: es.cumulative ?? [] },
        }),
      );
      results.push({
        ...result,
        name: part.group === null ? title : `${title} (${label})`,
        group: part.group,
      });
      groups.push(label);
      groupValues.push(part.group);
    } catch (error) {
      if (part.group === null || !(error instanceof MobilityError) || error.kind !== "estimation")
        throw error;
      notes.push(`model ${name}: group ${label} skipped: ${error.message}`);
    }
  }
  if (results.length === 0) throw data.error(at, "no group could be estimated", "estimation");
  const fitted: FittedModel = {
    name,
    spec: model,
    formula: null,
    results,
    groups,
    groupValues,
    fixedEffects: results.map(() => null),
    notes,
    run: null,
    reducedForms: results.map(() => null),
  };
  registerOutputs(fitted, data);
  return fitted;
}

/** `by`, `split` (one column, as by) or `fsplit` (the full sample, then by the column): at most one. */
function splitColumns(model: ModelSpec): string[] | undefined {
  const given = [model.by, model.split, model.fsplit].filter((v) => v !== undefined);
  if (given.length > 1) throw usageError("by, split and fsplit exclude each other");
  if (model.split !== undefined) return [model.split];
  if (model.fsplit !== undefined) return [model.fsplit];
  return model.by;
}

/** Registers `coefficients_table` and `fixef_table` of a fitted model in the data runner. */
function registerOutputs(fitted: FittedModel, data: DataRunner): void {
  const by = splitColumns(fitted.spec) ?? [];
  if (fitted.spec.coefficients_table !== undefined) {
    const rows: { group: Record<string, string | number> | null; result: ModelResult; j: number }[] = [];
    fitted.results.forEach((result, g) => {
      result.coefficients.forEach((_, j) => {
        rows.push({ group: fitted.groupValues[g] ?? null, result, j });
      });
    });
    const isEventStudy = fitted.spec.estimator === "event_study";
    const columns: Column[] = [
      ...groupColumns(
        by,
        rows.map((r) => r.group),
      ),
      stringColumn(
        "term",
        rows.map((r) => r.result.coefficients[r.j]?.term as string),
      ),
    ];
    for (const field of ["estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"] as const) {
      columns.push(
        numericColumn(
          field,
          Float64Array.from(rows, (r) => {
            const v = r.result.coefficients[r.j]?.[field];
            return v === null || v === undefined ? Number.NaN : v;
          }),
        ),
      );
    }
    columns.push(
      numericColumn(
        "nobs",
        Float64Array.from(rows, (r) => r.result.nobs),
      ),
    );
    if (isEventStudy) {
      columns.push(
        numericColumn(
          "rel_time",
          Float64Array.from(rows, (r) => r.result.coefficients[r.j]?.rel_time ?? Number.NaN),
        ),
      );
    }
    data.register(fitted.spec.coefficients_table, new Table(columns, rows.length, `model ${fitted.name}`));
    data.report.push(
      `model ${fitted.name}: coefficients table ${fitted.spec.coefficients_table}: ${rows.length} rows`,
    );
  }
  if (fitted.spec.fixef_table !== undefined) {
    const table = fitted.run === null ? null : fixedEffectsTable(fitted.run, "group", by);
    if (table === null || table.nrows === 0) {
      throw data.error(["models", fitted.name, "fixef_table"], "the model has no fixed effects", "usage");
    }
    data.register(fitted.spec.fixef_table, new Table(table.columns, table.nrows, `model ${fitted.name}`));
    data.report.push(
      `model ${fitted.name}: fixed effects table ${fitted.spec.fixef_table}: ${table.nrows} rows`,
    );
  }
}

function selectColumns(table: Table, names: readonly string[]): Table {
  return new Table(
    names.map((n) => table.column(n)),
    table.nrows,
    table.source,
  );
}
