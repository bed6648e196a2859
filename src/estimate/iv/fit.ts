/**
 * Two-stage least squares: `y ~ exog | fe | endo1 + endo2 ~ z1 + z2`.
 *
 * First stages regress each endogenous regressor on the exogenous regressors and the excluded instruments (after
 * absorbing fixed effects); the second stage regresses y on the exogenous regressors and the fitted endogenous
 * ones. Standard errors use the structural residuals y - X b with the actual endogenous values, and the
 * second-stage design (fitted values) in the bread and the scores, as AER::ivreg, estimatr::iv_robust, fixest and
 * Stata do. Endogenous coefficients are named `fit_<name>` and placed after the intercept, as fixest prints them.
 * What depends on the covariance chosen (first-stage tables and F, Kleibergen-Paap) is in summary.ts.
 */
import { estimationError } from "../../errors.js";
import { INTERCEPT } from "../../model/fit.js";
import { leastSquares } from "../../numeric/leastSquares.js";
import {
  collinearNote,
  designStatistics,
  type FitOptions,
  noDegreesOfFreedom,
  type PreparedDesign,
  prepareDesign,
  totalSumOfSquares,
} from "../design.js";
import type { DesignColumn, ModelFrame } from "../frame.js";
import { type MemoryFit, memoryFit, originalScaleResiduals } from "../memoryFit.js";
import { type FirstStagePieces, weakInstrumentStatistics } from "./weakInstruments.js";

/** A first stage: its own fit (for its covariance) and the pieces the weak-instrument statistics need. */
export interface FirstStage extends FirstStagePieces {
  endogenous: string;
  fit: MemoryFit;
  /** Positions of the kept excluded instruments among the first stage's kept terms. */
  instrumentIndices: number[];
  /**
   * R2 of the first stage: the full R2, 1 - RSS / TSS of the endogenous regressor on its original scale (fixest's
   * r2() of a first stage, fixed effects included).
   */
  r2: number;
  /** Within R2 (fixed effects only): 1 - RSS / TSS of the demeaned endogenous regressor; null without. */
  withinR2: number | null;
  /** Adjusted R2, fixest's ar2: 1 - (1 - R2) (n - 1) / (n - K), K = coefficients + fixed-effect parameters. */
  adjR2: number;
}

export interface IvFit extends MemoryFit {
  readonly firstStages: readonly FirstStage[];
  readonly endogenousNames: readonly string[];
  readonly instrumentNames: readonly string[];
  readonly craggDonald: number;
  readonly sandersonWindmeijer: readonly number[];
  /** Q + V'WV = X~'WX~ of the partialled endogenous regressors (Kleibergen-Paap's F). */
  readonly endogenousCrossProducts: import("ml-matrix").Matrix;
  /** The excluded instruments with the exogenous regressors partialled out, in design order (Kleibergen-Paap). */
  partialledInstruments(): Float64Array[];
}

const REGHDFE_IV =
  "the reghdfe convention is for OLS: reghdfe has no IV (ivreghdfe follows ivreg2's conventions)";

