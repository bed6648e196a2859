/**
 * Least squares from cross-products: what a SQL engine returns is the Gram matrix of the (centred or demeaned)
 * design and response, summed in the database; the solve happens here, in double-double as the memory engine's
 * exact path does (src/numeric/leastSquares.ts), with sequential removal of collinear columns.
 *
 * Collinearity: the Gram matrix comes from the database in double (compensated sums: about one rounding per
 * entry), not in double-double from the rows, so a pivot 1 - R^2_j is only meaningful down to ~1e-13. A column
 * whose 1 - R^2 on the columns kept before it is below SQL_COLLINEARITY_TOL = 1e-11 is removed (the memory engine
 * judges 1e-20 on an exact Gram matrix; fixest's collin.tol is 1e-10). The two engines therefore agree on exactly
 * collinear columns (a dummy trap, x and 2x) and on every well-posed design; they may differ on a column that is
 * collinear to 11-20 digits, which the memory engine keeps.
 *
 * Refinement (Bjorck 1967, iterative refinement of the normal equations): the solution b of the Gram system is
 * corrected once with d = (X'WX)^-1 X'W(y - Xb), X'W(y - Xb) computed over the rows in the database (one pass).
 * Forming the cross-products of centred or demeaned columns (never of raw columns with large means) keeps the
 * Gram matrix's conditioning that of the centred design; the refinement removes the error of the solve.
 */
import { Matrix } from "ml-matrix";
import { type DD, dd, ddAdd, ddDiv, ddMul, ddSqrt, ddSub } from "../../numeric/doubleDouble.js";

export const SQL_COLLINEARITY_TOL = 1e-11;

export interface GramSolution {
  /** Indices of the kept columns, in order; the dropped ones. */
  readonly kept: number[];
  readonly dropped: number[];
  readonly coefficients: Float64Array;
  /** (X'WX)^-1 over the kept columns. */
  readonly inverse: Matrix;
}

/**
 * Solves the least-squares problem whose Gram matrix of [X y] is `gram` ((p + 1) x (p + 1), row-major, the
 * response last), removing collinear columns in order.
 */
export function solveGram(gram: Float64Array, p: number, tol = SQL_COLLINEARITY_TOL): GramSolution {
  const size = p + 1;
  const at = (a: number, b: number): DD => dd(gram[a * size + b] as number);
  const kept: number[] = [];
  const dropped: number[] = [];
  const L: DD[][] = [];
  for (let j = 0; j < p; j++) {
    const row: DD[] = [];
    for (let m = 0; m < kept.length; m++) {
      let s = at(j, kept[m] as number);
      for (let q = 0; q < m; q++) s = ddSub(s, ddMul(row[q] as DD, (L[m] as DD[])[q] as DD));
      row.push(ddDiv(s, (L[m] as DD[])[m] as DD));
    }
    let dj = at(j, j);
    for (const v of row) dj = ddSub(dj, ddMul(v, v));
    const diag = at(j, j).hi;
    if (!(diag > 0) || dj.hi / diag < tol) {
      dropped.push(j);
      continue;
    }
    row.push(ddSqrt(dj));
    L.push(row);
    kept.push(j);
  }
  const k = kept.length;
  const z: DD[] = [];
  for (let m = 0; m < k; m++) {
    let s = at(p, kept[m] as number);
    for (let q = 0; q < m; q++) s = ddSub(s, ddMul((L[m] as DD[])[q] as DD, z[q] as DD));
    z.push(ddDiv(s, (L[m] as DD[])[m] as DD));
  }
  const b: DD[] = new Array(k);
  for (let m = k - 1; m >= 0; m--) {
    let s = z[m] as DD;
    for (let q = m + 1; q < k; q++) s = ddSub(s, ddMul((L[q] as DD[])[m] as DD, b[q] as DD));
    b[m] = ddDiv(s, (L[m] as DD[])[m] as DD);
  }
  const Linv: DD[][] = Array.from({ length: k }, () => new Array<DD>(k).fill(dd(0)));
  for (let c = 0; c < k; c++) {
    (Linv[c] as DD[])[c] = ddDiv(dd(1), (L[c] as DD[])[c] as DD);
    for (let r = c + 1; r < k; r++) {
      let s = dd(0);
      for (let q = c; q < r; q++) s = ddSub(s, ddMul((L[r] as DD[])[q] as DD, (Linv[q] as DD[])[c] as DD));
      (Linv[r] as DD[])[c] = ddDiv(s, (L[r] as DD[])[r] as DD);
    }
  }
  const inverse = new Matrix(k, k);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c <= r; c++) {
      let s = dd(0);
      for (let q = r; q < k; q++) s = ddAdd(s, ddMul((Linv[q] as DD[])[r] as DD, (Linv[q] as DD[])[c] as DD));
      inverse.set(r, c, s.hi + s.lo);
      inverse.set(c, r, s.hi + s.lo);
    }
  }
  return { kept, dropped, coefficients: Float64Array.from(b, (v) => v.hi + v.lo), inverse };
}

