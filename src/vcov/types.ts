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
  /**
   * Parameters the residual degrees of freedom subtract, where they differ from `k` (`--ssc reghdfe` with a fixed
   * effect nested in a cluster variable; see smallSample.ts). Defaults to `k`.
   */
  kResidual?: number;
  /**
   * Index of the intercept among `columns`, if the model has one (not with fixed effects): reghdfe's fix of a
   * non-positive-semi-definite multi-way covariance treats the intercept's row and column apart.
   */
  interceptColumn?: number;
}

export type VcovType = "iid" | "hc0" | "hc1" | "hc2" | "hc3" | "cluster";

export interface ClusterVariable {
  name: string;
  ids: Int32Array;
  count: number;
}
