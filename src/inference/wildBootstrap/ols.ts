/**
 * Wild cluster bootstrap t tests of one linear hypothesis R b = r in OLS (weighted or not), restricted (WCR: the
 * bootstrap DGP imposes the null) or unrestricted (WCU), one-way or multi-way clustered, with the bootstrap
 * clusters coarser than, finer than or equal to the covariance clusters; with the "fast" algorithm of Roodman,
 * MacKinnon, Nielsen and Webb (2019, Stata Journal 19(1), "Fast and wild", sections 3.3-3.4 and 5): every
 * bootstrap quantity is a linear map of the G weights v, built once from cluster-level sums, so a draw costs
 * O(C G) per clustering term (C covariance clusters) and nothing per observation.
 *
 * Derivation (our notation; it is theirs up to names). X the design, W the weights, A = (X'WX)^-1, b the estimate,
 * e = y - Xb. rho = X A R' (n-vector), a = rho / (R A R'). The restricted residuals are u(r) = e + a (Rb - r), so
 * u = P + Q r with P = e + a Rb, Q = -a (WCU: u = e, Q = 0). Bootstrap sample y* = X b_r + u (.) v_g(i); then
 *   numerator   R b* - r = R A X'W (u (.) v) = sum_g v_g sum_{i in g} w_i rho_i u_i                (WCU: R b* - R b)
 *   residuals   e* = u (.) v - X A X'W (u (.) v) [- P_D (u (.) v), see below]
 *   variance    R V* R' = sum_t s_t sum_{c in term t} zeta_c^2, zeta_c = sum_{i in c} w_i rho_i e*_i,
 * and zeta_c = sum_g v_g M_t[c, g] with
 *   M_t[c, g] = sum_{i in c and g} w_i rho_i u_i  -  (sum_{i in c} w_i rho_i x_i)' A (sum_{i in g} w_i x_i u_i)
 *               [-  sum_{i in c} w_i rho_i (P_D (u (.) 1_g))_i].
 * Each M_t splits as M_t = MP_t + r MQ_t, so per draw the statistic is, for any null value r,
 *   t*(r) = (A_b + B_b r) / sqrt(sum_t s_t (CC_tb + 2 r CD_tb + r^2 DD_tb))
 * (fwildclusterboot's fnw11 algorithm in R/boot_algo_fastnwild.R has the same A, B, CC, CD, DD). The original
 * statistic is the draw v = 1 (WCR: y* = y). s_t = sign_t x the small-sample factor of the term (types.ts).
 *
 * Fixed effects (Frisch-Waugh-Lovell). The inputs are the design and response demeaned on the fixed effects D.
 * The bootstrap coefficients of the full model (with the dummies) are those of the demeaned regression of the
 * demeaned y* (X~'W M_D = X~'W), so the numerator is unchanged. The bootstrap residuals of the full model are
 * M_D (u (.) v) - X~ A X~'W (u (.) v): they contain P_D (u (.) v), the fixed effects' fit of the bootstrap errors.
 * u is orthogonal to every dummy (D'Wu = 0), so when every fixed effect is nested in the bootstrap clusters
 * (each level inside one cluster, where v is constant), D'W (u (.) v) = 0 and that term vanishes: bootstrapping
 * the demeaned model is exact, with no correction (Roodman et al. 2019, section 3.4; the WCR restricted fit with
 * the dummies and on the demeaned data coincide by FWL too, since R restricts slopes only). When some fixed
 * effect is not nested in the bootstrap clusters (e.g. year effects with state clusters), the term is computed,
 * entering M_t above: with at most one nested fixed effect and at most 2,000 crossed levels, in closed form from
 * cross-tabulations (FixedEffectCorrection "dummies": no pass per bootstrap cluster); otherwise P_D (u (.) 1_g)
 * for each bootstrap cluster g through the caller's projection (2G demeaned columns for WCR, G for WCU). fwildclusterboot does the same for the one fixed effect named in `fe =`
 * (its W and crosstab terms) and otherwise bootstraps with all fixed effects as dummy columns; boottest projects
 * out one fixed effect too and warns when it is not nested. Without `fixedEffects`, inputs with absorbed
 * non-nested fixed effects would give a bootstrap that ignores P_D (u (.) v): a different, not validated test.
 */
