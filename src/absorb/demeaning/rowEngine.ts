import { toShared } from "../../numeric/sharedArrays.js";
import { coefficientsPerLevel, type FixedEffect, hasIntercept } from "../fixedEffects.js";
import { accelerate } from "./acceleration.js";
import { DEFAULTS, type Engine, type PhaseResult, type Settings } from "./driver.js";
import { invert, sortBySize } from "./levels.js";

// ---------------------------------------------------------------------------------------------------------------
// Row engine (any FE may carry a varying slope).

interface RowFe {
  ids: Int32Array;
  G: number;
  /** Coefficients per level: 1 (intercept only, or slope only) or 2 (intercept, slope). */
  V: 1 | 2;
  intercept: boolean;
  slope: Float64Array | undefined;
  /** Per level: weighted mean of the slope variable (for V = 2; the basis is (1, x - xbar_g)). */
  xbar: Float64Array | undefined;
  /** Per level: 1 / sum w for the intercept, 1 / sum w (x - xbar)^2 (or 1 / sum w x^2 when slope only). */
  inv0: Float64Array;
  inv1: Float64Array | undefined;
}

/** Everything a RowEngine holds, as plain data (a worker thread rebuilds the engine from it). */
export interface RowState {
  kind: "row";
  n: number;
  weights: Float64Array | undefined;
  order: number[];
  fe: RowFe[];
}

export class RowEngine implements Engine {
  readonly Q: number;
  readonly order: number[];
  private readonly fe: RowFe[];
  private readonly weights: Float64Array | undefined;
  private readonly n: number;

  static create(fes: readonly FixedEffect[], weights: Float64Array | undefined, n: number): RowEngine {
    const order = sortBySize(fes);
    const fe = order.map((o) => prepareRowFe(fes[o] as FixedEffect, weights, n));
    return new RowEngine({ kind: "row", n, weights, order, fe });
  }

  constructor(state: RowState) {
    this.n = state.n;
    this.weights = state.weights;
    this.order = state.order;
    this.Q = state.order.length;
    this.fe = state.fe;
  }

  /** The engine's data for a worker: ids, slopes and weights copied once into SharedArrayBuffers. */
  share(): RowState {
    return {
      kind: "row",
      n: this.n,
      weights: this.weights ? toShared(this.weights) : undefined,
      order: this.order,
      fe: this.fe.map((f) => ({
        ...f,
        ids: toShared(f.ids),
        slope: f.slope ? toShared(f.slope) : undefined,
      })),
    };
  }

  publicLength(t: number): number {
    const f = this.fe[t] as RowFe;
    return f.G * f.V;
  }

  /** Internal (intercept on centred x, slope) -> public (a_g, b_g) with a_g = a'_g - b_g xbar_g. */
  addPublic(t: number, internal: Float64Array, out: Float64Array): void {
    const f = this.fe[t] as RowFe;
    if (f.V === 1) {
      for (let g = 0; g < f.G; g++) out[g] = (out[g] as number) + (internal[g] as number);
      return;
    }
    const xbar = f.xbar as Float64Array;
    for (let g = 0; g < f.G; g++) {
      const b = internal[2 * g + 1] as number;
      out[2 * g] = (out[2 * g] as number) + (internal[2 * g] as number) - b * (xbar[g] as number);
      out[2 * g + 1] = (out[2 * g + 1] as number) + b;
    }
  }

