/**
 * The multiplier bootstrap of Callaway and Sant'Anna (2021, Section 4.1 and Remark 10) as R's `did` computes it
 * (did R/mboot.R, BMisc src/BMisc.cpp `multiplier_bootstrap`), drawing the same Rademacher weights as R after the
 * same `set.seed()` (rRandom.ts).
 *
 *  - Draws: for each of B iterations, one weight per unit (or per cluster), V = +-1. BMisc's `fill_rademacher`
 *    takes one integer r = floor((2^31 - 1) u) + 1 per 31 weights (Rcpp::sample(2147483647, 1) with u =
 *    unif_rand()) and uses its bits 30, 29, ..., 0 as the signs: bit 1 -> +1, bit 0 -> -1.
 *  - Statistic: b_bj = sqrt(n) * (1/n) sum_i V_bi psi_ij, psi the influence function (n x k). With a coarser
 *    cluster variable psi is first summed within clusters (rows in sorted cluster order, R's rowsum(reorder =
 *    TRUE)) and n is the number of clusters G in both places: b_bj = sqrt(G) (1/G) sum_c V_bc S_cj.
 *  - Columns whose draws are all (near) zero or NA are degenerate and dropped (ndg.dim); their standard error is NA.
 *  - Standard error: the interquartile range of b_.j over (qnorm(.75) - qnorm(.25)), R's quantile type 1, times
 *    sqrt(G)/n (G = n without clusters).
 *  - Simultaneous (sup-t) critical value: the 1 - alpha quantile (type 1) over draws of max_j |b_bj / sigma_j|.
 */
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import type { RMersenneTwister } from "./rRandom.js";

/** Columns of an influence function, accessed only through inner products with a weight vector. */
export interface InfluenceColumns {
  /** Rows (units, or clusters after summing). */
  readonly rows: number;
  readonly count: number;
  /** sum_i u[i] psi_ij (NaN when the column is NA). */
  dot(j: number, u: Float64Array): number;
}

/** Dense columns (aggregated influence functions, cluster sums). */
export function denseColumns(columns: readonly Float64Array[], rows: number): InfluenceColumns {
  return {
    rows,
    count: columns.length,
    dot(j, u) {
      const c = columns[j] as Float64Array;
      let s = 0;
      for (let i = 0; i < rows; i++) s += (c[i] as number) * (u[i] as number);
      return s;
    },
  };
}

/** Fills `v` with Rademacher weights exactly as BMisc's fill_rademacher does. */
export function fillRademacher(rng: RMersenneTwister, v: Float64Array): void {
  const n = v.length;
  const integers = Math.ceil(n / 31);
  let k = 0;
  for (let i = 0; i < integers - 1; i++) {
    const curr = Math.trunc(2147483647 * rng.unifRand() + 1);
    for (let j = 30; j >= 0; j--) v[k++] = ((curr >>> j) & 1) * 2 - 1;
  }
  const curr = Math.trunc(2147483647 * rng.unifRand() + 1);
  for (let j = 30; k < n; k++, j--) v[k] = ((curr >>> j) & 1) * 2 - 1;
}

const QUARTILE_SPREAD = normalQuantile(0.75, 0, 1) - normalQuantile(0.25, 0, 1);
const DEGENERATE = Math.sqrt(2.220446049250313e-16) * 10;

/** R's quantile(x, p, type = 1, na.rm = TRUE) (the inverse of the empirical distribution function). */
export function quantileType1(values: ArrayLike<number>, p: number): number {
  const x = Array.from(values).filter((v) => !Number.isNaN(v));
  if (x.length === 0) return Number.NaN;
  x.sort((a, b) => a - b);
  const n = x.length;
  const fuzz = 4 * 2.220446049250313e-16;
  const nppm = n * p;
  const j = Math.floor(nppm + fuzz);
  const h = nppm > j + fuzz;
  // x_(0) = x_(1) and x_(n+1) = x_(n), as R pads the sorted sample.
  const at = (r: number) => x[Math.min(Math.max(r, 1), n) - 1] as number;
  return h ? at(j + 1) : at(j);
}