import { inverse, Matrix } from "ml-matrix";
import { estimationError, usageError } from "../../errors.js";
import type { IdVariable as ClusterVariable } from "../../model/fit.js";
import { intersectIds } from "../../numeric/intersectIds.js";
import { crossProducts } from "../../numeric/leastSquares.js";
import { pseudoInverseSymmetric } from "../../numeric/symmetricMatrix.js";
import { type AbsorbedFixedEffect, nestingInClusters } from "../../vcov/clusterBlocks.js";
import { bootstrapPValues, invertPValue } from "./inference.js";
import type {
  BootFixedEffects,
  BootSmallSample,
  Hypothesis,
  OlsBootstrapInputs,
  WildBootstrapOptions,
  WildBootstrapResult,
} from "./types.js";
import { drawPlan } from "./weights.js";

/** Dense C x G matrices beyond this size are refused (a bootstrap cluster variable with very many levels). */
const MAX_CROSS_ENTRIES = 5e7;
/** Columns demeaned at once for the fixed-effect correction. */
const DEMEAN_BATCH = 16;

/** One term of the multi-way (Cameron-Gelbach-Miller) sum. */
export interface ClusterTerm {
  cluster: ClusterVariable;
  sign: 1 | -1;
  /** s_t without the sign: adjustment x G/(G-1) (or G_min/(G_min-1), or 1). */
  factor: number;
}

/** What does not depend on the hypothesis: the fit, the clustering terms, the bootstrap clusters. */
export interface PreparedOls {
  n: number;
  k: number;
  columns: readonly Float64Array[];
  weights: Float64Array | null;
  bread: Float64Array;
  coefficients: Float64Array;
  residuals: Float64Array;
  terms: ClusterTerm[];
  boot: ClusterVariable;
  /** How the fixed-effect fit of the bootstrap errors is computed (null: every fixed effect is nested). */
  feCorrection: FixedEffectCorrection | null;
}

/**
 * "dummies": at most one fixed effect nested in the bootstrap clusters (N) and crossed ones with few levels in all:
 * P_D = P_N + P_S with S = M_N D_crossed (a W-orthogonal split of the dummies' span). P_N (u (.) 1_g) = 0 (u is
 * orthogonal to the dummies and N is nested in g), so P_D (u (.) 1_g) = S (S'WS)^+ S'W (u (.) 1_g), and with one
 * nested effect S has the closed form S_il = 1[row i in level l] - W_{a(i), l} / W_{a(i)}: everything is a
 * cross-tabulation, no demeaning. "demean": otherwise, P_D (u (.) 1_g) through the caller's projection.
 */
type FixedEffectCorrection =
  | { kind: "demean"; demean: (columns: Float64Array[]) => Float64Array[] }
  | {
      kind: "dummies";
      nested: AbsorbedFixedEffect | null;
      crossed: AbsorbedFixedEffect[];
      /** Column of each crossed effect's first level among the L dummy columns. */
      offsets: number[];
      levels: number;
      /** W_a and W_{a, l} (A x L) of the nested effect; (S'WS)^+ (L x L). */
      wa: Float64Array;
      wal: Float64Array;
      gramInverse: Float64Array;
    };

/** The cross-tabulation route is used when the crossed effects have at most this many levels in all. */
const MAX_CROSSED_DUMMIES = 2000;

