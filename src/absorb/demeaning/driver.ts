import { estimationError } from "../../errors.js";
import type { DemeanOptions, DemeanResult } from "../demean.js";
/**
 * The demeaning driver shared by both engines: settings, per-column scales for the stopping rule, the phases of the
 * iteration (warm-up, block rounds for 3+ fixed effects, final phase) and their results. The module comment of
 * src/absorb/demean.ts describes the algorithm.
 */
// ---------------------------------------------------------------------------------------------------------------
// Driver shared by both engines.

/** fixest's demeaning_algo() defaults, and our stopping tolerance relative to each column's sd. */
export const DEFAULTS = { tol: 1e-8, maxIter: 10_000, warmup: 15, projAfterAcc: 40, grandAcc: 4 };

export interface Settings {
  tol: number;
  maxIter: number;
  warmup: number;
  projAfterAcc: number;
  grandAcc: number;
}

/** A sweep engine: how to compute right-hand sides, run an accelerated phase, and apply the result. */
export interface Engine {
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

export interface PhaseResult {
  /** coefs[column][j] for subset[j] (internal layout). */
  coefs: Float64Array[][];
  iterations: Int32Array;
  converged: Uint8Array;
}

export function resolveSettings(options: DemeanOptions): Settings {
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

export function checkLengths(columns: readonly Float64Array[], n: number): void {
  for (const c of columns) {
    if (c.length !== n)
      throw estimationError(`internal: demean column has ${c.length} rows, fixed effects have ${n}`);
  }
}

export function run(
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
  const totals: Float64Array[][] | undefined = wantCoefs || options.keepState === true ? [] : undefined;

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

  // Warm start: residualise each column on its starting coefficients, which then count in its totals.
  if (options.start !== undefined && K > 0) {
    if (options.start.length !== K)
      throw estimationError("internal: warm start for a different number of columns");
    const all = Array.from({ length: Q }, (_, t) => t);
    const start = options.start.map((row) => all.map((t) => Float64Array.from(row[t] as Float64Array)));
    engine.apply(out, all, start);
    for (let k = 0; k < K; k++) addTotals(k, all, start[k] as Float64Array[]);
  }

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
  const state =
    options.keepState && totals
      ? Array.from({ length: K }, (_, k) =>
          Array.from({ length: Q }, (_, t) => totals[k]?.[t] ?? new Float64Array(engine.publicLength(t))),
        )
      : undefined;
  return {
    columns: out,
    iterations,
    converged: convergedColumns.every(Boolean),
    convergedColumns,
    ...(wantCoefs && coefficients ? { coefficients } : {}),
    ...(state ? { state } : {}),
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
