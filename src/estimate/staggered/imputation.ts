/**
 * The imputation estimator of Borusyak, Jaravel and Spiess (2024), "Revisiting event-study designs: robust and
 * efficient estimation", Review of Economic Studies 91(6), as R's `didimputation::did_imputation` computes it
 * (didimputation R/did_imputation.R; equal for point estimates to Gardner's two-stage DiD, `did2s`):
 *
 *  1. Fit y = unit FE + period FE (+ further fixed effects, + covariates) on the untreated observations only
 *     (never-treated units, and treated units before their event period), with weights if given. The fixed
 *     effects are absorbed with the project's demeaning (src/absorb), whose coefficients give the fitted fixed
 *     effects of every level; no dummy is built.
 *  2. Impute Y(0) for every treated observation (t >= g) and take tau_it = y_it - Yhat_it(0). A treated
 *     observation whose unit or period has no untreated observation cannot be imputed and is removed (didimputation
 *     drops the NA predictions), with a note.
 *  3. Estimand for target weights w on treated observations (sum 1): tau_w = sum w_it tau_it. Per event time
 *     (horizon) e >= 0: w_it = 1{t - g = e} x weight_it, normalised; "all": every treated observation.
 *  4. Variance (BJS Theorem 3, eqs. (6)-(10), didimputation's se_inner): v_it = w_it for treated observations and
 *     v_0 = -Z0 (Z0'Z0)^{-1} Z1' w1 for untreated ones (Z = weight x [covariates, FE dummies]); residuals are the
 *     first-stage residuals for untreated observations and tau_it - taubar_{g,e} for treated ones, with taubar_{g,e}
 *     the v^2-weighted mean of tau within cohort g and event time e (the conservative recentring);
 *     Var = sum over clusters (default: units) of (sum_i v_i eps_i)^2. Z0'Z0 is never formed: v_0 = -(f + Xtilde
 *     gamma), f the fixed-effect fit of h = D1'w1 (fixedEffectSolve.ts) and Xtilde the covariates demeaned on the
 *     untreated sample (the block inverse of [X D]).
 *  5. Pre-trends (BJS Section 4.4, didimputation's `pretrends`): on untreated observations, y on dummies for
 *     event times -K..-1 plus the same fixed effects and covariates (earlier periods and never-treated units are
 *     the reference), clustered like the estimator (the unit, or `cluster`; didimputation prints iid standard errors here).
 */
import { createAbsorber } from "../../absorb/demean.js";
import { encodeFixedEffect, type FixedEffect, fixedEffectFromIds } from "../../absorb/fixedEffects.js";
import { type Column, numericColumn, type Table } from "../../data/table.js";
import { estimationError, usageError } from "../../errors.js";
import { parseFormula } from "../../formula/parser.js";
import type { ModelResult } from "../../model/result.js";
import { formatFull } from "../../report/numberFormat.js";
import { buildModelFrame } from "../frame.js";
import { estimateOls } from "../ols.js";
import { columnKey, neverTreatedHint, requireControls, unitEvents } from "./eventPeriods.js";
import { solveFixedEffectNormal } from "./fixedEffectSolve.js";
import { cholesky, choleskySolve } from "./glm.js";

export interface ImputationSpec {
  outcome: string;
  unit: string;
  time: string;
  eventTime: string;
  /** Fixed effects of the first stage, "unit + time" by default (fixest syntax; a^b interactions allowed). */
  fixedEffects?: string | null;
  covariates?: string | null;
  weights?: string | null;
  /** Cluster variable of the variance (default: the unit). */
  cluster?: string | null;
  neverTreated?: readonly string[];
  /** Event times to estimate (>= 0); default: every observed one. */
  horizons?: readonly number[] | null;
  /** Pre-trend event times (< 0) for the test regression; default none. */
  pretrends?: readonly number[] | null;
  /** Confidence level of the pre-trend regression's intervals. */
  level?: number;
}

export interface ImputationTarget {
  label: string;
  estimate: number;
  std_error: number;
  /** Treated observations with positive weight, and their units. */
  n_obs: number;
  n_units: number;
}

