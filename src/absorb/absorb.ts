/**
 * Absorbing fixed effects into a model frame: encode the `| fe1 + fe1^fe2 + fe[x]` terms, optionally drop
 * singleton observations, and demean the response and the design columns (never building dummy columns).
 * The estimator then solves the within regression; by Frisch-Waugh-Lovell its slopes and residuals are those of
 * the full dummy regression.
 */
import type { Column, NumericColumn } from "../data/table.js";
import { estimationError } from "../errors.js";
import { type ModelFrame, subsetFrame } from "../estimate/frame.js";
import type { FixedEffectTerm } from "../formula/ast.js";
import { type Absorber, createAbsorber } from "./demean.js";
import { encodeFixedEffect, type FixedEffect, subsetFixedEffect, withSlope } from "./fixedEffects.js";
import { findSingletons } from "./singletons.js";

/** Convergence tolerance of the demeaning, relative to each column's standard deviation (see demean.ts). */
export const DEMEAN_TOL = 1e-10;

export interface AbsorbOptions {
  /** Drop observations in singleton groups (reghdfe's default); fixest's default keeps them. */
  dropSingletons: boolean;
}

export interface Absorbed {
  frame: ModelFrame;
  fixedEffects: FixedEffect[];
  absorber: Absorber;
  /** Demeaned response and design columns (same order as frame.columns). */
  response: Float64Array;
  columns: Float64Array[];
  /** Demeaned endogenous regressors and instruments (IV). */
  endogenous: Float64Array[];
  instruments: Float64Array[];
  converged: boolean;
  iterations: number;
  singletons: number;
  notes: string[];
}

/** The frame's fixed effects encoded on the estimation sample, after the rows a rule or singletons removed. */
export interface EncodedFixedEffects {
  frame: ModelFrame;
  fixedEffects: FixedEffect[];
  singletons: number;
  /** Rows per level of each FE, when no row was dropped after counting (the absorber's level weights). */
  levelCounts: readonly (Int32Array | undefined)[] | undefined;
  notes: string[];
}

/**
 * A rule that removes rows on the encoded fixed effects before singletons are looked for (Poisson's separation:
 * fixed-effect groups whose outcome is always zero); null when it removes nothing.
 */
export type RowRule = (
  frame: ModelFrame,
  fes: readonly FixedEffect[],
) => { keep: Uint8Array; note: string } | null;

/** Encodes the `| fe` terms of the frame, applies `rule`, then finds (and optionally drops) singletons. */
export function encodeFixedEffects(
  frame: ModelFrame,
  options: AbsorbOptions,
  rule?: RowRule,
): EncodedFixedEffects {
  let fes = frame.formula.fixedEffects.map((term) => buildFixedEffect(term, frame));
  const notes: string[] = [];
  const ruled = rule?.(frame, fes) ?? null;
  if (ruled !== null) {
    frame = subsetFrame(frame, ruled.keep);
    fes = fes.map((fe) => subsetFixedEffect(fe, ruled.keep));
    notes.push(ruled.note);
  }
  const singletonResult = findSingletons(fes);
  let singletons = 0;
  if (singletonResult.dropped > 0) {
    if (options.dropSingletons) {
      singletons = singletonResult.dropped;
      frame = subsetFrame(frame, singletonResult.keep);
      fes = fes.map((fe) => subsetFixedEffect(fe, singletonResult.keep));
      notes.push(
        `${singletons} singleton observation${singletons === 1 ? "" : "s"} removed (--drop-singletons)`,
      );
    } else {
      notes.push(
        `${singletonResult.dropped} observation${singletonResult.dropped === 1 ? " is a singleton" : "s are singletons"} in the fixed effects (kept, as fixest does; --drop-singletons removes them)`,
      );
    }
  }
  if (frame.nobs === 0)
    throw estimationError(`"${frame.formula.text}": no observations left after removing singletons`);
  return {
    frame,
    fixedEffects: fes,
    singletons,
    levelCounts: singletons === 0 ? singletonResult.levelCounts : undefined,
    notes,
  };
}

export function absorbFixedEffects(frame: ModelFrame, options: AbsorbOptions): Absorbed {
  const encoded = encodeFixedEffects(frame, options);
  frame = encoded.frame;
  const fes = encoded.fixedEffects;
  const singletons = encoded.singletons;
  const notes = encoded.notes;
  const weights = frame.weights ?? undefined;
  // Level counts from the singleton pass are the level weights when nothing was dropped (and no weights).
  const absorber = createAbsorber(fes, weights, encoded.levelCounts);
  const inputs = [
    frame.response.hi,
    ...frame.columns.map((c) => c.hi),
    ...frame.endogenous.map((c) => c.hi),
    ...frame.instruments.map((c) => c.hi),
  ];
  // Large problems split the columns over a worker thread (demean.ts, "Parallel path"): identical results.
  const result = absorber.demean(inputs, { tol: DEMEAN_TOL, parallel: true });
  if (!result.converged) {
    notes.push(
      "the fixed-effects demeaning did not converge: results are approximate (see --help for tolerances)",
    );
  }
  const k = frame.columns.length;
  const e = frame.endogenous.length;
  const out = result.columns;
  return {
    frame,
    fixedEffects: fes,
    absorber,
    response: out[0] as Float64Array,
    columns: out.slice(1, 1 + k),
    endogenous: out.slice(1 + k, 1 + k + e),
    instruments: out.slice(1 + k + e),
    converged: result.converged,
    iterations: Math.max(0, ...result.iterations),
    singletons,
    notes,
  };
}

function buildFixedEffect(term: FixedEffectTerm, frame: ModelFrame): FixedEffect {
  const columns = term.variables.map((v) => frame.fixedEffectColumns.get(v) as Column);
  // A plain FE that is also the cluster variable was encoded with the clusters (same rows, same encoding).
  const asCluster =
    term.variables.length === 1 ? frame.clusters.find((c) => c.name === term.variables[0]) : undefined;
  let fe = asCluster?.fixedEffect ?? encodeFixedEffect(columns, term.variables.join("^"));
  if (term.slopes.length > 1) {
    throw estimationError(
      `${term.label}: one varying slope per fixed effect is supported (write fe[x] + fe[z])`,
    );
  }
  const slopeName = term.slopes[0];
  if (slopeName !== undefined) {
    const slope = frame.fixedEffectColumns.get(slopeName) as Column;
    if (slope.kind !== "number") throw estimationError(`${term.label}: slope '${slopeName}' is not numeric`);
    fe = withSlope(fe, slope as NumericColumn, { intercept: !term.slopesOnly, name: term.label });
  }
  return fe;
}
