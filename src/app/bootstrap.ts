/**
 * `--boot B`: wild cluster bootstrap p-values and intervals for the coefficients (and linear combinations) of a
 * fitted model, through src/inference/wildBootstrap (Roodman, MacKinnon, Nielsen and Webb 2019: restricted WCR by
 * default; Davidson and MacKinnon's WRE for 2SLS). The bootstrap statistic uses the model's own covariance
 * convention (its K and the cluster-count rule of --ssc), so its t equals the table's t; one-way p-values do not
 * depend on that choice (fwildclusterboot's default uses k without fixed effects and per-term G/(G-1)).
 */
import { DEMEAN_TOL } from "../absorb/absorb.js";
import { estimationError, usageError } from "../errors.js";
import type { IvFit } from "../estimate/iv/fit.js";
import type { MemoryFit } from "../estimate/memoryFit.js";
import { evaluateCombination } from "../inference/combination.js";
import {
  type BootSmallSample,
  type BootType,
  type BootWeightType,
  type Hypothesis,
  prepareOlsBootstrap,
  testOls,
  type WildBootstrapOptions,
  type WildBootstrapResult,
  wildBootstrapIv,
} from "../inference/wildBootstrap/index.js";
import { type IdVariable, INTERCEPT } from "../model/fit.js";
import type { ModelResult } from "../model/result.js";
import { intersectIds } from "../numeric/intersectIds.js";
import type { Covariance, CovarianceRequest } from "../vcov/types.js";

export interface BootstrapRequest {
  reps: number;
  seed: number;
  type?: BootType | undefined;
  weights?: BootWeightType | undefined;
  /** Bootstrap clusters (their intersection when several); default the covariance's clusters' intersection. */
  cluster?: readonly string[] | undefined;
  /** Coefficients to bootstrap (default every coefficient but the intercept). */
  terms?: readonly string[] | undefined;
}

/** The grouping variables a bootstrap needs encoded in the model frame. */
export function bootstrapVariables(boot: BootstrapRequest | undefined): string[] {
  return boot?.cluster ? [...boot.cluster] : [];
}

/**
 * Bootstraps the requested coefficients and every lincom of `result`, filling boot_p_value, boot_conf_low and
 * boot_conf_high, and the model's `bootstrap` block.
 */
