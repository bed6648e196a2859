/**
 * Estimation tests call the library, not the CLI: one CSV, formulas and options in the command line's vocabulary
 * (strings as typed), through readModelData + runRegressions (src/app/).
 */

import type { FixedEffectValuesResult } from "../../src/absorb/fixedEffectValues.js";
import type { BootstrapRequest } from "../../src/app/bootstrap.js";
import { readModelData } from "../../src/app/readModelData.js";
import { type RegressionRun, runRegressions } from "../../src/app/regression.js";
import { parseListOption, parseTypesOption } from "../../src/cli/options.js";
import { parseExpression, parseFormula } from "../../src/formula/parser.js";
import type { Output } from "../../src/model/result.js";

export interface RegressTestOptions {
  vcov?: string | undefined;
  cluster?: string | undefined;
  panelId?: string | undefined;
  lag?: number | undefined;
  weights?: string | undefined;
  ssc?: string | undefined;
  level?: string | undefined;
  by?: string | undefined;
  types?: string | undefined;
  family?: string | undefined;
  offset?: string | undefined;
  dropSingletons?: boolean | undefined;
  lincom?: string[] | undefined;
  nlcom?: string[] | undefined;
  solver?: "exact" | "fast" | undefined;
  bootstrap?: BootstrapRequest | undefined;
  subset?: string | undefined;
}

export async function regressRun(
  file: string,
  formulas: string[],
  opts: RegressTestOptions,
): Promise<RegressionRun> {
  const request = {
    formulas: formulas.map(parseFormula),
    covariance: {
      vcov: opts.vcov,
      cluster: parseListOption(opts.cluster),
      panelId: parseListOption(opts.panelId),
      lag: opts.lag,
      ssc: opts.ssc,
    },
    weights: opts.weights,
    by: parseListOption(opts.by),
    level: Number(opts.level ?? "0.95"),
    family: opts.family,
    offset: opts.offset === undefined ? undefined : parseExpression(opts.offset),
    dropSingletons: opts.dropSingletons,
    lincom: opts.lincom,
    nlcom: opts.nlcom,
    forcePath: opts.solver,
    bootstrap: opts.bootstrap,
    subset: opts.subset,
  };
  const { table } = await readModelData(file, request, { types: parseTypesOption(opts.types) });
  return runRegressions(table, request);
}

/** The JSON output of a regression, as `mobility regress --format json` would print it. */
export async function regress(
  file: string,
  formulas: string[],
  opts: RegressTestOptions,
  onFixedEffects?: (model: number, values: FixedEffectValuesResult) => void,
): Promise<Output> {
  const run = await regressRun(file, formulas, opts);
  if (onFixedEffects) {
    run.models.forEach((m, i) => {
      const values = m.fit.fixedEffectValues();
      if (values) onFixedEffects(i + 1, values);
    });
  }
  return { tool: "mobility", version: "test", models: run.models.map((m) => m.result) };
}
