/** Options and results of the wild cluster bootstrap (ols.ts, iv.ts). */

import type { IdVariable as ClusterVariable } from "../../model/fit.js";
import type { AbsorbedFixedEffect } from "../../vcov/clusterBlocks.js";
import type { PValueKind } from "./inference.js";
import type { BootWeightType } from "./weights.js";

export type BootType = "wcr" | "wcu";

/** A single linear hypothesis R b = r (R over the kept coefficients, in their order). */
export interface Hypothesis {
  contrast: ArrayLike<number>;
  value: number;
}

/**
 * Small-sample factors of the bootstrap t statistics (fwildclusterboot `boot_ssc`): each term of the (multi-way)
 * cluster sum is multiplied by `adjustment` x G_t/(G_t - 1) ("conventional": each term its own number of clusters,
 * the intersections included; MacKinnon, Nielsen and Webb 2021), G_min/(G_min - 1) ("min": fixest's default), or
 * 1 ("none"). One-way p-values do not depend on them; the reported t statistic and multi-way p-values do.
 */
export interface BootSmallSample {
  /** (n - 1)/(n - K) or 1. fwildclusterboot: (N - 1)/(N - k), k the model's coefficients without fixed effects. */
  adjustment: number;
  clusterDf: "conventional" | "min" | "none";
}

/** Fixed effects absorbed from the design and response, and the projection that absorbed them. */
export interface BootFixedEffects {
  effects: readonly AbsorbedFixedEffect[];
  /** Returns the columns demeaned on all the fixed effects (weighted when the model is), as the fit did. */
  demean: (columns: Float64Array[]) => Float64Array[];
}

export interface WildBootstrapOptions {
  /** Replications B (the number of draws; fewer under full enumeration). */
  reps: number;
  seed: number;
  /** Restricted (null imposed, default) or unrestricted bootstrap DGP. */
  type?: BootType;
  weights?: BootWeightType;
  /** Confidence level of the interval (default 0.95). */
  level?: number;
  /** Which p-value the interval inverts (default symmetric). */
  interval?: PValueKind | "none";
}

export interface WildBootstrapResult {
  type: BootType;
  weights: BootWeightType;
  /** Draws used (2^G or 6^G under full enumeration). */
  reps: number;
  requestedReps: number;
  seed: number;
  /** True when every distinct draw was used once: the p-value is exact and does not depend on the seed. */
  enumerated: boolean;
  bootCluster: string;
  bootClusters: number;
  /** R b and r. */
  estimate: number;
  nullValue: number;
  /** (R b - r) / se with the cluster-robust se of the small-sample convention given. */
  statistic: number;
  stdError: number;
  pValue: number;
  pValueEqualTailed: number;
  level: number;
  interval: PValueKind | "none";
  confLow: number;
  confHigh: number;
  /** Draws left out because their multi-way variance estimate was negative. */
  invalidDraws: number;
}

export interface OlsBootstrapInputs {
  /** Kept design columns (demeaned on the fixed effects, if any). */
  columns: readonly Float64Array[];
  /** The response the fit used (demeaned likewise). */
  response: Float64Array;
  weights: Float64Array | null;
  /** (X'WX)^-1 and the fit's coefficients and residuals; computed from the columns when absent. */
  bread?: import("ml-matrix").Matrix;
  coefficients?: Float64Array;
  residuals?: Float64Array;
  /** Covariance clustering: one variable, or several for multi-way (Cameron, Gelbach and Miller 2011). */
  clusters: readonly ClusterVariable[];
  /** Bootstrap clusters; default the intersection of `clusters` (fwildclusterboot's bootcluster = "max"). */
  bootCluster?: ClusterVariable;
  fixedEffects?: BootFixedEffects;
  smallSample?: BootSmallSample;
}
