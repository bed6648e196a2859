/** The 2SLS entry of the estimator registry. */
import type { Estimator } from "../types.js";
import { fitIv, type IvFit } from "./fit.js";
import { ivSummary } from "./summary.js";

export const iv: Estimator<IvFit> = {
  name: "iv",
  description: "two-stage least squares (y ~ x | fe | endo ~ z), with absorbed fixed effects",
  fit: fitIv,
  summaryBlocks: ivSummary,
};
