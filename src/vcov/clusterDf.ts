/**
 * Satterthwaite (Bell-McCaffrey) degrees of freedom for a t test of a linear combination c'b with a CR2 or CR3
 * covariance, as clubSandwich `coef_test(test = "Satterthwaite")` (one coefficient) and `linear_contrast(test =
 * "Satterthwaite")` (one combination) compute them (read at 0.5.8: R/coef_test.R `Satterthwaite`, R/get_arrays.R
 * `get_GH`, `get_P_array`; Pustejovsky and Tipton 2018, JBES 36(4), eq. (11); Bell and McCaffrey 2002).
 *
 * Under the working model (errors with covariance Theta = I, independent across clusters) c'Vc is a quadratic form
 * in normal errors; matching its first two moments to a scaled chi-square gives df = 2 E^2 / Var = (tr P)^2 /
 * sum P_jk^2, P the J x J matrix of the clusters' contributions:
 *   g_j = c' B E_j                           (the row of the cluster's estimating map; clubSandwich's G_j, Theta = I)
 *   no weights (inverse_var): P_jk = [j = k] g_j g_j' - g_j U_j M_U U_k' g_k'
 *   weights:                  P_jk = [j = k] g_j g_j' + g_j U_j Omega U_k' g_k' - g_j U_j M_U U_k' W_k g_k'
 *                                    - g_k U_k M_U U_j' W_j g_j',   Omega = M_U (U'W^2 U) M_U
 * with U, M_U = (U'WU)^+ the augmented design of clusterHat.ts (Z global, D_j local: U_j M_U U_k' = Z_j M_Z Z_k'
 * + [j = k] D_j M_j D_j').
 */
import { usageError } from "../errors.js";
import type { ClusterHat } from "./clusterHat.js";
import type { SmallSampleClusterResult } from "./smallSampleCluster.js";

export function satterthwaiteDf(result: SmallSampleClusterResult, contrast: ArrayLike<number>): number {
  const { hat, estimating } = result;
  const { k, mZ, z, blocks, weights, mZinv } = hat;
  if (contrast.length !== k) throw usageError(`contrast of length ${contrast.length} for ${k} coefficients`);
  const J = blocks.count;
  const weighted = !result.inverseVariance;
  const gg = new Float64Array(J);
  const alpha: Float64Array[] = [];
  const beta: Float64Array[] = [];
  const localDiag = new Float64Array(J); // [j = k] local terms
  const kappa: Float64Array[] = [];
  for (let j = 0; j < J; j++) {
    const lo = blocks.start[j] as number;
    const nj = (blocks.start[j + 1] as number) - lo;
    const e = estimating[j] as Float64Array;
    const g = new Float64Array(nj);
    for (let p = 0; p < k; p++) {
      const cp = contrast[p] as number;
      if (cp === 0) continue;
      for (let b = 0; b < nj; b++) g[b] = (g[b] as number) + cp * (e[p * nj + b] as number);
    }
    let s = 0;
    for (let b = 0; b < nj; b++) s += (g[b] as number) ** 2;
    gg[j] = s;
    const a = new Float64Array(mZ);
    const bw = weighted ? new Float64Array(mZ) : a;
    for (let b = 0; b < nj; b++) {
      const i = blocks.rows[lo + b] as number;
      const gb = g[b] as number;
      const w = weights ? (weights[i] as number) : 1;
      for (let p = 0; p < mZ; p++) {
        const zp = z[i * mZ + p] as number;
        if (zp === 0) continue;
        a[p] = (a[p] as number) + zp * gb;
        if (weighted) bw[p] = (bw[p] as number) + zp * w * gb;
      }
    }
    alpha.push(a);
    beta.push(bw);
    const loc = hat.local[j];
    if (!loc) {
      kappa.push(new Float64Array(mZ));
      continue;
    }
    const L = loc.levels;
    const gamma = new Float64Array(L);
    const eta = new Float64Array(L);
    for (let b = 0; b < nj; b++) {
      const i = blocks.rows[lo + b] as number;
      const w = weights ? (weights[i] as number) : 1;
      for (let c = 0; c < L; c++) {
        const d = loc.d[b * L + c] as number;
        if (d === 0) continue;
        gamma[c] = (gamma[c] as number) + d * (g[b] as number);
        eta[c] = (eta[c] as number) + d * w * (g[b] as number);
      }
    }
    const psi = matVec(loc.m, L, gamma);
    if (!weighted) {
      localDiag[j] = -dot(gamma, psi);
      kappa.push(new Float64Array(mZ));
      continue;
    }
    // - 2 gamma' M eta (both H1H2 terms) + psi' (D'W^2 D) psi, and kappa = Z_j' W_j^2 D_j psi.
    let dw2d = 0;
    const kap = new Float64Array(mZ);
    for (let b = 0; b < nj; b++) {
      const i = blocks.rows[lo + b] as number;
      const w2 = (weights as Float64Array)[i] as number;
      let dpsi = 0;
      for (let c = 0; c < L; c++) dpsi += (loc.d[b * L + c] as number) * (psi[c] as number);
      dw2d += w2 * w2 * dpsi * dpsi;
      for (let p = 0; p < mZ; p++) kap[p] = (kap[p] as number) + (z[i * mZ + p] as number) * w2 * w2 * dpsi;
    }
    localDiag[j] = dw2d - 2 * dot(psi, eta);
    kappa.push(kap);
  }
  // P (J x J).
  const phi = alpha.map((a) => matVec(mZinv, mZ, a));
  const phiT = weighted ? phi.map((f) => matVec(hat.zW2z as Float64Array, mZ, f)) : phi;
  let trace = 0;
  let sumSq = 0;
  for (let j = 0; j < J; j++) {
    for (let l = 0; l < J; l++) {
      let p: number;
      if (!weighted) {
        p = -dot(alpha[j] as Float64Array, phi[l] as Float64Array);
      } else {
        const h3 =
          dot(phi[j] as Float64Array, phiT[l] as Float64Array) +
          dot(phi[j] as Float64Array, kappa[l] as Float64Array) +
          dot(kappa[j] as Float64Array, phi[l] as Float64Array);
        const h12 = dot(phi[j] as Float64Array, beta[l] as Float64Array);
        const h21 = dot(phi[l] as Float64Array, beta[j] as Float64Array);
        p = h3 - h12 - h21;
      }
      if (j === l) {
        p += (gg[j] as number) + (localDiag[j] as number);
        trace += p;
      }
      sumSq += p * p;
    }
  }
  return (trace * trace) / sumSq;
}

/** Satterthwaite degrees of freedom of each coefficient's t test (clubSandwich coef_test). */
export function coefficientDfs(result: SmallSampleClusterResult): number[] {
  const k = result.hat.k;
  return Array.from({ length: k }, (_, p) => {
    const c = new Float64Array(k);
    c[p] = 1;
    return satterthwaiteDf(result, c);
  });
}

function matVec(m: Float64Array, size: number, v: Float64Array): Float64Array {
  const out = new Float64Array(size);
  for (let r = 0; r < size; r++) {
    let s = 0;
    for (let c = 0; c < size; c++) s += (m[r * size + c] as number) * (v[c] as number);
    out[r] = s;
  }
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

export type { ClusterHat };