  single(cols: Float64Array[]): Float64Array[] {
    // One FE: the projection is exact in one update from zero.
    const scale = new Float64Array(cols.length).fill(1);
    const res = this.phase(
      cols,
      [0],
      scale,
      { ...DEFAULTS, tol: 1 },
      cols.map(() => 1),
    );
    this.apply(cols, [0], res.coefs);
    return res.coefs.map((c) => c[0] as Float64Array);
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
    const fe = subset.map((t) => this.fe[t] as RowFe);
    const size = fe.map((f) => f.G * f.V);
    // Right-hand sides: sum w phi(i) r_i per level and basis function, layout [(g*V + v)*K + k].
    const S = size.map((z) => new Float64Array(z * K));
    for (let j = 0; j < m; j++) {
      const f = fe[j] as RowFe;
      const Sj = S[j] as Float64Array;
      for (let k = 0; k < K; k++) {
        const c = cols[k] as Float64Array;
        for (let i = 0; i < n; i++) {
          const g = f.ids[i] as number;
          const r = w ? (w[i] as number) * (c[i] as number) : (c[i] as number);
          if (f.V === 2) {
            Sj[2 * g * K + k] = (Sj[2 * g * K + k] as number) + r;
            Sj[(2 * g + 1) * K + k] =
              (Sj[(2 * g + 1) * K + k] as number) +
              r * (((f.slope as Float64Array)[i] as number) - ((f.xbar as Float64Array)[g] as number));
          } else if (f.intercept) {
            Sj[g * K + k] = (Sj[g * K + k] as number) + r;
          } else {
            Sj[g * K + k] = (Sj[g * K + k] as number) + r * ((f.slope as Float64Array)[i] as number);
          }
        }
      }
    }
    if (m === 1) {
      // Closed form (single FE): solve from S directly.
      const coefs = cols.map(() => [] as Float64Array[]);
      const f = fe[0] as RowFe;
      for (let k = 0; k < K; k++) {
        const out = new Float64Array(size[0] as number);
        solveLevels(f, S[0] as Float64Array, K, k, out, 1, 0);
        (coefs[k] as Float64Array[])[0] = out;
      }
      return { coefs, iterations: new Int32Array(K), converged: new Uint8Array(K).fill(1) };
    }
    const offsets: number[] = [];
    let len = 0;
    for (let j = 0; j < m - 1; j++) {
      offsets.push(len);
      len += size[j] as number;
    }
    const big = new Float64Array((size[m - 1] as number) * K);
    const R = size.map((z) => new Float64Array(z * K));
    const other = new Float64Array(K);

    // contribution of FE l (values `src` at offset `off`) at row i, column k.
    const contribution = (f: RowFe, src: Float64Array, off: number, i: number, k: number): number => {
      const g = f.ids[i] as number;
      if (f.V === 2) {
        const x = ((f.slope as Float64Array)[i] as number) - ((f.xbar as Float64Array)[g] as number);
        return (src[off + 2 * g * K + k] as number) + (src[off + (2 * g + 1) * K + k] as number) * x;
      }
      const v = src[off + g * K + k] as number;
      return f.intercept ? v : v * ((f.slope as Float64Array)[i] as number);
    };

    const sweep = (x: Float64Array, y: Float64Array) => {
      for (let j = m - 1; j >= 0; j--) {
        const f = fe[j] as RowFe;
        const Rj = R[j] as Float64Array;
        Rj.set(S[j] as Float64Array);
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < K; k++) other[k] = 0;
          for (let l = 0; l < m; l++) {
            if (l === j) continue;
            const fl = fe[l] as RowFe;
            // FEs updated earlier in this sweep (l > j) at their new values, the others at the sweep's start.
            const src = l === m - 1 ? big : l > j ? y : x;
            const off = l === m - 1 ? 0 : (offsets[l] as number) * K;
            for (let k = 0; k < K; k++) other[k] = (other[k] as number) + contribution(fl, src, off, i, k);
          }
          const g = f.ids[i] as number;
          const wi = w ? (w[i] as number) : 1;
          if (f.V === 2) {
            const xc = ((f.slope as Float64Array)[i] as number) - ((f.xbar as Float64Array)[g] as number);
            for (let k = 0; k < K; k++) {
              const o = wi * (other[k] as number);
              Rj[2 * g * K + k] = (Rj[2 * g * K + k] as number) - o;
              Rj[(2 * g + 1) * K + k] = (Rj[(2 * g + 1) * K + k] as number) - o * xc;
            }
          } else {
            const phi = f.intercept ? wi : wi * ((f.slope as Float64Array)[i] as number);
            for (let k = 0; k < K; k++)
              Rj[g * K + k] = (Rj[g * K + k] as number) - phi * (other[k] as number);
          }
        }
        const dst = j === m - 1 ? big : y;
        const off = j === m - 1 ? 0 : (offsets[j] as number) * K;
        for (let k = 0; k < K; k++) solveLevels(f, Rj, K, k, dst, K, off + k);
      }
    };

    const coefs: Float64Array[][] = cols.map(() => []);
    const finish = (k: number, y: Float64Array) => {
      const res = coefs[k] as Float64Array[];
      for (let j = 0; j < m; j++) {
        const z = size[j] as number;
        const arr = new Float64Array(z);
        const src = j === m - 1 ? big : y;
        const off = j === m - 1 ? 0 : (offsets[j] as number) * K;
        for (let e = 0; e < z; e++) arr[e] = src[off + e * K + k] as number;
        res[j] = arr;
      }
    };
    const { iterations, converged } = accelerate(sweep, len, K, scale, s, maxIter, finish);
    return { coefs, iterations, converged };
  }

  apply(cols: Float64Array[], subset: readonly number[], coefs: Float64Array[][]): void {
    const n = this.n;
    for (let k = 0; k < cols.length; k++) {
      const c = cols[k] as Float64Array;
      const ck = coefs[k] as Float64Array[];
      for (let j = 0; j < subset.length; j++) {
        const f = this.fe[subset[j] as number] as RowFe;
        const a = ck[j] as Float64Array;
        if (f.V === 2) {
          const x = f.slope as Float64Array;
          const xbar = f.xbar as Float64Array;
          for (let i = 0; i < n; i++) {
            const g = f.ids[i] as number;
            c[i] =
              (c[i] as number) -
              (a[2 * g] as number) -
              (a[2 * g + 1] as number) * ((x[i] as number) - (xbar[g] as number));
          }
        } else if (f.intercept) {
          for (let i = 0; i < n; i++) c[i] = (c[i] as number) - (a[f.ids[i] as number] as number);
        } else {
          const x = f.slope as Float64Array;
          for (let i = 0; i < n; i++)
            c[i] = (c[i] as number) - (a[f.ids[i] as number] as number) * (x[i] as number);
        }
      }
    }
  }
}

