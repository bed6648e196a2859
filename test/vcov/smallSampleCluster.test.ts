/**
 * CR2 and CR3 covariances and their Satterthwaite degrees of freedom against clubSandwich 0.5.8 (vcovCR,
 * coef_test(test = "Satterthwaite"), linear_contrast), on the Atlas x F-33 counties clustered by state and on the
 * 23-state reform panel with absorbed state and/or year fixed effects (plm within fits and lm with explicit
 * dummies). Golden file and script: test/golden/fewclusters_cr.json, scripts/golden/fewclusters_cr.R.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { coefficientDfs, satterthwaiteDf } from "../../src/vcov/clusterDf.js";
import { cr2Vcov } from "../../src/vcov/cr2.js";
import { cr3Vcov } from "../../src/vcov/cr3.js";
import type { SmallSampleClusterResult } from "../../src/vcov/smallSampleCluster.js";
import { expectClose } from "../helpers/close.js";
import { fitPieces } from "../helpers/fitPieces.js";

interface Block {
  vcov: number[][];
  std_error: number[];
  df: number[];
  contrasts?: { weights: number[]; estimate: number; std_error: number; df: number }[];
}
interface Case {
  id: string;
  file: string;
  formula: string;
  cluster: string;
  weights: string | null;
  nobs: number;
  terms: string[];
  estimate: number[];
  cr2: Block;
  cr3: Block | null;
}

const golden = JSON.parse(readFileSync("test/golden/fewclusters_cr.json", "utf8")) as { cases: Case[] };
// Fixed-effect models are demeaned to 1e-10 of each column's sd: 1e-8 relative is the contract (README).
const RELATIVE = 1e-8;

function check(result: SmallSampleClusterResult, block: Block, terms: string[], what: string) {
  const k = terms.length;
  const v: number[] = [];
  const want: number[] = [];
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      v.push(result.matrix.get(a, b));
      want.push((block.vcov[a] as number[])[b] as number);
    }
  }
  expectClose(v, want, RELATIVE, `${what} vcov`);
  expectClose(coefficientDfs(result), block.df, RELATIVE, `${what} Satterthwaite df`);
  for (const c of block.contrasts ?? []) {
    let variance = 0;
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        variance += (c.weights[a] as number) * result.matrix.get(a, b) * (c.weights[b] as number);
      }
    }
    expectClose(
      [Math.sqrt(variance), satterthwaiteDf(result, c.weights)],
      [c.std_error, c.df],
      RELATIVE,
      `${what} contrast ${c.weights.join(",")}: se, df`,
    );
  }
}

describe("CR2 / CR3 and Satterthwaite df equal clubSandwich (scripts/golden/fewclusters_cr.R)", () => {
  for (const c of golden.cases) {
    it(`${c.id}: ${c.formula}, cluster ${c.cluster}${c.weights ? `, weights ${c.weights}` : ""}`, async () => {
      const fit = await fitPieces(c.file, c.formula, {
        cluster: [c.cluster],
        ...(c.weights ? { weights: c.weights } : {}),
        ...(c.file.includes("atlas_f33") ? { types: { fips: "string", state: "string" } } : {}),
      });
      expect(fit.nobs).toBe(c.nobs);
      expect(fit.terms).toEqual(c.terms);
      expectClose(Array.from(fit.coefficients), c.estimate, RELATIVE, "estimates");
      const cluster = fit.clusters[0];
      if (!cluster) throw new Error("no cluster");
      const inputs = {
        columns: fit.columns,
        residuals: fit.residuals,
        weights: fit.weights,
        bread: fit.bread,
        clusterIds: cluster.ids,
        clusterCount: cluster.count,
        fixedEffects: fit.fixedEffects,
      };
      check(cr2Vcov(inputs), c.cr2, c.terms, "CR2");
      if (c.cr3) check(cr3Vcov(inputs), c.cr3, c.terms, "CR3");
      else expect(() => cr3Vcov(inputs)).toThrow(/CR3 with weights and absorbed fixed effects/);
    });
  }
});
