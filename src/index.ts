/**
 * The library entry point (`import { ... } from "mobility"`): the same application layer and pipeline stages the
 * command line uses. A typical use reads a table, runs a regression request and renders the results:
 *
 *   const request = { formulas: [parseFormula("y ~ x | f")], covariance: { cluster: ["f"] }, level: 0.95 };
 *   const { table } = await readModelData("data.csv", request);
 *   const run = runRegressions(table, request);
 *   console.log(renderOutput({ tool: "mobility", version: VERSION, models: run.models.map((m) => m.result) }, "text"));
 *
 * Lower-level stages are exported for custom pipelines: buildModelFrame -> selectEstimator(...).fit -> Fit ->
 * computeCovariance(fit, resolveCovariance(...)) -> summarize(fit, covariance, { level }).
 */

export { type DataOptions, type ModelData, readModelData } from "./app/readModelData.js";
export {
  type EstimatedModel,
  fixedEffectsTable,
  type RegressionRequest,
  type RegressionRun,
  requestColumns,
  runRegressions,
} from "./app/regression.js";
export { type CsvOptions, readCsv } from "./data/csv.js";
export { getReader, READER_KINDS, type ReaderOptions, type ReaderResult } from "./data/readers/index.js";
export { type Column, numericColumn, stringColumn, Table } from "./data/table.js";
export { type ErrorKind, EXIT_CODES, MobilityError } from "./errors.js";
export { buildModelFrame, type FrameOptions, type ModelFrame } from "./estimate/frame.js";
export type { MemoryFit } from "./estimate/memoryFit.js";
export { ESTIMATORS, FAMILIES, selectEstimator } from "./estimate/registry.js";
export type { Estimator } from "./estimate/types.js";
export type { ParsedFormula } from "./formula/ast.js";
export { parseExpression, parseFormula } from "./formula/parser.js";
export { type CombinationResult, combination } from "./inference/combination.js";
export { type SummaryOptions, summarize } from "./inference/summarize.js";
export type { Fit, ScoreSource } from "./model/fit.js";
export {
  type Coefficient,
  CoefficientSchema,
  type ModelResult,
  ModelResultSchema,
  type Output,
  OutputSchema,
} from "./model/result.js";
export { parseOutputJson, renderJson } from "./report/json.js";
export { OUTPUT_FORMATS, type OutputFormat, renderOutput } from "./report/render.js";
export {
  COVARIANCE_TYPES,
  type CovarianceOptions,
  computeCovariance,
  covarianceLabel,
  findCovarianceType,
  resolveCovariance,
} from "./vcov/registry.js";
export { SMALL_SAMPLE_CONVENTIONS, type SmallSampleConvention } from "./vcov/ssc.js";
export type { Covariance, CovarianceRequest, CovarianceType } from "./vcov/types.js";
export { VERSION } from "./version.js";
