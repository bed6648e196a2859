/**
 * Aggregations of group-time effects, as R's `did::aggte` computes them (did R/compute.aggte.R), with their
 * influence functions, analytic (or multiplier-bootstrap) standard errors and, with the bootstrap, the uniform
 * critical value over the rows:
 *
 *  - simple:   sum over post-treatment cells (g <= t) of P(G = g) ATT(g, t) / sum of P(G = g);
 *  - dynamic:  per event time e = t - g, theta(e) = sum_{g: t - g = e} P(G = g) ATT(g, g + e) / sum P(G = g)
 *              (optionally only e in [min_e, max_e], and with balance_e only the cohorts observed for e =
 *              balance_e periods after treatment); overall = the mean of theta(e) over e >= 0;
 *  - group:    per cohort, the mean of its post-treatment ATT(g, t); overall = P(G = g)-weighted mean;
 *  - calendar: per period t, the P(G = g)-weighted mean of ATT(g, t) over cohorts treated by t; overall = mean.
 *
 * P(G = g) is estimated (the mean over units of w_i 1{G_i = g}, w the first period's normalised weights), so the
 * influence function of a weighted average adds the term for the estimated weights (did's wif()): with keepers K,
 * S = sum_{k in K} pg_k and P = sum_{k in K} pg_k ATT_k, unit i of cohort G_i contributes
 * w_i (A(G_i) / S - P m(G_i) / S^2), where A(G_i) sums ATT_k over the kept cells of its cohort and m(G_i) counts
 * them (the closed form of did's if1 - if2 matrices, O(n) instead of O(n |K|)).
 *
 * did compares periods through their position in sorted(unique(periods, cohorts)) (its t2orig/orig2t recoding):
 * `max_e` in the group aggregation and g <= t use positions, event times e use calendar differences; so do we.
 * Cells that could not be estimated are left out (did's na.rm = TRUE; its default stops instead).
 */
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import type { CsFit, GroupTimeCell } from "./callawaySantAnna.js";
import { clusterSumsDense, sumOfSquaresDense } from "./influence.js";
import { denseColumns, multiplierBootstrap } from "./multiplierBootstrap.js";
import type { RMersenneTwister } from "./rRandom.js";

export type AggregationType = "simple" | "dynamic" | "group" | "calendar";

export interface AggregationOptions {
  minE?: number;
  maxE?: number;
  /** did's balance_e: only cohorts with this many post-treatment periods; null = all. */
  balanceE?: number | null;
}

export interface AggregateRow {
  /** Event time (dynamic), cohort (group) or period (calendar). */
  key: number;
  estimate: number;
  std_error: number;
  /** Influence function (n units). */
  psi: Float64Array;
  /** Units of the cohorts entering this row. */
  n_treated: number;
  /** Only the base-period cell (universal base period): 0 by construction. */
  normalised: boolean;
}

export interface Aggregation {
  type: AggregationType;
  overall: { estimate: number; std_error: number; psi: Float64Array };
  rows: AggregateRow[];
  /** Uniform critical value over the rows (bootstrap), else the pointwise normal quantile. */
  critical: number;
  options: AggregationOptions;
}

const SE_FLOOR = Math.sqrt(2.220446049250313e-16) * 10;

/** Standard errors of dense influence functions: analytic, or by did's mboot() on the shared R stream. */
export class StandardErrors {
  constructor(
    private readonly fit: CsFit,
    private readonly bootstrap: { iterations: number; rng: RMersenneTwister } | null,
  ) {}

  private columns(psis: readonly Float64Array[]) {
    const { panel } = this.fit;
    return panel.cluster === null
      ? denseColumns(psis, panel.n)
      : denseColumns(
          psis.map((p) => clusterSumsDense(p, panel.cluster as Int32Array, panel.nClusters)),
          panel.nClusters,
        );
  }

