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
 * unique (the union of two such subsets is again one), so the order in which rows are examined does not matter:
 * we sweep the rows in order, dropping a row as soon as one of its levels has count 1 and decrementing the counts
 * of its other levels at once, and sweep again until a sweep drops nothing.
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
  /** Sweeps over the rows, the last of which dropped nothing. */
  readonly sweeps: number;
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
  if (active.length === 0) return { keep: out, dropped: 0, sweeps: 0 };

  const Q = active.length;
  const ids = active.map((fe) => fe.ids);
  const counts = active.map((fe) => new Int32Array(fe.nlevels));
  for (let q = 0; q < Q; q++) {
    const d = ids[q] as Int32Array;
    const c = counts[q] as Int32Array;
    if (d.length !== n)
      throw estimationError(`internal: fixed effect ${active[q]?.name} has ${d.length} rows, expected ${n}`);
    for (let i = 0; i < n; i++) {
      if (out[i] === 0) continue;
      const g = d[i] as number;
      if (g < 0)
        throw estimationError(`internal: fixed effect ${active[q]?.name} has a missing id on a kept row`);
      c[g] = (c[g] as number) + 1;
    }
  }

  let dropped = 0;
  let sweeps = 0;
  for (;;) {
    sweeps++;
    let droppedNow = 0;
    for (let i = 0; i < n; i++) {
      if (out[i] === 0) continue;
      let single = false;
      for (let q = 0; q < Q; q++) {
        if ((counts[q] as Int32Array)[(ids[q] as Int32Array)[i] as number] === 1) {
          single = true;
          break;
        }
      }
      if (!single) continue;
      out[i] = 0;
      droppedNow++;
      for (let q = 0; q < Q; q++) {
        const c = counts[q] as Int32Array;
        const g = (ids[q] as Int32Array)[i] as number;
        c[g] = (c[g] as number) - 1;
      }
    }
    dropped += droppedNow;
    if (droppedNow === 0) break;
  }
  return { keep: out, dropped, sweeps };
}
