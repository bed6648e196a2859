/**
 * The WRE (wild restricted efficient) bootstrap for 2SLS under full enumeration equals brute-force R refits
 * (AER::ivreg on explicit dummies for every one of the 2^G draws, sandwich::vcovCL for the t statistic):
 * test/golden/wild_iv_enumeration.json, scripts/golden/wild_iv_enumeration.R (there is no R implementation of
 * WRE: fwildclusterboot hands IV models to Julia's WildBootTests.jl).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { absorbFixedEffects } from "../../src/absorb/absorb.js";
import { readCsv } from "../../src/data/csv.js";
import { buildModelFrame } from "../../src/estimate/frame.js";
import { parseFormula } from "../../src/formula/parser.js";
import { ivBootstrapRunner, wildBootstrapIv } from "../../src/inference/wildBootstrap/iv.js";
import { expectClose } from "../helpers/close.js";

interface Case {
  id: string;
  file: string;
  formula: string;
  subset_border: number;
  weights?: string | null;
  terms: string[];
  contrast: number[];
  null_value: number;
  cluster: string[];
  boot_cluster: string;
  type: "wcr" | "wcu";
  draws: number;
  invalid: number;
  nobs: number;
  estimate: number;
  statistic: number;
  p_value: number;
  p_value_equal_tailed: number;
  tstar_sorted: number[];
}
const golden = JSON.parse(readFileSync("test/golden/wild_iv_enumeration.json", "utf8")) as { cases: Case[] };

/** The IV pieces through the library: frame (border subset), absorbed fixed effects, demeaned columns. */
async function ivPieces(c: Case) {
  const table = await readCsv(c.file, { types: { state: "string", cz: "string" } });
  const border = table.column("border");
  if (border.kind !== "number") throw new Error("border");
  const frame0 = buildModelFrame(table, parseFormula(c.formula), {
    cluster: ["state", "cohort"],
    ...(c.weights ? { weights: c.weights } : {}),
  });
  // Keep the rows of the case's border group (the frame keeps every row: no missing values here).
  const keep = new Uint8Array(frame0.nobs);
  for (let i = 0; i < frame0.nobs; i++)
    keep[i] = border.values[frame0.rows[i] as number] === c.subset_border ? 1 : 0;
  const { subsetFrame } = await import("../../src/estimate/frame.js");
  const frame = subsetFrame(frame0, keep);
  const absorbed = absorbFixedEffects(frame, { dropSingletons: false });
  const again = absorbed.absorber.demean(
    [
      frame.response.hi,
      ...frame.columns.map((x) => x.hi),
      ...frame.endogenous.map((x) => x.hi),
      ...frame.instruments.map((x) => x.hi),
    ],
    { tol: 1e-15 },
  ).columns;
  const kx = frame.columns.length;
  const ke = frame.endogenous.length;
  const response = again[0] as Float64Array;
  const exog = again.slice(1, 1 + kx);
  const endo = again.slice(1 + kx, 1 + kx + ke);
  const instruments = again.slice(1 + kx + ke);
  const names = [...frame.endogenous.map((x) => `fit_${x.name}`), ...frame.columns.map((x) => x.name)];
  const regressors = [
    ...endo.map((column) => ({ column, endogenous: true })),
    ...exog.map((column) => ({ column, endogenous: false })),
  ];
  const clusters = absorbed.frame.clusters.map((x) => ({ name: x.name, ids: x.ids, count: x.count }));
  // Cluster ids re-encoded densely on the subset.
  const dense = clusters.map((x) => {
    const map = new Map<number, number>();
    const ids = Int32Array.from(x.ids, (v) => {
      let d = map.get(v);
      if (d === undefined) {
        d = map.size;
        map.set(v, d);
      }
      return d;
    });
    return { name: x.name, ids, count: map.size };
  });
  return {
    n: frame.nobs,
    weights: absorbed.frame.weights,
    names,
    regressors,
    instruments,
    response,
    clusters: dense,
    fixedEffects: {
      effects: absorbed.fixedEffects.map((fe) => ({ name: fe.name, ids: fe.ids, nlevels: fe.nlevels })),
      demean: (cols: Float64Array[]) => absorbed.absorber.demean(cols, { tol: 1e-15 }).columns,
    },
  };
}

