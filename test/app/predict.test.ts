/**
 * Predictions against R (scripts/golden/predict.R, test/golden/predict.json): predict.lm (fit, se.fit, confidence
 * and prediction intervals, iid), fixest 0.12.2's predict.fixest (one and two fixed effects through their
 * estimates, a varying slope, heteroskedasticity-robust intervals, IV, Poisson), unseen fixed-effect levels as NA,
 * and the above-the-bound flags with p.adjust's Benjamini-Hochberg q-values. Estimated on the training rows of
 * fixtures/predict/counties.csv (Atlas x F-33 counties), CigarettesSW and fixest's trade data.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { benjaminiHochberg, runPrediction, splitRows } from "../../src/app/predict.js";
import type { RegressionRequest } from "../../src/app/regression.js";
import { readCsv } from "../../src/data/csv.js";
import type { Table } from "../../src/data/table.js";
import { parseFormula } from "../../src/formula/parser.js";

interface Case {
  id: string;
  fit: (number | null)[];
  se_fit?: (number | null)[];
  conf_low?: (number | null)[];
  conf_high?: (number | null)[];
  pred_low?: (number | null)[];
  pred_high?: (number | null)[];
  residual?: (number | null)[];
  p_above?: (number | null)[];
  q_above?: (number | null)[];
  above?: (number | null)[];
  lm_fit?: (number | null)[];
  glm_fit?: (number | null)[];
}
const golden = JSON.parse(readFileSync("test/golden/predict.json", "utf8")) as { cases: Case[] };
const byId = (id: string) => golden.cases.find((c) => c.id === id) as Case;
const TOL = 1e-10;

/**
 * Element-wise relative agreement where R has a value; NaN where R has NA (unless `partial`: R's NA then means
 * "no reference here", e.g. a prediction that is not estimable with dummies). Returns the worst difference.
 */
function agree(
  actual: Float64Array,
  expected: (number | null)[],
  what: string,
  tol = TOL,
  partial = false,
): number {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = 0;
  expected.forEach((e, i) => {
    const a = actual[i] as number;
    if (e === null) {
      if (!partial) expect(a, `${what}[${i}] should be missing`).toBeNaN();
      return;
    }
    const err = a === e ? 0 : Math.abs(a - e) / Math.abs(e);
    worst = Math.max(worst, err);
  });
  expect(worst, `${what}: worst relative difference`).toBeLessThanOrEqual(tol);
  return worst;
}

function request(formula: string, extra: Partial<RegressionRequest> = {}): RegressionRequest {
  return { formulas: [parseFormula(formula)], covariance: { vcov: "iid" }, level: 0.95, ...extra };
}

function column(table: Table, name: string): Float64Array {
  return table.numeric(name).values;
}

