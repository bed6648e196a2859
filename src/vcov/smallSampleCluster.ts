/**
 * What the small-sample cluster covariances (CR2: cr2.ts, CR3: cr3.ts) take and return, and the sandwich they
 * share: V = B (sum_j E_j r_j r_j' E_j') B with E_j = X_j' W_j A_j, B = (X'WX)^-1, A_j the cluster's adjustment
 * matrix (clubSandwich R/clubSandwich.R `vcov_CR`: `adjust_est_mats` then `tcrossprod(components)`).
 */
import { Matrix } from "ml-matrix";
import { estimationError, usageError } from "../errors.js";
import type { AbsorbedFixedEffect } from "./clusterBlocks.js";
import type { ClusterHat } from "./clusterHat.js";

export interface SmallSampleClusterInputs {
  /** Kept design columns: with absorbed fixed effects, demeaned on them (weighted, as the fit did). */
  columns: readonly Float64Array[];
  residuals: Float64Array;
  /** Analytic weights as in lm(weights =), or null. */
  weights: Float64Array | null;
  /** (X'WX)^-1 over `columns`. */
  bread: Matrix;
  /** One-way clustering only (clubSandwich has no multi-way CR2). */
  clusterIds: Int32Array;
  clusterCount: number;
  /** Plain fixed effects absorbed from `columns` and `residuals` (none for a model without). */
  fixedEffects?: readonly AbsorbedFixedEffect[];
}

export interface SmallSampleClusterResult {
  type: "CR2" | "CR3";
  /** The covariance of the coefficients of `columns`. */
  matrix: Matrix;
  clusters: number;
  /** Per cluster, B E_j (k x n_j, row-major): the estimate's linear map of the cluster's residuals. */
  estimating: Float64Array[];
  /** The (augmented) hat structure the Satterthwaite degrees of freedom use (clusterDf.ts). */
  hat: ClusterHat;
  /** clubSandwich's `inverse_var`: true without weights (W = I = target^-1), false with weights (target I). */
  inverseVariance: boolean;
}

export function checkSmallSampleInputs(inputs: SmallSampleClusterInputs, type: string): void {
  if (inputs.clusterCount < 2) {
    throw estimationError(`${type} needs at least two clusters (found ${inputs.clusterCount})`);
  }
  if (inputs.columns.length === 0)
    throw estimationError(`${type}: no coefficients to compute a covariance for`);
  for (const fe of inputs.fixedEffects ?? []) {
    if (fe.ids.length !== inputs.residuals.length) {
      throw usageError(
        `${type}: fixed effect '${fe.name}' has ${fe.ids.length} rows, the model ${inputs.residuals.length}`,
      );
    }
  }
}

/** X_j' W_j (k x n_j, row-major) for cluster g: the unadjusted estimating matrix. */
export function weightedDesignBlock(hat: ClusterHat, g: number): Float64Array {
  const { k, mZ, z, blocks, weights } = hat;
  const lo = blocks.start[g] as number;
  const nj = (blocks.start[g + 1] as number) - lo;
  const e = new Float64Array(k * nj);
  for (let b = 0; b < nj; b++) {
    const i = blocks.rows[lo + b] as number;
    const w = weights ? (weights[i] as number) : 1;
    for (let p = 0; p < k; p++) e[p * nj + b] = (z[i * mZ + p] as number) * w;
  }
  return e;
}

/**
 * Adds (E_j r_j)(E_j r_j)' to `meat` (k x k row-major) for the adjusted estimating matrix E_j = X_j' W_j A_j
 * (k x n_j) of cluster g, and returns B E_j.
 */
export function accumulateCluster(
  hat: ClusterHat,
  g: number,
  e: Float64Array,
  residuals: Float64Array,
  bread: Matrix,
  meat: Float64Array,
): Float64Array {
  const { k, blocks } = hat;
  const lo = blocks.start[g] as number;
  const nj = (blocks.start[g + 1] as number) - lo;
  const s = new Float64Array(k);
  for (let p = 0; p < k; p++) {
    let t = 0;
    for (let b = 0; b < nj; b++)
      t += (e[p * nj + b] as number) * (residuals[blocks.rows[lo + b] as number] as number);
    s[p] = t;
  }
  for (let p = 0; p < k; p++) {
    for (let q = 0; q < k; q++)
      meat[p * k + q] = (meat[p * k + q] as number) + (s[p] as number) * (s[q] as number);
  }
  const be = new Float64Array(k * nj);
  for (let p = 0; p < k; p++) {
    for (let q = 0; q < k; q++) {
      const bpq = bread.get(p, q);
      if (bpq === 0) continue;
      for (let b = 0; b < nj; b++)
        be[p * nj + b] = (be[p * nj + b] as number) + bpq * (e[q * nj + b] as number);
    }
  }
  return be;
}

/** B meat B, symmetrised. */
export function sandwichFromMeat(bread: Matrix, meat: Float64Array, k: number): Matrix {
  const m = new Matrix(k, k);
  for (let p = 0; p < k; p++) for (let q = 0; q < k; q++) m.set(p, q, meat[p * k + q] as number);
  const v = bread.mmul(m).mmul(bread);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < r; c++) {
      const x = 0.5 * (v.get(r, c) + v.get(c, r));
      v.set(r, c, x);
      v.set(c, r, x);
    }
  }
  return v;
}