export function fitIv(inputFrame: ModelFrame, options: FitOptions): IvFit {
  const design = prepareDesign(inputFrame, options);
  const { frame, absorbed } = design;
  const notes = [...design.notes];
  const n = frame.nobs;
  const exogenous = design.columns;
  const endogenous = design.endogenous;
  const instruments = design.instruments;
  if (instruments.length < endogenous.length) {
    throw estimationError(
      `"${frame.formula.text}": ${endogenous.length} endogenous regressor${endogenous.length === 1 ? "" : "s"} but only ${instruments.length} excluded instrument${instruments.length === 1 ? "" : "s"}: the model is not identified`,
    );
  }
  const unsupported = { reghdfe: REGHDFE_IV };

  // First stages.
  const firstDesign = [...exogenous, ...instruments];
  const firstStages: FirstStage[] = endogenous.map((endo) => {
    const ls = leastSquares(firstDesign, endo, frame.weights, { forcePath: options.forcePath });
    const kept = ls.kept.map((j) => firstDesign[j] as DesignColumn);
    const k = kept.length + design.feParams;
    if (n - k <= 0) throw noDegreesOfFreedom(frame.formula.text, n, k);
    const instrumentIndices = kept.map((c, j) => (instruments.includes(c) ? j : -1)).filter((j) => j >= 0);
    if (instrumentIndices.length === 0) {
      throw estimationError(
        `"${frame.formula.text}": the instruments are collinear with the exogenous regressors`,
      );
    }
    const terms = kept.map((c) => c.name);
    const stageFit = memoryFit({
      estimator: "ols",
      design,
      terms,
      coefficients: ls.coefficients,
      collinear: [],
      bread: ls.xtxInverse,
      rss: ls.rss,
      dispersion: { kind: "estimated" },
      scores: {
        columns: kept.map((c) => c.hi),
        residuals: ls.residuals,
        weights: frame.weights,
        gramWeights: null,
      },
      notes: [],
      statistics: designStatistics(design),
      unsupportedConventions: unsupported,
    });
    const centred = frame.intercept || absorbed !== null;
    // endo is demeaned when there are fixed effects; the full R2 compares with the original column.
    const original = frame.endogenous.find((c) => c.name === endo.name) ?? endo;
    const tss = totalSumOfSquares(original.hi, frame.weights, centred);
    const r2 = 1 - ls.rss / tss;
    return {
      endogenous: endo.name,
      fit: stageFit,
      residuals: ls.residuals,
      keptInstruments: instrumentIndices.map((j) => kept[j] as DesignColumn),
      instrumentIndices,
      instrumentCoefficients: Float64Array.from(instrumentIndices, (j) => ls.coefficients[j] as number),
      // The excluded instruments' block of (X'WX)^-1 is (Z~'WZ~)^-1 (partitioned inverse), Z~ the instruments
      // with the exogenous regressors partialled out: what the weak-instrument statistics need of Z~.
      instrumentInverse: ls.xtxInverse.selection(instrumentIndices, instrumentIndices),
      r2,
      withinR2: absorbed === null ? null : 1 - ls.rss / totalSumOfSquares(endo.hi, frame.weights, true),
      adjR2: 1 - ((1 - r2) * (centred ? n - 1 : n)) / (n - k),
    };
  });

  // Second stage: intercept (if any), fitted endogenous, then exogenous regressors.
  const intercept = exogenous.filter((c) => c.name === INTERCEPT);
  const otherExogenous = exogenous.filter((c) => c.name !== INTERCEPT);
  const fittedColumns: DesignColumn[] = firstStages.map((f, j) => ({
    name: `fit_${f.endogenous}`,
    hi: difference((endogenous[j] as DesignColumn).hi, f.residuals),
    lo: null,
  }));
  const secondDesign = [...intercept, ...fittedColumns, ...otherExogenous];
  const actualDesign = [...intercept, ...endogenous, ...otherExogenous];
  const ls = leastSquares(secondDesign, design.response, frame.weights, { forcePath: options.forcePath });
  const kept = ls.kept;
  const kFull = kept.length + design.feParams;
  if (n - kFull <= 0) throw noDegreesOfFreedom(frame.formula.text, n, kFull);
  const collinear = [
    ...design.absorbedByFe,
    ...ls.dropped.map((j) => (secondDesign[j] as DesignColumn).name),
  ];
  if (collinear.length > 0) notes.push(collinearNote(collinear, absorbed !== null));

  // Structural residuals: y - X b with the actual endogenous values.
  const residuals = Float64Array.from(design.response.hi);
  kept.forEach((j, m) => {
    const x = (actualDesign[j] as DesignColumn).hi;
    const b = ls.coefficients[m] as number;
    for (let i = 0; i < n; i++) residuals[i] = (residuals[i] as number) - b * (x[i] as number);
  });
  let rss = 0;
  for (let i = 0; i < n; i++)
    rss += (frame.weights ? (frame.weights[i] as number) : 1) * (residuals[i] as number) ** 2;

  const keptColumns = kept.map((j) => secondDesign[j] as DesignColumn);
  const terms = keptColumns.map((c) => c.name);
  const first = firstStages[0] as FirstStage;
  const dfResid = n - design.columns.length - first.keptInstruments.length - design.feParams;
  const weak = weakInstrumentStatistics(firstStages, frame.weights, dfResid);
  const base = memoryFit({
    estimator: "iv",
    design,
    terms,
    coefficients: ls.coefficients,
    collinear,
    bread: ls.xtxInverse,
    rss,
    dispersion: { kind: "estimated" },
    scores: { columns: keptColumns.map((c) => c.hi), residuals, weights: frame.weights, gramWeights: null },
    notes,
    statistics: designStatistics(design),
    unsupportedConventions: unsupported,
    // fixest::fixef of an IV model: the fixed effects of y - X b with the actual endogenous regressors.
    fixedEffectTarget: () =>
      originalScaleResiduals(design, terms, ls.coefficients, (term) =>
        term.startsWith("fit_") && endogenous.some((e) => `fit_${e.name}` === term) ? term.slice(4) : term,
      ),
  });
  return {
    ...base,
    firstStages,
    endogenousNames: endogenous.map((c) => c.name),
    instrumentNames: instruments.map((c) => c.name),
    craggDonald: weak.craggDonald,
    sandersonWindmeijer: weak.sandersonWindmeijer,
    endogenousCrossProducts: weak.endogenousCrossProducts,
    partialledInstruments: () => partialOutExogenous(design),
  };
}

/**
 * The excluded instruments with the exogenous regressors partialled out (Z~), in the order of
 * design.instruments: only the general Kleibergen-Paap path needs them over the rows (its scores); Cragg-Donald
 * and Sanderson-Windmeijer get Z~'WZ~ from the first stage (see weakInstruments.ts).
 */
function partialOutExogenous(design: PreparedDesign): Float64Array[] {
  const w = design.frame.weights;
  const exogenous = design.columns;
  return design.instruments.map((c) =>
    exogenous.length === 0 ? c.hi : leastSquares(exogenous, c, w).residuals,
  );
}

/** a - b elementwise, in a plain loop (Float64Array.from with a callback is slow on 10-million-row columns). */
function difference(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) - (b[i] as number);
  return out;
}
