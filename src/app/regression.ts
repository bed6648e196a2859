/**
 * The application layer for regressions, shared by `mobility regress` and spec files (`mobility run`): for every
 * `by` group and every formula, build the model frame, fit with the estimator the formula and family select,
 * compute the requested covariance, summarize, attach linear and nonlinear combinations. The CLI and the spec
 * runner only parse their inputs into a RegressionRequest and print what comes back.
 */

import { columnsOfExpression, filterRows } from "../data/expression/index.js";
import { splitByGroups } from "../data/ops/splitGroups.js";
import { type Column, numericColumn, stringColumn, Table } from "../data/table.js";
import { estimationError, MobilityError, usageError } from "../errors.js";
import { buildModelFrame } from "../estimate/frame.js";
import type { MemoryFit } from "../estimate/memoryFit.js";
import { selectEstimator } from "../estimate/registry.js";
import type { Expr, ParsedFormula } from "../formula/ast.js";
import { variablesOf } from "../formula/evaluate.js";
import { parseFormula } from "../formula/parser.js";
import { formulaVariables } from "../formula/variables.js";
import { modelCombination } from "../inference/combination.js";
import { summarize } from "../inference/summarize.js";
import type { ModelResult } from "../model/result.js";
import {
  type CovarianceOptions,
  computeCovariance,
  groupingVariables,
  resolveCovariance,
  timeVariables,
} from "../vcov/registry.js";
import type { Covariance, CovarianceRequest } from "../vcov/types.js";
import { type BootstrapRequest, bootstrapModel, bootstrapVariables } from "./bootstrap.js";
import { addPanelTerms, usesPanelTerms } from "./panelTerms.js";

export interface RegressionRequest {
  formulas: readonly ParsedFormula[];
  covariance: CovarianceOptions;
  /** Analytic weights column. */
  weights?: string | undefined;
  /** Estimate separately per group of these columns. */
  by?: readonly string[] | undefined;
  /** Keep only rows where this R-style condition is TRUE (src/data/expression; FALSE and NA rows are dropped). */
  subset?: string | undefined;
  level: number;
  /** Model family: gaussian (least squares, the default) or poisson. */
  family?: string | undefined;
  /** An offset expression entering the linear predictor with coefficient one (Poisson), e.g. log(pop). */
  offset?: Expr | undefined;
  dropSingletons?: boolean | undefined;
  /** Linear and nonlinear combinations of coefficients (Stata's lincom / nlcom). */
  lincom?: readonly string[] | undefined;
  nlcom?: readonly string[] | undefined;
  /** Column titles: a function of the model's dependent variable and group label. */
  name?:
    | ((dependent: string, groupLabel: string | null, formulaIndex: number) => string | undefined)
    | undefined;
  /** Wild cluster bootstrap of the coefficients and lincoms (`--boot`). */
  bootstrap?: BootstrapRequest | undefined;
  /** Not a user option: lets tests run golden cases through both least-squares paths. */
  forcePath?: "exact" | "fast" | undefined;
  /** Also estimate each IV model's reduced form (y on the exogenous regressors and the instruments). */
  reducedForms?: boolean | undefined;
  /** With `by`: estimate on the full sample too, first (fixest's fsplit). */
  fullSample?: boolean | undefined;
  /** The input's name (file as given, or a spec's table), recorded in each result's `data`. */
  data?: string | undefined;
}

export interface EstimatedModel {
  result: ModelResult;
  fit: MemoryFit;
  covariance: Covariance;
  formula: ParsedFormula;
  group: Record<string, string | number> | null;
  /** The reduced form of an IV model, when the request asked for it. */
  reduced?: EstimatedModel | null;
}

export interface RegressionRun {
  models: EstimatedModel[];
  /** What the caller should tell the user besides the results (groups skipped, rows outside every group). */
  warnings: string[];
  request: CovarianceRequest;
}

/** The columns a request reads: formula variables, weights, by, and the covariance's grouping variables. */
export function requestColumns(
  request: Pick<
    RegressionRequest,
    "formulas" | "covariance" | "weights" | "by" | "offset" | "bootstrap" | "subset"
  >,
): {
  formula: Set<string>;
  options: [string, string[]][];
} {
  const formula = new Set<string>();
  for (const f of request.formulas) for (const name of formulaVariables(f)) formula.add(name);
  if (request.offset) for (const name of variablesOf(request.offset)) formula.add(name);
  const covariance = resolveCovariance(request.covariance);
  return {
    formula,
    options: [
      ["cluster", [...covariance.cluster]],
      [
        "panel id",
        [
          ...new Set([
            ...groupingVariables(covariance),
            ...timeVariables(covariance),
            ...(usesPanelTerms(request.formulas) ? (request.covariance.panelId ?? []) : []),
          ]),
        ].filter((n) => !covariance.cluster.includes(n)),
      ],
      ["by", [...(request.by ?? [])]],
      ["subset", request.subset ? columnsOfExpression(request.subset) : []],
      [
        "bootstrap cluster",
        bootstrapVariables(request.bootstrap).filter((n) => !covariance.cluster.includes(n)),
      ],
      ["weights", request.weights ? [request.weights] : []],
    ],
  };
}

