/** What every covariance estimator receives: the fitted model's pieces, all over the rows used. */
import type { Matrix } from "ml-matrix";

export interface VcovInputs {
  /** Design columns of the kept coefficients (after absorbing fixed effects, if any). */
  columns: readonly Float64Array[];
  residuals: Float64Array;
  weights: Float64Array | null;
  /** (X'WX)^-1 over the kept coefficients. */
  bread: Matrix;
  rss: number;
  nobs: number;
  /** Parameters used up: kept coefficients plus absorbed fixed-effect levels (for FE models). */
  k: number;
}

export type VcovType = "iid" | "hc0" | "hc1" | "hc2" | "hc3" | "cluster";

export interface ClusterVariable {
  name: string;
  ids: Int32Array;
  count: number;
}