export interface ImputationFit {
  horizons: ImputationTarget[];
  /** Event times of `horizons`. */
  events: number[];
  /** Covariance of the horizon estimates (BJS cross-products; diagonal = squared standard errors). */
  vcov: Float64Array;
  /** All treated observations equally weighted (didimputation without `horizon`). */
  overall: ImputationTarget;
  /** Estimate and standard error for any weights over horizons (sum_e a_e w_e). */
  combine(coefficients: ReadonlyMap<number, number>, label: string): ImputationTarget;
  pretrends: ModelResult | null;
  nobs: number;
  nUntreated: number;
  nTreated: number;
  nUnits: number;
  nClusters: number;
  cohorts: { cohort: number; n_units: number }[];
  notes: string[];
}

interface Rows {
  m: number;
  unit: Int32Array;
  time: Float64Array;
  cohort: Float64Array; // NaN never
  treated: Uint8Array;
  y: Float64Array;
  x: Float64Array[];
  xNames: string[];
  omega: Float64Array | null;
  cluster: Int32Array;
  nClusters: number;
  fes: FixedEffect[];
  feNames: string[];
}

function prepareRows(
  table: Table,
  spec: ImputationSpec,
): { rows: Rows; notes: string[]; frameRows: Int32Array } {
  const events = unitEvents(table, spec.unit, spec.eventTime, spec.neverTreated ?? []);
  requireControls(events.event, table.source, spec.eventTime);
  const rhs = spec.covariates && spec.covariates.trim() !== "" ? spec.covariates : "1";
  const frame = buildModelFrame(table, parseFormula(`${spec.outcome} ~ ${rhs}`), {
    ...(spec.weights ? { weights: spec.weights } : {}),
  });
  const time = table.numeric(spec.time).values;
  const feText = spec.fixedEffects ?? `${spec.unit} + ${spec.time}`;
  const feTerms = feText
    .split("+")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const clusterName = spec.cluster ?? spec.unit;
  const clusterColumn = table.column(clusterName);
  const feColumns = feTerms.map((t) => t.split("^").map((v) => table.column(v.trim())));
  const keep: number[] = [];
  for (let r = 0; r < frame.rows.length; r++) {
    const i = frame.rows[r] as number;
    if (events.unitOf[i] === -1 || Number.isNaN(time[i] as number)) continue;
    if (columnKey(clusterColumn, i) === undefined) continue;
    if (feColumns.some((cols) => cols.some((c) => columnKey(c, i) === undefined))) continue;
    keep.push(r);
  }
  const notes: string[] = [];
  const hint = neverTreatedHint(events.event, time, spec.eventTime);
  if (hint !== null) notes.push(hint);
  const removed = table.nrows - keep.length;
  if (removed > 0)
    notes.push(
      `${removed} rows removed for a missing outcome, covariate, weight, unit, period or fixed effect`,
    );
  const m = keep.length;
  const tableRows = Int32Array.from(keep, (r) => frame.rows[r] as number);
  const sub = table.take(tableRows);
  const unit = Int32Array.from(tableRows, (i) => events.unitOf[i] as number);
  const t = Float64Array.from(tableRows, (i) => time[i] as number);
  const cohort = Float64Array.from(unit, (u) => events.event[u] as number);
  const treated = new Uint8Array(m);
  for (let r = 0; r < m; r++)
    treated[r] = !Number.isNaN(cohort[r] as number) && (t[r] as number) >= (cohort[r] as number) ? 1 : 0;
  const y = Float64Array.from(keep, (r) => frame.response.hi[r] as number);
  const x = frame.columns.map((c) => Float64Array.from(keep, (r) => c.hi[r] as number));
  const omega =
    frame.weights === null
      ? null
      : Float64Array.from(keep, (r) => (frame.weights as Float64Array)[r] as number);
  const clusterFe = encodeFixedEffect([sub.column(clusterName)]);
  const fes = feTerms.map((term) =>
    encodeFixedEffect(
      term.split("^").map((v) => sub.column(v.trim())),
      term,
    ),
  );
  return {
    rows: {
      m,
      unit,
      time: t,
      cohort,
      treated,
      y,
      x,
      xNames: frame.columns.map((c) => c.name),
      omega,
      cluster: clusterFe.ids,
      nClusters: clusterFe.nlevels,
      fes,
      feNames: feTerms,
    },
    notes,
    frameRows: tableRows,
  };
}

