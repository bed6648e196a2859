/**
 * The hat matrix H = U (U'WU)^+ U'W of a clustered regression, in the cluster blocks that the small-sample cluster
 * covariances (CR2, CR3: cr2.ts, cr3.ts) and their Satterthwaite degrees of freedom (clusterDf.ts) need, for a
 * regression whose fixed effects were absorbed.
 *
 * clubSandwich (Pustejovsky; R/clubSandwich.R `vcov_CR`, R/plm.R `augmented_model_matrix.plm`, read at 0.5.8)
 * works with U = [X S]: X the kept design columns (demeaned on the fixed effects for a plm "within" model) and S
 * the fixed-effect dummies it "augments" the design with, so that the CR2 adjustment sees the leverage of the
 * fixed effects (Pustejovsky and Tipton 2018, JBES 36(4), section 3). Which dummies enter S:
 *   plm rule (unweighted, `inverse_var = TRUE`): a fixed effect identical to the clustering is left out (S = NULL,
 *     its leverage does not change CR2: their Theorem 2); for two-way effects with the cluster equal to one of
 *     them, S is the other effect's dummies residualized on the identical one; otherwise all dummies.
 *   lm rule (a `lm(weights =)` fit with explicit dummies, `inverse_var = FALSE`): every dummy is in U.
 * Here U is assembled as [Z | D_N], a W-orthogonal split of the same column space:
 *   Z = [X, S~]: the design columns and, for fixed effects that cross clusters, their dummies residualized (W) on
 *     the nested fixed effects (S~ = M_N D_crossed). Global: a block of H between two clusters comes from Z only.
 *   D_N: dummies of fixed effects nested in the clusters (without the identical ones under the plm rule). Their
 *     rows in cluster j touch only levels inside j, so their part of H is block diagonal and kept per cluster.
 * X is W-orthogonal to every dummy (it is demeaned), S~ to D_N by construction, so (U'WU)^+ is block diagonal:
 * (X'WX)^-1 (the bread), (S~'WS~)^+, and per cluster (D_Nj'W_j D_Nj)^+. H_jk = Z_j M_Z Z_k' W_k + [j = k] D_Nj
 * M_Nj D_Nj' W_j. The span of U equals clubSandwich's in each case above, and H depends only on that span.
 * Weights enter as raw analytic weights: clubSandwich's rescaling of W to mean 1 cancels from every quantity.
 */
import type { Matrix } from "ml-matrix";
import { estimationError } from "../errors.js";
import { pseudoInverseSymmetric } from "../numeric/symmetricMatrix.js";
import {
  type AbsorbedFixedEffect,
  type ClusterBlocks,
  clusterBlocks,
  nestingInClusters,
} from "./clusterBlocks.js";

/** Beyond these sizes the dense n x (k + crossed levels) matrix Z is refused (memory, and O(n m^2) time). */
const MAX_CROSSED_LEVELS = 1500;
const MAX_Z_ENTRIES = 2e7;

/** Which dummies augment the design (see the module comment). */
export type AugmentRule = "none" | "plm" | "lm";

export interface LocalDummies {
  /** Number of local columns L_j. */
  levels: number;
  /** n_j x L_j, row-major, rows in the cluster's block order. */
  d: Float64Array;
  /** (D_j' W_j D_j)^+, L_j x L_j. */
  m: Float64Array;
}

export interface ClusterHat {
  n: number;
  k: number;
  /** Columns of Z: k design columns then the residualized dummies of crossed fixed effects. */
  mZ: number;
  blocks: ClusterBlocks;
  /** Z, n x mZ row-major (row i = observation i). */
  z: Float64Array;
  /** (Z'WZ)^+ = blockdiag(bread, (S~'WS~)^+), mZ x mZ. */
  mZinv: Float64Array;
  weights: Float64Array | null;
  /** Per cluster, the nested fixed effects' dummies (null when there are none). */
  local: (LocalDummies | null)[];
  /** Z'W^2 Z (weighted case only: clubSandwich's non-inverse-variance formulas need it). */
  zW2z: Float64Array | null;
  /** What entered U, for the caller's notes: fixed effect name -> "identical" | "nested" | "crossed" | "left out". */
  fixedEffects: { name: string; nesting: string; inU: boolean }[];
}

