/**
 * Weighted least squares on design columns, with sequential removal of collinear columns.
 *
 * Two paths give the same answer to within rounding:
 * - exact path (double-double): the Gram matrix X'WX and X'Wy are accumulated in double-double from the design
 *   columns (including their double-double corrections), factored by a double-double Cholesky, and the
 *   residuals are formed in double-double. Its error is about 1e-32 * cond(X)^2, so NIST's Filip (cond ~1e10
 *   after scaling) comes out to 15 digits. Used whenever the problem is small (n*k^2 below EXACT_PATH_WORK) or
 *   the fast path finds the design ill-conditioned.
 * - fast path (double): Gram matrix in double with column scaling, Cholesky, then corrected semi-normal
 *   equations refinement (Bjorck 1987): r = y - Xb, solve R'R d = X'Wr, b += d, until d is below 1e-14 of b
 *   (at most three corrections). This brings the error down to about eps * cond(X), what a QR solve (R's lm)
 *   achieves, at the cost of one pass over the rows per correction.
 *
 * Collinearity: column j is removed when the part of it not explained by the columns kept before it has
 * relative squared norm (1 - R^2_j) below COLLINEARITY_TOL, judged in double-double. fixest and Stata drop on a
 * comparable rule evaluated in double (so they drop the x^10 term of Filip, whose 1 - R^2 is 2.7e-15; we keep
 * it, as NIST's certified values do). Columns are removed in order, later ones first to go, as in fixest.
 */
import { Matrix } from "ml-matrix";
import type { DesignColumn } from "../estimate/frame.js";
import { type DD, dd, ddAdd, ddDiv, ddMul, ddSqrt, ddSub, twoProd, twoSum } from "./doubleDouble.js";

export const COLLINEARITY_TOL = 1e-20;
/** Below this many multiply-adds (n * k^2) the exact path is used unconditionally. */
export const EXACT_PATH_WORK = 5e6;
/**
 * In the fast path, a scaled Cholesky pivot (1 - R^2 of a column on the ones before it) below this sends the
 * problem to the exact path: beyond it the refined double solve was measured to lose digits (NIST Wampler4/5).
 */
const FAST_PATH_PIVOT_RATIO = 1e-6;

export interface LeastSquaresFit {
  /** Indices (into the input columns) of the columns kept, in order. */
  kept: number[];
  /** Indices of the columns removed as collinear. */
  dropped: number[];
  /** Coefficients of the kept columns. */
  coefficients: Float64Array;
  /** (X'WX)^-1 over the kept columns. */
  xtxInverse: Matrix;
  residuals: Float64Array;
  /** Sum of weighted squared residuals. */
  rss: number;
  path: "exact" | "fast";
}

export function leastSquares(
  columns: readonly DesignColumn[],
  response: DesignColumn,
  weights: Float64Array | null,
  /** "fast" tries the double-precision path first whatever the size (tests and benchmarks use this). */
  options: { forcePath?: "exact" | "fast" } = {},
): LeastSquaresFit {
  const scaling = powerOfTwoScaling(columns, response);
  if (scaling === null) return unscaledLeastSquares(columns, response, weights, options);
  const fit = unscaledLeastSquares(
    columns.map((c, j) => scaleColumn(c, scaling.columns[j] as number)),
    scaleColumn(response, scaling.response),
    weights,
    options,
  );
  return unscaleFit(fit, scaling);
}

// ---------------------------------------------------------------- scaling

/**
 * Columns whose largest |value| lies outside [2^-SCALE_RANGE, 2^SCALE_RANGE] are brought near 1 before the Gram
 * matrix is formed: x = 1e300 squares to Infinity and x = 1e-300 to 0, which made a regressor on such a scale end
 * in a non-symmetric matrix or be "removed because of collinearity". The factors are powers of two, so scaling
 * and unscaling are exact and a problem that needs none gives bit-identical results; every other column is
 * scaled too, so a problem is either solved as given or entirely on scaled columns. Inside the range the Gram
 * matrix and its double-double corrections hold without overflow or underflow for any n below 2^100.
 */
const SCALE_RANGE = 300;

interface Scaling {
  /** Factor (a power of two) each column was multiplied by. */
  columns: number[];
  response: number;
}

