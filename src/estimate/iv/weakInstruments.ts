/**
 * Weak-instrument statistics that do not depend on the covariance chosen: Cragg-Donald and Sanderson-Windmeijer,
 * computed from the first stages' small matrices.
 */
import { EigenvalueDecomposition, inverse, Matrix, solve } from "ml-matrix";
import { crossProducts } from "../../numeric/leastSquares.js";
import { matrixFromSquare } from "../../numeric/matrices.js";
import type { DesignColumn } from "../frame.js";

/** What the weak-instrument statistics take from each first stage. */
export interface FirstStagePieces {
  residuals: Float64Array;
  keptInstruments: DesignColumn[];
  instrumentCoefficients: Float64Array;
  /** (Z~'WZ~)^-1 over the kept excluded instruments. */
  instrumentInverse: Matrix;
}

/**
 * Cragg-Donald Wald F and Sanderson-Windmeijer conditional first-stage F statistics (iid errors), from the
 * endogenous regressors X~ and instruments Z~ with the exogenous regressors partialled out:
 *   CD = (N - L) / L2 * mineig( (X~' M_Z~ X~)^-1 X~' P_Z~ X~ ),   N - L the first stage's residual df
 * (Stock and Yogo 2005; ivreg2's cdf). For endogenous regressor j, SW (2016, eq. 15) instruments the other
 * endogenous ones: e = X~_j - X~_-j d with d the 2SLS estimate, then
 *   SW_j = [e' P_Z~ e / (L2 - p + 1)] / [e' M_Z~ e / (N - L)].
 * No n-length work beyond V'WV: by Frisch-Waugh-Lovell the first stages give X~ = Z~ Pi + V with Pi their
 * excluded-instrument coefficients and V their residuals (Z~'WV = 0), and Z~'WZ~ is the inverse of the
 * instruments' block of a first stage's (X'WX)^-1, so
 *   X~' P_Z~ X~ = Pi' (Z~'WZ~) Pi = Q,   X~' M_Z~ X~ = V'WV,   X~'WX~ = Q + V'WV,
 * and e' P e, e' M e are quadratic forms in Q and V'WV with the vector (1 at j, -d elsewhere).
 * `dfResid` is N - L: observations less exogenous regressors, kept instruments and fixed-effect parameters.
 */
export function weakInstrumentStatistics(
  firstStages: FirstStagePieces[],
  weights: Float64Array | null,
  dfResid: number,
): { craggDonald: number; sandersonWindmeijer: number[]; endogenousCrossProducts: Matrix } {
  const vv = matrixFromSquare(
    crossProducts(
      firstStages.map((f) => f.residuals),
      weights,
    ),
    firstStages.length,
  );
  return weakInstrumentStatisticsFromCrossProducts(
    firstStages.map((f) => ({
      instruments: f.keptInstruments.length,
      instrumentCoefficients: f.instrumentCoefficients,
      instrumentInverse: f.instrumentInverse,
    })),
    vv,
    dfResid,
  );
}

/**
 * The same statistics from V'WV, the first stages' residual cross-products, however they were summed (the SQL
 * engines compute it from their Gram matrix, without the rows).
 */
export function weakInstrumentStatisticsFromCrossProducts(
  firstStages: { instruments: number; instrumentCoefficients: Float64Array; instrumentInverse: Matrix }[],
  vv: Matrix,
  dfResid: number,
): { craggDonald: number; sandersonWindmeijer: number[]; endogenousCrossProducts: Matrix } {
  const first = firstStages[0] as (typeof firstStages)[number];
  const l2 = first.instruments;
  const p = firstStages.length;
  const szz = inverse(first.instrumentInverse);
  const pi = new Matrix(l2, p);
  firstStages.forEach((f, j) => {
    for (let r = 0; r < l2; r++) pi.set(r, j, f.instrumentCoefficients[r] as number);
  });
  const q = pi.transpose().mmul(szz).mmul(pi);
  const eig = new EigenvalueDecomposition(solve(vv, q));
  const craggDonald = (Math.min(...eig.realEigenvalues) * dfResid) / l2;

  const quadratic = (m: Matrix, c: Float64Array) => {
    let total = 0;
    for (let r = 0; r < p; r++)
      for (let t = 0; t < p; t++) total += (c[r] as number) * m.get(r, t) * (c[t] as number);
    return total;
  };
  const sandersonWindmeijer = firstStages.map((_, j) => {
    if (p === 1) return Number.NaN;
    const others = Array.from({ length: p }, (_, t) => t).filter((t) => t !== j);
    // 2SLS of x_j on the other endogenous regressors: d = (X-j' P X-j)^-1 X-j' P x_j.
    const a = new Matrix(p - 1, p - 1);
    const b = new Matrix(p - 1, 1);
    others.forEach((r, u) => {
      others.forEach((t, v) => {
        a.set(u, v, q.get(r, t));
      });
      b.set(u, 0, q.get(r, j));
    });
    const d = solve(a, b);
    const c = new Float64Array(p);
    c[j] = 1;
    others.forEach((t, u) => {
      c[t] = -d.get(u, 0);
    });
    return quadratic(q, c) / (l2 - p + 1) / (quadratic(vv, c) / dfResid);
  });
  return { craggDonald, sandersonWindmeijer, endogenousCrossProducts: q.clone().add(vv) };
}