export interface ClusterHatInputs {
  columns: readonly Float64Array[];
  weights: Float64Array | null;
  bread: Matrix;
  clusterIds: Int32Array;
  clusterCount: number;
  fixedEffects?: readonly AbsorbedFixedEffect[];
}

export function buildClusterHat(inputs: ClusterHatInputs, rule: AugmentRule): ClusterHat {
  const { columns, weights, bread, clusterIds, clusterCount } = inputs;
  const k = columns.length;
  const n = clusterIds.length;
  const blocks = clusterBlocks(clusterIds, clusterCount);
  const fes = rule === "none" ? [] : (inputs.fixedEffects ?? []);
  const nesting = fes.map((fe) => nestingInClusters(fe, clusterIds, clusterCount));
  const nestedAll = fes.filter((_, q) => nesting[q] !== "crossed");
  const nestedInU = fes.filter(
    (_, q) => nesting[q] === "nested" || (nesting[q] === "identical" && rule === "lm"),
  );
  const crossed = fes.filter((_, q) => nesting[q] === "crossed");
  const crossedLevels = crossed.reduce((s, fe) => s + fe.nlevels, 0);
  if (crossedLevels > MAX_CROSSED_LEVELS || n * (k + crossedLevels) > MAX_Z_ENTRIES) {
    throw estimationError(
      `small-sample cluster covariance: fixed effect${crossed.length > 1 ? "s" : ""} ${crossed.map((f) => `'${f.name}'`).join(", ")} cross the clusters with ${crossedLevels} levels in all; their leverage needs a dense ${n} x ${k + crossedLevels} matrix (limit ${MAX_CROSSED_LEVELS} levels, ${MAX_Z_ENTRIES} entries)`,
    );
  }
  const mZ = k + crossedLevels;
  const z = new Float64Array(n * mZ);
  for (let j = 0; j < k; j++) {
    const x = columns[j] as Float64Array;
    for (let i = 0; i < n; i++) z[i * mZ + j] = x[i] as number;
  }
  // Crossed dummies, then residualized on the nested fixed effects cluster by cluster.
  let offset = k;
  for (const fe of crossed) {
    for (let i = 0; i < n; i++) z[i * mZ + offset + (fe.ids[i] as number)] = 1;
    offset += fe.nlevels;
  }
  const local: (LocalDummies | null)[] = [];
  for (let g = 0; g < clusterCount; g++) {
    const lo = blocks.start[g] as number;
    const hi = blocks.start[g + 1] as number;
    const rows = blocks.rows.subarray(lo, hi);
    if (crossed.length > 0 && nestedAll.length > 0) {
      const all = localDummies(rows, nestedAll, weights);
      residualizeLocal(z, mZ, k, rows, all, weights);
    }
    local.push(nestedInU.length > 0 ? localDummies(rows, nestedInU, weights) : null);
  }
  const mZinv = new Float64Array(mZ * mZ);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) mZinv[a * mZ + b] = bread.get(a, b);
  if (crossedLevels > 0) {
    const s = crossedLevels;
    const sws = new Float64Array(s * s);
    for (let i = 0; i < n; i++) {
      const w = weights ? (weights[i] as number) : 1;
      const base = i * mZ + k;
      for (let a = 0; a < s; a++) {
        const za = (z[base + a] as number) * w;
        if (za === 0) continue;
        for (let b = 0; b <= a; b++)
          sws[a * s + b] = (sws[a * s + b] as number) + za * (z[base + b] as number);
      }
    }
    for (let a = 0; a < s; a++) for (let b = 0; b < a; b++) sws[b * s + a] = sws[a * s + b] as number;
    const inv = pseudoInverseSymmetric(sws, s, 1e-11);
    for (let a = 0; a < s; a++)
      for (let b = 0; b < s; b++) mZinv[(k + a) * mZ + k + b] = inv[a * s + b] as number;
  }
  let zW2z: Float64Array | null = null;
  if (weights) {
    zW2z = new Float64Array(mZ * mZ);
    for (let i = 0; i < n; i++) {
      const w2 = (weights[i] as number) ** 2;
      const base = i * mZ;
      for (let a = 0; a < mZ; a++) {
        const za = (z[base + a] as number) * w2;
        if (za === 0) continue;
        for (let b = 0; b <= a; b++)
          zW2z[a * mZ + b] = (zW2z[a * mZ + b] as number) + za * (z[base + b] as number);
      }
    }
    for (let a = 0; a < mZ; a++) for (let b = 0; b < a; b++) zW2z[b * mZ + a] = zW2z[a * mZ + b] as number;
  }
  return {
    n,
    k,
    mZ,
    blocks,
    z,
    mZinv,
    weights,
    local,
    zW2z,
    fixedEffects: fes.map((fe, q) => ({
      name: fe.name,
      nesting: nesting[q] as string,
      inU: nesting[q] !== "identical" || rule === "lm",
    })),
  };
}

