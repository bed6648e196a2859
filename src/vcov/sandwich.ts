/**
 * The raw covariance estimators: bread x meat x bread with no small-sample factor (those live in
 * smallSample.ts). Scores are w_i e_i x_i (analytic weights, as lm(weights =) and fixest).
 */
import { Matrix } from "ml-matrix";
import { crossProducts } from "../numeric/leastSquares.js";
import type { ClusterVariable, VcovInputs } from "./types.js";

export function iidVcov(inputs: VcovInputs): Matrix {
  const sigma2 = inputs.rss / (inputs.nobs - inputs.k);
  return inputs.bread.clone().mul(sigma2);
}

/** HC0 (power 0), HC2 (power 1) or HC3 (power 2): squared scores divided by (1 - h_ii)^power. */
export function heteroVcov(inputs: VcovInputs, leveragePower: 0 | 1 | 2): Matrix {
  const { columns, residuals, weights } = inputs;
  const n = residuals.length;
  const leverage = leveragePower > 0 ? hatValues(inputs) : null;
  const u2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const w = weights ? (weights[i] as number) : 1;
    const s = w * (residuals[i] as number);
    let v = s * s;
    if (leverage) v /= (1 - (leverage[i] as number)) ** leveragePower;
    u2[i] = v;
  }
  return sandwich(inputs.bread, fromSquare(crossProducts(columns, u2), columns.length));
}

/** Cluster-robust meat for one clustering (CR0), summed scores per cluster. */
export function clusterMeat(inputs: VcovInputs, cluster: ClusterVariable): Matrix {
  const { columns, residuals, weights } = inputs;
  const k = columns.length;
  const n = residuals.length;
  const scores = new Float64Array(cluster.count * k);
  // Weighted residuals w_i e_i (the residuals themselves without weights: no n-length copy).
  let u = residuals;
  if (weights) {
    u = new Float64Array(n);
    for (let i = 0; i < n; i++) u[i] = (weights[i] as number) * (residuals[i] as number);
  }
  // One pass over rows touching one cluster's k contiguous scores per row: a single random access per row
  // instead of one per column (the cluster table of a 1M-level variable does not fit in cache).
  const ids = cluster.ids;
  if (k === 1) {
    const x0 = columns[0] as Float64Array;
    for (let i = 0; i < n; i++) {
      const at = ids[i] as number;
      scores[at] = (scores[at] as number) + (x0[i] as number) * (u[i] as number);
    }
  } else if (k === 2) {
    const x0 = columns[0] as Float64Array;
    const x1 = columns[1] as Float64Array;
    for (let i = 0; i < n; i++) {
      const base = (ids[i] as number) * 2;
      const ui = u[i] as number;
      scores[base] = (scores[base] as number) + (x0[i] as number) * ui;
      scores[base + 1] = (scores[base + 1] as number) + (x1[i] as number) * ui;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const base = (ids[i] as number) * k;
      const ui = u[i] as number;
      for (let j = 0; j < k; j++) {
        scores[base + j] = (scores[base + j] as number) + ((columns[j] as Float64Array)[i] as number) * ui;
      }
    }
  }
  // Sum of s_g s_g' over clusters, accumulated in a plain array (a million clusters would otherwise mean millions
  // of Matrix.get/set calls).
  const acc = new Float64Array(k * k);
  for (let g = 0; g < cluster.count; g++) {
    const base = g * k;
    for (let a = 0; a < k; a++) {
      const sa = scores[base + a] as number;
      for (let b = 0; b <= a; b++)
        acc[a * k + b] = (acc[a * k + b] as number) + sa * (scores[base + b] as number);
    }
  }
  const meat = new Matrix(k, k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b <= a; b++) {
      meat.set(a, b, acc[a * k + b] as number);
      meat.set(b, a, acc[a * k + b] as number);
    }
  }
  return meat;
}

export function sandwich(bread: Matrix, meat: Matrix): Matrix {
  const v = bread.mmul(meat).mmul(bread);
  // Symmetric by construction; remove the rounding asymmetry so printed numbers do not depend on the order.
  for (let r = 0; r < v.rows; r++) {
    for (let c = 0; c < r; c++) {
      const m = (v.get(r, c) + v.get(c, r)) / 2;
      v.set(r, c, m);
      v.set(c, r, m);
    }
  }
  return v;
}

/** h_ii = w_i x_i' (X'WX)^-1 x_i. */
export function hatValues(inputs: VcovInputs): Float64Array {
  const { columns, bread, weights } = inputs;
  const k = columns.length;
  const n = inputs.residuals.length;
  const h = new Float64Array(n);
  const b = bread.to2DArray();
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let a = 0; a < k; a++) {
      const xa = (columns[a] as Float64Array)[i] as number;
      const row = b[a] as number[];
      let t = 0;
      for (let c = 0; c < k; c++) t += (row[c] as number) * ((columns[c] as Float64Array)[i] as number);
      s += xa * t;
    }
    h[i] = weights ? (weights[i] as number) * s : s;
  }
  return h;
}

function fromSquare(values: Float64Array, k: number): Matrix {
  const m = new Matrix(k, k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) m.set(a, b, values[a * k + b] as number);
  return m;
}
