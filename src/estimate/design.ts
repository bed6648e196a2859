/**
 * What the in-memory estimators share: fit options, the design the solver sees after absorbing fixed effects (or
 * with an intercept column without them), and the degrees-of-freedom facts and statistics of a Fit built on it.
 */
import { type Absorbed, absorbFixedEffects } from "../absorb/absorb.js";
import { fixestFixefK, isNestedIn, reghdfeDof } from "../absorb/fixedEffectDof.js";
import type { FixedEffect } from "../absorb/fixedEffects.js";
import { estimationError } from "../errors.js";
import { type DegreesOfFreedom, type FitStatistics, type IdVariable, INTERCEPT } from "../model/fit.js";
import type { DesignColumn, ModelFrame } from "./frame.js";
import { checkModelFrame } from "./sanity.js";

/** Options every in-memory estimator takes. */
export interface FitOptions {
  /** "fast" tries the double-precision least-squares path whatever the size (tests and benchmarks). */
  forcePath?: "exact" | "fast" | undefined;
  /** Drop observations in singleton fixed-effect groups (reghdfe's default; fixest keeps them). */
  dropSingletons?: boolean | undefined;
}

/** A regressor whose sum of squares falls below this share of its own after demeaning is absorbed by the FE. */
const ABSORBED_BY_FE_TOL = 1e-10;

/** The design the solver sees, after absorbing fixed effects (shared by OLS and IV). */
export interface PreparedDesign {
  frame: ModelFrame;
  absorbed: Absorbed | null;
  /** Exogenous columns: demeaned ones with fixed effects (no intercept), else intercept + frame columns. */
  columns: DesignColumn[];
  response: DesignColumn;
  /** Endogenous regressors and excluded instruments (IV), demeaned with fixed effects. */
  endogenous: DesignColumn[];
  instruments: DesignColumn[];
  /** Regressors removed because the fixed effects absorb them. */
  absorbedByFe: string[];
  fixedEffects: FixedEffect[];
  /** Parameters the fixed effects use up, counted as fixest does (fixef.K = "full"). */
  feParams: number;
  notes: string[];
}

export function prepareDesign(inputFrame: ModelFrame, options: FitOptions): PreparedDesign {
  checkModelFrame(inputFrame);
  const hasFixedEffects = inputFrame.formula.fixedEffects.length > 0;
  const absorbed = hasFixedEffects
    ? absorbFixedEffects(inputFrame, { dropSingletons: options.dropSingletons ?? false })
    : null;
  const frame = absorbed?.frame ?? inputFrame;
  const n = frame.nobs;
  const notes = [...frame.notes, ...(absorbed?.notes ?? [])];
  const absorbedByFe: string[] = [];
  if (!absorbed) {
    return {
      frame,
      absorbed,
      columns: frame.intercept
        ? [{ name: INTERCEPT, hi: new Float64Array(n).fill(1), lo: null }, ...frame.columns]
        : [...frame.columns],
      response: frame.response,
      endogenous: frame.endogenous,
      instruments: frame.instruments,
      absorbedByFe,
      fixedEffects: [],
      feParams: 0,
      notes,
    };
  }
  const keepDemeaned = (
    originals: DesignColumn[],
    demeaned: Float64Array[],
    role: string,
  ): DesignColumn[] => {
    const out: DesignColumn[] = [];
    originals.forEach((c, j) => {
      const d = demeaned[j] as Float64Array;
      if (sumOfSquares(d, frame.weights) <= ABSORBED_BY_FE_TOL * sumOfSquares(c.hi, frame.weights)) {
        if (role !== "regressor") {
          throw estimationError(`${role} '${c.name}' is collinear with the fixed effects`);
        }
        absorbedByFe.push(c.name);
      } else {
        out.push({ name: c.name, hi: d, lo: null });
      }
    });
    return out;
  };
  const fes = absorbed.fixedEffects;
  return {
    frame,
    absorbed,
    columns: keepDemeaned(frame.columns, absorbed.columns, "regressor"),
    response: { name: frame.response.name, hi: absorbed.response, lo: null },
    endogenous: keepDemeaned(frame.endogenous, absorbed.endogenous, "endogenous regressor"),
    instruments: keepDemeaned(frame.instruments, absorbed.instruments, "instrument"),
    absorbedByFe,
    fixedEffects: fes,
    feParams: fixestFixefK(fes, { fixefK: "full" }),
    notes,
  };
}