function fixedEffectCorrection(
  fe: BootFixedEffects | undefined,
  boot: ClusterVariable,
  weights: Float64Array | null,
): FixedEffectCorrection | null {
  if (!fe) return null;
  const nesting = fe.effects.map((f) => nestingInClusters(f, boot.ids, boot.count));
  const crossed = fe.effects.filter((_, q) => nesting[q] === "crossed");
  if (crossed.length === 0) return null;
  const nestedAll = fe.effects.filter((_, q) => nesting[q] !== "crossed");
  const levels = crossed.reduce((s, f) => s + f.nlevels, 0);
  const nested = nestedAll[0] ?? null;
  const A = nested ? nested.nlevels : 1;
  if (nestedAll.length > 1 || levels > MAX_CROSSED_DUMMIES || A * levels > MAX_CROSS_ENTRIES) {
    return { kind: "demean", demean: fe.demean };
  }
  const offsets: number[] = [];
  let offset = 0;
  for (const f of crossed) {
    offsets.push(offset);
    offset += f.nlevels;
  }
  const n = boot.ids.length;
  const wa = new Float64Array(A);
  const wal = new Float64Array(A * levels);
  const dwd = new Float64Array(levels * levels);
  for (let i = 0; i < n; i++) {
    const w = weights ? (weights[i] as number) : 1;
    const a = nested ? (nested.ids[i] as number) : 0;
    wa[a] = (wa[a] as number) + w;
    crossed.forEach((f, q) => {
      const l = (offsets[q] as number) + (f.ids[i] as number);
      wal[a * levels + l] = (wal[a * levels + l] as number) + w;
      crossed.forEach((f2, q2) => {
        const m = (offsets[q2] as number) + (f2.ids[i] as number);
        dwd[l * levels + m] = (dwd[l * levels + m] as number) + w;
      });
    });
  }
  // S'WS = D'WD - sum_a W_al W_am / W_a; without a nested effect S = D (nothing is partialled out).
  for (let a = 0; a < (nested ? A : 0); a++) {
    const inv = 1 / (wa[a] as number);
    for (let l = 0; l < levels; l++) {
      const x = (wal[a * levels + l] as number) * inv;
      if (x === 0) continue;
      for (let m = 0; m < levels; m++)
        dwd[l * levels + m] = (dwd[l * levels + m] as number) - x * (wal[a * levels + m] as number);
    }
  }
  return {
    kind: "dummies",
    nested,
    crossed,
    offsets,
    levels,
    wa,
    wal,
    gramInverse: pseudoInverseSymmetric(dwd, levels, 1e-11),
  };
}

export function clusterTerms(
  clusters: readonly ClusterVariable[],
  n: number,
  ssc: BootSmallSample,
): ClusterTerm[] {
  if (clusters.length === 0) throw usageError("the wild cluster bootstrap needs a cluster variable");
  for (const c of clusters) {
    if (c.count < 2) throw estimationError(`cannot cluster by '${c.name}': it has ${c.count} cluster`);
    if (c.ids.length !== n) throw usageError(`cluster '${c.name}' has ${c.ids.length} rows, the model ${n}`);
  }
  const gMin = Math.min(...clusters.map((c) => c.count));
  const terms: ClusterTerm[] = [];
  for (let mask = 1; mask < 2 ** clusters.length; mask++) {
    const members = clusters.filter((_, j) => mask & (1 << j));
    const cluster = members.length === 1 ? (members[0] as ClusterVariable) : intersectIds(members);
    const g = ssc.clusterDf === "min" ? gMin : cluster.count;
    const factor = ssc.adjustment * (ssc.clusterDf === "none" ? 1 : g / (g - 1));
    terms.push({ cluster, sign: members.length % 2 === 1 ? 1 : -1, factor });
  }
  return terms;
}

export function prepareOlsBootstrap(inputs: OlsBootstrapInputs): PreparedOls {
  const { columns, response, weights } = inputs;
  const k = columns.length;
  const n = response.length;
  if (k === 0) throw estimationError("the wild bootstrap needs at least one coefficient");
  let bread: Matrix;
  if (inputs.bread) bread = inputs.bread;
  else {
    const xtx = crossProducts(columns, weights);
    bread = inverse(
      new Matrix(Array.from({ length: k }, (_, a) => Array.from(xtx.subarray(a * k, a * k + k)))),
    );
  }
  const breadFlat = Float64Array.from(bread.to2DArray().flat());
  let coefficients = inputs.coefficients;
  if (!coefficients) {
    const xty = new Float64Array(k);
    for (let p = 0; p < k; p++) {
      const x = columns[p] as Float64Array;
      let s = 0;
      for (let i = 0; i < n; i++)
        s += (weights ? (weights[i] as number) : 1) * (x[i] as number) * (response[i] as number);
      xty[p] = s;
    }
    coefficients = new Float64Array(k);
    for (let p = 0; p < k; p++) {
      let s = 0;
      for (let q = 0; q < k; q++) s += (breadFlat[p * k + q] as number) * (xty[q] as number);
      coefficients[p] = s;
    }
  }
  let residuals = inputs.residuals;
  if (!residuals) {
    residuals = Float64Array.from(response);
    for (let p = 0; p < k; p++) {
      const x = columns[p] as Float64Array;
      const bp = coefficients[p] as number;
      for (let i = 0; i < n; i++) residuals[i] = (residuals[i] as number) - bp * (x[i] as number);
    }
  }
  const ssc: BootSmallSample = inputs.smallSample ?? {
    adjustment: (n - 1) / (n - k),
    clusterDf: "conventional",
  };
  const terms = clusterTerms(inputs.clusters, n, ssc);
  const boot =
    inputs.bootCluster ??
    (inputs.clusters.length === 1 ? (inputs.clusters[0] as ClusterVariable) : intersectIds(inputs.clusters));
  if (boot.ids.length !== n)
    throw usageError(`bootstrap cluster '${boot.name}' has ${boot.ids.length} rows, the model ${n}`);
  if (boot.count < 2)
    throw estimationError(`cannot bootstrap by '${boot.name}': it has ${boot.count} cluster`);
  for (const t of terms) {
    if (t.cluster.count * boot.count > MAX_CROSS_ENTRIES) {
      throw estimationError(
        `the wild bootstrap needs a ${t.cluster.count} x ${boot.count} matrix for clustering '${t.cluster.name}' by bootstrap cluster '${boot.name}' (limit ${MAX_CROSS_ENTRIES} entries)`,
      );
    }
  }
  return {
    n,
    k,
    columns,
    weights,
    bread: breadFlat,
    coefficients,
    residuals,
    terms,
    boot,
    feCorrection: fixedEffectCorrection(inputs.fixedEffects, boot, weights),
  };
}

