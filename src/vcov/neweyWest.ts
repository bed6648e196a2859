/**
 * Newey and West (1987) covariance, for a time series or a panel, as fixest's `vcov = "NW"` / `NW(L) ~ unit + time`
 * (R/VCOV.R vcov_newey_west_internal; cpp_newey_west and cpp_newey_west_panel in src/vcov_related.cpp):
 *   meat = sum_{l=0..L} w_l sum_t sum_units s_{u,t} s_{u,t-l}'  +  its transpose   (w_0 = 1/2)
 * On a panel, products are taken between the same unit's scores l periods apart (periods are ranks of the distinct
 * time values, hac.ts); a (unit, time) pair seen twice is an error, as in fixest. A time series (no unit) takes the
 * product of rows l apart in time order, and a repeated time value is an error. Default lag: floor(T^(1/4)) on a
 * panel; for a time series the Newey and West (1994) automatic bandwidth (sandwich::bwNeweyWest with VAR(1)
 * prewhitening and unit weights, floored), which fixest calls. Small-sample factor and t df in ssc.ts.
 */
import { Matrix, solve } from "ml-matrix";
import { estimationError, usageError } from "../errors.js";
import { matrixFromSquare } from "../numeric/matrices.js";
import { addTranspose, bartlettWeights, hacInputs, panelDefaultLag, scoreMatrix, timeRanks } from "./hac.js";
import { sandwich } from "./sandwich.js";
import { feDofInfo, hacAdjustment, parameterCounts, tDegreesOfFreedom } from "./ssc.js";
import type { CovarianceType } from "./types.js";

export const neweyWest: CovarianceType = {
  name: "nw",
  aliases: ["newey-west", "newey_west", "neweywest"],
  description: "Newey-West HAC for a time series or a panel (--panel-id [unit,]time, --lag L)",
  needs: { cluster: "forbidden", unit: "optional", time: "required", lag: true },
  label: (info) => `Newey-West (L=${info.lag ?? "?"})`,
  compute(fit, request) {
    const panel = request.panel;
    if (panel === null) throw usageError("the Newey-West covariance needs a time variable (panel id)");
    const { rows, values } = hacInputs(fit, "the Newey-West", panel.time);
    const { rank, periods } = timeRanks(values);
    const n = fit.nobs;
    const k = rows.columns.length;
    const scores = scoreMatrix(rows);
    let lag: number;
    let meat: Float64Array;
    if (panel.unit !== null) {
      if (fit.idVariable === undefined)
        throw estimationError("the Newey-West covariance needs the panel unit");
      const unit = fit.idVariable(panel.unit);
      lag = request.lag ?? panelDefaultLag(periods);
      meat = panelMeat(
        scores,
        k,
        unit.ids,
        unit.count,
        rank,
        periods,
        bartlettWeights(lag, periods - 1),
        panel,
      );
    } else {
      if (periods < n)
        throw estimationError(
          `the Newey-West covariance of a time series needs one row per period of '${panel.time}', found ${n} rows for ${periods} periods (give the panel unit too, or use dk)`,
        );
      const order = Int32Array.from({ length: n }, (_, i) => i).sort(
        (a, b) => (rank[a] as number) - (rank[b] as number),
      );
      const sorted = new Float64Array(n * k);
      order.forEach((row, i) => {
        sorted.set(scores.subarray(row * k, row * k + k), i * k);
      });
      lag = request.lag ?? Math.floor(neweyWest1994Bandwidth(sorted, n, k));
      meat = timeSeriesMeat(sorted, n, k, bartlettWeights(lag, n - 1));
    }
    const counts = parameterCounts(
      fit.dof,
      request.ssc,
      panel.unit === null ? [panel.time] : [panel.unit, panel.time],
      [],
    );
    const adjustment = hacAdjustment(request.ssc, n, counts.k, periods);
    return {
      matrix: sandwich(fit.bread, matrixFromSquare(addTranspose(meat, k), k)).mul(adjustment),
      info: {
        type: "nw",
        cluster: [],
        n_clusters: [],
        ssc: request.ssc,
        adjustment,
        df_t: tDegreesOfFreedom(request.ssc, "hac", n, counts.k, periods),
        n,
        k: counts.k,
        lag,
        unit: panel.unit,
        time: panel.time,
        n_periods: periods,
        ...feDofInfo(counts),
      },
      notes: counts.notes,
      parameters: counts,
    };
  },
};

