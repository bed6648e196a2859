/**
 * What OLS and IV share: estimation options, the design the solver sees after absorbing fixed effects (or with
 * an intercept column without them), fixest's count of fixed-effect parameters, and the fit statistics.
 */

import { type Absorbed, absorbFixedEffects } from "../absorb/absorb.js";
import { fixestFixefK, isNestedIn, type ReghdfeDof, reghdfeDof } from "../absorb/fixedEffectDof.js";
import type { FixedEffect } from "../absorb/fixedEffects.js";
import type { FixedEffectValuesResult } from "../absorb/fixedEffectValues.js";
import { estimationError, usageError } from "../errors.js";
import { coefficientTable } from "../inference/coefficientTable.js";
import { waldTest } from "../inference/wald.js";
import type { ModelResult } from "../model/result.js";
import type { VcovResult, VcovSpec } from "../vcov/vcov.js";
import type { DesignColumn, ModelFrame } from "./frame.js";

export interface EstimateOptions {
  vcov: Omit<VcovSpec, "clusters">;
  level: number;
  name?: string;
  group?: Record<string, string | number> | null;
  forcePath?: "exact" | "fast";
  /** Drop observations in singleton fixed-effect groups (reghdfe's default; fixest keeps them). */
  dropSingletons?: boolean;
  /** Receives the estimated fixed effects, normalised as fixest::fixef (for --fixef-out). */
  onFixedEffects?: (values: FixedEffectValuesResult) => void;
}

export const INTERCEPT = "(Intercept)";

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

