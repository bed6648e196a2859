/**
 * Poisson pseudo-maximum likelihood with any number of fixed effects (fixest's `fepois`, Stata's `ppmlhdfe`), by
 * iteratively reweighted least squares with weighted demeaning, as fixest 0.12's feglm.fit (R/estimation.R):
 *
 *   start    mu = y + 0.1 (R's poisson()$initialize), eta = log(mu)
 *   repeat   z = eta - offset + (y - mu) / mu,  w = prior weight x mu
 *            regress z on X with the fixed effects absorbed, weights w (demeaning by alternating projections)
 *            eta = fitted + offset, mu = exp(eta), deviance D = 2 sum w_p [y log(y / mu) - (y - mu)]
 *   until    |D - D_old| / (0.1 + |D|) < tol   (fixest's criterion; tol 1e-10 here, fixest's default is 1e-8)
 * with step halving towards the previous linear predictor when the deviance is not finite or increases, and one
 * more weighted regression at the converged mean (a final Newton step, so that bread and scores use its weights).
 * The demeaning inside the loop starts at a tolerance of 1e-5 and is tightened to a thousandth of the deviance's
 * relative change (ppmlhdfe's adaptive tolerance; fixest uses 1e-5 then 1e-6); the final regression demeans to
 * the full tolerance of the memory engine (1e-10 of each column's sd). Each step starts the demeaning from the
 * previous step's fixed effects (fixest does the same with its `means`) and re-weights the cross-tabulations
 * instead of rebuilding them; inside the loop the least squares take the refined double-precision path.
 *
 * Separation: an observation whose fixed-effect group has only zero outcomes pins that group's effect at minus
 * infinity; it is removed before estimation (fixest's fixef.rm = "perfect", one pass over each fixed effect, as
 * fixest does) and counted in a note, as fixest and ppmlhdfe report it.
 *
 * What the covariance registry receives (fixest: res$scores, res$hessian): the demeaned design X~ of the last
 * weighted regression, its IRLS weights w and working residuals r = z - fitted, so that the scores are
 * s_i = w_i r_i x~_i and the bread is (X~' W X~)^-1, the inverse Hessian; the dispersion is fixed at 1 and
 * inference is normal (z), as fixest does for Poisson. Deviance, log-likelihood and McFadden's pseudo R2
 * 1 - logLik / logLik_null (fixest's r2(, "pr2")) are reported with the fit.
 */
import { gammaln } from "simple-statistics";
import { DEMEAN_TOL, encodeFixedEffects } from "../../absorb/absorb.js";
import { type Absorber, createAbsorber } from "../../absorb/demean.js";
import { fixestFixefK } from "../../absorb/fixedEffectDof.js";
import type { FixedEffect } from "../../absorb/fixedEffects.js";
import { dataError, estimationError } from "../../errors.js";
import { INTERCEPT } from "../../model/fit.js";
import { leastSquares } from "../../numeric/leastSquares.js";
import {
  collinearNote,
  type FitOptions,
  noDegreesOfFreedom,
  type PreparedDesign,
  sumOfSquares,
} from "../design.js";
import type { DesignColumn, ModelFrame } from "../frame.js";
import { type MemoryFit, memoryFit } from "../memoryFit.js";
import { checkModelFrame } from "../sanity.js";

/** Relative change of the deviance at which IRLS stops (fixest's glm.tol criterion, tighter than its 1e-8). */
export const POISSON_TOL = 1e-10;
/** Maximum IRLS iterations (fixest's glm.iter). */
export const POISSON_MAX_ITER = 25;
/** A regressor whose weighted sum of squares falls below this share of its own after demeaning is absorbed. */
const ABSORBED_BY_FE_TOL = 1e-10;

