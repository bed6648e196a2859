/**
 * Singleton observations: rows alone in their level of some fixed effect.
 *
 * Such a row is fitted exactly by its own FE coefficient, so it carries no information on the slopes, but it still
 * counts in n, which shrinks standard errors (Correia 2015, "Singletons, cluster-robust standard errors and fixed
 * effects: a bad mix"). Dropping one can turn another row into a singleton in a different FE, so the rule is
 * iterative: drop, recount, repeat until no level of any FE has exactly one row (reghdfe's default; fixest's
 * `fixef.rm = "singleton"`). fixest's own default keeps them; the estimator decides, this module only computes.
 *
 * The result is the largest subset of rows in which every FE level present has at least two rows. That set is
 * unique (the union of two such subsets is again one), so the order in which rows are dropped does not matter.
 *
 * One pass over the rows, then work proportional to the singletons only: per level we keep the number of kept
 * rows and the XOR of their row indices, so a level whose count is 1 names its last row directly (the XOR of a
 * single index is that index). Levels with count 1 go on a work list; dropping a row decrements (and un-XORs) its
 * levels in every FE, which may put them on the list in turn. Repeated sweeps over all rows, the obvious
 * alternative, cost a pass over 10 million rows per round of the cascade.
 *
 * Slope-only FEs (`fe[[x]]`) have no per-level intercept and do not define singletons (fixest ignores them too).
 */
import { estimationError } from "../errors.js";
import { type FixedEffect, hasIntercept } from "./fixedEffects.js";

export interface SingletonResult {
  /** 1 = keep the row, 0 = singleton (or already excluded by the input mask). */
  readonly keep: Uint8Array;
  /** Rows dropped as singletons (not counting rows excluded by the input mask). */
  readonly dropped: number;
  /**
   * Rows per level of each FE in `fes` on the rows kept by the input mask, before any singleton is dropped
   * (undefined for slope-only FEs). The absorber reuses them as level weights when nothing is dropped.
   */
  readonly levelCounts: (Int32Array | undefined)[];
}

/**
 * Iteratively finds singleton rows across all FE dimensions. `keep` (optional) excludes rows beforehand (e.g.
 * rows with missing values); rows with a missing FE id must be excluded by it.
 */
export function findSingletons(fes: readonly FixedEffect[], keep?: Uint8Array): SingletonResult {
  const active = fes.filter(hasIntercept);
  const first = fes[0];
  const n = keep?.length ?? first?.ids.length ?? 0;
  const out = keep ? keep.slice() : new Uint8Array(n).fill(1);
  if (active.length === 0) return { keep: out, dropped: 0, levelCounts: fes.map(() => undefined) };

  const Q = active.length;
  const ids = active.map((fe) => fe.ids);
  // Per level, interleaved: [2g] rows kept, [2g + 1] XOR of their indices (one cache line per row and FE).
  const cx = active.map((fe) => new Int32Array(2 * fe.nlevels));
  for (let q = 0; q < Q; q++) {
    const d = ids[q] as Int32Array;
    const c = cx[q] as Int32Array;
    if (d.length !== n)
      throw estimationError(`internal: fixed effect ${active[q]?.name} has ${d.length} rows, expected ${n}`);
    for (let i = 0; i < n; i++) {
      if (out[i] === 0) continue;
      const at = 2 * (d[i] as number);
      if (at < 0)
        throw estimationError(`internal: fixed effect ${active[q]?.name} has a missing id on a kept row`);
      c[at] = (c[at] as number) + 1;
      c[at + 1] = (c[at + 1] as number) ^ i;
    }
  }
  const counts = cx.map((c) => {
    const k = new Int32Array(c.length / 2);
    for (let g = 0; g < k.length; g++) k[g] = c[2 * g] as number;
    return k;
  });
  let r = 0;
  const levelCounts = fes.map((fe) => (hasIntercept(fe) ? counts[r++] : undefined));

  // Work list of (FE, level) pairs with one kept row.
  const workFe: number[] = [];
  const workLevel: number[] = [];
  for (let q = 0; q < Q; q++) {
    const c = counts[q] as Int32Array;
    for (let g = 0; g < c.length; g++) {
      if (c[g] === 1) {
        workFe.push(q);
        workLevel.push(g);
      }
    }
  }
  let dropped = 0;
  while (workFe.length > 0) {
    const q = workFe.pop() as number;
    const g = workLevel.pop() as number;
    // The level may have lost its last row since it was listed.
    const cq = cx[q] as Int32Array;
    if (cq[2 * g] !== 1) continue;
    const row = cq[2 * g + 1] as number;
    out[row] = 0;
    dropped++;
    for (let t = 0; t < Q; t++) {
      const at = 2 * ((ids[t] as Int32Array)[row] as number);
      const c = cx[t] as Int32Array;
      const left = (c[at] as number) - 1;
      c[at] = left;
      c[at + 1] = (c[at + 1] as number) ^ row;
      if (left === 1) {
        workFe.push(t);
        workLevel.push(at / 2);
      }
    }
  }
  return { keep: out, dropped, levelCounts };
}