/** Largest |hi| of a column (0 for an all-zero or empty column). */
function maxAbs(values: Float64Array): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i] as number);
    if (a > m) m = a;
  }
  return m;
}

/** The power of two that brings a largest |value| `m` into [0.5, 2) (1 for zero or non-finite m). */
function unitFactor(m: number): number {
  if (!(m > 0) || !Number.isFinite(m)) return 1;
  // Clamped so that 2^-e is a finite double (a subnormal m then lands near 2^-22, well inside the range).
  const e = Math.min(1022, Math.max(-1000, Math.floor(Math.log2(m))));
  return 2 ** -e;
}

function powerOfTwoScaling(columns: readonly DesignColumn[], response: DesignColumn): Scaling | null {
  const maxima = [...columns.map((c) => maxAbs(c.hi)), maxAbs(response.hi)];
  const low = 2 ** -SCALE_RANGE;
  const high = 2 ** SCALE_RANGE;
  if (maxima.every((m) => m === 0 || !Number.isFinite(m) || (m >= low && m <= high))) return null;
  const factors = maxima.map(unitFactor);
  return { columns: factors.slice(0, columns.length), response: factors[columns.length] as number };
}

function scaleColumn(column: DesignColumn, factor: number): DesignColumn {
  if (factor === 1) return column;
  return {
    name: column.name,
    hi: column.hi.map((v) => v * factor),
    lo: column.lo === null ? null : column.lo.map((v) => v * factor),
  };
}

/** Back to the original units: b_j = b'_j s_j / s_y, (X'WX)^-1_jk = s_j s_k (X'WX)'^-1_jk, e = e' / s_y. */
function unscaleFit(fit: LeastSquaresFit, scaling: Scaling): LeastSquaresFit {
  const s = fit.kept.map((j) => scaling.columns[j] as number);
  const sy = scaling.response;
  const inverse = new Matrix(s.length, s.length);
  for (let r = 0; r < s.length; r++)
    for (let c = 0; c < s.length; c++)
      inverse.set(r, c, fit.xtxInverse.get(r, c) * (s[r] as number) * (s[c] as number));
  return {
    ...fit,
    coefficients: fit.coefficients.map((b, m) => (b * (s[m] as number)) / sy),
    xtxInverse: inverse,
    residuals: fit.residuals.map((e) => e / sy),
    rss: fit.rss / sy / sy,
  };
}

function unscaledLeastSquares(
  columns: readonly DesignColumn[],
  response: DesignColumn,
  weights: Float64Array | null,
  options: { forcePath?: "exact" | "fast" },
): LeastSquaresFit {
  const n = response.hi.length;
  const k = columns.length;
  const path = options.forcePath ?? (n * k * k <= EXACT_PATH_WORK ? "exact" : "fast");
  if (path === "fast") {
    // The fast path declines ill-conditioned designs (null), even when asked for explicitly.
    const fast = fastLeastSquares(columns, response, weights);
    if (fast !== null) return fast;
  }
  return exactLeastSquares(columns, response, weights);
}

// ---------------------------------------------------------------- exact path

