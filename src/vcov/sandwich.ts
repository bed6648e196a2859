/**
 * The pieces every sandwich covariance shares: bread x meat x bread, the HC0 meat from rows, leverage. Scores are
 * s_i = w_i e_i x_i (analytic weights, as lm(weights =) and fixest); no small-sample factor here (ssc.ts).
 */
import type { Matrix } from "ml-matrix";
import type { ScoreRows } from "../model/fit.js";
import { crossProducts } from "../numeric/leastSquares.js";
import { matrixFromSquare, symmetrizeInPlace } from "../numeric/matrices.js";

/** bread meat bread, made exactly symmetric so that printed numbers do not depend on the order of the product. */
export function sandwich(bread: Matrix, meat: Matrix): Matrix {
  return symmetrizeInPlace(bread.mmul(meat).mmul(bread));
}

/**
 * sum_i s_i s_i' / (1 - h_ii)^power over the rows: the HC0 (power 0), HC2 (1) or HC3 (2) meat. `leverage` is
 * required for a positive power.
 */
export function heteroMeat(rows: ScoreRows, leveragePower: 0 | 1 | 2, leverage: Float64Array | null): Matrix {
  const { columns, residuals, weights } = rows;
  const n = residuals.length;
  const u2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const w = weights ? (weights[i] as number) : 1;
    const s = w * (residuals[i] as number);
    let v = s * s;
    if (leverage && leveragePower > 0) v /= (1 - (leverage[i] as number)) ** leveragePower;
    u2[i] = v;
  }
  return matrixFromSquare(crossProducts(columns, u2), columns.length);
}

/** h_ii = g_i x_i' (X'GX)^-1 x_i, g the Gram weights (the prior weights unless the fit says otherwise). */
export function hatValues(rows: ScoreRows, bread: Matrix): Float64Array {
  const { columns } = rows;
  const weights = rows.gramWeights ?? rows.weights;
  const k = columns.length;
  const n = rows.residuals.length;
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
