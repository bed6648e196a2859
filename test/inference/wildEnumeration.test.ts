/**
 * The wild cluster bootstrap under full enumeration (every one of the 2^G Rademacher / 6^G Webb draws) equals an
 * independent brute-force R computation that refits lm() with explicit fixed-effect dummies for every draw and
 * takes the t statistic from sandwich::vcovCL: test/golden/wild_enumeration.json, scripts/golden/wild_enumeration.R.
 * Under enumeration the p-value is exact and the seed plays no part.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  olsDrawStatistics,
  prepareOlsBootstrap,
  statisticsAt,
  testOls,
} from "../../src/inference/wildBootstrap/ols.js";
import type { BootWeightType } from "../../src/inference/wildBootstrap/weights.js";
import { expectClose } from "../helpers/close.js";
import { fitPieces } from "../helpers/fitPieces.js";

interface Case {
  id: string;
  file: string;
  formula: string;
  terms: string[];
  weights: string | null;
  cluster: string[];
  boot_cluster: string;
  contrast: number[];
  null_value: number;
  type: "wcr" | "wcu";
  boot_weights: BootWeightType;
  draws: number;
  nobs: number;
  estimate: number;
  statistic: number;
  p_value: number;
  p_value_equal_tailed: number;
  tstar_sorted: number[];
}
const golden = JSON.parse(readFileSync("test/golden/wild_enumeration.json", "utf8")) as { cases: Case[] };

describe("wild bootstrap under full enumeration = brute-force refits in R (scripts/golden/wild_enumeration.R)", () => {
  for (const c of golden.cases) {
    it(`${c.id}: ${c.formula}, ${c.type}, cluster ${c.cluster.join("+")}, bootstrap by ${c.boot_cluster}, ${c.boot_weights}`, async () => {
      const names = [...new Set([...c.cluster, c.boot_cluster])];
      const fit = await fitPieces(c.file, c.formula, {
        cluster: names,
        ...(c.weights ? { weights: c.weights } : {}),
        demeanTol: 1e-15,
      });
      expect(fit.nobs).toBe(c.nobs);
      expect(fit.terms).toEqual(c.terms);
      const clusters = c.cluster.map((name) => fit.clusters.find((x) => x.name === name));
      const boot = fit.clusters.find((x) => x.name === c.boot_cluster);
      if (!boot || clusters.some((x) => !x)) throw new Error("cluster missing");
      const prep = prepareOlsBootstrap({
        columns: fit.columns,
        response: fit.response,
        weights: fit.weights,
        clusters: clusters as NonNullable<(typeof clusters)[number]>[],
        bootCluster: boot,
        fixedEffects: { effects: fit.fixedEffects, demean: fit.demean },
        smallSample: { adjustment: (fit.nobs - 1) / (fit.nobs - c.terms.length), clusterDf: "conventional" },
      });
      const hypothesis = { contrast: c.contrast, value: c.null_value };
      // More replications asked for than there are distinct draws: full enumeration, whatever the seed.
      for (const seed of [1, 2]) {
        const options = {
          reps: 9999,
          seed,
          type: c.type,
          weights: c.boot_weights,
          interval: "none" as const,
        };
        const result = testOls(prep, hypothesis, options);
        expect(result.enumerated).toBe(true);
        expect(result.reps).toBe(c.draws);
        expect(result.pValue).toBe(c.p_value);
        expect(result.pValueEqualTailed).toBe(c.p_value_equal_tailed);
        expectClose([result.estimate, result.statistic], [c.estimate, c.statistic], 1e-11, "estimate, t");
        const stats = olsDrawStatistics(prep, hypothesis, options);
        const t = new Float64Array(stats.a.length);
        statisticsAt(stats, c.type === "wcr" ? c.null_value : 0, t);
        const tstar = Array.from(t.subarray(1)).sort((x, y) => x - y);
        // Absolute below |t| = 1 (a t* near 0 is a difference of nearly equal numbers in both computations).
        let worst = 0;
        tstar.forEach((x, j) => {
          const e = c.tstar_sorted[j] as number;
          worst = Math.max(worst, Math.abs(x - e) / Math.max(1, Math.abs(e)));
        });
        expect(worst, "every bootstrap t (sorted)").toBeLessThan(1e-11);
      }
    });
  }
});

describe("the fixed-effect correction is needed when a fixed effect is not nested in the bootstrap clusters", () => {
  it("wcr_division_twfe without it: the year effects' fit of the bootstrap errors is missing and t* differ", async () => {
    const c = golden.cases.find((x) => x.id === "wcr_division_twfe") as Case;
    const fit = await fitPieces(c.file, c.formula, { cluster: ["division"], demeanTol: 1e-15 });
    const division = fit.clusters[0];
    if (!division) throw new Error("no cluster");
    const base = {
      columns: fit.columns,
      response: fit.response,
      weights: fit.weights,
      clusters: [division],
      smallSample: { adjustment: (fit.nobs - 1) / (fit.nobs - 2), clusterDf: "conventional" as const },
    };
    const options = { reps: 9999, seed: 1, type: "wcr" as const, interval: "none" as const };
    const hypothesis = { contrast: c.contrast, value: 0 };
    const uncorrected = olsDrawStatistics(prepareOlsBootstrap(base), hypothesis, options);
    const t = new Float64Array(uncorrected.a.length);
    statisticsAt(uncorrected, 0, t);
    const sorted = Array.from(t.subarray(1)).sort((x, y) => x - y);
    const worst = Math.max(...sorted.map((x, j) => Math.abs(x - (c.tstar_sorted[j] as number))));
    expect(worst).toBeGreaterThan(1e-3);
  });
});

describe("test inversion: the interval's bounds are where the bootstrap p-value crosses 1 - level", () => {
  it("wcr_division_twfe, 95%: p > 0.05 just inside each bound, p <= 0.05 just outside", async () => {
    const c = golden.cases.find((x) => x.id === "wcr_division_twfe") as Case;
    const fit = await fitPieces(c.file, c.formula, { cluster: ["division"], demeanTol: 1e-15 });
    const prep = prepareOlsBootstrap({
      columns: fit.columns,
      response: fit.response,
      weights: fit.weights,
      clusters: fit.clusters,
      fixedEffects: { effects: fit.fixedEffects, demean: fit.demean },
    });
    const options = { reps: 9999, seed: 1, level: 0.95 };
    const result = testOls(prep, { contrast: c.contrast, value: 0 }, options);
    const width = result.confHigh - result.confLow;
    expect(width).toBeGreaterThan(0);
    const eps = 1e-9 * width;
    const p = (r: number) =>
      testOls(prep, { contrast: c.contrast, value: r }, { ...options, interval: "none" }).pValue;
    expect(p(result.confLow + eps)).toBeGreaterThan(0.05);
    expect(p(result.confLow - eps)).toBeLessThanOrEqual(0.05);
    expect(p(result.confHigh - eps)).toBeGreaterThan(0.05);
    expect(p(result.confHigh + eps)).toBeLessThanOrEqual(0.05);
  });
});

describe("the two routes of the fixed-effect correction agree (ols.ts: cross-tabulated dummies, demeaning)", () => {
  it("wcr_division_twfe through the demeaning route equals the brute force too", async () => {
    const c = golden.cases.find((x) => x.id === "wcr_division_twfe") as Case;
    const fit = await fitPieces(c.file, c.formula, { cluster: ["division"], demeanTol: 1e-15 });
    const prep = prepareOlsBootstrap({
      columns: fit.columns,
      response: fit.response,
      weights: fit.weights,
      clusters: fit.clusters,
      fixedEffects: { effects: fit.fixedEffects, demean: fit.demean },
      smallSample: { adjustment: (fit.nobs - 1) / (fit.nobs - 2), clusterDf: "conventional" },
    });
    expect(prep.feCorrection?.kind).toBe("dummies");
    const forced = { ...prep, feCorrection: { kind: "demean" as const, demean: fit.demean } };
    const options = { reps: 9999, seed: 1, type: "wcr" as const, interval: "none" as const };
    const stats = olsDrawStatistics(forced, { contrast: c.contrast, value: 0 }, options);
    const t = new Float64Array(stats.a.length);
    statisticsAt(stats, 0, t);
    const sorted = Array.from(t.subarray(1)).sort((x, y) => x - y);
    const worst = Math.max(
      ...sorted.map(
        (x, j) =>
          Math.abs(x - (c.tstar_sorted[j] as number)) / Math.max(1, Math.abs(c.tstar_sorted[j] as number)),
      ),
    );
    expect(worst).toBeLessThan(1e-11);
  });
});
