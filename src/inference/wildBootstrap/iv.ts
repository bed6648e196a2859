/**
 * Wild restricted efficient (WRE) cluster bootstrap for 2SLS, Davidson and MacKinnon (2010, JBES 28(1), "Wild
 * bootstrap tests for IV regression"), as boottest/WildBootTests.jl run it for `ivreg` (Roodman et al. 2019,
 * section 4; WildBootTests.jl src/estimators.jl EstimateIV!, MakeResidualsIV!; fwildclusterboot's boottest.ivreg
 * calls WildBootTests.jl, so there is no R implementation to compare with: tests use brute-force R refits).
 *
 * Model: y = Z b + u, Z = [regressors] with some endogenous (Y), instruments X = [exogenous regressors, excluded
 * instruments], 2SLS with analytic weights W. For the null R b = r:
 *   1. restricted 2SLS: b~ = b - H^-1 R'(R H^-1 R')^-1 (R b - r), H = Z'W P_X Z; u~ = y - Z b~;
 *   2. the endogenous regressors' reduced form, estimated efficiently under the null: regress each Y on [X, u~]
 *      (weighted OLS), Pi~ the coefficients of X, U~ = Y - X Pi~ ("regressing Y2 on X while controlling for y1
 *      residuals", MakeResidualsIV!);
 *   3. bootstrap samples Y* = X Pi~ + U~ (.) v, y* = Y* b~_Y + X_exog b~_X + u~ (.) v (same v_g in both equations);
 *   4. 2SLS on (y*, Z* = [.., Y*, ..], X) and the cluster-robust t statistic of R b* = r (structural residuals
 *      y* - Z* b*, scores from the projected regressors P_X Z*), small-sample factors as in ols.ts.
 * The unrestricted variant (WRU, type "wcu") uses b~ = b and centres at R b. v = 1 reproduces the data, hence the
 * original statistic.
 *
 * Cost. Every quantity of a draw is a function of X'W-weighted sums: per bootstrap cluster g, X_g'W_g of the
 * error columns, and per covariance cluster c, X_c'W_c X_c and the (c, g) cross-tabulated sums. The error columns
 * are linear in a fixed basis [a, b, Y, X] (u~ = a + b r; U~ = Y - X Pi~; u~ + U~ b~_Y), so those sums are
 * formed once (one pass over the rows) and every null value r costs only O(cells x kX) setup plus O(C kX^2 + G kX
 * kY) per draw: test inversion re-runs the draws at each trial r (the WRE DGP depends on r non-linearly, through
 * Pi~), with the same draws.
 *
 * Fixed effects: inputs demeaned on them (FWL holds for 2SLS with the fixed effects among the instruments). As for
 * OLS (ols.ts), the bootstrap errors' fixed-effect fit P_D (e (.) v) matters unless every fixed effect is nested
 * in the bootstrap clusters; when one is not, the cross-tabulated sums are taken of M_D (basis column (.) 1_g),
 * with (2 + kY + kX) G demeaned columns.
 */
import { inverse, Matrix, solve } from "ml-matrix";
import { estimationError, usageError } from "../../errors.js";
import type { IdVariable as ClusterVariable } from "../../model/fit.js";
import { intersectIds } from "../../numeric/intersectIds.js";
import { nestingInClusters } from "../../vcov/clusterBlocks.js";
import { bootstrapPValues, invertPValue } from "./inference.js";
import { type ClusterTerm, clusterTerms } from "./ols.js";
import type {
  BootFixedEffects,
  BootSmallSample,
  Hypothesis,
  WildBootstrapOptions,
  WildBootstrapResult,
} from "./types.js";
import { drawPlan } from "./weights.js";

export interface IvBootstrapInputs {
  /** Structural regressors in the model's coefficient order, each with whether it is endogenous. */
  regressors: readonly { column: Float64Array; endogenous: boolean }[];
  /** Excluded instruments (the exogenous regressors are instruments too; do not repeat them here). */
  instruments: readonly Float64Array[];
  response: Float64Array;
  weights: Float64Array | null;
  clusters: readonly ClusterVariable[];
  /** Default: the intersection of `clusters`. */
  bootCluster?: ClusterVariable;
  fixedEffects?: BootFixedEffects;
  smallSample?: BootSmallSample;
}

