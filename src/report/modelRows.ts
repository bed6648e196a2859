/**
 * Rows and tables derived from a regression output that every command prints the same way: combinations and
 * first-stage F statistics under the fit statistics, and an IV model's first stages as models of their own.
 */
import type { ModelResult, Output } from "../model/result.js";
import type { ExtraRow } from "./table.js";

/** Rows under the fit statistics: combinations (estimate and standard error) and IV first-stage F statistics. */
export function combinationAndFirstStageRows(output: Output, digits: number): ExtraRow[] {
  const rows: ExtraRow[] = [];
  const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(digits) : "");
  const expressions = [
    ...new Set(
      output.models.flatMap((m) => (m.combinations ?? []).map((c) => `${c.kind}\u0000${c.expression}`)),
    ),
  ];
  for (const key of expressions) {
    const [kind, expression] = key.split("\u0000") as [string, string];
    rows.push({
      label: `${kind}: ${expression}`,
      cells: output.models.map((m) => {
        const c = m.combinations?.find((x) => x.kind === kind && x.expression === expression);
        if (!c) return "";
        const boot = c.boot_p_value === undefined ? "" : ` [wild bootstrap p=${c.boot_p_value.toFixed(3)}]`;
        // No test (a perfect fit's model): no p-value bracket rather than "[p=NaN]".
        const p = Number.isFinite(c.p_value) ? ` [p=${c.p_value.toFixed(3)}]` : "";
        return `${fmt(c.estimate)} (${fmt(c.std_error)})${p}${boot}`;
      }),
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
        return p === undefined ? "" : p.toFixed(3);
      }),
    });
  }
  const endogenous = [...new Set(output.models.flatMap((m) => m.iv?.endogenous ?? []))];
  for (const endo of endogenous) {
    rows.push({
      label: `First-stage F (${endo})`,
      cells: output.models.map((m) => {
        const stage = m.iv?.first_stages.find((f) => f.endogenous === endo);
        return stage ? stage.partial_f.toFixed(2) : "";
      }),
    });
  }
  return rows;
}

/** The first stages of every IV model as models of their own, so that the usual renderers print them. */
export function firstStageOutput(output: Output): Output {
  const models: ModelResult[] = [];
  output.models.forEach((model, index) => {
    for (const stage of model.iv?.first_stages ?? []) {
      models.push({
        ...model,
        name: `${stage.endogenous} (${index + 1})`,
        dependent: stage.endogenous,
        estimator: "ols",
        coefficients: stage.coefficients,
        collinear: [],
        vcov_matrix: [],
        // With fixed effects the first stage's R2 is the within R2 (it is computed on demeaned data).
        r2: model.fixed_effects.length > 0 ? Number.NaN : stage.r2,
        adj_r2: Number.NaN,
        within_r2: model.fixed_effects.length > 0 ? stage.r2 : null,
        f_stat: stage.partial_f,
        f_df1: stage.partial_f_df1,
        f_df2: stage.partial_f_df2,
        f_p_value: stage.partial_f_p_value,
        notes: [],
        iv: undefined,
        combinations: undefined,
      });
    }
  });
  return { ...output, models };
}

/** The F row of a first-stage table: the excluded instruments' F and its p-value. */
export function firstStageRows(stages: Output, digits: number): ExtraRow[] {
  return [
    {
      label: "F (excluded instruments)",
      cells: stages.models.map(
        (m) =>
          `${(m.f_stat ?? Number.NaN).toFixed(Math.min(digits, 2))} [p=${(m.f_p_value ?? Number.NaN).toFixed(3)}]`,
      ),
    },
  ];
}