/** Restricts a fixed effect to the rows with mask 1, re-densifying ids; levelMap[old] = new or -1. */
function restrict(fe: FixedEffect, mask: Uint8Array): { fe: FixedEffect; levelMap: Int32Array } {
  const levelMap = new Int32Array(fe.nlevels).fill(-1);
  const ids: number[] = [];
  let G = 0;
  for (let i = 0; i < fe.ids.length; i++) {
    if (!mask[i]) continue;
    const l = fe.ids[i] as number;
    if ((levelMap[l] as number) < 0) levelMap[l] = G++;
    ids.push(levelMap[l] as number);
  }
  return { fe: fixedEffectFromIds(fe.name, Int32Array.from(ids), G), levelMap };
}

export function estimateImputation(table: Table, spec: ImputationSpec): ImputationFit {
  const { rows, notes, frameRows } = prepareRows(table, spec);
  const { m, treated } = rows;
  const k = rows.x.length;
  // First stage on untreated observations.
  const untreatedMask = Uint8Array.from(treated, (d) => 1 - d);
  const nUntreated = untreatedMask.reduce((a, b) => a + b, 0);
  if (nUntreated === 0)
    throw estimationError(`${table.source}: no untreated observation to fit the first stage on`);
  const restricted = rows.fes.map((fe) => restrict(fe, untreatedMask));
  const fes0 = restricted.map((r) => r.fe);
  const pick = (v: Float64Array, mask: Uint8Array) => {
    const out: number[] = [];
    for (let i = 0; i < v.length; i++) if (mask[i]) out.push(v[i] as number);
    return Float64Array.from(out);
  };
  const omega0 = rows.omega ? pick(rows.omega, untreatedMask) : undefined;
  const y0 = pick(rows.y, untreatedMask);
  const x0 = rows.x.map((c) => pick(c, untreatedMask));
  const absorber = createAbsorber(fes0, omega0);
  const demeaned = absorber.demean([y0, ...x0], { tol: 1e-13, coefficients: true });
  if (!demeaned.converged) notes.push("the first-stage demeaning did not converge: results are approximate");
  const coefficients = demeaned.coefficients as Float64Array[][];
  const yTilde = demeaned.columns[0] as Float64Array;
  const xTilde = demeaned.columns.slice(1);
  // gamma = (X~' W X~)^{-1} X~' W y~.
  const gamma = new Float64Array(k);
  let xtxChol: Float64Array | null = null;
  if (k > 0) {
    const A = new Float64Array(k * k);
    const b = new Float64Array(k);
    for (let p = 0; p < k; p++) {
      const xp = xTilde[p] as Float64Array;
      for (let q = 0; q <= p; q++) {
        const xq = xTilde[q] as Float64Array;
        let s = 0;
        for (let i = 0; i < xp.length; i++)
          s += (omega0 ? (omega0[i] as number) : 1) * (xp[i] as number) * (xq[i] as number);
        A[p * k + q] = s;
        A[q * k + p] = s;
      }
      let s = 0;
      for (let i = 0; i < xp.length; i++)
        s += (omega0 ? (omega0[i] as number) : 1) * (xp[i] as number) * (yTilde[i] as number);
      b[p] = s;
    }
    try {
      xtxChol = cholesky(A, k);
    } catch {
      throw estimationError(
        `imputation first stage: the covariates (${rows.xNames.join(", ")}) are collinear with the fixed effects or each other among untreated observations`,
      );
    }
    gamma.set(choleskySolve(xtxChol, k, b));
  }
  // Fitted FE per level: FE coefficients of y minus gamma times those of each x.
  const feFit = fes0.map((fe, q) => {
    const out = Float64Array.from((coefficients[0] as Float64Array[])[q] as Float64Array);
    for (let j = 0; j < k; j++) {
      const cx = (coefficients[j + 1] as Float64Array[])[q] as Float64Array;
      for (let l = 0; l < fe.nlevels; l++)
        out[l] = (out[l] as number) - (gamma[j] as number) * (cx[l] as number);
    }
    return out;
  });
  // adj = y - Yhat(0): residuals for untreated rows, imputed effects for treated ones.
  const adj = new Float64Array(m);
  const usable = new Uint8Array(m).fill(1);
  let u0 = 0;
  let unimputable = 0;
  for (let i = 0; i < m; i++) {
    if (!treated[i]) {
      let r = yTilde[u0] as number;
      for (let j = 0; j < k; j++) r -= (gamma[j] as number) * ((xTilde[j] as Float64Array)[u0] as number);
      adj[i] = r;
      u0++;
      continue;
    }
    let fit = 0;
    for (let j = 0; j < k; j++) fit += (gamma[j] as number) * ((rows.x[j] as Float64Array)[i] as number);
    let ok = true;
    for (let q = 0; q < rows.fes.length; q++) {
      const l = (restricted[q] as { levelMap: Int32Array }).levelMap[
        (rows.fes[q] as FixedEffect).ids[i] as number
      ] as number;
      if (l < 0) {
        ok = false;
        break;
      }
      fit += (feFit[q] as Float64Array)[l] as number;
    }
    if (!ok) {
      usable[i] = 0;
      unimputable++;
      continue;
    }
    adj[i] = (rows.y[i] as number) - fit;
  }
  if (unimputable > 0) {
    notes.push(
      `${unimputable} treated observations removed: their unit or period has no untreated observation, so Y(0) cannot be imputed (as didimputation drops them)`,
    );
  }
  const isTreated = (i: number) => treated[i] === 1 && usable[i] === 1;
  const omegaAt = (i: number) => (rows.omega ? (rows.omega[i] as number) : 1);
  const eventOf = (i: number) => (rows.time[i] as number) - (rows.cohort[i] as number);

  // Weighted absorber for the variance (Z weighted by omega: normal equations with omega^2).
  const omega2 = omega0 ? Float64Array.from(omega0, (w) => w * w) : undefined;
  const absorber2 = omega0 ? createAbsorber(fes0, omega2) : absorber;
  const xTilde2 = omega0 && k > 0 ? absorber2.demean(x0, { tol: 1e-13 }).columns : xTilde;
  let xtx2Chol: Float64Array | null = xtxChol;
  if (omega0 && k > 0) {
    const A = new Float64Array(k * k);
    for (let p = 0; p < k; p++) {
      for (let q = 0; q <= p; q++) {
        let s = 0;
        const xp = xTilde2[p] as Float64Array;
        const xq = xTilde2[q] as Float64Array;
        for (let i = 0; i < xp.length; i++)
          s += ((omega2 as Float64Array)[i] as number) * (xp[i] as number) * (xq[i] as number);
        A[p * k + q] = s;
        A[q * k + p] = s;
      }
    }
    xtx2Chol = cholesky(A, k);
  }

  // Targets: weights on treated rows.
  interface Target {
    weights: Float64Array; // per row (0 for untreated / unusable)
  }
  const normalised = (raw: Float64Array): Target => {
    let s = 0;
    for (let i = 0; i < m; i++) s += raw[i] as number;
    if (!(s > 0)) throw usageError("an imputation target has no treated observation");
    for (let i = 0; i < m; i++) raw[i] = (raw[i] as number) / s;
    return { weights: raw };
  };
  const observed = new Set<number>();
  for (let i = 0; i < m; i++) if (isTreated(i)) observed.add(eventOf(i));
  const horizons = (spec.horizons ?? [...observed].sort((a, b) => a - b)).filter(
    (e) => e >= 0 && observed.has(e),
  );
  if (horizons.length === 0)
    throw estimationError(`${table.source}: no treated observation at the requested event times`);
  const horizonTarget = (e: number) => {
    const raw = new Float64Array(m);
    for (let i = 0; i < m; i++) if (isTreated(i) && eventOf(i) === e) raw[i] = omegaAt(i);
    return normalised(raw);
  };

  /** v (all rows) and eps (all rows) of a target. */
  const influence = (target: Target): { v: Float64Array; eps: Float64Array; estimate: number } => {
    const w = target.weights;
    let estimate = 0;
    for (let i = 0; i < m; i++) if (w[i] !== 0) estimate += (w[i] as number) * (adj[i] as number);
    // h = Z1' Omega1 w1 per FE level (untreated level ids) and per covariate.
    const hD = fes0.map((fe) => new Float64Array(fe.nlevels));
    const hX = new Float64Array(k);
    for (let i = 0; i < m; i++) {
      const wi = w[i] as number;
      if (wi === 0) continue;
      const ow = omegaAt(i) * wi;
      for (let q = 0; q < fes0.length; q++) {
        const l = (restricted[q] as { levelMap: Int32Array }).levelMap[
          (rows.fes[q] as FixedEffect).ids[i] as number
        ] as number;
        (hD[q] as Float64Array)[l] = ((hD[q] as Float64Array)[l] as number) + ow;
      }
      for (let j = 0; j < k; j++) hX[j] = (hX[j] as number) + ow * ((rows.x[j] as Float64Array)[i] as number);
    }
    const f = solveFixedEffectNormal(fes0, omega2, hD).fitted;
    const z0 = Float64Array.from(f);
    if (k > 0) {
      // gamma_v = (X~'W X~)^{-1} (h_X - X0' W f)
      const rhs = new Float64Array(k);
      for (let j = 0; j < k; j++) {
        const xj = x0[j] as Float64Array;
        let s = 0;
        for (let i = 0; i < xj.length; i++)
          s += (omega2 ? (omega2[i] as number) : 1) * (xj[i] as number) * (f[i] as number);
        rhs[j] = (hX[j] as number) - s;
      }
      const g = choleskySolve(xtx2Chol as Float64Array, k, rhs);
      for (let j = 0; j < k; j++) {
        const xj = xTilde2[j] as Float64Array;
        for (let i = 0; i < z0.length; i++) z0[i] = (z0[i] as number) + (g[j] as number) * (xj[i] as number);
      }
    }
    const v = new Float64Array(m);
    let p = 0;
    for (let i = 0; i < m; i++) {
      if (!treated[i]) {
        v[i] = -(omega0 ? (omega0[p] as number) : 1) * (z0[p] as number);
        p++;
      } else v[i] = w[i] as number;
    }
    // taubar_{g,e}: v^2-weighted mean of tau among treated rows of cohort g at event time e.
    const sums = new Map<string, [number, number]>();
    for (let i = 0; i < m; i++) {
      if (!isTreated(i)) continue;
      const key = `${rows.cohort[i]}\u0000${eventOf(i)}`;
      const v2 = (v[i] as number) * (v[i] as number);
      const s = sums.get(key) ?? [0, 0];
      s[0] += v2 * (adj[i] as number);
      s[1] += v2;
      sums.set(key, s);
    }
    const eps = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      if (!treated[i]) {
        eps[i] = adj[i] as number;
        continue;
      }
      if (!usable[i]) continue;
      const s = sums.get(`${rows.cohort[i]}\u0000${eventOf(i)}`) as [number, number];
      const bar = s[1] > 0 ? s[0] / s[1] : 0;
      eps[i] = (adj[i] as number) - bar;
    }
    return { v, eps, estimate };
  };
  const clusterScores = (v: Float64Array, eps: Float64Array) => {
    const out = new Float64Array(rows.nClusters);
    for (let i = 0; i < m; i++) {
      const c = rows.cluster[i] as number;
      out[c] = (out[c] as number) + (v[i] as number) * (eps[i] as number);
    }
    return out;
  };
  const describe = (
    label: string,
    target: Target,
    estimate: number,
    scores: Float64Array,
  ): ImputationTarget => {
    let s = 0;
    for (const c of scores) s += c * c;
    let nObs = 0;
    const units = new Set<number>();
    for (let i = 0; i < m; i++) {
      if ((target.weights[i] as number) !== 0) {
        nObs++;
        units.add(rows.unit[i] as number);
      }
    }
    return { label, estimate, std_error: Math.sqrt(s), n_obs: nObs, n_units: units.size };
  };

  const horizonTargets = horizons.map(horizonTarget);
  const horizonScores: Float64Array[] = [];
  const horizonResults = horizonTargets.map((target, h) => {
    const { v, eps, estimate } = influence(target);
    const scores = clusterScores(v, eps);
    horizonScores.push(scores);
    return describe(`rel_time::${formatFull(horizons[h] as number)}`, target, estimate, scores);
  });
  const H = horizons.length;
  const vcov = new Float64Array(H * H);
  for (let a = 0; a < H; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      const sa = horizonScores[a] as Float64Array;
      const sb = horizonScores[b] as Float64Array;
      for (let c = 0; c < sa.length; c++) s += (sa[c] as number) * (sb[c] as number);
      vcov[a * H + b] = s;
      vcov[b * H + a] = s;
    }
  }
  const overallTarget = (() => {
    const raw = new Float64Array(m);
    for (let i = 0; i < m; i++) if (isTreated(i)) raw[i] = omegaAt(i);
    return normalised(raw);
  })();
  const overallInfluence = influence(overallTarget);
  const overall = describe(
    "ATT (all treated observations)",
    overallTarget,
    overallInfluence.estimate,
    clusterScores(overallInfluence.v, overallInfluence.eps),
  );
  const combineTargets = (coefficients: ReadonlyMap<number, number>, label: string): ImputationTarget => {
    const raw = new Float64Array(m);
    for (const [e, a] of coefficients) {
      const h = horizons.indexOf(e);
      if (h < 0) throw usageError(`imputation: no estimate at event time ${formatFull(e)}`);
      const w = (horizonTargets[h] as Target).weights;
      for (let i = 0; i < m; i++) raw[i] = (raw[i] as number) + a * (w[i] as number);
    }
    const target = { weights: raw };
    const r = influence(target);
    return describe(label, target, r.estimate, clusterScores(r.v, r.eps));
  };

  // Pre-trend regression on untreated observations.
  let pretrends: ModelResult | null = null;
  const preList = (spec.pretrends ?? []).filter((e) => e < 0);
  if (preList.length > 0) {
    pretrends = pretrendRegression(table, frameRows, rows, spec, preList);
  }

  const cohortUnits = new Map<number, Set<number>>();
  const allUnits = new Set<number>();
  for (let i = 0; i < m; i++) {
    allUnits.add(rows.unit[i] as number);
    const g = rows.cohort[i] as number;
    if (Number.isNaN(g)) continue;
    let set = cohortUnits.get(g);
    if (!set) {
      set = new Set();
      cohortUnits.set(g, set);
    }
    set.add(rows.unit[i] as number);
  }
  let nTreatedObs = 0;
  for (let i = 0; i < m; i++) if (isTreated(i)) nTreatedObs++;
  return {
    horizons: horizonResults,
    events: horizons,
    vcov,
    overall,
    combine: combineTargets,
    pretrends,
    nobs: nUntreated + nTreatedObs,
    nUntreated,
    nTreated: nTreatedObs,
    nUnits: allUnits.size,
    nClusters: rows.nClusters,
    cohorts: [...cohortUnits.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([cohort, s]) => ({ cohort, n_units: s.size })),
    notes,
  };
}

