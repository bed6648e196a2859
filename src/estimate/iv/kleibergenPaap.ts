/**
 * Kleibergen-Paap (2006) rk Wald F statistic for weak identification with heteroskedasticity-robust or clustered
 * errors: Stata ivreg2's `widstat` (= `e(rkf)`) when `robust` or `cluster()` is given, for any number p of
 * endogenous regressors and L2 >= p excluded instruments.
 *
 * Notation (Kleibergen and Paap 2006, J. Econometrics 133(1), 97-126, section 2; ranktest's Mata code): X~ (n x p)
 * are the endogenous regressors and Z~ (n x L2) the excluded instruments, both with the exogenous regressors and
 * the fixed effects partialled out; W the analytic weights. The reduced form X~ = Z~ Pi + V has coefficients
 * Pi = (Z~'WZ~)^-1 Z~'WX~ (the excluded-instrument block of the first stages, by FWL). ranktest normalises
 *   Theta = G Pi F',   G'G = Z~'WZ~,   F'F = (X~'WX~)^-1,
 * so that the singular values of Theta are the canonical correlations of X~ and Z~. With the singular value
 * decomposition Theta = U S V' (singular values decreasing), the statistic for H0: rank(Pi) = q uses the
 * directions orthogonal to the first q singular vectors,
 *   A_q = U_2 (L2 x (L2 - q)),  B_q = V_2' (the last p - q right singular vectors),
 *   lambda_q = (B_q kron A_q') vec(Theta),  Omega_q = (B_q kron A_q') Var(vec Theta) (B_q kron A_q')',
 *   rk = lambda_q' Omega_q^-1 lambda_q
 * where Var(vec Theta) = (F kron G) Var(vec Pi) (F kron G)' is the robust (or cluster-robust) covariance of the
 * unrestricted reduced form (the "Wald" version of the statistic; the LM version would use restricted residuals).
 * ranktest writes A_q and B_q with extra non-singular factors (U22^-1 (U22 U22')^1/2 and its V counterpart); the
 * statistic does not depend on them, nor on the choice of G and F up to orthogonal rotations (Cholesky factors in
 * ranktest, symmetric square roots here), since a Wald statistic is invariant to non-singular transformations of
 * its restrictions.
 *
 * ivreg2's weak-identification test is the full-rank test, q = p - 1: B is the single vector v_p of the smallest
 * singular value. Then (B kron A') vec(Theta) = A' Theta v_p = A' G Pi c with c = F' v_p, i.e. the rk statistic is
 * the Wald test of the L2 - p + 1 linear restrictions A'G pi_c = 0 on the coefficients pi_c = Pi c of ONE regression,
 * that of the combination X~ c of the endogenous regressors on Z~, whose residuals are V c. Its covariance is an
 * ordinary sandwich with scores w_i (v_i'c) z~_i, so it is computed by the project's covariance code on n-length
 * columns (no n x pL2 score matrix); only p x p and L2 x L2 algebra remains.
 *
 * Small-sample convention (ivreg2 4.1.11, without or with `small`, which does not change widstat):
 *   robust   rkf = chi2 / N * (N - L) / L2
 *   cluster  rkf = chi2 / (N - 1) * (N - L) * (G - 1) / G / L2
 * with chi2 from the raw HC0 / CR0 covariance and L the first stage's number of parameters. That is chi2 computed
 * with the HC1 covariance n/(n-L) HC0, resp. the Stata cluster covariance (n-1)/(n-L) G/(G-1) CR0 (two-way
 * clustering: the Cameron-Gelbach-Miller sum with G = the smallest number of clusters, as ivreg2's two-way
 * clustering and this project's default convention), divided by L2. With one endogenous regressor it is the
 * first-stage robust Wald F of the excluded instruments. The statistic is a diagnostic with a fixed definition:
 * it does not follow --vcov hc0/hc2/hc3 or --ssc, only whether errors are heteroskedastic or clustered.
 */
import {
  CholeskyDecomposition,
  EigenvalueDecomposition,
  inverse,
  Matrix,
  SingularValueDecomposition,
} from "ml-matrix";
import type { IdVariable } from "../../model/fit.js";
import { crossProducts } from "../../numeric/leastSquares.js";
import { matrixFromSquare } from "../../numeric/matrices.js";
import { computeCovariance } from "../../vcov/registry.js";
import { auxiliaryFit } from "../memoryFit.js";

export interface KleibergenPaapInputs {
  /** Z~: the excluded instruments with the exogenous regressors and fixed effects partialled out (n each). */
  instruments: readonly Float64Array[];
  /** X~'WX~ (p x p), X~ the endogenous regressors partialled out likewise. */
  endogenousCrossProducts: Matrix;
  /** Per endogenous regressor, its first-stage coefficients on the excluded instruments (same order, L2 each). */
  coefficients: readonly Float64Array[];
  /** Per endogenous regressor, its first-stage residuals (n each). */
  residuals: readonly Float64Array[];
  weights: Float64Array | null;
  nobs: number;
  /** Parameters of a first stage as its covariance counts them (kept coefficients plus fixed-effect parameters). */
  k: number;
  /** Cluster variables; none means heteroskedasticity-robust. */
  clusters: readonly IdVariable[];
}