  /** did's getSE(). */
  se(psi: Float64Array): number {
    const { panel } = this.fit;
    let se: number;
    if (this.bootstrap !== null) {
      const draws = multiplierBootstrap(
        this.columns([psi]),
        this.bootstrap.iterations,
        this.bootstrap.rng,
        panel.n,
        this.fit.options.alpha,
      );
      se = draws.se[0] as number;
    } else {
      se = Math.sqrt(sumOfSquaresDense(psi, panel.cluster, panel.nClusters)) / panel.n;
    }
    return se <= SE_FLOOR || Number.isNaN(se) ? Number.NaN : se;
  }

  /** mboot(rows)$crit.val with the bootstrap; the normal quantile without (did's cband = FALSE). */
  critical(psis: readonly Float64Array[]): number {
    const alpha = this.fit.options.alpha;
    const pointwise = normalQuantile(1 - alpha / 2, 0, 1);
    if (this.bootstrap === null || psis.length === 0) return pointwise;
    const draws = multiplierBootstrap(
      this.columns(psis),
      this.bootstrap.iterations,
      this.bootstrap.rng,
      this.fit.panel.n,
      alpha,
    );
    const c = draws.critVal;
    // did falls back to pointwise intervals when the band is NA, infinite or narrower than them.
    return Number.isFinite(c) && c >= pointwise ? c : pointwise;
  }
}

interface Prepared {
  cells: GroupTimeCell[];
  index: number[];
  /** Positions (1-based) of periods and cohorts in sorted(unique(periods, cohorts)). */
  pos: (v: number) => number;
  pg: Float64Array;
  cohortOfUnit: Float64Array;
  weights: Float64Array;
  n: number;
  groups: number[];
  lastPeriod: number;
  firstValue: number;
  /** Unit range [start, end) of each cohort (units are sorted by cohort, csPanel.ts). */
  block: Map<number, [number, number]>;
}

function prepare(fit: CsFit): Prepared {
  const { panel } = fit;
  const index: number[] = [];
  fit.cells.forEach((c, j) => {
    if (!Number.isNaN(c.estimate)) index.push(j);
  });
  const cells = index.map((j) => fit.cells[j] as GroupTimeCell);
  const all = [...new Set([...panel.periods, ...panel.groups])].sort((a, b) => a - b);
  const position = new Map(all.map((v, i) => [v, i + 1]));
  const weights = panel.w[0] as Float64Array;
  const n = panel.n;
  const block = new Map<number, [number, number]>(
    panel.blockCohort.map((c, b) => [c, [panel.blockStart[b] as number, panel.blockEnd[b] as number]]),
  );
  const pgOf = new Map<number, number>();
  for (const g of panel.groups) {
    const [start, end] = block.get(g) as [number, number];
    let s = 0;
    for (let i = start; i < end; i++) s += weights[i] as number;
    pgOf.set(g, s / n);
  }
  return {
    cells,
    index,
    pos: (v) => position.get(v) as number,
    pg: Float64Array.from(cells, (c) => pgOf.get(c.group) as number),
    cohortOfUnit: panel.unitCohort,
    weights,
    n,
    groups: [...new Set(cells.map((c) => c.group))].sort((a, b) => a - b),
    lastPeriod: panel.periods[panel.periods.length - 1] as number,
    firstValue: all[0] as number,
    block,
  };
}

/** Influence function of sum_k a_k ATT_k (cells `keep`, weights a) plus the estimated-weight term. */
function combine(
  fit: CsFit,
  prep: Prepared,
  keep: readonly number[],
  weights: readonly number[],
  withWif: boolean,
): Float64Array {
  const psi = new Float64Array(prep.n);
  keep.forEach((k, m) => {
    fit.influence.addTo(psi, prep.index[k] as number, weights[m] as number);
  });
  if (withWif)
    addWeightInfluence(
      psi,
      prep,
      keep,
      (k) => (prep.cells[k] as GroupTimeCell).estimate,
      (k) => prep.pg[k] as number,
      (k) => (prep.cells[k] as GroupTimeCell).group,
    );
  return psi;
}

