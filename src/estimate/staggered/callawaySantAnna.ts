/**
 * Callaway and Sant'Anna (2021), "Difference-in-differences with multiple time periods", J. Econometrics 225(2):
 * group-time average treatment effects ATT(g, t) with their influence functions, as R's `did::att_gt` computes
 * them (did R/compute.att_gt2.R, faster_mode; R/att_gt.R for the variance, pre-test and bootstrap).
 *
 * For cohort g (units first treated in g) and period t, ATT(g, t) is a two-period DiD between a base period and t,
 * treated = cohort g, controls = never-treated units (`control never`, did's "nevertreated") or units not yet
 * treated by max(t, base) + anticipation (`not-yet`, did's "notyettreated"; cohort g itself excluded). The base
 * period is g - 1 - anticipation for post-treatment cells (t >= g); before treatment it is t - 1 (`varying`, did's
 * default: "pseudo ATTs" of short differences) or g - 1 - anticipation (`universal`: long differences, and the
 * cell at the base period itself is 0 by construction). Indices follow did exactly (run_att_gt_estimation):
 * periods are positions in the sorted list of periods, so gaps in calendar time behave as in R.
 *
 * Each cell's 2x2 DiD is drdid.ts (reg / ipw / dr, did's est_method) on the cell's units, with covariates taken in
 * period min(base, t) and weights from the same period. Without covariates all three reduce to the difference of
 * weighted mean changes, ATT = mean_w(dY | g) - mean_w(dY | controls), with influence function
 * n w_i (dY_i - mean_1) / W_1 for treated and -n w_i (dY_i - mean_0) / W_0 for control units (the DRDID formulas
 * with X = 1, which we evaluate directly on the unit ranges for speed); the dr and ipw estimators still apply
 * DRDID's trimming (a control share < 0.5% makes the cell NA) and did's overlap check (an unweighted treated share
 * >= 99.9% makes the cell NA), as R does.
 *
 * The influence function psi (n units x cells, in did's scale: psi_i = (n / n1) x the cell's own influence
 * function) gives V = psi'psi / n and se = sqrt(V_jj / n); with a coarser cluster variable, psi is summed within
 * clusters first (did >= 2.3.1.906, analytic clustered errors; Callaway and Sant'Anna 2021, Remark 10). Standard
 * errors below sqrt(eps) * 10 are NA (R's rule: cells normalised to zero). The pre-test is did's Wald statistic
 * W = n att_pre' V_pre^{-1} att_pre ~ chi2(#pre cells).
 */

import chisquareCdf from "@stdlib/stats-base-dists-chisquare-cdf";
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import { inverse, Matrix } from "ml-matrix";
import { formatFull } from "../../report/numberFormat.js";
import type { CsPanel } from "./csPanel.js";
import { type CsMethod, panelDid } from "./drdid.js";
import { reciprocalCondition } from "./glm.js";
import { type InfluenceColumn, NA_COLUMN, SparseInfluence, ZERO_COLUMN } from "./influence.js";
import { denseColumns, multiplierBootstrap, uniformCriticalValue } from "./multiplierBootstrap.js";
import type { RMersenneTwister } from "./rRandom.js";

export type BasePeriod = "varying" | "universal";

export interface CsOptions {
  method: CsMethod;
  basePeriod: BasePeriod;
  /** 1 - confidence level (did's alp). */
  alpha: number;
  /** Multiplier bootstrap: iterations and R-compatible generator (seeded by the caller). */
  bootstrap: { iterations: number; rng: RMersenneTwister } | null;
}

export interface GroupTimeCell {
  group: number;
  time: number;
  /** Base period (calendar), or NaN for an NA cell without one. */
  base: number;
  post: boolean;
  estimate: number;
  /** Analytic (or bootstrap) standard error; NaN when not defined. */
  std_error: number;
  /** Units of cohort g and controls used. */
  n_treated: number;
  n_control: number;
  /** Universal base period: the cell at the base period (0 by construction). */
  normalised: boolean;
  /** Why the cell is NA. */
  failure: string | null;
}

export interface CsPreTest {
  statistic: number;
  df: number;
  p_value: number;
}

