/**
 * fixest's repair of a covariance matrix with a negative variance, the default of `vcov.fixest(vcov_fix = TRUE)`
 * (read in lrberge/fixest 0.12.2, commit dbe56c5: R/VCOV.R `vcov.fixest`, after the small-sample adjustment;
 * R/miscfuns.R `mat_posdef_fix`). Multi-way clustered covariances (Cameron, Gelbach and Miller 2011) are sums
 * and differences of one-way ones and need not be positive semi-definite; CGM (2011, p. 242) suggest replacing
 * V = U diag(lambda) U' by U diag(max(lambda, 0)) U'. fixest's version differs from that suggestion, and from
 * reghdfe's (vcov.ts `reghdfePsdFix`), in two ways that change the numbers:
 *   - when: only if some diagonal element of the final (adjusted) matrix is negative, `any(diag(vcov_mat) < 0)`;
 *     a matrix with a negative eigenvalue but a non-negative diagonal is left as it is;
 *   - how: V is rebuilt from `eigen(V, symmetric = TRUE)` with every eigenvalue below tol = 1e-10 (absolute)
 *     raised to 1e-10, not set to 0 (`pmax(e$values, tol)`), including small positive ones.
 * fixest then prints "Variance contained negative values in the diagonal and was 'fixed' (a la Cameron, Gelbach &
 * Miller 2011)." (an R message).
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";

/** fixest's `mat_posdef_fix(X, tol = 1e-10)`. */
export const FIXEST_EIGEN_FLOOR = 1e-10;

export interface PsdFixResult {
  matrix: Matrix;
  /** True when the matrix was rebuilt. */
  fixed: boolean;
  /** Eigenvalues of the input (ascending), when it was rebuilt. */
  eigenvalues?: number[];
}

export const FIXEST_PSD_NOTE =
  "the multi-way clustered covariance had a negative variance: rebuilt from its eigendecomposition with eigenvalues below 1e-10 raised to 1e-10 (Cameron, Gelbach and Miller 2011; fixest's default vcov_fix)";

/** Applies fixest's fix when a diagonal element is negative; returns the input unchanged otherwise. */
export function fixestPsdFix(v: Matrix, floor = FIXEST_EIGEN_FLOOR): PsdFixResult {
  const k = v.rows;
  let negative = false;
  for (let a = 0; a < k; a++) if (v.get(a, a) < 0) negative = true;
  if (!negative) return { matrix: v, fixed: false };
  // R's eigen(symmetric = TRUE) reads the lower triangle; the covariance is symmetric up to rounding.
  const sym = new Matrix(k, k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b <= a; b++) {
      sym.set(a, b, v.get(a, b));
      sym.set(b, a, v.get(a, b));
    }
  }
  const eig = new EigenvalueDecomposition(sym, { assumeSymmetric: true });
  const lambda = eig.realEigenvalues;
  const u = eig.eigenvectorMatrix;
  const out = new Matrix(k, k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let m = 0; m < k; m++) s += u.get(a, m) * Math.max(lambda[m] as number, floor) * u.get(b, m);
      out.set(a, b, s);
      out.set(b, a, s);
    }
  }
  return { matrix: out, fixed: true, eigenvalues: [...lambda].sort((x, y) => x - y) };
}
