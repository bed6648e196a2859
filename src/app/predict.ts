/**
 * The application layer for predictions, shared by `mobility predict` and spec files: choose the training rows
 * (all, a `--train`/`--test` condition, a split column, or a seeded random split), estimate the model on them
 * through runRegressions (the same path as `mobility regress`), and predict the other rows (or new data) with
 * src/estimate/predict.ts: fitted values with their fixed effects, standard errors, confidence and prediction
 * intervals, and for rows whose outcome is known the residual, a one-sided p-value of lying that far above the
 * prediction and Benjamini-Hochberg q-values over the predicted rows, flagging rows above the upper prediction
 * bound (the over-performing schools of the migrant-students study).
 */
import { type Column, numericColumn, stringColumn, Table } from "../data/table.js";
import { usageError } from "../errors.js";
import type { FixedEffectMoments, PredictableModel, Prediction } from "../estimate/predict.js";
import { fitLevels, predictModel, rowLabels } from "../estimate/predict.js";
import type { ParsedFormula } from "../formula/ast.js";
import { evaluateNumeric } from "../formula/evaluate.js";
import { twoSidedPValue } from "../inference/distributions.js";
import { mulberry32 } from "../numeric/random.js";
import { type EstimatedModel, type RegressionRequest, runRegressions } from "./regression.js";

/** Which rows train the model; the others are predicted. */
export type RowSelection =
  | { kind: "all" }
  /** Rows where a condition holds train (`train`), or rows where it holds are predicted (`test`). */
  | { kind: "condition"; train?: string; test?: string }
  /** A column marking training rows: train/test, 1/0 or true/false (case-insensitive); missing = not used. */
  | { kind: "column"; column: string }
  /** Each row trains with probability `fraction`, from a seeded generator (mulberry32), in row order. */
  | { kind: "random"; fraction: number; seed: number };

export interface RowSplit {
  train: Int32Array;
  test: Int32Array;
}

/** The values of a split column that mean "train" and "test". */
const TRAIN_VALUES = new Set(["train", "training", "1", "true", "yes"]);
const TEST_VALUES = new Set(["test", "testing", "holdout", "0", "false", "no"]);

/**
 * The rows where a condition holds (TRUE; FALSE and NA rows are not chosen), in the row-expression language of
 * src/data/expression (`x > 0`, `state %in% c(1, 2)`, `!is.na(y)`; the older filter forms are translated).
 */
export async function conditionRows(table: Table, condition: string): Promise<Int32Array> {
  const { filterRows } = await import("../data/expression/index.js");
  const marked = table.withColumns([
    numericColumn(
      "\u0000row",
      Float64Array.from({ length: table.nrows }, (_, i) => i),
    ),
  ]);
  return Int32Array.from(filterRows(marked, condition).table.numeric("\u0000row").values);
}

function complement(rows: Int32Array, n: number): Int32Array {
  const inRows = new Uint8Array(n);
  for (const r of rows) inRows[r] = 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (!inRows[i]) out.push(i);
  return Int32Array.from(out);
}

/** Training and predicted rows of `table`. */
export async function splitRows(table: Table, selection: RowSelection): Promise<RowSplit> {
  const n = table.nrows;
  const all = Int32Array.from({ length: n }, (_, i) => i);
  switch (selection.kind) {
    case "all":
      return { train: all, test: all };
    case "condition": {
      if (selection.train !== undefined && selection.test !== undefined) {
        return {
          train: await conditionRows(table, selection.train),
          test: await conditionRows(table, selection.test),
        };
      }
      if (selection.train !== undefined) {
        const train = await conditionRows(table, selection.train);
        return { train, test: complement(train, n) };
      }
      if (selection.test !== undefined) {
        const test = await conditionRows(table, selection.test);
        return { train: complement(test, n), test };
      }
      return { train: all, test: all };
    }
    case "column": {
      if (!table.has(selection.column))
        throw usageError(`--split-column: no column '${selection.column}' in ${table.source}`);
      const labels = rowLabels(table.column(selection.column));
      const train: number[] = [];
      const test: number[] = [];
      labels.forEach((label, i) => {
        if (label === undefined) return;
        const v = label.toLowerCase();
        if (TRAIN_VALUES.has(v)) train.push(i);
        else if (TEST_VALUES.has(v)) test.push(i);
        else
          throw usageError(
            `${table.source} line ${i + 2}, column '${selection.column}': expected train or test (or 1/0, true/false), found '${label}'`,
          );
      });
      return { train: Int32Array.from(train), test: Int32Array.from(test) };
    }
    case "random": {
      if (!(selection.fraction > 0 && selection.fraction < 1))
        throw usageError(`--random-split: expected a fraction between 0 and 1, found ${selection.fraction}`);
      const uniform = mulberry32(selection.seed);
      const train: number[] = [];
      const test: number[] = [];
      for (let i = 0; i < n; i++) (uniform() < selection.fraction ? train : test).push(i);
      return { train: Int32Array.from(train), test: Int32Array.from(test) };
    }
  }
}