export function fitPoisson(inputFrame: ModelFrame, options: FitOptions): MemoryFit {
  const text = inputFrame.formula.text;
  checkModelFrame(inputFrame, { likelihood: true });
  checkCounts(inputFrame);
  const hasFixedEffects = inputFrame.formula.fixedEffects.length > 0;
  const encoded = hasFixedEffects
    ? encodeFixedEffects(inputFrame, { dropSingletons: options.dropSingletons ?? false }, separation)
    : null;
  const frame = encoded?.frame ?? inputFrame;
  const fes = encoded?.fixedEffects ?? [];
  const separated = inputFrame.nobs - frame.nobs - (encoded?.singletons ?? 0);
  const notes = [...frame.notes, ...(encoded?.notes ?? [])];
  const n = frame.nobs;
  const y = frame.response.hi;
  let sumY = 0;
  for (let i = 0; i < n; i++) sumY += (frame.weights ? (frame.weights[i] as number) : 1) * (y[i] as number);
  if (!(sumY > 0)) throw estimationError(`"${text}": the outcome is zero in every observation`);

  const prior = frame.weights;
  const offset = frame.offset;
  const candidates: DesignColumn[] = hasFixedEffects
    ? [...frame.columns]
    : frame.intercept
      ? [{ name: INTERCEPT, hi: new Float64Array(n).fill(1), lo: null }, ...frame.columns]
      : [...frame.columns];
  if (candidates.length === 0) throw estimationError(`"${text}" has no regressors`);

  // Deviance constant: sum over y > 0 of w_p (y log y - y), so that D = 2 (constant - sum w_p y eta + sum w_p mu).
  let constant = 0;
  for (let i = 0; i < n; i++) {
    const yi = y[i] as number;
    if (yi > 0) constant += (prior ? (prior[i] as number) : 1) * (yi * Math.log(yi) - yi);
  }
  const deviance = (eta: Float64Array, mu: Float64Array) => {
    let s = constant;
    for (let i = 0; i < n; i++) {
      const p = prior ? (prior[i] as number) : 1;
      s += p * ((mu[i] as number) - (y[i] as number) * (eta[i] as number));
    }
    return 2 * s;
  };

  let mu: Float64Array = new Float64Array(n);
  let eta: Float64Array = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    mu[i] = (y[i] as number) + 0.1;
    eta[i] = Math.log(mu[i] as number);
  }
  // fixest starts the step-halving reference at a constant linear predictor of 1e-5.
  let devOld = deviance(new Float64Array(n).fill(1e-5), new Float64Array(n).fill(Math.exp(1e-5)));
  let etaOld: Float64Array = new Float64Array(n).fill(1e-5);
  let dev = devOld;
  let converged = false;
  let iterations = 0;
  let last: WeightedStep | null = null;
  let absorbedByFe: string[] = [];
  // The inner demeaning need only be as precise as the outer iteration is close (ppmlhdfe's adaptive tolerance):
  // loose while the deviance still moves, tightened with it; the final regression below uses the full tolerance.
  let demeanTolerance = 1e-5;
  const warm: WarmStart = new Map();
  for (let iter = 1; iter <= POISSON_MAX_ITER; iter++) {
    iterations = iter;
    const w = new Float64Array(n);
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const m = mu[i] as number;
      w[i] = (prior ? (prior[i] as number) : 1) * m;
      z[i] = (eta[i] as number) - (offset ? (offset[i] as number) : 0) + ((y[i] as number) - m) / m;
    }
    const step = weightedStep(
      candidates,
      z,
      w,
      fes,
      iter === 1 ? null : absorbedByFe,
      demeanTolerance,
      warm,
      false,
      last?.absorber ?? null,
    );
    if (iter === 1) absorbedByFe = step.absorbedByFe;
    last = step;
    let etaNew: Float64Array = new Float64Array(n);
    for (let i = 0; i < n; i++)
      etaNew[i] = (z[i] as number) - (step.residuals[i] as number) + (offset ? (offset[i] as number) : 0);
    let muNew = exp(etaNew);
    dev = deviance(etaNew, muNew);
    let evolution = dev - devOld;
    const settled = Number.isFinite(dev) && Math.abs(evolution) / (0.1 + Math.abs(dev)) < POISSON_TOL;
    if (!settled && (!Number.isFinite(dev) || evolution > 0)) {
      // Step halving towards the previous linear predictor (fixest: at most glm.iter halvings; at the first
      // iteration the deviance may exceed the starting reference, so two halvings at most there).
      for (let h = 0; h < POISSON_MAX_ITER && (!Number.isFinite(dev) || evolution > 0); h++) {
        if (iter === 1 && Number.isFinite(dev) && h >= 2) break;
        const half = new Float64Array(n);
        for (let i = 0; i < n; i++) half[i] = ((etaOld[i] as number) + (etaNew[i] as number)) / 2;
        etaNew = half;
        muNew = exp(etaNew);
        dev = deviance(etaNew, muNew);
        evolution = dev - devOld;
      }
      if (!Number.isFinite(dev))
        throw estimationError(`"${text}": the Poisson iterations diverged (non-finite deviance)`);
      // A step that was halved is not a weighted-regression solution: keep iterating.
      evolution = Number.POSITIVE_INFINITY;
    }
    eta = etaNew;
    mu = muNew;
    if (Math.abs(evolution) / (0.1 + Math.abs(dev)) < POISSON_TOL) {
      converged = true;
      break;
    }
    devOld = dev;
    etaOld = Float64Array.from(eta);
    const change = Math.abs(evolution) / (0.1 + Math.abs(dev));
    demeanTolerance = Math.min(
      demeanTolerance,
      Math.max(DEMEAN_TOL, Number.isFinite(change) ? change * 1e-3 : 1e-5),
    );
  }
  let step = last as WeightedStep;
  if (converged) {
    // One more weighted regression at the converged mean: the bread and the scores then use the IRLS weights of
    // the final mu, not of the previous iteration's (fixest's scores and Hessian lag one iteration, which at its
    // default tolerance moves standard errors by ~1e-6 relative; tight tolerances remove the lag, as this does).
    const w = new Float64Array(n);
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const m = mu[i] as number;
      w[i] = (prior ? (prior[i] as number) : 1) * m;
      z[i] = (eta[i] as number) - (offset ? (offset[i] as number) : 0) + ((y[i] as number) - m) / m;
    }
    step = weightedStep(candidates, z, w, fes, absorbedByFe, DEMEAN_TOL, warm, true, step.absorber);
    const etaFinal = new Float64Array(n);
    for (let i = 0; i < n; i++)
      etaFinal[i] = (z[i] as number) - (step.residuals[i] as number) + (offset ? (offset[i] as number) : 0);
    eta = etaFinal;
    mu = exp(eta);
    dev = deviance(eta, mu);
  }
  if (!converged)
    notes.push(
      `the Poisson iterations did not converge in ${POISSON_MAX_ITER} iterations: results are approximate`,
    );
  if (!step.demeanConverged)
    notes.push(
      "the fixed-effects demeaning did not converge: results are approximate (see --help for tolerances)",
    );

  const kept = step.kept;
  const terms = kept.map((c) => c.name);
  const feParams = fixestFixefK(fes, { fixefK: "full" });
  if (n - (terms.length + feParams) <= 0) throw noDegreesOfFreedom(text, n, terms.length + feParams);
  const collinear = [...step.absorbedByFe, ...step.dropped];
  if (collinear.length > 0) notes.push(collinearNote(collinear, hasFixedEffects));

  // Log-likelihoods (fixest: sum w_p (y eta - mu - lgamma(y + 1)); the null model's closed form uses the
  // unweighted lgamma sum, as fixest's get_model_null does).
  let logLik = 0;
  let lfact = 0;
  let rss = 0;
  let sumW = 0;
  for (let i = 0; i < n; i++) {
    const p = prior ? (prior[i] as number) : 1;
    const yi = y[i] as number;
    const lg = yi > 1 ? gammaln(yi + 1) : 0;
    lfact += lg;
    logLik += p * (yi * (eta[i] as number) - (mu[i] as number) - lg);
    rss += p * (yi - (mu[i] as number)) ** 2;
    sumW += p;
  }
  const nullLogLik = sumY * Math.log(sumY) - sumY * Math.log(prior ? sumW : n) - sumY - lfact;
  const nullDeviance = 2 * (constant - sumY * Math.log(sumY / (prior ? sumW : n)) + sumY);

  const design: PreparedDesign = {
    frame,
    absorbed:
      step.absorber === null
        ? null
        : {
            frame,
            fixedEffects: fes,
            absorber: step.absorber,
            response: step.demeanedResponse,
            columns: step.demeaned,
            endogenous: [],
            instruments: [],
            converged: step.demeanConverged,
            iterations: step.demeanIterations,
            singletons: encoded?.singletons ?? 0,
            notes: [],
          },
    columns: kept,
    response: { name: frame.response.name, hi: step.demeanedResponse, lo: null },
    endogenous: [],
    instruments: [],
    absorbedByFe: step.absorbedByFe,
    fixedEffects: fes,
    feParams,
    notes,
  };
  const coefficients = step.coefficients;
  return memoryFit({
    estimator: "poisson",
    design,
    terms,
    coefficients,
    collinear,
    bread: step.bread,
    rss,
    dispersion: { kind: "fixed", value: 1 },
    scores: {
      columns: kept.map((c) => c.hi),
      residuals: step.residuals,
      weights: step.weights,
      gramWeights: null,
    },
    notes,
    separated,
    statistics: {
      tss: Number.NaN,
      withinTss: null,
      centred: true,
      likelihood: {
        deviance: dev,
        nullDeviance,
        logLik,
        nullLogLik,
        iterations,
        converged,
        squaredCorrelation: squaredCorrelation(y, mu),
      },
    },
    unsupportedConventions: {
      reghdfe: "the reghdfe convention is for OLS (use ppmlhdfe's own conventions: fixest)",
    },
    // fixest's sumFE: the linear predictor less X b and the offset, on the original (not demeaned) scale.
    fixedEffectTarget: () => {
      const target = new Float64Array(n);
      for (let i = 0; i < n; i++) target[i] = (eta[i] as number) - (offset ? (offset[i] as number) : 0);
      terms.forEach((term, m) => {
        const original = frame.columns.find((c) => c.name === term) as DesignColumn;
        const b = coefficients[m] as number;
        for (let i = 0; i < n; i++) target[i] = (target[i] as number) - b * (original.hi[i] as number);
      });
      return target;
    },
  });
}

