/**
 * The one place the binned scatter (binscatter.ts, binscatterSelect.ts) calls the project's estimation library: a
 * least-squares fit of a formula on a table whose rows are all complete, through buildModelFrame + estimateOls
 * (fixed effects absorbed as the formula says, weights, iid / HC / clustered covariance with fixest's small-sample
 * convention). It returns the pieces binsreg's formulas need: coefficients and covariance by design-column name,
 * the weighted means of the design columns and of y, and (without fixed effects) the fitted values.
 *
 * When the estimation core moves to its new fit API, only this file changes.
 */
import type { Table } from "../data/table.js";
import { estimationError } from "../errors.js";
import { parseFormula } from "../formula/parser.js";

/** A covariance registry name (src/vcov/registry.ts). */
type VcovType = string;

import { buildModelFrame } from "./frame.js";
import { estimateOls } from "./ols.js";

export interface LibraryFitOptions {
  weights?: string;
  cluster?: string;
  vcov: VcovType;
  /** Compute fitted values (only without fixed effects). */
  fitted?: boolean;
}

export interface LibraryFit {
  /** Coefficient of each design column by name; columns dropped as collinear have 0 (R's `coef[is.na] <- 0`). */
  coefficient: (name: string) => number;
  /** Covariance of two design columns' coefficients (0 for a dropped column). */
  covariance: (a: string, b: string) => number;
  /** Weighted mean of a design column over the rows used. */
  mean: (name: string) => number;
  /** Names of the design columns (regressors) in formula order, including dropped ones. */
  columns: string[];
  /** Names of the columns dropped as collinear (with the fixed effects or earlier columns). */
  dropped: string[];
  /** Weighted mean of the response. */
  yMean: number;
  nobs: number;
  /** Fitted values x'b in row order (when asked for, without fixed effects). */
  fitted: Float64Array | null;
  notes: string[];
}

export function libraryFit(table: Table, formulaText: string, options: LibraryFitOptions): LibraryFit {
  const formula = parseFormula(formulaText);
  const frame = buildModelFrame(table, formula, {
    ...(options.weights ? { weights: options.weights } : {}),
    ...(options.cluster ? { cluster: [options.cluster] } : {}),
  });
  if (frame.nobs !== table.nrows) {
    throw new Error(`internal: binscatter passed ${table.nrows} complete rows, the frame kept ${frame.nobs}`);
  }
  const result = estimateOls(frame, {
    vcov: { type: options.vcov, convention: "fixest" },
    level: 0.95,
  });
  const index = new Map(result.coefficients.map((c, j) => [c.term, j]));
  const w = frame.weights;
  let sw = 0;
  for (let i = 0; i < frame.nobs; i++) sw += w ? (w[i] as number) : 1;
  const weightedMean = (hi: Float64Array, lo: Float64Array | null) => {
    let s = 0;
    for (let i = 0; i < hi.length; i++) {
      const v = (hi[i] as number) + (lo ? (lo[i] as number) : 0);
      s += w ? (w[i] as number) * v : v;
    }
    return s / sw;
  };
  const means = new Map<string, number>();
  for (const c of frame.columns) means.set(c.name, weightedMean(c.hi, c.lo));
  const yMean = weightedMean(frame.response.hi, frame.response.lo);
  let fitted: Float64Array | null = null;
  if (options.fitted) {
    if (formula.fixedEffects.length > 0) throw new Error("internal: fitted values need a model without FE");
    fitted = new Float64Array(frame.nobs);
    for (const c of frame.columns) {
      const j = index.get(c.name);
      if (j === undefined) continue;
      const b = (result.coefficients[j] as { estimate: number }).estimate;
      for (let i = 0; i < frame.nobs; i++) fitted[i] = (fitted[i] as number) + b * (c.hi[i] as number);
    }
    const j = index.get("(Intercept)");
    if (j !== undefined) {
      const b = (result.coefficients[j] as { estimate: number }).estimate;
      for (let i = 0; i < frame.nobs; i++) fitted[i] = (fitted[i] as number) + b;
    }
  }
  for (const c of result.coefficients) {
    if (!Number.isFinite(c.estimate))
      throw estimationError(`binscatter: coefficient ${c.term} is not finite`);
  }
  return {
    coefficient: (name) => {
      const j = index.get(name);
      return j === undefined ? 0 : (result.coefficients[j] as { estimate: number }).estimate;
    },
    covariance: (a, b) => {
      const i = index.get(a);
      const j = index.get(b);
      return i === undefined || j === undefined ? 0 : (result.vcov_matrix[i]?.[j] as number);
    },
    mean: (name) => {
      const m = means.get(name);
      if (m === undefined) throw new Error(`internal: no design column ${name}`);
      return m;
    },
    columns: frame.columns.map((c) => c.name),
    dropped: result.collinear,
    yMean,
    nobs: frame.nobs,
    fitted,
    notes: result.notes,
  };
}
