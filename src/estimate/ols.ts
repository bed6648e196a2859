/**
 * One model frame to one ModelResult with one covariance, for code that estimates a regression it built itself
 * (the event-study path): the estimator the formula selects, the covariance registry, summarize.
 */
import type { FixedEffectValuesResult } from "../absorb/fixedEffectValues.js";
import { summarize } from "../inference/summarize.js";
import type { ModelResult } from "../model/result.js";
import { computeCovariance, resolveCovariance } from "../vcov/registry.js";
import type { SmallSampleConvention } from "../vcov/ssc.js";
import type { Covariance, CovarianceRequest } from "../vcov/types.js";
import type { ModelFrame } from "./frame.js";
import type { MemoryFit } from "./memoryFit.js";
import { selectEstimator } from "./registry.js";

export { INTERCEPT } from "../model/fit.js";

export interface EstimateOptions {
  vcov: { type: string; convention: SmallSampleConvention };
  level: number;
  name?: string | undefined;
  group?: Record<string, string | number> | null | undefined;
  forcePath?: "exact" | "fast" | undefined;
  dropSingletons?: boolean | undefined;
  /** Receives the estimated fixed effects, normalised as fixest::fixef. */
  onFixedEffects?: ((values: FixedEffectValuesResult) => void) | undefined;
  /** Receives the fit and its covariance (the event study's wild bootstrap tests its path on them). */
  onFit?: ((fit: MemoryFit, covariance: Covariance, request: CovarianceRequest) => void) | undefined;
}

/** Estimates a frame whose grouping variables are the cluster variables of a clustered covariance. */
export function estimateOls(frame: ModelFrame, options: EstimateOptions): ModelResult {
  const request = resolveCovariance({
    vcov: options.vcov.type,
    cluster: options.vcov.type === "cluster" ? frame.clusters.map((c) => c.name) : [],
    ssc: options.vcov.convention,
  });
  const estimator = selectEstimator(frame.formula);
  const fit = estimator.fit(frame, { forcePath: options.forcePath, dropSingletons: options.dropSingletons });
  const covariance = computeCovariance(fit, request);
  options.onFit?.(fit, covariance, request);
  const result = {
    ...summarize(fit, covariance, {
      level: options.level,
      name: options.name,
      group: options.group,
    }),
    ...(estimator.summaryBlocks?.(fit, request, options.level) ?? {}),
  };
  if (options.onFixedEffects) {
    const values = fit.fixedEffectValues();
    if (values) options.onFixedEffects(values);
  }
  return result;
}