describe("WRE bootstrap under full enumeration = brute-force ivreg refits in R (scripts/golden/wild_iv_enumeration.R)", () => {
  for (const c of golden.cases) {
    it(`${c.id}: ${c.formula} (border = ${c.subset_border}), ${c.type}, cluster ${c.cluster.join("+")}, bootstrap by ${c.boot_cluster}`, async () => {
      const p = await ivPieces(c);
      expect(p.n).toBe(c.nobs);
      const order = c.terms.map((t) => p.names.indexOf(t));
      expect(order.every((j) => j >= 0)).toBe(true);
      const contrast = p.names.map((t) => {
        const j = c.terms.indexOf(t);
        return j < 0 ? 0 : (c.contrast[j] as number);
      });
      const find = (name: string) => p.clusters.find((x) => x.name === name) as (typeof p.clusters)[number];
      const inputs = {
        regressors: p.regressors,
        instruments: p.instruments,
        response: p.response,
        weights: p.weights,
        clusters: c.cluster.map(find),
        bootCluster: find(c.boot_cluster),
        fixedEffects: p.fixedEffects,
        smallSample: {
          adjustment: (p.n - 1) / (p.n - p.regressors.length),
          clusterDf: "conventional" as const,
        },
      };
      const options = { reps: 9999, seed: 3, type: c.type, interval: "none" as const };
      const result = wildBootstrapIv(inputs, { contrast, value: c.null_value }, options);
      expect(result.enumerated).toBe(true);
      expect(result.reps).toBe(c.draws);
      expect(result.invalidDraws).toBe(c.invalid);
      expectClose([result.estimate, result.statistic], [c.estimate, c.statistic], 1e-9, "estimate, t");
      expect(result.pValue).toBe(c.p_value);
      expect(result.pValueEqualTailed).toBe(c.p_value_equal_tailed);
      const stars = ivBootstrapRunner(inputs, { contrast }, options).run(c.null_value).stars.subarray(1);
      const sorted = Array.from(stars)
        .filter((x) => !Number.isNaN(x))
        .sort((x, y) => x - y);
      let worst = 0;
      sorted.forEach((x, j) => {
        const e = c.tstar_sorted[j] as number;
        worst = Math.max(worst, Math.abs(x - e) / Math.max(1, Math.abs(e)));
      });
      expect(sorted.length).toBe(c.tstar_sorted.length);
      expect(worst, "every bootstrap t (sorted)").toBeLessThan(1e-9);
    });
  }
});

describe("WRE interval by test inversion", () => {
  it("wre_exogenous_regressor, 90%: the bounds are where the p-value crosses 0.10 (to the bisection tolerance)", async () => {
    const c = golden.cases.find((x) => x.id === "wre_exogenous_regressor") as Case;
    const p = await ivPieces(c);
    const cohort = p.clusters.find((x) => x.name === "cohort") as (typeof p.clusters)[number];
    const inputs = {
      regressors: p.regressors,
      instruments: p.instruments,
      response: p.response,
      weights: null,
      clusters: [cohort],
      fixedEffects: p.fixedEffects,
    };
    const contrast = p.names.map((t) => (t === "fit_beta" ? 1 : 0));
    const options = { reps: 9999, seed: 3, level: 0.9 };
    const result = wildBootstrapIv(inputs, { contrast, value: c.null_value }, options);
    expect(result.confLow).toBeLessThan(result.estimate);
    expect(result.confHigh).toBeGreaterThan(result.estimate);
    const eps = 1e-5 * result.stdError; // the bisection stops at 1e-7 standard errors
    const pAt = (r: number) =>
      wildBootstrapIv(inputs, { contrast, value: r }, { ...options, interval: "none" }).pValue;
    expect(pAt(result.confLow + eps)).toBeGreaterThan(0.1);
    expect(pAt(result.confLow - eps)).toBeLessThanOrEqual(0.1);
    expect(pAt(result.confHigh - eps)).toBeGreaterThan(0.1);
    expect(pAt(result.confHigh + eps)).toBeLessThanOrEqual(0.1);
  });
});
