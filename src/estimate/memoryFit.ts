/**
 * A Fit whose rows live in this process (the memory engine): built by every in-memory estimator from its design,
 * coefficients and score pieces, with the estimated fixed effects recovered on demand (fixest::fixef).
 */
import type { Matrix } from "ml-matrix";
import type { FixedEffectValuesResult } from "../absorb/fixedEffectValues.js";
import { fixedEffectValues } from "../absorb/fixedEffectValues.js";
import { estimationError } from "../errors.js";
import type { Dispersion, Fit, FitStatistics, IdVariable, ScoreRows } from "../model/fit.js";
import { designDegreesOfFreedom, idVariablesOf, type PreparedDesign } from "./design.js";
import { RowScoreSource } from "./scores.js";

export interface MemoryFit extends Fit {
  readonly design: PreparedDesign;
  /**
   * The fixed-effect coefficients normalised as fixest::fixef (null without fixed effects). Computed on first
   * call: recovering them costs another demeaning pass.
   */
  fixedEffectValues(): FixedEffectValuesResult | null;
}

export interface MemoryFitParts {
  estimator: string;
  design: PreparedDesign;
  terms: readonly string[];
  coefficients: Float64Array;
  collinear: readonly string[];
  bread: Matrix;
  rss: number;
  dispersion: Dispersion;
  scores: ScoreRows;
  notes: readonly string[];
  /**
   * What the fixed effects explain on the original scale (y - X b for least squares, the linear predictor less
   * X b for Poisson): the target of fixedEffectValues. Called only when the values are asked for.
   */
  fixedEffectTarget?: () => Float64Array;
  statistics: FitStatistics;
  separated?: number;
  unsupportedConventions?: Readonly<Record<string, string>>;
}

export function memoryFit(parts: MemoryFitParts): MemoryFit {
  const { design } = parts;
  const { frame, absorbed } = design;
  const ids = idVariablesOf(frame);
  let values: FixedEffectValuesResult | null | undefined;
  return {
    estimator: parts.estimator,
    formula: frame.formula.text,
    dependent: frame.response.name,
    nobs: frame.nobs,
    terms: parts.terms,
    coefficients: parts.coefficients,
    collinear: parts.collinear,
    bread: parts.bread,
    rss: parts.rss,
    dispersion: parts.dispersion,
    scores: new RowScoreSource(parts.scores, ids),
    dof: designDegreesOfFreedom(design, parts.terms, parts.unsupportedConventions),
    idVariables: ids.map((v) => v.name),
    idVariable(name: string): IdVariable {
      const found = ids.find((v) => v.name === name);
      if (found === undefined) throw estimationError(`internal: the fit has no grouping variable '${name}'`);
      return found;
    },
    timeVariable(name: string) {
      const values = frame.times.get(name);
      if (values === undefined) throw estimationError(`internal: the fit has no time variable '${name}'`);
      return { name, values };
    },
    absorbedFixedEffects: () =>
      design.fixedEffects.map((fe) => ({
        name: fe.name,
        ids: fe.ids,
        nlevels: fe.nlevels,
        slope: fe.slope !== undefined,
      })),
    statistics: parts.statistics,
    sample: {
      dropped: {
        missing: frame.dropped.missing,
        infinite: frame.dropped.infinite,
        singletons: absorbed?.singletons ?? 0,
        ...(parts.separated !== undefined ? { separated: parts.separated } : {}),
      },
      weights: frame.weightsName,
      notes: parts.notes,
    },
    fixedEffects: {
      terms: frame.formula.fixedEffects.map((t) => t.label),
      ...(absorbed ? { demeaning: { iterations: absorbed.iterations, converged: absorbed.converged } } : {}),
    },
    design,
    fixedEffectValues() {
      if (values !== undefined) return values;
      if (absorbed === null || parts.fixedEffectTarget === undefined) {
        values = null;
        return values;
      }
      values = fixedEffectValues(parts.fixedEffectTarget(), design.fixedEffects, frame.weights ?? undefined, {
        absorber: absorbed.absorber,
        tol: 1e-12,
      });
      return values;
    },
  };
}

/** y - X b on the original (not demeaned) scale, X the frame's columns of the kept terms (matched by name). */
export function originalScaleResiduals(
  design: PreparedDesign,
  terms: readonly string[],
  coefficients: Float64Array,
  originalName: (term: string) => string = (term) => term,
): Float64Array {
  const { frame } = design;
  const r = Float64Array.from(frame.response.hi);
  const all = [...frame.columns, ...frame.endogenous];
  terms.forEach((term, m) => {
    const name = originalName(term);
    const original = all.find((c) => c.name === name);
    if (original === undefined) throw estimationError(`internal: no column '${name}' in the model frame`);
    const bm = coefficients[m] as number;
    for (let i = 0; i < r.length; i++) r[i] = (r[i] as number) - bm * (original.hi[i] as number);
  });
  return r;
}

/** The pieces of an auxiliary regression whose covariance a statistic needs (Kleibergen-Paap's reduced form). */
export interface AuxiliaryFitParts {
  columns: readonly Float64Array[];
  residuals: Float64Array;
  weights: Float64Array | null;
  bread: Matrix;
  rss: number;
  nobs: number;
  /** Parameters the covariance's small-sample factor counts (coefficients and fixed-effect parameters). */
  k: number;
  ids: readonly IdVariable[];
}

/**
 * A Fit for an auxiliary regression, so that a statistic built on one (an rk statistic's reduced form) gets its
 * covariance from the covariance registry like any model: K is given whole, with no fixed effects to nest.
 */
export function auxiliaryFit(parts: AuxiliaryFitParts): Fit {
  const terms = parts.columns.map((_, j) => `x${j + 1}`);
  return {
    estimator: "auxiliary",
    formula: "",
    dependent: "",
    nobs: parts.nobs,
    terms,
    coefficients: new Float64Array(parts.columns.length),
    collinear: [],
    bread: parts.bread,
    rss: parts.rss,
    dispersion: { kind: "estimated" },
    scores: new RowScoreSource(
      { columns: parts.columns, residuals: parts.residuals, weights: parts.weights, gramWeights: null },
      parts.ids,
    ),
    dof: {
      coefficients: parts.k,
      interceptIndex: null,
      fixedEffects: 0,
      fixedEffectTerms: [],
      fixedEffectsNested: () => 0,
    },
    idVariables: parts.ids.map((v) => v.name),
    statistics: { tss: Number.NaN, withinTss: null, centred: true },
    sample: { dropped: { missing: 0, infinite: 0, singletons: 0 }, weights: null, notes: [] },
    fixedEffects: { terms: [] },
  };
}