export interface CsFit {
  panel: CsPanel;
  options: CsOptions;
  cells: GroupTimeCell[];
  /** One column per cell, same order. */
  influence: SparseInfluence;
  preTest: CsPreTest | null;
  /** Critical value of the uniform band over cells (bootstrap), else the pointwise normal quantile. */
  critical: number;
  /** Cluster sums are used (a cluster variable coarser than the unit). */
  clustered: boolean;
  notes: string[];
}

const SE_FLOOR = Math.sqrt(2.220446049250313e-16) * 10;

export function estimateGroupTimeEffects(panel: CsPanel, options: CsOptions): CsFit {
  const { periods, groups, n } = panel;
  const T = periods.length;
  const varying = options.basePeriod === "varying";
  const tfac = varying ? 1 : 0;
  const cells: GroupTimeCell[] = [];
  const influence = new SparseInfluence(n);
  const notes: string[] = [];
  const antic = panel.anticipation;
  const blockOf = new Map(panel.blockCohort.map((c, b) => [c, b]));
  const neverBlock = blockOf.get(Infinity);

  for (const g of groups) {
    const gb = blockOf.get(g) as number;
    const ts = panel.blockStart[gb] as number;
    const te = panel.blockEnd[gb] as number;
    let pretG = -1;
    for (let j = 0; j < T; j++) if ((periods[j] as number) + antic < g) pretG = j;
    for (let ti = 0; ti < T - tfac; ti++) {
      const current = ti + tfac;
      const year = periods[current] as number;
      const post = g <= year;
      let pret = varying ? ti : pretG;
      if (post) pret = pretG;
      const cell: GroupTimeCell = {
        group: g,
        time: year,
        base: pret >= 0 ? (periods[pret] as number) : Number.NaN,
        post,
        estimate: Number.NaN,
        std_error: Number.NaN,
        n_treated: 0,
        n_control: 0,
        normalised: false,
        failure: null,
      };
      cells.push(cell);
      if (pret < 0) {
        cell.failure = "no pre-treatment period";
        influence.push(NA_COLUMN);
        continue;
      }
      if (!varying && periods[pret] === year) {
        cell.estimate = 0;
        cell.normalised = true;
        influence.push(ZERO_COLUMN);
        continue;
      }
      // Control ranges.
      let controlStart: number;
      if (panel.control === "never") {
        controlStart = neverBlock === undefined ? n : (panel.blockStart[neverBlock] as number);
      } else {
        const cutoff = (periods[Math.max(ti, pret) + tfac] as number) + antic;
        controlStart = n;
        for (let b = 0; b < panel.blockCohort.length; b++) {
          if ((panel.blockCohort[b] as number) > cutoff) {
            controlStart = panel.blockStart[b] as number;
            break;
          }
        }
      }
      // Support ranges (sorted, disjoint) and the control count (treated block excluded).
      const ranges: number[] = [];
      let nControl = n - controlStart;
      if (ts >= controlStart) {
        ranges.push(controlStart, n);
        nControl -= te - ts;
      } else {
        ranges.push(ts, te);
        if (controlStart < n) ranges.push(controlStart, n);
      }
      cell.n_treated = te - ts;
      cell.n_control = nControl;
      if (nControl <= 0 || te <= ts) {
        cell.failure = "no control units";
        influence.push(NA_COLUMN);
        continue;
      }
      const y1 = panel.y[current] as Float64Array;
      const y0 = panel.y[pret] as Float64Array;
      const wIndex = Math.min(pret, ti);
      const w = panel.w[wIndex] as Float64Array;
      const result =
        panel.x === null
          ? meanDifferenceCell(options.method, y1, y0, w, ranges, ts, te, n)
          : covariateCell(options.method, y1, y0, w, panel.x[wIndex] as Float64Array[], ranges, ts, te, n);
      if (result.column === null) {
        cell.failure = result.failure ?? "not estimable";
        influence.push(NA_COLUMN);
        continue;
      }
      cell.estimate = result.att;
      influence.push(result.column);
    }
  }

  const clustered = panel.cluster !== null;
  // Analytic standard errors.
  const sumSq = cells.map((_, j) =>
    clustered ? clusterSumSq(influence, j, panel) : influence.sumOfSquares(j),
  );
  cells.forEach((cell, j) => {
    const se = Math.sqrt(sumSq[j] as number) / n;
    cell.std_error = se <= SE_FLOOR || Number.isNaN(se) ? Number.NaN : se;
  });
  const analyticNa = cells.map((c) => Number.isNaN(c.std_error));

  // Bootstrap standard errors and the uniform band.
  let critical = normalQuantile(1 - options.alpha / 2, 0, 1);
  if (options.bootstrap !== null) {
    const columns = clustered
      ? denseColumns(
          cells.map((_, j) => influence.clusterSums(j, panel.cluster as Int32Array, panel.nClusters)),
          panel.nClusters,
        )
      : influence.asBootstrapColumns();
    const draws = multiplierBootstrap(
      columns,
      options.bootstrap.iterations,
      options.bootstrap.rng,
      n,
      options.alpha,
    );
    cells.forEach((cell, j) => {
      if (analyticNa[j]) return;
      const se = draws.se[j] as number;
      cell.std_error = se <= SE_FLOOR || Number.isNaN(se) ? Number.NaN : se;
    });
    critical = uniformCriticalValue(draws, options.alpha);
    if (critical >= 7)
      notes.push(`the simultaneous critical value (${critical.toFixed(2)}) is large: few units per group?`);
  }

  // Wald pre-test (skipped, as in R, when clustering with the bootstrap: V is then the unclustered one).
  let preTest: CsPreTest | null = null;
  if (!(clustered && options.bootstrap !== null)) {
    const pre = cells.flatMap((c, j) => (c.group > c.time && !Number.isNaN(c.std_error) ? [j] : []));
    if (pre.length > 0) {
      const V = new Float64Array(pre.length * pre.length);
      const sums = clustered
        ? pre.map((j) => influence.clusterSums(j, panel.cluster as Int32Array, panel.nClusters))
        : null;
      for (let a = 0; a < pre.length; a++) {
        for (let b = 0; b <= a; b++) {
          let v: number;
          if (sums !== null) {
            const sa = sums[a] as Float64Array;
            const sb = sums[b] as Float64Array;
            v = 0;
            for (let c = 0; c < sa.length; c++) v += (sa[c] as number) * (sb[c] as number);
          } else v = influence.dot(pre[a] as number, pre[b] as number);
          V[a * pre.length + b] = v / n;
          V[b * pre.length + a] = v / n;
        }
      }
      if (reciprocalCondition(V, pre.length) > 2.220446049250313e-16) {
        const att = pre.map((j) => (cells[j] as GroupTimeCell).estimate);
        const Vinv = inverse(
          new Matrix(
            Array.from({ length: pre.length }, (_, a) =>
              Array.from(V.subarray(a * pre.length, (a + 1) * pre.length)),
            ),
          ),
        );
        let W = 0;
        for (let a = 0; a < pre.length; a++) {
          for (let b = 0; b < pre.length; b++) W += (att[a] as number) * Vinv.get(a, b) * (att[b] as number);
        }
        W *= n;
        // did computes 1 - pchisq(W, df) (att_gt.R), which loses relative digits for tiny p-values; kept so that
        // the p-value equals did's.
        preTest = { statistic: W, df: pre.length, p_value: 1 - chisquareCdf(W, pre.length) };
      } else {
        notes.push("pre-test not reported: the covariance of the pre-treatment ATT(g, t) is singular");
      }
    }
  }

  const failed = cells.filter((c) => c.failure !== null);
  if (failed.length > 0) {
    notes.push(
      `ATT(g, t) not estimable for ${failed.length} cells (left out of the aggregations, as did's na.rm = TRUE): ${failed
        .slice(0, 8)
        .map((c) => `(${formatFull(c.group)}, ${formatFull(c.time)}): ${c.failure}`)
        .join("; ")}${failed.length > 8 ? "; ..." : ""}`,
    );
  }
  return { panel, options, cells, influence, preTest, critical, clustered, notes };
}