/** One weighted least-squares step of IRLS: z on X with the fixed effects absorbed, weights w. */
interface WeightedStep {
  kept: DesignColumn[];
  dropped: string[];
  absorbedByFe: string[];
  coefficients: Float64Array;
  /** Working residuals z - fitted (the demeaned regression's residuals, by Frisch-Waugh-Lovell). */
  residuals: Float64Array;
  weights: Float64Array;
  bread: import("ml-matrix").Matrix;
  demeaned: Float64Array[];
  demeanedResponse: Float64Array;
  absorber: Absorber | null;
  demeanConverged: boolean;
  demeanIterations: number;
}

/** Fixed-effect coefficients reached per column name ("z" for the working response): the next warm start. */
type WarmStart = Map<string, Float64Array[]>;

function weightedStep(
  candidates: readonly DesignColumn[],
  z: Float64Array,
  w: Float64Array,
  fes: readonly FixedEffect[],
  absorbedBefore: readonly string[] | null,
  tolerance: number,
  warm: WarmStart,
  finalStep: boolean,
  previous: Absorber | null,
): WeightedStep {
  let columns = candidates.filter((c) => absorbedBefore === null || !absorbedBefore.includes(c.name));
  let response: DesignColumn = { name: "z", hi: z, lo: null };
  let absorber: Absorber | null = null;
  let demeanConverged = true;
  let demeanIterations = 0;
  const absorbedByFe: string[] = [];
  let demeaned: Float64Array[] = [];
  if (fes.length > 0) {
    // The fixed effects are the same at every step; only the weights change (the cross-tabs' structure is kept).
    absorber =
      previous === null ? createAbsorber(fes, w, undefined, { reweightable: true }) : previous.reweighted(w);
    const names = ["z", ...columns.map((c) => c.name)];
    const start = names.map((name) => warm.get(name));
    const result = absorber.demean([z, ...columns.map((c) => c.hi)], {
      tol: tolerance,
      parallel: true,
      inPlace: false,
      // Each IRLS step demeans columns close to the previous step's: start from its fixed effects.
      ...(start.every((x) => x !== undefined) ? { start: start as Float64Array[][] } : {}),
      keepState: true,
    });
    result.state?.forEach((state, j) => {
      warm.set(names[j] as string, state);
    });
    demeanConverged = result.converged;
    demeanIterations = Math.max(0, ...result.iterations);
    response = { name: "z", hi: result.columns[0] as Float64Array, lo: null };
    const kept: DesignColumn[] = [];
    columns.forEach((c, j) => {
      const d = result.columns[j + 1] as Float64Array;
      if (absorbedBefore === null && sumOfSquares(d, w) <= ABSORBED_BY_FE_TOL * sumOfSquares(c.hi, w)) {
        absorbedByFe.push(c.name);
      } else kept.push({ name: c.name, hi: d, lo: null });
    });
    columns = kept;
    demeaned = kept.map((c) => c.hi);
  }
  if (columns.length === 0) throw estimationError("every regressor is collinear with the fixed effects");
  // Inside the loop the refined double-precision path suffices (the final step is solved as every model is).
  const ls = leastSquares(columns, response, w, finalStep ? {} : { forcePath: "fast" });
  return {
    kept: ls.kept.map((j) => columns[j] as DesignColumn),
    dropped: ls.dropped.map((j) => (columns[j] as DesignColumn).name),
    absorbedByFe: absorbedBefore === null ? absorbedByFe : [...absorbedBefore],
    coefficients: ls.coefficients,
    residuals: ls.residuals,
    weights: w,
    bread: ls.xtxInverse,
    demeaned,
    demeanedResponse: response.hi,
    absorber,
    demeanConverged,
    demeanIterations,
  };
}