export function bootstrapModel(
  fit: MemoryFit,
  result: ModelResult,
  covariance: Covariance,
  request: CovarianceRequest,
  boot: BootstrapRequest,
  level: number,
): ModelResult {
  if (fit.estimator !== "ols" && fit.estimator !== "iv")
    throw usageError(`the wild bootstrap is for least squares models (OLS and 2SLS), not ${fit.estimator}`);
  if (request.cluster.length === 0 && (boot.cluster ?? []).length === 0)
    throw usageError(
      "the wild cluster bootstrap needs clusters (a clustered covariance or bootstrap clusters)",
    );
  const id = (name: string): IdVariable => {
    const v = fit.idVariable?.(name);
    if (v === undefined) throw estimationError(`internal: no grouping variable '${name}' in the fit`);
    return v;
  };
  const clusters = (request.cluster.length > 0 ? request.cluster : (boot.cluster as string[])).map(id);
  const bootVariables = (boot.cluster ?? []).map(id);
  const bootCluster =
    bootVariables.length === 0
      ? undefined
      : bootVariables.length === 1
        ? bootVariables[0]
        : intersectIds(bootVariables);
  const options: WildBootstrapOptions = {
    reps: boot.reps,
    seed: boot.seed,
    type: boot.type ?? "wcr",
    weights: boot.weights ?? "rademacher",
    level,
  };
  const smallSample: BootSmallSample =
    request.ssc === "none"
      ? { adjustment: 1, clusterDf: "none" }
      : {
          adjustment: (fit.nobs - 1) / (fit.nobs - covariance.info.k),
          clusterDf: request.ssc === "per-term" ? "conventional" : "min",
        };
  const design = fit.design;
  const absorbed = design.absorbed;
  const fixedEffects = absorbed
    ? {
        effects: design.fixedEffects.map((fe) => ({ name: fe.name, ids: fe.ids, nlevels: fe.nlevels })),
        demean: (columns: Float64Array[]) =>
          absorbed.absorber.demean(columns, { tol: DEMEAN_TOL, inPlace: false }).columns,
      }
    : undefined;
  if (design.fixedEffects.some((fe) => fe.slope !== undefined))
    throw usageError("the wild bootstrap is not available with varying slopes (fe[x])");
  const rows = fit.scores.rows;
  if (rows === null) throw usageError("the wild bootstrap needs the rows, which this engine does not keep");

  let run: (hypothesis: Hypothesis) => WildBootstrapResult;
  if (fit.estimator === "ols") {
    const prepared = prepareOlsBootstrap({
      columns: rows.columns,
      response: design.response.hi,
      weights: rows.weights,
      bread: fit.bread,
      coefficients: fit.coefficients,
      residuals: rows.residuals,
      clusters,
      ...(bootCluster ? { bootCluster } : {}),
      ...(fixedEffects ? { fixedEffects } : {}),
      smallSample,
    });
    run = (hypothesis) => testOls(prepared, hypothesis, options);
  } else {
    const iv = fit as IvFit;
    const endogenous = new Map(iv.design.endogenous.map((c) => [`fit_${c.name}`, c.hi]));
    const exogenous = new Map(iv.design.columns.map((c) => [c.name, c.hi]));
    const regressors = fit.terms.map((term) => {
      const endo = endogenous.get(term);
      if (endo) return { column: endo, endogenous: true };
      const exo = exogenous.get(term);
      if (exo === undefined) throw estimationError(`internal: no column for '${term}' in the IV design`);
      return { column: exo, endogenous: false };
    });
    const inputs = {
      regressors,
      instruments: iv.design.instruments.map((c) => c.hi),
      response: design.response.hi,
      weights: design.frame.weights,
      clusters,
      ...(bootCluster ? { bootCluster } : {}),
      ...(fixedEffects ? { fixedEffects } : {}),
      smallSample,
    };
    run = (hypothesis) => wildBootstrapIv(inputs, hypothesis, options);
  }

  const k = fit.terms.length;
  const wanted = boot.terms ?? fit.terms.filter((t) => t !== INTERCEPT);
  for (const term of wanted)
    if (!fit.terms.includes(term))
      throw usageError(
        `bootstrap term '${term}' is not a coefficient (coefficients: ${fit.terms.join(", ")})`,
      );
  let last: WildBootstrapResult | null = null;
  const coefficients = result.coefficients.map((c, j) => {
    if (!wanted.includes(c.term)) return c;
    const contrast = new Float64Array(k);
    contrast[j] = 1;
    last = run({ contrast, value: 0 });
    return { ...c, boot_p_value: last.pValue, boot_conf_low: last.confLow, boot_conf_high: last.confHigh };
  });
  const combinations = result.combinations?.map((c) => {
    if (c.kind !== "lincom") return c;
    const { gradient } = evaluateCombination("lincom", c.expression, fit.terms, fit.coefficients);
    last = run({ contrast: gradient, value: 0 });
    return { ...c, boot_p_value: last.pValue, boot_conf_low: last.confLow, boot_conf_high: last.confHigh };
  });
  const summary = last as WildBootstrapResult | null;
  if (summary === null) throw usageError("the bootstrap has no coefficient to test");
  return {
    ...result,
    coefficients,
    ...(combinations ? { combinations } : {}),
    bootstrap: {
      type: summary.type,
      weights: summary.weights,
      reps: summary.reps,
      requested_reps: summary.requestedReps,
      seed: summary.seed,
      enumerated: summary.enumerated,
      cluster: summary.bootCluster,
      n_clusters: summary.bootClusters,
      p_value: "symmetric",
      interval: "test inversion",
    },
  };
}
