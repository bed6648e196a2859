/**
 * The fit contract: what an estimator hands to the covariance registry and to `summarize`, whatever estimated it
 * (least squares, two-stage least squares, Poisson IRLS) and wherever the rows live (typed arrays in this process,
 * or a SQL engine that returns only k x k and G x k summaries).
 *
 * A Fit holds everything the covariance estimators of fixest's `vcov_setup()` registry need (bread, scores,
 * degrees-of-freedom facts) and nothing that depends on the covariance chosen: one fit can feed several covariance
 * columns. Plain data and interfaces only; this module sits on the ground floor (it imports nothing of ours).
 */
import type { Matrix } from "ml-matrix";

/** The name of the intercept coefficient, as R and fixest print it. */
export const INTERCEPT = "(Intercept)";

/** A grouping of the estimation rows: cluster variables, panel units, time periods. */
export interface IdVariable {
  readonly name: string;
  /** Dense 0..count-1 id per estimation row. */
  readonly ids: Int32Array;
  readonly count: number;
}

/** A time variable of the estimation rows: its values (finite numbers) per row. */
export interface TimeVariable {
  readonly name: string;
  readonly values: Float64Array;
}

/** Score sums per group: `sums` is count x k, row-major (group g's sums at g*k .. g*k+k-1). */
export interface GroupScoreSums {
  readonly count: number;
  readonly sums: Float64Array;
}

/**
 * The row-level pieces of the scores s_i = w_i e_i x_i: what a covariance needs when it is not a function of group
 * sums alone (HC2/HC3 leverage, CR2/CR3, Newey-West lags, the wild bootstrap).
 */
export interface ScoreRows {
  /** The columns x_i of the scores: the kept (demeaned) design; fitted endogenous columns for 2SLS. */
  readonly columns: readonly Float64Array[];
  /** e_i: residuals (structural residuals for 2SLS, y - mu for Poisson). */
  readonly residuals: Float64Array;
  /** w_i: prior (analytic) weights; null when unweighted. */
  readonly weights: Float64Array | null;
  /**
   * The weights of the Gram matrix X'WX whose inverse is the bread, where they differ from `weights` (Poisson's
   * IRLS weights w_i mu_i); leverage h_ii = g_i x_i' bread x_i uses them.
   */
  readonly gramWeights: Float64Array | null;
}

/**
 * Scores of a fitted model in the forms the covariance estimators consume. The memory engine computes them from
 * the rows on demand; a SQL engine answers from sums it computed in the database (and has no `rows`).
 */
export interface ScoreSource {
  /** Number of score columns (kept coefficients). */
  readonly k: number;
  /** Sum over rows of s_i s_i' (k x k): the HC0 meat. */
  outerProduct(): Matrix;
  /** Score sums per level of the named id variables (their intersection when several are given). */
  groupSums(variables: readonly string[]): GroupScoreSums;
  /** Row-level pieces, or null when the fit keeps none (SQL engines). */
  readonly rows: ScoreRows | null;
}

/** reghdfe's count of the absorbed parameters (see src/absorb/fixedEffectDof.ts `reghdfeDof`). */
export interface ReghdfeCount {
  /** e(df_a): absorbed parameters counted in the small-sample factors. */
  readonly dfA: number;
  /** e(df_a_nested): the levels of intercepts nested in a cluster variable. */
  readonly dfANested: number;
  readonly table: readonly {
    term: string;
    part: "intercept" | "slope";
    categories: number;
    redundant: number;
    coefficients: number;
    exact: boolean;
    nested: boolean;
  }[];
}

/**
 * The facts the small-sample conventions (src/vcov/ssc.ts) build K from: fixest's ssc() and reghdfe's DoF.mata
 * count differently, and fixest's "nested" count depends on the variables the covariance groups by.
 */