/** Per-draw pieces of t*(r) (see the module comment); index 0 is the original sample (v = 1). */
export interface DrawStatistics {
  draws: number;
  enumerated: boolean;
  /** Numerator A_b + B_b r. */
  a: Float64Array;
  b: Float64Array;
  /** Per term t (outer), per draw: CC, CD, DD. */
  cc: Float64Array[];
  cd: Float64Array[];
  dd: Float64Array[];
  /** Signed small-sample factors s_t. */
  factors: number[];
  estimate: number;
  restricted: boolean;
}

export function olsDrawStatistics(
  prep: PreparedOls,
  hypothesis: Hypothesis,
  options: WildBootstrapOptions,
): DrawStatistics {
  const { n, k, columns, weights, bread, coefficients, residuals, terms, boot } = prep;
  const restricted = (options.type ?? "wcr") === "wcr";
  const R = hypothesis.contrast;
  if (R.length !== k) throw usageError(`hypothesis over ${R.length} coefficients, the model has ${k}`);
  const ra = new Float64Array(k);
  for (let p = 0; p < k; p++) {
    let s = 0;
    for (let q = 0; q < k; q++) s += (bread[p * k + q] as number) * (R[q] as number);
    ra[p] = s;
  }
  let rar = 0;
  let estimate = 0;
  for (let p = 0; p < k; p++) {
    rar += (R[p] as number) * (ra[p] as number);
    estimate += (R[p] as number) * (coefficients[p] as number);
  }
  if (!(rar > 0)) throw estimationError("the hypothesis has zero variance (R (X'WX)^-1 R' = 0)");
  // rho = X A R'; P and Q (u = P + Q r); w rho.
  const rho = new Float64Array(n);
  for (let p = 0; p < k; p++) {
    const x = columns[p] as Float64Array;
    const rp = ra[p] as number;
    for (let i = 0; i < n; i++) rho[i] = (rho[i] as number) + rp * (x[i] as number);
  }
  const P = new Float64Array(n);
  const Q = restricted ? new Float64Array(n) : null;
  const wrho = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = (rho[i] as number) / rar;
    P[i] = (residuals[i] as number) + (restricted ? a * estimate : 0);
    if (Q) Q[i] = -a;
    wrho[i] = (weights ? (weights[i] as number) : 1) * (rho[i] as number);
  }
  const G = boot.count;
  const gid = boot.ids;
  // Numerator pieces and U_g = sum_{i in g} w x u (G x k), for P and Q.
  const nP = new Float64Array(G);
  const nQ = new Float64Array(G);
  const uP = new Float64Array(G * k);
  const uQ = new Float64Array(G * k);
  for (let i = 0; i < n; i++) {
    const g = gid[i] as number;
    const w = weights ? (weights[i] as number) : 1;
    const pi = P[i] as number;
    const qi = Q ? (Q[i] as number) : 0;
    nP[g] = (nP[g] as number) + (wrho[i] as number) * pi;
    if (Q) nQ[g] = (nQ[g] as number) + (wrho[i] as number) * qi;
    for (let p = 0; p < k; p++) {
      const wx = w * ((columns[p] as Float64Array)[i] as number);
      uP[g * k + p] = (uP[g * k + p] as number) + wx * pi;
      if (Q) uQ[g * k + p] = (uQ[g * k + p] as number) + wx * qi;
    }
  }
  // M_t = MP_t + r MQ_t = T1_t - SA_t U' - T3_t: T1 the sparse cross-tabulation (covariance cluster c, bootstrap
  // cluster g) of w rho u, SA_t = (sum_{i in c} w rho x') A, U as above, T3 the fixed-effect term (dense, only
  // when needed). A draw then costs O(nnz(T1) + (C + G) k) per term (Roodman et al. 2019, section 5), or O(C G)
  // with the fixed-effect term.
  const cross = terms.map((term) => crossTabulate(term.cluster, boot, wrho, P, Q));
  const sa = terms.map((term) => {
    const C = term.cluster.count;
    const cid = term.cluster.ids;
    const s = new Float64Array(C * k);
    for (let i = 0; i < n; i++) {
      const c = cid[i] as number;
      const wr = wrho[i] as number;
      for (let p = 0; p < k; p++)
        s[c * k + p] = (s[c * k + p] as number) + wr * ((columns[p] as Float64Array)[i] as number);
    }
    const out = new Float64Array(C * k);
    for (let c = 0; c < C; c++) {
      for (let p = 0; p < k; p++) {
        let t = 0;
        for (let q = 0; q < k; q++) t += (s[c * k + q] as number) * (bread[q * k + p] as number);
        out[c * k + p] = t;
      }
    }
    return out;
  });
  const t3P: (Float64Array | null)[] = terms.map(() => null);
  const t3Q: (Float64Array | null)[] = terms.map(() => null);
  if (prep.feCorrection) {
    terms.forEach((term, t) => {
      t3P[t] = new Float64Array(term.cluster.count * G);
      if (Q) t3Q[t] = new Float64Array(term.cluster.count * G);
    });
    if (prep.feCorrection.kind === "demean") {
      fixedEffectFit(
        prep,
        prep.feCorrection.demean,
        P,
        Q,
        wrho,
        t3P as Float64Array[],
        t3Q as Float64Array[],
      );
    } else {
      fixedEffectFitByDummies(
        prep,
        prep.feCorrection,
        P,
        Q,
        wrho,
        t3P as Float64Array[],
        t3Q as Float64Array[],
      );
    }
  }
  // Draws.
  const plan = drawPlan(options.weights ?? "rademacher", G, options.reps, options.seed);
  const draws = plan.draws + 1;
  const a = new Float64Array(draws);
  const b = new Float64Array(draws);
  const cc = terms.map(() => new Float64Array(draws));
  const cd = terms.map(() => new Float64Array(draws));
  const dd = terms.map(() => new Float64Array(draws));
  const v = new Float64Array(G);
  const uPv = new Float64Array(k);
  const uQv = new Float64Array(k);
  const xs = terms.map((term) => new Float64Array(term.cluster.count));
  const ys = terms.map((term) => new Float64Array(term.cluster.count));
  for (let d = 0; d < draws; d++) {
    if (d === 0) v.fill(1);
    else plan.fill(d - 1, v);
    let sa0 = 0;
    let sb0 = 0;
    for (let g = 0; g < G; g++) {
      sa0 += (nP[g] as number) * (v[g] as number);
      sb0 += (nQ[g] as number) * (v[g] as number);
    }
    a[d] = sa0;
    b[d] = sb0;
    uPv.fill(0);
    uQv.fill(0);
    for (let g = 0; g < G; g++) {
      const vg = v[g] as number;
      for (let p = 0; p < k; p++) {
        uPv[p] = (uPv[p] as number) + (uP[g * k + p] as number) * vg;
        if (Q) uQv[p] = (uQv[p] as number) + (uQ[g * k + p] as number) * vg;
      }
    }
    for (let t = 0; t < terms.length; t++) {
      const C = (terms[t] as ClusterTerm).cluster.count;
      const x = xs[t] as Float64Array;
      const y = ys[t] as Float64Array;
      const ct = cross[t] as CrossTab;
      const sat = sa[t] as Float64Array;
      for (let c = 0; c < C; c++) {
        let xc = 0;
        let yc = 0;
        for (let p = 0; p < k; p++) {
          xc -= (sat[c * k + p] as number) * (uPv[p] as number);
          if (Q) yc -= (sat[c * k + p] as number) * (uQv[p] as number);
        }
        x[c] = xc;
        y[c] = yc;
      }
      for (let e = 0; e < ct.c.length; e++) {
        const c = ct.c[e] as number;
        const vg = v[ct.g[e] as number] as number;
        x[c] = (x[c] as number) + (ct.p[e] as number) * vg;
        if (Q) y[c] = (y[c] as number) + (ct.q[e] as number) * vg;
      }
      const fp = t3P[t];
      if (fp) {
        const fq = t3Q[t];
        for (let c = 0; c < C; c++) {
          let xc = 0;
          let yc = 0;
          for (let g = 0; g < G; g++) {
            xc += (fp[c * G + g] as number) * (v[g] as number);
            if (fq) yc += (fq[c * G + g] as number) * (v[g] as number);
          }
          x[c] = (x[c] as number) - xc;
          y[c] = (y[c] as number) - yc;
        }
      }
      let sCC = 0;
      let sCD = 0;
      let sDD = 0;
      for (let c = 0; c < C; c++) {
        const xc = x[c] as number;
        const yc = y[c] as number;
        sCC += xc * xc;
        sCD += xc * yc;
        sDD += yc * yc;
      }
      (cc[t] as Float64Array)[d] = sCC;
      (cd[t] as Float64Array)[d] = sCD;
      (dd[t] as Float64Array)[d] = sDD;
    }
  }
  return {
    draws: plan.draws,
    enumerated: plan.enumerated,
    a,
    b,
    cc,
    cd,
    dd,
    factors: terms.map((t) => t.sign * t.factor),
    estimate,
    restricted,
  };
}

