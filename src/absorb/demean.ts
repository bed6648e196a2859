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
 * thread and one worker thread; each column's result is bit for bit the serial one (demeaning/parallel.ts).
 *
 * CODE. This module is the interface; src/absorb/demeaning/ holds the parts: driver.ts (phases, stopping rule),
 * acceleration.ts (Irons-Tuck), crossEngine.ts (plain fixed effects on cross-tabulations, with unrolled 1-, 2- and
 * 3-column sweeps that are the speed), rowEngine.ts (varying slopes), parallel.ts + worker.ts (the two-thread
 * protocol), levels.ts (level weights and checks).
 */
import { estimationError } from "../errors.js";
import { CrossEngine } from "./demeaning/crossEngine.js";
import { run } from "./demeaning/driver.js";
import { validate } from "./demeaning/levels.js";
import { demeanParallel, parallelGate } from "./demeaning/parallel.js";
import { RowEngine } from "./demeaning/rowEngine.js";
import type { FixedEffect } from "./fixedEffects.js";

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
   * accepts the problem. The results are bit for bit those of the serial path. Ignored with `coefficients`,
   * `start` and `keepState`.
   */
  parallel?: boolean;
  /**
   * Warm start: per column, the fixed-effect coefficients to start from, as a previous call's `state` returned
   * them (same fixed effects, same number of columns). An iteration that demeans similar columns repeatedly
   * (Poisson's IRLS: the working response and the design with new weights each step) converges in a few sweeps
   * from the previous solution instead of from zero. The solution does not depend on the start, only the work.
   */
  start?: readonly (readonly Float64Array[])[];
  /** Return `state` (the coefficients reached, internal layout) for a later warm start. */
  keepState?: boolean;
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
  /** With `keepState`: the coefficients reached, per column, in the engine's layout (pass back as `start`). */
  readonly state?: Float64Array[][];
}

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
  /**
   * The same fixed effects with new row weights, reusing what does not depend on them (the cross-tabulations'
   * structure, when the absorber was created `reweightable`): Poisson's IRLS re-weights every step.
   */
  reweighted(weights: Float64Array): Absorber;
}

export function createAbsorber(
  fes: readonly FixedEffect[],
  weights: Float64Array | undefined,
  /** Rows per level of each FE, if the caller has counted them (singletons.ts does): saves a pass per FE. */
  levelCounts?: readonly (Int32Array | undefined)[],
  /** Keep each row's cross-tab entries so that `reweighted` costs one pass per tab (one Int32 per row per tab). */
  options: { reweightable?: boolean } = {},
): Absorber {
  if (fes.length === 0) throw estimationError("internal: demean needs at least one fixed effect");
  const n = (fes[0] as FixedEffect).ids.length;
  validate(fes, weights, n);
  const anySlope = fes.some((fe) => fe.slope !== undefined);
  const engine = anySlope
    ? RowEngine.create(fes, weights, n)
    : CrossEngine.create(
        fes,
        weights,
        n,
        weights === undefined ? levelCounts : undefined,
        options.reweightable,
      );
  return absorberOf(engine, fes, weights, n);
}

function absorberOf(
  engine: CrossEngine | RowEngine,
  fes: readonly FixedEffect[],
  weights: Float64Array | undefined,
  n: number,
): Absorber {
  return {
    n,
    fes,
    demean(columns, options = {}) {
      if (parallelGate(n, columns.length, engine.Q, options).parallel)
        return demeanParallel(engine, columns, weights, n, options);
      return run(engine, columns, weights, n, options);
    },
    reweighted(next) {
      validate(fes, next, n);
      const engineNext =
        engine instanceof CrossEngine ? engine.reweighted(next) : RowEngine.create(fes, next, n);
      return absorberOf(engineNext, fes, next, n);
    },
  };
}
