/**
 * Group-wise statistics broadcast back to the rows (derive steps): quantiles and the median, winsorising,
 * quantile splits (median split = 2 groups), standardising, and group means, sums, counts.
 *
 * Conventions:
 *   - Groups are the distinct combinations of the `within` columns; a row with a missing group value gets a
 *     missing result, as does a row whose own value is missing (it also does not count in its group).
 *   - Quantiles follow R's quantile(x, p, type) exactly for all nine types of Hyndman and Fan (1996); type 7
 *     (R's default) is (1 - h) x[lo] + h x[hi] with index 1 + (n - 1) p, lo = floor(index), h = index - lo
 *     (R's stats/R/quantile.R, including its type-7 branch and the 4 * .Machine$double.eps fuzz of the others).
 *   - Winsorising at (p_lo, p_hi) replaces values below the p_lo quantile by it and above the p_hi quantile by
 *     it (DescTools::Winsorize with the same quantile type).
 *   - A split into q quantile groups gives 1 + the number of cut points strictly below x, the cut points being
 *     the quantiles at 1/q, ..., (q-1)/q: right-closed bins as cut(x, c(-Inf, cuts, Inf), labels = FALSE);
 *     q = 2 is the median split (1: x <= median, 2: x > median).
 *   - Standardising: (x - group mean) / group SD with the n - 1 divisor; weighted: weighted mean and
 *     sum w (x - m)^2 / (sum w - 1) (Stata's aweights in `egen std` are unweighted; this is the frequency-weight
 *     variance); a group with SD 0 or one value gives missing.
 */
import { dataError, usageError } from "../../errors.js";
import { type Column, MISSING_CODE } from "../table.js";

/** Group index of each row (-1 where a group column is missing) and the number of groups. */
export function groupIndex(columns: readonly Column[], n: number): { groups: Int32Array; count: number } {
  const groups = new Int32Array(n);
  if (columns.length === 0) return { groups, count: n > 0 ? 1 : 0 };
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    let key = "";
    let missing = false;
    for (const column of columns) {
      if (column.kind === "number") {
        const v = column.values[i] as number;
        if (Number.isNaN(v)) missing = true;
        key += `${v}\u0000`;
      } else {
        const c = column.codes[i] as number;
        if (c === MISSING_CODE) missing = true;
        key += `${c}\u0000`;
      }
    }
    if (missing) {
      groups[i] = -1;
      continue;
    }
    let g = index.get(key);
    if (g === undefined) {
      g = index.size;
      index.set(key, g);
    }
    groups[i] = g;
  }
  return { groups, count: index.size };
}

/** Non-missing values of each group, sorted ascending. */
function sortedByGroup(x: Float64Array, groups: Int32Array, count: number): Float64Array[] {
  const sizes = new Int32Array(count);
  for (let i = 0; i < x.length; i++) {
    const g = groups[i] as number;
    if (g >= 0 && !Number.isNaN(x[i] as number)) sizes[g] = (sizes[g] as number) + 1;
  }
  const out = Array.from(sizes, (s) => new Float64Array(s));
  const fill = new Int32Array(count);
  for (let i = 0; i < x.length; i++) {
    const g = groups[i] as number;
    if (g < 0 || Number.isNaN(x[i] as number)) continue;
    (out[g] as Float64Array)[fill[g] as number] = x[i] as number;
    fill[g] = (fill[g] as number) + 1;
  }
  for (const values of out) values.sort();
  return out;
}

const FUZZ = 4 * Number.EPSILON;

/** R's quantile(x, p, type) of sorted values `x` (no missing values), for one probability. */
export function quantileSorted(x: Float64Array, p: number, type = 7): number {
  const n = x.length;
  if (!(p >= 0 && p <= 1)) throw usageError(`quantile: the probability must be between 0 and 1, found ${p}`);
  if (!Number.isInteger(type) || type < 1 || type > 9)
    throw usageError(`quantile: type must be 1 to 9, found ${type}`);
  if (n === 0) return Number.NaN;
  const at = (k: number) => x[Math.min(Math.max(k, 1), n) - 1] as number; // 1-based, clamped as R pads x
  if (type === 7) {
    const index = 1 + (n - 1) * p;
    const lo = Math.floor(index);
    const hi = Math.ceil(index);
    const qlo = at(lo);
    const h = index - lo;
    return index > lo && at(hi) !== qlo ? (1 - h) * qlo + h * at(hi) : qlo;
  }
  let j: number;
  let h: number;
  if (type <= 3) {
    const nppm = type === 3 ? n * p - 0.5 : n * p;
    j = Math.floor(nppm + FUZZ);
    if (type === 1) h = nppm > j ? 1 : 0;
    else if (type === 2) h = ((nppm > j ? 1 : 0) + 1) / 2;
    else h = nppm !== j || j % 2 === 1 ? 1 : 0;
  } else {
    const [a, b] = [
      [0, 1],
      [0.5, 0.5],
      [0, 0],
      [1, 1],
      [1 / 3, 1 / 3],
      [3 / 8, 3 / 8],
    ][type - 4] as [number, number];
    const nppm = a + p * (n + 1 - a - b);
    j = Math.floor(nppm + FUZZ);
    h = nppm - j;
    if (Math.abs(h) < FUZZ) h = 0;
  }
  // R pads x as c(x[1], x[1], x, x[n], x[n]) and reads x[j + 2] and x[j + 3]: original positions j and j + 1.
  const low = at(j);
  const high = at(j + 1);
  if (h === 1) return high;
  if (h > 0 && h < 1 && low !== high) return (1 - h) * low + h * high;
  return low;
}

