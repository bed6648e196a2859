/**
 * Powers of small dense symmetric matrices through their eigendecomposition (ml-matrix's tred2/tql2, JAMA's
 * symmetric QR), as R's `eigen(x, symmetric = TRUE)` is used by clubSandwich's `matrix_power` (R/matrix-functions.R):
 * eigenvalues at or below a tolerance count as zero, so a power of -1 or -1/2 is the Moore-Penrose one.
 * Matrices are row-major Float64Arrays of m x m.
 */
import { EigenvalueDecomposition, Matrix, QrDecomposition } from "ml-matrix";

export interface PowerTolerance {
  /** Eigenvalues <= absolute are zeroed (clubSandwich: 1e-12). */
  absolute?: number;
  /** Eigenvalues <= relative x the largest |eigenvalue| are zeroed. */
  relative?: number;
}

/** V diag(f(lambda)) V' for the symmetric part of `a`, f(l) = l^power above the tolerance and 0 below it. */
export function symmetricPower(a: Float64Array, m: number, power: number, tol: PowerTolerance): Float64Array {
  const out = new Float64Array(m * m);
  if (m === 0) return out;
  const sym = new Matrix(m, m);
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < m; c++) sym.set(r, c, 0.5 * ((a[r * m + c] as number) + (a[c * m + r] as number)));
  }
  const eig = new EigenvalueDecomposition(sym, { assumeSymmetric: true });
  const lambda = eig.realEigenvalues;
  const v = eig.eigenvectorMatrix;
  let largest = 0;
  for (const l of lambda) largest = Math.max(largest, Math.abs(l));
  const cutoff = Math.max(tol.absolute ?? 0, (tol.relative ?? 0) * largest);
  const f = lambda.map((l) => (l > cutoff ? l ** power : 0));
  const vt = v.transpose().to2DArray();
  for (let q = 0; q < m; q++) {
    const fq = f[q] as number;
    if (fq === 0) continue;
    const vq = vt[q] as number[];
    for (let r = 0; r < m; r++) {
      const s = fq * (vq[r] as number);
      if (s === 0) continue;
      const row = r * m;
      for (let c = 0; c < m; c++) out[row + c] = (out[row + c] as number) + s * (vq[c] as number);
    }
  }
  return out;
}

/** Moore-Penrose inverse of a symmetric positive semi-definite matrix (eigenvalues below tolerance dropped). */
export function pseudoInverseSymmetric(a: Float64Array, m: number, relative = 1e-12): Float64Array {
  return symmetricPower(a, m, -1, { relative });
}

/**
 * A power of G = I + B K B' (n x n; B n x r, K r x r symmetric, r small) without forming G: G differs from the
 * identity only on the span of B, so with B = Q R (thin QR, Q n x r orthonormal) G = I + Q (R K R') Q' and
 * G^p = I + Q ((I + R K R')^p - I) Q'. Returns Q and F = (I + R K R')^p - I, with G^p = I + Q F Q'. Eigenvalues of
 * G at or below the tolerance count as zero (as in symmetricPower); those off the span of B are exactly 1. When
 * n <= r, G is formed and Q is the identity.
 */
export function identityPlusLowRankPower(
  b: Float64Array,
  n: number,
  r: number,
  kernel: Float64Array,
  power: number,
  tol: PowerTolerance,
): { q: Float64Array; f: Float64Array; cols: number } {
  if (n <= r) {
    const bk = new Float64Array(n * r);
    for (let i = 0; i < n; i++) {
      for (let l = 0; l < r; l++) {
        const v = b[i * r + l] as number;
        if (v === 0) continue;
        for (let j = 0; j < r; j++)
          bk[i * r + j] = (bk[i * r + j] as number) + v * (kernel[l * r + j] as number);
      }
    }
    const g = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = i === j ? 1 : 0;
        for (let l = 0; l < r; l++) s += (bk[i * r + l] as number) * (b[j * r + l] as number);
        g[i * n + j] = s;
      }
    }
    const f = symmetricPower(g, n, power, tol);
    for (let i = 0; i < n; i++) f[i * n + i] = (f[i * n + i] as number) - 1;
    const q = new Float64Array(n * n);
    for (let i = 0; i < n; i++) q[i * n + i] = 1;
    return { q, f, cols: n };
  }
  const bm = new Matrix(n, r);
  for (let i = 0; i < n; i++) for (let l = 0; l < r; l++) bm.set(i, l, b[i * r + l] as number);
  const qr = new QrDecomposition(bm);
  const qm = qr.orthogonalMatrix;
  const rm = qr.upperTriangularMatrix;
  const km = new Matrix(r, r);
  for (let l = 0; l < r; l++) for (let j = 0; j < r; j++) km.set(l, j, kernel[l * r + j] as number);
  const s = rm.mmul(km).mmul(rm.transpose());
  const sf = new Float64Array(r * r);
  for (let l = 0; l < r; l++) for (let j = 0; j < r; j++) sf[l * r + j] = s.get(l, j) + (l === j ? 1 : 0);
  const f = symmetricPower(sf, r, power, tol);
  for (let l = 0; l < r; l++) f[l * r + l] = (f[l * r + l] as number) - 1;
  const q = new Float64Array(n * r);
  for (let i = 0; i < n; i++) for (let l = 0; l < r; l++) q[i * r + l] = qm.get(i, l);
  return { q, f, cols: r };
}
