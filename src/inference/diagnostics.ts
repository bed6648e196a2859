/**
 * What a fitted model's numbers cannot tell by themselves, checked on every fit before it is summarized (issue 16:
 * no meaningless result without a note):
 *
 * - a perfect fit: residuals at the rounding level of the outcome. R's summary.lm warns "essentially perfect fit:
 *   summary may be unreliable" when the residual variance is below 1e-30 times mean(f)^2 + var(f) of the fitted
 *   values f (R src/library/stats/R/lm.R); here the outcome's (weighted) mean square stands for the fitted values'
 *   (they differ by the residuals, negligible exactly then). Standard errors are then zero up to rounding (NIST
 *   certifies 0 for Wampler1) and t statistics of 1e15-1e33 would print with stars, so tests are withheld and a
 *   note says why;
 * - near-collinear regressors: a kept regressor reproduced by the others up to 1 - R^2 < 1e-10 (a variance
 *   inflation factor above 1e10), computed as VIF_j = [(X'WX)^-1]_jj times the (weighted) sum of squares of x_j
 *   about its mean with an intercept (the usual centred VIF: [(X'WX)^-1]_jj is 1 / RSS of x_j on the others),
 *   about zero without one; with absorbed fixed effects the columns are already demeaned (the within VIF). Its
 *   coefficient rests on differences at the
 *   rounding level of the data (x2 = round(2 x, 6) gave +-2.3e5); the note names the pair and the condition.
 * Standard errors that are not finite are noted where the covariance is computed (src/vcov/registry.ts).
 */
import { type Fit, INTERCEPT } from "../model/fit.js";

/** R's summary.lm threshold for an essentially perfect fit (residual variance / mean square of the fit). */
export const PERFECT_FIT_RATIO = 1e-30;
/** 1 - R^2 of a regressor on the others below this is reported as near-collinearity (VIF above 1e10). */
export const NEAR_COLLINEAR_TOLERANCE = 1e-10;

export interface FitDiagnostics {
  /** Residuals at the rounding level of the outcome: standard errors and tests are not meaningful. */
  perfectFit: boolean;
  notes: string[];
}

export function diagnoseFit(fit: Fit, dfResid: number): FitDiagnostics {
  const notes: string[] = [];
  const perfectFit = isPerfectFit(fit, dfResid);
  if (perfectFit) {
    notes.push(
      "perfect fit: the residuals are zero up to rounding (residual variance below 1e-30 of the outcome's mean square, R's summary.lm criterion), so the standard errors are zero up to rounding and t statistics, p-values and the F test are not meaningful and are not reported",
    );
  } else {
    notes.push(...nearCollinearity(fit));
  }
  return { perfectFit, notes };
}

function isPerfectFit(fit: Fit, dfResid: number): boolean {
  if (fit.statistics.likelihood !== undefined) return false;
  const meanSquare = fit.statistics.responseMeanSquare;
  if (meanSquare === undefined || !(meanSquare > 0) || !(dfResid > 0)) return false;
  return fit.rss / dfResid < PERFECT_FIT_RATIO * meanSquare;
}

/** Notes on near-collinear regressors, one per pair (or per regressor nearly explained by several). */
function nearCollinearity(fit: Fit): string[] {
  const rows = fit.scores.rows;
  if (rows === null) return [];
  const w = rows.gramWeights ?? rows.weights;
  const k = fit.terms.length;
  const gram = (a: Float64Array, b: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += (w ? (w[i] as number) : 1) * (a[i] as number) * (b[i] as number);
    return s;
  };
  const columns = rows.columns;
  const intercept = fit.terms.indexOf(INTERCEPT) >= 0;
  const meanOf = (x: Float64Array): number => {
    if (!intercept) return 0;
    let sw = 0;
    let swx = 0;
    for (let i = 0; i < x.length; i++) {
      const wi = w ? (w[i] as number) : 1;
      sw += wi;
      swx += wi * (x[i] as number);
    }
    return swx / sw;
  };
  const centred = (j: number): Float64Array => {
    const x = columns[j] as Float64Array;
    const mean = meanOf(x);
    return mean === 0 ? x : x.map((v) => v - mean);
  };
  const flagged: { j: number; tolerance: number }[] = [];
  for (let j = 0; j < k; j++) {
    const x = columns[j];
    if (fit.terms[j] === INTERCEPT || x === undefined) continue;
    // Sum of squares about the mean (about zero without an intercept), without a copy of the column.
    const mean = meanOf(x);
    let ss = 0;
    for (let i = 0; i < x.length; i++) ss += (w ? (w[i] as number) : 1) * ((x[i] as number) - mean) ** 2;
    const vif = fit.bread.get(j, j) * ss;
    if (Number.isFinite(vif) && vif > 1 / NEAR_COLLINEAR_TOLERANCE) flagged.push({ j, tolerance: 1 / vif });
  }
  if (flagged.length === 0) return [];
  const notes: string[] = [];
  const reported = new Set<string>();
  for (const { j, tolerance } of flagged) {
    const name = fit.terms[j] as string;
    const xj = centred(j);
    const ssj = gram(xj, xj);
    let partner = -1;
    let best = 0;
    for (let m = 0; m < k; m++) {
      if (m === j || fit.terms[m] === INTERCEPT) continue;
      const xm = centred(m);
      const r = Math.abs(gram(xj, xm) / Math.sqrt(ssj * gram(xm, xm)));
      if (r > best) {
        best = r;
        partner = m;
      }
    }
    const detail = `1 - R² of '${name}' on the other regressors ${tolerance.toPrecision(2)}, variance inflation ${(1 / tolerance).toPrecision(2)}`;
    const consequence =
      "the coefficients rest on differences at the rounding level of the data and are not interpretable one by one";
    if (partner >= 0 && 1 - best < 1e-6) {
      const other = fit.terms[partner] as string;
      const key = [name, other].sort().join("\u0000");
      if (reported.has(key)) continue;
      reported.add(key);
      // Condition number of the pair's correlation matrix [[1, r], [r, 1]]: (1 + |r|) / (1 - |r|).
      const condition = (1 + best) / Math.max(1 - best, Number.EPSILON);
      notes.push(
        `near-collinear regressors ${partner < j ? `'${other}' and '${name}'` : `'${name}' and '${other}'`}: correlation ${best >= 1 - 1e-15 ? "1 to 15 digits" : `1 - ${(1 - best).toPrecision(2)}`}, condition number of the pair ${condition.toPrecision(2)} (${detail}); ${consequence}`,
      );
    } else {
      notes.push(
        `near-collinear regressor '${name}': nearly a linear combination of the other regressors (${detail}); ${consequence}`,
      );
    }
  }
  return notes;
}