export function prepareDesign(inputFrame: ModelFrame, options: EstimateOptions): PreparedDesign {
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
  if (options.vcov.type === "hc2" || options.vcov.type === "hc3") {
    throw usageError(
      `--vcov ${options.vcov.type} is not available with fixed effects: its leverage needs the hat values of the fixed effects (use hc1 or cluster)`,
    );
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
 * The fixed-effect parameters that enter the small-sample correction: fixest's fixef.K = "nested" makes a fixed
 * effect nested in a cluster variable cost (almost) nothing there, since the cluster adjustment accounts for it.
 * Nesting is decided as fixest's R/VCOV.R does: by name first (the fixed effect, or a parent of an interacted one,
 * is a cluster variable); the data are checked (every level inside one cluster) only when some cluster variable is
 * not itself a fixed-effect variable.
 */
export function feParamsForVcov(design: PreparedDesign, options: EstimateOptions): number {
  if (options.vcov.convention === "reghdfe") return reghdfeFeParams(design, options).vcov;
  if (design.fixedEffects.length === 0 || options.vcov.type !== "cluster") return design.feParams;
  const clusters = design.frame.clusters;
  const clusterNames = clusters.map((c) => c.name);
  const terms = design.frame.formula.fixedEffects;
  const nested = terms.map((t) => t.variables.some((v) => clusterNames.includes(v)));
  const feVariables = new Set(terms.flatMap((t) => t.variables));
  if (!nested.every(Boolean) && !clusterNames.every((c) => feVariables.has(c))) {
    design.fixedEffects.forEach((fe, q) => {
      if (!nested[q]) nested[q] = clusters.some((c) => isNestedIn(fe, c.ids));
    });
  }
  return fixestFixefK(design.fixedEffects, { fixefK: "nested", nested });
}

/**
 * `--ssc reghdfe`: the fixed-effect parameters as reghdfe counts them (fixedEffectDof.ts `reghdfeDof`, conventions
 * in smallSample.ts): in the small-sample factor (`vcov`: e(df_a), plus 1 for the constant when a fixed effect is
 * nested in a cluster variable), in the t degrees of freedom (`residual`: e(df_a)) and in sigma and the adjusted
 * R2 (`fit`: e(df_a) + e(df_a_nested), reghdfe's rmse and r2_a). Nesting is checked on the data against every
 * cluster variable, only for clustered errors. reghdfe has no IV (ivreghdfe hands its estimation to ivreg2, with
 * other conventions), so IV models are refused.
 */
export function reghdfeFeParams(
  design: PreparedDesign,
  options: EstimateOptions,
): { vcov: number; residual: number; fit: number; dof: ReghdfeDof | null } {
  if (design.frame.formula.iv !== null)
    throw usageError("--ssc reghdfe is for OLS: reghdfe has no IV (ivreghdfe follows ivreg2's conventions)");
  if (design.fixedEffects.length === 0) return { vcov: 0, residual: 0, fit: 0, dof: null };
  const clusters = options.vcov.type === "cluster" ? design.frame.clusters.map((c) => c.ids) : [];
  const dof = reghdfeDof(design.fixedEffects, clusters);
  const nestedConstant = dof.dfANested > 0 ? 1 : 0;
  return { vcov: dof.dfA + nestedConstant, residual: dof.dfA, fit: dof.dfA + dof.dfANested, dof };
}

export function collinearNote(collinear: string[], withFixedEffects: boolean): string {
  return `${collinear.length === 1 ? "variable" : "variables"} ${collinear.map((c) => `'${c}'`).join(", ")} removed because of collinearity${withFixedEffects ? " (with the fixed effects or other regressors)" : ""}`;
}

export function noDegreesOfFreedom(formula: string, n: number, k: number): Error {
  return estimationError(
    `"${formula}": ${n} observation${n === 1 ? "" : "s"} for ${k} coefficient${k === 1 ? "" : "s"} leaves no residual degrees of freedom`,
  );
}

/** R2 (full model), adjusted R2, within R2 (fixed effects), RMSE and sigma from the residual sum of squares. */
export function fitStatistics(
  design: PreparedDesign,
  rss: number,
  kFull: number,
): { r2: number; adj_r2: number; within_r2: number | null; rmse: number; sigma: number; df_resid: number } {
  const { frame, absorbed } = design;
  const n = frame.nobs;
  const centred = frame.intercept || absorbed !== null;
  const r2 = 1 - rss / totalSumOfSquares(frame.response.hi, frame.weights, centred);
  return {
    r2,
    adj_r2: 1 - ((1 - r2) * (centred ? n - 1 : n)) / (n - kFull),
    within_r2: absorbed ? 1 - rss / sumOfSquares(absorbed.response, frame.weights) : null,
    rmse: Math.sqrt(rss / n),
    sigma: Math.sqrt(rss / (n - kFull)),
    df_resid: n - kFull,
  };
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

/** What an estimator hands over to become a ModelResult. */
export interface EstimatedParts {
  estimator: ModelResult["estimator"];
  terms: string[];
  estimates: Float64Array;
  vcov: VcovResult;
  collinear: string[];
  rss: number;
  /** Parameters in the full model (slopes + fixed-effect parameters), for sigma and adjusted R2. */
  kFull: number;
}

/**
 * The common part of every ModelResult: coefficient table (t, p, intervals with the vcov's df), the Wald F of
 * all slopes, fit statistics, sample accounting and notes.
 */
export function assembleResult(
  design: PreparedDesign,
  options: EstimateOptions,
  parts: EstimatedParts,
): ModelResult {
  const { frame, absorbed } = design;
  const dfT = parts.vcov.info.df_t;
  const slopeIndices = parts.terms.map((t, j) => (t === INTERCEPT ? -1 : j)).filter((j) => j >= 0);
  const wald = waldTest(parts.estimates, parts.vcov.matrix, slopeIndices, dfT);
  return {
    name: options.name ?? frame.response.name,
    formula: frame.formula.text,
    estimator: parts.estimator,
    dependent: frame.response.name,
    nobs: frame.nobs,
    dropped: {
      missing: frame.dropped.missing,
      infinite: frame.dropped.infinite,
      singletons: absorbed?.singletons ?? 0,
    },
    coefficients: coefficientTable(parts.terms, parts.estimates, parts.vcov.matrix, dfT, options.level),
    collinear: parts.collinear,
    vcov: parts.vcov.info,
    vcov_matrix: parts.vcov.matrix.to2DArray(),
    ...fitStatistics(design, parts.rss, parts.kFull),
    f_stat: wald?.statistic ?? null,
    f_df1: wald?.df1 ?? null,
    f_df2: wald?.df2 ?? null,
    f_p_value: wald?.p_value ?? null,
    fixed_effects: frame.formula.fixedEffects.map((t) => t.label),
    ...(absorbed ? { demeaning: { iterations: absorbed.iterations, converged: absorbed.converged } } : {}),
    weights: frame.weightsName,
    group: options.group ?? null,
    notes: design.notes,
  };
}