/** did's wif(keepers, pg, ...) %*% att, in closed form (module comment). */
function addWeightInfluence(
  psi: Float64Array,
  prep: Prepared,
  keep: readonly number[],
  att: (k: number) => number,
  pg: (k: number) => number,
  group: (k: number) => number,
): void {
  let S = 0;
  let P = 0;
  const A = new Map<number, number>();
  const m = new Map<number, number>();
  for (const k of keep) {
    S += pg(k);
    P += pg(k) * att(k);
    const g = group(k);
    A.set(g, (A.get(g) ?? 0) + att(k));
    m.set(g, (m.get(g) ?? 0) + 1);
  }
  for (let i = 0; i < prep.n; i++) {
    const g = prep.cohortOfUnit[i] as number;
    const a = A.get(g);
    if (a === undefined) continue;
    psi[i] =
      (psi[i] as number) + (prep.weights[i] as number) * (a / S - (P * (m.get(g) as number)) / (S * S));
  }
}

function weightedMean(values: readonly number[], weights: readonly number[]): number {
  let s = 0;
  let w = 0;
  values.forEach((v, j) => {
    s += v * (weights[j] as number);
    w += weights[j] as number;
  });
  return s / w;
}

function unitsOf(prep: Prepared, cohorts: Iterable<number>): number {
  let count = 0;
  for (const g of new Set(cohorts)) {
    const range = prep.block.get(g);
    if (range !== undefined) count += range[1] - range[0];
  }
  return count;
}

