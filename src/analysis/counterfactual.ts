/**
 * Counterfactual predictions of a model estimated `by` groups (a spending curve per group of districts, per year
 * in the paper): every row is predicted under its own group's curve and under a reference group's curve, holding
 * the row's fixed effects at the values estimated in its own group's model. For a row i in group g with fixed-
 * effect levels l_1(i), ..., l_Q(i) and regressors x_i (the formula's terms without the fixed effects):
 *
 *   fe            = sum_q FE_g,q[l_q(i)]          (fixest::fixef normalisation of g's model; 0 without FEs)
 *   fit_own       = fe + x_i' b_g                 (the row's fitted value: with one FE, y_i minus its residual)
 *   fit_reference = fe + x_i' b_ref               (the same row under the reference group's slopes)
 *   difference    = fit_reference - fit_own = x_i' (b_ref - b_g)
 *
 * With an intercept (no fixed effects), x_i' b includes it, so fit_reference also takes the reference group's
 * intercept. Rows whose group was not estimated, whose FE level is not in its group's model, or with a missing
 * regressor get missing values (counted in the data report).
 */
import { splitByGroups } from "../data/ops/splitGroups.js";
import { type Column, numericColumn, stringAt, stringColumn, Table } from "../data/table.js";
import { usageError } from "../errors.js";
import { fitLevels, predict } from "../estimate/predict.js";
import type { ModelResult } from "../model/result.js";
import { formatFull } from "../report/numberFormat.js";
import type { FittedModel } from "./models.js";
import type { CounterfactualSpec } from "./schema.js";

export const COUNTERFACTUAL_COLUMNS = ["group", "fe", "fit_own", "fit_reference", "difference"];

export function counterfactualTable(
  spec: CounterfactualSpec,
  fitted: FittedModel,
  rows: Table,
  notes: string[],
): Table {
  const formula = fitted.formula;
  if (formula === null) throw usageError(`model '${fitted.name}' is an event study; no counterfactual`);
  if (formula.iv !== null) throw usageError(`model '${fitted.name}' is an IV model; no counterfactual`);
  const by = fitted.spec.by ?? [];
  if (by.length === 0) throw usageError(`model '${fitted.name}' is not estimated by groups (no 'by')`);
  const refIndex = fitted.groups.indexOf(spec.reference);
  if (refIndex < 0) {
    throw usageError(
      `reference: model '${fitted.name}' has no group '${spec.reference}' (groups: ${fitted.groups.join(", ")})`,
    );
  }
  for (const fe of formula.fixedEffects) {
    if (fe.variables.length !== 1 || fe.slopes.length > 0) {
      throw usageError(
        `fixed effect '${fe.label}': counterfactuals support plain fixed effects (| fe1 + fe2)`,
      );
    }
  }
  const linear = { ...formula, fixedEffects: [] };
  const levels = fitLevels(
    linear,
    rows,
    Int32Array.from({ length: rows.nrows }, (_, i) => i),
  );
  const reference = fitted.results[refIndex] as ModelResult;

  const n = rows.nrows;
  const group: (string | undefined)[] = new Array(n).fill(undefined);
  const fe = new Float64Array(n).fill(Number.NaN);
  const own = new Float64Array(n).fill(Number.NaN);
  const ref = new Float64Array(n).fill(Number.NaN);
  let unestimated = 0;
  let unseen = 0;
  // Row positions per group, in the same grouping as the model's `by`.
  const index = Int32Array.from({ length: n }, (_, i) => i);
  const withIndex = rows.withColumns([numericColumn("\u0000row", Float64Array.from(index))]);
  for (const part of splitByGroups(withIndex, by)) {
    const label = Object.values(part.group ?? {}).join(", ");
    const positions = part.table.numeric("\u0000row").values;
    const g = fitted.groups.indexOf(label);
    if (g < 0) {
      unestimated += part.table.nrows;
      continue;
    }
    const result = fitted.results[g] as ModelResult;
    const values = fitted.fixedEffects[g] ?? null;
    const xbOwn = predict(result, linear, levels, part.table, 0.95).fit;
    const xbRef = predict(reference, linear, levels, part.table, 0.95).fit;
    const feSum = new Float64Array(part.table.nrows);
    for (const dim of formula.fixedEffects) {
      const name = dim.variables[0] as string;
      const coefficients = values?.fixedEffects.find((f) => f.name === name);
      if (coefficients === undefined)
        throw usageError(`model '${fitted.name}': no estimated fixed effect '${name}'`);
      const lookup = new Map(
        (coefficients.levels ?? []).map((l, j) => [l, coefficients.values[j] as number]),
      );
      const column = part.table.column(name);
      for (let i = 0; i < part.table.nrows; i++) {
        const key = column.kind === "number" ? formatFull(column.values[i] as number) : stringAt(column, i);
        const v = key === undefined ? undefined : lookup.get(key);
        if (v === undefined) feSum[i] = Number.NaN;
        else feSum[i] = (feSum[i] as number) + v;
      }
    }
    for (let i = 0; i < part.table.nrows; i++) {
      const r = positions[i] as number;
      group[r] = label;
      if (Number.isNaN(feSum[i] as number)) {
        unseen++;
        continue;
      }
      fe[r] = feSum[i] as number;
      own[r] = (feSum[i] as number) + (xbOwn[i] as number);
      ref[r] = (feSum[i] as number) + (xbRef[i] as number);
    }
  }
  const difference = own.map((o, i) => (ref[i] as number) - o);
  const predicted = own.reduce((s, v) => s + (Number.isNaN(v) ? 0 : 1), 0);
  notes.push(
    `counterfactual (reference ${spec.reference}): ${n} rows, ${predicted} predicted` +
      (unestimated > 0 ? `, ${unestimated} in a group without an estimate` : "") +
      (unseen > 0 ? `, ${unseen} with a fixed-effect level not in the group's model` : ""),
  );
  const keep = (spec.columns ?? rows.names).filter((c) => !COUNTERFACTUAL_COLUMNS.includes(c));
  const columns: Column[] = [
    ...keep.map((c) => rows.column(c)),
    stringColumn("group", group),
    numericColumn("fe", fe),
    numericColumn("fit_own", own),
    numericColumn("fit_reference", ref),
    numericColumn("difference", difference),
  ];
  return new Table(columns, n, `counterfactual of ${fitted.name}`);
}