/** Estimates every formula on every group of `table`. */
export function runRegressions(input: Table, request: RegressionRequest): RegressionRun {
  let table = addPanelTerms(input, request.formulas, request.covariance.panelId);
  const subsetNotes: string[] = [];
  if (request.subset !== undefined) {
    const kept = filterRows(table, request.subset, "subset");
    table = kept.table;
    const undecided = kept.undecided > 0 ? `, ${kept.undecided} of them where it is NA` : "";
    subsetNotes.push(
      `subset "${request.subset}" removed ${kept.removed} of ${input.nrows} rows${undecided}`,
      ...kept.notes,
    );
  }
  const covariance = resolveCovariance(request.covariance);
  const groupings = [
    ...new Set([...groupingVariables(covariance), ...bootstrapVariables(request.bootstrap)]),
  ];
  const times = timeVariables(covariance);
  const models: EstimatedModel[] = [];
  const warnings: string[] = [];
  const skipped: string[] = [];
  const parts = splitByGroups(table, request.by ?? []);
  if ((request.by ?? []).length > 0) {
    const inGroups = parts.reduce((total, p) => total + p.table.nrows, 0);
    const outside = table.nrows - inGroups;
    if (outside > 0)
      warnings.push(
        `${outside} row${outside === 1 ? "" : "s"} with a missing ${(request.by ?? []).join("/")} belong${outside === 1 ? "s" : ""} to no group and ${outside === 1 ? "was" : "were"} not used`,
      );
  }
  // fixest's fsplit: the full sample first, then every group.
  const samples =
    request.fullSample && (request.by ?? []).length > 0 ? [{ table, group: null }, ...parts] : parts;
  for (const { table: part, group } of samples) {
    const label = group === null ? null : Object.values(group).join(", ");
    for (const formula of request.formulas) {
      try {
        const model = estimateOne(
          part,
          formula,
          group,
          label,
          request,
          covariance,
          groupings,
          times,
          subsetNotes,
        );
        if (request.reducedForms && formula.iv !== null) {
          const reduced = estimateOne(
            part,
            reducedFormFormula(formula),
            group,
            label,
            request,
            covariance,
            groupings,
            times,
            subsetNotes,
          );
          reduced.result.stage = "reduced";
          model.reduced = reduced;
        }
        models.push(model);
      } catch (error) {
        // With `by`, a group too small to estimate is skipped with a warning (like Stata's statsby), so one tiny
        // state does not stop fifty others; without `by` the error stands.
        if (group === null || !(error instanceof MobilityError) || error.kind !== "estimation") throw error;
        const where = Object.entries(group)
          .map(([k, v]) => `${k}=${v}`)
          .join(", ");
        skipped.push(where);
        warnings.push(`group ${where} skipped: ${error.message}`);
      }
    }
  }
  if (models.length === 0) throw estimationError(`no group could be estimated (${skipped.length} skipped)`);
  addCombinations(models, request);
  if (request.bootstrap) {
    const boot = request.bootstrap;
    for (const m of models)
      m.result = bootstrapModel(m.fit, m.result, m.covariance, covariance, boot, request.level);
  }
  return { models, warnings, request: covariance };
}

/** One formula on one sample: frame, fit, covariance, summary. */
function estimateOne(
  part: Table,
  formula: ParsedFormula,
  group: Record<string, string | number> | null,
  label: string | null,
  request: RegressionRequest,
  covariance: ReturnType<typeof resolveCovariance>,
  groupings: string[],
  times: string[],
  subsetNotes: readonly string[],
): EstimatedModel {
  const estimator = selectEstimator(formula, request.family);
  if (request.offset !== undefined && estimator.name !== "poisson")
    throw usageError("an offset is for Poisson models (family poisson)");
  const frame = buildModelFrame(part, formula, {
    weights: request.weights,
    cluster: groupings,
    times,
    offset: request.offset,
  });
  const fit = estimator.fit(frame, {
    forcePath: request.forcePath,
    dropSingletons: request.dropSingletons,
  });
  const cov = computeCovariance(fit, covariance);
  const summary = summarize(fit, cov, {
    level: request.level,
    name:
      request.name?.(fit.dependent, label, Math.max(0, request.formulas.indexOf(formula))) ??
      (label === null ? undefined : `${fit.dependent} (${label})`),
    group,
  });
  const result: ModelResult = {
    ...summary,
    notes: [...subsetNotes, ...summary.notes],
    ...(estimator.summaryBlocks?.(fit, covariance, request.level) ?? {}),
    ...responseMoments(fit.design.frame.response.hi),
    ...(request.data !== undefined ? { data: request.data } : {}),
  };
  return { result, fit, covariance: cov, formula, group };
}

