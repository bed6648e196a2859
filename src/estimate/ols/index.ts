/** The OLS entry of the estimator registry. */
import type { Estimator } from "../types.js";
import { fitOls } from "./fit.js";

export const ols: Estimator = {
  name: "ols",
  description: "least squares, with absorbed fixed effects and analytic weights",
  fit: fitOls,
};
