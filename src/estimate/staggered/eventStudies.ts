/**
 * One entry point for every event-study estimator (`mobility eventstudy --estimator twfe|sunab|cs|imputation`),
 * each returned as the same ModelResult shape: path rows (rel_time, estimate, std_error, conf_low, conf_high,
 * n_treated) with the covariance of the path, an `event_study` block, and the path aggregates of
 * pathAggregates.ts. TWFE and Sun-Abraham are regressions (../eventStudy.ts); Callaway-Sant'Anna is the dynamic
 * aggregation of ATT(g, t) (callawaySantAnna.ts + aggregate.ts), with the group-time table and the other
 * aggregations in `event_study.cs`; imputation is Borusyak, Jaravel and Spiess (imputation.ts), its post-period
 * rows the horizon estimates and its pre-period rows the coefficients of their pre-trend regression.
 *
 * Inference: TWFE and Sun-Abraham use the regression's t(G - 1) (fixest's conventions); Callaway-Sant'Anna and the
 * imputation horizons use the normal distribution, as `did` and `didimputation` do (didimputation writes 1.96, we
 * use the exact quantile).
 */
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import { Matrix } from "ml-matrix";
import type { Table } from "../../data/table.js";
import { usageError } from "../../errors.js";
import { deparse } from "../../formula/deparse.js";
import { parseFormula } from "../../formula/parser.js";
import { twoSidedPValue } from "../../inference/distributions.js";
import { waldTest } from "../../inference/wald.js";
import type { Coefficient, EventStudyInfo, ModelResult } from "../../model/result.js";
import { formatFull } from "../../report/numberFormat.js";
import { type EventStudySpec, estimateEventStudy, pathTerm } from "../eventStudy.js";
import { type AggregationType, aggregate, StandardErrors } from "./aggregate.js";
import { type BasePeriod, estimateGroupTimeEffects } from "./callawaySantAnna.js";
import { prepareCsPanel } from "./csPanel.js";
import type { CsMethod } from "./drdid.js";
import { unitEvents } from "./eventPeriods.js";
import { estimateImputation } from "./imputation.js";
import { addPathAggregates, imputationCombinations, type PathAggregateOptions } from "./pathAggregates.js";
import { RMersenneTwister } from "./rRandom.js";

export interface StaggeredSpec extends EventStudySpec {
  basePeriod?: BasePeriod;
  covariates?: string | null;
  csMethod?: CsMethod;
  anticipation?: number;
  /** Multiplier bootstrap iterations (Callaway-Sant'Anna); null/0 = analytic standard errors only. */
  boot?: number | null;
  seed?: number;
  /** did's balance_e for the dynamic aggregation. */
  balanceE?: number | null;
  /** Imputation: event times of the pre-trend test (default: every pre-period but the earliest). */
  pretrends?: readonly number[] | null;
  aggregates?: PathAggregateOptions;
}

export const ESTIMATOR_NAMES: Record<string, string> = {
  twfe: "TWFE",
  sunab: "Sun-Abraham",
  cs: "Callaway-Sant'Anna",
  imputation: "Imputation",
};

/** Any estimator, with the path aggregates added. */
export function estimateEventStudyModel(table: Table, spec: StaggeredSpec): ModelResult {
  const estimator = spec.estimator ?? "twfe";
  let model: ModelResult;
  if (estimator === "twfe" || estimator === "sunab") {
    if (spec.covariates)
      throw usageError("--covariates is for cs and imputation; twfe and sunab take --controls");
    if ((spec.anticipation ?? 0) > 0)
      throw usageError(`--anticipation is not available with --estimator ${estimator}`);
    model = estimateEventStudy(table, spec).model;
  } else if (estimator === "cs") {
    model = callawaySantAnnaModel(table, spec);
  } else {
    model = imputationModel(table, spec);
  }
  if (spec.neverTreated && spec.neverTreated.length > 0 && model.event_study) {
    model.event_study.never_treated_codes = [...spec.neverTreated];
  }
  return addPathAggregates(model, spec.aggregates ?? {}, spec.level ?? 0.95);
}

