/**
 * The pieces of a fitted OLS model that the covariance and bootstrap modules take as explicit arrays, built
 * through the library's own path (readCsv -> buildModelFrame -> absorbFixedEffects -> leastSquares), so that
 * tests of src/vcov/cr2.ts, cr3.ts and src/inference/wildBootstrap/ see what the estimator would hand them.
 */
import type { Matrix } from "ml-matrix";
import { type Absorbed, absorbFixedEffects } from "../../src/absorb/absorb.js";
import type { ColumnType } from "../../src/data/columnBuilder.js";
import { readCsv } from "../../src/data/csv.js";
import { buildModelFrame, type DesignColumn, type ModelFrame } from "../../src/estimate/frame.js";
import { parseFormula } from "../../src/formula/parser.js";
import type { IdVariable as ClusterVariable } from "../../src/model/fit.js";
import { leastSquares } from "../../src/numeric/leastSquares.js";
import type { AbsorbedFixedEffect } from "../../src/vcov/clusterBlocks.js";

export interface FitPieces {
  frame: ModelFrame;
  absorbed: Absorbed | null;
  terms: string[];
  coefficients: Float64Array;
  /** Kept design columns (demeaned with fixed effects; with an intercept column without them). */
  columns: Float64Array[];
  /** The response the solver saw (demeaned with fixed effects). */
  response: Float64Array;
  residuals: Float64Array;
  weights: Float64Array | null;
  bread: Matrix;
  clusters: ClusterVariable[];
  fixedEffects: AbsorbedFixedEffect[];
  /** Demeaning on the model's fixed effects (the identity without). */
  demean: (columns: Float64Array[]) => Float64Array[];
  nobs: number;
}

export interface FitOptions {
  cluster?: string[];
  weights?: string;
  types?: Record<string, ColumnType>;
  /**
   * Demean to this tolerance instead of the estimator's 1e-10 of each column's sd (tests that compare bootstrap
   * statistics to 1e-12 need the within data to that precision).
   */
  demeanTol?: number;
}

export async function fitPieces(file: string, formula: string, options: FitOptions = {}): Promise<FitPieces> {
  const table = await readCsv(file, options.types ? { types: options.types } : {});
  const parsed = parseFormula(formula);
  const frame0 = buildModelFrame(table, parsed, {
    ...(options.weights ? { weights: options.weights } : {}),
    ...(options.cluster ? { cluster: options.cluster } : {}),
  });
  const absorbed =
    parsed.fixedEffects.length > 0 ? absorbFixedEffects(frame0, { dropSingletons: false }) : null;
  const frame = absorbed?.frame ?? frame0;
  const n = frame.nobs;
  if (absorbed && options.demeanTol !== undefined) {
    const again = absorbed.absorber.demean([frame.response.hi, ...frame.columns.map((c) => c.hi)], {
      tol: options.demeanTol,
    }).columns;
    absorbed.response = again[0] as Float64Array;
    absorbed.columns = again.slice(1);
  }
  const columns: DesignColumn[] = absorbed
    ? frame.columns.map((c, j) => ({ name: c.name, hi: absorbed.columns[j] as Float64Array, lo: null }))
    : [
        ...(frame.intercept ? [{ name: "(Intercept)", hi: new Float64Array(n).fill(1), lo: null }] : []),
        ...frame.columns,
      ];
  const response: DesignColumn = absorbed
    ? { name: frame.response.name, hi: absorbed.response, lo: null }
    : frame.response;
  const fit = leastSquares(columns, response, frame.weights);
  const kept = fit.kept.map((j) => columns[j] as DesignColumn);
  const demean = (cols: Float64Array[]): Float64Array[] =>
    absorbed
      ? absorbed.absorber.demean(cols, { tol: options.demeanTol ?? 1e-12 }).columns
      : cols.map((c) => Float64Array.from(c));
  return {
    frame,
    absorbed,
    terms: kept.map((c) => c.name),
    coefficients: fit.coefficients,
    columns: kept.map((c) => c.hi),
    response: response.hi,
    residuals: fit.residuals,
    weights: frame.weights,
    bread: fit.xtxInverse,
    clusters: frame.clusters.map((c) => ({ name: c.name, ids: c.ids, count: c.count })),
    fixedEffects: (absorbed?.fixedEffects ?? []).map((fe) => ({
      name: fe.name,
      ids: fe.ids,
      nlevels: fe.nlevels,
    })),
    demean,
    nobs: n,
  };
}
