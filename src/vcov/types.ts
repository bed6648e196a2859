/**
 * The covariance registry's contract, modelled on fixest's `vcov_setup()`: each covariance type is one module that
 * declares its name, aliases, label, the variables it needs, and how it turns a Fit into a covariance matrix with
 * its small-sample factor and t degrees of freedom (from ssc.ts, the one home of every convention).
 */
import type { Matrix } from "ml-matrix";
import type { Fit } from "../model/fit.js";
import type { VcovInfo } from "../model/result.js";
import type { ParameterCounts, SmallSampleConvention } from "./ssc.js";

/** What the user asked for, resolved against the registry (canonical type name, variables by role). */
export interface CovarianceRequest {
  /** Canonical registry name: iid, hc0, hc1, hc2, hc3, cluster, nw, dk, ... */
  readonly type: string;
  /** Cluster variables (one, or several for multi-way clustering). */
  readonly cluster: readonly string[];
  /** Panel identifiers (fixest's panel.id = ~unit + time); unit may be null for a time series. */
  readonly panel: { readonly unit: string | null; readonly time: string } | null;
  /** Lag of a HAC covariance (fixest's NW(L), DK(L)); null for the type's default rule. */
  readonly lag: number | null;
  readonly ssc: SmallSampleConvention;
}

/** A computed covariance: the matrix, every number that entered it, and what the user should be told. */
export interface Covariance {
  readonly matrix: Matrix;
  readonly info: VcovInfo;
  readonly notes: readonly string[];
  /** The parameter counts the convention used (K of the factor, of the t df, of the full model). */
  readonly parameters: ParameterCounts;
  /**
   * Degrees of freedom per coefficient, where they differ by coefficient (CR2/CR3: Satterthwaite / Bell-McCaffrey);
   * `info.df_t` is then NaN.
   */
  readonly coefficientDf?: readonly number[];
  /** The degrees of freedom of a linear combination c'b, where they depend on c (CR2/CR3). */
  contrastDf?(contrast: ArrayLike<number>): number;
}

/** Whether a request must, may, or must not give a variable of some role. */
export type Need = "required" | "optional" | "forbidden";

export interface CovarianceType {
  /** Canonical name, as the JSON's vcov.type and `--vcov` print it. */
  readonly name: string;
  /** Other names `--vcov` accepts for it (fixest's and Stata's). */
  readonly aliases: readonly string[];
  /** One line for `--help` and the README. */
  readonly description: string;
  /** The variables it needs from the request. */
  readonly needs: {
    readonly cluster: Need;
    /** Panel unit (NW on a panel). */
    readonly unit: Need;
    /** Time variable (NW, DK). */
    readonly time: Need;
    /** Whether a lag can be given. */
    readonly lag: boolean;
  };
  /** Table label ("Clustered (state)", "Newey-West (L=2)"); labels maps variable names to display names. */
  label(info: VcovInfo, labels: Readonly<Record<string, string>>): string;
  /** Why this covariance cannot be computed for the fit (e.g. HC2 with absorbed fixed effects), or null. */
  refuse?(fit: Fit): string | null;
  compute(fit: Fit, request: CovarianceRequest): Covariance;
}
