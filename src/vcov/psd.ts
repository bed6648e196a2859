/**
 * Making a covariance positive semi-definite: Cameron, Gelbach and Miller (2011, p. 242) set the negative
 * eigenvalues of a multi-way clustered covariance to zero; reghdfe 6 does it on the block without the intercept.
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";

/**
 * reghdfe 6's reghdfe_fix_psd (Regression.mata): when V (with the intercept, reghdfe's _cons) has a negative
 * eigenvalue, V is rebuilt with its negative eigenvalues set to zero, and then the block without the intercept is
 * replaced by that block fixed on its own (unchanged if it is positive semi-definite), so that reporting _cons or
 * not does not move the slopes' errors. Null when V needs no fix.
 */
export function reghdfePsdFix(v: Matrix, interceptColumn?: number): Matrix | null {
  const full = clipNegativeEigenvalues(v);
  if (full === null || interceptColumn === undefined) return full;
  const rest = Array.from({ length: v.rows }, (_, j) => j).filter((j) => j !== interceptColumn);
  const block = v.selection(rest, rest);
  const fixedBlock = clipNegativeEigenvalues(block) ?? block;
  rest.forEach((a, i) => {
    rest.forEach((b, j) => {
      full.set(a, b, fixedBlock.get(i, j));
    });
  });
  return full;
}

/**
 * V = U Lambda U' with its negative eigenvalues set to zero, or null when it has none (the matrix is rebuilt only
 * when the smallest eigenvalue is below zero, as reghdfe does).
 */
export function clipNegativeEigenvalues(v: Matrix): Matrix | null {
  const symmetric = v.clone().add(v.transpose()).mul(0.5);
  const eig = new EigenvalueDecomposition(symmetric, { assumeSymmetric: true });
  const lambda = eig.realEigenvalues;
  if (!lambda.some((l) => l < 0)) return null;
  const u = eig.eigenvectorMatrix;
  const k = lambda.length;
  const out = new Matrix(k, k);
  // Lower triangle mirrored: (u_am l) u_bm and (u_bm l) u_am round differently, and the result must be exactly
  // symmetric (the Wald test's Cholesky checks it).
  for (let a = 0; a < k; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let m = 0; m < k; m++) s += u.get(a, m) * Math.max(lambda[m] as number, 0) * u.get(b, m);
      out.set(a, b, s);
      out.set(b, a, s);
    }
  }
  return out;
}
