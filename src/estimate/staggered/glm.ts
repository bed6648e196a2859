/**
 * The two small regressions inside DRDID's panel estimators, computed as R computes them there, so that the
 * doubly robust and IPW group-time ATTs agree with R's `did` to the last digits:
 *
 *  - the propensity score: a logit fitted by fastglm::fastglm(x, D, family = binomial(), weights, method = 3)
 *    (DRDID R/drdid_panel.R, R/std_ipw_did_panel.R). fastglm's IRLS (fastglm inst/include/glm.h, glm_base.h) starts
 *    from glm's mustart = (w y + 0.5) / (w + 1), solves the weighted normal equations each step, halves steps that
 *    raise the deviance, and stops when |dev - dev_old| / (0.1 + |dev|) < tol (1e-8, fastglm.default). The fit is
 *    not iterated beyond that rule: we stop where fastglm stops, so our coefficients are R's up to rounding, not
 *    a more converged neighbour (a tighter fit would differ from R's in the 8th digit of an ATT).
 *    Link functions as R's C code (src/library/stats/src/family.c): the inverse logit clamps eta to +-30.
 *  - the outcome regression: weighted least squares on the control units (fastglm, gaussian identity: one IRLS
 *    step is the WLS solution). Solved by Cholesky on the k x k normal equations plus one step of iterative
 *    refinement, which brings it to the accuracy of R's QR for the well-conditioned covariate sets used here.
 */
import { estimationError } from "../../errors.js";

/** Columns of a design, each of length n (the first is usually the intercept). */
export type DesignColumns = readonly Float64Array[];

const EPS = 2.220446049250313e-16;
const THRESH = 30;
const MTHRESH = -30;
const INVEPS = 1 / EPS;

function logitInverse(eta: number): number {
  const t = eta < MTHRESH ? EPS : eta > THRESH ? INVEPS : Math.exp(eta);
  return t / (1 + t);
}

function logitMuEta(eta: number): number {
  const opexp = 1 + Math.exp(eta);
  return eta > THRESH || eta < MTHRESH ? EPS : Math.exp(eta) / (opexp * opexp);
}

function yLogY(y: number, mu: number): number {
  return y !== 0 ? y * Math.log(y / mu) : 0;
}

function binomialDeviance(y: Float64Array, mu: Float64Array, weights: Float64Array): number {
  let dev = 0;
  for (let i = 0; i < y.length; i++) {
    const yi = y[i] as number;
    const mi = mu[i] as number;
    dev += 2 * (weights[i] as number) * (yLogY(yi, mi) + yLogY(1 - yi, 1 - mi));
  }
  return dev;
}

export interface LogitFit {
  coefficients: Float64Array;
  fitted: Float64Array;
  converged: boolean;
  iterations: number;
}

/** fastglm(x, y, family = binomial(), weights, method = 3, tol = 1e-8, maxit = 100). */
export function fitLogit(
  x: DesignColumns,
  y: Float64Array,
  weights: Float64Array,
  tol = 1e-8,
  maxit = 100,
): LogitFit {
  const n = y.length;
  const k = x.length;
  const mu = new Float64Array(n);
  const eta = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const w = weights[i] as number;
    const m = (w * (y[i] as number) + 0.5) / (w + 1);
    eta[i] = Math.log(m / (1 - m));
    mu[i] = logitInverse(eta[i] as number);
  }
  let beta: Float64Array = new Float64Array(k);
  let betaPrev: Float64Array = new Float64Array(k);
  let dev = binomialDeviance(y, mu, weights);
  let devold = dev;
  const z = new Float64Array(n);
  const w2 = new Float64Array(n);
  const update = () => {
    for (let i = 0; i < n; i++) {
      let e = 0;
      for (let j = 0; j < k; j++) e += ((x[j] as Float64Array)[i] as number) * (beta[j] as number);
      eta[i] = e;
      mu[i] = logitInverse(e);
    }
  };
  const halve = () => {
    for (let j = 0; j < k; j++) beta[j] = 0.5 * ((beta[j] as number) + (betaPrev[j] as number));
    update();
  };
  let converged = false;
  let iter = 0;
  for (; iter < maxit; iter++) {
    for (let i = 0; i < n; i++) {
      const m = mu[i] as number;
      const me = logitMuEta(eta[i] as number);
      z[i] = (eta[i] as number) + ((y[i] as number) - m) / me;
      w2[i] = ((weights[i] as number) * me * me) / (m * (1 - m));
    }
    betaPrev = beta;
    beta = solveWeightedNormal(x, z, w2);
    update();
    devold = dev;
    dev = binomialDeviance(y, mu, weights);
    // run_step_halving: infinite deviance, then increasing deviance (after the first iteration).
    if (!Number.isFinite(dev)) {
      for (let h = 0; h < maxit && !Number.isFinite(dev); h++) {
        halve();
        dev = binomialDeviance(y, mu, weights);
      }
    }
    if ((dev - devold) / (0.1 + Math.abs(dev)) >= tol && iter > 0) {
      for (let h = 0; h < maxit && (dev - devold) / (0.1 + Math.abs(dev)) >= -tol; h++) {
        halve();
        dev = binomialDeviance(y, mu, weights);
      }
    }
    if (Math.abs(dev - devold) / (0.1 + Math.abs(dev)) < tol) {
      converged = true;
      break;
    }
  }
  return {
    coefficients: beta,
    fitted: Float64Array.from(mu),
    converged,
    iterations: Math.min(iter + 1, maxit),
  };
}