/** One aggregation; standard errors drawn through `se` in did's order (rows, critical value, overall). */
export function aggregate(
  fit: CsFit,
  type: AggregationType,
  se: StandardErrors,
  options: AggregationOptions = {},
): Aggregation {
  const prep = prepare(fit);
  const minE = options.minE ?? Number.NEGATIVE_INFINITY;
  const maxE = options.maxE ?? Number.POSITIVE_INFINITY;
  const cells = prep.cells;
  const gOf = (k: number) => (cells[k] as GroupTimeCell).group;
  const tOf = (k: number) => (cells[k] as GroupTimeCell).time;
  const attOf = (k: number) => (cells[k] as GroupTimeCell).estimate;
  const all = cells.map((_, k) => k);

  if (type === "simple") {
    const keep = all.filter(
      (k) => prep.pos(gOf(k)) <= prep.pos(tOf(k)) && prep.pos(tOf(k)) <= prep.pos(gOf(k)) + maxE,
    );
    const pgs = keep.map((k) => prep.pg[k] as number);
    const S = pgs.reduce((a, b) => a + b, 0);
    const estimate = weightedMean(keep.map(attOf), pgs);
    const psi = combine(
      fit,
      prep,
      keep,
      pgs.map((p) => p / S),
      true,
    );
    return {
      type,
      overall: { estimate, std_error: se.se(psi), psi },
      rows: [],
      critical: normalQuantile(1 - fit.options.alpha / 2, 0, 1),
      options,
    };
  }

  if (type === "group") {
    const groupRows = prep.groups
      .map((g) => {
        const keep = all.filter(
          (k) => gOf(k) === g && prep.pos(g) <= prep.pos(tOf(k)) && prep.pos(tOf(k)) <= prep.pos(g) + maxE,
        );
        return { g, keep };
      })
      .filter((r) => r.keep.length > 0);
    const rows: AggregateRow[] = groupRows.map(({ g, keep }) => {
      const estimate = keep.reduce((s, k) => s + attOf(k), 0) / keep.length;
      const psi = combine(
        fit,
        prep,
        keep,
        keep.map(() => 1 / keep.length),
        false,
      );
      return {
        key: g,
        estimate,
        std_error: se.se(psi),
        psi,
        n_treated: unitsOf(prep, [g]),
        normalised: false,
      };
    });
    const critical = se.critical(rows.map((r) => r.psi));
    const pgg = rows.map((r) => {
      const k = all.find((c) => gOf(c) === r.key) as number;
      return prep.pg[k] as number;
    });
    const S = pgg.reduce((a, b) => a + b, 0);
    const estimate = weightedMean(
      rows.map((r) => r.estimate),
      pgg,
    );
    const psi = new Float64Array(prep.n);
    rows.forEach((r, m) => {
      const f = (pgg[m] as number) / S;
      for (let i = 0; i < prep.n; i++) psi[i] = (psi[i] as number) + f * (r.psi[i] as number);
    });
    const keys = rows.map((_, m) => m);
    addWeightInfluence(
      psi,
      prep,
      keys,
      (m) => (rows[m] as AggregateRow).estimate,
      (m) => pgg[m] as number,
      (m) => (rows[m] as AggregateRow).key,
    );
    return { type, overall: { estimate, std_error: se.se(psi), psi }, rows, critical, options };
  }

  if (type === "dynamic") {
    const eventOf = (k: number) => tOf(k) - gOf(k);
    let included = all.map(() => true);
    let eseq = [...new Set(all.map(eventOf))].sort((a, b) => a - b);
    const balance = options.balanceE ?? null;
    if (balance !== null) {
      included = all.map((k) => prep.lastPeriod - gOf(k) >= balance);
      eseq = [...new Set(all.filter((k) => included[k]).map(eventOf))].sort((a, b) => a - b);
      eseq = eseq.filter((e) => e <= balance && e >= balance - prep.lastPeriod + prep.firstValue);
    }
    eseq = eseq.filter((e) => e >= minE && e <= maxE);
    const rows: AggregateRow[] = eseq.map((e) => {
      const keep = all.filter((k) => eventOf(k) === e && included[k]);
      const pgs = keep.map((k) => prep.pg[k] as number);
      const S = pgs.reduce((a, b) => a + b, 0);
      const estimate = weightedMean(keep.map(attOf), pgs);
      const psi = combine(
        fit,
        prep,
        keep,
        pgs.map((p) => p / S),
        true,
      );
      return {
        key: e,
        estimate,
        std_error: se.se(psi),
        psi,
        n_treated: unitsOf(prep, keep.map(gOf)),
        normalised: keep.every((k) => (cells[k] as GroupTimeCell).normalised),
      };
    });
    const critical = se.critical(rows.map((r) => r.psi));
    const post = rows.filter((r) => r.key >= 0);
    const estimate = post.reduce((s, r) => s + r.estimate, 0) / post.length;
    const psi = new Float64Array(prep.n);
    for (const r of post)
      for (let i = 0; i < prep.n; i++) psi[i] = (psi[i] as number) + (r.psi[i] as number) / post.length;
    return { type, overall: { estimate, std_error: se.se(psi), psi }, rows, critical, options };
  }

  // calendar
  const minG = Math.min(...all.map((k) => prep.pos(gOf(k))));
  const times = [...new Set(all.map((k) => prep.pos(tOf(k))))].filter((t) => t >= minG);
  const rows: AggregateRow[] = times.map((t1) => {
    const keep = all.filter((k) => prep.pos(tOf(k)) === t1 && prep.pos(gOf(k)) <= prep.pos(tOf(k)));
    const pgs = keep.map((k) => prep.pg[k] as number);
    const S = pgs.reduce((a, b) => a + b, 0);
    const estimate = weightedMean(keep.map(attOf), pgs);
    const psi = combine(
      fit,
      prep,
      keep,
      pgs.map((p) => p / S),
      true,
    );
    return {
      key: tOf(keep[0] as number),
      estimate,
      std_error: se.se(psi),
      psi,
      n_treated: unitsOf(prep, keep.map(gOf)),
      normalised: false,
    };
  });
  const critical = se.critical(rows.map((r) => r.psi));
  const estimate = rows.reduce((s, r) => s + r.estimate, 0) / rows.length;
  const psi = new Float64Array(prep.n);
  for (const r of rows)
    for (let i = 0; i < prep.n; i++) psi[i] = (psi[i] as number) + (r.psi[i] as number) / rows.length;
  return { type, overall: { estimate, std_error: se.se(psi), psi }, rows, critical, options };
}
