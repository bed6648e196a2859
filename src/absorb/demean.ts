/**
 * Absorbing high-dimensional fixed effects: replace each column v by its residual from the weighted least-squares
 * projection on the FE dummies (and varying slopes), v - D(D'WD)^- D'Wv, without ever forming D.
 *
 * ALGORITHM. As fixest does (Berge 2018, "Efficient estimation of maximum likelihood models with multiple
 * fixed-effects: the R package FENmlm", and fixest's src/demeaning.cpp), we solve for the FE coefficients rather
 * than for the demeaned n-vector: one sweep of alternating projections (Gauss-Seidel / backfitting over the FE
 * dimensions) sets each FE's coefficients to the weighted group means of what the other FEs leave unexplained.
 * The sweep is a map F on the coefficients, whose fixed point is the least-squares solution, and the iteration is
 * sped up with Irons & Tuck's (1969) extrapolation ("A simple technique for fast convergence of the
 * Berge-Irons-Tuck ..."; see Varadhan & Roland 2008 for the squared-extrapolation family) applied in coefficient
 * space, with fixest's schedule: after every accelerated step one plain projection once 40 iterations have passed
 * (`projAfterAcc`), and a "grand" acceleration over every 4th iterate (`grandAcc`).
 *
 * WHAT IS ITERATED. FEs are ordered by number of levels, smallest first, and a sweep updates them from the largest
 * down. The largest FE's coefficients are then a function of the others', so the accelerated vector X holds only
 * the smaller FEs: with worker (1M) and firm (10k) FEs, X has 10k entries per column, as in fixest's special
 * two-FE code, which also iterates on one FE only.
 *
 * NO n-LENGTH WORK PER ITERATION. For plain FEs (no slopes), updating FE q needs, for each level g of q, the
 * weighted count of rows shared with each level of every other FE: the sparse cross-tabulation W^{qh}. We build
 * it once (for each pair, rows = the larger FE's levels, columns = the smaller's) and iterate on it. A
 * worker-firm panel with n = 10M person-years and ~2 firms per worker has ~1M worker-firm pairs, so an iteration
 * costs 1M multiply-adds instead of 10M (the "loop on unique cases" trick fixest applies in its ML families,
 * convergence.cpp). A sweep walks each cross-tab once: for row g of the larger FE it gathers the smaller FEs'
 * current coefficients, sets the coefficient of g, and immediately scatters it into the smaller FEs' accumulators
 * while the row is still in cache. All columns (y and the x's) are processed in the same sweep, their coefficients
 * interleaved, so the cross-tab is read once per sweep rather than once per column.
 *
 * THREE OR MORE FEs start as fixest does: 15 accelerated iterations on all FEs (`warmup`). Columns not converged
 * by then go through block Gauss-Seidel rounds (up to maxIter/2 - warmup iterations): the two largest FEs solved
 * together by the accelerated two-FE sweep on the current residual, then the other FEs (exactly when there is one),
 * until a round moves the smaller FEs by less than tol. fixest instead runs the two-FE solve once and returns to
 * the all-FE iteration, whose sweeps walk the large cross-tabs (worker x year has one entry per row); the rounds
 * cost a few passes over the rows each. Finally the accelerated all-FE iteration runs with the remaining budget and
 * decides convergence with the criterion below (it typically stops at once). Each phase solves for increments on
 * the residual left by the previous one.
 *
 * ONE FE is exact in one pass: weighted group means (and for `fe[x]`, a per-group weighted regression on (1, x)).
 *
 * VARYING SLOPES (`fe[x]`, `fe[[x]]`) use a row-based sweep (the cross-tab would need per-pair moments of x):
 * each FE update passes over the rows, as fixest does. Per level, `fe[x]` projects onto span{1, x - xbar_g}:
 * centring x within the level makes the 2x2 normal equations diagonal, so the "2x2 solve" is two divisions and
 * does not lose digits when x has a large mean (calendar years). A level where x is constant (centred sum of
 * squares <= 1e-13 of the uncentred one) gets slope 0, as fixest sets a coefficient with a zero pivot to 0.
 * Coefficients are reported as (a_g, b_g) in a_g + b_g x.
 *
 * CONVERGENCE. Column k stops when max over the iterated coefficients of |F(X) - X| <= tol * s_k, where s_k is the
 * (weighted) standard deviation of the input column (1 if it is 0): the largest change a further sweep would make
 * to any FE coefficient, in units of the column's own spread, so the criterion does not depend on the units of y.
 * fixest's fixef.tol (1e-6 by default) is applied to each coefficient as |diff| < tol or |diff|/(0.1+|coef|) < tol,
 * i.e. in the units of y; with data measured in dollars that is much stricter than with data in millions. Our
 * default 1e-8 relative to sd is at least as strict as fixest's default for any |y| scale up to ~100 sd.
 * A column that reaches `maxIter` is reported with converged = false; the caller should add a note.
 *
 * MEMORY. Outputs are copies unless `inPlace: true` (then the input arrays are overwritten and returned). Beyond
 * that: the cross-tabs (<= 12 bytes per distinct pair of levels, per pair of FEs; a temporary n-length Int32
 * permutation while they are built), and O(levels x columns) coefficient vectors. No n x k matrix is formed.
 * The parallel path adds shared copies of the FE ids (and weights, slopes) and a worker thread's own heap.
 *
 * THREADS. With `parallel: true` and a large problem (`parallelGate`), the columns are split between the main
 * thread and one worker thread; each column's result is bit for bit the serial one (see "Parallel path" below).
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { estimationError } from "../errors.js";
import { float64Array, int32Array, isShared, toShared } from "../numeric/sharedArrays.js";
import { coefficientsPerLevel, type FixedEffect, hasIntercept } from "./fixedEffects.js";

export interface DemeanOptions {
  /** Convergence tolerance, relative to each column's standard deviation (see the module comment). */
  tol?: number;
  /** Maximum number of accelerated iterations per column (fixest's fixef.iter). */
  maxIter?: number;
  /** Overwrite the input columns instead of returning copies. */
  inPlace?: boolean;
  /** Also return the FE coefficients (per column, per FE), e.g. for fixef(). */
  coefficients?: boolean;
  /** fixest's demeaning_algo() parameters; the defaults are fixest's. */
  warmup?: number;
  projAfterAcc?: number;
  grandAcc?: number;
  /**
   * Allow the parallel path (columns split between the main thread and a worker thread) when `parallelGate`
   * accepts the problem. The results are bit for bit those of the serial path. Ignored with `coefficients`.
   */
  parallel?: boolean;
}

