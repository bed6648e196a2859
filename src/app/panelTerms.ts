/**
 * fixest's panel operators in formulas: `l(x, k)` (lag), `f(x, k)` (lead) and `d(x, k)` (difference x - l(x, k)),
 * k = 1 by default, with the panel given as `--panel-id unit,time` (fixest's `panel.id = ~unit + time`).
 *
 * Each operator becomes a column of the table, named as the call deparses ("l(x, 1)"), which the formula's
 * evaluator (src/formula/evaluate.ts) reads when it meets the call; so the coefficient is named as fixest names it.
 * Lags follow the data layer's kernel (src/data/ops/panel.ts, README "Panel operators"): keyed by unit and time,
 * gaps respected (the lag of a unit at t is its value at t - k x step, missing when that period is absent; the
 * step is the gcd of the gaps between periods, fixest's default), one row per unit and period. They are computed on
 * the whole table before --subset and --by split it, so a lag can come from a row the estimation does not use, as
 * in fixest, whose panel is set on the full data.
 */
import { groupCodes, panelLag } from "../data/ops/panel.js";
import { numericColumn, type Table } from "../data/table.js";
import { usageError } from "../errors.js";
import type { Expr, ParsedFormula } from "../formula/ast.js";
import { deparse } from "../formula/deparse.js";
import { evaluateNumeric } from "../formula/evaluate.js";
import { formulaError } from "../formula/lexer.js";

const OPERATORS = new Set(["l", "f", "d"]);

/** The table with one column per distinct panel operator call in `formulas` (the table itself when none). */
export function addPanelTerms(
  table: Table,
  formulas: readonly ParsedFormula[],
  panelId: readonly string[] | undefined,
): Table {
  const calls = panelCalls(formulas);
  if (calls.size === 0) return table;
  const first = [...calls.values()][0] as { call: Extract<Expr, { type: "call" }>; formula: string };
  if (panelId === undefined || panelId.length !== 2) {
    throw formulaError(
      first.formula,
      first.call.pos,
      `${first.call.fn}() needs the panel: give --panel-id unit,time (fixest's panel.id)`,
    );
  }
  const [unitName, timeName] = panelId as [string, string];
  for (const name of [unitName, timeName]) {
    if (!table.has(name)) throw usageError(`--panel-id: no column '${name}' in ${table.source}`);
  }
  const unitIds = groupCodes(table.column(unitName));
  const time = table.numeric(timeName).values;
  const added = [...calls.entries()].map(([name, { call, formula }]) => {
    const order = lagOrder(call, formula);
    const arg = evaluateNumeric(call.args[0] as Expr, table, formula);
    const x = arg.lo === null ? arg.hi : arg.hi.map((v, i) => v + (arg.lo?.[i] as number));
    const shifted = panelLag(x, unitIds, time, call.fn === "f" ? -order : order);
    const values = call.fn === "d" ? x.map((v, i) => v - (shifted[i] as number)) : shifted;
    return numericColumn(name, values);
  });
  return table.withColumns(added);
}

/** Whether any formula holds l(), f() or d() (then the panel id columns must be read). */
export function usesPanelTerms(formulas: readonly ParsedFormula[]): boolean {
  return panelCalls(formulas).size > 0;
}

/** The distinct panel operator calls of `formulas`, by the name of the column they become. */
function panelCalls(
  formulas: readonly ParsedFormula[],
): Map<string, { call: Extract<Expr, { type: "call" }>; formula: string }> {
  const calls = new Map<string, { call: Extract<Expr, { type: "call" }>; formula: string }>();
  for (const formula of formulas) {
    for (const expr of formulaExpressions(formula)) collectCalls(expr, formula.text, calls);
  }
  return calls;
}

function formulaExpressions(formula: ParsedFormula): Expr[] {
  const terms = [
    ...formula.terms,
    ...(formula.iv ? [...formula.iv.endogenous, ...formula.iv.instruments] : []),
  ];
  return [formula.response, ...terms.flatMap((t) => t.factors)];
}

function collectCalls(
  expr: Expr,
  formula: string,
  out: Map<string, { call: Extract<Expr, { type: "call" }>; formula: string }>,
): void {
  switch (expr.type) {
    case "call":
      if (OPERATORS.has(expr.fn)) {
        out.set(deparse(expr), { call: expr, formula });
        return;
      }
      for (const arg of expr.args) collectCalls(arg, formula, out);
      for (const arg of expr.named) collectCalls(arg.value, formula, out);
      return;
    case "binary":
      collectCalls(expr.left, formula, out);
      collectCalls(expr.right, formula, out);
      return;
    case "unary":
      collectCalls(expr.arg, formula, out);
      return;
    case "paren":
      collectCalls(expr.inner, formula, out);
      return;
    default:
      return;
  }
}

/** k of l(x, k): a whole number, 1 when absent (fixest's `lag` argument, given by position or as lag =). */
function lagOrder(call: Extract<Expr, { type: "call" }>, formula: string): number {
  const named = call.named.find((a) => a.name === "lag" || a.name === "lead");
  const unknown = call.named.find((a) => a.name !== "lag" && a.name !== "lead");
  if (unknown) throw formulaError(formula, unknown.pos, `${call.fn}() has no argument '${unknown.name}'`);
  if (call.args.length < 1 || call.args.length > 2 || (call.args.length === 2 && named)) {
    throw formulaError(
      formula,
      call.pos,
      `${call.fn}() takes a variable and an optional whole number: ${call.fn}(x, 1)`,
    );
  }
  const k = named?.value ?? call.args[1];
  if (k === undefined) return 1;
  const value =
    k.type === "num"
      ? k.value
      : k.type === "unary" && k.arg.type === "num"
        ? (k.op === "-" ? -1 : 1) * k.arg.value
        : Number.NaN;
  if (!Number.isInteger(value)) {
    throw formulaError(formula, k.pos, `${call.fn}(): the order must be a whole number`);
  }
  return value;
}
