import { float64Array, int32Array, isShared, toShared } from "../../numeric/sharedArrays.js";
import type { FixedEffect } from "../fixedEffects.js";
import { accelerate } from "./acceleration.js";
import type { Engine, PhaseResult, Settings } from "./driver.js";
import { inverseLevelWeights, sortBySize } from "./levels.js";
// ---------------------------------------------------------------------------------------------------------------
// Cross-tabulation engine (plain FEs).

/** Sparse cross-tabulation of two FEs: rows = levels of the larger, entries = levels of the smaller. */
export interface CrossTab {
  start: Int32Array;
  col: Int32Array;
  /** Sum of weights per pair; undefined when every pair has weight exactly 1 (unweighted, no repeated pair). */
  w: Float64Array | undefined;
  /** Each row's entry (pair) index, kept when the engine will be re-weighted (see CrossEngine.reweighted). */
  rowEntry?: Int32Array;
}

/** Everything a CrossEngine holds, as plain data (a worker thread rebuilds the engine from it). */
export interface CrossState {
  kind: "cross";
  n: number;
  weights: Float64Array | undefined;
  order: number[];
  ids: Int32Array[];
  G: number[];
  /** 1 / (sum of weights) per level (0 for a level without weight). */
  invW: Float64Array[];
  /** cross[a][b], a > b: built on first use. */
  cross: (CrossTab | undefined)[][];
  /** Keep each row's entry index in the cross-tabs, so that new weights need one pass per tab, not a rebuild. */
  keepRows?: boolean;
}

export class CrossEngine implements Engine {
  readonly Q: number;
  readonly order: number[];
  private readonly ids: Int32Array[];
  private readonly G: number[];
  private readonly invW: Float64Array[];
  private readonly weights: Float64Array | undefined;
  private readonly n: number;
  private readonly cross: (CrossTab | undefined)[][];
  private readonly keepRows: boolean;

  static create(
    fes: readonly FixedEffect[],
    weights: Float64Array | undefined,
    n: number,
    counts?: readonly (Int32Array | undefined)[],
    keepRows = false,
  ): CrossEngine {
    const order = sortBySize(fes);
    const ids = order.map((o) => (fes[o] as FixedEffect).ids);
    const G = order.map((o) => (fes[o] as FixedEffect).nlevels);
    const levelWeights = (t: number): Float64Array => {
      const c = counts?.[order[t] as number];
      if (c === undefined || c.length !== G[t])
        return inverseLevelWeights(ids[t] as Int32Array, G[t] as number, weights);
      const inv = new Float64Array(c.length);
      for (let g = 0; g < c.length; g++) inv[g] = (c[g] as number) > 0 ? 1 / (c[g] as number) : 0;
      return inv;
    };
    return new CrossEngine({
      kind: "cross",
      n,
      weights,
      order,
      ids,
      G,
      invW: ids.map((_, t) => levelWeights(t)),
      cross: Array.from({ length: fes.length }, () => new Array<CrossTab | undefined>(fes.length)),
      keepRows,
    });
  }

  /**
   * The same fixed effects with new row weights (Poisson's IRLS weights change every step): the cross-tabs'
   * structure is kept and only their weights are summed again, one pass over the rows per tab, using each row's
   * entry index (kept when the engine was created with `keepRows`). Tabs without it are rebuilt on first use.
   */
  reweighted(weights: Float64Array): CrossEngine {
    const cross = this.cross.map((row) =>
      row.map((ct) => {
        if (ct?.rowEntry === undefined) return undefined;
        const w = new Float64Array(ct.col.length);
        const entry = ct.rowEntry;
        for (let i = 0; i < entry.length; i++) {
          const q = entry[i] as number;
          w[q] = (w[q] as number) + (weights[i] as number);
        }
        return { start: ct.start, col: ct.col, w, rowEntry: entry };
      }),
    );
    return new CrossEngine({
      kind: "cross",
      n: this.n,
      weights,
      order: this.order,
      ids: this.ids,
      G: this.G,
      invW: this.ids.map((ids, t) => inverseLevelWeights(ids, this.G[t] as number, weights)),
      cross,
      keepRows: true,
    });
  }

