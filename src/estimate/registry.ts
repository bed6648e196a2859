/**
 * The estimator registry: every estimator in one list (a folder each); the model family and the formula choose
 * one. A new estimator is one folder and one line below.
 */
import { usageError } from "../errors.js";
import type { ParsedFormula } from "../formula/ast.js";
import { iv } from "./iv/index.js";
import { ols } from "./ols/index.js";
import { poisson } from "./poisson/index.js";
import type { Estimator } from "./types.js";

// biome-ignore lint/suspicious/noExplicitAny: the registry holds estimators of different Fit subtypes.
export const ESTIMATORS: readonly Estimator<any>[] = [ols, iv, poisson];

/** Families `--family` accepts: gaussian is least squares (OLS or 2SLS as the formula says). */
export const FAMILIES = ["gaussian", "poisson"] as const;

/** The estimator for a formula and a family (default gaussian). */
export function selectEstimator(formula: ParsedFormula, family = "gaussian"): Estimator {
  const key = family.toLowerCase();
  if (key === "gaussian" || key === "ols" || key === "linear") return (formula.iv ? iv : ols) as Estimator;
  const found = ESTIMATORS.find((e) => e.name === key);
  if (found === undefined)
    throw usageError(`family: expected one of ${FAMILIES.join(", ")}, found '${family}'`);
  if (formula.iv !== null && found.name !== "iv")
    throw usageError(`the ${found.name} estimator does not take an IV formula`);
  return found as Estimator;
}
