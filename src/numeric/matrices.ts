/** Small dense k x k helpers over ml-matrix shared by the covariance and estimation code. */
import { Matrix } from "ml-matrix";

/** A k x k Matrix from a row-major square array. */
export function matrixFromSquare(values: Float64Array, k: number): Matrix {
  const m = new Matrix(k, k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) m.set(a, b, values[a * k + b] as number);
  return m;
}

/**
 * The k x k outer-product sum of group sums, sum_g s_g s_g' (s_g the g-th row of a count x k row-major array),
 * accumulated in a plain array: a million groups would otherwise mean millions of Matrix.get/set calls.
 */
export function outerProductOfRows(sums: Float64Array, count: number, k: number): Matrix {
  const acc = new Float64Array(k * k);
  for (let g = 0; g < count; g++) {
    const base = g * k;
    for (let a = 0; a < k; a++) {
      const sa = sums[base + a] as number;
      for (let b = 0; b <= a; b++)
        acc[a * k + b] = (acc[a * k + b] as number) + sa * (sums[base + b] as number);
    }
  }
  const out = new Matrix(k, k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b <= a; b++) {
      out.set(a, b, acc[a * k + b] as number);
      out.set(b, a, acc[a * k + b] as number);
    }
  }
  return out;
}

/** (A + A') / 2 in place: removes the rounding asymmetry of a product that is symmetric by construction. */
export function symmetrizeInPlace(v: Matrix): Matrix {
  for (let r = 0; r < v.rows; r++) {
    for (let c = 0; c < r; c++) {
      const m = (v.get(r, c) + v.get(c, r)) / 2;
      v.set(r, c, m);
      v.set(c, r, m);
    }
  }
  return v;
}