  constructor(state: CrossState) {
    this.n = state.n;
    this.weights = state.weights;
    this.order = state.order;
    this.Q = state.order.length;
    this.ids = state.ids;
    this.G = state.G;
    this.invW = state.invW;
    this.cross = Array.from({ length: this.Q }, (_, a) =>
      Array.from({ length: this.Q }, (_, b) => state.cross[a]?.[b]),
    );
    this.keepRows = state.keepRows === true;
  }

  /**
   * Called (once) when a cross-tab is needed and missing: in the parallel path, waits for the worker that builds
   * them and installs them (see `demeanParallel`); if it installs nothing, the tab is built here.
   */
  awaitCrossTabs: (() => void) | undefined;

  /**
   * The engine's data for a worker: the FE ids and weights copied once into SharedArrayBuffers, per-level arrays
   * (cloned), and the cross-tabs already built in shared memory (the worker builds the others).
   */
  share(): CrossState {
    const cross = this.cross.map((row) => row.map((ct) => (ct && isShared(ct.col) ? ct : undefined)));
    return {
      kind: "cross",
      n: this.n,
      weights: this.weights ? toShared(this.weights) : undefined,
      order: this.order,
      ids: this.ids.map(toShared),
      G: this.G,
      invW: this.invW,
      cross,
    };
  }

  /** Whether every cross-tab a phase may need (all pairs) is built. */
  hasCrossTabs(): boolean {
    for (let a = 1; a < this.Q; a++) for (let b = 0; b < a; b++) if (!this.cross[a]?.[b]) return false;
    return true;
  }

  /** Builds the missing cross-tabs (all pairs) in shared memory; returns them all. */
  buildSharedCrossTabs(): (CrossTab | undefined)[][] {
    for (let a = 1; a < this.Q; a++) {
      const row = this.cross[a] as (CrossTab | undefined)[];
      for (let b = 0; b < a; b++) {
        if (row[b]) continue;
        row[b] = buildCrossTab(
          this.ids[a] as Int32Array,
          this.G[a] as number,
          this.ids[b] as Int32Array,
          this.G[b] as number,
          this.weights,
          true,
        );
      }
    }
    return this.cross;
  }

  /** Installs cross-tabs built elsewhere (a worker), where this engine has none. */
  installCrossTabs(cross: readonly (readonly (CrossTab | undefined)[])[]): void {
    for (let a = 1; a < this.Q; a++) {
      const row = this.cross[a] as (CrossTab | undefined)[];
      for (let b = 0; b < a; b++) if (!row[b]) row[b] = cross[a]?.[b];
    }
  }

  publicLength(t: number): number {
    return this.G[t] as number;
  }

  addPublic(_t: number, internal: Float64Array, out: Float64Array): void {
    for (let g = 0; g < out.length; g++) out[g] = (out[g] as number) + (internal[g] as number);
  }

  single(cols: Float64Array[]): Float64Array[] {
    const d = this.ids[0] as Int32Array;
    const G = this.G[0] as number;
    const invW = this.invW[0] as Float64Array;
    const w = this.weights;
    const n = this.n;
    return cols.map((c) => {
      const mean = new Float64Array(G);
      for (let i = 0; i < n; i++) {
        const g = d[i] as number;
        mean[g] = (mean[g] as number) + (w ? (w[i] as number) * (c[i] as number) : (c[i] as number));
      }
      for (let g = 0; g < G; g++) mean[g] = (mean[g] as number) * (invW[g] as number);
      for (let i = 0; i < n; i++) c[i] = (c[i] as number) - (mean[d[i] as number] as number);
      return mean;
    });
  }

