/**
 * The wild cluster bootstrap against fwildclusterboot::boottest 0.14.3 (engine "R", fnw11): t statistics exactly
 * (no randomness), p-values and confidence intervals to the Monte Carlo error of two independent sets of draws
 * (ours 29,999 -- 9,999 for the two-way case --, boottest's 199,999), and under full enumeration (9 division
 * clusters, 2^9 Rademacher draws) the p-values exactly and the interval to boottest's root finding (uniroot with
 * tol = 1e-6 and at most 10 iterations: within 2e-4 standard errors here). Golden file and
 * script: test/golden/wild_fwildclusterboot.json, scripts/golden/wild_fwildclusterboot.R.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  bootstrapResult,
  olsDrawStatistics,
  prepareOlsBootstrap,
} from "../../src/inference/wildBootstrap/ols.js";
import type { BootWeightType } from "../../src/inference/wildBootstrap/weights.js";
import type { IdVariable as ClusterVariable } from "../../src/model/fit.js";
import { expectClose } from "../helpers/close.js";
import { type FitOptions, type FitPieces, fitPieces } from "../helpers/fitPieces.js";

interface Case {
  id: string;
  file: string;
  formula: string;
  weights: string | null;
  param: string[];
  contrast: number[];
  null_value: number;
  cluster: string[];
  boot_cluster: string[];
  boot_weights: string;
  type: "wcr" | "wcu";
  reps: number;
  enumerated: boolean;
  nobs: number;
  estimate: number;
  statistic: number;
  p_value: number;
  p_value_equal_tailed: number;
  conf_int: number[];
  conf_int_equal_tailed: number[];
}
const golden = JSON.parse(readFileSync("test/golden/wild_fwildclusterboot.json", "utf8")) as {
  cases: Case[];
};
const OUR_REPS = 29_999;
/** The two-way case has a dense 552 x 23 fixed-effect term per draw: fewer draws keep the file fast. */
const REPS_TWOWAY = 9_999;
const fits = new Map<string, Promise<FitPieces>>();
function cachedFit(file: string, formula: string, options: FitOptions): Promise<FitPieces> {
  const key = JSON.stringify([file, formula, options]);
  let fit = fits.get(key);
  if (!fit) {
    fit = fitPieces(file, formula, options);
    fits.set(key, fit);
  }
  return fit;
}
const WEIGHTS: Record<string, BootWeightType> = {
  rademacher: "rademacher",
  webb: "webb",
  mammen: "mammen",
  norm: "normal",
};

/** |p - q| within 4.5 Monte Carlo standard deviations of the difference (plus one draw's worth). */
function expectPClose(ours: number, theirs: number, ourReps: number, reps: number, what: string) {
  const p = Math.min(Math.max(theirs, 1 / reps), 1 - 1 / reps);
  const sd = Math.sqrt(p * (1 - p) * (1 / ourReps + 1 / reps));
  expect(
    Math.abs(ours - theirs),
    `${what}: ours ${ours}, boottest ${theirs} (MC sd ${sd})`,
  ).toBeLessThanOrEqual(4.5 * sd + 1 / ourReps);
}

describe("wild cluster bootstrap vs fwildclusterboot::boottest (scripts/golden/wild_fwildclusterboot.R)", () => {
  for (const c of golden.cases) {
    const label = `${c.id}: ${c.formula}, ${c.type} ${c.boot_weights}, cluster ${c.cluster.join("+")}, bootstrap by ${c.boot_cluster.join("^")}`;
    it(label, async () => {
      const fit = await cachedFit(c.file, c.formula, {
        cluster: ["state", "year", "division"].filter(
          (x) => c.file.includes("states_panel") || x === "state",
        ),
        ...(c.weights ? { weights: c.weights } : {}),
        ...(c.file.includes("atlas_f33") ? { types: { fips: "string", state: "string" } } : {}),
        demeanTol: 1e-14,
      });
      expect(fit.nobs).toBe(c.nobs);
      const find = (name: string) => fit.clusters.find((x) => x.name === name) as ClusterVariable;
      const contrast = fit.terms.map((t) => {
        const j = c.param.indexOf(t);
        return j < 0 ? 0 : (c.contrast[j] as number);
      });
      const inputs = {
        columns: fit.columns,
        response: fit.response,
        weights: fit.weights,
        clusters: c.cluster.map(find),
        ...(c.boot_cluster.length === 1 ? { bootCluster: find(c.boot_cluster[0] as string) } : {}),
        fixedEffects: { effects: fit.fixedEffects, demean: fit.demean },
        smallSample: {
          adjustment: (fit.nobs - 1) / (fit.nobs - fit.terms.length),
          clusterDf: "conventional" as const,
        },
      };
      const ourReps = c.cluster.length > 1 ? REPS_TWOWAY : OUR_REPS;
      const base = {
        reps: c.enumerated ? 9999 : ourReps,
        seed: 20240601,
        type: c.type,
        weights: WEIGHTS[c.boot_weights] as BootWeightType,
        level: 0.95,
      };
      const hypothesis = { contrast, value: c.null_value };
      const prep = prepareOlsBootstrap(inputs);
      const stats = olsDrawStatistics(prep, hypothesis, base);
      const sym = bootstrapResult(stats, hypothesis, { ...base, interval: "symmetric" }, prep.boot);
      const eq = bootstrapResult(stats, hypothesis, { ...base, interval: "equal-tailed" }, prep.boot);
      expectClose([sym.estimate, sym.statistic], [c.estimate, c.statistic], 1e-9, "estimate, t statistic");
      expect(sym.enumerated).toBe(c.enumerated);
      const se = Math.abs((sym.estimate - c.null_value) / sym.statistic);
      if (c.enumerated) {
        expect(sym.reps).toBe(c.reps);
        expect(sym.pValue).toBe(c.p_value);
        expect(eq.pValueEqualTailed).toBe(c.p_value_equal_tailed);
        for (const [ours, theirs] of [
          [[sym.confLow, sym.confHigh], c.conf_int],
          [[eq.confLow, eq.confHigh], c.conf_int_equal_tailed],
        ] as const) {
          ours.forEach((x, j) => {
            // boottest's bound: uniroot(tol = 1e-6, maxiter = 10) on the step function p(r); ours is the jump.
            expect(Math.abs(x - (theirs[j] as number)) / se, `interval bound ${j}`).toBeLessThanOrEqual(2e-4);
          });
        }
        return;
      }
      expectPClose(sym.pValue, c.p_value, ourReps, c.reps, "symmetric p");
      expectPClose(sym.pValueEqualTailed, c.p_value_equal_tailed, ourReps, c.reps, "equal-tailed p");
      for (const [ours, theirs, what] of [
        [[sym.confLow, sym.confHigh], c.conf_int, "symmetric interval"],
        [[eq.confLow, eq.confHigh], c.conf_int_equal_tailed, "equal-tailed interval"],
      ] as const) {
        ours.forEach((x, j) => {
          expect(
            Math.abs(x - (theirs[j] as number)) / se,
            `${what} bound ${j}: ${x} vs ${theirs[j]}`,
          ).toBeLessThan(0.06);
        });
      }
    });
  }
});
