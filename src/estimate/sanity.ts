/**
 * Models that cannot give a meaningful answer, refused before any estimation with a message that says why
 * (issue 16: a constant outcome printed a "highly significant" slope of -2.2e-33 with t = -14):
 *
 * - the dependent variable among its own regressors (`y ~ y + x`, or as an endogenous regressor or instrument): the
 *   fit is perfect by construction (coefficient 1 on itself, 0 on everything else); a usage error;
 * - a constant dependent variable with an intercept or fixed effects (every Poisson model): nothing to explain.
 *   fixest stops with "The dependent variable is a constant. The estimation cannot be done." (R/estimation.R,
 *   check_LHS_const; femlm/feglm: cpp_isConstant); as fixest, a linear model without intercept and fixed
 *   effects is still estimated;
 * - a variable whose values no double-precision moment can hold: the Gram matrix, the covariance's meat
 *   (n x^2 e^2) and bread (1 / (n x^2)) of a column whose largest |value| is 1e300 or 1e-300 overflow or
 *   underflow. Such columns must be rescaled (the error says how); the limit, a largest |value| between 1e-60 and
 *   1e60 for every variable, leaves every product of the estimation (n x^2 e^2 <= n 1e240) in range for any n a
 *   machine can hold.
 */
import { estimationError, usageError } from "../errors.js";
import { deparse } from "../formula/deparse.js";
import type { DesignColumn, ModelFrame } from "./frame.js";

/** A column's largest |value| must lie in [1 / MAGNITUDE_LIMIT, MAGNITUDE_LIMIT] (or be 0). */
export const MAGNITUDE_LIMIT = 1e60;

export interface SanityOptions {
  /** Poisson models need a non-constant outcome even without an intercept (fixest's feglm). */
  likelihood?: boolean;
}

/** Throws a MobilityError when the model frame cannot be estimated meaningfully (see the module comment). */
export function checkModelFrame(frame: ModelFrame, options: SanityOptions = {}): void {
  checkResponseNotRegressor(frame);
  checkMagnitudes(frame);
  checkResponseVaries(frame, options);
}

function checkResponseNotRegressor(frame: ModelFrame): void {
  const { formula } = frame;
  const response = formula.responseLabel ?? deparse(formula.response);
  const parts: [string, readonly { label: string }[]][] = [
    ["a regressor", formula.terms],
    ["an endogenous regressor", formula.iv?.endogenous ?? []],
    ["an instrument", formula.iv?.instruments ?? []],
  ];
  for (const [role, terms] of parts) {
    if (terms.some((t) => t.label === response)) {
      throw usageError(
        `formula "${formula.text}": the dependent variable '${response}' is also ${role}, a perfect fit by construction (coefficient 1 on itself); remove it from the right-hand side`,
      );
    }
  }
}

function checkResponseVaries(frame: ModelFrame, options: SanityOptions): void {
  const hasFixedEffects = frame.formula.fixedEffects.length > 0;
  if (!frame.intercept && !hasFixedEffects && options.likelihood !== true) return;
  const y = frame.response;
  const n = y.hi.length;
  // One observation is "constant" too, but its problem is the missing degrees of freedom, reported by the estimator.
  if (n < 2) return;
  const first = y.hi[0] as number;
  const firstLo = y.lo?.[0] ?? 0;
  for (let i = 1; i < n; i++) {
    if (y.hi[i] !== first || (y.lo !== null && y.lo[i] !== firstLo)) return;
  }
  const why = hasFixedEffects ? "with fixed effects" : options.likelihood ? "" : "with an intercept";
  throw estimationError(
    `"${frame.formula.text}": the dependent variable '${y.name}' is a constant (${first} on all ${n} observation${n === 1 ? "" : "s"} used): the estimation ${why ? `${why} ` : ""}cannot be done (fixest: "The dependent variable is a constant")`,
  );
}

function checkMagnitudes(frame: ModelFrame): void {
  const columns: DesignColumn[] = [
    frame.response,
    ...frame.columns,
    ...frame.endogenous,
    ...frame.instruments,
  ];
  if (frame.weights !== null && frame.weightsName !== null) {
    columns.push({ name: frame.weightsName, hi: frame.weights, lo: null });
  }
  for (const column of columns) {
    let largest = 0;
    for (let i = 0; i < column.hi.length; i++) {
      const a = Math.abs(column.hi[i] as number);
      if (a > largest) largest = a;
    }
    if (largest === 0 || (largest >= 1 / MAGNITUDE_LIMIT && largest <= MAGNITUDE_LIMIT)) continue;
    const power = Math.round(Math.log10(largest));
    const direction = largest > MAGNITUDE_LIMIT ? "large" : "small";
    const rescale = largest > MAGNITUDE_LIMIT ? `/ 1e${power}` : `* 1e${-power}`;
    throw estimationError(
      `"${frame.formula.text}": '${column.name}' has values of magnitude ${largest.toPrecision(3)}, too ${direction} for its moments to be held in double precision (the largest |value| of a variable must lie between 1e-60 and 1e60); rescale it, e.g. I(${column.name} ${rescale})`,
    );
  }
}