  private crossTab(a: number, b: number): CrossTab {
    const row = this.cross[a] as (CrossTab | undefined)[];
    let ct = row[b];
    if (!ct && this.awaitCrossTabs) {
      const wait = this.awaitCrossTabs;
      this.awaitCrossTabs = undefined;
      wait();
      ct = row[b];
    }
    if (!ct) {
      ct = buildCrossTab(
        this.ids[a] as Int32Array,
        this.G[a] as number,
        this.ids[b] as Int32Array,
        this.G[b] as number,
        this.weights,
        false,
        this.keepRows,
      );
      row[b] = ct;
    }
    return ct;
  }

  phase(
    cols: Float64Array[],
    subset: readonly number[],
    scale: Float64Array,
    s: Settings,
    maxIter: readonly number[],
  ): PhaseResult {
    const K = cols.length;
    const m = subset.length;
    const n = this.n;
    const w = this.weights;
    const G = subset.map((t) => this.G[t] as number);
    const invW = subset.map((t) => this.invW[t] as Float64Array);
    // Right-hand sides: weighted sums of the current residual per level, interleaved [g*K + k].
    const S = G.map((g) => new Float64Array(g * K));
    for (let j = 0; j < m; j++) {
      const d = this.ids[subset[j] as number] as Int32Array;
      const Sj = S[j] as Float64Array;
      if (K === 1) {
        const c = cols[0] as Float64Array;
        for (let i = 0; i < n; i++) {
          const g = d[i] as number;
          Sj[g] = (Sj[g] as number) + (w ? (w[i] as number) * (c[i] as number) : (c[i] as number));
        }
        continue;
      }
      // All columns in one pass: the K sums of a level share a cache line, so a large FE costs one miss per row.
      // Two and three columns unrolled (the same operations as the loop below).
      if (K === 2 || K === 3) {
        const c0 = cols[0] as Float64Array;
        const c1 = cols[1] as Float64Array;
        const c2 = (K === 3 ? cols[2] : cols[1]) as Float64Array;
        for (let i = 0; i < n; i++) {
          const base = (d[i] as number) * K;
          const wi = w ? (w[i] as number) : 1;
          Sj[base] = (Sj[base] as number) + wi * (c0[i] as number);
          Sj[base + 1] = (Sj[base + 1] as number) + wi * (c1[i] as number);
          if (K === 3) Sj[base + 2] = (Sj[base + 2] as number) + wi * (c2[i] as number);
        }
        continue;
      }
      for (let i = 0; i < n; i++) {
        const base = (d[i] as number) * K;
        const wi = w ? (w[i] as number) : 1;
        for (let k = 0; k < K; k++)
          Sj[base + k] = (Sj[base + k] as number) + wi * ((cols[k] as Float64Array)[i] as number);
      }
    }
    if (m === 1) {
      // Closed form (single FE): weighted group means of the residual.
      const inv = invW[0] as Float64Array;
      const S0 = S[0] as Float64Array;
      const coefs = cols.map((_, k) => {
        const a = new Float64Array(G[0] as number);
        for (let g = 0; g < a.length; g++) a[g] = (S0[g * K + k] as number) * (inv[g] as number);
        return [a];
      });
      return { coefs, iterations: new Int32Array(K), converged: new Uint8Array(K).fill(1) };
    }
    // cross[j][l] for l < j (subset positions).
    const cross: CrossTab[][] = [];
    for (let j = 0; j < m; j++) {
      const r: CrossTab[] = [];
      for (let l = 0; l < j; l++) r.push(this.crossTab(subset[j] as number, subset[l] as number));
      cross.push(r);
    }
    return iterateOnCrossTabs(S, G, invW, cross, K, scale, s, maxIter);
  }

