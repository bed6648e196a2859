/**
 * Bootstrap p-values and confidence intervals by test inversion, from bootstrap t statistics.
 *
 * Counting rule (fwildclusterboot 0.14.3, R/get_bootstrap_pvalue.R): strict inequalities over the valid draws,
 *   symmetric      p = #{b : |t*_b| > |t|} / B
 *   equal-tailed   p = 2 min(#{t*_b > t}, #{t*_b < t}) / B
 * A draw whose variance estimate is negative (possible with multi-way clustering) has no t*_b and is left out of
 * B, as fwildclusterboot drops NaN statistics. Exact ties exist: under WCR a constant weight vector v = c 1 gives
 * y* = X b_r + c u_r and t* = sign(c) t (the draws v = +-1 of a Rademacher enumeration, the six constant draws of a
 * Webb one). Computed, such a t* equals t only up to rounding, which would then decide whether it counts; here a
 * statistic within TIE_TOLERANCE (relative) of t counts as equal, hence not counted, as in exact arithmetic
 * (fwildclusterboot computes the v = +-1 draws bit for bit equal to +-t, with the same result).
 *
 * Confidence interval: the set of null values r whose test is not rejected at level 1 - alpha, found as Roodman
 * et al. (2019, section 3.5) and fwildclusterboot's invert_p_val do by root finding on p(r) - alpha, each side of
 * the estimate separately. With the draws held fixed, p(r) is a step function; its crossing of alpha is bracketed
 * by doubling the distance from the estimate (in units of the standard error) and then located by bisection to
 * machine precision (fwildclusterboot: a 26-point grid then uniroot with tol = 1e-6, so its bounds agree with
 * these to about 1e-6).
 */

export type PValueKind = "symmetric" | "equal-tailed";

export interface PValues {
  symmetric: number;
  equalTailed: number;
  /** Draws with a statistic (the denominator of both p-values). */
  valid: number;
}

/** Relative distance below which a bootstrap statistic counts as equal to the original one (see above). */
export const TIE_TOLERANCE = 1e-12;

export function bootstrapPValues(t: number, tStar: Float64Array): PValues {
  let valid = 0;
  let beyond = 0;
  let above = 0;
  let below = 0;
  const at = Math.abs(t);
  const tie = TIE_TOLERANCE * at;
  for (let b = 0; b < tStar.length; b++) {
    const s = tStar[b] as number;
    if (Number.isNaN(s)) continue;
    valid++;
    if (Math.abs(s) - at > tie) beyond++;
    if (s - t > tie) above++;
    else if (t - s > tie) below++;
  }
  return {
    symmetric: beyond / valid,
    equalTailed: (2 * Math.min(above, below)) / valid,
    valid,
  };
}

/**
 * The interval {r : p(r) > alpha} around `estimate`, each bound located to machine precision. `pAt(r)` must hold
 * the bootstrap draws fixed. Returns NaN for a side whose crossing could not be bracketed within 2^60 standard
 * errors (a p-value that never falls below alpha, e.g. with too few distinct draws).
 */
export function invertPValue(
  pAt: (r: number) => number,
  estimate: number,
  scale: number,
  alpha: number,
  /** Stop the bisection when the bracket is narrower than this many `scale`s (0: to machine precision). */
  tolerance = 0,
): [number, number] {
  const step = Number.isFinite(scale) && scale > 0 ? scale : Math.max(Math.abs(estimate), 1);
  const side = (direction: 1 | -1): number => {
    let inside = estimate;
    if (!(pAt(inside) > alpha)) return Number.NaN;
    let outside = Number.NaN;
    for (let m = 1; m <= 2 ** 60; m *= 2) {
      const r = estimate + direction * m * step;
      if (pAt(r) > alpha) inside = r;
      else {
        outside = r;
        break;
      }
    }
    if (Number.isNaN(outside)) return Number.NaN;
    for (let iter = 0; iter < 200; iter++) {
      const mid = 0.5 * (inside + outside);
      if (mid === inside || mid === outside || Math.abs(outside - inside) <= tolerance * step) break;
      if (pAt(mid) > alpha) inside = mid;
      else outside = mid;
    }
    return 0.5 * (inside + outside);
  };
  return [side(-1), side(1)];
}