const DEMEAN_BATCH = 16;
/** Bisection tolerance of the interval, in standard errors (each trial r re-runs the bootstrap). */
const IV_INTERVAL_TOL = 1e-7;

/** One covariance-cluster x bootstrap-cluster cell: X_c'W_c M_D (basis (.) 1_g) restricted to c, kX x m. */
interface Cells {
  c: Int32Array;
  g: Int32Array;
  /** cells x kX x m, row-major per cell. */
  sums: Float64Array;
}

interface PreparedIv {
  n: number;
  k: number;
  kX: number;
  kY: number;
  /** Position in Z of each endogenous regressor, and of each exogenous one (in X, the first kExog columns). */
  endoAt: number[];
  exogAt: number[];
  z: Float64Array[];
  x: Float64Array[];
  y: Float64Array;
  w: Float64Array | null;
  terms: ClusterTerm[];
  boot: ClusterVariable;
  sXX: Matrix;
  sXXinv: Matrix;
  /** X'WZ (kX x k), X'Wy (kX). */
  sXZ: Matrix;
  sXy: Float64Array;
  /** The 2SLS estimate and H^-1. */
  beta: Float64Array;
  hInv: Matrix;
  /** Per term: F_c = X_c'W_c X_c (C x kX x kX). */
  fc: Float64Array[];
  /** Basis columns m = 2 + kY + kX: [a, b, Y_1..kY, X_1..kX] where u~(r) = a + b r. Set per hypothesis. */
  demean: ((cols: Float64Array[]) => Float64Array[]) | null;
}

function weightedCross(
  a: readonly Float64Array[],
  b: readonly Float64Array[],
  w: Float64Array | null,
): Matrix {
  const out = new Matrix(a.length, b.length);
  const n = (a[0] ?? b[0] ?? new Float64Array(0)).length;
  for (let p = 0; p < a.length; p++) {
    const ap = a[p] as Float64Array;
    for (let q = 0; q < b.length; q++) {
      const bq = b[q] as Float64Array;
      let s = 0;
      for (let i = 0; i < n; i++) s += (w ? (w[i] as number) : 1) * (ap[i] as number) * (bq[i] as number);
      out.set(p, q, s);
    }
  }
  return out;
}

function prepareIv(inputs: IvBootstrapInputs): PreparedIv {
  const { regressors, instruments, response: y, weights: w } = inputs;
  const n = y.length;
  const k = regressors.length;
  const z = regressors.map((r) => r.column);
  const endoAt = regressors.flatMap((r, j) => (r.endogenous ? [j] : []));
  const exogAt = regressors.flatMap((r, j) => (r.endogenous ? [] : [j]));
  if (endoAt.length === 0) throw usageError("the WRE bootstrap is for IV models: no endogenous regressor");
  const x = [...exogAt.map((j) => z[j] as Float64Array), ...instruments];
  const kX = x.length;
  if (kX < k) throw estimationError(`under-identified: ${kX} instruments for ${k} coefficients`);
  const sXX = weightedCross(x, x, w);
  const sXXinv = inverse(sXX);
  const sXZ = weightedCross(x, z, w);
  const sXy = Float64Array.from(weightedCross(x, [y], w).getColumn(0));
  const piXZ = sXXinv.mmul(sXZ); // kX x k
  const h = sXZ.transpose().mmul(piXZ); // Z'W P Z
  const hInv = inverse(h);
  const beta = Float64Array.from(
    hInv
      .mmul(piXZ.transpose())
      .mmul(Matrix.columnVector(Array.from(sXy)))
      .getColumn(0),
  );
  const ssc = inputs.smallSample ?? { adjustment: (n - 1) / (n - k), clusterDf: "conventional" as const };
  const terms = clusterTerms(inputs.clusters, n, ssc);
  const boot =
    inputs.bootCluster ??
    (inputs.clusters.length === 1 ? (inputs.clusters[0] as ClusterVariable) : intersectIds(inputs.clusters));
  if (boot.count < 2)
    throw estimationError(`cannot bootstrap by '${boot.name}': it has ${boot.count} cluster`);
  const fc = terms.map((term) => {
    const C = term.cluster.count;
    const out = new Float64Array(C * kX * kX);
    for (let i = 0; i < n; i++) {
      const base = (term.cluster.ids[i] as number) * kX * kX;
      const wi = w ? (w[i] as number) : 1;
      for (let p = 0; p < kX; p++) {
        const xp = wi * ((x[p] as Float64Array)[i] as number);
        for (let q = 0; q < kX; q++)
          out[base + p * kX + q] =
            (out[base + p * kX + q] as number) + xp * ((x[q] as Float64Array)[i] as number);
      }
    }
    return out;
  });
  const fe = inputs.fixedEffects;
  const crossed = fe
    ? fe.effects.some((f) => nestingInClusters(f, boot.ids, boot.count) === "crossed")
    : false;
  return {
    n,
    k,
    kX,
    kY: endoAt.length,
    endoAt,
    exogAt,
    z,
    x,
    y,
    w,
    terms,
    boot,
    sXX,
    sXXinv,
    sXZ,
    sXy,
    beta,
    hInv,
    fc,
    demean: crossed && fe ? fe.demean : null,
  };
}