/** y ~ pre-period dummies + covariates | fixed effects on the untreated rows, clustered by the unit (fixest). */
function pretrendRegression(
  table: Table,
  frameRows: Int32Array,
  rows: Rows,
  spec: ImputationSpec,
  pre: readonly number[],
): ModelResult {
  const untreated: number[] = [];
  for (let i = 0; i < rows.m; i++) if (!rows.treated[i]) untreated.push(i);
  const sub = table.take(Int32Array.from(untreated, (i) => frameRows[i] as number));
  const names = pre.map((e) => `mobility_pre_${e < 0 ? "m" : ""}${Math.abs(e)}`);
  const extra: Column[] = pre.map((e, j) =>
    numericColumn(
      names[j] as string,
      Float64Array.from(untreated, (i) => {
        const ev = (rows.time[i] as number) - (rows.cohort[i] as number);
        return !Number.isNaN(ev) && ev === e ? 1 : 0;
      }),
    ),
  );
  const data = sub.withColumns(extra);
  const covariates = spec.covariates && spec.covariates.trim() !== "" ? ` + ${spec.covariates}` : "";
  const fe = spec.fixedEffects ?? `${spec.unit} + ${spec.time}`;
  const formula = `${spec.outcome} ~ ${names.join(" + ")}${covariates} | ${fe}`;
  const frame = buildModelFrame(data, parseFormula(formula), {
    cluster: [spec.cluster ?? spec.unit],
    ...(spec.weights ? { weights: spec.weights } : {}),
  });
  const result = estimateOls(frame, {
    vcov: { type: "cluster", convention: "fixest" },
    level: spec.level ?? 0.95,
  });
  const rename = new Map(names.map((nm, j) => [nm, `rel_time::${formatFull(pre[j] as number)}`]));
  return {
    ...result,
    coefficients: result.coefficients.map((c) => ({ ...c, term: rename.get(c.term) ?? c.term })),
    collinear: result.collinear.map((t) => rename.get(t) ?? t),
  };
}
