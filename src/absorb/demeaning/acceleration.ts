import type { Settings } from "./driver.js";
/**
 * Irons-Tuck acceleration of the fixed-point iteration in coefficient space, on fixest's schedule (projection
 * after acceleration, grand acceleration); see the module comment of src/absorb/demean.ts.
 */
export function accelerate(
  sweep: (x: Float64Array, y: Float64Array) => void,
  len: number,
  K: number,
  scale: Float64Array,
  s: Settings,
  maxIter: readonly number[],
  finish: (k: number, y: Float64Array) => void,
  /**
   * Called after each convergence check with the iteration and the criterion: the largest |F(X) - X| / s_k over
   * the columns still iterating (a column stops when it is <= tol). Only the SQL engines report it (progress).
   */
  progress?: (iteration: number, criterion: number) => void,
): { iterations: Int32Array; converged: Uint8Array } {
  const N = len * K;
  const X = new Float64Array(N);
  const GX = new Float64Array(N);
  const GGX = new Float64Array(N);
  let Y: Float64Array | undefined;
  let GY: Float64Array | undefined;
  let GGY: Float64Array | undefined;
  const active = new Uint8Array(K).fill(1);
  const iterations = new Int32Array(K);
  const converged = new Uint8Array(K);
  let nActive = K;
  let iter = 0;

  const stop = (k: number, y: Float64Array, ok: boolean) => {
    active[k] = 0;
    nActive--;
    iterations[k] = iter;
    converged[k] = ok ? 1 : 0;
    finish(k, y);
  };
  /** The largest |F(X) - X| / s_k over the active columns (for `progress` only: the check stops early). */
  const criterion = () => {
    let largest = 0;
    for (let k = 0; k < K; k++) {
      if (active[k] === 0) continue;
      const s_k = scale[k] as number;
      for (let j = k; j < N; j += K)
        largest = Math.max(largest, Math.abs((X[j] as number) - (GX[j] as number)) / s_k);
    }
    return largest;
  };
  const check = () => {
    if (progress) progress(iter, criterion());
    for (let k = 0; k < K; k++) {
      if (active[k] === 0) continue;
      const bound = s.tol * (scale[k] as number);
      let ok = true;
      for (let j = k; j < N; j += K) {
        const d = (X[j] as number) - (GX[j] as number);
        if (!(d <= bound && d >= -bound)) {
          ok = false;
          break;
        }
      }
      if (ok) stop(k, GX, true);
    }
  };

  sweep(X, GX);
  check();
  let grand = 0;
  while (nActive > 0) {
    // Column k stops at its own cap, with the state it would have had alone (every step below is per column).
    for (let k = 0; k < K; k++) if (active[k] === 1 && iter >= (maxIter[k] as number)) stop(k, GX, false);
    if (nActive === 0) break;
    iter++;
    sweep(GX, GGX);
    for (let k = 0; k < K; k++) {
      if (active[k] === 0) continue;
      // Numerical convergence: F(F(X)) - 2F(X) + X == 0 exactly, nothing left to extrapolate.
      if (!ironsTuck(X, GX, GGX, k, K)) stop(k, GGX, true);
    }
    if (nActive === 0) break;
    if (iter >= s.projAfterAcc) {
      if (!Y) Y = new Float64Array(N);
      Y.set(X);
      sweep(Y, X);
    }
    sweep(X, GX);
    check();
    if (nActive === 0) break;
    if (iter % s.grandAcc === 0) {
      grand++;
      if (!Y) Y = new Float64Array(N);
      if (!GY) GY = new Float64Array(N);
      if (!GGY) GGY = new Float64Array(N);
      if (grand === 1) Y.set(GX);
      else if (grand === 2) GY.set(GX);
      else {
        GGY.set(GX);
        for (let k = 0; k < K; k++) {
          if (active[k] === 0) continue;
          if (!ironsTuck(Y, GY, GGY, k, K)) stop(k, GX, true);
        }
        if (nActive === 0) break;
        sweep(Y, GX);
        grand = 0;
      }
    }
  }
  return { iterations, converged };
}

/**
 * One Irons-Tuck step for column k: X <- GGX - (<dGX, d2X> / <d2X, d2X>) dGX with dGX = GGX - GX and
 * d2X = GGX - 2GX + X. Returns false (and leaves X) when d2X is exactly 0.
 */
function ironsTuck(X: Float64Array, GX: Float64Array, GGX: Float64Array, k: number, K: number): boolean {
  const N = X.length;
  let vprod = 0;
  let ssq = 0;
  for (let j = k; j < N; j += K) {
    const gx = GX[j] as number;
    const dgx = (GGX[j] as number) - gx;
    const d2 = dgx - gx + (X[j] as number);
    vprod += dgx * d2;
    ssq += d2 * d2;
  }
  if (ssq === 0) return false;
  const c = vprod / ssq;
  for (let j = k; j < N; j += K) {
    const ggx = GGX[j] as number;
    X[j] = ggx - c * (ggx - (GX[j] as number));
  }
  return true;
}