function clusterSumSq(influence: SparseInfluence, j: number, panel: CsPanel): number {
  const sums = influence.clusterSums(j, panel.cluster as Int32Array, panel.nClusters);
  let s = 0;
  for (let c = 0; c < sums.length; c++) s += (sums[c] as number) * (sums[c] as number);
  return s;
}

interface CellResult {
  att: number;
  column: InfluenceColumn | null;
  failure?: string;
}

/**
 * No covariates: ATT = difference of weighted mean changes, with the influence function of the DRDID estimators
 * at X = 1 (identical for reg, ipw and dr), scaled by n / n1 as did does.
 */
function meanDifferenceCell(
  method: CsMethod,
  y1: Float64Array,
  y0: Float64Array,
  w: Float64Array,
  ranges: number[],
  ts: number,
  te: number,
  n: number,
): CellResult {
  let wT = 0;
  let sT = 0;
  let wC = 0;
  let sC = 0;
  let nT = 0;
  let nC = 0;
  for (let r = 0; r < ranges.length; r += 2) {
    const end = ranges[r + 1] as number;
    for (let i = ranges[r] as number; i < end; i++) {
      const wi = w[i] as number;
      const d = (y1[i] as number) - (y0[i] as number);
      if (i >= ts && i < te) {
        wT += wi;
        sT += wi * d;
        nT++;
      } else {
        wC += wi;
        sC += wi * d;
        nC++;
      }
    }
  }
  if (method !== "reg") {
    if (nT / (nT + nC) >= 0.999)
      return { att: Number.NaN, column: null, failure: "overlap condition violated" };
    if (wT / (wT + wC) >= 0.995) {
      return {
        att: Number.NaN,
        column: null,
        failure: "every control unit trimmed (propensity score >= 0.995)",
      };
    }
  }
  if (!(wT > 0 && wC > 0)) return { att: Number.NaN, column: null, failure: "zero total weight" };
  const m1 = sT / wT;
  const m0 = sC / wC;
  const values = new Float64Array(nT + nC);
  let p = 0;
  for (let r = 0; r < ranges.length; r += 2) {
    const end = ranges[r + 1] as number;
    for (let i = ranges[r] as number; i < end; i++) {
      const wi = w[i] as number;
      const d = (y1[i] as number) - (y0[i] as number);
      values[p++] = i >= ts && i < te ? (n * wi * (d - m1)) / wT : (-n * wi * (d - m0)) / wC;
    }
  }
  return { att: m1 - m0, column: { ranges: Int32Array.from(ranges), values, na: false } };
}