/** The (c, g) cells of X_c'W_c M_D (basis_j (.) 1_g) for every term, basis = [a, b, Y, X]. */
function basisCells(prep: PreparedIv, a: Float64Array, b: Float64Array): Cells[] {
  const { n, kX, terms, boot, x, w } = prep;
  const basis = [a, b, ...prep.endoAt.map((j) => prep.z[j] as Float64Array), ...x];
  const m = basis.length;
  const G = boot.count;
  if (!prep.demean) {
    return terms.map((term) => {
      const index = new Map<number, number>();
      const cs: number[] = [];
      const gs: number[] = [];
      const cellOf = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const key = (term.cluster.ids[i] as number) * G + (boot.ids[i] as number);
        let at = index.get(key);
        if (at === undefined) {
          at = cs.length;
          index.set(key, at);
          cs.push(term.cluster.ids[i] as number);
          gs.push(boot.ids[i] as number);
        }
        cellOf[i] = at;
      }
      const sums = new Float64Array(cs.length * kX * m);
      for (let i = 0; i < n; i++) {
        const base = (cellOf[i] as number) * kX * m;
        const wi = w ? (w[i] as number) : 1;
        for (let p = 0; p < kX; p++) {
          const xp = wi * ((x[p] as Float64Array)[i] as number);
          for (let j = 0; j < m; j++)
            sums[base + p * m + j] =
              (sums[base + p * m + j] as number) + xp * ((basis[j] as Float64Array)[i] as number);
        }
      }
      return { c: Int32Array.from(cs), g: Int32Array.from(gs), sums };
    });
  }
  // Dense cells with the fixed-effect projection of each basis column restricted to each bootstrap cluster.
  const demean = prep.demean;
  const cells = terms.map((term) => {
    const C = term.cluster.count;
    const c = new Int32Array(C * G);
    const g = new Int32Array(C * G);
    for (let cc = 0; cc < C; cc++) {
      for (let gg = 0; gg < G; gg++) {
        c[cc * G + gg] = cc;
        g[cc * G + gg] = gg;
      }
    }
    return { c, g, sums: new Float64Array(C * G * kX * m) };
  });
  const jobs: { j: number; g: number }[] = [];
  for (let j = 0; j < m; j++) for (let gg = 0; gg < G; gg++) jobs.push({ j, g: gg });
  for (let start = 0; start < jobs.length; start += DEMEAN_BATCH) {
    const batch = jobs.slice(start, start + DEMEAN_BATCH);
    const cols = batch.map(({ j, g }) => {
      const col = new Float64Array(n);
      const src = basis[j] as Float64Array;
      for (let i = 0; i < n; i++) if (boot.ids[i] === g) col[i] = src[i] as number;
      return col;
    });
    const demeaned = demean(cols);
    batch.forEach(({ j, g }, t) => {
      const dm = demeaned[t] as Float64Array;
      terms.forEach((term, ti) => {
        const sums = (cells[ti] as Cells).sums;
        for (let i = 0; i < n; i++) {
          const v = dm[i] as number;
          if (v === 0) continue;
          const base = ((term.cluster.ids[i] as number) * G + g) * kX * m;
          const wi = w ? (w[i] as number) : 1;
          for (let p = 0; p < kX; p++)
            sums[base + p * m + j] =
              (sums[base + p * m + j] as number) + wi * ((x[p] as Float64Array)[i] as number) * v;
        }
      });
    });
  }
  return cells;
}