/**
 * Mean and standard deviation (n - 1) of the dependent variable over the estimation sample, unweighted: fixest's
 * fitstat `my` is mean(model.matrix(x, type = "lhs")) (fixest R/fitstats.R).
 */
function responseMoments(y: Float64Array): { y_mean: number; y_sd: number } {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i] as number;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += ((y[i] as number) - mean) ** 2;
  return { y_mean: mean, y_sd: n > 1 ? Math.sqrt(ss / (n - 1)) : Number.NaN };
}

/**
 * The reduced form of an IV formula `y ~ x | fe | endo ~ z`: `y ~ x + z | fe`, written as a user would and parsed
 * again, so that its terms are named and ordered as that formula's would be.
 */
export function reducedFormFormula(formula: ParsedFormula): ParsedFormula {
  if (formula.iv === null) throw usageError(`"${formula.text}" is not an IV formula; it has no reduced form`);
  const terms = [...formula.terms, ...formula.iv.instruments].map((t) => t.label);
  const rhs = [formula.intercept ? null : "0", ...terms].filter((t) => t !== null).join(" + ") || "1";
  const fe = formula.fixedEffects.map((f) => f.label).join(" + ");
  return parseFormula(`${formula.responseLabel} ~ ${rhs}${fe === "" ? "" : ` | ${fe}`}`);
}

/**
 * Attaches lincom / nlcom results to every model that has all the coefficients the expression names (with the
 * combination's own degrees of freedom where the covariance gives them); an expression that fits no model is an
 * error. Exported for the SQL engines' runner, whose models have no covariance object (covariance optional).
 */
export function addCombinations(
  models: readonly { result: ModelResult; covariance?: Covariance | undefined }[],
  request: RegressionRequest,
): void {
  const requests = [
    ...(request.lincom ?? []).map((e) => ["lincom", e] as const),
    ...(request.nlcom ?? []).map((e) => ["nlcom", e] as const),
  ];
  for (const [kind, expression] of requests) {
    let lastError: unknown = null;
    let used = 0;
    for (const { result: model, covariance } of models) {
      try {
        const contrastDf = covariance?.contrastDf;
        const result = modelCombination(kind, expression, model, request.level, contrastDf);
        model.combinations = [...(model.combinations ?? []), result];
        used++;
      } catch (error) {
        if (!(error instanceof MobilityError && /no coefficient/.test(error.message))) throw error;
        lastError = error;
      }
    }
    if (used === 0 && lastError) throw lastError;
  }
}

/**
 * The estimated fixed effects as a long table: one row per model (or per `by` group), fixed effect and level,
 * normalised as fixest::fixef. `key` "model" numbers the models as the tables do; "group" writes the by columns.
 */
export function fixedEffectsTable(
  run: RegressionRun,
  key: "model" | "group",
  by: readonly string[] = [],
): Table {
  const rows: {
    model: number;
    group: Record<string, string | number> | null;
    fe: string;
    level: string;
    value: number;
  }[] = [];
  run.models.forEach((m, index) => {
    for (const fe of m.fit.fixedEffectValues()?.fixedEffects ?? []) {
      fe.values.forEach((value, j) => {
        rows.push({
          model: index + 1,
          group: m.group,
          fe: fe.name,
          level: fe.levels?.[j] ?? String(j),
          value,
        });
      });
    }
  });
  const keyColumns: Column[] =
    key === "model"
      ? [
          numericColumn(
            "model",
            Float64Array.from(rows, (r) => r.model),
          ),
        ]
      : groupColumns(
          by,
          rows.map((r) => r.group),
        );
  const columns: Column[] = [
    ...keyColumns,
    stringColumn(
      "fixed_effect",
      rows.map((r) => r.fe),
    ),
    stringColumn(
      "level",
      rows.map((r) => r.level),
    ),
    numericColumn(
      "value",
      Float64Array.from(rows, (r) => r.value),
    ),
  ];
  return new Table(columns, rows.length, "fixed effects");
}

/** The `by` columns of an output table: numeric if every value is a number, else text. */
export function groupColumns(
  by: readonly string[],
  groups: (Record<string, string | number> | null)[],
): Column[] {
  return by.map((name) => {
    const values = groups.map((g) => g?.[name]);
    if (values.every((v) => typeof v === "number"))
      return numericColumn(name, Float64Array.from(values as number[]));
    return stringColumn(
      name,
      values.map((v) => (v === undefined ? undefined : String(v))),
    );
  });
}
