/**
 * What the two HAC covariances (Newey-West, Driscoll-Kraay) share, as fixest 0.12.2 computes them
 * (R/VCOV.R vcov_newey_west_internal, vcov_driscoll_kraay_internal; src/vcov_related.cpp):
 * - time periods are the ranks of the distinct time values in the sample (fixest's to_integer(time, sorted =
 *   TRUE)): gaps between values do not count as periods;
 * - Bartlett weights w_l = 1 - l / (L + 1), l = 0..L, with w_0 halved because the meat is M + M';
 * - fixest uses at most T - 1 weights (lags 0..T - 2) when L >= T - 1;
 * - default lag for panels floor(T^(1/4)).
 */
import { estimationError } from "../errors.js";
import type { Fit, ScoreRows } from "../model/fit.js";

/** Dense 0..T-1 period of each row: the rank of its time value among the distinct values. */
export function timeRanks(values: Float64Array): { rank: Int32Array; periods: number } {
  const distinct = Float64Array.from(new Set(values)).sort();
  const index = new Map<number, number>();
  distinct.forEach((v, j) => {
    index.set(v, j);
  });
  const rank = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) rank[i] = index.get(values[i] as number) as number;
  return { rank, periods: distinct.length };
}

/** fixest's weight vector for lag L: w_0 = 1/2, w_l = 1 - l/(L+1), truncated to at most `limit` weights. */
export function bartlettWeights(lag: number, limit: number): Float64Array {
  // fixest: w = seq(1, 0, by = -1/(L+1)) has L + 2 entries, the last 0 is dropped, and L capped at limit.
  const count = Math.min(lag + 1, limit);
  const w = new Float64Array(Math.max(count, 0));
  for (let l = 0; l < w.length; l++) w[l] = 1 - l / (lag + 1);
  if (w.length > 0) w[0] = 0.5;
  return w;
}

/** The default lag of panel HAC covariances in fixest: floor(T^(1/4)). */
export function panelDefaultLag(periods: number): number {
  return Math.floor(periods ** 0.25);
}

/** The scores s_i = w_i e_i x_i as k row-major values per row (n x k). */
export function scoreMatrix(rows: ScoreRows): Float64Array {
  const k = rows.columns.length;
  const n = rows.residuals.length;
  const s = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const u = (rows.weights ? (rows.weights[i] as number) : 1) * (rows.residuals[i] as number);
    for (let j = 0; j < k; j++) s[i * k + j] = ((rows.columns[j] as Float64Array)[i] as number) * u;
  }
  return s;
}

/** M + M' as a symmetric k x k array (row-major). */
export function addTranspose(meat: Float64Array, k: number): Float64Array {
  const out = new Float64Array(k * k);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) out[a * k + b] = (meat[a * k + b] as number) + (meat[b * k + a] as number);
  return out;
}

/** The rows and the time variable a HAC covariance needs, or a one-line error naming what is missing. */
export function hacInputs(fit: Fit, name: string, time: string): { rows: ScoreRows; values: Float64Array } {
  const rows = fit.scores.rows;
  if (rows === null || fit.timeVariable === undefined)
    throw estimationError(`${name} covariance needs the rows, which this engine does not keep`);
  return { rows, values: fit.timeVariable(time).values };
}
