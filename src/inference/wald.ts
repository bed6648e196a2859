/** Wald test that a set of coefficients is jointly zero: F = b' V^-1 b / q with F(q, df) reference. */
import { CholeskyDecomposition, type Matrix, Matrix as MatrixClass, pseudoInverse } from "ml-matrix";
import { fPValue } from "./distributions.js";

export interface WaldTest {
  statistic: number;
  df1: number;
  df2: number;
  p_value: number;
}

export function waldTest(
  estimates: Float64Array,
  vcov: Matrix,
  indices: readonly number[],
  df2: number,
): WaldTest | null {
  const q = indices.length;
  if (q === 0) return null;
  const sub = vcov.selection(indices as number[], indices as number[]);
  // A covariance with a non-finite entry (a standard error that is not finite, reported in a note) has no test.
  for (const j of indices) if (!Number.isFinite(estimates[j] as number)) return null;
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) if (!Number.isFinite(sub.get(a, b))) return null;
  // A clustered covariance is singular when there are more coefficients than clusters; Stata then reports
  // the F as missing. We fall back to the pseudo-inverse (the test of the estimable part) and say so nowhere
  // else, so callers that care check `df1` against the rank.
  const cholesky = new CholeskyDecomposition(sub);
  const inverse = cholesky.isPositiveDefinite() ? cholesky.solve(identity(q)) : pseudoInverse(sub);
  let stat = 0;
  for (let a = 0; a < q; a++) {
    for (let b = 0; b < q; b++) {
      stat +=
        (estimates[indices[a] as number] as number) *
        inverse.get(a, b) *
        (estimates[indices[b] as number] as number);
    }
  }
  const statistic = stat / q;
  return { statistic, df1: q, df2, p_value: fPValue(statistic, q, df2) };
}

function identity(q: number): Matrix {
  return MatrixClass.eye(q, q);
}