/** With covariates: DRDID's estimator on the cell's units, gathered in range order. */
function covariateCell(
  method: CsMethod,
  y1: Float64Array,
  y0: Float64Array,
  w: Float64Array,
  x: Float64Array[],
  ranges: number[],
  ts: number,
  te: number,
  n: number,
): CellResult {
  let n1 = 0;
  for (let r = 0; r < ranges.length; r += 2) n1 += (ranges[r + 1] as number) - (ranges[r] as number);
  const deltaY = new Float64Array(n1);
  const D = new Float64Array(n1);
  const weights = new Float64Array(n1);
  const xs = x.map(() => new Float64Array(n1));
  let p = 0;
  for (let r = 0; r < ranges.length; r += 2) {
    const end = ranges[r + 1] as number;
    for (let i = ranges[r] as number; i < end; i++) {
      deltaY[p] = (y1[i] as number) - (y0[i] as number);
      D[p] = i >= ts && i < te ? 1 : 0;
      weights[p] = w[i] as number;
      x.forEach((col, c) => {
        (xs[c] as Float64Array)[p] = col[i] as number;
      });
      p++;
    }
  }
  let estimate: ReturnType<typeof panelDid>;
  try {
    estimate = panelDid(method, deltaY, D, xs, weights);
  } catch (error) {
    return { att: Number.NaN, column: null, failure: (error as Error).message };
  }
  if (estimate.inf === null)
    return { att: Number.NaN, column: null, failure: estimate.failure ?? "not estimable" };
  const scale = n / n1;
  const values = Float64Array.from(estimate.inf, (v) => v * scale);
  return { att: estimate.att, column: { ranges: Int32Array.from(ranges), values, na: false } };
}