/**
 * L^-1 for the Cholesky factor L L' = C of a positive definite Gram block, in double: the transformation whose
 * columns X L^-T are orthonormal up to the conditioning of C, for a second Gram pass (Cholesky QR2: Fukaya,
 * Nakatsukasa, Yanagisawa and Yamamoto 2014). Any T would do for exactness: the second pass is summed for the T
 * actually used; this one makes the second Gram matrix close to the identity.
 */
export function choleskyInverseFactor(c: Matrix): Matrix {
  const k = c.rows;
  const L: DD[][] = [];
  for (let j = 0; j < k; j++) {
    const row: DD[] = [];
    for (let m = 0; m < j; m++) {
      let s = dd(c.get(j, m));
      for (let q = 0; q < m; q++) s = ddSub(s, ddMul(row[q] as DD, (L[m] as DD[])[q] as DD));
      row.push(ddDiv(s, (L[m] as DD[])[m] as DD));
    }
    let dj = dd(c.get(j, j));
    for (const v of row) dj = ddSub(dj, ddMul(v, v));
    row.push(ddSqrt(dj));
    L.push(row);
  }
  const out = new Matrix(k, k);
  const inv: DD[][] = Array.from({ length: k }, () => new Array<DD>(k).fill(dd(0)));
  for (let col = 0; col < k; col++) {
    (inv[col] as DD[])[col] = ddDiv(dd(1), (L[col] as DD[])[col] as DD);
    for (let r = col + 1; r < k; r++) {
      let s = dd(0);
      for (let q = col; q < r; q++) s = ddSub(s, ddMul((L[r] as DD[])[q] as DD, (inv[q] as DD[])[col] as DD));
      (inv[r] as DD[])[col] = ddDiv(s, (L[r] as DD[])[r] as DD);
    }
  }
  for (let r = 0; r < k; r++)
    for (let col = 0; col <= r; col++) out.set(r, col, ((inv[r] as DD[])[col] as DD).hi);
  return out;
}

/** The inverse of a symmetric positive definite k x k matrix (a Gram block), by the same Cholesky. */
export function inverseOfGram(gram: Matrix): Matrix {
  const k = gram.rows;
  const full = new Float64Array((k + 1) * (k + 1));
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) full[a * (k + 1) + b] = gram.get(a, b);
  return solveGram(full, k, 0).inverse;
}

/** b + A v (A k x k, v length k). */
export function correct(b: Float64Array, inverse: Matrix, v: Float64Array): Float64Array {
  const k = b.length;
  const out = Float64Array.from(b);
  for (let r = 0; r < k; r++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += inverse.get(r, c) * (v[c] as number);
    out[r] = (out[r] as number) + s;
  }
  return out;
}
