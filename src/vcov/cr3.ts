/**
 * CR3, the cluster jackknife covariance in clubSandwich's form `vcovCR(type = "CR3")` (read at 0.5.8:
 * R/CR-adjustments.R `CR3`; Bell and McCaffrey 2002):
 *
 *   V = B (sum_j X_j' W_j A_j r_j r_j' A_j' W_j X_j) B,   A_j = (I - X_j B X_j' W_j)^-1,
 *
 * which equals the leave-one-cluster-out jackknife (J - 1)/J sum (b_(j) - b)(b_(j) - b)' without its centring and
 * factor. The hat block uses the kept design columns only: with absorbed fixed effects that is clubSandwich's plm
 * "within" model (`model_matrix` is the demeaned design; CR3 never augments it with the dummies), so the fixed
 * effects' leverage is ignored. (With explicit dummies nested in the clusters, I - H_jj would be singular: the
 * cluster's own dummy fits it exactly and `solve()` fails in clubSandwich.) The Satterthwaite degrees of freedom
 * (clusterDf.ts) do use the augmented hat, as clubSandwich's `get_GH` does for any type.
 *
 * Weights with absorbed fixed effects are refused: clubSandwich's plm methods ignore weights, and its lm method
 * needs the dummies in the design (a different estimator when they nest in the clusters).
 */
import { Matrix, solve } from "ml-matrix";
import { usageError } from "../errors.js";
import { buildClusterHat } from "./clusterHat.js";
import {
  accumulateCluster,
  checkSmallSampleInputs,
  type SmallSampleClusterInputs,
  type SmallSampleClusterResult,
  sandwichFromMeat,
  weightedDesignBlock,
} from "./smallSampleCluster.js";

export function cr3Vcov(inputs: SmallSampleClusterInputs): SmallSampleClusterResult {
  checkSmallSampleInputs(inputs, "CR3");
  const weighted = inputs.weights !== null;
  const hasFe = (inputs.fixedEffects?.length ?? 0) > 0;
  if (weighted && hasFe) {
    throw usageError(
      "CR3 with weights and absorbed fixed effects has no clubSandwich counterpart (its plm method ignores weights): use CR2, or CR3 without weights",
    );
  }
  const base = {
    columns: inputs.columns,
    weights: inputs.weights,
    bread: inputs.bread,
    clusterIds: inputs.clusterIds,
    clusterCount: inputs.clusterCount,
  };
  // The adjustment: design columns only. The degrees of freedom: augmented as clubSandwich's get_GH.
  const plain = buildClusterHat(base, "none");
  const hat = hasFe
    ? buildClusterHat(
        { ...base, ...(inputs.fixedEffects ? { fixedEffects: inputs.fixedEffects } : {}) },
        "plm",
      )
    : plain;
  const { k } = plain;
  const b = inputs.bread;
  const meat = new Float64Array(k * k);
  const estimating: Float64Array[] = [];
  for (let g = 0; g < plain.blocks.count; g++) {
    const lo = plain.blocks.start[g] as number;
    const nj = (plain.blocks.start[g + 1] as number) - lo;
    // X_j'W_j (I - X_j B X_j'W_j)^-1 = (I_k - X_j'W_j X_j B)^-1 X_j'W_j (push-through identity): a k x k solve
    // instead of clubSandwich's n_j x n_j solve().
    const xw = weightedDesignBlock(plain, g);
    const c = new Matrix(k, k);
    for (let p = 0; p < k; p++) {
      for (let q = 0; q < k; q++) {
        let s = 0;
        for (let a = 0; a < nj; a++) {
          const i = plain.blocks.rows[lo + a] as number;
          s += (xw[p * nj + a] as number) * (plain.z[i * plain.mZ + q] as number);
        }
        c.set(p, q, s);
      }
    }
    const iMinus = Matrix.eye(k, k).sub(c.mmul(b));
    const rhs = new Matrix(k, nj);
    for (let p = 0; p < k; p++) for (let a = 0; a < nj; a++) rhs.set(p, a, xw[p * nj + a] as number);
    const sol = solve(iMinus, rhs);
    const e = new Float64Array(k * nj);
    for (let p = 0; p < k; p++) for (let a = 0; a < nj; a++) e[p * nj + a] = sol.get(p, a);
    estimating.push(accumulateCluster(plain, g, e, inputs.residuals, b, meat));
  }
  return {
    type: "CR3",
    matrix: sandwichFromMeat(b, meat, k),
    clusters: inputs.clusterCount,
    estimating,
    hat,
    inverseVariance: !weighted,
  };
}
