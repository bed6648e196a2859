/**
 * Two-group, two-period DiD estimators for panel data with covariates, each returning the ATT and its influence
 * function, transcribed from the DRDID package (Sant'Anna and Zhao 2020, "Doubly robust difference-in-differences
 * estimators", J. Econometrics 219(1)) in the functions R's `did` calls for a group-time cell
 * (did R/compute.att_gt2.R, run_DRDID):
 *
 *  - "dr":  drdid_panel (DRDID R/drdid_panel.R), the locally efficient doubly robust estimator: logit propensity
 *           score by MLE, outcome regression of Delta Y on X among controls, ATT = E_w[treated](dY - m(X)) -
 *           E_w[controls, reweighted by p/(1-p)](dY - m(X)). (did calls drdid_panel, the "traditional" estimator,
 *           not drdid_imp_panel.)
 *  - "ipw": std_ipw_did_panel (R/std_ipw_did_panel.R), Abadie's (2005) IPW with normalised (Hajek) weights.
 *  - "reg": reg_did_panel (R/reg_did_panel.R), Heckman, Ichimura and Todd's (1997) outcome regression.
 *
 * Propensity scores are capped at 1 - 1e-6 and controls with a score >= 0.995 are trimmed (DRDID's trim.level).
 * The influence functions are the packages' (equations in Sant'Anna and Zhao 2020, Section 3, and DRDID's code),
 * on the cell's n1 units; the caller rescales them by n/n1 as did does. Before estimating, did checks (run_DRDID)
 * that an unweighted logit of D on X has no fitted probability >= 0.999 (dr, ipw: "overlap condition violated")
 * and that the controls' X'X is not singular (dr, reg); a failed check, or an error inside DRDID, makes the cell
 * NA. Those checks are here too.
 */
import { fitLogit, inverseSpd, reciprocalCondition, solveWeightedNormal } from "./glm.js";

export type CsMethod = "reg" | "ipw" | "dr";

export interface CellEstimate {
  att: number;
  /** Influence function on the cell's units (DRDID's att.inf.func), or null when the cell is NA. */
  inf: Float64Array | null;
  /** Why the cell is NA. */
  failure?: string;
}

const EPS = 2.220446049250313e-16;

function mean(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] as number;
  return s / v.length;
}

/** X'WX / n (k x k row-major) for columns x and weights w. */
function crossWeighted(x: readonly Float64Array[], w: Float64Array, n: number): Float64Array {
  const k = x.length;
  const out = new Float64Array(k * k);
  for (let p = 0; p < k; p++) {
    for (let q = 0; q <= p; q++) {
      const xp = x[p] as Float64Array;
      const xq = x[q] as Float64Array;
      let s = 0;
      for (let i = 0; i < w.length; i++) s += (w[i] as number) * (xp[i] as number) * (xq[i] as number);
      out[p * k + q] = s / n;
      out[q * k + p] = s / n;
    }
  }
  return out;
}

function matVec(a: Float64Array, k: number, v: Float64Array): Float64Array {
  const out = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += (a[i * k + j] as number) * (v[j] as number);
    out[i] = s;
  }
  return out;
}

/** x_i' a for every unit. */
function rowDot(x: readonly Float64Array[], a: Float64Array, i: number): number {
  let s = 0;
  for (let j = 0; j < x.length; j++) s += ((x[j] as Float64Array)[i] as number) * (a[j] as number);
  return s;
}

/** colMeans(v * X) for a weight vector v. */
function weightedColumnMeans(x: readonly Float64Array[], v: Float64Array): Float64Array {
  const n = v.length;
  return Float64Array.from(x, (xj) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (v[i] as number) * (xj[i] as number);
    return s / n;
  });
}

/**
 * One cell: deltaY = Y_t - Y_base, D = 1 for the treated cohort, x = covariates (intercept first) of the cell's
 * units, weights = sampling weights (any scale; normalised to mean 1 here as DRDID does).
 */