function requireNumbers(column: Column, what: string): Float64Array {
  if (column.kind !== "number") throw dataError(`${what}: '${column.name}' is text, expected numbers`);
  return column.values;
}

/** Each row's group quantile of x. */
export function groupQuantile(
  x: Float64Array,
  groups: Int32Array,
  count: number,
  p: number,
  type = 7,
): Float64Array {
  const sorted = sortedByGroup(x, groups, count);
  const q = sorted.map((values) => quantileSorted(values, p, type));
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const g = groups[i] as number;
    out[i] = g < 0 || Number.isNaN(x[i] as number) ? Number.NaN : (q[g] as number);
  }
  return out;
}

export function winsorize(
  x: Float64Array,
  groups: Int32Array,
  count: number,
  pLow: number,
  pHigh: number,
  type = 7,
): Float64Array {
  if (!(pLow <= pHigh))
    throw usageError(`winsorize: the lower probability ${pLow} is above the upper ${pHigh}`);
  const sorted = sortedByGroup(x, groups, count);
  const lo = sorted.map((values) => quantileSorted(values, pLow, type));
  const hi = sorted.map((values) => quantileSorted(values, pHigh, type));
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const g = groups[i] as number;
    const v = x[i] as number;
    if (g < 0 || Number.isNaN(v)) out[i] = Number.NaN;
    else out[i] = Math.min(Math.max(v, lo[g] as number), hi[g] as number);
  }
  return out;
}

export function quantileSplit(
  x: Float64Array,
  groups: Int32Array,
  count: number,
  q: number,
  type = 7,
): Float64Array {
  if (!Number.isInteger(q) || q < 2)
    throw usageError(`split: quantiles must be a whole number >= 2, found ${q}`);
  const sorted = sortedByGroup(x, groups, count);
  const cuts = sorted.map((values) =>
    Array.from({ length: q - 1 }, (_, k) => quantileSorted(values, (k + 1) / q, type)),
  );
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const g = groups[i] as number;
    const v = x[i] as number;
    if (g < 0 || Number.isNaN(v)) {
      out[i] = Number.NaN;
      continue;
    }
    let bin = 1;
    for (const c of cuts[g] as number[]) if (v > c) bin++;
    out[i] = bin;
  }
  return out;
}

export type GroupSummary = "mean" | "sum" | "min" | "max" | "sd" | "n";

/** Each row's group mean, sum, min, max, SD (n - 1) or count of non-missing values (weighted mean with w). */
export function groupSummary(
  x: Float64Array,
  groups: Int32Array,
  count: number,
  stat: GroupSummary,
  weight?: Float64Array,
): Float64Array {
  const sw = new Float64Array(count);
  const swx = new Float64Array(count);
  const min = new Float64Array(count).fill(Number.POSITIVE_INFINITY);
  const max = new Float64Array(count).fill(Number.NEGATIVE_INFINITY);
  const nobs = new Float64Array(count);
  const valid = (i: number) =>
    (groups[i] as number) >= 0 &&
    !Number.isNaN(x[i] as number) &&
    (weight === undefined || (weight[i] as number) >= 0);
  const w = (i: number) => (weight === undefined ? 1 : (weight[i] as number));
  for (let i = 0; i < x.length; i++) {
    if (!valid(i)) continue;
    const g = groups[i] as number;
    const v = x[i] as number;
    sw[g] = (sw[g] as number) + w(i);
    swx[g] = (swx[g] as number) + w(i) * v;
    nobs[g] = (nobs[g] as number) + 1;
    if (v < (min[g] as number)) min[g] = v;
    if (v > (max[g] as number)) max[g] = v;
  }
  let ss: Float64Array | undefined;
  if (stat === "sd") {
    ss = new Float64Array(count);
    for (let i = 0; i < x.length; i++) {
      if (!valid(i)) continue;
      const g = groups[i] as number;
      const d = (x[i] as number) - (swx[g] as number) / (sw[g] as number);
      ss[g] = (ss[g] as number) + w(i) * d * d;
    }
  }
  const value = (g: number): number => {
    switch (stat) {
      case "mean":
        return (sw[g] as number) > 0 ? (swx[g] as number) / (sw[g] as number) : Number.NaN;
      case "sum":
        return (nobs[g] as number) > 0 ? (swx[g] as number) : Number.NaN;
      case "min":
        return (nobs[g] as number) > 0 ? (min[g] as number) : Number.NaN;
      case "max":
        return (nobs[g] as number) > 0 ? (max[g] as number) : Number.NaN;
      case "n":
        return nobs[g] as number;
      case "sd":
        return (sw[g] as number) > 1 ? Math.sqrt((ss?.[g] as number) / ((sw[g] as number) - 1)) : Number.NaN;
    }
  };
  const perGroup = Float64Array.from({ length: count }, (_, g) => value(g));
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const g = groups[i] as number;
    // A group count is defined for every row of the group; the other statistics only where x is present.
    if (g < 0) out[i] = Number.NaN;
    else if (stat !== "n" && Number.isNaN(x[i] as number)) out[i] = Number.NaN;
    else out[i] = perGroup[g] as number;
  }
  return out;
}

/** (x - group mean) / group SD (see the module comment). */
export function standardizeWithin(
  x: Float64Array,
  groups: Int32Array,
  count: number,
  weight?: Float64Array,
): Float64Array {
  const mean = groupSummary(x, groups, count, "mean", weight);
  const sd = groupSummary(x, groups, count, "sd", weight);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const s = sd[i] as number;
    const valid = weight === undefined || (weight[i] as number) >= 0;
    out[i] = valid && s > 0 ? ((x[i] as number) - (mean[i] as number)) / s : Number.NaN;
  }
  return out;
}

export { requireNumbers };