function exactLeastSquares(
  columns: readonly DesignColumn[],
  response: DesignColumn,
  weights: Float64Array | null,
): LeastSquaresFit {
  const k = columns.length;
  const all = [...columns, response];
  // Gram matrix of [X y] in double-double, lower triangle.
  const gram: DD[][] = [];
  for (let a = 0; a <= k; a++) {
    const row: DD[] = [];
    for (let b = 0; b <= a; b++) row.push(ddDot(all[a] as DesignColumn, all[b] as DesignColumn, weights));
    gram.push(row);
  }
  const at = (a: number, b: number) => (gram[Math.max(a, b)] as DD[])[Math.min(a, b)] as DD;

  // Left-looking Cholesky with sequential removal: L[j][m] for kept m.
  const kept: number[] = [];
  const dropped: number[] = [];
  const L: DD[][] = []; // L[i] indexed by position in `kept`
  for (let j = 0; j < k; j++) {
    const row: DD[] = [];
    for (let m = 0; m < kept.length; m++) {
      let s = at(j, kept[m] as number);
      for (let q = 0; q < m; q++) s = ddSub(s, ddMul(row[q] as DD, (L[m] as DD[])[q] as DD));
      row.push(ddDiv(s, (L[m] as DD[])[m] as DD));
    }
    let d = at(j, j);
    for (const v of row) d = ddSub(d, ddMul(v, v));
    const diag = at(j, j).hi;
    if (diag <= 0 || d.hi / diag < COLLINEARITY_TOL) {
      dropped.push(j);
      continue;
    }
    row.push(ddSqrt(d));
    L.push(row);
    kept.push(j);
  }
  const p = kept.length;
  // Forward solve L z = X'y, back solve L' b = z.
  const z: DD[] = [];
  for (let m = 0; m < p; m++) {
    let s = at(k, kept[m] as number);
    for (let q = 0; q < m; q++) s = ddSub(s, ddMul((L[m] as DD[])[q] as DD, z[q] as DD));
    z.push(ddDiv(s, (L[m] as DD[])[m] as DD));
  }
  const b: DD[] = new Array(p);
  for (let m = p - 1; m >= 0; m--) {
    let s = z[m] as DD;
    for (let q = m + 1; q < p; q++) s = ddSub(s, ddMul((L[q] as DD[])[m] as DD, b[q] as DD));
    b[m] = ddDiv(s, (L[m] as DD[])[m] as DD);
  }
  // Inverse of L (lower triangular), then (X'WX)^-1 = Linv' Linv.
  const Linv: DD[][] = Array.from({ length: p }, () => new Array<DD>(p).fill(dd(0)));
  for (let c = 0; c < p; c++) {
    (Linv[c] as DD[])[c] = ddDiv(dd(1), (L[c] as DD[])[c] as DD);
    for (let r = c + 1; r < p; r++) {
      let s = dd(0);
      for (let q = c; q < r; q++) s = ddSub(s, ddMul((L[r] as DD[])[q] as DD, (Linv[q] as DD[])[c] as DD));
      (Linv[r] as DD[])[c] = ddDiv(s, (L[r] as DD[])[r] as DD);
    }
  }
  const inverse = new Matrix(p, p);
  for (let r = 0; r < p; r++) {
    for (let c = 0; c <= r; c++) {
      let s = dd(0);
      for (let q = r; q < p; q++) s = ddAdd(s, ddMul((Linv[q] as DD[])[r] as DD, (Linv[q] as DD[])[c] as DD));
      inverse.set(r, c, s.hi + s.lo);
      inverse.set(c, r, s.hi + s.lo);
    }
  }
  // Residuals in double-double: y - sum_j b_j x_j.
  const n = response.hi.length;
  const residuals = new Float64Array(n);
  let rssHi = 0;
  let rssLo = 0;
  const bh = b.map((v) => v.hi);
  const bl = b.map((v) => v.lo);
  for (let i = 0; i < n; i++) {
    let sh = response.hi[i] as number;
    let sl = response.lo ? (response.lo[i] as number) : 0;
    for (let m = 0; m < p; m++) {
      const col = columns[kept[m] as number] as DesignColumn;
      const xh = col.hi[i] as number;
      const xl = col.lo ? (col.lo[i] as number) : 0;
      const prod = twoProd(bh[m] as number, xh);
      const pl = prod.lo + (bh[m] as number) * xl + (bl[m] as number) * xh;
      const s = twoSum(sh, -prod.hi);
      sh = s.hi;
      sl += s.lo - pl;
    }
    const e = sh + sl;
    residuals[i] = e;
    const w = weights ? (weights[i] as number) : 1;
    const sq = twoProd(e, e * w);
    const acc = twoSum(rssHi, sq.hi);
    rssHi = acc.hi;
    rssLo += acc.lo + sq.lo;
  }
  return {
    kept,
    dropped,
    coefficients: Float64Array.from(b, (v) => v.hi + v.lo),
    xtxInverse: inverse,
    residuals,
    rss: rssHi + rssLo,
    path: "exact",
  };
}