  apply(cols: Float64Array[], subset: readonly number[], coefs: Float64Array[][]): void {
    const n = this.n;
    const K = cols.length;
    for (let j = 0; j < subset.length; j++) {
      const d = this.ids[subset[j] as number] as Int32Array;
      const G = this.G[subset[j] as number] as number;
      // The K columns' coefficients of a level side by side: one cache miss per row for all columns (a
      // million-level FE's coefficients do not fit in cache). Each column still subtracts its FEs in order.
      const a = new Float64Array(G * K);
      for (let k = 0; k < K; k++) {
        const src = (coefs[k] as Float64Array[])[j] as Float64Array;
        for (let g = 0; g < G; g++) a[g * K + k] = src[g] as number;
      }
      if (K === 1) {
        const c0 = cols[0] as Float64Array;
        for (let i = 0; i < n; i++) c0[i] = (c0[i] as number) - (a[d[i] as number] as number);
      } else if (K === 2) {
        const c0 = cols[0] as Float64Array;
        const c1 = cols[1] as Float64Array;
        for (let i = 0; i < n; i++) {
          const base = 2 * (d[i] as number);
          c0[i] = (c0[i] as number) - (a[base] as number);
          c1[i] = (c1[i] as number) - (a[base + 1] as number);
        }
      } else {
        for (let i = 0; i < n; i++) {
          const base = K * (d[i] as number);
          for (let k = 0; k < K; k++) {
            const c = cols[k] as Float64Array;
            c[i] = (c[i] as number) - (a[base + k] as number);
          }
        }
      }
    }
  }
}

/**
 * The accelerated iteration of one phase, given what it needs beyond the rows: per FE of the phase (smallest
 * first) the weighted sums of the residual per level, interleaved [g*K + k] (`S`), the number of levels (`G`),
 * 1 / (sum of weights) per level (`invW`), and the cross-tabs cross[j][l], l < j. Returns per column the
 * coefficients per FE. The SQL engine (src/engines/sql/demean.ts) computes S, invW and the cross-tabs in the
 * database and calls this, so both engines iterate with the same code.
 */
