/**
 * How many parameters the absorbed fixed effects use, for the small-sample factor (n - 1) / (n - K).
 *
 * Coefficients per FE term: G for a plain FE, 2G for `fe[x]` (intercept and slope per level), G for `fe[[x]]`.
 * Their count minus the restrictions that identify them is the FE part of K. Three rules:
 *
 *  - "fixest" (fixest's default, ssc(fixef.force_exact = FALSE)): one restriction per FE with intercepts beyond
 *    the first, whatever the design: sum(coefficients) - (Q_int - 1), where Q_int counts FEs with intercepts.
 *    This is fixest's `nparams` minus the slope coefficients of the x's (ESTIMATION_FUNS.R: K + sum(sizes - 1)
 *    + 1). It overcounts when the FEs are not connected (several worker-firm components).
 *  - "fixest-exact" (ssc(fixef.force_exact = TRUE)): sum(coefficients) - (number of references set by fixef()),
 *    the reference search of fixedEffectValues.ts on the design (for slopes: levels where x is constant). Exact
 *    for two FEs; for three or more, the greedy search may set more references than there are redundancies
 *    (fixest documents it as "exact" nonetheless; we reproduce it).
 *  - "components" (reghdfe's approach, Abowd, Creecy & Kramarz 2002 for the connected sets): exact for two FEs,
 *    G1 + G2 - (connected components of the bipartite graph of levels); each further FE with intercepts is
 *    assumed to lose exactly one more (a conservative lower bound on the redundancies, hence an upper bound on K).
 *
 * With one FE every rule gives G. Which FEs count as "first two" follows the order given.
 *
 * NESTING. fixest's ssc(fixef.K = "nested") (the default) with clustered standard errors drops the FEs nested in
 * a cluster variable (every level of the FE within a single cluster) from K: see `fixestFixefK`, which reproduces
 * fixest's vcov code (R/VCOV.R) branch by branch.
 */
import { estimationError } from "../errors.js";
import { coefficientsPerLevel, type FixedEffect, hasIntercept } from "./fixedEffects.js";
import { constantSlopeLevels, findReferences } from "./fixedEffectValues.js";

export type FixedEffectCountRule = "fixest" | "fixest-exact" | "components";

/** Coefficients of an FE term before restrictions: G, or 2G for fe[x]. */
export function fixedEffectCoefficientCount(fe: FixedEffect): number {
  return fe.nlevels * coefficientsPerLevel(fe);
}

/** Number of parameters absorbed by the FEs under `rule` (see the module comment). */
export function absorbedParameterCount(
  fes: readonly FixedEffect[],
  rule: FixedEffectCountRule = "fixest",
): number {
  if (fes.length === 0) return 0;
  let total = 0;
  for (const fe of fes) total += fixedEffectCoefficientCount(fe);
  const withIntercept = fes.filter(hasIntercept);
  const Qi = withIntercept.length;
  switch (rule) {
    case "fixest":
      return Qi >= 1 ? total - (Qi - 1) : total;
    case "fixest-exact":
      return total - totalReferences(fes);
    case "components": {
      if (Qi <= 1) return total;
      const a = withIntercept[0] as FixedEffect;
      const b = withIntercept[1] as FixedEffect;
      return total - connectedComponents(a, b) - (Qi - 2);
    }
    default:
      throw estimationError(`internal: unknown fixed-effect count rule ${String(rule)}`);
  }
}

/**
 * References fixest::fixef would set, summed over FE terms: the reference search over FEs with intercepts (when
 * there are two or more), plus, for each slope, the levels where the slope is not identified.
 */
export function totalReferences(fes: readonly FixedEffect[]): number {
  return referencesPerFe(fes).reduce((a, b) => a + b, 0);
}

/** References per FE term, in the order given (fixest's attr(fixef(est), "references")). */
export function referencesPerFe(fes: readonly FixedEffect[]): number[] {
  const withIntercept = fes.filter(hasIntercept);
  const refs =
    withIntercept.length >= 2
      ? findReferences(
          withIntercept.map((f) => f.ids),
          withIntercept.map((f) => f.nlevels),
        ).references
      : withIntercept.map(() => 0);
  let r = 0;
  return fes.map((fe) => (hasIntercept(fe) ? (refs[r++] as number) : 0) + constantSlopeLevels(fe));
}

/**
 * Connected components of the bipartite graph whose nodes are the levels of `a` and of `b`, with an edge for each
 * row (union-find with path halving). Levels without rows would be isolated nodes; ids are dense, so none exist.
 */
export function connectedComponents(a: FixedEffect, b: FixedEffect): number {
  const Ga = a.nlevels;
  const Gb = b.nlevels;
  const parent = new Int32Array(Ga + Gb);
  for (let v = 0; v < parent.length; v++) parent[v] = v;
  const find = (v: number): number => {
    let x = v;
    while (parent[x] !== x) {
      const p = parent[x] as number;
      parent[x] = parent[p] as number;
      x = p;
    }
    return x;
  };
  let components = Ga + Gb;
  const da = a.ids;
  const db = b.ids;
  for (let i = 0; i < da.length; i++) {
    const ra = find(da[i] as number);
    const rb = find(Ga + (db[i] as number));
    if (ra !== rb) {
      parent[ra] = rb;
      components--;
    }
  }
  return components;
}

