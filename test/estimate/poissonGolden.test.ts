/**
 * Poisson PPML against fixest::fepois run to tight tolerances (glm.tol 1e-12, fixef.tol 1e-11), and against glm() +
 * sandwich where fixest's double-precision Cholesky is the less accurate side (scripts/golden/fepois.R): gravity
 * trade flows with four fixed effects, state enrolment counts, F-33 district enrolment with separated fixed-effect
 * groups, an offset, weights, iid / HC1 / one- and two-way clustered covariances.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { expectClose } from "../helpers/close.js";
import { regress } from "../helpers/regress.js";

interface PoissonCase {
  id: string;
  file: string;
  formula: string;
  vcov: string;
  cluster: string[] | null;
  weights: string | null;
  offset: string | null;
  nobs: number;
  separated: boolean;
  terms: string[];
  estimate: number[];
  std_error: number[];
  statistic: number[];
  p_value: number[];
  vcov_matrix: number[][];
  deviance: number;
  log_lik: number;
  null_log_lik: number;
  pseudo_r2: number;
  squared_correlation: number;
  reference: "fixest" | "glm";
  fixef: { name: string; levels: string[]; values: number[] }[] | null;
}

const golden = JSON.parse(readFileSync("test/golden/fepois.json", "utf8")) as { cases: PoissonCase[] };

// Measured worst errors (scripts/golden/fepois.R cases): estimates 1e-11, standard errors 1.4e-9, deviance 2e-11.
const TOLERANCE = { estimate: 1e-9, std_error: 1e-7, p_value: 1e-6, likelihood: 1e-9, fixef: 1e-8 };

describe("Poisson PPML matches fixest::fepois (scripts/golden/fepois.R)", () => {
  for (const c of golden.cases) {
    it(`${c.id}: ${c.formula} [${c.vcov}${c.cluster ? ` ${c.cluster.join("+")}` : ""}${c.offset ? `, offset ${c.offset}` : ""}] vs ${c.reference}`, async () => {
      const fixef: { name: string; levels: readonly string[] | undefined; values: Float64Array }[] = [];
      const output = await regress(
        c.file,
        [c.formula],
        {
          family: "poisson",
          vcov: c.vcov === "hetero" ? "hc1" : c.vcov,
          cluster: c.cluster?.join(","),
          weights: c.weights ?? undefined,
          offset: c.offset ?? undefined,
          types: c.file.includes("f33") ? "LEAID:string" : undefined,
        },
        (_, values) => {
          fixef.push(...values.fixedEffects);
        },
      );
      const model = output.models[0];
      if (model === undefined || model.likelihood === undefined) throw new Error("no Poisson model");
      expect(model.estimator).toBe("poisson");
      expect(model.nobs).toBe(c.nobs);
      expect((model.dropped.separated ?? 0) > 0).toBe(c.separated);
      if (c.separated) expect(model.notes.some((n) => /only zero outcomes \(separation/.test(n))).toBe(true);
      expect(model.coefficients.map((x) => x.term)).toEqual(c.terms);
      const column = (field: "estimate" | "std_error" | "statistic" | "p_value") =>
        model.coefficients.map((x) => x[field]);
      expectClose(column("estimate"), c.estimate, TOLERANCE.estimate, "estimate");
      expectClose(column("std_error"), c.std_error, TOLERANCE.std_error, "std_error");
      expectClose(column("statistic"), c.statistic, TOLERANCE.std_error, "z statistic");
      expectClose(column("p_value"), c.p_value, TOLERANCE.p_value, "p_value", { logScale: true });
      expectClose(model.vcov_matrix.flat(), c.vcov_matrix.flat(), TOLERANCE.std_error * 2, "vcov matrix");
      // Normal inference, as fixest for Poisson.
      expect(model.vcov.df_t).toBe(Number.POSITIVE_INFINITY);
      const l = model.likelihood;
      expectClose(
        [l.deviance, l.log_lik, l.null_log_lik, l.pseudo_r2],
        [c.deviance, c.log_lik, c.null_log_lik, c.pseudo_r2],
        TOLERANCE.likelihood,
        "deviance, log-likelihood, null log-likelihood, pseudo R2",
      );
      if (c.reference === "fixest")
        expectClose(
          [l.squared_correlation],
          [c.squared_correlation],
          TOLERANCE.likelihood,
          "squared correlation",
        );
      for (const fe of c.fixef ?? []) {
        const ours = fixef.find((f) => f.name === fe.name);
        expect(ours?.levels).toEqual(fe.levels);
        expectClose(Array.from(ours?.values ?? []), fe.values, TOLERANCE.fixef, `fixef ${fe.name}`, {
          floor: 1,
        });
      }
    });
  }

  it("refuses a negative outcome with the file, line and column", async () => {
    await expect(regress("fixtures/petersen.csv", ["y ~ x"], { family: "poisson" })).rejects.toThrow(
      /petersen\.csv line \d+, outcome 'y': a Poisson outcome must be non-negative, found -/,
    );
  });
});
