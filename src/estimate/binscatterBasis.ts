/**
 * The binning of a binned scatter plot, as R's binsreg builds it (Cattaneo, Crump, Farrell and Feng 2024, "On
 * Binscatter", AER 114(5); package binsreg, file R/binsreg_functions.R): quantile-spaced knots, the bin of each
 * observation, evaluation grids within bins, and the piecewise-polynomial (B-spline) basis of degree p with s
 * smoothness constraints at the knots. Only what binsreg's default dots (p = 0, s = 0), intervals and bands
 * ((1, 1) splines) and its bin selector (the (1, 1) spline and its first derivative) use is implemented.
 */

/**
 * R's quantile(x, probs, type = 2) of sorted values (R 4.2 stats:::quantile.default): with nppm = n p and
 * j = floor(nppm), the j-th order statistic when nppm is an integer averaged with the next one, else the next one
 * (order statistics padded with the minimum below and the maximum above).
 */
export function quantileType2(sorted: Float64Array, prob: number): number {
  const n = sorted.length;
  const p = Math.max(0, Math.min(1, prob));
  const nppm = n * p;
  const j = Math.floor(nppm);
  const at = (k: number) => sorted[Math.min(Math.max(k, 1), n) - 1] as number; // 1-based, padded
  const lo = at(j);
  if (nppm > j) return at(j + 1);
  const hi = at(j + 1);
  return lo === hi ? lo : 0.5 * lo + 0.5 * hi;
}

/** R's seq(0, 1, 1/J): k * (1/J), capped at 1 (seq.default's `pmin(from + (0:n) * by, to)`). */
export function binProbabilities(nbins: number): number[] {
  const by = 1 / nbins;
  return Array.from({ length: nbins + 1 }, (_, k) => Math.min(k * by, 1));
}

/**
 * binsreg's quantile-spaced knots (genKnot.qs: quantile type 2 at 0, 1/J, ..., 1) with repeated inner knots
 * removed as binsreg does (`c(knot[1], unique(knot[-1]))`, so a mass point can merge bins).
 */
export function quantileKnots(x: Float64Array, nbins: number): number[] {
  const sorted = Float64Array.from(x).sort();
  const raw = binProbabilities(nbins).map((p) => quantileType2(sorted, p));
  const knots = [raw[0] as number];
  const seen = new Set<number>();
  for (const k of raw.slice(1)) {
    if (seen.has(k)) continue;
    seen.add(k);
    knots.push(k);
  }
  return knots;
}

/**
 * The bin (1-based) of each value: findInterval(x, knots, rightmost.closed = TRUE, left.open = TRUE), i.e. bins
 * (k_{j-1}, k_j] with the first one closed on the left. Values outside [k_0, k_J] get 0 or J + 1.
 */
export function binIndex(values: ArrayLike<number>, knots: readonly number[]): Int32Array {
  const out = new Int32Array(values.length);
  const J = knots.length - 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < (knots[0] as number)) {
      out[i] = 0;
      continue;
    }
    if (v > (knots[J] as number)) {
      out[i] = J + 1;
      continue;
    }
    // smallest j with v <= knots[j] (j >= 1): binary search
    let lo = 1;
    let hi = J;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v <= (knots[mid] as number)) hi = mid;
      else lo = mid + 1;
    }
    out[i] = lo;
  }
  return out;
}

export interface GridPoint {
  x: number;
  bin: number;
  /** An inner knot (the right end of its bin). */
  isKnot: boolean;
}

/**
 * binsreg.grid(knot, ngrid, addmore = TRUE): `ngrid` evenly spaced points inside each bin and every inner knot,
 * as the cumulative sum binsreg forms (so the values are bit-for-bit R's). An inner knot belongs to the bin on its
 * left.
 */
export function binGrid(knots: readonly number[], ngrid: number): GridPoint[] {
  const J = knots.length - 1;
  const out: GridPoint[] = [];
  let acc = knots[0] as number;
  for (let j = 1; j <= J; j++) {
    const step = ((knots[j] as number) - (knots[j - 1] as number)) / (ngrid + 1);
    for (let m = 1; m <= ngrid + 1; m++) {
      acc += step;
      if (m <= ngrid) out.push({ x: acc, bin: j, isKnot: false });
      else if (j < J) out.push({ x: acc, bin: j, isKnot: true });
    }
  }
  return out;
}

/** Number of basis functions of a degree-p spline with s constraints on `nbins` bins. */
export function basisSize(p: number, s: number, nbins: number): number {
  return (p - s + 1) * (nbins - 1) + p + 1;
}

/**
 * Rows of binsreg.spdes(eval, p, s, knot, deriv): the B-spline basis (or its derivative) at each value, as a
 * row-major Float64Array of values.length x basisSize. `bins` gives each value's bin (binIndex of the values, or
 * binsreg's own positions). Implemented: (p, s) = (0, 0) piecewise constant; (1, 0) piecewise linear; (1, 1)
 * continuous piecewise linear (hat functions); deriv 0 or 1.
 */
export function splineBasis(
  values: ArrayLike<number>,
  bins: Int32Array,
  knots: readonly number[],
  p: number,
  s: number,
  deriv: number,
): Float64Array {
  const J = knots.length - 1;
  const k = basisSize(p, s, J);
  const n = values.length;
  const out = new Float64Array(n * k);
  if (p === 0 && s === 0) {
    if (deriv === 0) for (let i = 0; i < n; i++) out[i * k + (bins[i] as number) - 1] = 1;
    return out;
  }
  if (p === 1 && (s === 0 || s === 1) && (deriv === 0 || deriv === 1)) {
    for (let i = 0; i < n; i++) {
      const pos = bins[i] as number;
      const left = knots[pos - 1] as number;
      const h = (knots[pos] as number) - left;
      const w = ((values[i] as number) - left) / h;
      const a = deriv === 0 ? 1 - w : -1 / h;
      const b = deriv === 0 ? w : 1 / h;
      const base = s === 1 ? pos - 1 : 2 * pos - 2; // 0-based column of the left function
      out[i * k + base] = a;
      out[i * k + base + 1] = b;
    }
    return out;
  }
  throw new Error(`internal: spline basis (p = ${p}, s = ${s}, deriv = ${deriv}) is not implemented`);
}
