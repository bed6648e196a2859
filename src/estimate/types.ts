/**
 * The estimator registry's contract (a folder per model family, as linearmodels; one function per estimator, as
 * fixest's feols/feglm): an estimator turns a model frame into a Fit; the covariance registry and summarize do the
 * rest. Blocks of the result that depend on the covariance chosen (an IV model's first stages and weak-instrument
 * statistics) come from `summaryBlocks`.
 */
import type { ModelResult } from "../model/result.js";
import type { CovarianceRequest } from "../vcov/types.js";
import type { FitOptions } from "./design.js";
import type { ModelFrame } from "./frame.js";
import type { MemoryFit } from "./memoryFit.js";

export interface Estimator<F extends MemoryFit = MemoryFit> {
  /** Registry name: the JSON's `estimator`. */
  readonly name: string;
  readonly description: string;
  fit(frame: ModelFrame, options: FitOptions): F;
  summaryBlocks?(fit: F, request: CovarianceRequest, level: number): Pick<ModelResult, "iv">;
}
