/**
 * Sun and Abraham (2021) interaction-weighted (IW) estimator, as a post-estimation aggregation of one TWFE
 * regression on cohort x relative-period dummies.
 *
 * The regression (built in eventStudy.ts): y_it = alpha_i + lambda_t + sum_{e,l} delta_{e,l} 1{E_i = e} 1{t - e = l}
 * + controls + u_it, for every treated cohort e (the event period) and relative period l of the window other
 * than the reference period(s); the control cohort (never treated, or the last-treated cohort with
 * `--control not-yet`) gets no dummies. delta_{e,l} is the cohort-specific average treatment effect CATT_{e,l}.
 *
 * Aggregation: beta_l = sum_e w_{e,l} delta_{e,l} with w_{e,l} = N_{e,l} / sum_e' N_{e',l}, N_{e,l} the number of
 * observations of cohort e at relative period l in the estimation sample (the column sums of the interaction
 * dummies; with analytic weights, still counts). This is fixest's `aggregate(sunab)`/`summary(agg = "ATT")`
 * convention. The post-period ATT is the same with weights N_{e,l} / sum over all (e, l >= 0). The weights are
 * treated as fixed: Var(W delta) = W V W' (the delta method for a linear map), as fixest does; Sun and Abraham's
 * paper adds a term for the estimated shares, which vanishes when the shares are known.
 *
 * Relationship to cohort-by-cohort regressions: when every observation of a treated unit except its reference-
 * period one carries a cohort-specific dummy (a saturated model, the default here: observations outside the
 * window are dropped or binned into cohort-specific end-point dummies), treated units do not inform the time
 * effects, which are then estimated from the control units alone; delta_{e,l} equals the estimate from a
 * regression on cohort e and the controls only, i.e. the DiD of cohort e between l and the reference period
 * against the controls. test/eventstudy/sunab.test.ts checks this identity to 1e-10.
 */
import { Matrix } from "ml-matrix";

/** One estimated coefficient of the interacted regression. */
export interface CellCoefficient {
  /** Index of the coefficient in the regression's coefficient vector. */
  index: number;
  /** Cohort (event period). */
  cohort: number;
  rel: number;
  /** Observations of this cohort at this relative period in the estimation sample. */
  nobs: number;
}

/** A linear combination of regression coefficients: sum_j weights[j] b[index[j]]. */
export interface LinearCombination {
  index: number[];
  weights: number[];
}

/** Cohort-share weights of the cells at one relative period (or any set of cells, e.g. all post periods). */
export function cohortShareCombination(cells: readonly CellCoefficient[]): LinearCombination {
  const total = cells.reduce((sum, c) => sum + c.nobs, 0);
  return { index: cells.map((c) => c.index), weights: cells.map((c) => c.nobs / total) };
}

/**
 * Estimates and covariance of linear combinations of coefficients: W b and W V W' (weights treated as fixed).
 */
export function combine(
  estimates: ArrayLike<number>,
  vcov: Matrix,
  combinations: readonly LinearCombination[],
): { estimates: Float64Array; vcov: Matrix } {
  const p = combinations.length;
  const k = estimates.length;
  const w = Matrix.zeros(p, k);
  combinations.forEach((c, r) => {
    c.index.forEach((j, m) => {
      w.set(r, j, w.get(r, j) + (c.weights[m] as number));
    });
  });
  const out = new Float64Array(p);
  for (let r = 0; r < p; r++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += w.get(r, j) * (estimates[j] as number);
    out[r] = s;
  }
  const v = w.mmul(vcov).mmul(w.transpose());
  // Symmetrise exactly (the products above can differ in the last bit).
  for (let a = 0; a < p; a++) {
    for (let b = a + 1; b < p; b++) {
      const m = (v.get(a, b) + v.get(b, a)) / 2;
      v.set(a, b, m);
      v.set(b, a, m);
    }
  }
  return { estimates: out, vcov: v };
}