/** T3_t[c, g] = sum_{i in c} w_i rho_i (P_D (u (.) 1_g))_i, for u = P and u = Q, bootstrap clusters in batches. */
function fixedEffectFit(
  prep: PreparedOls,
  demean: (columns: Float64Array[]) => Float64Array[],
  P: Float64Array,
  Q: Float64Array | null,
  wrho: Float64Array,
  t3P: Float64Array[],
  t3Q: Float64Array[],
): void {
  const { n, boot, terms } = prep;
  const G = boot.count;
  const gid = boot.ids;
  const parts: { source: Float64Array; target: Float64Array[] }[] = [{ source: P, target: t3P }];
  if (Q) parts.push({ source: Q, target: t3Q });
  for (const part of parts) {
    for (let start = 0; start < G; start += DEMEAN_BATCH) {
      const end = Math.min(G, start + DEMEAN_BATCH);
      const cols: Float64Array[] = [];
      for (let g = start; g < end; g++) {
        const col = new Float64Array(n);
        for (let i = 0; i < n; i++) if (gid[i] === g) col[i] = part.source[i] as number;
        cols.push(col);
      }
      const demeaned = demean(cols.map((c) => Float64Array.from(c)));
      for (let j = 0; j < cols.length; j++) {
        const g = start + j;
        const col = cols[j] as Float64Array;
        const dm = demeaned[j] as Float64Array;
        terms.forEach((term, t) => {
          const m = part.target[t] as Float64Array;
          const cid = term.cluster.ids;
          for (let i = 0; i < n; i++) {
            const fit = (col[i] as number) - (dm[i] as number);
            if (fit !== 0) {
              const c = cid[i] as number;
              m[c * G + g] = (m[c * G + g] as number) + (wrho[i] as number) * fit;
            }
          }
        });
      }
    }
  }
}

