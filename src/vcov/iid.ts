/** iid: sigma^2 (X'WX)^-1 with sigma^2 = RSS / (n - K) (lm, fixest "iid", Stata's default); see ssc.ts. */
import { feDofInfo, iidScale, parameterCounts, tDegreesOfFreedom } from "./ssc.js";
import type { CovarianceType } from "./types.js";

export const iid: CovarianceType = {
  name: "iid",
  aliases: ["standard", "normal"],
  description: "homoskedastic errors (the default without clusters)",
  needs: { cluster: "forbidden", unit: "forbidden", time: "forbidden", lag: false },
  label: () => "IID",
  compute(fit, request) {
    const n = fit.nobs;
    const counts = parameterCounts(fit.dof, request.ssc, [], []);
    const scale = iidScale(request.ssc, fit.dispersion, fit.rss, n, counts.k);
    return {
      matrix: fit.bread.clone().mul(scale),
      info: {
        type: "iid",
        cluster: [],
        n_clusters: [],
        ssc: request.ssc,
        // sigma^2 is an estimate, not a correction; a fixed dispersion is scaled by (n - 1) / (n - K).
        adjustment: fit.dispersion.kind === "fixed" ? scale / fit.dispersion.value : 1,
        df_t: tDegreesOfFreedom(request.ssc, "iid", n, counts.k, 0),
        n,
        k: counts.k,
        ...feDofInfo(counts),
      },
      notes: counts.notes,
      parameters: counts,
    };
  },
};