/** sum_l w_l sum over (unit, t) of s_{u,t} s_{u,t-l}' (not yet symmetrised). */
function panelMeat(
  scores: Float64Array,
  k: number,
  unitIds: Int32Array,
  units: number,
  rank: Int32Array,
  periods: number,
  w: Float64Array,
  panel: { unit: string | null; time: string },
): Float64Array {
  const n = unitIds.length;
  // Row of each (unit, period) cell; a dense table when it is small, a map otherwise.
  const cells = units * periods;
  const dense = cells <= Math.max(4 * n, 1 << 22);
  const table = dense ? new Int32Array(cells).fill(-1) : null;
  const map = dense ? null : new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = (unitIds[i] as number) * periods + (rank[i] as number);
    const seen = table ? (table[key] as number) : (map?.get(key) ?? -1);
    if (seen >= 0)
      throw estimationError(
        `the Newey-West covariance needs one row per unit and period: '${panel.unit}' x '${panel.time}' repeats (rows ${seen + 1} and ${i + 1} of the sample); use dk, which allows it`,
      );
    if (table) table[key] = i;
    else map?.set(key, i);
  }
  const meat = new Float64Array(k * k);
  for (let l = 0; l < w.length; l++) {
    const wl = w[l] as number;
    const acc = new Float64Array(k * k);
    for (let i = 0; i < n; i++) {
      const t = rank[i] as number;
      if (t < l) continue;
      const key = (unitIds[i] as number) * periods + (t - l);
      const j = table ? (table[key] as number) : (map?.get(key) ?? -1);
      if (j < 0) continue;
      for (let a = 0; a < k; a++) {
        const sa = scores[i * k + a] as number;
        for (let b = 0; b < k; b++)
          acc[a * k + b] = (acc[a * k + b] as number) + sa * (scores[j * k + b] as number);
      }
    }
    for (let c = 0; c < k * k; c++) meat[c] = (meat[c] as number) + wl * (acc[c] as number);
  }
  return meat;
}

/** sum_l w_l sum_i s_{i+l} s_i' over rows sorted by time (cpp_newey_west: S(i, k1) S(i + l, k2)). */
function timeSeriesMeat(sorted: Float64Array, n: number, k: number, w: Float64Array): Float64Array {
  const meat = new Float64Array(k * k);
  for (let l = 0; l < w.length; l++) {
    const wl = w[l] as number;
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        let s = 0;
        for (let i = 0; i < n - l; i++)
          s += (sorted[i * k + a] as number) * (sorted[(i + l) * k + b] as number);
        meat[a * k + b] = (meat[a * k + b] as number) + wl * s;
      }
    }
  }
  return meat;
}

/**
 * Newey and West (1994) automatic bandwidth for the Bartlett kernel, as sandwich::bwNeweyWest(x, weights = 1)
 * (sandwich 3.1, R/vcovHAC.R): VAR(1) prewhitening of the scores by least squares without intercept (ar.ols with
 * demean = FALSE), h_t = sum_j u_tj of the prewhitened scores, sigma_j = sum_t h_t h_{t+j} / n' (n' = n - 1),
 * m = floor(3 (n/100)^(2/9)), s0 = sigma_0 + 2 sum sigma_j, s1 = 2 sum j sigma_j,
 * bandwidth = 1.1447 ((s1/s0)^2)^(1/3) n^(1/3).
 */
export function neweyWest1994Bandwidth(sorted: Float64Array, n: number, k: number): number {
  if (n < 3) return 0;
  // VAR(1): u_t = A u_{t-1} + e_t, A' = (sum u_{t-1} u_{t-1}')^-1 sum u_{t-1} u_t'.
  const xx = new Matrix(k, k);
  const xy = new Matrix(k, k);
  for (let t = 1; t < n; t++) {
    for (let a = 0; a < k; a++) {
      const pa = sorted[(t - 1) * k + a] as number;
      for (let b = 0; b < k; b++) {
        xx.set(a, b, xx.get(a, b) + pa * (sorted[(t - 1) * k + b] as number));
        xy.set(a, b, xy.get(a, b) + pa * (sorted[t * k + b] as number));
      }
    }
  }
  const coefficients = new Matrix(k, k);
  try {
    coefficients.setSubMatrix(solve(xx, xy), 0, 0);
  } catch {
    throw estimationError("VAR(1) prewhitening of the scores failed (singular), give a lag");
  }
  const m = n - 1;
  const h = new Float64Array(m);
  for (let t = 1; t < n; t++) {
    let sum = 0;
    for (let b = 0; b < k; b++) {
      let fitted = 0;
      for (let a = 0; a < k; a++) fitted += (sorted[(t - 1) * k + a] as number) * coefficients.get(a, b);
      sum += (sorted[t * k + b] as number) - fitted;
    }
    h[t - 1] = sum;
  }
  // m is chosen from the rows before prewhitening (bwNeweyWest computes it first).
  const lags = Math.floor(3 * (n / 100) ** (2 / 9));
  const sigma = (j: number) => {
    let s = 0;
    for (let t = 0; t < m - j; t++) s += (h[t] as number) * (h[t + j] as number);
    return s / m;
  };
  let s0 = sigma(0);
  let s1 = 0;
  for (let j = 1; j <= lags; j++) {
    const sj = sigma(j);
    s0 += 2 * sj;
    s1 += 2 * j * sj;
  }
  return 1.1447 * ((s1 / s0) ** 2) ** (1 / 3) * n ** (1 / 3);
}
