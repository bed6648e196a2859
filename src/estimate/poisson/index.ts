/** The Poisson (PPML) entry of the estimator registry. */
import type { Estimator } from "../types.js";
import { fitPoisson } from "./fit.js";

export const poisson: Estimator = {
  name: "poisson",
  description: "Poisson pseudo-maximum likelihood with absorbed fixed effects and offsets (fixest's fepois)",
  fit: fitPoisson,
};
