/**
 * Aggregates of an event-study path, the same for every estimator (issue #11, item 5):
 *
 *  - post_average: the mean of the post-period coefficients (rel_time >= 0, reference rows excluded), per group;
 *  - cumulative k: the sum of the coefficients from rel_time 0 to k (`--cumulative k`), per group;
 *  - lincom: any linear combination of path coefficients (`--lincom "b[rel::3] - b[rel::-2]"`; `rel::k` is
 *    short for the path term `rel_time::k`), with Stata's lincom semantics (src/inference/combination.ts);
 *  - att: the estimator's own overall effect where it has one (Sun-Abraham's cohort-share ATT, Callaway-Sant'Anna's
 *    simple ATT, the imputation estimator's average over all treated observations).
 *
 * Standard errors are sqrt(a' V a) with the path covariance (model.vcov_matrix) and the model's t degrees of
 * freedom. For Callaway-Sant'Anna V is the influence-function covariance, so this is exactly the standard error of
 * the combined influence function. For the imputation estimator a combination of post-period coefficients is a
 * new target with weights sum_e a_e w_e, and its standard error is BJS's for those weights (the conservative
 * variance is not bilinear in the weights, because the recentring taubar depends on them); combinations that
 * touch pre-period rows use V.
 */
import { Matrix } from "ml-matrix";
import { usageError } from "../../errors.js";
import { combination } from "../../inference/combination.js";
import { criticalValue, twoSidedPValue } from "../../inference/distributions.js";
import type { Coefficient, ModelResult } from "../../model/result.js";
import { formatFull } from "../../report/numberFormat.js";

/**
 * Imputation: combinations of post-period coefficients are estimated directly with the combined target weights
 * (exact BJS standard errors) rather than from the covariance matrix; eventStudies.ts registers the hook here.
 */
export const imputationCombinations = new WeakMap<
  ModelResult,
  (coefficients: ReadonlyMap<number, number>, label: string) => { estimate: number; std_error: number }
>();

export interface PathAggregateOptions {
  lincom?: readonly string[];
  cumulative?: readonly number[];
}

type Aggregate = NonNullable<NonNullable<ModelResult["event_study"]>["aggregates"]>[number];

/** `b[rel::3]` and `b[rel_time::-2]` as quoted coefficient names (the formula grammar has no `::`). */
export function normaliseLincom(expression: string): string {
  return expression.replace(
    /b\[\s*rel(?:_time)?\s*::\s*(-?\s*[0-9]+(?:\.[0-9]+)?)\s*\]/g,
    (_m, k: string) => `b["rel_time::${k.replace(/\s+/g, "")}"]`,
  );
}

function inference(
  kind: Aggregate["kind"],
  label: string,
  expression: string,
  estimate: number,
  se: number,
  dfT: number,
  level: number,
): Aggregate {
  const statistic = estimate / se;
  const q = criticalValue(level, dfT);
  return {
    kind,
    label,
    expression,
    estimate,
    std_error: se,
    statistic,
    p_value: twoSidedPValue(statistic, dfT),
    conf_low: estimate - q * se,
    conf_high: estimate + q * se,
  };
}