export function iterateOnCrossTabs(
  S: readonly Float64Array[],
  G: readonly number[],
  invW: readonly Float64Array[],
  cross: readonly (readonly CrossTab[])[],
  K: number,
  scale: Float64Array,
  s: Settings,
  maxIter: readonly number[],
  /** Called before each sweep (the SQL engine reports their number). */
  onSweep?: () => void,
  /** Called after each convergence check (see `accelerate`). */
  progress?: (iteration: number, criterion: number) => void,
): PhaseResult {
  const m = G.length;
  // The iterated vector X: FEs subset[0..m-2], concatenated, interleaved. The largest FE lives in `big`.
  const offsets: number[] = [];
  let len = 0;
  for (let j = 0; j < m - 1; j++) {
    offsets.push(len);
    len += G[j] as number;
  }
  const big = new Float64Array((G[m - 1] as number) * K);
  const acc = G.map((g, j) => (j < m - 1 ? new Float64Array(g * K) : new Float64Array(0)));
  const sum = new Float64Array(K);
  const coef = new Float64Array(K);

  const sweepGeneric = (x: Float64Array, y: Float64Array) => {
    for (let j = 0; j < m - 1; j++) (acc[j] as Float64Array).fill(0);
    for (let j = m - 1; j >= 0; j--) {
      const Gj = G[j] as number;
      const Sj = S[j] as Float64Array;
      const inv = invW[j] as Float64Array;
      const accj = acc[j] as Float64Array;
      const outArr = j === m - 1 ? big : y;
      const outOff = j === m - 1 ? 0 : (offsets[j] as number) * K;
      const crossj = cross[j] as CrossTab[];
      if (j === 0) {
        // Smallest FE: everything it needs is already in its accumulator.
        for (let g = 0; g < Gj; g++) {
          const iv = inv[g] as number;
          const base = g * K;
          for (let k = 0; k < K; k++)
            outArr[outOff + base + k] = ((Sj[base + k] as number) - (accj[base + k] as number)) * iv;
        }
        continue;
      }
      const last = j === m - 1;
      for (let g = 0; g < Gj; g++) {
        const base = g * K;
        for (let k = 0; k < K; k++)
          sum[k] = (Sj[base + k] as number) - (last ? 0 : (accj[base + k] as number));
        // Gather the smaller FEs at their values from the start of the sweep (x).
        for (let l = 0; l < j; l++) {
          const ct = crossj[l] as CrossTab;
          const st = ct.start;
          const col = ct.col;
          const cw = ct.w;
          const xo = (offsets[l] as number) * K;
          const p1 = st[g + 1] as number;
          const p0 = st[g] as number;
          if (K === 3) {
            // The usual call (y and two regressors) unrolled, as in the two-FE sweep.
            let d0 = 0;
            let d1 = 0;
            let d2 = 0;
            for (let p = p0; p < p1; p++) {
              const h = xo + 3 * (col[p] as number);
              const wp = cw ? (cw[p] as number) : 1;
              d0 += wp * (x[h] as number);
              d1 += wp * (x[h + 1] as number);
              d2 += wp * (x[h + 2] as number);
            }
            sum[0] = (sum[0] as number) - d0;
            sum[1] = (sum[1] as number) - d1;
            sum[2] = (sum[2] as number) - d2;
            continue;
          }
          if (K === 2) {
            // Two columns: the main thread's share of y and two regressors in the parallel path.
            let d0 = 0;
            let d1 = 0;
            for (let p = p0; p < p1; p++) {
              const h = xo + 2 * (col[p] as number);
              const wp = cw ? (cw[p] as number) : 1;
              d0 += wp * (x[h] as number);
              d1 += wp * (x[h + 1] as number);
            }
            sum[0] = (sum[0] as number) - d0;
            sum[1] = (sum[1] as number) - d1;
            continue;
          }
          for (let k = 0; k < K; k++) {
            // Column by column: the row's entries stay in L1, and the inner loop is a plain dot product.
            let dot = 0;
            const xk = xo + k;
            if (cw)
              for (let p = p0; p < p1; p++)
                dot += (cw[p] as number) * (x[xk + (col[p] as number) * K] as number);
            else for (let p = p0; p < p1; p++) dot += x[xk + (col[p] as number) * K] as number;
            sum[k] = (sum[k] as number) - dot;
          }
        }
        const iv = inv[g] as number;
        for (let k = 0; k < K; k++) {
          const v = (sum[k] as number) * iv;
          coef[k] = v;
          outArr[outOff + base + k] = v;
        }
        // Scatter the new coefficient into the smaller FEs' accumulators (rows still in cache).
        for (let l = 0; l < j; l++) {
          const ct = crossj[l] as CrossTab;
          const st = ct.start;
          const col = ct.col;
          const cw = ct.w;
          const accl = acc[l] as Float64Array;
          const p1 = st[g + 1] as number;
          const p0 = st[g] as number;
          if (K === 3) {
            const v0 = coef[0] as number;
            const v1 = coef[1] as number;
            const v2 = coef[2] as number;
            for (let p = p0; p < p1; p++) {
              const h = 3 * (col[p] as number);
              const wp = cw ? (cw[p] as number) : 1;
              accl[h] = (accl[h] as number) + wp * v0;
              accl[h + 1] = (accl[h + 1] as number) + wp * v1;
              accl[h + 2] = (accl[h + 2] as number) + wp * v2;
            }
            continue;
          }
          if (K === 2) {
            const v0 = coef[0] as number;
            const v1 = coef[1] as number;
            for (let p = p0; p < p1; p++) {
              const h = 2 * (col[p] as number);
              const wp = cw ? (cw[p] as number) : 1;
              accl[h] = (accl[h] as number) + wp * v0;
              accl[h + 1] = (accl[h + 1] as number) + wp * v1;
            }
            continue;
          }
          for (let k = 0; k < K; k++) {
            const v = coef[k] as number;
            if (cw)
              for (let p = p0; p < p1; p++) {
                const h = (col[p] as number) * K + k;
                accl[h] = (accl[h] as number) + (cw[p] as number) * v;
              }
            else
              for (let p = p0; p < p1; p++) {
                const h = (col[p] as number) * K + k;
                accl[h] = (accl[h] as number) + v;
              }
          }
        }
      }
    }
  };

  // Two FEs: the same sweep with the loops flattened (most rows of a worker-firm cross-tab hold 1-2 entries, so
  // per-row overhead is what costs). For each row g of the larger FE: its coefficient from the smaller FE's
  // current values, then its contribution to the smaller FE's accumulator; then the smaller FE in one pass.
  const sweepTwo = (x: Float64Array, y: Float64Array) => {
    const ct = (cross[1] as CrossTab[])[0] as CrossTab;
    const st = ct.start;
    const col = ct.col;
    const cw = ct.w;
    const S1 = S[1] as Float64Array;
    const inv1 = invW[1] as Float64Array;
    const acc0 = acc[0] as Float64Array;
    const G1 = G[1] as number;
    acc0.fill(0);
    let p0 = 0;
    for (let g = 0; g < G1; g++) {
      const p1 = st[g + 1] as number;
      const iv = inv1[g] as number;
      for (let k = 0, base = g * K; k < K; k++) {
        let v = S1[base + k] as number;
        if (cw) {
          for (let p = p0; p < p1; p++) v -= (cw[p] as number) * (x[(col[p] as number) * K + k] as number);
          v *= iv;
          for (let p = p0; p < p1; p++) {
            const h = (col[p] as number) * K + k;
            acc0[h] = (acc0[h] as number) + (cw[p] as number) * v;
          }
        } else {
          for (let p = p0; p < p1; p++) v -= x[(col[p] as number) * K + k] as number;
          v *= iv;
          for (let p = p0; p < p1; p++) {
            const h = (col[p] as number) * K + k;
            acc0[h] = (acc0[h] as number) + v;
          }
        }
        big[base + k] = v;
      }
      p0 = p1;
    }
    const S0 = S[0] as Float64Array;
    const inv0 = invW[0] as Float64Array;
    const G0 = G[0] as number;
    for (let g = 0; g < G0; g++) {
      const iv = inv0[g] as number;
      for (let k = 0, base = g * K; k < K; k++)
        y[base + k] = ((S0[base + k] as number) - (acc0[base + k] as number)) * iv;
    }
  };
  // The usual call (y and two regressors, unit weights per pair) unrolled: three accumulators per row instead
  // of three passes over it.
  const sweepTwo3 = (x: Float64Array, y: Float64Array) => {
    const ct = (cross[1] as CrossTab[])[0] as CrossTab;
    const st = ct.start;
    const col = ct.col;
    const cw = ct.w;
    const S1 = S[1] as Float64Array;
    const inv1 = invW[1] as Float64Array;
    const acc0 = acc[0] as Float64Array;
    const G1 = G[1] as number;
    acc0.fill(0);
    let p0 = 0;
    for (let g = 0; g < G1; g++) {
      const p1 = st[g + 1] as number;
      const base = 3 * g;
      let v0 = S1[base] as number;
      let v1 = S1[base + 1] as number;
      let v2 = S1[base + 2] as number;
      if (cw) {
        for (let p = p0; p < p1; p++) {
          const h = 3 * (col[p] as number);
          const wp = cw[p] as number;
          v0 -= wp * (x[h] as number);
          v1 -= wp * (x[h + 1] as number);
          v2 -= wp * (x[h + 2] as number);
        }
      } else {
        for (let p = p0; p < p1; p++) {
          const h = 3 * (col[p] as number);
          v0 -= x[h] as number;
          v1 -= x[h + 1] as number;
          v2 -= x[h + 2] as number;
        }
      }
      const iv = inv1[g] as number;
      v0 *= iv;
      v1 *= iv;
      v2 *= iv;
      big[base] = v0;
      big[base + 1] = v1;
      big[base + 2] = v2;
      if (cw) {
        for (let p = p0; p < p1; p++) {
          const h = 3 * (col[p] as number);
          const wp = cw[p] as number;
          acc0[h] = (acc0[h] as number) + wp * v0;
          acc0[h + 1] = (acc0[h + 1] as number) + wp * v1;
          acc0[h + 2] = (acc0[h + 2] as number) + wp * v2;
        }
      } else {
        for (let p = p0; p < p1; p++) {
          const h = 3 * (col[p] as number);
          acc0[h] = (acc0[h] as number) + v0;
          acc0[h + 1] = (acc0[h + 1] as number) + v1;
          acc0[h + 2] = (acc0[h + 2] as number) + v2;
        }
      }
      p0 = p1;
    }
    const S0 = S[0] as Float64Array;
    const inv0 = invW[0] as Float64Array;
    const n0 = 3 * (G[0] as number);
    for (let e = 0; e < n0; e++)
      y[e] = ((S0[e] as number) - (acc0[e] as number)) * (inv0[(e / 3) | 0] as number);
  };
  // Two columns (how the parallel path splits y and two regressors, or IV's four columns): the same unrolled.
  const sweepTwo2 = (x: Float64Array, y: Float64Array) => {
    const ct = (cross[1] as CrossTab[])[0] as CrossTab;
    const st = ct.start;
    const col = ct.col;
    const cw = ct.w;
    const S1 = S[1] as Float64Array;
    const inv1 = invW[1] as Float64Array;
    const acc0 = acc[0] as Float64Array;
    const G1 = G[1] as number;
    acc0.fill(0);
    let p0 = 0;
    for (let g = 0; g < G1; g++) {
      const p1 = st[g + 1] as number;
      const base = 2 * g;
      let v0 = S1[base] as number;
      let v1 = S1[base + 1] as number;
      if (cw) {
        for (let p = p0; p < p1; p++) {
          const h = 2 * (col[p] as number);
          const wp = cw[p] as number;
          v0 -= wp * (x[h] as number);
          v1 -= wp * (x[h + 1] as number);
        }
      } else {
        for (let p = p0; p < p1; p++) {
          const h = 2 * (col[p] as number);
          v0 -= x[h] as number;
          v1 -= x[h + 1] as number;
        }
      }
      const iv = inv1[g] as number;
      v0 *= iv;
      v1 *= iv;
      big[base] = v0;
      big[base + 1] = v1;
      if (cw) {
        for (let p = p0; p < p1; p++) {
          const h = 2 * (col[p] as number);
          const wp = cw[p] as number;
          acc0[h] = (acc0[h] as number) + wp * v0;
          acc0[h + 1] = (acc0[h + 1] as number) + wp * v1;
        }
      } else {
        for (let p = p0; p < p1; p++) {
          const h = 2 * (col[p] as number);
          acc0[h] = (acc0[h] as number) + v0;
          acc0[h + 1] = (acc0[h + 1] as number) + v1;
        }
      }
      p0 = p1;
    }
    const S0 = S[0] as Float64Array;
    const inv0 = invW[0] as Float64Array;
    const n0 = 2 * (G[0] as number);
    for (let e = 0; e < n0; e++) y[e] = ((S0[e] as number) - (acc0[e] as number)) * (inv0[e >> 1] as number);
  };
  const sweepOnce = m === 2 ? (K === 3 ? sweepTwo3 : K === 2 ? sweepTwo2 : sweepTwo) : sweepGeneric;
  const sweep = onSweep
    ? (x: Float64Array, y: Float64Array) => {
        onSweep();
        sweepOnce(x, y);
      }
    : sweepOnce;

  const coefs: Float64Array[][] = Array.from({ length: K }, () => []);
  const finish = (k: number, y: Float64Array) => {
    const res = coefs[k] as Float64Array[];
    for (let j = 0; j < m; j++) {
      const Gj = G[j] as number;
      const arr = new Float64Array(Gj);
      const src = j === m - 1 ? big : y;
      const off = j === m - 1 ? 0 : (offsets[j] as number) * K;
      for (let g = 0; g < Gj; g++) arr[g] = src[off + g * K + k] as number;
      res[j] = arr;
    }
  };
  const { iterations, converged } = accelerate(sweep, len, K, scale, s, maxIter, finish, progress);
  return { coefs, iterations, converged };
}