/**
 * T3_t[c, g] = (sum_{i in c} w rho_i S_i)' (S'WS)^+ (sum_{i in g} w u_i S_i), u = P and Q, with the closed-form
 * S of fixedEffectCorrection: cross-tabulations of w rho and w u by (cluster, crossed level) and (cluster, nested
 * level), no pass per bootstrap cluster.
 */
function fixedEffectFitByDummies(
  prep: PreparedOls,
  corr: Extract<FixedEffectCorrection, { kind: "dummies" }>,
  P: Float64Array,
  Q: Float64Array | null,
  wrho: Float64Array,
  t3P: Float64Array[],
  t3Q: Float64Array[],
): void {
  const { n, boot, terms, weights } = prep;
  const { nested, crossed, offsets, levels: L, wa, wal, gramInverse } = corr;
  const G = boot.count;
  // sum_{i in group} x_i S_i for a grouping: direct part by crossed level, minus sum over nested levels of the
  // group's x-sum in that level times W_al / W_a.
  const projectSums = (ids: Int32Array, count: number, x: Float64Array): Float64Array => {
    const out = new Float64Array(count * L);
    const byNested = new Map<number, number>(); // (group, nested level) -> sum x
    for (let i = 0; i < n; i++) {
      const grp = ids[i] as number;
      const xi = x[i] as number;
      if (xi === 0) continue;
      for (let q = 0; q < crossed.length; q++) {
        const l = (offsets[q] as number) + ((crossed[q] as AbsorbedFixedEffect).ids[i] as number);
        out[grp * L + l] = (out[grp * L + l] as number) + xi;
      }
      const a = nested ? (nested.ids[i] as number) : 0;
      const key = grp * wa.length + a;
      byNested.set(key, (byNested.get(key) ?? 0) + xi);
    }
    if (!nested) return out;
    for (const [key, sum] of byNested) {
      const grp = Math.floor(key / wa.length);
      const a = key - grp * wa.length;
      const scale = sum / (wa[a] as number);
      for (let l = 0; l < L; l++)
        out[grp * L + l] = (out[grp * L + l] as number) - scale * (wal[a * L + l] as number);
    }
    return out;
  };
  const wu = (u: Float64Array) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = (weights ? (weights[i] as number) : 1) * (u[i] as number);
    return out;
  };
  // (S'WS)^+ S'W (u (.) 1_g), G x L, for P and Q.
  const coef = (u: Float64Array): Float64Array => {
    const h = projectSums(boot.ids, G, wu(u));
    const out = new Float64Array(G * L);
    for (let g = 0; g < G; g++) {
      for (let l = 0; l < L; l++) {
        let s = 0;
        for (let m = 0; m < L; m++) s += (gramInverse[l * L + m] as number) * (h[g * L + m] as number);
        out[g * L + l] = s;
      }
    }
    return out;
  };
  const cP = coef(P);
  const cQ = Q ? coef(Q) : null;
  terms.forEach((term, t) => {
    const C = term.cluster.count;
    const rs = projectSums(term.cluster.ids, C, wrho);
    const mp = t3P[t] as Float64Array;
    const mq = t3Q[t] ?? null;
    for (let c = 0; c < C; c++) {
      for (let g = 0; g < G; g++) {
        let sp = 0;
        let sq = 0;
        for (let l = 0; l < L; l++) {
          const r = rs[c * L + l] as number;
          if (r === 0) continue;
          sp += r * (cP[g * L + l] as number);
          if (cQ) sq += r * (cQ[g * L + l] as number);
        }
        mp[c * G + g] = sp;
        if (mq) mq[c * G + g] = sq;
      }
    }
  });
}

