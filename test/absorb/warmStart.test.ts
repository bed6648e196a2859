/**
 * Warm starts and re-weighting of the demeaning (what Poisson's IRLS uses): the solution does not depend on where
 * the iteration starts, and a re-weighted absorber equals one built afresh with the new weights (same fixed effects,
 * three of them, so the cross-tab engine's generic sweeps and its block rounds run).
 */
import { describe, expect, it } from "vitest";
import { createAbsorber } from "../../src/absorb/demean.js";
import { fixedEffectFromIds } from "../../src/absorb/fixedEffects.js";
import { mulberry32 } from "../../src/numeric/random.js";
import { expectClose } from "../helpers/close.js";

describe("demeaning warm starts and re-weighting", () => {
  const n = 20_000;
  const r = mulberry32(11);
  const ids = (g: number) => Int32Array.from({ length: n }, () => Math.floor(r() * g));
  const fes = [
    fixedEffectFromIds("a", ids(2000), 2000),
    fixedEffectFromIds("b", ids(300), 300),
    fixedEffectFromIds("c", ids(20), 20),
  ];
  const column = () => Float64Array.from({ length: n }, () => r() - 0.5);
  const w1 = Float64Array.from({ length: n }, () => 0.5 + r());
  const w2 = Float64Array.from({ length: n }, () => 0.5 + r());
  const x = column();
  const y = column();

  it("a re-weighted absorber equals a fresh one with the new weights", () => {
    const first = createAbsorber(fes, w1, undefined, { reweightable: true });
    first.demean([x], { tol: 1e-12 });
    const fresh = createAbsorber(fes, w2).demean([x, y], { tol: 1e-12 });
    const reweighted = first.reweighted(w2).demean([x, y], { tol: 1e-12 });
    fresh.columns.forEach((c, j) => {
      expectClose(Array.from(reweighted.columns[j] as Float64Array), Array.from(c), 1e-9, `column ${j}`, {
        floor: 1,
      });
    });
  });

  it("a warm start from another column's solution reaches the same demeaned column, in fewer sweeps", () => {
    const absorber = createAbsorber(fes, w1);
    const cold = absorber.demean([y], { tol: 1e-12, keepState: true });
    // Start y from the solution of a nearby column (y plus small noise), as IRLS does step to step.
    const nearby = Float64Array.from(y, (v) => v + 0.01 * (r() - 0.5));
    const state = absorber.demean([nearby], { tol: 1e-12, keepState: true }).state as Float64Array[][];
    const warm = absorber.demean([y], { tol: 1e-12, start: state, keepState: true });
    expectClose(
      Array.from(warm.columns[0] as Float64Array),
      Array.from(cold.columns[0] as Float64Array),
      1e-9,
      "y",
      {
        floor: 1,
      },
    );
    expect(warm.iterations[0]).toBeLessThan(cold.iterations[0] as number);
  });
});
