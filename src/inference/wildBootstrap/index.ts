/**
 * The wild cluster bootstrap's public entry points (what `--boot` handling calls): OLS (ols.ts) and 2SLS (iv.ts)
 * tests of one linear hypothesis with their intervals, the weight distributions and the result type.
 */
export type { PValueKind } from "./inference.js";
export { type IvBootstrapInputs, ivBootstrapRunner, wildBootstrapIv } from "./iv.js";
export { type PreparedOls, prepareOlsBootstrap, testOls, wildBootstrapOls } from "./ols.js";
export type {
  BootFixedEffects,
  BootSmallSample,
  BootType,
  Hypothesis,
  OlsBootstrapInputs,
  WildBootstrapOptions,
  WildBootstrapResult,
} from "./types.js";
export { BOOT_WEIGHT_TYPES, type BootWeightType, distinctDraws } from "./weights.js";
