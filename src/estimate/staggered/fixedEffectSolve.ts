/**
 * Solving the fixed-effect normal equations for a given right-hand side: find coefficients a (one per level of
 * each fixed effect) with D'WD a = h, and return the fitted values D a per row. The demeaning (src/absorb) solves
 * the same system for h = D'W r with r a column of data; the imputation estimator's variance (imputation.ts) needs
 * it for an h that is not of that form: h = D1' w1, the treated observations' dummies times their target weights
 * (Borusyak, Jaravel and Spiess 2024, eq. (6): v_0 = -Z0 (Z0'Z0)^{-1} Z1' w1). didimputation builds the dummies
 * and inverts Z0'Z0 densely; we never form D.
 *
 * Method: conjugate gradients on the (singular, consistent) system with the Jacobi preconditioner (the weighted
 * level counts). D'WD is positive semi-definite with null space the normalisations (one per extra fixed effect
 * and connected component); h is orthogonal to it whenever every treated observation's levels are connected to
 * untreated ones, which the caller ensures, so CG converges to a solution and D a is unique. Each iteration is two
 * passes over the rows (D a, then D' W (D a)); it stops when the residual norm falls below `tol` times that of h.
 */

import type { FixedEffect } from "../../absorb/fixedEffects.js";
import { estimationError } from "../../errors.js";

export interface FixedEffectSolveResult {
  /** D a per row. */
  fitted: Float64Array;
  iterations: number;
}

/**
 * @param fes fixed effects on the rows (dense ids, no missing)
 * @param weights row weights W (undefined = 1)
 * @param rhs per fixed effect, one value per level (h)
 */
export function solveFixedEffectNormal(
  fes: readonly FixedEffect[],
  weights: Float64Array | undefined,
  rhs: readonly Float64Array[],
  tol = 1e-13,
  maxIter = 20_000,
): FixedEffectSolveResult {
  const Q = fes.length;
  const n = (fes[0] as FixedEffect).ids.length;
  const sizes = fes.map((fe) => fe.nlevels);
  const offsets: number[] = [];
  let total = 0;
  for (const s of sizes) {
    offsets.push(total);
    total += s;
  }
  const ids = fes.map((fe) => fe.ids);
  const h = new Float64Array(total);
  for (let q = 0; q < Q; q++) h.set(rhs[q] as Float64Array, offsets[q] as number);
  // Jacobi preconditioner: weighted level counts.
  const diag = new Float64Array(total);
  for (let q = 0; q < Q; q++) {
    const d = ids[q] as Int32Array;
    const o = offsets[q] as number;
    for (let i = 0; i < n; i++) {
      const j = o + (d[i] as number);
      diag[j] = (diag[j] as number) + (weights ? (weights[i] as number) : 1);
    }
  }
  const apply = (a: Float64Array, out: Float64Array, rowValues: Float64Array) => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let q = 0; q < Q; q++)
        s += a[(offsets[q] as number) + ((ids[q] as Int32Array)[i] as number)] as number;
      rowValues[i] = s;
    }
    out.fill(0);
    for (let q = 0; q < Q; q++) {
      const d = ids[q] as Int32Array;
      const o = offsets[q] as number;
      for (let i = 0; i < n; i++) {
        const j = o + (d[i] as number);
        const v = rowValues[i] as number;
        out[j] = (out[j] as number) + (weights ? (weights[i] as number) * v : v);
      }
    }
  };
  const dot = (a: Float64Array, b: Float64Array) => {
    let s = 0;
    for (let j = 0; j < a.length; j++) s += (a[j] as number) * (b[j] as number);
    return s;
  };
  const x = new Float64Array(total);
  const r = Float64Array.from(h);
  const z = new Float64Array(total);
  const p = new Float64Array(total);
  const Ap = new Float64Array(total);
  const rows = new Float64Array(n);
  const precondition = () => {
    for (let j = 0; j < total; j++)
      z[j] = (diag[j] as number) > 0 ? (r[j] as number) / (diag[j] as number) : 0;
  };
  const hNorm = Math.sqrt(dot(h, h));
  let iterations = 0;
  if (hNorm > 0) {
    precondition();
    p.set(z);
    let rz = dot(r, z);
    for (; iterations < maxIter; iterations++) {
      if (Math.sqrt(dot(r, r)) <= tol * hNorm) break;
      apply(p, Ap, rows);
      const pAp = dot(p, Ap);
      if (!(pAp > 0)) break;
      const alpha = rz / pAp;
      for (let j = 0; j < total; j++) {
        x[j] = (x[j] as number) + alpha * (p[j] as number);
        r[j] = (r[j] as number) - alpha * (Ap[j] as number);
      }
      precondition();
      const rzNew = dot(r, z);
      const beta = rzNew / rz;
      rz = rzNew;
      for (let j = 0; j < total; j++) p[j] = (z[j] as number) + beta * (p[j] as number);
    }
    if (Math.sqrt(dot(r, r)) > 1e-8 * hNorm) {
      throw estimationError(
        "the imputation variance's fixed-effect system did not converge (is every treated observation's unit and period observed untreated?)",
      );
    }
  }
  const fitted = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let q = 0; q < Q; q++)
      s += x[(offsets[q] as number) + ((ids[q] as Int32Array)[i] as number)] as number;
    fitted[i] = s;
  }
  return { fitted, iterations };
}
