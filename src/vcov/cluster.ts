/**
 * Cluster-robust covariance, one-way or multi-way (Cameron, Gelbach and Miller 2011): V = sum over non-empty subsets
 * S of the cluster variables of (-1)^(|S|+1) V_S, V_S clustered on the intersection of S, each term with its
 * small-sample factor (ssc.ts). One-way clustering is the case of one variable.
 */
import { estimationError } from "../errors.js";
import { outerProductOfRows } from "../numeric/matrices.js";
import { reghdfePsdFix } from "./psd.js";
import { sandwich } from "./sandwich.js";
import { clusterAdjustment, feDofInfo, parameterCounts, tDegreesOfFreedom } from "./ssc.js";
import type { CovarianceType } from "./types.js";

export const cluster: CovarianceType = {
  name: "cluster",
  aliases: ["clustered", "cr1"],
  description: "cluster-robust by one or more variables (multi-way: Cameron, Gelbach and Miller 2011)",
  needs: { cluster: "required", unit: "forbidden", time: "forbidden", lag: false },
  label(info, labels) {
    const names = info.cluster.map((name) => labels[name] ?? name);
    const list = names.join(", ");
    if (names.length === 0) return "Clustered";
    if (names.length === 1) return `Clustered (${list})`;
    if (names.length === 2) return `Two-way clustered (${list})`;
    return `${names.length}-way clustered (${list})`;
  },
  compute(fit, request) {
    const n = fit.nobs;
    const variables = request.cluster;
    const counts = parameterCounts(fit.dof, request.ssc, variables, variables);
    const k = counts.k;
    const sizes = variables.map((name) => fit.scores.groupSums([name]).count);
    variables.forEach((name, j) => {
      const g = sizes[j] as number;
      if (g < 2)
        throw estimationError(`cannot cluster by '${name}': it has ${g} cluster in the estimation sample`);
    });
    if (fit.scores.k === 0) throw estimationError("no coefficients to compute a covariance for");
    const gMin = Math.min(...sizes);
    let meat = null;
    const subsets = 2 ** variables.length;
    for (let mask = 1; mask < subsets; mask++) {
      const members = variables.filter((_, j) => mask & (1 << j));
      const sums = fit.scores.groupSums(members);
      const sign = members.length % 2 === 1 ? 1 : -1;
      const factor = sign * clusterAdjustment(request.ssc, n, k, sums.count, gMin);
      const term = outerProductOfRows(sums.sums, sums.count, fit.scores.k).mul(factor);
      meat = meat === null ? term : meat.add(term);
    }
    let matrix = sandwich(fit.bread, meat as NonNullable<typeof meat>);
    const notes: string[] = [];
    if (request.ssc === "reghdfe" && variables.length > 1) {
      const fixed = reghdfePsdFix(matrix, fit.dof.interceptIndex ?? undefined);
      if (fixed) {
        matrix = fixed;
        notes.push(
          "the multi-way clustered covariance was not positive semi-definite: negative eigenvalues set to zero (Cameron, Gelbach and Miller 2011; reghdfe does the same)",
        );
      }
    }
    return {
      matrix,
      info: {
        type: "cluster",
        cluster: [...variables],
        n_clusters: sizes,
        ssc: request.ssc,
        adjustment: clusterAdjustment(request.ssc, n, k, gMin, gMin),
        df_t: tDegreesOfFreedom(request.ssc, "cluster", n, k, gMin, counts.kResidual),
        n,
        k,
        ...feDofInfo(counts),
      },
      notes: [...notes, ...counts.notes],
      parameters: counts,
    };
  },
};