/** The nested fixed effects' dummies on one cluster's rows (only the levels present) and (D'WD)^+. */
function localDummies(
  rows: Int32Array,
  fes: readonly AbsorbedFixedEffect[],
  weights: Float64Array | null,
): LocalDummies {
  const nj = rows.length;
  const maps = fes.map(() => new Map<number, number>());
  let levels = 0;
  const cols = new Int32Array(nj * fes.length);
  fes.forEach((fe, q) => {
    const map = maps[q] as Map<number, number>;
    for (let a = 0; a < nj; a++) {
      const level = fe.ids[rows[a] as number] as number;
      let col = map.get(level);
      if (col === undefined) {
        col = levels++;
        map.set(level, col);
      }
      cols[a * fes.length + q] = col;
    }
  });
  const d = new Float64Array(nj * levels);
  for (let a = 0; a < nj; a++)
    for (let q = 0; q < fes.length; q++) d[a * levels + (cols[a * fes.length + q] as number)] = 1;
  const dwd = new Float64Array(levels * levels);
  for (let a = 0; a < nj; a++) {
    const w = weights ? (weights[rows[a] as number] as number) : 1;
    for (let q = 0; q < fes.length; q++) {
      const c1 = cols[a * fes.length + q] as number;
      for (let p = 0; p < fes.length; p++) {
        const c2 = cols[a * fes.length + p] as number;
        dwd[c1 * levels + c2] = (dwd[c1 * levels + c2] as number) + w;
      }
    }
  }
  let m: Float64Array;
  if (fes.length === 1) {
    m = new Float64Array(levels * levels);
    for (let c = 0; c < levels; c++) m[c * levels + c] = 1 / (dwd[c * levels + c] as number);
  } else {
    m = pseudoInverseSymmetric(dwd, levels, 1e-11);
  }
  return { levels, d, m };
}

/** z[rows, k..mZ) <- (I - D M D'W) z[rows, k..mZ): the crossed dummies residualized on the nested ones. */
function residualizeLocal(
  z: Float64Array,
  mZ: number,
  k: number,
  rows: Int32Array,
  nested: LocalDummies,
  weights: Float64Array | null,
): void {
  const nj = rows.length;
  const L = nested.levels;
  const s = mZ - k;
  // t = D' W S (L x s), then S -= D M t.
  const t = new Float64Array(L * s);
  for (let a = 0; a < nj; a++) {
    const i = rows[a] as number;
    const w = weights ? (weights[i] as number) : 1;
    for (let c = 0; c < L; c++) {
      const dac = (nested.d[a * L + c] as number) * w;
      if (dac === 0) continue;
      for (let l = 0; l < s; l++)
        t[c * s + l] = (t[c * s + l] as number) + dac * (z[i * mZ + k + l] as number);
    }
  }
  const mt = new Float64Array(L * s);
  for (let c = 0; c < L; c++) {
    for (let e = 0; e < L; e++) {
      const mce = nested.m[c * L + e] as number;
      if (mce === 0) continue;
      for (let l = 0; l < s; l++) mt[c * s + l] = (mt[c * s + l] as number) + mce * (t[e * s + l] as number);
    }
  }
  for (let a = 0; a < nj; a++) {
    const i = rows[a] as number;
    for (let c = 0; c < L; c++) {
      const dac = nested.d[a * L + c] as number;
      if (dac === 0) continue;
      for (let l = 0; l < s; l++)
        z[i * mZ + k + l] = (z[i * mZ + k + l] as number) - dac * (mt[c * s + l] as number);
    }
  }
}

