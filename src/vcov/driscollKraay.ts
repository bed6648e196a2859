/**
 * Driscoll and Kraay (1998) covariance for panels, as fixest's `vcov = "DK"` / `DK(L) ~ time` (R/VCOV.R
 * vcov_driscoll_kraay_internal, cpp_driscoll_kraay in src/vcov_related.cpp): the scores are summed within each
 * period (h_t = sum over the period's rows of s_i), then a Newey-West sum over periods,
 *   meat = sum_{l=0..L} w_l sum_t h_t h_{t+l}'  +  its transpose   (w_0 = 1/2),
 * robust to cross-sectional and serial correlation. Periods are ranks of the distinct time values (hac.ts);
 * default lag floor(T^(1/4)). Small-sample factor T / (T - 1) (n - 1) / (n - K) and t(T - 1), in ssc.ts.
 */
import { usageError } from "../errors.js";
import { matrixFromSquare } from "../numeric/matrices.js";
import { addTranspose, bartlettWeights, hacInputs, panelDefaultLag, scoreMatrix, timeRanks } from "./hac.js";
import { sandwich } from "./sandwich.js";
import { feDofInfo, hacAdjustment, parameterCounts, tDegreesOfFreedom } from "./ssc.js";
import type { CovarianceType } from "./types.js";

export const driscollKraay: CovarianceType = {
  name: "dk",
  aliases: ["driscoll-kraay", "driscoll_kraay", "driscollkraay"],
  description:
    "Driscoll-Kraay for panels: scores summed per period, Newey-West over periods (--panel-id unit,time)",
  needs: { cluster: "forbidden", unit: "optional", time: "required", lag: true },
  label: (info) => `Driscoll-Kraay (L=${info.lag ?? "?"})`,
  compute(fit, request) {
    const panel = request.panel;
    if (panel === null) throw usageError("the Driscoll-Kraay covariance needs a time variable (panel id)");
    const { rows, values } = hacInputs(fit, "the Driscoll-Kraay", panel.time);
    const { rank, periods } = timeRanks(values);
    const n = fit.nobs;
    const k = rows.columns.length;
    const scores = scoreMatrix(rows);
    const periodSums = new Float64Array(periods * k);
    for (let i = 0; i < n; i++) {
      const base = (rank[i] as number) * k;
      for (let j = 0; j < k; j++)
        periodSums[base + j] = (periodSums[base + j] as number) + (scores[i * k + j] as number);
    }
    const lag = request.lag ?? panelDefaultLag(periods);
    const w = bartlettWeights(lag, periods - 1);
    const meat = new Float64Array(k * k);
    for (let l = 0; l < w.length; l++) {
      const wl = w[l] as number;
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) {
          let s = 0;
          for (let t = 0; t < periods - l; t++)
            s += (periodSums[t * k + a] as number) * (periodSums[(t + l) * k + b] as number);
          meat[a * k + b] = (meat[a * k + b] as number) + wl * s;
        }
      }
    }
    // fixest: only the time variable takes part in the nesting of fixed effects for DK.
    const counts = parameterCounts(fit.dof, request.ssc, [panel.time], []);
    const adjustment = hacAdjustment(request.ssc, n, counts.k, periods);
    return {
      matrix: sandwich(fit.bread, matrixFromSquare(addTranspose(meat, k), k)).mul(adjustment),
      info: {
        type: "dk",
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
