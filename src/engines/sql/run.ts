/**
 * The application layer of the SQL engines: every formula of a regression request fitted on one source through a
 * connection (sqlFit), then the shared covariance registry, summarize, IV block and combinations, exactly as
 * src/app/regression.ts does for the memory engine.
 */
import { addCombinations, type RegressionRequest, requestColumns } from "../../app/regression.js";
import { usageError } from "../../errors.js";
import { formulaVariables, unknownInFormula } from "../../formula/variables.js";
import { summarize } from "../../inference/summarize.js";
import type { ModelResult } from "../../model/result.js";
import { computeCovariance, resolveCovariance } from "../../vcov/registry.js";
import type { CovarianceRequest } from "../../vcov/types.js";
import type { EngineInfo } from "../types.js";
import type { SqlConnection } from "./connection.js";
import { type SqlFit, type SqlSource, sqlFit } from "./fit.js";
import { sqlIvSummary } from "./ivSummary.js";

export interface SqlRun {
  models: { result: ModelResult; fit: SqlFit }[];
  warnings: string[];
  request: CovarianceRequest;
}

export interface SqlRunOptions {
  /** The engine's name in results. */
  readonly engine: string;
  /** Bytes read from the source per scan and once (files), or null when unknown (a database table). */
  readonly bytes?: { readonly perScan: number; readonly fixed: number } | null;
  readonly progress?: ((message: string) => void) | undefined;
}

/** Checks the request's columns against the source's, as readModelData does for a CSV header. */
export function checkColumns(source: SqlSource, request: RegressionRequest): void {
  const header = [...source.schema.keys()];
  const columns = requestColumns(request);
  for (const formula of request.formulas)
    for (const name of formulaVariables(formula))
      if (!source.schema.has(name)) throw unknownInFormula(formula, name, source.label, header);
  for (const [role, names] of columns.options)
    for (const name of names)
      if (!source.schema.has(name)) throw usageError(`${role}: no column '${name}' in ${source.label}`);
}

export async function runSqlRegressions(
  conn: SqlConnection,
  source: SqlSource,
  request: RegressionRequest,
  options: SqlRunOptions,
): Promise<SqlRun> {
  if ((request.by ?? []).length > 0)
    throw usageError(
      `--by is not available on the ${options.engine} engine yet: use --engine memory, or one query per group`,
    );
  const family = (request.family ?? "gaussian").toLowerCase();
  if (!["gaussian", "ols", "linear", "iv"].includes(family))
    throw usageError(
      `the ${options.engine} engine fits least squares (OLS, 2SLS) only, not family '${request.family}'`,
    );
  checkColumns(source, request);
  const covariance = resolveCovariance(request.covariance);
  const models: SqlRun["models"] = [];
  for (const formula of request.formulas) {
    const before = conn.statistics.bytesRead;
    const fit = await sqlFit(conn, source, formula, {
      covariance,
      weights: request.weights,
      dropSingletons: request.dropSingletons,
      progress: options.progress,
    });
    const cov = computeCovariance(fit, covariance);
    const iv = sqlIvSummary(fit, covariance, request.level);
    const summary = summarize(fit, cov, {
      level: request.level,
      name: request.name?.(fit.dependent, null, request.formulas.indexOf(formula)),
    });
    const bytesRead =
      options.bytes === undefined || options.bytes === null
        ? conn.statistics.bytesRead === null || before === null
          ? null
          : conn.statistics.bytesRead - before
        : options.bytes.fixed + options.bytes.perScan * fit.work.scans;
    const engine: EngineInfo = {
      name: options.engine,
      sweeps: fit.work.sweeps,
      scans: fit.work.scans,
      bytes_read: bytesRead,
    };
    const result: ModelResult = {
      ...summary,
      notes: [...summary.notes, ...iv.notes],
      ...iv.block,
      engine,
    };
    models.push({ result, fit });
  }
  addCombinations(models, request);
  return { models, warnings: [], request: covariance };
}