/**
 * H_jj and its relatives in factored form for cluster g: U_j = [Z_j, D_j] (n_j x r, row-major) and
 * M = blockdiag(M_Z, M_j) = (U'WU)^+ restricted to the columns cluster g touches, so H_jk = U_j M U_k' W_k; with
 * weights also Omega_j = M (U'W^2U)_{g} M over the same columns, where the Z-block of U'W^2U is the global
 * Z'W^2Z and the blocks touching D_j are cluster g's own rows, so that sum_k H_jk H_jk' = U_j Omega_j U_j'.
 */
export interface ClusterHatFactors {
  r: number;
  u: Float64Array;
  m: Float64Array;
  omega: Float64Array | null;
}

export function clusterHatFactors(hat: ClusterHat, g: number): ClusterHatFactors {
  const { mZ, z, mZinv, blocks, weights } = hat;
  const lo = blocks.start[g] as number;
  const nj = (blocks.start[g + 1] as number) - lo;
  const loc = hat.local[g];
  const L = loc ? loc.levels : 0;
  const r = mZ + L;
  const u = new Float64Array(nj * r);
  for (let a = 0; a < nj; a++) {
    const i = blocks.rows[lo + a] as number;
    for (let p = 0; p < mZ; p++) u[a * r + p] = z[i * mZ + p] as number;
    if (loc) for (let c = 0; c < L; c++) u[a * r + mZ + c] = loc.d[a * L + c] as number;
  }
  const m = new Float64Array(r * r);
  for (let p = 0; p < mZ; p++) for (let q = 0; q < mZ; q++) m[p * r + q] = mZinv[p * mZ + q] as number;
  if (loc)
    for (let c = 0; c < L; c++)
      for (let e = 0; e < L; e++) m[(mZ + c) * r + mZ + e] = loc.m[c * L + e] as number;
  if (!weights) return { r, u, m, omega: null };
  // (U'W^2U)_g: global Z'W^2Z, and this cluster's rows for the blocks with D_j.
  const uw2u = new Float64Array(r * r);
  const zW2z = hat.zW2z as Float64Array;
  for (let p = 0; p < mZ; p++) for (let q = 0; q < mZ; q++) uw2u[p * r + q] = zW2z[p * mZ + q] as number;
  if (loc) {
    for (let a = 0; a < nj; a++) {
      const w2 = (weights[blocks.rows[lo + a] as number] as number as number) ** 2;
      for (let c = 0; c < L; c++) {
        const dc = u[a * r + mZ + c] as number;
        if (dc === 0) continue;
        for (let q = 0; q < r; q++) {
          const v = w2 * dc * (u[a * r + q] as number);
          uw2u[(mZ + c) * r + q] = (uw2u[(mZ + c) * r + q] as number) + v;
          if (q < mZ) uw2u[q * r + mZ + c] = (uw2u[q * r + mZ + c] as number) + v;
        }
      }
    }
  }
  const omega = multiply(multiply(m, uw2u, r, r, r), m, r, r, r);
  return { r, u, m, omega };
}

/** Row-major product of (ar x ac) and (ac x bc). */
export function multiply(a: Float64Array, b: Float64Array, ar: number, ac: number, bc: number): Float64Array {
  const out = new Float64Array(ar * bc);
  for (let i = 0; i < ar; i++) {
    for (let l = 0; l < ac; l++) {
      const v = a[i * ac + l] as number;
      if (v === 0) continue;
      for (let j = 0; j < bc; j++)
        out[i * bc + j] = (out[i * bc + j] as number) + v * (b[l * bc + j] as number);
    }
  }
  return out;
}