/**
 * The weighted group means of the coefficients' columns per level of a model's one plain fixed effect, and the
 * groups' sums of weights, on the estimation rows: what the dummy-variable standard error of a prediction needs.
 * Null when the model does not have exactly one fixed effect without slopes, or is not least squares.
 */
export function fixedEffectMoments(model: EstimatedModel): FixedEffectMoments | null {
  const fes = model.formula.fixedEffects;
  const fe = fes[0];
  if (fes.length !== 1 || fe === undefined || fe.slopes.length > 0 || fe.variables.length !== 1) return null;
  if (model.result.estimator !== "ols") return null;
  const frame = model.fit.design.frame;
  const column = frame.fixedEffectColumns.get(fe.variables[0] as string);
  if (column === undefined) return null;
  const labels = rowLabels(column);
  const terms = model.result.coefficients.map((c) => c.term);
  const columns = terms.map((t) => frame.columns.find((c) => c.name === t)?.hi ?? null);
  if (columns.some((c) => c === null)) return null;
  const w = frame.weights;
  const k = terms.length;
  const sums = new Map<string, { weight: number; means: Float64Array }>();
  for (let i = 0; i < frame.nobs; i++) {
    const label = labels[i] as string;
    let g = sums.get(label);
    if (g === undefined) {
      g = { weight: 0, means: new Float64Array(k) };
      sums.set(label, g);
    }
    const wi = w ? (w[i] as number) : 1;
    g.weight += wi;
    for (let j = 0; j < k; j++)
      g.means[j] = (g.means[j] as number) + wi * ((columns[j] as Float64Array)[i] as number);
  }
  for (const g of sums.values()) for (let j = 0; j < k; j++) g.means[j] = (g.means[j] as number) / g.weight;
  return { name: fe.label, levels: sums };
}

/** What predictModel needs of an estimated model; `table` is the table the model was estimated on. */
export function predictableModel(
  model: EstimatedModel,
  table: Table,
  request: Pick<RegressionRequest, "offset">,
): PredictableModel {
  const hasFe = model.formula.fixedEffects.length > 0;
  return {
    result: model.result,
    formula: model.formula,
    levels: fitLevels(model.formula, table, model.fit.design.frame.rows),
    fixedEffects: hasFe ? model.fit.fixedEffectValues() : null,
    fixedEffectMoments: hasFe ? fixedEffectMoments(model) : null,
    offset: request.offset ?? null,
  };
}

/** Residual flags of rows with a known outcome. */
export interface AboveFlags {
  residual: Float64Array;
  /** P(a new observation lies this far above the prediction): the upper tail of t on the model's df. */
  p_above: Float64Array;
  /** Benjamini-Hochberg q-values of p_above over the rows that have one (R's p.adjust(p, "BH")). */
  q_above: Float64Array;
  /** 1 when the outcome lies above the upper prediction bound, 0 when not, NaN when unknown. */
  above: Float64Array;
}

/** Benjamini-Hochberg adjusted p-values (NaN stays NaN and is not counted), as R's p.adjust(method = "BH"). */
export function benjaminiHochberg(p: Float64Array): Float64Array {
  const index: number[] = [];
  for (let i = 0; i < p.length; i++) if (!Number.isNaN(p[i] as number)) index.push(i);
  const m = index.length;
  // Ascending p; ties keep row order (p.adjust orders decreasing and takes a cumulative minimum from the top).
  index.sort((a, b) => (p[a] as number) - (p[b] as number) || a - b);
  const q = new Float64Array(p.length).fill(Number.NaN);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const i = index[r] as number;
    running = Math.min(running, ((p[i] as number) * m) / (r + 1));
    q[i] = running;
  }
  return q;
}

/** Residuals, one-sided p-values and q-values of lying above the prediction, and the above-the-bound flags. */
export function aboveFlags(y: Float64Array, prediction: Prediction, sigma: number, dfT: number): AboveFlags {
  const n = y.length;
  const residual = new Float64Array(n);
  const p = new Float64Array(n);
  const above = new Float64Array(n).fill(Number.NaN);
  for (let i = 0; i < n; i++) {
    const fit = prediction.fit[i] as number;
    const yi = y[i] as number;
    residual[i] = yi - fit;
    const se = prediction.se_fit[i] as number;
    const sp = Math.sqrt(se * se + sigma * sigma);
    const t = (yi - fit) / sp;
    if (Number.isNaN(t)) {
      p[i] = Number.NaN;
      continue;
    }
    const two = twoSidedPValue(t, dfT);
    p[i] = t > 0 ? two / 2 : 1 - two / 2;
    above[i] = yi > (prediction.pred_high[i] as number) ? 1 : 0;
  }
  return { residual, p_above: p, q_above: benjaminiHochberg(p), above };
}