/** sum_i w_i a_i b_i in double-double, with a and b carrying their own double-double corrections. */
function ddDot(a: DesignColumn, b: DesignColumn, weights: Float64Array | null): DD {
  const n = a.hi.length;
  let sh = 0;
  let sl = 0;
  for (let i = 0; i < n; i++) {
    const ah = a.hi[i] as number;
    const bh = b.hi[i] as number;
    const p = twoProd(ah, bh);
    let ph = p.hi;
    let pl = p.lo + ah * (b.lo ? (b.lo[i] as number) : 0) + (a.lo ? (a.lo[i] as number) : 0) * bh;
    if (weights) {
      const w = weights[i] as number;
      const q = twoProd(ph, w);
      ph = q.hi;
      pl = q.lo + pl * w;
    }
    const s = twoSum(sh, ph);
    sh = s.hi;
    sl += s.lo + pl;
  }
  const r = twoSum(sh, sl);
  return { hi: r.hi, lo: r.lo };
}

// ---------------------------------------------------------------- fast path

/** Returns null when the design is too ill-conditioned for double precision; the caller then goes exact. */
function fastLeastSquares(
  columns: readonly DesignColumn[],
  response: DesignColumn,
  weights: Float64Array | null,
): LeastSquaresFit | null {
  const k = columns.length;
  const n = response.hi.length;
  const xs = columns.map((c) => c.hi);
  // X'WX and X'Wy in one pass: the Gram matrix of [X y], (k + 1) x (k + 1).
  const gram = crossProducts([...xs, response.hi], weights);
  const at = (r: number, c: number) => gram[r * (k + 1) + c] as number;
  const scale = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const g = at(j, j);
    scale[j] = g > 0 ? 1 / Math.sqrt(g) : 0;
  }

  // Scaled Cholesky with sequential removal; any doubtful pivot sends the problem to the exact path.
  const kept: number[] = [];
  const dropped: number[] = [];
  const L: number[][] = [];
  for (let j = 0; j < k; j++) {
    if (scale[j] === 0) {
      dropped.push(j);
      continue;
    }
    const row: number[] = [];
    for (let m = 0; m < kept.length; m++) {
      const c = kept[m] as number;
      let s = at(j, c) * (scale[j] as number) * (scale[c] as number);
      for (let q = 0; q < m; q++) s -= (row[q] as number) * ((L[m] as number[])[q] as number);
      row.push(s / ((L[m] as number[])[m] as number));
    }
    let d = 1;
    for (const v of row) d -= v * v;
    if (d < FAST_PATH_PIVOT_RATIO) return null;
    row.push(Math.sqrt(d));
    L.push(row);
    kept.push(j);
  }
  const p = kept.length;
  const keptCols = kept.map((j) => xs[j] as Float64Array);
  const keptScale = kept.map((j) => scale[j] as number);
  const solveScaled = (rhs: Float64Array): Float64Array => {
    // Solves (S G S) u = S rhs, returns b = S u.
    const z = new Float64Array(p);
    for (let m = 0; m < p; m++) {
      let s = (rhs[m] as number) * (keptScale[m] as number);
      for (let q = 0; q < m; q++) s -= ((L[m] as number[])[q] as number) * (z[q] as number);
      z[m] = s / ((L[m] as number[])[m] as number);
    }
    const u = new Float64Array(p);
    for (let m = p - 1; m >= 0; m--) {
      let s = z[m] as number;
      for (let q = m + 1; q < p; q++) s -= ((L[q] as number[])[m] as number) * (u[q] as number);
      u[m] = s / ((L[m] as number[])[m] as number);
    }
    for (let m = 0; m < p; m++) u[m] = (u[m] as number) * (keptScale[m] as number);
    return u;
  };
  const y = response.hi;
  const xty = new Float64Array(p);
  for (let m = 0; m < p; m++) xty[m] = gram[(kept[m] as number) * (k + 1) + k] as number;
  const b = solveScaled(xty);
  const residuals = new Float64Array(n);
  // Corrected semi-normal equations: refine until the correction is negligible. CSNE converges at a rate of
  // about eps * cond(X)^2 * (residual size); a correction still visible after three steps means the design is
  // too ill-conditioned for this path (NIST Wampler4/5: large residuals), so hand it to the exact path.
  // Each step is one pass over the rows (residuals and X'Wr together). The pass that finds the correction negligible also gave the residuals and RSS of the b it was computed for,
  // which is then kept as is (the correction is below 1e-14 of b): no separate final pass.
  let rss = Number.NaN;
  for (let step = 0; step < 3 && Number.isNaN(rss); step++) {
    const pass = residualPass(keptCols, y, b, weights, residuals);
    const delta = solveScaled(pass.cross);
    let deltaNorm = 0;
    let bNorm = 0;
    for (let m = 0; m < p; m++) {
      const scaleM = keptScale[m] as number;
      deltaNorm = Math.max(deltaNorm, Math.abs((delta[m] as number) / scaleM));
      bNorm = Math.max(bNorm, Math.abs((b[m] as number) / scaleM));
    }
    if (deltaNorm <= 1e-14 * bNorm) rss = pass.rss;
    else for (let m = 0; m < p; m++) b[m] = (b[m] as number) + (delta[m] as number);
  }
  if (Number.isNaN(rss)) return null;
  // (X'WX)^-1 = S (L L')^-1 S.
  const inverse = new Matrix(p, p);
  for (let c = 0; c < p; c++) {
    const unit = new Float64Array(p);
    unit[c] = 1;
    const col = solveScaled(unit);
    for (let r = 0; r < p; r++) inverse.set(r, c, col[r] as number);
  }
  symmetrize(inverse);
  return { kept, dropped, coefficients: b, xtxInverse: inverse, residuals, rss, path: "fast" };
}