export interface DemeanResult {
  /** Demeaned columns (the inputs themselves when inPlace). */
  readonly columns: Float64Array[];
  /** Accelerated iterations used per column (summed over phases); 0 for a single FE (closed form). */
  readonly iterations: number[];
  /** True when every column converged. */
  readonly converged: boolean;
  readonly convergedColumns: boolean[];
  /**
   * With `coefficients: true`: coefficients[column][fe] for each FE in the order given. Plain FE: one value per
   * level. `fe[x]`: 2 per level, [a_g, b_g] at 2g, 2g+1. `fe[[x]]`: b_g. Unnormalised (any solution of the
   * normal equations); fixedEffectValues normalises them.
   */
  readonly coefficients?: Float64Array[][];
}

const DEFAULTS = { tol: 1e-8, maxIter: 10_000, warmup: 15, projAfterAcc: 40, grandAcc: 4 };

/** Demeans `columns` on the fixed effects `fes` (weights optional). See the module comment. */
export function demean(
  columns: readonly Float64Array[],
  fes: readonly FixedEffect[],
  weights: Float64Array | undefined,
  options: DemeanOptions = {},
): DemeanResult {
  return createAbsorber(fes, weights).demean(columns, options);
}

/**
 * An absorber holds the per-FE structures (level weights, cross-tabulations) so that several calls on the same
 * sample (y and X now, instruments later, the FE values after) build them once.
 */
export interface Absorber {
  readonly n: number;
  readonly fes: readonly FixedEffect[];
  demean(columns: readonly Float64Array[], options?: DemeanOptions): DemeanResult;
}