/** Non-zero cells (c, g) of the cross-tabulation of w rho P and w rho Q by covariance and bootstrap cluster. */
interface CrossTab {
  c: Int32Array;
  g: Int32Array;
  p: Float64Array;
  q: Float64Array;
}

function crossTabulate(
  cluster: ClusterVariable,
  boot: ClusterVariable,
  wrho: Float64Array,
  P: Float64Array,
  Q: Float64Array | null,
): CrossTab {
  const n = wrho.length;
  const G = boot.count;
  const index = new Map<number, number>();
  const cs: number[] = [];
  const gs: number[] = [];
  const ps: number[] = [];
  const qs: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = cluster.ids[i] as number;
    const g = boot.ids[i] as number;
    const key = c * G + g;
    let at = index.get(key);
    if (at === undefined) {
      at = cs.length;
      index.set(key, at);
      cs.push(c);
      gs.push(g);
      ps.push(0);
      qs.push(0);
    }
    ps[at] = (ps[at] as number) + (wrho[i] as number) * (P[i] as number);
    if (Q) qs[at] = (qs[at] as number) + (wrho[i] as number) * (Q[i] as number);
  }
  return {
    c: Int32Array.from(cs),
    g: Int32Array.from(gs),
    p: Float64Array.from(ps),
    q: Float64Array.from(qs),
  };
}