/**
 * Whether `fe` is nested in the cluster variable: every level of the FE is observed within a single cluster
 * (fixest's cpp_check_nested). `cluster` holds cluster codes per row (any integers; negative = missing is an
 * error: the estimation sample has no missing cluster).
 */
export function isNestedIn(fe: FixedEffect, cluster: Int32Array): boolean {
  const d = fe.ids;
  if (cluster.length !== d.length)
    throw estimationError(`internal: cluster has ${cluster.length} rows, FE has ${d.length}`);
  const seen = new Int32Array(fe.nlevels).fill(-1);
  const clusterOf = new Int32Array(fe.nlevels);
  for (let i = 0; i < d.length; i++) {
    const g = d[i] as number;
    const c = cluster[i] as number;
    if (seen[g] === -1) {
      seen[g] = 1;
      clusterOf[g] = c;
    } else if (clusterOf[g] !== c) return false;
  }
  return true;
}

export interface FixestKOptions {
  /** ssc(fixef.K = ...): "none", "full", or "nested" (fixest's default). */
  fixefK: "none" | "full" | "nested";
  /** ssc(fixef.force_exact = ...), default false. */
  forceExact?: boolean;
  /**
   * For clustered standard errors: per FE term, whether it is nested in (one of) the cluster variables
   * (`isNestedIn`). Leave undefined for iid/heteroskedastic errors: "nested" then behaves as "full", as in fixest.
   */
  nested?: readonly boolean[];
  /** References per FE term, if already computed (fixest-exact); otherwise computed here when needed. */
  references?: readonly number[];
}

/**
 * The FE part of fixest's K in the small-sample factor (n-1)/(n-K): add it to the number of coefficients on the
 * regressors (fixest excludes the intercept, which the FEs absorb). Follows fixest's R/VCOV.R:
 *
 *  - "none": only the slope coefficients of varying-slope terms count (plain FEs count 0).
 *  - "full", or "nested" without clustering: sum(coefficients) - (Q_int - 1); with forceExact and 2+ FE terms,
 *    sum(coefficients) - sum(references).
 *  - "nested" with clustering: if every FE term is nested, only 1 (for the absorbed intercept) plus the slope
 *    coefficients remain. Otherwise, without forceExact, each nested FE with intercepts loses G - 1 from the
 *    "full" count; with forceExact, the references are subtracted from fixest's nparams, the nested FEs'
 *    references being replaced by their G when two or more FEs are nested (fixest's code does exactly this, which
 *    for a single nested FE keeps its references count). fixest finally keeps K >= (number of regressors) + 1,
 *    which here means the FE part is at least 1.
 */
export function fixestFixefK(fes: readonly FixedEffect[], options: FixestKOptions): number {
  const nFe = fes.length;
  if (nFe === 0) return 0;
  const coefs = fes.map(fixedEffectCoefficientCount);
  const sumCoefs = coefs.reduce((a, b) => a + b, 0);
  // fixef_sizes_ok: G for FEs with intercepts, 0 for slope-only terms.
  const sizesOk = fes.map((fe) => (hasIntercept(fe) ? fe.nlevels : 0));
  const nOk = sizesOk.filter((g) => g > 0).length;
  const sumSizesOk = sizesOk.reduce((a, b) => a + b, 0);
  // fixest's nparams minus the regressors: sum of coefficients, one restriction per intercept FE beyond the first.
  const nparams = nOk >= 1 ? sumCoefs + 1 - nOk : sumCoefs;
  const refs = () => options.references ?? referencesPerFe(fes);

  if (options.fixefK === "none") return nOk > 0 ? nparams - (sumSizesOk - (nOk - 1)) : nparams;

  const nested = options.nested;
  if (options.fixefK === "full" || nested === undefined) {
    if (options.forceExact && nFe >= 2 && nOk >= 1)
      return nparams + (nOk - 1) - refs().reduce((a, b) => a + b, 0);
    return nparams;
  }
  if (nested.length !== nFe)
    throw estimationError(`internal: nested flags for ${nested.length} FEs, expected ${nFe}`);
  const nNested = nested.filter(Boolean).length;
  let K: number;
  if (nNested === nFe) {
    K = nparams - (sumSizesOk - (nOk - 1)) + 1;
  } else if (options.forceExact && nFe >= 2) {
    const r = refs().slice();
    if (nNested > 1) for (let q = 0; q < nFe; q++) if (nested[q]) r[q] = (fes[q] as FixedEffect).nlevels;
    K = nparams - r.reduce((a, b) => a + b, 0);
  } else {
    let drop = 0;
    for (let q = 0; q < nFe; q++)
      if (nested[q] && (sizesOk[q] as number) > 0) drop += (sizesOk[q] as number) - 1;
    K = nparams - drop;
  }
  return Math.max(K, 1);
}