/** Solves (X' diag(w) X) b = X' diag(w) y by Cholesky, with one step of iterative refinement. */
export function solveWeightedNormal(x: DesignColumns, y: Float64Array, w: Float64Array): Float64Array {
  const k = x.length;
  const n = y.length;
  const a = new Float64Array(k * k);
  for (let p = 0; p < k; p++) {
    const xp = x[p] as Float64Array;
    for (let q = 0; q <= p; q++) {
      const xq = x[q] as Float64Array;
      let s = 0;
      for (let i = 0; i < n; i++) s += (w[i] as number) * (xp[i] as number) * (xq[i] as number);
      a[p * k + q] = s;
      a[q * k + p] = s;
    }
  }
  const chol = cholesky(a, k);
  const rhs = (r: Float64Array) => {
    const out = new Float64Array(k);
    for (let p = 0; p < k; p++) {
      const xp = x[p] as Float64Array;
      let s = 0;
      for (let i = 0; i < n; i++) s += (w[i] as number) * (xp[i] as number) * (r[i] as number);
      out[p] = s;
    }
    return out;
  };
  const b = choleskySolve(chol, k, rhs(y));
  const resid = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let p = 0; p < k; p++) f += ((x[p] as Float64Array)[i] as number) * (b[p] as number);
    resid[i] = (y[i] as number) - f;
  }
  const correction = choleskySolve(chol, k, rhs(resid));
  for (let p = 0; p < k; p++) b[p] = (b[p] as number) + (correction[p] as number);
  return b;
}

/** Lower Cholesky factor (row-major k x k) of a symmetric positive definite matrix. */
export function cholesky(a: Float64Array, k: number): Float64Array {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * k + j] as number;
      for (let m = 0; m < j; m++) s -= (l[i * k + m] as number) * (l[j * k + m] as number);
      if (i === j) {
        if (!(s > 0)) {
          throw estimationError(
            "a regression inside the doubly robust estimator is singular (collinear covariates, or a covariate constant among the units of a group-time cell)",
          );
        }
        l[i * k + i] = Math.sqrt(s);
      } else {
        l[i * k + j] = s / (l[j * k + j] as number);
      }
    }
  }
  return l;
}

export function choleskySolve(l: Float64Array, k: number, b: Float64Array): Float64Array {
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i] as number;
    for (let m = 0; m < i; m++) s -= (l[i * k + m] as number) * (y[m] as number);
    y[i] = s / (l[i * k + i] as number);
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = y[i] as number;
    for (let m = i + 1; m < k; m++) s -= (l[m * k + i] as number) * (x[m] as number);
    x[i] = s / (l[i * k + i] as number);
  }
  return x;
}

/** (A)^{-1} of a symmetric positive definite k x k matrix (R's chol2inv(chol(A))). */
export function inverseSpd(a: Float64Array, k: number): Float64Array {
  const l = cholesky(a, k);
  const inv = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    const e = new Float64Array(k);
    e[j] = 1;
    const col = choleskySolve(l, k, e);
    for (let i = 0; i < k; i++) inv[i * k + j] = col[i] as number;
  }
  return inv;
}

/** Reciprocal condition number estimate of a symmetric positive semi-definite matrix (1-norm, exact inverse). */
export function reciprocalCondition(a: Float64Array, k: number): number {
  let inv: Float64Array;
  try {
    inv = inverseSpd(a, k);
  } catch {
    return 0;
  }
  const norm1 = (m: Float64Array) => {
    let best = 0;
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += Math.abs(m[i * k + j] as number);
      best = Math.max(best, s);
    }
    return best;
  };
  return 1 / (norm1(a) * norm1(inv));
}