/** The rk Wald F, or NaN when it is not defined (fewer instruments than endogenous regressors, singular pieces). */
export function kleibergenPaapF(inputs: KleibergenPaapInputs): number {
  const { instruments, coefficients, residuals, weights } = inputs;
  const l2 = instruments.length;
  const p = coefficients.length;
  if (p === 0 || l2 < p) return Number.NaN;

  const qzz = matrixFromSquare(crossProducts(instruments, weights), l2);
  const g = symmetricPower(qzz, 0.5);
  const fTransposed = symmetricPower(inputs.endogenousCrossProducts, -0.5);
  if (g === null || fTransposed === null) return Number.NaN;
  const pi = new Matrix(l2, p);
  coefficients.forEach((column, j) => {
    for (let a = 0; a < l2; a++) pi.set(a, j, column[a] as number);
  });
  const theta = g.mmul(pi).mmul(fTransposed);

  // Full-rank test, q = p - 1: the right singular vector of the smallest singular value, and the orthogonal
  // complement of the left singular vectors of the p - 1 largest ones.
  const svd = new SingularValueDecomposition(theta);
  const order = svd.diagonal.map((s, j) => [s, j] as const).sort((x, y) => y[0] - x[0]);
  const smallest = (order[p - 1] as readonly [number, number])[1];
  const vp = svd.rightSingularVectors.getColumnVector(smallest);
  const u1 = order.slice(0, p - 1).map(([, j]) => svd.leftSingularVectors.getColumnVector(j));
  const complement = orthogonalComplement(u1, l2);

  // The combination X~ c, c = F' v_p: its coefficients Pi c and residuals V c.
  const c = fTransposed.mmul(vp);
  const piC = pi.mmul(c);
  const n = inputs.nobs;
  const vC = new Float64Array(n);
  let rss = 0;
  for (let j = 0; j < p; j++) {
    const cj = c.get(j, 0);
    const v = residuals[j] as Float64Array;
    for (let i = 0; i < n; i++) vC[i] = (vC[i] as number) + cj * (v[i] as number);
  }
  for (let i = 0; i < n; i++) rss += (weights ? (weights[i] as number) : 1) * (vC[i] as number) ** 2;

  // Covariance of pi_c with ivreg2's factor: HC1 (robust) or Stata's cluster adjustment, both of which this
  // project's default convention applies, with the first stage's parameter count.
  const clustered = inputs.clusters.length > 0;
  const reducedForm = auxiliaryFit({
    columns: instruments,
    residuals: vC,
    weights,
    bread: inverse(qzz),
    rss,
    nobs: n,
    k: inputs.k,
    ids: inputs.clusters,
  });
  const vcov = computeCovariance(reducedForm, {
    type: clustered ? "cluster" : "hc1",
    cluster: inputs.clusters.map((c) => c.name),
    panel: null,
    lag: null,
    ssc: "fixest",
  }).matrix;

  // Wald statistic of the restrictions R pi_c = 0, R = A'G.
  const r = complement.transpose().mmul(g);
  const lambda = r.mmul(piC);
  const product = r.mmul(vcov).mmul(r.transpose());
  // Symmetric up to rounding; Cholesky wants it exactly symmetric.
  const omega = product.clone().add(product.transpose()).mul(0.5);
  const cholesky = new CholeskyDecomposition(omega);
  if (!cholesky.isPositiveDefinite()) return Number.NaN;
  const chi2 = lambda.transpose().mmul(cholesky.solve(lambda)).get(0, 0);
  return chi2 / l2;
}

/** A^power for a symmetric positive definite A, by its eigendecomposition; null if A is not positive definite. */
function symmetricPower(a: Matrix, power: number): Matrix | null {
  const evd = new EigenvalueDecomposition(a, { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  if (values.some((v) => !(v > 0))) return null;
  const vectors = evd.eigenvectorMatrix;
  const scaled = vectors.clone();
  for (let col = 0; col < values.length; col++) {
    const f = (values[col] as number) ** power;
    for (let row = 0; row < scaled.rows; row++) scaled.set(row, col, scaled.get(row, col) * f);
  }
  return scaled.mmul(vectors.transpose());
}

/**
 * An orthonormal basis (columns) of the complement of the span of orthonormal vectors u (each m x 1): the
 * eigenvectors of the projector I - sum u u' with eigenvalue one.
 */
function orthogonalComplement(u: readonly Matrix[], m: number): Matrix {
  const projector = Matrix.eye(m);
  for (const v of u) projector.sub(v.mmul(v.transpose()));
  const evd = new EigenvalueDecomposition(projector, { assumeSymmetric: true });
  const keep = evd.realEigenvalues.map((v, j) => [v, j] as const).filter(([v]) => v > 0.5);
  const basis = new Matrix(m, keep.length);
  keep.forEach(([, j], col) => {
    for (let row = 0; row < m; row++) basis.set(row, col, evd.eigenvectorMatrix.get(row, j));
  });
  return basis;
}