/** The per-draw statistics t*(r) (index 0: v = 1, the original) for one null value. */
function ivStatistics(
  prep: PreparedIv,
  R: ArrayLike<number>,
  r: number,
  restricted: boolean,
  cellsAll: Cells[],
  sums: {
    aa: number;
    ab: number;
    bb: number;
    xa: Float64Array;
    xb: Float64Array;
    ay: Float64Array;
    by: Float64Array;
    xy: Matrix;
  },
  beta0: Float64Array,
  beta1: Float64Array,
  options: WildBootstrapOptions,
): { stars: Float64Array; draws: number; enumerated: boolean } {
  const { k, kX, kY, terms, boot, sXX, sXXinv, sXZ } = prep;
  const m = 2 + kY + kX;
  const G = boot.count;
  // b~(r), u~ = a + b r.
  const bt = new Float64Array(k);
  for (let p = 0; p < k; p++) bt[p] = (beta0[p] as number) + (restricted ? (beta1[p] as number) * r : 0);
  const rr = restricted ? r : 0;
  // Pi~: regress Y on [X, u~]: [[S_XX, S_Xu], [S_Xu', S_uu]] [Pi; d] = [S_XY; S_uY].
  const big = new Matrix(kX + 1, kX + 1);
  for (let p = 0; p < kX; p++) {
    for (let q = 0; q < kX; q++) big.set(p, q, sXX.get(p, q));
    const xu = (sums.xa[p] as number) + rr * (sums.xb[p] as number);
    big.set(p, kX, xu);
    big.set(kX, p, xu);
  }
  big.set(kX, kX, sums.aa + 2 * rr * sums.ab + rr * rr * sums.bb);
  const rhs = new Matrix(kX + 1, kY);
  for (let j = 0; j < kY; j++) {
    for (let p = 0; p < kX; p++) rhs.set(p, j, sums.xy.get(p, j));
    rhs.set(kX, j, (sums.ay[j] as number) + rr * (sums.by[j] as number));
  }
  const sol = solve(big, rhs);
  const pi = new Matrix(kX, kY);
  for (let p = 0; p < kX; p++) for (let j = 0; j < kY; j++) pi.set(p, j, sol.get(p, j));
  const bY = prep.endoAt.map((j) => bt[j] as number);
  // Coefficients on the basis [a, b, Y, X] of u1* = u~ + U~ bY and of U~_j = Y_j - X Pi_j.
  const c1 = new Float64Array(m);
  c1[0] = 1;
  c1[1] = rr;
  for (let j = 0; j < kY; j++) c1[2 + j] = bY[j] as number;
  for (let p = 0; p < kX; p++) {
    let s = 0;
    for (let j = 0; j < kY; j++) s += pi.get(p, j) * (bY[j] as number);
    c1[2 + kY + p] = -s;
  }
  // gamma: X-coefficients of the mean of y*: Pi bY + E bX.
  const gamma = new Float64Array(kX);
  for (let p = 0; p < kX; p++) {
    let s = 0;
    for (let j = 0; j < kY; j++) s += pi.get(p, j) * (bY[j] as number);
    gamma[p] = s;
  }
  prep.exogAt.forEach((zj, p) => {
    gamma[p] = (gamma[p] as number) + (bt[zj] as number);
  });
  // Per cell: e1 = K c1 (kX), e2_j = K c2_j (kX x kY); per bootstrap cluster totals from the first term's cells.
  const cellVectors = cellsAll.map((cells) => {
    const count = cells.c.length;
    const e1 = new Float64Array(count * kX);
    const e2 = new Float64Array(count * kX * kY);
    for (let e = 0; e < count; e++) {
      const base = e * kX * m;
      for (let p = 0; p < kX; p++) {
        const row = base + p * m;
        let s = 0;
        for (let j = 0; j < m; j++) s += (cells.sums[row + j] as number) * (c1[j] as number);
        e1[e * kX + p] = s;
        for (let j = 0; j < kY; j++) {
          let t = cells.sums[row + 2 + j] as number;
          for (let q = 0; q < kX; q++) t -= (cells.sums[row + 2 + kY + q] as number) * pi.get(q, j);
          e2[(e * kX + p) * kY + j] = t;
        }
      }
    }
    return { e1, e2 };
  });
  const first = cellVectors[0] as { e1: Float64Array; e2: Float64Array };
  const firstCells = cellsAll[0] as Cells;
  const g1 = new Float64Array(G * kX);
  const g2 = new Float64Array(G * kX * kY);
  for (let e = 0; e < firstCells.c.length; e++) {
    const g = firstCells.g[e] as number;
    for (let p = 0; p < kX; p++) {
      g1[g * kX + p] = (g1[g * kX + p] as number) + (first.e1[e * kX + p] as number);
      for (let j = 0; j < kY; j++)
        g2[(g * kX + p) * kY + j] =
          (g2[(g * kX + p) * kY + j] as number) + (first.e2[(e * kX + p) * kY + j] as number);
    }
  }
  const sXXgamma = sXX.mmul(Matrix.columnVector(Array.from(gamma))).getColumn(0);
  const sXXpi = sXX.mmul(pi);
  const plan = drawPlan(options.weights ?? "rademacher", G, options.reps, options.seed);
  const draws = plan.draws + 1;
  const stars = new Float64Array(draws);
  const v = new Float64Array(G);
  const xy = new Float64Array(kX);
  const xz = new Matrix(kX, k);
  const centre = restricted ? r : sumProduct(R, prep.beta);
  for (let d = 0; d < draws; d++) {
    if (d === 0) v.fill(1);
    else plan.fill(d - 1, v);
    // X'W y* and X'W Z*.
    for (let p = 0; p < kX; p++) {
      let s = sXXgamma[p] as number;
      for (let g = 0; g < G; g++) s += (v[g] as number) * (g1[g * kX + p] as number);
      xy[p] = s;
      for (let q = 0; q < k; q++) xz.set(p, q, sXZ.get(p, q));
      for (let j = 0; j < kY; j++) {
        let t = sXXpi.get(p, j);
        for (let g = 0; g < G; g++) t += (v[g] as number) * (g2[(g * kX + p) * kY + j] as number);
        xz.set(p, prep.endoAt[j] as number, t);
      }
    }
    const piStar = sXXinv.mmul(xz); // kX x k
    const hStar = xz.transpose().mmul(piStar);
    let hStarInv: Matrix;
    try {
      hStarInv = inverse(hStar);
    } catch {
      stars[d] = Number.NaN;
      continue;
    }
    const bStar = hStarInv
      .mmul(piStar.transpose())
      .mmul(Matrix.columnVector(Array.from(xy)))
      .getColumn(0);
    const numer = sumProduct(R, bStar) - centre;
    // q = Pi* H*^-1 R' (kX): zeta_c = q . s_c.
    const hr = hStarInv.mmul(Matrix.columnVector(Array.from(R))).getColumn(0);
    const q = piStar.mmul(Matrix.columnVector(hr)).getColumn(0);
    // d = gamma - E b*_X - Pi~ b*_Y.
    const dv = Float64Array.from(gamma);
    prep.exogAt.forEach((zj, p) => {
      dv[p] = (dv[p] as number) - (bStar[zj] as number);
    });
    for (let p = 0; p < kX; p++) {
      let s = 0;
      for (let j = 0; j < kY; j++) s += pi.get(p, j) * (bStar[prep.endoAt[j] as number] as number);
      dv[p] = (dv[p] as number) - s;
    }
    const bYStar = prep.endoAt.map((j) => bStar[j] as number);
    let jj = 0;
    terms.forEach((term, t) => {
      const C = term.cluster.count;
      const F = prep.fc[t] as Float64Array;
      const zeta = new Float64Array(C);
      for (let c = 0; c < C; c++) {
        let s = 0;
        const base = c * kX * kX;
        for (let p = 0; p < kX; p++) {
          let fd = 0;
          for (let l = 0; l < kX; l++) fd += (F[base + p * kX + l] as number) * (dv[l] as number);
          s += (q[p] as number) * fd;
        }
        zeta[c] = s;
      }
      const cells = cellsAll[t] as Cells;
      const cv = cellVectors[t] as { e1: Float64Array; e2: Float64Array };
      for (let e = 0; e < cells.c.length; e++) {
        const vg = v[cells.g[e] as number] as number;
        let s = 0;
        for (let p = 0; p < kX; p++) {
          let val = cv.e1[e * kX + p] as number;
          for (let j = 0; j < kY; j++)
            val -= (cv.e2[(e * kX + p) * kY + j] as number) * (bYStar[j] as number);
          s += (q[p] as number) * val;
        }
        const c = cells.c[e] as number;
        zeta[c] = (zeta[c] as number) + vg * s;
      }
      let sq = 0;
      for (let c = 0; c < C; c++) sq += (zeta[c] as number) ** 2;
      jj += term.sign * term.factor * sq;
    });
    stars[d] = numer / Math.sqrt(jj);
  }
  return { stars, draws: plan.draws, enumerated: plan.enumerated };
}