export interface PredictionRequest {
  /** One formula, with the covariance and weights of `mobility regress`. */
  regression: RegressionRequest;
  selection: RowSelection;
  /** Rows to predict instead of the test rows (another file). */
  newdata?: Table | undefined;
  /** Confidence level of the intervals (default the regression's level). */
  level?: number | undefined;
  /** Columns of the data copied into the output (default: all read). */
  columns?: readonly string[] | undefined;
}

export const PREDICTION_COLUMNS = ["fit", "se_fit", "conf_low", "conf_high", "pred_low", "pred_high"];
export const FLAG_COLUMNS = ["residual", "p_above", "q_above", "above"];

export interface PredictionRun {
  model: EstimatedModel;
  /** The predicted rows with their predictions (and flags where the outcome is known). */
  table: Table;
  split: RowSplit;
  prediction: Prediction;
  notes: string[];
}

/** The outcome of the formula on the rows of `table`, or null when its variables are not all there. */
function outcomeOf(formula: ParsedFormula, table: Table): Float64Array | null {
  try {
    return evaluateNumeric(formula.response, table, formula.text).hi;
  } catch {
    return null;
  }
}

/** Estimates on the training rows and predicts the test rows (or `newdata`). */
export async function runPrediction(table: Table, request: PredictionRequest): Promise<PredictionRun> {
  if (request.regression.formulas.length !== 1) throw usageError("predict takes one formula");
  if ((request.regression.by ?? []).length > 0)
    throw usageError("predict: --by is not supported; use a split");
  const formula = request.regression.formulas[0] as ParsedFormula;
  const split = await splitRows(table, request.selection);
  if (split.train.length === 0) throw usageError("predict: no training rows");
  const trainTable = split.train.length === table.nrows ? table : table.take(split.train);
  const run = runRegressions(trainTable, request.regression);
  const model = run.models[0] as EstimatedModel;
  const target = request.newdata ?? (split.test.length === table.nrows ? table : table.take(split.test));
  const level = request.level ?? request.regression.level;
  const prediction = predictModel(predictableModel(model, trainTable, request.regression), target, level);
  const notes = [...run.warnings, ...prediction.notes];
  const predicted = target.nrows - prediction.missing - prediction.unseenLevels;
  notes.push(
    `trained on ${model.result.nobs} rows; predicted ${predicted} of ${target.nrows}` +
      (prediction.missing > 0 ? `, ${prediction.missing} with a missing regressor` : "") +
      (prediction.unseenLevels > 0 ? `, ${prediction.unseenLevels} with a level not in the fit` : ""),
  );
  const keep = (request.columns ?? target.names).filter(
    (c) => !PREDICTION_COLUMNS.includes(c) && !FLAG_COLUMNS.includes(c) && c !== "sample",
  );
  const columns: Column[] = keep.map((c) => target.column(c));
  if (request.newdata === undefined && request.selection.kind !== "all") {
    const trainSet = new Set(split.train);
    columns.push(
      stringColumn(
        "sample",
        Array.from(split.test, (r) => (trainSet.has(r) ? "train" : "test")),
      ),
    );
  }
  columns.push(
    numericColumn("fit", prediction.fit),
    numericColumn("se_fit", prediction.se_fit),
    numericColumn("conf_low", prediction.conf_low),
    numericColumn("conf_high", prediction.conf_high),
    numericColumn("pred_low", prediction.pred_low),
    numericColumn("pred_high", prediction.pred_high),
  );
  const y = outcomeOf(formula, target);
  if (y !== null) {
    const flags = aboveFlags(y, prediction, model.result.sigma, model.result.vcov.df_t);
    columns.push(
      numericColumn("residual", flags.residual),
      numericColumn("p_above", flags.p_above),
      numericColumn("q_above", flags.q_above),
      numericColumn("above", flags.above),
    );
    const count = flags.above.reduce((s, v) => s + (v === 1 ? 1 : 0), 0);
    notes.push(`${count} row${count === 1 ? "" : "s"} above the upper prediction bound`);
  }
  return {
    model,
    table: new Table(columns, target.nrows, `predictions of ${formula.text}`),
    split,
    prediction,
    notes,
  };
}