export function addPathAggregates(
  model: ModelResult,
  options: PathAggregateOptions,
  level: number,
): ModelResult {
  const es = model.event_study;
  if (es === undefined) return model;
  const terms = model.coefficients.map((c) => c.term);
  const estimates = Float64Array.from(model.coefficients, (c) => c.estimate);
  const V = new Matrix(model.vcov_matrix);
  const dfT = model.vcov.df_t;
  const hook = imputationCombinations.get(model);
  const aggregates: Aggregate[] = [];

  /** Combination of path rows (index -> coefficient). */
  const combine = (
    kind: Aggregate["kind"],
    label: string,
    weights: Map<number, number>,
    written?: string,
  ) => {
    const expression =
      written ??
      [...weights]
        .map(([j, a], m) => {
          const term = `b[${terms[j]}]`;
          const sign = a < 0 ? "-" : m === 0 ? "" : "+";
          const abs = Math.abs(a);
          return `${m === 0 ? sign : ` ${sign} `}${abs === 1 ? "" : `${formatFull(abs)}*`}${term}`;
        })
        .join("");
    const rows = [...weights.keys()].map((j) => model.coefficients[j] as Coefficient);
    if (hook && rows.every((c) => (c.rel_time ?? -1) >= 0)) {
      const byEvent = new Map(
        [...weights].map(([j, a]) => [(model.coefficients[j] as Coefficient).rel_time as number, a]),
      );
      const r = hook(byEvent, label);
      aggregates.push(inference(kind, label, expression, r.estimate, r.std_error, dfT, level));
      return;
    }
    let estimate = 0;
    let variance = 0;
    for (const [a, wa] of weights) {
      estimate += wa * (estimates[a] as number);
      for (const [b, wb] of weights) variance += wa * V.get(a, b) * wb;
    }
    aggregates.push(inference(kind, label, expression, estimate, Math.sqrt(variance), dfT, level));
  };

  // The estimator's own overall effect.
  for (const att of es.att) {
    aggregates.push({
      kind: "att",
      label: `ATT over post periods, cohort-share weights${att.group === null ? "" : ` (${es.group_by} = ${att.group})`}`,
      expression: "Sun and Abraham: post-period cells weighted by cohort shares",
      estimate: att.estimate,
      std_error: att.std_error,
      statistic: att.statistic,
      p_value: att.p_value,
      conf_low: att.conf_low,
      conf_high: att.conf_high,
    });
  }
  if (es.cs) {
    aggregates.push({
      kind: "att",
      label: "ATT, simple (did's aggte type simple)",
      expression: "post-treatment ATT(g, t) weighted by cohort size",
      ...pick(es.cs.simple),
    });
  }
  if (es.imputation) {
    aggregates.push({
      kind: "att",
      label: "ATT, all treated observations (didimputation's default)",
      expression: "every treated observation weighted equally",
      ...pick(es.imputation.overall),
    });
  }

  const groups = [
    ...new Set(model.coefficients.filter((c) => c.rel_time !== undefined).map((c) => c.group ?? null)),
  ];
  for (const group of groups) {
    const suffix = group === null ? "" : ` (${es.group_by} = ${group})`;
    const path = model.coefficients
      .map((c, j) => ({ c, j }))
      .filter(({ c }) => c.rel_time !== undefined && !c.reference && (c.group ?? null) === group);
    const post = path.filter(({ c }) => (c.rel_time as number) >= 0);
    if (post.length > 0) {
      combine(
        "post_average",
        `Average of post periods 0 to ${formatFull(post[post.length - 1]?.c.rel_time as number)}${suffix}`,
        new Map(post.map(({ j }) => [j, 1 / post.length])),
        `(${post.map(({ c }) => `b[${c.term}]`).join(" + ")}) / ${post.length}`,
      );
    }
    for (const k of options.cumulative ?? []) {
      const upTo = post.filter(({ c }) => (c.rel_time as number) <= k);
      if (upTo.length === 0)
        throw usageError(`--cumulative ${formatFull(k)}: no post-period coefficient up to ${formatFull(k)}`);
      combine(
        "cumulative",
        `Cumulative effect, periods 0 to ${formatFull(k)}${suffix}`,
        new Map(upTo.map(({ j }) => [j, 1])),
      );
    }
  }
  for (const expression of options.lincom ?? []) {
    const normalised = normaliseLincom(expression);
    const r = combination("lincom", normalised, terms, estimates, V, dfT, level);
    // Recover the weights (the combination is linear: its gradient) for the imputation hook.
    const weights = new Map<number, number>();
    const base = combination(
      "lincom",
      normalised,
      terms,
      new Float64Array(terms.length),
      V,
      dfT,
      level,
    ).estimate;
    terms.forEach((_, j) => {
      const unit = new Float64Array(terms.length);
      unit[j] = 1;
      const a = combination("lincom", normalised, terms, unit, V, dfT, level).estimate - base;
      if (a !== 0) weights.set(j, a);
    });
    if (
      hook &&
      base === 0 &&
      [...weights.keys()].every((j) => ((model.coefficients[j] as Coefficient).rel_time ?? -1) >= 0)
    ) {
      combine("lincom", expression, weights);
      (aggregates[aggregates.length - 1] as Aggregate).expression = expression;
      continue;
    }
    aggregates.push({ ...inference("lincom", expression, expression, r.estimate, r.std_error, dfT, level) });
  }
  return { ...model, event_study: { ...es, aggregates } };
}

function pick(row: {
  estimate: number;
  std_error: number;
  statistic: number;
  p_value: number;
  conf_low: number;
  conf_high: number;
}) {
  return {
    estimate: row.estimate,
    std_error: row.std_error,
    statistic: row.statistic,
    p_value: row.p_value,
    conf_low: row.conf_low,
    conf_high: row.conf_high,
  };
}
