import { estimationError } from "../../errors.js";
import { coefficientsPerLevel, type FixedEffect } from "../fixedEffects.js";
// ---------------------------------------------------------------------------------------------------------------

export function invert(a: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let g = 0; g < a.length; g++) {
    const v = a[g] as number;
    out[g] = v > 0 ? 1 / v : 0;
  }
  return out;
}

export function inverseLevelWeights(
  d: Int32Array,
  G: number,
  weights: Float64Array | undefined,
): Float64Array {
  const sw = new Float64Array(G);
  if (weights)
    for (let i = 0; i < d.length; i++)
      sw[d[i] as number] = (sw[d[i] as number] as number) + (weights[i] as number);
  else for (let i = 0; i < d.length; i++) sw[d[i] as number] = (sw[d[i] as number] as number) + 1;
  return invert(sw);
}

/** Internal order: FEs by number of coefficients, smallest first (stable). */
export function sortBySize(fes: readonly FixedEffect[]): number[] {
  return fes
    .map((fe, i) => ({ i, size: fe.nlevels * coefficientsPerLevel(fe) }))
    .sort((a, b) => a.size - b.size || a.i - b.i)
    .map((e) => e.i);
}

export function validate(fes: readonly FixedEffect[], weights: Float64Array | undefined, n: number): void {
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