function rowCoefficient(
  term: string,
  rel: number,
  estimate: number,
  se: number,
  level: number,
  nTreated: number,
  band: number | null,
): Coefficient {
  const q = normalQuantile(1 - (1 - level) / 2, 0, 1);
  const statistic = estimate / se;
  return {
    term,
    estimate,
    std_error: se,
    statistic,
    p_value: twoSidedPValue(statistic, Number.POSITIVE_INFINITY),
    conf_low: estimate - q * se,
    conf_high: estimate + q * se,
    rel_time: rel,
    n_treated: nTreated,
    ...(band !== null ? { band_low: estimate - band * se, band_high: estimate + band * se } : {}),
  };
}

function emptyFit(): Pick<
  ModelResult,
  "r2" | "adj_r2" | "within_r2" | "rmse" | "sigma" | "df_resid" | "f_stat" | "f_df1" | "f_df2" | "f_p_value"
> {
  return {
    r2: Number.NaN,
    adj_r2: Number.NaN,
    within_r2: null,
    rmse: Number.NaN,
    sigma: Number.NaN,
    df_resid: Number.NaN,
    f_stat: null,
    f_df1: null,
    f_df2: null,
    f_p_value: null,
  };
}

function callawaySantAnnaModel(table: Table, spec: StaggeredSpec): ModelResult {
  const level = spec.level ?? 0.95;
  const alpha = 1 - level;
  if (spec.controls)
    throw usageError("--controls is for twfe and sunab; Callaway-Sant'Anna takes --covariates");
  if (spec.binEndpoints) throw usageError("--bin-endpoints is not available with --estimator cs");
  if (spec.byGroup) throw usageError("--by-group is not available with --estimator cs");
  if (spec.ref && !(spec.ref.length === 1 && spec.ref[0] === -1)) {
    throw usageError(
      "--ref is not used by --estimator cs: the base period is --base-period varying|universal",
    );
  }
  const clusterColumns = spec.cluster ?? [spec.unit];
  if (clusterColumns.length > 1)
    throw usageError("--estimator cs clusters by one variable (the unit or a coarser one)");
  const clusterColumn = clusterColumns[0] ?? spec.unit;
  const anticipation = spec.anticipation ?? 0;
  const panel = prepareCsPanel(table, {
    outcome: spec.outcome,
    unit: spec.unit,
    time: spec.time,
    eventTime: spec.eventTime,
    covariates: spec.covariates ?? null,
    weights: spec.weights ?? null,
    cluster: clusterColumn === spec.unit ? null : clusterColumn,
    control: spec.control ?? "never",
    anticipation,
    neverTreated: spec.neverTreated ?? [],
  });
  const basePeriod = spec.basePeriod ?? "varying";
  const method = spec.csMethod ?? "dr";
  const iterations = spec.boot ?? 0;
  const rng = iterations > 0 ? new RMersenneTwister(spec.seed ?? 1) : null;
  const bootstrap = rng === null ? null : { iterations, rng };
  const fit = estimateGroupTimeEffects(panel, { method, basePeriod, alpha, bootstrap });
  const ses = new StandardErrors(fit, bootstrap);
  const window = spec.window ?? null;
  const dynamicOptions = {
    ...(window ? { minE: window[0], maxE: window[1] } : {}),
    balanceE: spec.balanceE ?? null,
  };
  // did's order of draws: att_gt, then aggte dynamic, simple, group, calendar (README "Event studies").
  const dynamic = aggregate(fit, "dynamic", ses, dynamicOptions);
  const simple = aggregate(fit, "simple", ses);
  const group = aggregate(fit, "group", ses);
  const calendar = aggregate(fit, "calendar", ses);
  const n = panel.n;

  const band = bootstrap === null ? null : dynamic.critical;
  const coefficients: Coefficient[] = dynamic.rows.map((row) => {
    const term = pathTerm(row.key, null, null);
    if (row.normalised) {
      return {
        term,
        estimate: 0,
        std_error: 0,
        statistic: Number.NaN,
        p_value: Number.NaN,
        conf_low: 0,
        conf_high: 0,
        rel_time: row.key,
        n_treated: row.n_treated,
        reference: true,
      };
    }
    return rowCoefficient(term, row.key, row.estimate, row.std_error, level, row.n_treated, band);
  });
  // Covariance of the path from the influence functions (analytic; zero rows for a normalised period).
  const psis = dynamic.rows.map((r) => r.psi);
  const clusterSums =
    panel.cluster === null ? null : psis.map((p) => sumsBy(p, panel.cluster as Int32Array, panel.nClusters));
  const vcov = dynamic.rows.map((ra, a) =>
    dynamic.rows.map((rb, b) => {
      if (ra.normalised || rb.normalised) return 0;
      if (clusterSums !== null)
        return dot(clusterSums[a] as Float64Array, clusterSums[b] as Float64Array) / (n * n);
      return dot(psis[a] as Float64Array, psis[b] as Float64Array) / (n * n);
    }),
  );
  const q = normalQuantile(1 - alpha / 2, 0, 1);
  const csRow = (estimate: number, se: number, crit: number | null) => {
    const statistic = estimate / se;
    return {
      estimate,
      std_error: se,
      statistic,
      p_value: twoSidedPValue(statistic, Number.POSITIVE_INFINITY),
      conf_low: estimate - q * se,
      conf_high: estimate + q * se,
      ...(crit !== null ? { band_low: estimate - crit * se, band_high: estimate + crit * se } : {}),
    };
  };
  const bootCrit = (c: number) => (bootstrap === null ? null : c);
  const groupTimeCrit = bootCrit(fit.critical);
  const treatedUnits = panel.groups.reduce((s, g) => {
    const b = panel.blockCohort.indexOf(g);
    return s + ((panel.blockEnd[b] as number) - (panel.blockStart[b] as number));
  }, 0);
  const neverBlock = panel.blockCohort.indexOf(Infinity);
  const neverUnits =
    neverBlock < 0 ? 0 : (panel.blockEnd[neverBlock] as number) - (panel.blockStart[neverBlock] as number);
  const preCells = fit.cells.filter((c) => c.group > c.time && !Number.isNaN(c.std_error));
  const pre = fit.preTest;
  const keys = dynamic.rows.map((r) => r.key);
  const notes = [...panel.notes, ...fit.notes];
  if (bootstrap !== null) {
    notes.push(
      `standard errors: multiplier bootstrap, ${iterations} draws of Rademacher weights (seed ${spec.seed ?? 1}, R's Mersenne-Twister: the draws of set.seed(${spec.seed ?? 1}) in did); band_low/band_high are simultaneous (sup-t) bands; aggregates and the covariance matrix are analytic`,
    );
  }
  if (basePeriod === "varying") {
    notes.push(
      "base period varying (did's default): pre-treatment estimates are short differences (t - 1 to t), not comparable to a path normalised at -1; use --base-period universal for that",
    );
  } else {
    notes.push(
      `base period universal: every estimate is relative to period g - 1${anticipation > 0 ? ` - ${anticipation}` : ""} (event time ${formatFull(-1 - anticipation)}, normalised to zero)`,
    );
  }
  const info: EventStudyInfo = {
    estimator: "cs",
    unit: spec.unit,
    time: spec.time,
    event_time: spec.eventTime,
    window: keys.length > 0 ? [Math.min(...keys), Math.max(...keys)] : [],
    reference: basePeriod === "universal" ? [-1 - anticipation] : [],
    bin_endpoints: false,
    control: panel.control,
    group_by: null,
    groups: [],
    n_treated_units: treatedUnits,
    n_control_units: neverUnits,
    cohorts: panel.groups.map((g) => {
      const b = panel.blockCohort.indexOf(g);
      return {
        cohort: g,
        group: null,
        n_units: (panel.blockEnd[b] as number) - (panel.blockStart[b] as number),
      };
    }),
    pre_test: pre
      ? {
          statistic: pre.statistic / pre.df,
          df1: pre.df,
          df2: Number.POSITIVE_INFINITY,
          p_value: pre.p_value,
          terms: preCells.map((c) => `ATT(${formatFull(c.group)},${formatFull(c.time)})`),
        }
      : null,
    att: [],
    excluded: {
      outside_window: 0,
      control_rule: panel.removed.after_last_cohort,
    },
    window_default: window === null,
    cs: {
      control: panel.control,
      base_period: basePeriod,
      method,
      anticipation,
      covariates: panel.covariateNames.slice(1),
      n_units: n,
      periods: panel.periods,
      groups: panel.groups,
      clustered_by: panel.cluster === null ? null : clusterColumn,
      n_clusters: panel.nClusters,
      group_time: fit.cells.map((c) => ({
        group: c.group,
        time: c.time,
        rel_time: c.time - c.group,
        base: Number.isNaN(c.base) ? null : c.base,
        post: c.post,
        n_treated: c.n_treated,
        n_control: c.n_control,
        ...csRow(c.estimate, c.std_error, groupTimeCrit),
      })),
      pre_test: pre,
      simple: csRow(simple.overall.estimate, simple.overall.std_error, null),
      dynamic: {
        overall: csRow(dynamic.overall.estimate, dynamic.overall.std_error, null),
        min_e: window ? window[0] : null,
        max_e: window ? window[1] : null,
        balance_e: spec.balanceE ?? null,
        critical_value: dynamic.critical,
      },
      group: {
        overall: csRow(group.overall.estimate, group.overall.std_error, null),
        rows: group.rows.map((r) => ({
          group: r.key,
          ...csRow(r.estimate, r.std_error, bootCrit(group.critical)),
        })),
        critical_value: group.critical,
      },
      calendar: {
        overall: csRow(calendar.overall.estimate, calendar.overall.std_error, null),
        rows: calendar.rows.map((r) => ({
          time: r.key,
          ...csRow(r.estimate, r.std_error, bootCrit(calendar.critical)),
        })),
        critical_value: calendar.critical,
      },
      bootstrap:
        bootstrap === null
          ? null
          : {
              iterations,
              seed: spec.seed ?? 1,
              weights: "rademacher",
              group_time_critical_value: fit.critical,
            },
    },
  };
  const nobs = n * panel.periods.length;
  const clusterName = panel.cluster === null ? spec.unit : clusterColumn;
  return {
    name: dependentName(spec.outcome),
    formula: `att_gt(${spec.outcome}, ${spec.time}, ${spec.unit}, ${spec.eventTime}${panel.covariateNames.length > 1 ? `, ~ ${panel.covariateNames.slice(1).join(" + ")}` : ""}, control = ${panel.control}, base = ${basePeriod}, est = ${method}${anticipation > 0 ? `, anticipation = ${anticipation}` : ""}) |> aggte(dynamic)`,
    estimator: "cs",
    dependent: dependentName(spec.outcome),
    nobs,
    dropped: { missing: panel.removed.incomplete_rows, infinite: 0, singletons: 0 },
    coefficients,
    collinear: [],
    vcov: {
      type: bootstrap === null ? "cluster" : "bootstrap",
      cluster: [clusterName],
      n_clusters: [panel.nClusters],
      ssc: "none",
      adjustment: 1,
      df_t: Number.POSITIVE_INFINITY,
      n: nobs,
      k: coefficients.length,
    },
    vcov_matrix: vcov,
    ...emptyFit(),
    fixed_effects: [],
    weights: spec.weights ?? null,
    group: null,
    notes,
    event_study: info,
  };
}

