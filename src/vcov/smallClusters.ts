/**
 * The registry entries for few clusters: CR2 (Bell and McCaffrey 2002; Pustejovsky and Tipton 2018) and CR3 (the
 * cluster jackknife), as clubSandwich's vcovCR computes them (cr2.ts, cr3.ts), with Satterthwaite / Bell-McCaffrey
 * degrees of freedom per coefficient and per linear combination (clusterDf.ts; clubSandwich coef_test(test =
 * "Satterthwaite") and linear_contrast). They are definitions: no further small-sample factor (ssc does not apply).
 */
import { estimationError } from "../errors.js";
import type { Fit } from "../model/fit.js";
import { coefficientDfs, satterthwaiteDf } from "./clusterDf.js";
import { cr2Vcov } from "./cr2.js";
import { cr3Vcov } from "./cr3.js";
import type { SmallSampleClusterInputs, SmallSampleClusterResult } from "./smallSampleCluster.js";
import { parameterCounts } from "./ssc.js";
import type { CovarianceType } from "./types.js";

function smallClusterType(
  name: "cr2" | "cr3",
  description: string,
  compute: (inputs: SmallSampleClusterInputs) => SmallSampleClusterResult,
): CovarianceType {
  return {
    name,
    aliases: name === "cr2" ? ["bell-mccaffrey"] : ["jackknife"],
    description,
    needs: { cluster: "required", unit: "forbidden", time: "forbidden", lag: false },
    label: (info, labels) =>
      `${name.toUpperCase()} clustered (${info.cluster.map((c) => labels[c] ?? c).join(", ")})`,
    refuse(fit: Fit) {
      if (fit.scores.rows === null || fit.idVariable === undefined)
        return `${name} needs the rows (the clusters' hat matrices), which this engine does not keep`;
      if (fit.dispersion.kind === "fixed") return `${name} is defined for least squares`;
      if (fit.absorbedFixedEffects?.().some((fe) => fe.slope))
        return `${name} is not available with varying slopes (fe[x]): clubSandwich has no analogue`;
      return null;
    },
    compute(fit, request) {
      if (request.cluster.length !== 1)
        throw estimationError(`${name} takes one cluster variable (multi-way ${name} is not defined here)`);
      const rows = fit.scores.rows;
      const cluster = fit.idVariable?.(request.cluster[0] as string);
      if (rows === null || cluster === undefined) throw estimationError(`${name} needs the rows`);
      if (cluster.count < 2)
        throw estimationError(
          `cannot cluster by '${cluster.name}': it has ${cluster.count} cluster in the sample`,
        );
      const effects = (fit.absorbedFixedEffects?.() ?? []).map(({ name: n, ids, nlevels }) => ({
        name: n,
        ids,
        nlevels,
      }));
      const result = compute({
        columns: rows.columns,
        residuals: rows.residuals,
        weights: rows.weights,
        bread: fit.bread,
        clusterIds: cluster.ids,
        clusterCount: cluster.count,
        ...(effects.length > 0 ? { fixedEffects: effects } : {}),
      });
      const counts = parameterCounts(fit.dof, "none", [], []);
      return {
        matrix: result.matrix,
        info: {
          type: name,
          cluster: [cluster.name],
          n_clusters: [cluster.count],
          ssc: "none",
          adjustment: 1,
          df_t: Number.NaN,
          n: fit.nobs,
          k: counts.k,
        },
        notes: [],
        parameters: counts,
        coefficientDf: coefficientDfs(result),
        contrastDf: (contrast) => satterthwaiteDf(result, contrast),
      };
    },
  };
}

export const cr2 = smallClusterType(
  "cr2",
  "CR2 cluster-robust (Bell-McCaffrey) with Satterthwaite degrees of freedom, for few clusters (clubSandwich)",
  cr2Vcov,
);
export const cr3 = smallClusterType(
  "cr3",
  "CR3 cluster jackknife with Satterthwaite degrees of freedom (clubSandwich)",
  cr3Vcov,
);