export interface BootstrapDraws {
  /** Draws b_bj, row-major B x (kept columns). */
  readonly draws: Float64Array;
  readonly iterations: number;
  /** Which input columns are kept (non-degenerate). */
  readonly kept: readonly boolean[];
  /** Bootstrap standard error per input column (NaN for degenerate ones). */
  readonly se: Float64Array;
  /** IQR-based scale per kept column (sigma_j). */
  readonly sigma: Float64Array;
  /** mboot()'s sup-t critical value (R's crit.val). */
  readonly critVal: number;
}

/**
 * did's mboot(): B draws of the influence-function columns `psi` (rows = units, or clusters after summing),
 * `n` the number of units (the scale of the influence function), `alpha` for the critical value.
 */
export function multiplierBootstrap(
  psi: InfluenceColumns,
  iterations: number,
  rng: RMersenneTwister,
  n: number,
  alpha: number,
): BootstrapDraws {
  const rows = psi.rows;
  const k = psi.count;
  const all = new Float64Array(iterations * k);
  const u = new Float64Array(rows);
  const scale = Math.sqrt(rows) / rows;
  for (let b = 0; b < iterations; b++) {
    fillRademacher(rng, u);
    for (let j = 0; j < k; j++) all[b * k + j] = psi.dot(j, u) * scale;
  }
  const kept: boolean[] = [];
  for (let j = 0; j < k; j++) {
    let sum = 0;
    let sumSq = 0;
    for (let b = 0; b < iterations; b++) {
      const v = all[b * k + j] as number;
      sum += v;
      sumSq += v * v;
    }
    kept.push(!Number.isNaN(sum) && sumSq > DEGENERATE);
  }
  const keptIndex = kept.flatMap((keep, j) => (keep ? [j] : []));
  const m = keptIndex.length;
  const draws = new Float64Array(iterations * m);
  for (let b = 0; b < iterations; b++) {
    keptIndex.forEach((j, c) => {
      draws[b * m + c] = all[b * k + j] as number;
    });
  }
  const sigma = columnScales(draws, iterations, m);
  const se = new Float64Array(k).fill(Number.NaN);
  keptIndex.forEach((j, c) => {
    se[j] = ((sigma[c] as number) * Math.sqrt(rows)) / n;
  });
  // bT: max over columns of |b / sigma| (NaN entries ignored as na.rm = TRUE does), finite draws only.
  const supT: number[] = [];
  for (let b = 0; b < iterations; b++) {
    let max = Number.NEGATIVE_INFINITY;
    let any = false;
    for (let c = 0; c < m; c++) {
      const v = Math.abs((draws[b * m + c] as number) / (sigma[c] as number));
      if (Number.isNaN(v)) continue;
      any = true;
      if (v > max) max = v;
    }
    if (any && Number.isFinite(max)) supT.push(max);
  }
  return {
    draws,
    iterations,
    kept,
    se,
    sigma,
    critVal: quantileType1(supT, 1 - alpha),
  };
}

/** sigma_j = IQR_j / (qnorm(.75) - qnorm(.25)), quantiles of type 1. */
export function columnScales(draws: Float64Array, iterations: number, m: number): Float64Array {
  const sigma = new Float64Array(m);
  const column = new Float64Array(iterations);
  for (let c = 0; c < m; c++) {
    for (let b = 0; b < iterations; b++) column[b] = draws[b * m + c] as number;
    sigma[c] = (quantileType1(column, 0.75) - quantileType1(column, 0.25)) / QUARTILE_SPREAD;
  }
  return sigma;
}

/**
 * att_gt()'s uniform band critical value (did R/att_gt.R, `cband`): as mboot's, except that columns whose scale is
 * below sqrt(eps) * 10 are left out of the maximum, and infinite maxima are kept.
 */
export function uniformCriticalValue(draws: BootstrapDraws, alpha: number): number {
  const m = draws.sigma.length;
  const sigma = Float64Array.from(draws.sigma, (s) => (s <= DEGENERATE ? Number.NaN : s));
  const supT: number[] = [];
  for (let b = 0; b < draws.iterations; b++) {
    let max = Number.NEGATIVE_INFINITY;
    let any = false;
    for (let c = 0; c < m; c++) {
      const v = Math.abs((draws.draws[b * m + c] as number) / (sigma[c] as number));
      if (Number.isNaN(v)) continue;
      any = true;
      if (v > max) max = v;
    }
    if (any) supT.push(max);
  }
  return quantileType1(supT, 1 - alpha);
}