/** The outcome as R deparses it (the name TWFE and Sun-Abraham report), e.g. log(total_revenue/enroll). */
function dependentName(outcome: string): string {
  return deparse(parseFormula(`${outcome} ~ 1`).response);
}

function sumsBy(psi: Float64Array, cluster: Int32Array, G: number): Float64Array {
  const out = new Float64Array(G);
  for (let i = 0; i < psi.length; i++) {
    const g = cluster[i] as number;
    out[g] = (out[g] as number) + (psi[i] as number);
  }
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

function imputationModel(table: Table, spec: StaggeredSpec): ModelResult {
  const level = spec.level ?? 0.95;
  if (spec.binEndpoints) throw usageError("--bin-endpoints is not available with --estimator imputation");
  if (spec.byGroup) throw usageError("--by-group is not available with --estimator imputation");
  if ((spec.anticipation ?? 0) > 0) {
    throw usageError("--anticipation is not available with --estimator imputation (didimputation has none)");
  }
  if (spec.controls)
    throw usageError("--controls is for twfe and sunab; the imputation estimator takes --covariates");
  const clusterColumns = spec.cluster ?? [spec.unit];
  if (clusterColumns.length > 1) throw usageError("--estimator imputation clusters by one variable");
  const window = spec.window ?? null;
  // Horizons and pre-trend periods from the window (default: every observed event time).
  const probe = estimateImputationHorizonsRange(table, spec);
  const lo = window ? window[0] : probe.min;
  const hi = window ? window[1] : probe.max;
  const horizons = probe.post.filter((e) => e >= Math.max(lo, 0) && e <= hi);
  // Pre-trend rows: as didimputation, none unless asked (--pretrends), or the window's pre-periods; the earliest
  // observed pre-period always stays in the reference (dummying every pre-period is collinear with the unit FE).
  const pretrends =
    spec.pretrends ??
    (window && window[0] < 0 ? probe.pre.filter((e) => e >= Math.max(lo, probe.min + 1) && e <= -1) : []);
  const fit = estimateImputation(table, {
    outcome: spec.outcome,
    unit: spec.unit,
    time: spec.time,
    eventTime: spec.eventTime,
    fixedEffects: spec.fixedEffects ?? null,
    covariates: spec.covariates ?? null,
    weights: spec.weights ?? null,
    cluster: clusterColumns[0] ?? spec.unit,
    neverTreated: spec.neverTreated ?? [],
    horizons,
    pretrends,
    level,
  });
  const coefficients: Coefficient[] = [];
  const preModel = fit.pretrends;
  const preRows: { rel: number; c: Coefficient; index: number }[] = [];
  if (preModel) {
    preModel.coefficients.forEach((c, index) => {
      const m = /^rel_time::(-?[0-9.]+)$/.exec(c.term);
      if (m) preRows.push({ rel: Number(m[1]), c, index });
    });
    preRows.sort((a, b) => a.rel - b.rel);
  }
  for (const r of preRows) coefficients.push({ ...r.c, rel_time: r.rel, n_treated: Number.NaN });
  fit.horizons.forEach((h, j) => {
    coefficients.push(
      rowCoefficient(h.label, fit.events[j] as number, h.estimate, h.std_error, level, h.n_units, null),
    );
  });
  // Treated units observed at each pre-period.
  const preCounts = countTreatedAt(
    table,
    spec,
    preRows.map((r) => r.rel),
  );
  preRows.forEach((r, j) => {
    (coefficients[j] as Coefficient).n_treated = preCounts.get(r.rel) ?? 0;
  });
  const K = coefficients.length;
  const P = preRows.length;
  const H = fit.events.length;
  const vcov = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  const preVcov = preModel?.vcov_matrix ?? [];
  for (let a = 0; a < P; a++) {
    const row = preVcov[(preRows[a] as { index: number }).index] as number[];
    for (let b = 0; b < P; b++)
      (vcov[a] as number[])[b] = row[(preRows[b] as { index: number }).index] as number;
  }

  for (let a = 0; a < H; a++)
    for (let b = 0; b < H; b++) (vcov[P + a] as number[])[P + b] = fit.vcov[a * H + b] as number;
  let pretrendTest: { statistic: number; df1: number; df2: number; p_value: number; terms: string[] } | null =
    null;
  if (preModel && P > 0) {
    const w = waldTest(
      Float64Array.from(preModel.coefficients, (c) => c.estimate),
      new Matrix(preModel.vcov_matrix),
      preRows.map((r) => r.index),
      preModel.vcov.df_t,
    );
    if (w) pretrendTest = { ...w, terms: preRows.map((r) => r.c.term) };
  }
  const q = normalQuantile(1 - (1 - level) / 2, 0, 1);
  const o = fit.overall;
  const notes = [...fit.notes];
  if (P > 0) {
    notes.push(
      `pre-period rows: Borusyak, Jaravel and Spiess's pre-trend test, a regression on untreated observations of ${spec.outcome} on dummies for event times ${preRows.map((r) => formatFull(r.rel)).join(", ")} and the fixed effects${spec.covariates ? " and covariates" : ""}, clustered by ${clusterColumns[0] ?? spec.unit} (earlier periods and never-treated units are the reference; t(${formatFull(preModel?.vcov.df_t ?? Number.NaN)}) inference)`,
    );
  }
  notes.push(
    "post-period rows: imputation estimates per event time, Borusyak-Jaravel-Spiess conservative standard errors (didimputation), normal inference",
  );
  const keys = coefficients.map((c) => c.rel_time as number);
  const info: EventStudyInfo = {
    estimator: "imputation",
    unit: spec.unit,
    time: spec.time,
    event_time: spec.eventTime,
    window: keys.length > 0 ? [Math.min(...keys), Math.max(...keys)] : [],
    reference: [],
    bin_endpoints: false,
    control: "not-yet",
    group_by: null,
    groups: [],
    n_treated_units: fit.cohorts.reduce((s, c) => s + c.n_units, 0),
    n_control_units: fit.nUnits - fit.cohorts.reduce((s, c) => s + c.n_units, 0),
    cohorts: fit.cohorts.map((c) => ({ ...c, group: null })),
    pre_test: pretrendTest,
    att: [],
    excluded: { outside_window: 0, control_rule: 0 },
    window_default: window === null,
    imputation: {
      overall: {
        estimate: o.estimate,
        std_error: o.std_error,
        statistic: o.estimate / o.std_error,
        p_value: twoSidedPValue(o.estimate / o.std_error, Number.POSITIVE_INFINITY),
        conf_low: o.estimate - q * o.std_error,
        conf_high: o.estimate + q * o.std_error,
        n_obs: o.n_obs,
      },
      n_untreated_obs: fit.nUntreated,
      n_treated_obs: fit.nTreated,
      n_units: fit.nUnits,
      n_clusters: fit.nClusters,
      pretrend_test: pretrendTest,
    },
  };
  const model: ModelResult = {
    name: dependentName(spec.outcome),
    formula: `did_imputation(${spec.outcome}, ${spec.time}, ${spec.unit}, ${spec.eventTime}${spec.covariates ? `, first_stage = ~ ${spec.covariates} | ${spec.fixedEffects ?? `${spec.unit} + ${spec.time}`}` : ""})`,
    estimator: "imputation",
    dependent: dependentName(spec.outcome),
    nobs: fit.nobs,
    dropped: { missing: 0, infinite: 0, singletons: 0 },
    coefficients,
    collinear: [],
    vcov: {
      type: "cluster",
      cluster: [clusterColumns[0] ?? spec.unit],
      n_clusters: [fit.nClusters],
      ssc: "none",
      adjustment: 1,
      df_t: Number.POSITIVE_INFINITY,
      n: fit.nobs,
      k: K,
    },
    vcov_matrix: vcov,
    ...emptyFit(),
    fixed_effects: (spec.fixedEffects ?? `${spec.unit} + ${spec.time}`).split("+").map((s) => s.trim()),
    weights: spec.weights ?? null,
    group: null,
    notes,
    event_study: info,
  };
  // The imputation estimator's own combinations: exact BJS standard errors for weights over horizons.
  imputationCombinations.set(model, (coefficients, label) => {
    const t = fit.combine(coefficients, label);
    return { estimate: t.estimate, std_error: t.std_error };
  });
  return model;
}

/** Observed event times of treated units (for the imputation's default horizons and pre-trend periods). */
function estimateImputationHorizonsRange(
  table: Table,
  spec: StaggeredSpec,
): { min: number; max: number; pre: number[]; post: number[] } {
  const time = table.numeric(spec.time).values;
  const rels = relTimes(table, spec);
  const set = new Set<number>();
  for (let i = 0; i < table.nrows; i++) {
    const r = rels[i] as number;
    if (!Number.isNaN(r) && !Number.isNaN(time[i] as number)) set.add(r);
  }
  const all = [...set].sort((a, b) => a - b);
  return {
    min: all[0] ?? 0,
    max: all[all.length - 1] ?? 0,
    pre: all.filter((e) => e < 0),
    post: all.filter((e) => e >= 0),
  };
}

function relTimes(table: Table, spec: StaggeredSpec): Float64Array {
  const events = unitEvents(table, spec.unit, spec.eventTime, spec.neverTreated ?? []);
  const time = table.numeric(spec.time).values;
  return Float64Array.from(events.unitOf, (u, i) =>
    u < 0 ? Number.NaN : (time[i] as number) - (events.event[u] as number),
  );
}

function countTreatedAt(table: Table, spec: StaggeredSpec, rels: number[]): Map<number, number> {
  const events = unitEvents(table, spec.unit, spec.eventTime, spec.neverTreated ?? []);
  const time = table.numeric(spec.time).values;
  const out = new Map<number, Set<number>>();
  for (const r of rels) out.set(r, new Set());
  for (let i = 0; i < table.nrows; i++) {
    const u = events.unitOf[i] as number;
    if (u < 0) continue;
    const rel = (time[i] as number) - (events.event[u] as number);
    out.get(rel)?.add(u);
  }
  return new Map([...out].map(([r, s]) => [r, s.size]));
}

export type { AggregationType };