export function createAbsorber(
  fes: readonly FixedEffect[],
  weights: Float64Array | undefined,
  /** Rows per level of each FE, if the caller has counted them (singletons.ts does): saves a pass per FE. */
  levelCounts?: readonly (Int32Array | undefined)[],
): Absorber {
  if (fes.length === 0) throw estimationError("internal: demean needs at least one fixed effect");
  const n = (fes[0] as FixedEffect).ids.length;
  validate(fes, weights, n);
  const anySlope = fes.some((fe) => fe.slope !== undefined);
  const engine = anySlope
    ? RowEngine.create(fes, weights, n)
    : CrossEngine.create(fes, weights, n, weights === undefined ? levelCounts : undefined);
  return {
    n,
    fes,
    demean(columns, options = {}) {
      if (parallelGate(n, columns.length, engine.Q, options).parallel)
        return demeanParallel(engine, columns, weights, n, options);
      return run(engine, columns, weights, n, options);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Driver shared by both engines.

interface Settings {
  tol: number;
  maxIter: number;
  warmup: number;
  projAfterAcc: number;
  grandAcc: number;
}

/** A sweep engine: how to compute right-hand sides, run an accelerated phase, and apply the result. */
interface Engine {
  /** Number of FEs (in the engine's internal order, smallest first). */
  readonly Q: number;
  /** Original index of the FE at each internal position. */
  readonly order: readonly number[];
  /** Closed form for a single FE: residualises in place and returns coefficients per column (internal layout). */
  single(cols: Float64Array[]): Float64Array[];
  /**
   * Accelerated phase over the internal FEs `subset` (ascending) for the given residual columns; returns, per
   * column, the coefficient increments per subset FE (internal layout) plus iterations and convergence.
   * `maxIter[k]` caps column k's iterations: each column has its own budget, so that a column's result never
   * depends on which other columns are processed with it (see `accelerate`).
   */
  phase(
    cols: Float64Array[],
    subset: readonly number[],
    scale: Float64Array,
    s: Settings,
    maxIter: readonly number[],
  ): PhaseResult;
  /** r_k -= sum over subset FEs of their contribution with the given coefficients (internal layout). */
  apply(cols: Float64Array[], subset: readonly number[], coefs: Float64Array[][]): void;
  /** Converts internal-layout coefficients of internal FE t to the public layout (adds to `out`). */
  addPublic(t: number, internal: Float64Array, out: Float64Array): void;
  publicLength(t: number): number;
}

interface PhaseResult {
  /** coefs[column][j] for subset[j] (internal layout). */
  coefs: Float64Array[][];
  iterations: Int32Array;
  converged: Uint8Array;
}

function resolveSettings(options: DemeanOptions): Settings {
  const s: Settings = {
    tol: options.tol ?? DEFAULTS.tol,
    maxIter: options.maxIter ?? DEFAULTS.maxIter,
    warmup: options.warmup ?? DEFAULTS.warmup,
    projAfterAcc: options.projAfterAcc ?? DEFAULTS.projAfterAcc,
    grandAcc: options.grandAcc && options.grandAcc > 0 ? options.grandAcc : DEFAULTS.grandAcc,
  };
  if (!(s.tol > 0)) throw estimationError(`demean: tol must be positive, got ${s.tol}`);
  if (!(s.maxIter >= 1)) throw estimationError(`demean: maxIter must be at least 1, got ${s.maxIter}`);
  return s;
}

function checkLengths(columns: readonly Float64Array[], n: number): void {
  for (const c of columns) {
    if (c.length !== n)
      throw estimationError(`internal: demean column has ${c.length} rows, fixed effects have ${n}`);
  }
}

function run(
  engine: Engine,
  columns: readonly Float64Array[],
  weights: Float64Array | undefined,
  n: number,
  options: DemeanOptions,
): DemeanResult {
  const s = resolveSettings(options);
  checkLengths(columns, n);
  const out = options.inPlace ? columns.slice() : columns.map((c) => c.slice());
  const K = out.length;
  const Q = engine.Q;
  const iterations = new Array<number>(K).fill(0);
  const convergedColumns = new Array<boolean>(K).fill(true);
  // Accumulated coefficients per column per internal FE (internal layout), only when asked for.
  const wantCoefs = options.coefficients === true;
  const totals: Float64Array[][] | undefined = wantCoefs ? [] : undefined;

  const addTotals = (colIndex: number, subset: readonly number[], coefs: Float64Array[]) => {
    if (!totals) return;
    let row = totals[colIndex];
    if (!row) {
      row = [];
      totals[colIndex] = row;
    }
    for (let j = 0; j < subset.length; j++) {
      const t = subset[j] as number;
      const c = coefs[j] as Float64Array;
      const acc = row[t];
      if (!acc) row[t] = c.slice();
      else for (let g = 0; g < c.length; g++) acc[g] = (acc[g] as number) + (c[g] as number);
    }
  };

  if (K > 0 && Q === 1) {
    const coefs = engine.single(out);
    for (let k = 0; k < K; k++) addTotals(k, [0], [coefs[k] as Float64Array]);
  } else if (K > 0) {
    const scale = columnScales(out, weights);
    const all = Array.from({ length: Q }, (_, t) => t);
    // Phase 1: all FEs (for Q >= 3 only a warm-up of `warmup` iterations, as in fixest).
    let pending = Array.from({ length: K }, (_, k) => k);
    const firstBudget = Q === 2 ? s.maxIter : Math.min(s.warmup, s.maxIter);
    pending = runPhase(
      engine,
      out,
      pending,
      all,
      scale,
      s,
      pending.map(() => firstBudget),
      iterations,
      convergedColumns,
      addTotals,
    ).still;
    if (Q >= 3 && pending.length > 0) {
      // Block Gauss-Seidel between {the two largest FEs} and {the others}: the two largest are solved together by
      // the accelerated two-FE sweep (cheap: it runs on their cross-tab only), the others exactly (one FE) or by
      // their own accelerated sweep, until the smaller block stops moving. This replaces fixest's single
      // "2-FE phase"; in a worker-firm-year panel the year block couples weakly to the worker-firm block, so a
      // handful of outer rounds suffice, each costing a few passes over the rows instead of hundreds of sweeps
      // over the worker x year cross-tab. The generic accelerated phase on all FEs then has the last word on
      // convergence, with fixest's criterion.
      // Budgets, rounds and the final phase are per column: a column's path is the one it would take alone.
      const big = [Q - 2, Q - 1];
      const small = Array.from({ length: Q - 2 }, (_, t) => t);
      const budget2 = new Array<number>(K).fill(Math.floor(s.maxIter / 2) - s.warmup);
      let outer = pending.filter((k) => (budget2[k] as number) > 0);
      for (let round = 0; round < 100 && outer.length > 0; round++) {
        const used = outer.map((k) => iterations[k] as number);
        runPhase(
          engine,
          out,
          outer,
          big,
          scale,
          s,
          outer.map((k) => budget2[k] as number),
          iterations,
          convergedColumns,
          addTotals,
        );
        outer.forEach((k, j) => {
          budget2[k] = (budget2[k] as number) - ((iterations[k] as number) - (used[j] as number));
        });
        const moved = runPhase(
          engine,
          out,
          outer,
          small,
          scale,
          s,
          outer.map((k) => budget2[k] as number),
          iterations,
          convergedColumns,
          addTotals,
        );
        outer = outer.filter(
          (k, j) => !((moved.maxChange[j] as number) <= s.tol) && (budget2[k] as number) > 0,
        );
      }
      const budget3 = pending.map((k) => Math.max(1, s.maxIter - (iterations[k] as number)));
      runPhase(engine, out, pending, all, scale, s, budget3, iterations, convergedColumns, addTotals);
    }
  }

  let coefficients: Float64Array[][] | undefined;
  if (totals) {
    coefficients = [];
    for (let k = 0; k < K; k++) {
      const row = totals[k] ?? [];
      const pub: Float64Array[] = new Array(Q);
      for (let t = 0; t < Q; t++) {
        const orig = engine.order[t] as number;
        const arr = new Float64Array(engine.publicLength(t));
        const internal = row[t];
        if (internal) engine.addPublic(t, internal, arr);
        pub[orig] = arr;
      }
      coefficients.push(pub);
    }
  }
  return {
    columns: out,
    iterations,
    converged: convergedColumns.every(Boolean),
    convergedColumns,
    ...(coefficients ? { coefficients } : {}),
  };
}

/** Runs one accelerated phase on the columns `pending`; returns those that did not converge. */
function runPhase(
  engine: Engine,
  out: Float64Array[],
  pending: number[],
  subset: readonly number[],
  scale: Float64Array,
  s: Settings,
  budgets: readonly number[],
  iterations: number[],
  convergedColumns: boolean[],
  addTotals: (k: number, subset: readonly number[], coefs: Float64Array[]) => void,
): { still: number[]; maxChange: Float64Array } {
  const cols = pending.map((k) => out[k] as Float64Array);
  const sc = Float64Array.from(pending, (k) => scale[k] as number);
  const res = engine.phase(cols, subset, sc, s, budgets);
  engine.apply(cols, subset, res.coefs);
  const still: number[] = [];
  // Largest coefficient increment of the phase per column, relative to the column's scale.
  const maxChange = new Float64Array(pending.length);
  for (let j = 0; j < pending.length; j++) {
    const k = pending[j] as number;
    iterations[k] = (iterations[k] as number) + (res.iterations[j] as number);
    convergedColumns[k] = res.converged[j] === 1;
    if (res.converged[j] !== 1) still.push(k);
    const cj = res.coefs[j] as Float64Array[];
    let mx = 0;
    for (const c of cj) for (let g = 0; g < c.length; g++) mx = Math.max(mx, Math.abs(c[g] as number));
    maxChange[j] = mx / (sc[j] as number);
    addTotals(k, subset, cj);
  }
  return { still, maxChange };
}

/**
 * Weighted standard deviation of each column; 1 when it is 0 (constant column) or not finite. It only scales the
 * convergence tolerance, so one pass suffices: sums of v - v_0 and (v - v_0)^2, shifted by the first value so
 * that a large mean does not cancel the variance away.
 */
function columnScales(cols: readonly Float64Array[], weights: Float64Array | undefined): Float64Array {
  const out = new Float64Array(cols.length);
  for (let k = 0; k < cols.length; k++) {
    const c = cols[k] as Float64Array;
    const shift = c.length > 0 ? (c[0] as number) : 0;
    let sw = 0;
    let s1 = 0;
    let s2 = 0;
    if (weights) {
      for (let i = 0; i < c.length; i++) {
        const w = weights[i] as number;
        const d = (c[i] as number) - shift;
        sw += w;
        s1 += w * d;
        s2 += w * d * d;
      }
    } else {
      sw = c.length;
      for (let i = 0; i < c.length; i++) {
        const d = (c[i] as number) - shift;
        s1 += d;
        s2 += d * d;
      }
    }
    const mean = sw > 0 ? s1 / sw : 0;
    const variance = sw > 0 ? Math.max(0, s2 / sw - mean * mean) : 0;
    const sd = Math.sqrt(variance);
    out[k] = sd > 0 && Number.isFinite(sd) ? sd : 1;
  }
  return out;
}

/**
 * Irons-Tuck acceleration of the fixed-point iteration F, in lockstep for K interleaved columns (column k's
 * entries at idx*K + k). `sweep(x, y)` sets y = F(x) for all columns and leaves the engine's own buffers (the
 * largest FE's coefficients) consistent with y; `finish(k, y)` is called once per column, right after the sweep
 * that produced its final y. The iteration schedule is fixest's demean_acc_gnl.
 *
 * COLUMNS ARE INDEPENDENT. The schedule depends only on the shared counter `iter`; each sweep, Irons-Tuck step and
 * convergence check acts on one column's entries alone (the K-specialised sweeps do the same floating-point
 * operations in the same order for each column), and column k stops at its own cap maxIter[k]. So a column's
 * result, bit for bit, does not depend on which columns are processed with it: the parallel path relies on this.
 */
function accelerate(
  sweep: (x: Float64Array, y: Float64Array) => void,
  len: number,
  K: number,
  scale: Float64Array,
  s: Settings,
  maxIter: readonly number[],
  finish: (k: number, y: Float64Array) => void,
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
  const check = () => {
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

// ---------------------------------------------------------------------------------------------------------------
// Parallel path: the columns split between the main thread and one worker thread.
//
// WHY COLUMNS. Each column's iteration is independent of the others (see `accelerate`), so splitting the columns
// gives results identical, bit for bit, to the serial path whatever the split. Splitting a sweep's rows instead
// would change the order of the sums that the smaller FE accumulates, and hence the rounding.
//
// SYNCHRONOUS. The callers (absorb -> design -> OLS/IV, event studies, ...) are synchronous, so the main thread
// starts the worker, demeans its own group, then blocks in Atomics.wait on a shared flag until the worker is done
// (allowed on Node's main thread). Everything the worker needs is in workerData (no message from the main thread,
// whose event loop is blocked); its results go to shared memory.
//
// DATA. The output columns are allocated in SharedArrayBuffers and filled with the inputs (the copy the serial
// path makes anyway); both threads demean their group in place. The FE ids (and weights, slopes) are copied once
// into shared memory (4 bytes per row per FE). The cross-tabulations are built once, by the worker, directly into
// shared memory, and sent to the main thread (receiveMessageOnPort, synchronous), which meanwhile computes its
// columns' right-hand sides and then iterates on the same tabs. (Building them on the main thread before starting
// the worker measured ~0.5 s slower on 10M rows, twofe: the build, ~0.5 s, is then on the critical path; a private
// build per thread would also double their memory and compete for memory bandwidth.) Per-level arrays are cloned.
//
// SPLIT. Deterministic: the main thread takes the first ceil(K/2) columns (y first), the worker the rest. With
// y and two regressors the worker has one column plus the cross-tabs and its start-up (~50 ms), the main thread
// two columns, whose sweeps read the cross-tab once for both. Splitting columns duplicates the per-row overhead
// (each thread streams the cross-tab and the FE ids), so two threads use ~40% more CPU in total than one.
//
// FAILURE. If the worker cannot be created, does not start within WORKER_START_TIMEOUT_MS or throws, the main
// thread demeans the worker's columns itself (from the untouched inputs, into fresh arrays): same results.

/** Below this many cells (rows x columns), a worker's start-up (~50-100 ms) is not worth it. */
export const PARALLEL_MIN_CELLS = 4e6;
const WORKER_URL = new URL("./demeanWorker.js", import.meta.url);
const WORKER_START_TIMEOUT_MS = 10_000;
/** Shared control array: status (0 running, 1 done, 2 failed), started, cross-tabs sent; then per worker column
 * its iterations, then its convergence (0/1). */
const STATUS = 0;
const STARTED = 1;
const CROSS_READY = 2;
const CONTROL_HEADER = 3;

let workerFileExists: boolean | undefined;

/** Whether the compiled worker (demeanWorker.js) sits next to this module: not when running the .ts sources. */
export function demeanWorkerAvailable(): boolean {
  if (workerFileExists === undefined) {
    try {
      workerFileExists = WORKER_URL.protocol === "file:" && existsSync(fileURLToPath(WORKER_URL));
    } catch {
      workerFileExists = false;
    }
  }
  return workerFileExists;
}

export interface ParallelDecision {
  parallel: boolean;
  /** Why (not): for diagnostics (MOBILITY_THREADS_TRACE=1) and tests. */
  reason: string;
}

/**
 * Whether `absorber.demean` takes the parallel path: asked for (`parallel: true`), not disabled by
 * MOBILITY_THREADS=1 (any number <= 1), more than one CPU (os.availableParallelism()), at least two columns and
 * two FEs (one FE is a closed form: two passes over the rows), n x columns >= PARALLEL_MIN_CELLS, no
 * coefficients asked for, and the compiled worker file present.
 */
export function parallelGate(
  n: number,
  columns: number,
  fixedEffects: number,
  options: DemeanOptions = {},
): ParallelDecision {
  const no = (reason: string): ParallelDecision => ({ parallel: false, reason });
  if (options.parallel !== true) return no("not requested");
  if (options.coefficients === true) return no("coefficients requested");
  const env = process.env.MOBILITY_THREADS?.trim();
  if (env !== undefined && env !== "" && Number(env) <= 1) return no(`MOBILITY_THREADS=${env}`);
  if (availableParallelism() < 2) return no("one CPU");
  if (columns < 2) return no("fewer than two columns");
  if (fixedEffects < 2) return no("one fixed effect (closed form)");
  if (n * columns < PARALLEL_MIN_CELLS) return no(`n x columns = ${n * columns} < ${PARALLEL_MIN_CELLS}`);
  if (!demeanWorkerAvailable()) return no("worker not compiled (running from TypeScript sources)");
  return { parallel: true, reason: "large problem" };
}

/** What the worker receives in workerData (plain data and shared memory only). */
export interface WorkerTask {
  state: CrossState | RowState;
  /** The worker's columns (shared memory), demeaned in place. */
  columns: Float64Array[];
  options: DemeanOptions;
  /** Build the cross-tabs (in shared memory) first and send them to the main thread. */
  publishCrossTabs: boolean;
  control: Int32Array;
  /** Messages to the main thread, read with receiveMessageOnPort (its event loop is blocked). */
  port: MessagePort;
}

type WorkerMessage =
  | { type: "cross"; cross: (CrossTab | undefined)[][] }
  | { type: "error"; message: string };

/** The worker's job (called by demeanWorker.ts): demean its columns in place, write iterations and convergence. */
export function runWorkerTask(task: WorkerTask): void {
  const { state, columns, control } = task;
  const engine = state.kind === "cross" ? new CrossEngine(state) : new RowEngine(state);
  if (task.publishCrossTabs && engine instanceof CrossEngine) {
    const message: WorkerMessage = { type: "cross", cross: engine.buildSharedCrossTabs() };
    task.port.postMessage(message);
    Atomics.store(control, CROSS_READY, 1);
    Atomics.notify(control, CROSS_READY);
  }
  const res = run(engine, columns, state.weights, state.n, {
    ...task.options,
    inPlace: true,
    coefficients: false,
  });
  const K = columns.length;
  for (let j = 0; j < K; j++) {
    control[CONTROL_HEADER + j] = res.iterations[j] as number;
    control[CONTROL_HEADER + K + j] = res.convergedColumns[j] ? 1 : 0;
  }
}

/** Reports a failure from the worker (demeanWorker.ts) and wakes the main thread wherever it waits. */
export function reportWorkerFailure(task: WorkerTask, error: unknown): void {
  const message: WorkerMessage = {
    type: "error",
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  };
  task.port.postMessage(message);
  Atomics.store(task.control, STATUS, 2);
}

function trace(message: string): void {
  if (process.env.MOBILITY_THREADS_TRACE === "1") process.stderr.write(`mobility demean: ${message}\n`);
}

function sharedCopy(c: Float64Array): Float64Array {
  const a = float64Array(c.length, true);
  a.set(c);
  return a;
}

function demeanParallel(
  engine: CrossEngine | RowEngine,
  columns: readonly Float64Array[],
  weights: Float64Array | undefined,
  n: number,
  options: DemeanOptions,
): DemeanResult {
  const started = performance.now();
  resolveSettings(options);
  checkLengths(columns, n);
  const K = columns.length;
  const split = Math.ceil(K / 2);
  // The worker's columns first, so that it can start while the main thread copies its own.
  const theirs = columns.slice(split).map(sharedCopy);
  const Kw = theirs.length;
  const cross = engine instanceof CrossEngine ? engine : undefined;
  // The worker builds the cross-tabs while the main thread computes its columns' right-hand sides.
  const publish = cross !== undefined && !cross.hasCrossTabs();
  const state = cross ? cross.share() : (engine as RowEngine).share();
  const control = new Int32Array(new SharedArrayBuffer(4 * (CONTROL_HEADER + 2 * Kw)));
  const channel = new MessageChannel();
  const runOptions: DemeanOptions = { ...options, inPlace: true, coefficients: false, parallel: false };
  const task: WorkerTask = {
    state,
    columns: theirs,
    options: runOptions,
    publishCrossTabs: publish,
    control,
    port: channel.port2,
  };
  let worker: Worker | undefined;
  let failure: string | undefined;
  const spawned = Date.now();
  try {
    worker = new Worker(WORKER_URL, { workerData: task, transferList: [channel.port2] });
    // Errors are reported through `control` (and handled below); an unhandled 'error' event would throw.
    worker.on("error", () => {});
    worker.unref();
  } catch (e) {
    failure = `could not start a worker: ${e instanceof Error ? e.message : String(e)}`;
  }
  const mine = columns.slice(0, split).map(sharedCopy);
  const prepared = performance.now();
  let crossWait = 0;
  /** Waits on control[index] != 0; false if the worker failed or never started. */
  const waitFor = (index: number): boolean => {
    for (;;) {
      if (Atomics.load(control, index) !== 0) return true;
      const status = Atomics.load(control, STATUS);
      if (status === 2 || (index !== STATUS && status !== 0)) return false;
      if (Atomics.load(control, STARTED) === 0 && Date.now() - spawned > WORKER_START_TIMEOUT_MS)
        return false;
      Atomics.wait(control, index, 0, 100);
    }
  };
  const messages: WorkerMessage[] = [];
  const drain = () => {
    for (let m = receiveMessageOnPort(channel.port1); m; m = receiveMessageOnPort(channel.port1))
      messages.push(m.message as WorkerMessage);
  };
  if (cross && publish && worker) {
    cross.awaitCrossTabs = () => {
      const t0 = performance.now();
      if (waitFor(CROSS_READY)) {
        drain();
        for (const m of messages) if (m.type === "cross") cross.installCrossTabs(m.cross);
      }
      crossWait = performance.now() - t0;
    };
  }
  let mainResult: DemeanResult;
  try {
    mainResult = run(engine, mine, weights, n, runOptions);
  } catch (e) {
    void worker?.terminate();
    channel.port1.close();
    throw e;
  } finally {
    if (cross) cross.awaitCrossTabs = undefined;
  }
  const mainDone = performance.now();
  if (worker) {
    if (!waitFor(STATUS) || Atomics.load(control, STATUS) !== 1) {
      drain();
      const error = messages.find((m) => m.type === "error");
      failure =
        Atomics.load(control, STARTED) === 0
          ? "worker did not start"
          : `worker failed: ${error?.type === "error" ? error.message : "unknown error"}`;
    }
    void worker.terminate();
  }
  channel.port1.close();
  const waited = performance.now();
  const iterations = [...mainResult.iterations];
  const convergedColumns = [...mainResult.convergedColumns];
  let result: Float64Array[];
  if (failure === undefined) {
    for (let j = 0; j < Kw; j++) {
      iterations.push(control[CONTROL_HEADER + j] as number);
      convergedColumns.push(control[CONTROL_HEADER + Kw + j] === 1);
    }
    result = [...mine, ...theirs];
  } else {
    // The worker may still be writing to `theirs`: redo its columns from the inputs, into fresh arrays.
    const redo = run(engine, columns.slice(split), weights, n, { ...runOptions, inPlace: false });
    iterations.push(...redo.iterations);
    convergedColumns.push(...redo.convergedColumns);
    result = [...mine, ...redo.columns];
  }
  trace(
    failure === undefined
      ? `2 threads, columns 0-${split - 1} on the main thread, ${split}-${K - 1} on a worker` +
          `${publish ? " (which built the cross-tabs)" : ""}: setup ${(prepared - started).toFixed(0)} ms, ` +
          `main ${(mainDone - prepared).toFixed(0)} ms (of which waiting for cross-tabs ${crossWait.toFixed(0)}), ` +
          `then waited ${(waited - mainDone).toFixed(0)} ms`
      : `${failure}; demeaned the worker's columns on the main thread`,
  );
  if (options.inPlace) {
    for (let k = 0; k < K; k++) (columns[k] as Float64Array).set(result[k] as Float64Array);
    result = columns.slice();
  }
  return {
    columns: result,
    iterations,
    converged: convergedColumns.every(Boolean),
    convergedColumns,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Cross-tabulation engine (plain FEs).

/** Sparse cross-tabulation of two FEs: rows = levels of the larger, entries = levels of the smaller. */
interface CrossTab {
  start: Int32Array;
  col: Int32Array;
  /** Sum of weights per pair; undefined when every pair has weight exactly 1 (unweighted, no repeated pair). */
  w: Float64Array | undefined;
}

/** Everything a CrossEngine holds, as plain data (a worker thread rebuilds the engine from it). */
interface CrossState {
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
}

class CrossEngine implements Engine {
  readonly Q: number;
  readonly order: number[];
  private readonly ids: Int32Array[];
  private readonly G: number[];
  private readonly invW: Float64Array[];
  private readonly weights: Float64Array | undefined;
  private readonly n: number;
  private readonly cross: (CrossTab | undefined)[][];

  static create(
    fes: readonly FixedEffect[],
    weights: Float64Array | undefined,
    n: number,
    counts?: readonly (Int32Array | undefined)[],
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
      for (let e = 0; e < n0; e++)
        y[e] = ((S0[e] as number) - (acc0[e] as number)) * (inv0[e >> 1] as number);
    };
    const sweep = m === 2 ? (K === 3 ? sweepTwo3 : K === 2 ? sweepTwo2 : sweepTwo) : sweepGeneric;

    const coefs: Float64Array[][] = cols.map(() => []);
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
    const { iterations, converged } = accelerate(sweep, len, K, scale, s, maxIter, finish);
    return { coefs, iterations, converged };
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
): CrossTab {
  const n = da.length;
  const rowStart = int32Array(Ga + 1, shared);
  for (let i = 0; i < n; i++)
    rowStart[(da[i] as number) + 1] = (rowStart[(da[i] as number) + 1] as number) + 1;
  for (let g = 0; g < Ga; g++) rowStart[g + 1] = (rowStart[g + 1] as number) + (rowStart[g] as number);
  // b's ids (and the weights) in a-order, placed by the counting sort directly; the passes below are sequential.
  const bs = int32Array(n, shared);
  const ws = weights ? new Float64Array(n) : undefined;
  const fill = rowStart.slice(0, Ga);
  for (let i = 0; i < n; i++) {
    const g = da[i] as number;
    const p = fill[g] as number;
    bs[p] = db[i] as number;
    if (ws) ws[p] = (weights as Float64Array)[i] as number;
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
  if (weights === undefined && 3 * nnz > n) return { start: rowStart, col: bs, w: undefined };
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
        q++;
      } else if (w) {
        const at = pos[h] as number;
        w[at] = (w[at] as number) + wi;
      }
    }
  }
  return { start, col, w };
}

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
interface RowState {
  kind: "row";
  n: number;
  weights: Float64Array | undefined;
  order: number[];
  fe: RowFe[];
}

class RowEngine implements Engine {
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

// ---------------------------------------------------------------------------------------------------------------

function invert(a: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let g = 0; g < a.length; g++) {
    const v = a[g] as number;
    out[g] = v > 0 ? 1 / v : 0;
  }
  return out;
}

function inverseLevelWeights(d: Int32Array, G: number, weights: Float64Array | undefined): Float64Array {
  const sw = new Float64Array(G);
  if (weights)
    for (let i = 0; i < d.length; i++)
      sw[d[i] as number] = (sw[d[i] as number] as number) + (weights[i] as number);
  else for (let i = 0; i < d.length; i++) sw[d[i] as number] = (sw[d[i] as number] as number) + 1;
  return invert(sw);
}

/** Internal order: FEs by number of coefficients, smallest first (stable). */
function sortBySize(fes: readonly FixedEffect[]): number[] {
  return fes
    .map((fe, i) => ({ i, size: fe.nlevels * coefficientsPerLevel(fe) }))
    .sort((a, b) => a.size - b.size || a.i - b.i)
    .map((e) => e.i);
}

function validate(fes: readonly FixedEffect[], weights: Float64Array | undefined, n: number): void {
  for (const fe of fes) {
    if (fe.ids.length !== n)
      throw estimationError(`internal: fixed effect ${fe.name} has ${fe.ids.length} rows, expected ${n}`);
    const G = fe.nlevels;
    const d = fe.ids;
    for (let i = 0; i < n; i++) {
      const g = d[i] as number;
      if (g < 0 || g >= G) {
        throw estimationError(
          g < 0
            ? `internal: fixed effect ${fe.name} is missing on row ${i}; drop such rows before demeaning`
            : `internal: fixed effect ${fe.name} has id ${g} >= nlevels ${G}`,
        );
      }
    }
    if (fe.slope) {
      if (fe.slope.length !== n)
        throw estimationError(`internal: slope of ${fe.name} has ${fe.slope.length} rows, expected ${n}`);
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(fe.slope[i] as number))
          throw estimationError(`internal: slope of ${fe.name} is not finite on row ${i}`);
      }
    }
  }
  if (weights) {
    if (weights.length !== n)
      throw estimationError(`internal: weights have ${weights.length} rows, expected ${n}`);
    for (let i = 0; i < n; i++) {
      const v = weights[i] as number;
      if (!(v >= 0) || !Number.isFinite(v))
        throw estimationError(`weights must be finite and non-negative (row ${i}: ${v})`);
    }
  }
}