export function panelDid(
  method: CsMethod,
  deltaY: Float64Array,
  D: Float64Array,
  x: readonly Float64Array[],
  weights: Float64Array,
): CellEstimate {
  const n = D.length;
  const k = x.length;
  // run_DRDID's checks.
  if (method === "dr" || method === "ipw") {
    const preliminary = fitLogit(x, D, new Float64Array(n).fill(1));
    let max = 0;
    for (const p of preliminary.fitted) max = Math.max(max, p);
    if (max >= 0.999) return { att: Number.NaN, inf: null, failure: "overlap condition violated" };
  }
  const controls: number[] = [];
  for (let i = 0; i < n; i++) if (D[i] === 0) controls.push(i);
  if (method === "dr" || method === "reg") {
    const xc = x.map((xj) => Float64Array.from(controls, (i) => xj[i] as number));
    const xtx = crossWeighted(xc, new Float64Array(controls.length).fill(1), 1);
    if (reciprocalCondition(xtx, k) < EPS) {
      return { att: Number.NaN, inf: null, failure: "not enough control units to run the regression" };
    }
  }
  const w = new Float64Array(n);
  const wMean = mean(weights);
  for (let i = 0; i < n; i++) w[i] = (weights[i] as number) / wMean;

  // Outcome regression among controls (dr, reg).
  let outDelta: Float64Array | null = null;
  if (method !== "ipw") {
    const xc = x.map((xj) => Float64Array.from(controls, (i) => xj[i] as number));
    const yc = Float64Array.from(controls, (i) => deltaY[i] as number);
    const wc = Float64Array.from(controls, (i) => w[i] as number);
    const coef = solveWeightedNormal(xc, yc, wc);
    outDelta = new Float64Array(n);
    for (let i = 0; i < n; i++) outDelta[i] = rowDot(x, coef, i);
  }
  // Propensity score (dr, ipw).
  let ps: Float64Array | null = null;
  let psLinearRep: ((m: Float64Array) => (i: number) => number) | null = null;
  if (method !== "reg") {
    const fit = fitLogit(x, D, w);
    ps = Float64Array.from(fit.fitted, (p) => Math.min(p, 1 - 1e-6));
    const W = new Float64Array(n);
    for (let i = 0; i < n; i++) W[i] = (ps[i] as number) * (1 - (ps[i] as number)) * (w[i] as number);
    // Hessian.ps = (X' W X)^{-1} n; asy.lin.rep.ps = w (D - ps) X Hessian.ps.
    const hessian = inverseSpd(crossWeighted(x, W, 1), k).map((v) => v * n);
    const psFit = ps;
    psLinearRep = (m) => {
      const hm = matVec(hessian, k, m);
      return (i) => (w[i] as number) * ((D[i] as number) - (psFit[i] as number)) * rowDot(x, hm, i);
    };
  }
  // asy.lin.rep of the outcome regression: w (1 - D) (dY - m(X)) X (X'W0X / n)^{-1}.
  const olsLinearRep = (): ((m: Float64Array) => (i: number) => number) => {
    const w0 = Float64Array.from(w, (wi, i) => wi * (1 - (D[i] as number)));
    const xpxInv = inverseSpd(crossWeighted(x, w0, n), k);
    const od = outDelta as Float64Array;
    return (m) => {
      const a = matVec(xpxInv, k, m);
      return (i) => (w0[i] as number) * ((deltaY[i] as number) - (od[i] as number)) * rowDot(x, a, i);
    };
  };

  const inf = new Float64Array(n);
  if (method === "reg") {
    const od = outDelta as Float64Array;
    const wTreat = Float64Array.from(w, (wi, i) => wi * (D[i] as number));
    const attTreat = Float64Array.from(wTreat, (wi, i) => wi * (deltaY[i] as number));
    const attCont = Float64Array.from(wTreat, (wi, i) => wi * (od[i] as number));
    const mTreat = mean(wTreat);
    const etaTreat = mean(attTreat) / mTreat;
    const etaCont = mean(attCont) / mTreat;
    const rep1 = olsLinearRep()(weightedColumnMeans(x, wTreat));
    for (let i = 0; i < n; i++) {
      const infTreat = ((attTreat[i] as number) - (wTreat[i] as number) * etaTreat) / mTreat;
      const infCont1 = (attCont[i] as number) - (wTreat[i] as number) * etaCont;
      const infControl = (infCont1 + rep1(i)) / mTreat;
      inf[i] = infTreat - infControl;
    }
    return finish(etaTreat - etaCont, inf);
  }

  const p = ps as Float64Array;
  const trim = new Float64Array(n);
  for (let i = 0; i < n; i++) trim[i] = D[i] === 1 ? 1 : (p[i] as number) < 0.995 ? 1 : 0;
  const wTreat = Float64Array.from(w, (wi, i) => (trim[i] as number) * wi * (D[i] as number));
  const wCont = Float64Array.from(
    w,
    (wi, i) =>
      ((trim[i] as number) * wi * (p[i] as number) * (1 - (D[i] as number))) / (1 - (p[i] as number)),
  );
  const mTreat = mean(wTreat);
  const mCont = mean(wCont);
  const psRep = psLinearRep as (m: Float64Array) => (i: number) => number;

  if (method === "ipw") {
    const attTreat = Float64Array.from(wTreat, (wi, i) => wi * (deltaY[i] as number));
    const attCont = Float64Array.from(wCont, (wi, i) => wi * (deltaY[i] as number));
    const etaTreat = mean(attTreat) / mTreat;
    const etaCont = mean(attCont) / mCont;
    const ps2 = psRep(
      weightedColumnMeans(
        x,
        Float64Array.from(wCont, (wi, i) => wi * ((deltaY[i] as number) - etaCont)),
      ),
    );
    for (let i = 0; i < n; i++) {
      const infTreat = ((attTreat[i] as number) - (wTreat[i] as number) * etaTreat) / mTreat;
      const infCont1 = (attCont[i] as number) - (wCont[i] as number) * etaCont;
      inf[i] = infTreat - (infCont1 + ps2(i)) / mCont;
    }
    return finish(etaTreat - etaCont, inf);
  }

  // dr
  const od = outDelta as Float64Array;
  const resid = Float64Array.from(deltaY, (d, i) => d - (od[i] as number));
  const drTreat = Float64Array.from(wTreat, (wi, i) => wi * (resid[i] as number));
  const drCont = Float64Array.from(wCont, (wi, i) => wi * (resid[i] as number));
  const etaTreat = mean(drTreat) / mTreat;
  const etaCont = mean(drCont) / mCont;
  const rep = olsLinearRep();
  const rep1 = rep(weightedColumnMeans(x, wTreat));
  const ps2 = psRep(
    weightedColumnMeans(
      x,
      Float64Array.from(wCont, (wi, i) => wi * ((resid[i] as number) - etaCont)),
    ),
  );
  const rep3 = rep(weightedColumnMeans(x, wCont));
  for (let i = 0; i < n; i++) {
    const infTreat = ((drTreat[i] as number) - (wTreat[i] as number) * etaTreat - rep1(i)) / mTreat;
    const infControl = ((drCont[i] as number) - (wCont[i] as number) * etaCont + ps2(i) - rep3(i)) / mCont;
    inf[i] = infTreat - infControl;
  }
  return finish(etaTreat - etaCont, inf);
}

function finish(att: number, inf: Float64Array): CellEstimate {
  if (Number.isNaN(att)) return { att: Number.NaN, inf: null, failure: "the estimate is not defined" };
  return { att, inf };
}
