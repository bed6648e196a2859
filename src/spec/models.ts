/**
 * Estimates the `models` of a spec with the library's estimators (the spec adds no estimation of its own):
 * model frame -> estimateOls (fixed effects in the formula are estimated there) -> ModelResult, one per
 * `by` group. A model with `predict` also produces a prediction table (src/estimate/predict.ts) registered in
 * the data runner under its name, for lists to read.
 */
import { splitByGroups } from "../data/ops/splitGroups.js";
import { numericColumn, Table } from "../data/table.js";
import { MobilityError } from "../errors.js";
import { buildModelFrame } from "../estimate/frame.js";
import { estimateOls } from "../estimate/ols.js";
import { fitLevels, predict } from "../estimate/predict.js";
import type { ParsedFormula } from "../formula/ast.js";
import { parseFormula } from "../formula/parser.js";
import type { ModelResult } from "../report/result.js";
import { parseSmallSample } from "../vcov/smallSample.js";
import type { VcovType } from "../vcov/types.js";
import type { DataRunner } from "./data.js";
import type { Path } from "./load.js";
import type { ModelSpec, Spec } from "./schema.js";

export interface FittedModel {
  name: string;
  spec: ModelSpec;
  formula: ParsedFormula;
  /** One result per group (one for a model without `by`), groups in sorted order. */
  results: ModelResult[];
  /** Group labels ("01", "black, male"), parallel to results; empty without `by`. */
  groups: string[];
  /** Lines for the run report (skipped groups, prediction counts). */
  notes: string[];
}

/** Estimates every model, in the order of the spec. */
export async function estimateModels(spec: Spec, data: DataRunner): Promise<Map<string, FittedModel>> {
  const fitted = new Map<string, FittedModel>();
  for (const [name, model] of Object.entries(spec.models)) {
    fitted.set(name, await estimateModel(name, model, data));
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

async function estimateModel(name: string, model: ModelSpec, data: DataRunner): Promise<FittedModel> {
  const at: Path = ["models", name];
  const table = await data.table(model.data, [...at, "data"]);
  const formula = await located(data, [...at, "formula"], () => parseFormula(model.formula));
  const clusters = model.cluster ?? [];
  const type: VcovType = model.vcov ?? (clusters.length > 0 ? "cluster" : "iid");
  if (type === "cluster" && clusters.length === 0) {
    throw data.error([...at, "vcov"], "vcov cluster needs cluster: <column>", "usage");
  }
  if (type !== "cluster" && clusters.length > 0) {
    throw data.error([...at, "cluster"], `cluster is given but vcov is ${type}`, "usage");
  }
  const convention = parseSmallSample(model.ssc);
  const title = model.title ?? name;
  const results: ModelResult[] = [];
  const groups: string[] = [];
  const notes: string[] = [];
  let lastFrame: ReturnType<typeof buildModelFrame> | undefined;
  for (const part of splitByGroups(table, model.by ?? [])) {
    const label = part.group === null ? "" : Object.values(part.group).join(", ");
    try {
      const frame = await located(data, [...at, "formula"], () =>
        buildModelFrame(part.table, formula, {
          ...(model.weights ? { weights: model.weights } : {}),
          cluster: clusters,
        }),
      );
      lastFrame = frame;
      results.push(
        await located(data, at, () =>
          estimateOls(frame, {
            vcov: { type, convention },
            level: model.level,
            group: part.group,
            name: part.group === null ? title : `${title} (${label})`,
          }),
        ),
      );
      groups.push(label);
    } catch (error) {
      // As `regress --by`: a group too small to estimate is skipped and reported; without `by` it stops the run.
      if (part.group === null || !(error instanceof MobilityError) || error.kind !== "estimation")
        throw error;
      notes.push(`model ${name}: group ${label} skipped: ${error.message}`);
    }
  }
  if (results.length === 0) throw data.error(at, "no group could be estimated", "estimation");

  if (model.predict !== undefined) {
    const p = model.predict;
    if (model.by !== undefined)
      throw data.error([...at, "predict"], "predict with by is not supported", "usage");
    const result = results[0] as ModelResult;
    const frame = lastFrame as ReturnType<typeof buildModelFrame>;
    const newdata = p.data === undefined ? table : await data.table(p.data, [...at, "predict", "data"]);
    const prediction = await located(data, [...at, "predict"], () =>
      predict(result, formula, fitLevels(formula, table, frame.rows), newdata, p.level ?? model.level),
    );
    const keep = p.columns ?? newdata.names;
    const out = newdata.withColumns([
      numericColumn("fit", prediction.fit),
      numericColumn("se_fit", prediction.se_fit),
      numericColumn("conf_low", prediction.conf_low),
      numericColumn("conf_high", prediction.conf_high),
      numericColumn("pred_low", prediction.pred_low),
      numericColumn("pred_high", prediction.pred_high),
    ]);
    const names = [...keep.filter((c) => !PREDICTION_COLUMNS.includes(c)), ...PREDICTION_COLUMNS];
    const predictions = await located(data, [...at, "predict", "columns"], () => selectColumns(out, names));
    const predName = p.name ?? `${name}_predictions`;
    data.register(predName, predictions);
    notes.push(
      `model ${name}: predictions ${predName}: ${newdata.nrows} rows, ${newdata.nrows - prediction.missing - prediction.unseenLevels} predicted` +
        `${prediction.missing > 0 ? `, ${prediction.missing} with a missing regressor` : ""}` +
        `${prediction.unseenLevels > 0 ? `, ${prediction.unseenLevels} with a factor level not in the fit` : ""}`,
    );
  }
  return { name, spec: model, formula, results, groups, notes };
}

const PREDICTION_COLUMNS = ["fit", "se_fit", "conf_low", "conf_high", "pred_low", "pred_high"];

function selectColumns(table: Table, names: readonly string[]): Table {
  return new Table(
    names.map((n) => table.column(n)),
    table.nrows,
    table.source,
  );
}