function sumProduct(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

export interface IvRunner {
  /** R b (2SLS) and its cluster-robust standard error. */
  estimate: number;
  stdError: number;
  restricted: boolean;
  boot: ClusterVariable;
  /** Bootstrap statistics at null value r (index 0: v = 1, the original under WRE); the same draws for every r. */
  run: (r: number) => { stars: Float64Array; draws: number; enumerated: boolean };
}

/** Everything the WRE test needs before the null value: the 2SLS fit, the r-free cluster sums. */
export function ivBootstrapRunner(
  inputs: IvBootstrapInputs,
  hypothesis: Pick<Hypothesis, "contrast">,
  options: WildBootstrapOptions,
): IvRunner {
  if (!(Number.isInteger(options.reps) && options.reps >= 1)) {
    throw usageError(`--boot: expected a positive number of replications, found ${options.reps}`);
  }
  const prep = prepareIv(inputs);
  const { n, k, hInv, beta, w } = prep;
  const R = hypothesis.contrast;
  if (R.length !== k) throw usageError(`hypothesis over ${R.length} coefficients, the model has ${k}`);
  const restricted = (options.type ?? "wcr") === "wcr";
  // b~(r) = b - H^-1 R' (R b - r) / (R H^-1 R') = beta0 + beta1 r.
  const hr = hInv.mmul(Matrix.columnVector(Array.from(R))).getColumn(0);
  const rhr = sumProduct(R, hr);
  if (!(rhr > 0)) throw estimationError("the hypothesis has zero variance (R H^-1 R' = 0)");
  const rb = sumProduct(R, beta);
  const beta0 = new Float64Array(k);
  const beta1 = new Float64Array(k);
  for (let p = 0; p < k; p++) {
    beta0[p] = (beta[p] as number) - ((hr[p] as number) * rb) / rhr;
    beta1[p] = (hr[p] as number) / rhr;
  }
  const b0 = restricted ? beta0 : beta;
  // u~(r) = y - Z b~(r) = a + b r.
  const a = Float64Array.from(prep.y);
  const b = new Float64Array(n);
  for (let p = 0; p < k; p++) {
    const zp = prep.z[p] as Float64Array;
    const c0 = b0[p] as number;
    const c1 = restricted ? (beta1[p] as number) : 0;
    for (let i = 0; i < n; i++) {
      a[i] = (a[i] as number) - c0 * (zp[i] as number);
      b[i] = (b[i] as number) - c1 * (zp[i] as number);
    }
  }
  const ys = prep.endoAt.map((j) => prep.z[j] as Float64Array);
  const dotW = (u: Float64Array, v: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (w ? (w[i] as number) : 1) * (u[i] as number) * (v[i] as number);
    return s;
  };
  const sums = {
    aa: dotW(a, a),
    ab: dotW(a, b),
    bb: dotW(b, b),
    xa: Float64Array.from(prep.x.map((x) => dotW(x, a))),
    xb: Float64Array.from(prep.x.map((x) => dotW(x, b))),
    ay: Float64Array.from(ys.map((y) => dotW(a, y))),
    by: Float64Array.from(ys.map((y) => dotW(b, y))),
    xy: weightedCross(prep.x, ys, w),
  };
  const cells = basisCells(prep, a, b);
  return {
    estimate: rb,
    stdError: ivStandardError(prep, R),
    restricted,
    boot: prep.boot,
    run: (r: number) => ivStatistics(prep, R, r, restricted, cells, sums, b0, beta1, options),
  };
}

/** The WRE (or WRU) wild cluster bootstrap test of R b = r in a 2SLS model, and its interval by inversion. */
export function wildBootstrapIv(
  inputs: IvBootstrapInputs,
  hypothesis: Hypothesis,
  options: WildBootstrapOptions,
): WildBootstrapResult {
  const runner = ivBootstrapRunner(inputs, hypothesis, options);
  const { restricted, estimate: rb, stdError: se, run } = runner;
  // WRU: t* do not depend on r, and the original statistic is (R b - r)/se. WRE: the v = 1 draw is the original.
  const wru = restricted ? null : run(0);
  const pAt = (r: number, kind: "symmetric" | "equal-tailed") => {
    const out = restricted ? run(r) : (wru as ReturnType<typeof run>);
    const t = restricted ? (out.stars[0] as number) : (rb - r) / se;
    const p = bootstrapPValues(t, out.stars.subarray(1));
    return { t, p, value: kind === "symmetric" ? p.symmetric : p.equalTailed, out };
  };
  const main = pAt(hypothesis.value, "symmetric");
  const level = options.level ?? 0.95;
  const intervalKind = options.interval ?? "symmetric";
  let confLow = Number.NaN;
  let confHigh = Number.NaN;
  if (intervalKind !== "none") {
    [confLow, confHigh] = invertPValue((r) => pAt(r, intervalKind).value, rb, se, 1 - level, IV_INTERVAL_TOL);
  }
  return {
    type: restricted ? "wcr" : "wcu",
    weights: options.weights ?? "rademacher",
    reps: main.out.draws,
    requestedReps: options.reps,
    seed: options.seed,
    enumerated: main.out.enumerated,
    bootCluster: runner.boot.name,
    bootClusters: runner.boot.count,
    estimate: rb,
    nullValue: hypothesis.value,
    statistic: main.t,
    stdError: se,
    pValue: main.p.symmetric,
    pValueEqualTailed: main.p.equalTailed,
    level,
    interval: intervalKind,
    confLow,
    confHigh,
    invalidDraws: main.out.draws - main.p.valid,
  };
}

/** The cluster-robust standard error of R b (same small-sample factors), for the WRU original statistic. */
function ivStandardError(prep: PreparedIv, R: ArrayLike<number>): number {
  const { n, k, kX, x, z, y, w, beta, hInv, sXXinv, sXZ, terms } = prep;
  const u = Float64Array.from(y);
  for (let p = 0; p < k; p++) {
    const zp = z[p] as Float64Array;
    for (let i = 0; i < n; i++) u[i] = (u[i] as number) - (beta[p] as number) * (zp[i] as number);
  }
  const q = sXXinv
    .mmul(sXZ)
    .mmul(hInv)
    .mmul(Matrix.columnVector(Array.from(R)))
    .getColumn(0);
  let jj = 0;
  for (const term of terms) {
    const zeta = new Float64Array(term.cluster.count);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let p = 0; p < kX; p++) s += (q[p] as number) * ((x[p] as Float64Array)[i] as number);
      const c = term.cluster.ids[i] as number;
      zeta[c] = (zeta[c] as number) + (w ? (w[i] as number) : 1) * s * (u[i] as number);
    }
    let sq = 0;
    for (const v of zeta) sq += v * v;
    jj += term.sign * term.factor * sq;
  }
  return Math.sqrt(jj);
}
