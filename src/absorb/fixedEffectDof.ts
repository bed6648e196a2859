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
 *  - "components" (Abowd, Creecy & Kramarz 2002 for the connected sets; reghdfe's `dof(firstpair)`): exact for
 *    two FEs, G1 + G2 - (connected components of the bipartite graph of levels); each further FE with intercepts
 *    is assumed to lose exactly one more (a conservative lower bound on the redundancies, hence an upper bound on
 *    K). reghdfe's default is not this one for 3+ FEs: see REGHDFE below.
 *
 * With one FE every rule gives G. Which FEs count as "first two" follows the order given.
 *
 * REGHDFE (`--ssc reghdfe`, `reghdfeDof`): reghdfe 6.12.3's default `dofadjustments(all)` = `pairwise clusters
 * continuous` (reghdfe.ado, ParseDOF), read in sergiocorreia/reghdfe current-code/DoF.mata (commit ebe4a5a7,
 * line numbers of that file), identical in reghdfe 5.9.0 (historical-code/reghdfe5.mata, estimate_dof). Each
 * FE term contributes one "extended absvar" per intercept and per slope, each with K_j = G coefficients and
 * M_j redundant ones; e(df_a) = sum K_j - sum M_j (DoF.mata:101-103):
 *   1. clusters (DoF.mata:109-164, only with clustered errors): an intercept that is a cluster variable or whose
 *      every level lies inside one cluster of some cluster variable is entirely redundant, M_j = K_j; the sum
 *      of those K_j is e(df_a_nested). Nested intercepts take no further part.
 *   2. (DoF.mata:59-75) among the remaining intercepts, every one but the first has M_j = 1; when some FE was
 *      nested (e(df_a_nested) > 0) the first one too -- the "extra -1": the nested FEs, left out of df_a,
 *      contain the constant, and the cluster factor adds the constant back once (see src/vcov/ssc.ts).
 *   3. pairwise (DoF.mata:167-211, M_j at :204): for every pair i < j of remaining intercepts, m_ij = connected
 *      components of their bipartite graph (Bipartite.mata init_zigzag, Abowd et al.'s algorithm),
 *      M_j = max(M_j, m_ij). So
 *      M_2 = m_12 is exact; M_3 = max(1, m_13, m_23), M_4 = max(1, m_14, m_24, m_34), ... are lower bounds on
 *      the true redundancies (reghdfe.sthlp, "Degrees-of-Freedom Adjustments": no exact result for 3+ FEs).
 *   4. continuous (DoF.mata:213-256): a slope of `fe[x]` (reghdfe `i.fe##c.x`) is redundant in each level where
 *      max(x) - min(x) <= 1e-6; a slope of `fe[[x]]` (`i.fe#c.x`) where |min(x)| + |max(x)| <= 1e-6 (x is zero
 *      there). The tolerance is absolute, on the data as given.
 * Slopes never enter steps 1-3.
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

/** Below this range (fe[x]) or absolute size (fe[[x]]) a slope is constant (zero) in a level: reghdfe's 1e-6. */
const REGHDFE_SLOPE_TOL = 1e-6;

/** One row of reghdfe's e(dof_table): an FE term's intercepts or slopes ("extended absvar"). */
export interface ReghdfeDofRow {
  /** The FE term ("firm", "firm^year", "firm[x]"), and which of its coefficients the row counts. */
  term: string;
  part: "intercept" | "slope";
  /** Categories (K_j), redundant ones (M_j), and K_j - M_j. */
  categories: number;
  redundant: number;
  coefficients: number;
  /** Whether M_j is exact (reghdfe's "Exact?"): the first intercept, the second via the first pair, nested ones. */
  exact: boolean;
  /** Nested in a cluster variable (all its levels redundant). */
  nested: boolean;
}

export interface ReghdfeDof {
  /** e(df_a): absorbed parameters counted in the small-sample factors, sum K_j - sum M_j. */
  dfA: number;
  /** e(df_a_nested): the levels of intercepts nested in a cluster variable (0 without clustering). */
  dfANested: number;
  rows: ReghdfeDofRow[];
}

/**
 * reghdfe's count of the parameters absorbed by the FEs, with its default dofadjustments (pairwise clusters
 * continuous); see REGHDFE in the module comment. `clusters`: the cluster variables' codes per row when the errors
 * are clustered (empty otherwise: no FE is then nested).
 */
export function reghdfeDof(fes: readonly FixedEffect[], clusters: readonly Int32Array[] = []): ReghdfeDof {
  const rows: ReghdfeDofRow[] = [];
  /** Per row: the FE with intercepts it counts, or null for slopes. */
  const interceptOf: (FixedEffect | null)[] = [];
  for (const fe of fes) {
    const row = (part: "intercept" | "slope"): ReghdfeDofRow => ({
      term: fe.name,
      part,
      categories: fe.nlevels,
      redundant: 0,
      coefficients: 0,
      exact: false,
      nested: false,
    });
    if (hasIntercept(fe)) {
      rows.push(row("intercept"));
      interceptOf.push(fe);
    }
    if (fe.slope) {
      rows.push(row("slope"));
      interceptOf.push(null);
    }
  }
  // 1. clusters: intercepts nested in a cluster variable are entirely redundant.
  let dfANested = 0;
  rows.forEach((row, j) => {
    const fe = interceptOf[j];
    if (!fe || !clusters.some((c) => isNestedIn(fe, c))) return;
    row.redundant = row.categories;
    row.nested = true;
    row.exact = true;
    dfANested += row.categories;
  });
  const remaining = rows.map((_, j) => j).filter((j) => interceptOf[j] && !(rows[j] as ReghdfeDofRow).nested);
  // 2. every remaining intercept but the first loses one; the first too when some FE was nested.
  if (remaining.length > 1 || (remaining.length > 0 && dfANested > 0)) {
    remaining.forEach((j, r) => {
      if (r > 0 || dfANested > 0) (rows[j] as ReghdfeDofRow).redundant = 1;
    });
  }
  if (remaining.length > 0) (rows[remaining[0] as number] as ReghdfeDofRow).exact = true;
  // 3. pairwise: the later intercept of each pair loses at least the connected components of the pair.
  for (let a = 0; a < remaining.length; a++) {
    for (let b = a + 1; b < remaining.length; b++) {
      const i = remaining[a] as number;
      const j = remaining[b] as number;
      const m = connectedComponents(interceptOf[i] as FixedEffect, interceptOf[j] as FixedEffect);
      const row = rows[j] as ReghdfeDofRow;
      row.redundant = Math.max(row.redundant, m);
      if (a === 0 && b === 1) row.exact = true;
    }
  }
  // 4. continuous: slopes constant (with intercepts) or zero (without) within a level.
  let j = 0;
  for (const fe of fes) {
    if (hasIntercept(fe)) j++;
    if (fe.slope) (rows[j++] as ReghdfeDofRow).redundant = degenerateSlopeLevels(fe);
  }
  let dfA = 0;
  for (const row of rows) {
    row.coefficients = row.categories - row.redundant;
    dfA += row.coefficients;
  }
  return { dfA, dfANested, rows };
}

/** Levels where the slope of `fe[x]` is constant, or that of `fe[[x]]` is zero, to within reghdfe's 1e-6. */
function degenerateSlopeLevels(fe: FixedEffect): number {
  const x = fe.slope as Float64Array;
  const G = fe.nlevels;
  const lo = new Float64Array(G).fill(Number.POSITIVE_INFINITY);
  const hi = new Float64Array(G).fill(Number.NEGATIVE_INFINITY);
  const d = fe.ids;
  for (let i = 0; i < d.length; i++) {
    const g = d[i] as number;
    const v = x[i] as number;
    if (v < (lo[g] as number)) lo[g] = v;
    if (v > (hi[g] as number)) hi[g] = v;
  }
  const withIntercept = hasIntercept(fe);
  let count = 0;
  for (let g = 0; g < G; g++) {
    const a = lo[g] as number;
    const b = hi[g] as number;
    const spread = withIntercept ? b - a : Math.abs(a) + Math.abs(b);
    if (spread <= REGHDFE_SLOPE_TOL) count++;
  }
  return count;
}