/**
 * Per-level solve of the (diagonal, thanks to centring) normal equations for column k: reads rhs at
 * [(g*V+v)*K + k], writes the solution at dst[off + (g*V+v)*stride].
 */
function solveLevels(
  f: RowFe,
  rhs: Float64Array,
  K: number,
  k: number,
  dst: Float64Array,
  stride: number,
  off: number,
): void {
  const inv0 = f.inv0;
  if (f.V === 2) {
    const inv1 = f.inv1 as Float64Array;
    for (let g = 0; g < f.G; g++) {
      dst[off + 2 * g * stride] = (rhs[2 * g * K + k] as number) * (inv0[g] as number);
      dst[off + (2 * g + 1) * stride] = (rhs[(2 * g + 1) * K + k] as number) * (inv1[g] as number);
    }
  } else {
    for (let g = 0; g < f.G; g++) dst[off + g * stride] = (rhs[g * K + k] as number) * (inv0[g] as number);
  }
}

function prepareRowFe(fe: FixedEffect, weights: Float64Array | undefined, n: number): RowFe {
  const G = fe.nlevels;
  const V = coefficientsPerLevel(fe);
  const intercept = hasIntercept(fe);
  const d = fe.ids;
  const x = fe.slope;
  const sw = new Float64Array(G);
  for (let i = 0; i < n; i++)
    sw[d[i] as number] = (sw[d[i] as number] as number) + (weights ? (weights[i] as number) : 1);
  if (x === undefined) {
    return {
      ids: d,
      G,
      V: 1,
      intercept: true,
      slope: undefined,
      xbar: undefined,
      inv0: invert(sw),
      inv1: undefined,
    };
  }
  if (!intercept) {
    const sxx = new Float64Array(G);
    for (let i = 0; i < n; i++) {
      const xi = x[i] as number;
      sxx[d[i] as number] =
        (sxx[d[i] as number] as number) + (weights ? (weights[i] as number) : 1) * xi * xi;
    }
    return {
      ids: d,
      G,
      V: 1,
      intercept: false,
      slope: x,
      xbar: undefined,
      inv0: invert(sxx),
      inv1: undefined,
    };
  }
  const xbar = new Float64Array(G);
  for (let i = 0; i < n; i++)
    xbar[d[i] as number] =
      (xbar[d[i] as number] as number) + (weights ? (weights[i] as number) : 1) * (x[i] as number);
  for (let g = 0; g < G; g++) xbar[g] = (sw[g] as number) > 0 ? (xbar[g] as number) / (sw[g] as number) : 0;
  const css = new Float64Array(G);
  const sxx = new Float64Array(G);
  for (let i = 0; i < n; i++) {
    const g = d[i] as number;
    const wi = weights ? (weights[i] as number) : 1;
    const xi = x[i] as number;
    const c = xi - (xbar[g] as number);
    css[g] = (css[g] as number) + wi * c * c;
    sxx[g] = (sxx[g] as number) + wi * xi * xi;
  }
  const inv1 = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    // x constant within the level: no slope to estimate (fixest: zero pivot -> coefficient 0).
    const c = css[g] as number;
    inv1[g] = c > 1e-13 * (sxx[g] as number) && c > 0 ? 1 / c : 0;
  }
  return { ids: d, G, V, intercept: true, slope: x, xbar, inv0: invert(sw), inv1 };
}
