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
  if (active.length === 0) return { keep: out, dropped: 0 };

  const Q = active.length;
  const ids = active.map((fe) => fe.ids);
  const counts = active.map((fe) => new Int32Array(fe.nlevels));
  const xors = active.map((fe) => new Int32Array(fe.nlevels));
  for (let q = 0; q < Q; q++) {
    const d = ids[q] as Int32Array;
    const c = counts[q] as Int32Array;
    const x = xors[q] as Int32Array;
    if (d.length !== n)
      throw estimationError(`internal: fixed effect ${active[q]?.name} has ${d.length} rows, expected ${n}`);
    for (let i = 0; i < n; i++) {
      if (out[i] === 0) continue;
      const g = d[i] as number;
      if (g < 0)
        throw estimationError(`internal: fixed effect ${active[q]?.name} has a missing id on a kept row`);
      c[g] = (c[g] as number) + 1;
      x[g] = (x[g] as number) ^ i;
    }
  }

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
    if ((counts[q] as Int32Array)[g] !== 1) continue;
    const row = (xors[q] as Int32Array)[g] as number;
    out[row] = 0;
    dropped++;
    for (let r = 0; r < Q; r++) {
      const h = (ids[r] as Int32Array)[row] as number;
      const c = counts[r] as Int32Array;
      const left = (c[h] as number) - 1;
      c[h] = left;
      (xors[r] as Int32Array)[h] = ((xors[r] as Int32Array)[h] as number) ^ row;
      if (left === 1) {
        workFe.push(r);
        workLevel.push(h);
      }
    }
  }
  return { keep: out, dropped };
}