/**
 * The degrees-of-freedom facts of a fit on this design (src/vcov/ssc.ts builds K from them).
 * fixest's fixef.K = "nested" makes a fixed effect nested in a grouping variable of the covariance cost (almost)
 * nothing, since the cluster adjustment accounts for it. Nesting is decided as fixest's R/VCOV.R does: by name first
 * (the fixed effect, or a parent of an interacted one, is a grouping variable); the data are checked (every level
 * inside one group) only when some grouping variable is not itself a fixed-effect variable.
 * reghdfe's count (`--ssc reghdfe`, fixedEffectDof.ts `reghdfeDof`) checks nesting on the data against every cluster
 * variable.
 */
export function designDegreesOfFreedom(
  design: PreparedDesign,
  terms: readonly string[],
  unsupported: Readonly<Record<string, string>> = {},
): DegreesOfFreedom {
  const groupingIds = (name: string): Int32Array => {
    const found = design.frame.clusters.find((c) => c.name === name);
    if (found === undefined)
      throw estimationError(`internal: no grouping variable '${name}' in the model frame`);
    return found.ids;
  };
  const intercept = terms.indexOf(INTERCEPT);
  return {
    coefficients: terms.length,
    interceptIndex: intercept >= 0 ? intercept : null,
    fixedEffects: design.feParams,
    fixedEffectTerms: design.frame.formula.fixedEffects.map((t) => t.label),
    unsupported,
    fixedEffectsNested(variables) {
      if (design.fixedEffects.length === 0) return design.feParams;
      const feTerms = design.frame.formula.fixedEffects;
      const nested = feTerms.map((t) => t.variables.some((v) => variables.includes(v)));
      const feVariables = new Set(feTerms.flatMap((t) => t.variables));
      if (!nested.every(Boolean) && !variables.every((c) => feVariables.has(c))) {
        design.fixedEffects.forEach((fe, q) => {
          if (!nested[q]) nested[q] = variables.some((name) => isNestedIn(fe, groupingIds(name)));
        });
      }
      return fixestFixefK(design.fixedEffects, { fixefK: "nested", nested });
    },
    reghdfe(clusters) {
      const dof = reghdfeDof(design.fixedEffects, clusters.map(groupingIds));
      return { dfA: dof.dfA, dfANested: dof.dfANested, table: dof.rows };
    },
  };
}

/** The frame's grouping variables (clusters, panel unit, time ids) as the fit's id variables. */
export function idVariablesOf(frame: ModelFrame): IdVariable[] {
  return frame.clusters.map((c) => ({ name: c.name, ids: c.ids, count: c.count }));
}

/** Total and within sums of squares of y: what summarize turns into R2, adjusted R2 and within R2. */
export function designStatistics(design: PreparedDesign): FitStatistics {
  const { frame, absorbed } = design;
  const centred = frame.intercept || absorbed !== null;
  return {
    tss: totalSumOfSquares(frame.response.hi, frame.weights, centred),
    withinTss: absorbed ? sumOfSquares(absorbed.response, frame.weights) : null,
    centred,
    responseMeanSquare: meanSquare(frame.response.hi, frame.weights),
  };
}

export function collinearNote(collinear: string[], withFixedEffects: boolean): string {
  return `${collinear.length === 1 ? "variable" : "variables"} ${collinear.map((c) => `'${c}'`).join(", ")} removed because of collinearity${withFixedEffects ? " (with the fixed effects or other regressors)" : ""}`;
}

export function noDegreesOfFreedom(formula: string, n: number, k: number): Error {
  return estimationError(
    `"${formula}": ${n} observation${n === 1 ? "" : "s"} for ${k} coefficient${k === 1 ? "" : "s"} leaves no residual degrees of freedom`,
  );
}

/** sum w y^2 / sum w (unweighted: the mean of y^2). */
export function meanSquare(y: Float64Array, w: Float64Array | null): number {
  let sw = 0;
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w ? (w[i] as number) : 1;
    sw += wi;
    s += wi * (y[i] as number) ** 2;
  }
  return s / sw;
}

export function sumOfSquares(x: Float64Array, w: Float64Array | null): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (w ? (w[i] as number) : 1) * (x[i] as number) ** 2;
  return s;
}

/** Weighted total sum of squares, centred when the model has an intercept (or fixed effects). */
export function totalSumOfSquares(y: Float64Array, w: Float64Array | null, centred: boolean): number {
  let sw = 0;
  let swy = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w ? (w[i] as number) : 1;
    sw += wi;
    swy += wi * (y[i] as number);
  }
  const center = centred ? swy / sw : 0;
  let tss = 0;
  for (let i = 0; i < y.length; i++) tss += (w ? (w[i] as number) : 1) * ((y[i] as number) - center) ** 2;
  return tss;
}
