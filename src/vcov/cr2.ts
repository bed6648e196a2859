/**
 * CR2, the bias-reduced linearization cluster covariance of Bell and McCaffrey (2002) as developed by Pustejovsky
 * and Tipton (2018, JBES 36(4)) and implemented by clubSandwich `vcovCR(type = "CR2")` (read at 0.5.8:
 * R/CR-adjustments.R `CR2`, R/clubSandwich.R `vcov_CR`, R/matrix-functions.R `matrix_power`):
 *
 *   V = B (sum_j X_j' W_j A_j r_j r_j' A_j W_j X_j) B,   B = (X'WX)^-1,   A_j = G_j^{+1/2},
 *
 * with G_j^{+1/2} the symmetric square root of the Moore-Penrose inverse (eigenvalues <= 1e-12 set to zero, as
 * `matrix_power(G, -1/2)`), and G_j the working covariance of the cluster's residuals under the target model:
 *   no weights (clubSandwich: `inverse_var = TRUE`, W = I, target I):   G_j = I - H_jj
 *   weights (lm(weights =): `inverse_var = FALSE`, target I):          G_j = [(I - H)(I - H)']_jj
 *                                                                        = I - H_jj - H_jj' + sum_k H_jk H_jk'
 * H the hat matrix of the design augmented with the fixed-effect dummies (clusterHat.ts says which, and why that
 * is clubSandwich's plm rule without weights and its lm-with-dummies rule with weights). CR2 is exactly unbiased
 * when the errors have the target covariance (homoskedastic, independent).
 *
 * Fixed effects: the inputs are the within (demeaned) design and residuals. Without weights, a fixed effect
 * nested in the clusters leaves CR2 unchanged whether or not its dummies are in H (Pustejovsky and Tipton 2018,
 * Theorem 2: the adjustment then acts on the orthogonal complement of those dummies, where X_j and r_j lie), so
 * the result equals `vcovCR()` of `plm(model = "within")` and of `lm()` with explicit dummies alike. Fixed effects
 * crossing the clusters must be in H (their rows of H span clusters): they are, as residualized dummies. With
 * weights the nested dummies matter too, and all are included: equal to `vcovCR()` of `lm(y ~ x + factor(fe),
 * weights = w)` (slope block). Varying slopes are not supported here (clubSandwich has no analogue).
 */
import { identityPlusLowRankPower } from "../numeric/symmetricMatrix.js";
import { buildClusterHat, clusterHatFactors } from "./clusterHat.js";
import {
  accumulateCluster,
  checkSmallSampleInputs,
  type SmallSampleClusterInputs,
  type SmallSampleClusterResult,
  sandwichFromMeat,
  weightedDesignBlock,
} from "./smallSampleCluster.js";

/** clubSandwich `matrix_power(x, p, tol = -12)`: eigenvalues at or below 10^-12 are treated as zero. */
const EIGEN_ZERO = 1e-12;

export function cr2Vcov(inputs: SmallSampleClusterInputs): SmallSampleClusterResult {
  checkSmallSampleInputs(inputs, "CR2");
  const weighted = inputs.weights !== null;
  const hat = buildClusterHat(
    {
      columns: inputs.columns,
      weights: inputs.weights,
      bread: inputs.bread,
      clusterIds: inputs.clusterIds,
      clusterCount: inputs.clusterCount,
      ...(inputs.fixedEffects ? { fixedEffects: inputs.fixedEffects } : {}),
    },
    weighted ? "lm" : "plm",
  );
  const k = hat.k;
  const meat = new Float64Array(k * k);
  const estimating: Float64Array[] = [];
  for (let g = 0; g < hat.blocks.count; g++) {
    const lo = hat.blocks.start[g] as number;
    const nj = (hat.blocks.start[g + 1] as number) - lo;
    const { basis, width, kernel } = workingCovarianceFactors(hat, g, nj);
    // A_j = G_j^{+1/2} = I + Q F Q': E_j = X_j'W_j + (X_j'W_j Q) F Q'.
    const { q, f, cols } = identityPlusLowRankPower(basis, nj, width, kernel, -0.5, { absolute: EIGEN_ZERO });
    const e = weightedDesignBlock(hat, g);
    const xwq = new Float64Array(k * cols);
    for (let p = 0; p < k; p++) {
      for (let b = 0; b < nj; b++) {
        const v = e[p * nj + b] as number;
        if (v === 0) continue;
        for (let c = 0; c < cols; c++)
          xwq[p * cols + c] = (xwq[p * cols + c] as number) + v * (q[b * cols + c] as number);
      }
    }
    const xwqf = new Float64Array(k * cols);
    for (let p = 0; p < k; p++) {
      for (let c = 0; c < cols; c++) {
        const v = xwq[p * cols + c] as number;
        if (v === 0) continue;
        for (let d = 0; d < cols; d++)
          xwqf[p * cols + d] = (xwqf[p * cols + d] as number) + v * (f[c * cols + d] as number);
      }
    }
    for (let p = 0; p < k; p++) {
      for (let b = 0; b < nj; b++) {
        let t = 0;
        for (let c = 0; c < cols; c++) t += (xwqf[p * cols + c] as number) * (q[b * cols + c] as number);
        e[p * nj + b] = (e[p * nj + b] as number) + t;
      }
    }
    estimating.push(accumulateCluster(hat, g, e, inputs.residuals, inputs.bread, meat));
  }
  return {
    type: "CR2",
    matrix: sandwichFromMeat(inputs.bread, meat, k),
    clusters: inputs.clusterCount,
    estimating,
    hat,
    inverseVariance: !weighted,
  };
}

/**
 * G_j = I + B K B' with B = U_j and K = -M (no weights: G_j = I - H_jj), or B = [U_j, W_j U_j] and
 * K = [[Omega_j, -M], [-M, 0]] (weights: G_j = I - H_jj - H_jj' + sum_k H_jk H_jk', H_jj = U_j M (W_j U_j)').
 */
function workingCovarianceFactors(
  hat: ReturnType<typeof buildClusterHat>,
  g: number,
  nj: number,
): { basis: Float64Array; width: number; kernel: Float64Array } {
  const { r, u, m, omega } = clusterHatFactors(hat, g);
  if (!omega) {
    const kernel = new Float64Array(r * r);
    for (let t = 0; t < r * r; t++) kernel[t] = -(m[t] as number);
    return { basis: u, width: r, kernel };
  }
  const weights = hat.weights as Float64Array;
  const lo = hat.blocks.start[g] as number;
  const width = 2 * r;
  const basis = new Float64Array(nj * width);
  for (let a = 0; a < nj; a++) {
    const w = weights[hat.blocks.rows[lo + a] as number] as number;
    for (let c = 0; c < r; c++) {
      basis[a * width + c] = u[a * r + c] as number;
      basis[a * width + r + c] = w * (u[a * r + c] as number);
    }
  }
  const kernel = new Float64Array(width * width);
  for (let c = 0; c < r; c++) {
    for (let d = 0; d < r; d++) {
      kernel[c * width + d] = omega[c * r + d] as number;
      kernel[c * width + r + d] = -(m[c * r + d] as number);
      kernel[(r + c) * width + d] = -(m[c * r + d] as number);
    }
  }
  return { basis, width, kernel };
}
