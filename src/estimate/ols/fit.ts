/**
 * Ordinary (weighted) least squares, with or without absorbed fixed effects: solve (src/numeric/leastSquares.ts:
 * exact double-double or refined fast path), drop collinear columns with a note, and hand the pieces to a Fit.
 * By Frisch-Waugh-Lovell the within regression's slopes and residuals are those of the full dummy regression.
 */
import { estimationError } from "../../errors.js";
import { leastSquares } from "../../numeric/leastSquares.js";
import {
  collinearNote,
  designStatistics,
  type FitOptions,
  noDegreesOfFreedom,
  prepareDesign,
} from "../design.js";
import type { DesignColumn, ModelFrame } from "../frame.js";
import { type MemoryFit, memoryFit, originalScaleResiduals } from "../memoryFit.js";

export function fitOls(inputFrame: ModelFrame, options: FitOptions): MemoryFit {
  const design = prepareDesign(inputFrame, options);
  const { frame, absorbed, columns, response, absorbedByFe } = design;
  const notes = [...design.notes];
  const n = frame.nobs;
  if (columns.length === 0) {
    throw estimationError(
      absorbedByFe.length > 0
        ? `"${frame.formula.text}": every regressor is collinear with the fixed effects (${absorbedByFe.join(", ")})`
        : `"${frame.formula.text}" has no regressors`,
    );
  }
  const ls = leastSquares(columns, response, frame.weights, { forcePath: options.forcePath });
  const kFull = ls.kept.length + design.feParams;
  if (n - kFull <= 0) throw noDegreesOfFreedom(frame.formula.text, n, kFull);
  const keptColumns = ls.kept.map((j) => columns[j] as DesignColumn);
  const terms = keptColumns.map((c) => c.name);
  const collinear = [...absorbedByFe, ...ls.dropped.map((j) => (columns[j] as DesignColumn).name)];
  if (collinear.length > 0) notes.push(collinearNote(collinear, absorbed !== null));
  return memoryFit({
    estimator: "ols",
    design,
    terms,
    coefficients: ls.coefficients,
    collinear,
    bread: ls.xtxInverse,
    rss: ls.rss,
    dispersion: { kind: "estimated" },
    scores: {
      columns: keptColumns.map((c) => c.hi),
      residuals: ls.residuals,
      weights: frame.weights,
      gramWeights: null,
    },
    notes,
    statistics: designStatistics(design),
    fixedEffectTarget: () => originalScaleResiduals(design, terms, ls.coefficients),
  });
}