export interface DegreesOfFreedom {
  /** Coefficients estimated (after removing collinear ones). */
  readonly coefficients: number;
  /** Index of the intercept among the coefficients, or null (with fixed effects there is none). */
  readonly interceptIndex: number | null;
  /** Fixed-effect parameters counted as fixest's fixef.K = "full" (0 without fixed effects). */
  readonly fixedEffects: number;
  /** Names of the fixed-effect terms ("state", "state^year", "state[x]"). */
  readonly fixedEffectTerms: readonly string[];
  /**
   * fixest's fixef.K = "nested": the fixed-effect parameters left when those nested in one of the given grouping
   * variables are not counted (fixest R/VCOV.R: nesting decided by name, then on the data).
   */
  fixedEffectsNested(variables: readonly string[]): number;
  /** reghdfe's count given the cluster variables (absent when the fit cannot provide it). */
  reghdfe?(clusters: readonly string[]): ReghdfeCount;
  /** Small-sample conventions this fit cannot follow, with the reason (reghdfe has no IV). */
  readonly unsupported?: Readonly<Record<string, string>>;
}

/**
 * How the iid covariance scales the bread: least squares estimates sigma^2 = RSS / (n - K); a Poisson model has
 * its dispersion fixed at 1 (fixest's feglm: the iid covariance is the inverse Hessian, times the small-sample
 * factor (n - 1) / (n - K)).
 */
export type Dispersion = { readonly kind: "estimated" } | { readonly kind: "fixed"; readonly value: number };

/** Sample accounting carried into the result. */
export interface SampleFacts {
  readonly dropped: { missing: number; infinite: number; singletons: number; separated?: number };
  readonly weights: string | null;
  readonly notes: readonly string[];
}

export interface Fit {
  /** The estimator's registry name (ols, iv, poisson). */
  readonly estimator: string;
  /** The formula as the user wrote it. */
  readonly formula: string;
  readonly dependent: string;
  readonly nobs: number;
  /** Kept coefficients, in order. */
  readonly terms: readonly string[];
  readonly coefficients: Float64Array;
  /** Terms removed as collinear (with earlier terms or the fixed effects). */
  readonly collinear: readonly string[];
  /** (X'WX)^-1, or the inverse Hessian of a likelihood. */
  readonly bread: Matrix;
  /** Weighted residual sum of squares (structural residuals for 2SLS; Pearson-free RSS of y - mu for Poisson). */
  readonly rss: number;
  readonly dispersion: Dispersion;
  readonly scores: ScoreSource;
  readonly dof: DegreesOfFreedom;
  /** Names of the id variables `scores.groupSums` knows (cluster and panel variables the request named). */
  readonly idVariables: readonly string[];
  /** The id variable of a grouping by name (memory engine), for estimators that need rows per group. */
  idVariable?(name: string): IdVariable;
  /** A time variable by name (Newey-West and Driscoll-Kraay order periods by it). */
  timeVariable?(name: string): TimeVariable;
  /**
   * The absorbed fixed effects' ids on the estimation rows (CR2/CR3 put the crossed ones in their hat matrix);
   * absent when the fit keeps no rows. Varying slopes are marked so that a covariance can refuse them.
   */
  absorbedFixedEffects?(): readonly { name: string; ids: Int32Array; nlevels: number; slope: boolean }[];
  /** Fit statistics that do not depend on the covariance (r2 and friends are computed in summarize). */
  readonly statistics: FitStatistics;
  readonly sample: SampleFacts;
  /** Fixed-effect terms as printed, and the demeaning's work (absent without fixed effects). */
  readonly fixedEffects: {
    readonly terms: readonly string[];
    readonly demeaning?: { iterations: number; converged: boolean };
  };
}

/** Covariance-free statistics of a fit, from which summarize derives R2, sigma and the like. */
export interface FitStatistics {
  /** Total sum of squares of y about its (weighted) mean, or about 0 without an intercept or fixed effects. */
  readonly tss: number;
  /** Sum of squares of the demeaned y (within R2); null without fixed effects. */
  readonly withinTss: number | null;
  /** Whether R2 is centred (model with an intercept or fixed effects). */
  readonly centred: boolean;
  /**
   * The outcome's (weighted) mean square, sum w y^2 / sum w, on the original scale: the yardstick of R's "essentially
   * perfect fit" test (src/inference/diagnostics.ts). Absent when the engine does not compute it.
   */
  readonly responseMeanSquare?: number;
  /** Poisson: deviance, log-likelihood and the null model's, for pseudo R2. */
  readonly likelihood?: {
    readonly deviance: number;
    readonly nullDeviance: number;
    readonly logLik: number;
    readonly nullLogLik: number;
    readonly iterations: number;
    readonly converged: boolean;
    /** Squared correlation of the outcome with the fitted mean. */
    readonly squaredCorrelation: number;
  };
}