describe("predict matches R predict.lm and fixest::predict (scripts/golden/predict.R)", async () => {
  const counties = await readCsv("fixtures/predict/counties.csv", {
    types: { fips: "string", state: "string" },
  });
  const split = { kind: "column" as const, column: "sample" };

  it("lm with a factor, iid: fit, se.fit, both intervals, unseen level NA; residual flags and BH q-values", async () => {
    const run = await runPrediction(counties, {
      regression: request("kfr ~ log_ppe + local_share + state"),
      selection: split,
    });
    const c = byId("lm_factor_iid");
    for (const k of [
      "fit",
      "se_fit",
      "conf_low",
      "conf_high",
      "pred_low",
      "pred_high",
      "residual",
      "p_above",
      "q_above",
    ] as const)
      agree(column(run.table, k), c[k] as (number | null)[], k);
    expect(Array.from(column(run.table, "above"), (v) => (Number.isNaN(v) ? null : v))).toEqual(c.above);
    expect(run.prediction.unseenLevels).toBe(5);
  });

  it("one fixed effect through fixef (fixest's fit); iid se as lm with the fixed effect as dummies", async () => {
    const run = await runPrediction(counties, {
      regression: request("kfr ~ log_ppe + local_share | state"),
      selection: split,
    });
    const c = byId("feols_fe_iid");
    for (const k of ["fit", "se_fit", "conf_low", "conf_high", "pred_low", "pred_high"] as const)
      agree(column(run.table, k), c[k] as (number | null)[], k);
    expect(run.notes.join("\n")).toMatch(/fixed effect 'state': 1 level not in the fit \(44\)/);
  });

  it("two fixed effects and a varying slope: lm with dummies to 1e-10 where estimable, fixest's fit everywhere", async () => {
    const two = await runPrediction(counties, {
      regression: request("kfr ~ log_ppe + local_share | state + cz"),
      selection: split,
    });
    const fe2 = byId("feols_fe2");
    // Estimable rows: the exact (QR) fit of the dummy-variable model.
    agree(column(two.table, "fit"), fe2.lm_fit as (number | null)[], "fit (state + cz) vs lm", TOL, true);
    // Every row, rows in different connected components included (fixef's normalisation): fixest's fit, which
    // carries its demeaning tolerance (~1e-8, measured 1.5e-8 from lm on the estimable rows).
    agree(column(two.table, "fit"), fe2.fit, "fit (state + cz) vs fixest", 1e-7);
    expect(Number.isNaN(column(two.table, "se_fit")[0] as number)).toBe(true);
    expect(two.notes.join("\n")).toMatch(/one fixed effect without slopes/);
    const slope = await runPrediction(counties, {
      regression: request("kfr ~ local_share | state[log_ppe]"),
      selection: split,
    });
    const sl = byId("feols_slope");
    agree(
      column(slope.table, "fit"),
      sl.lm_fit as (number | null)[],
      "fit (state[log_ppe]) vs lm",
      TOL,
      true,
    );
    agree(column(slope.table, "fit"), sl.fit, "fit (state[log_ppe]) vs fixest", 1e-7);
  });

  it("heteroskedasticity-robust covariance: fixest's se.fit and t intervals", async () => {
    const run = await runPrediction(counties, {
      regression: request("kfr ~ log_ppe + local_share + log(enrollment)", { covariance: { vcov: "hc1" } }),
      selection: split,
    });
    const c = byId("feols_hc1");
    for (const k of ["fit", "se_fit", "conf_low", "conf_high", "pred_low", "pred_high"] as const)
      agree(column(run.table, k), c[k] as (number | null)[], k);
  });

  it("IV: the actual endogenous values under fit_ coefficients; fixest's se.fit and intervals", async () => {
    const cig = await readCsv("fixtures/cigarettes_sw.csv", { types: { state: "string" } });
    const run = await runPrediction(cig, {
      regression: request("log(packs) ~ log(income / cpi) | log(price / cpi) ~ I(taxs / cpi)"),
      selection: { kind: "all" },
    });
    const c = byId("feols_iv");
    for (const k of ["fit", "se_fit", "conf_low", "conf_high", "pred_low", "pred_high"] as const)
      agree(column(run.table, k), c[k] as (number | null)[], k);
  });

  it("Poisson: fitted means exp(eta), delta-method se and link-scale intervals; with two fixed effects", async () => {
    const trade = await readCsv("fixtures/poisson/trade.csv");
    const selection = { kind: "condition" as const, test: "Product == 1" };
    const run = await runPrediction(trade, {
      regression: request("Euros ~ log(dist_km)", { family: "poisson" }),
      selection,
    });
    const c = byId("fepois");
    agree(column(run.table, "fit"), c.fit, "fit");
    // The standard errors carry the Poisson covariance's agreement with fixest's (1.4e-9 measured in
    // test/estimate/poissonGolden.test.ts: the IRLS weights at convergence), so se_fit and the interval 1e-8.
    for (const k of ["se_fit", "conf_low", "conf_high"] as const)
      agree(column(run.table, k), c[k] as (number | null)[], k, 1e-8);
    expect(run.notes.join("\n")).toMatch(/no prediction interval/);
    const fe = await runPrediction(trade, {
      regression: request("Euros ~ log(dist_km) | Origin + Destination", { family: "poisson" }),
      selection,
    });
    const fepoisFe = byId("fepois_fe");
    agree(
      column(fe.table, "fit"),
      fepoisFe.glm_fit as (number | null)[],
      "fit (Poisson, two FE) vs glm",
      TOL,
    );
    agree(column(fe.table, "fit"), fepoisFe.fit, "fit (Poisson, two FE) vs fixest", 1e-7);
  });
});

describe("row splits", async () => {
  const counties = await readCsv("fixtures/predict/counties.csv", {
    types: { fips: "string", state: "string" },
  });

  it("a seeded random split is reproducible and near its fraction; test is the complement of train", async () => {
    const a = await splitRows(counties, { kind: "random", fraction: 0.7, seed: 42 });
    const b = await splitRows(counties, { kind: "random", fraction: 0.7, seed: 42 });
    const c = await splitRows(counties, { kind: "random", fraction: 0.7, seed: 43 });
    expect(Array.from(a.train)).toEqual(Array.from(b.train));
    expect(Array.from(a.train)).not.toEqual(Array.from(c.train));
    expect(a.train.length + a.test.length).toBe(counties.nrows);
    expect(Math.abs(a.train.length / counties.nrows - 0.7)).toBeLessThan(0.03);
  });

  it("a train condition predicts the other rows; a bad split value names its line", async () => {
    const s = await splitRows(counties, { kind: "condition", train: "state != '44'" });
    expect(s.test.length).toBe(5);
    await expect(splitRows(counties, { kind: "column", column: "state" })).rejects.toThrow(
      /fixtures\/predict\/counties.csv line 2, column 'state': expected train or test/,
    );
  });

  it("Benjamini-Hochberg equals p.adjust(p, 'BH') on a hand example", () => {
    // R: p.adjust(c(0.01, 0.04, 0.03, NA, 0.5), "BH") = 0.04 0.0533333333333333 0.0533333333333333 NA 0.5
    const q = benjaminiHochberg(Float64Array.from([0.01, 0.04, 0.03, Number.NaN, 0.5]));
    expect(Array.from(q).map((v) => (Number.isNaN(v) ? null : Number(v.toFixed(12))))).toEqual([
      0.04,
      0.053333333333,
      0.053333333333,
      null,
      0.5,
    ]);
  });
});
