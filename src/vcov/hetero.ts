/**
 * Heteroskedasticity-robust covariances: HC0 (White 1980), HC1 = n / (n - K) HC0 (Stata's `vce(robust)`, fixest's
 * "hetero"), HC2 and HC3 (MacKinnon and White 1985; squared scores over (1 - h_ii) and (1 - h_ii)^2, as
 * sandwich::vcovHC). HC0, HC2 and HC3 are definitions and ignore the small-sample convention.
 */
import { hatValues, heteroMeat, sandwich } from "./sandwich.js";
import { feDofInfo, heteroAdjustment, parameterCounts, tDegreesOfFreedom } from "./ssc.js";
import type { CovarianceType } from "./types.js";

const NEEDS = { cluster: "forbidden", unit: "forbidden", time: "forbidden", lag: false } as const;
const label = (name: string) => () => `Heteroskedasticity-robust (${name.toUpperCase()})`;

function heteroType(name: "hc0" | "hc2" | "hc3", description: string): CovarianceType {
  const power = name === "hc0" ? 0 : name === "hc2" ? 1 : 2;
  return {
    name,
    aliases: [],
    description,
    needs: NEEDS,
    label: label(name),
    refuse(fit) {
      if (power === 0) return null;
      if (fit.fixedEffects.terms.length > 0)
        return `${name} is not available with fixed effects: its leverage needs the hat values of the fixed effects (use hc1 or cluster)`;
      if (fit.scores.rows === null)
        return `${name} needs the rows (leverage), which this engine does not keep`;
      if (fit.dispersion.kind === "fixed") return `${name} is defined for least squares (use hc1)`;
      return null;
    },
    compute(fit, request) {
      const n = fit.nobs;
      // A definition, not a correction: K enters only the t degrees of freedom.
      const counts = parameterCounts(fit.dof, request.ssc, [], []);
      const rows = fit.scores.rows;
      const meat =
        power === 0 || rows === null
          ? fit.scores.outerProduct()
          : heteroMeat(rows, power, hatValues(rows, fit.bread));
      return {
        matrix: sandwich(fit.bread, meat),
        info: {
          type: name,
          cluster: [],
          n_clusters: [],
          ssc: "none",
          adjustment: 1,
          df_t: n - counts.k,
          n,
          k: counts.k,
          ...feDofInfo(counts),
        },
        notes: counts.notes,
        parameters: counts,
      };
    },
  };
}

export const hc0 = heteroType("hc0", "heteroskedasticity-robust, no small-sample factor (White)");
export const hc2 = heteroType("hc2", "heteroskedasticity-robust, squared scores over 1 - leverage");
export const hc3 = heteroType("hc3", "heteroskedasticity-robust, squared scores over (1 - leverage)^2");

export const hc1: CovarianceType = {
  name: "hc1",
  aliases: ["hetero", "robust", "white"],
  description: "heteroskedasticity-robust with n / (n - K) (Stata's robust, fixest's hetero)",
  needs: NEEDS,
  label: label("hc1"),
  compute(fit, request) {
    const n = fit.nobs;
    const counts = parameterCounts(fit.dof, request.ssc, [], []);
    const adjustment = heteroAdjustment(request.ssc, n, counts.k);
    return {
      matrix: sandwich(fit.bread, fit.scores.outerProduct()).mul(adjustment),
      info: {
        type: "hc1",
        cluster: [],
        n_clusters: [],
        ssc: request.ssc,
        adjustment,
        df_t: tDegreesOfFreedom(request.ssc, "hetero", n, counts.k, 0),
        n,
        k: counts.k,
        ...feDofInfo(counts),
      },
      notes: counts.notes,
      parameters: counts,
    };
  },
};