/**
 * r = y - X b into `residuals`, with X'Wr and r'Wr, in one pass over the rows (blocks of BLOCK rows: the block's
 * residuals are still in cache when they are multiplied into X'Wr). r_i is formed as ((y_i - b_0 x_0i) - b_1 x_1i)
 * ..., column by column, so its value does not depend on the blocking.
 */
function residualPass(
  xs: readonly Float64Array[],
  y: Float64Array,
  b: Float64Array,
  weights: Float64Array | null,
  residuals: Float64Array,
): { cross: Float64Array; rss: number } {
  const p = xs.length;
  const n = y.length;
  const cross = new Float64Array(p);
  let rss = 0;
  const BLOCK = 4096;
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    for (let i = start; i < end; i++) residuals[i] = y[i] as number;
    for (let m = 0; m < p; m++) {
      const x = xs[m] as Float64Array;
      const bm = b[m] as number;
      for (let i = start; i < end; i++) residuals[i] = (residuals[i] as number) - bm * (x[i] as number);
    }
    if (weights) {
      for (let i = start; i < end; i++) {
        const e = residuals[i] as number;
        rss += (weights[i] as number) * e * e;
      }
      for (let m = 0; m < p; m++) {
        const x = xs[m] as Float64Array;
        let s = 0;
        for (let i = start; i < end; i++)
          s += (weights[i] as number) * (x[i] as number) * (residuals[i] as number);
        cross[m] = (cross[m] as number) + s;
      }
    } else {
      for (let i = start; i < end; i++) {
        const e = residuals[i] as number;
        rss += e * e;
      }
      for (let m = 0; m < p; m++) {
        const x = xs[m] as Float64Array;
        let s = 0;
        for (let i = start; i < end; i++) s += (x[i] as number) * (residuals[i] as number);
        cross[m] = (cross[m] as number) + s;
      }
    }
  }
  return { cross, rss };
}

/** X'WX for columns in typed arrays, in blocks of rows so that the working set stays in cache. */
export function crossProducts(xs: readonly Float64Array[], weights: Float64Array | null): Float64Array {
  const k = xs.length;
  const n = k > 0 ? (xs[0] as Float64Array).length : 0;
  const out = new Float64Array(k * k);
  const BLOCK = 4096;
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    for (let a = 0; a < k; a++) {
      const xa = xs[a] as Float64Array;
      for (let b = 0; b <= a; b++) {
        const xb = xs[b] as Float64Array;
        let s = 0;
        if (weights)
          for (let i = start; i < end; i++)
            s += (weights[i] as number) * (xa[i] as number) * (xb[i] as number);
        else for (let i = start; i < end; i++) s += (xa[i] as number) * (xb[i] as number);
        out[a * k + b] = (out[a * k + b] as number) + s;
      }
    }
  }
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) out[b * k + a] = out[a * k + b] as number;
  return out;
}

function symmetrize(m: Matrix): void {
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < r; c++) {
      const v = (m.get(r, c) + m.get(c, r)) / 2;
      m.set(r, c, v);
      m.set(c, r, v);
    }
  }
}