/** t*(r) for every draw (index 0: the original sample) into `out`. */
export function statisticsAt(stats: DrawStatistics, r: number, out: Float64Array): void {
  const { a, b, cc, cd, dd, factors } = stats;
  const T = factors.length;
  for (let d = 0; d < a.length; d++) {
    let jj = 0;
    for (let t = 0; t < T; t++) {
      jj +=
        (factors[t] as number) *
        (((cc[t] as Float64Array)[d] as number) +
          2 * r * ((cd[t] as Float64Array)[d] as number) +
          r * r * ((dd[t] as Float64Array)[d] as number));
    }
    out[d] = ((a[d] as number) + (b[d] as number) * r) / Math.sqrt(jj);
  }
}

/** The test of R b = r and its inverted interval, from the per-draw pieces. */
export function bootstrapResult(
  stats: DrawStatistics,
  hypothesis: Hypothesis,
  options: WildBootstrapOptions,
  boot: ClusterVariable,
): WildBootstrapResult {
  const level = options.level ?? 0.95;
  const intervalKind = options.interval ?? "symmetric";
  const all = new Float64Array(stats.a.length);
  const originalVariance = (): number => {
    let jj = 0;
    stats.factors.forEach((f, t) => {
      jj += f * ((stats.cc[t] as Float64Array)[0] as number);
    });
    return jj;
  };
  // WCU: t* does not depend on r; the original statistic is (Rb - r)/se with the v = 1 variance.
  const se = Math.sqrt(originalVariance());
  let wcuStars: Float64Array | null = null;
  if (!stats.restricted) {
    statisticsAt(stats, 0, all);
    wcuStars = all.subarray(1).slice();
  }
  const pAt = (r: number, kind: "symmetric" | "equal-tailed") => {
    let t: number;
    let stars: Float64Array;
    if (stats.restricted) {
      statisticsAt(stats, r, all);
      t = all[0] as number;
      stars = all.subarray(1);
    } else {
      t = (stats.estimate - r) / se;
      stars = wcuStars as Float64Array;
    }
    const p = bootstrapPValues(t, stars);
    return { t, p, kind: kind === "symmetric" ? p.symmetric : p.equalTailed };
  };
  const at = pAt(hypothesis.value, "symmetric");
  let confLow = Number.NaN;
  let confHigh = Number.NaN;
  if (intervalKind !== "none") {
    [confLow, confHigh] = invertPValue((r) => pAt(r, intervalKind).kind, stats.estimate, se, 1 - level);
  }
  return {
    type: stats.restricted ? "wcr" : "wcu",
    weights: options.weights ?? "rademacher",
    reps: stats.draws,
    requestedReps: options.reps,
    seed: options.seed,
    enumerated: stats.enumerated,
    bootCluster: boot.name,
    bootClusters: boot.count,
    estimate: stats.estimate,
    nullValue: hypothesis.value,
    statistic: at.t,
    stdError: se,
    pValue: at.p.symmetric,
    pValueEqualTailed: at.p.equalTailed,
    level,
    interval: intervalKind,
    confLow,
    confHigh,
    invalidDraws: stats.draws - at.p.valid,
  };
}

/** The wild cluster bootstrap test of R b = r (and its interval) for an OLS fit. */
export function wildBootstrapOls(
  inputs: OlsBootstrapInputs,
  hypothesis: Hypothesis,
  options: WildBootstrapOptions,
): WildBootstrapResult {
  const prep = prepareOlsBootstrap(inputs);
  return testOls(prep, hypothesis, options);
}

/** The same on a prepared fit (several hypotheses on one model share the preparation). */
export function testOls(
  prep: PreparedOls,
  hypothesis: Hypothesis,
  options: WildBootstrapOptions,
): WildBootstrapResult {
  if (!(Number.isInteger(options.reps) && options.reps >= 1)) {
    throw usageError(`--boot: expected a positive number of replications, found ${options.reps}`);
  }
  const stats = olsDrawStatistics(prep, hypothesis, options);
  return bootstrapResult(stats, hypothesis, options, prep.boot);
}