/**
 * fixest's fixef.rm = "perfect" for Poisson: rows in a fixed-effect group (of any of the fixed effects) whose
 * outcome sums to zero, found in one pass on the estimation sample.
 */
function separation(
  frame: ModelFrame,
  fes: readonly FixedEffect[],
): { keep: Uint8Array; note: string } | null {
  const y = frame.response.hi;
  const n = frame.nobs;
  const keep = new Uint8Array(n).fill(1);
  const groups: string[] = [];
  let removed = 0;
  for (const fe of fes) {
    if (fe.slope !== undefined && fe.intercept === false) continue;
    const sums = new Float64Array(fe.nlevels);
    for (let i = 0; i < n; i++)
      sums[fe.ids[i] as number] = (sums[fe.ids[i] as number] as number) + (y[i] as number);
    let zeroLevels = 0;
    for (let g = 0; g < fe.nlevels; g++) if (sums[g] === 0) zeroLevels++;
    if (zeroLevels === 0) continue;
    groups.push(`${fe.name}: ${zeroLevels}`);
    for (let i = 0; i < n; i++) {
      if (sums[fe.ids[i] as number] === 0 && keep[i]) {
        keep[i] = 0;
        removed++;
      }
    }
  }
  if (removed === 0) return null;
  if (removed === n)
    throw estimationError(`"${frame.formula.text}": every fixed-effect group has only zero outcomes`);
  return {
    keep,
    note: `${removed} observation${removed === 1 ? "" : "s"} removed because their fixed-effect group has only zero outcomes (separation; groups removed: ${groups.join(", ")})`,
  };
}

/** Poisson outcomes must be non-negative (counts, or non-negative quantities for PPML). */
function checkCounts(frame: ModelFrame): void {
  const y = frame.response.hi;
  for (let i = 0; i < frame.nobs; i++) {
    if ((y[i] as number) < 0) {
      throw dataError(
        `${frame.source} line ${(frame.rows[i] as number) + 2}, outcome '${frame.response.name}': a Poisson outcome must be non-negative, found ${y[i]}`,
      );
    }
  }
}

/** cor(y, mu)^2 (fixest's sq.cor). */
function squaredCorrelation(y: Float64Array, mu: Float64Array): number {
  const n = y.length;
  let my = 0;
  let mm = 0;
  for (let i = 0; i < n; i++) {
    my += y[i] as number;
    mm += mu[i] as number;
  }
  my /= n;
  mm /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const a = (y[i] as number) - my;
    const b = (mu[i] as number) - mm;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return (sxy * sxy) / (sxx * syy);
}

function exp(eta: Float64Array): Float64Array {
  const out = new Float64Array(eta.length);
  for (let i = 0; i < eta.length; i++) out[i] = Math.exp(eta[i] as number);
  return out;
}
