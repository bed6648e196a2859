/**
 * Columns and rows derived from a regression output that every command prints the same way: an IV model's first
 * stages and reduced form as columns of their own next to its second stage (fixest's etable `stage = 1:2`), and
 * the linear and nonlinear combinations (`--lincom`, `--nlcom`) as rows with their stars and standard errors.
 */
import { usageError } from "../errors.js";
import type { ModelResult, Output } from "../model/result.js";
import { formatFixed } from "./numberFormat.js";
import { DEFAULT_STARS, type StarLevels, stars } from "./stars.js";
import type { ExtraRow } from "./table.js";

export type Stage = "first" | "reduced" | "second";
export const STAGES: readonly Stage[] = ["first", "reduced", "second"];

/** "first,second" -> ["first", "second"]; order as given. */
export function parseStages(value: string | readonly string[], option = "--stages"): Stage[] {
  const items = typeof value === "string" ? value.split(",").map((s) => s.trim()) : [...value];
  const out: Stage[] = [];
  for (const item of items) {
    const stage = item === "1" ? "first" : item === "2" ? "second" : item;
    if (!(STAGES as readonly string[]).includes(stage))
      throw usageError(`${option}: expected first, reduced or second, found '${item}'`);
    if (!out.includes(stage as Stage)) out.push(stage as Stage);
  }
  return out;
}

/**
 * The first stages of an IV model as models of their own (one per endogenous regressor): named after the
 * endogenous regressor, with its coefficients, full and within R², the model's sample, covariance type and fixed
 * effects, and the model's IV block (so that a table can show the first-stage F and Kleibergen-Paap F under it).
 */
export function firstStageColumns(model: ModelResult): ModelResult[] {
  return (model.iv?.first_stages ?? []).map((stage) => ({
    ...model,
    name: stage.endogenous,
    dependent: stage.endogenous,
    estimator: "ols" as const,
    coefficients: stage.coefficients,
    collinear: [],
    vcov_matrix: [],
    r2: stage.r2,
    adj_r2: stage.adj_r2 ?? Number.NaN,
    within_r2: model.fixed_effects.length > 0 ? (stage.within_r2 ?? null) : null,
    rmse: Number.NaN,
    sigma: Number.NaN,
    f_stat: stage.partial_f,
    f_df1: stage.partial_f_df1,
    f_df2: stage.partial_f_df2,
    f_p_value: stage.partial_f_p_value,
    notes: [],
    combinations: undefined,
    bootstrap: undefined,
    y_mean: undefined,
    y_sd: undefined,
    stage: "first" as const,
  }));
}

/**
 * The columns of one model for the stages asked for, in the order asked: an IV model gives its first stages,
 * its reduced form (`reduced`, estimated by the caller; required when "reduced" is asked) and itself (second);
 * any other model is one column whatever the stages.
 */
export function stageColumns(
  model: ModelResult,
  stages: readonly Stage[],
  reduced?: ModelResult | null,
): ModelResult[] {
  if (model.iv === undefined) return [model];
  const out: ModelResult[] = [];
  for (const stage of stages) {
    if (stage === "first") out.push(...firstStageColumns(model));
    else if (stage === "second") out.push({ ...model, stage: "second" });
    else {
      if (reduced === undefined || reduced === null) throw new Error("internal: no reduced form estimated");
      out.push({ ...reduced, stage: "reduced" });
    }
  }
  return out;
}

/**
 * Rows under the statistics for the combinations of the models: the estimate with its stars, and below it the
 * standard error in parentheses (or, with `below: "p_value"`, the p-value in brackets).
 */
export function combinationRows(
  output: Output,
  digits: number,
  levels: StarLevels | false = DEFAULT_STARS,
  below: "std_error" | "p_value" = "std_error",
): ExtraRow[] {
  const rows: ExtraRow[] = [];
  const expressions = [
    ...new Set(
      output.models.flatMap((m) => (m.combinations ?? []).map((c) => `${c.kind}\u0000${c.expression}`)),
    ),
  ];
  for (const key of expressions) {
    const [kind, expression] = key.split("\u0000") as [string, string];
    const found = output.models.map((m) =>
      m.combinations?.find((x) => x.kind === kind && x.expression === expression),
    );
    rows.push({
      label: `${kind}: ${expression}`,
      cells: found.map((c) =>
        c
          ? { text: formatFixed(c.estimate, digits), stars: levels === false ? "" : stars(c.p_value, levels) }
          : "",
      ),
    });
    rows.push({
      label: "",
      cells: found.map((c) => {
        if (!c) return "";
        const value = formatFixed(below === "p_value" ? c.p_value : c.std_error, digits);
        return value === "" ? "" : below === "p_value" ? `[${value}]` : `(${value})`;
      }),
    });
    // `--boot` with a combination: its wild cluster bootstrap p-value on a row of its own.
    if (found.some((c) => c?.boot_p_value !== undefined))
      rows.push({
        label: `Wild bootstrap p (${expression})`,
        cells: found.map((c) => (c?.boot_p_value === undefined ? "" : formatFixed(c.boot_p_value, 3))),
      });
  }
  // Wild bootstrap p-values (--boot): one row per bootstrapped coefficient.
  const booted = [
    ...new Set(
      output.models.flatMap((m) =>
        m.coefficients.filter((c) => c.boot_p_value !== undefined).map((c) => c.term),
      ),
    ),
  ];
  for (const term of booted) {
    rows.push({
      label: `Wild bootstrap p (${term})`,
      cells: output.models.map((m) => {
        const p = m.coefficients.find((c) => c.term === term)?.boot_p_value;
        return p === undefined ? "" : formatFixed(p, 3);
      }),
    });
  }
  return rows;
}