/**
 * Cross-tab of FE a (rows) with FE b: rows grouped by counting sort on a, repeated b-levels within a row merged
 * with a marker array over b's levels. Two passes (count, fill) so the arrays are allocated at their final size.
 *
 * When merging saves little (unweighted, distinct pairs > n / 3: nearly orthogonal FEs, as two random
 * classifications of 10 million rows), the tab is the rows themselves in a-order: entries are b's ids with
 * weight 1 each, repeats and all. A sweep then reads 4 bytes per row instead of 12 per distinct pair (id and
 * summed weight), and the merging pass and the weight array are skipped. The sums are the same: a repeated pair
 * contributes its rows one by one instead of their total.
 */
function buildCrossTab(
  da: Int32Array,
  Ga: number,
  db: Int32Array,
  Gb: number,
  weights: Float64Array | undefined,
  shared: boolean,
  keepRows = false,
): CrossTab {
  const n = da.length;
  const rowStart = int32Array(Ga + 1, shared);
  for (let i = 0; i < n; i++)
    rowStart[(da[i] as number) + 1] = (rowStart[(da[i] as number) + 1] as number) + 1;
  for (let g = 0; g < Ga; g++) rowStart[g + 1] = (rowStart[g + 1] as number) + (rowStart[g] as number);
  // b's ids (and the weights) in a-order, placed by the counting sort directly; the passes below are sequential.
  const bs = int32Array(n, shared);
  const ws = weights ? new Float64Array(n) : undefined;
  // With keepRows, the row at each sorted position (to record each row's entry below).
  const rowAt = keepRows ? new Int32Array(n) : undefined;
  const fill = rowStart.slice(0, Ga);
  for (let i = 0; i < n; i++) {
    const g = da[i] as number;
    const p = fill[g] as number;
    bs[p] = db[i] as number;
    if (ws) ws[p] = (weights as Float64Array)[i] as number;
    if (rowAt) rowAt[p] = i;
    fill[g] = p + 1;
  }
  const mark = new Int32Array(Gb).fill(-1);
  const start = int32Array(Ga + 1, shared);
  let nnz = 0;
  for (let g = 0; g < Ga; g++) {
    start[g] = nnz;
    const p1 = rowStart[g + 1] as number;
    for (let p = rowStart[g] as number; p < p1; p++) {
      const h = bs[p] as number;
      if (mark[h] !== g) {
        mark[h] = g;
        nnz++;
      }
    }
  }
  start[Ga] = nnz;
  if (weights === undefined && 3 * nnz > n && !keepRows) return { start: rowStart, col: bs, w: undefined };
  const rowEntry = rowAt ? new Int32Array(n) : undefined;
  const col = int32Array(nnz, shared);
  const needW = weights !== undefined || nnz < n;
  const w = needW ? float64Array(nnz, shared) : undefined;
  mark.fill(-1);
  const pos = new Int32Array(Gb);
  let q = 0;
  for (let g = 0; g < Ga; g++) {
    const p1 = rowStart[g + 1] as number;
    for (let p = rowStart[g] as number; p < p1; p++) {
      const h = bs[p] as number;
      const wi = ws ? (ws[p] as number) : 1;
      if (mark[h] !== g) {
        mark[h] = g;
        pos[h] = q;
        col[q] = h;
        if (w) w[q] = wi;
        if (rowEntry) rowEntry[(rowAt as Int32Array)[p] as number] = q;
        q++;
      } else {
        const at = pos[h] as number;
        if (w) w[at] = (w[at] as number) + wi;
        if (rowEntry) rowEntry[(rowAt as Int32Array)[p] as number] = at;
      }
    }
  }
  return rowEntry ? { start, col, w, rowEntry } : { start, col, w };
}
