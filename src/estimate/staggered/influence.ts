/**
 * Influence functions of group-time ATTs, stored sparsely. Units are sorted by cohort (csPanel.ts), so the units a
 * (g, t) cell uses -- its treated cohort and its control cohorts -- form at most two contiguous ranges of unit
 * indices. Each column keeps its values on those ranges only (R's did keeps a sparse n x cells matrix too); a cell
 * that could not be estimated is NA (every unit NaN, as in R) and one normalised to zero (universal base period)
 * has no support.
 *
 * Everything downstream needs only: sums of squares (standard errors), inner products between columns (the
 * covariance for the pre-test), sums into a dense n-vector (aggregations), cluster sums, and inner products with
 * bootstrap weights.
 */
import type { InfluenceColumns } from "./multiplierBootstrap.js";

export interface InfluenceColumn {
  /** Pairs [start, end) of unit indices, ascending and disjoint. */
  readonly ranges: Int32Array;
  /** Values on the ranges, concatenated. */
  readonly values: Float64Array;
  /** NA column: every unit is NaN. */
  readonly na: boolean;
}

export const NA_COLUMN: InfluenceColumn = {
  ranges: new Int32Array(0),
  values: new Float64Array(0),
  na: true,
};
export const ZERO_COLUMN: InfluenceColumn = {
  ranges: new Int32Array(0),
  values: new Float64Array(0),
  na: false,
};

export class SparseInfluence {
  readonly columns: InfluenceColumn[] = [];
  constructor(readonly n: number) {}

  push(column: InfluenceColumn): number {
    this.columns.push(column);
    return this.columns.length - 1;
  }

  get count(): number {
    return this.columns.length;
  }

  sumOfSquares(j: number): number {
    const c = this.columns[j] as InfluenceColumn;
    if (c.na) return Number.NaN;
    let s = 0;
    const v = c.values;
    for (let i = 0; i < v.length; i++) s += (v[i] as number) * (v[i] as number);
    return s;
  }

  /** target[i] += coef * psi_j[i]; an NA column makes the target NaN everywhere. */
  addTo(target: Float64Array, j: number, coef: number): void {
    const c = this.columns[j] as InfluenceColumn;
    if (c.na) {
      target.fill(Number.NaN);
      return;
    }
    let p = 0;
    for (let r = 0; r < c.ranges.length; r += 2) {
      const end = c.ranges[r + 1] as number;
      for (let i = c.ranges[r] as number; i < end; i++)
        target[i] = (target[i] as number) + coef * (c.values[p++] as number);
    }
  }

  /** sum_i u[i] psi_j[i] for a dense vector u over units. */
  dotDense(j: number, u: Float64Array): number {
    const c = this.columns[j] as InfluenceColumn;
    if (c.na) return Number.NaN;
    let s = 0;
    let p = 0;
    for (let r = 0; r < c.ranges.length; r += 2) {
      const end = c.ranges[r + 1] as number;
      for (let i = c.ranges[r] as number; i < end; i++) s += (u[i] as number) * (c.values[p++] as number);
    }
    return s;
  }

  /** Inner product of two columns (over the intersection of their supports). */
  dot(a: number, b: number): number {
    const ca = this.columns[a] as InfluenceColumn;
    const cb = this.columns[b] as InfluenceColumn;
    if (ca.na || cb.na) return Number.NaN;
    const offsetsA = offsets(ca);
    const offsetsB = offsets(cb);
    let s = 0;
    for (let ra = 0; ra < ca.ranges.length; ra += 2) {
      const sa = ca.ranges[ra] as number;
      const ea = ca.ranges[ra + 1] as number;
      for (let rb = 0; rb < cb.ranges.length; rb += 2) {
        const lo = Math.max(sa, cb.ranges[rb] as number);
        const hi = Math.min(ea, cb.ranges[rb + 1] as number);
        if (lo >= hi) continue;
        const pa = (offsetsA[ra / 2] as number) + (lo - sa);
        const pb = (offsetsB[rb / 2] as number) + (lo - (cb.ranges[rb] as number));
        for (let i = 0; i < hi - lo; i++) s += (ca.values[pa + i] as number) * (cb.values[pb + i] as number);
      }
    }
    return s;
  }

  /** Cluster sums of column j (cluster ids per unit in 0..G-1). */
  clusterSums(j: number, cluster: Int32Array, G: number): Float64Array {
    const out = new Float64Array(G);
    const c = this.columns[j] as InfluenceColumn;
    if (c.na) return out.fill(Number.NaN);
    let p = 0;
    for (let r = 0; r < c.ranges.length; r += 2) {
      const end = c.ranges[r + 1] as number;
      for (let i = c.ranges[r] as number; i < end; i++) {
        const g = cluster[i] as number;
        out[g] = (out[g] as number) + (c.values[p++] as number);
      }
    }
    return out;
  }

  /** The columns as the bootstrap sees them (rows = units). */
  asBootstrapColumns(): InfluenceColumns {
    return { rows: this.n, count: this.count, dot: (j, u) => this.dotDense(j, u) };
  }
}

function offsets(c: InfluenceColumn): Int32Array {
  const out = new Int32Array(c.ranges.length / 2);
  let p = 0;
  for (let r = 0; r < c.ranges.length; r += 2) {
    out[r / 2] = p;
    p += (c.ranges[r + 1] as number) - (c.ranges[r] as number);
  }
  return out;
}

/** Sum of squares or cluster sum of squares of a dense influence function (the inside of did's getSE). */
export function sumOfSquaresDense(psi: Float64Array, cluster: Int32Array | null, G: number): number {
  if (cluster === null) {
    let s = 0;
    for (let i = 0; i < psi.length; i++) s += (psi[i] as number) * (psi[i] as number);
    return s;
  }
  const sums = clusterSumsDense(psi, cluster, G);
  let s = 0;
  for (let g = 0; g < G; g++) s += (sums[g] as number) * (sums[g] as number);
  return s;
}

export function clusterSumsDense(psi: Float64Array, cluster: Int32Array, G: number): Float64Array {
  const out = new Float64Array(G);
  for (let i = 0; i < psi.length; i++) {
    const g = cluster[i] as number;
    out[g] = (out[g] as number) + (psi[i] as number);
  }
  return out;
}
