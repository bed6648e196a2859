/**
 * README claims checked against independent implementations (scripts/golden/claims.R, issue 18):
 * `--ssc none` is the raw sandwich with normal inference (R sandwich: vcovHC HC0, vcovCL HC0 with cadjust = FALSE,
 * two-way multi0 = FALSE), and three-way clustering is fixest's (cluster = ~ a + b + c, default ssc).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { expectModelMatchesGolden, type GoldenModel } from "../helpers/goldenModel.js";
import { regress } from "../helpers/regress.js";

/** A golden case: how the model is specified, and its results (GoldenModel). */
interface ClaimCase extends GoldenModel {
  id: string;
  file: string;
  formula: string;
  ssc: string;
  vcov: "hetero" | "cluster";
  cluster: string[] | null;
  df_t?: number;
  source: string;
}

const golden = JSON.parse(readFileSync("test/golden/claims.json", "utf8")) as { cases: ClaimCase[] };

// Measured worst relative errors against sandwich (lm's QR): estimates 2e-13, standard errors 3e-12; against
// fixest, whose double-precision normal equations are the less accurate side, estimates 2.5e-11 and standard
// errors 3e-10 on log trade values. Tolerances about 100x those (test/README.md).
const TOLERANCE = { estimate: 1e-9, std_error: 3e-8, p_value: 1e-7 };

describe("README claims against sandwich and fixest (scripts/golden/claims.R)", () => {
  for (const c of golden.cases) {
    it(`${c.id}: ${c.formula} [${c.vcov}${c.cluster ? ` ${c.cluster.join("+")}` : ""}, ssc ${c.ssc}] vs ${c.source.split(",")[0]}`, async () => {
      const output = await regress(c.file, [c.formula], {
        vcov: c.vcov === "hetero" ? "hc1" : undefined,
        cluster: c.cluster?.join(","),
        ssc: c.ssc,
      });
      const model = expectModelMatchesGolden(output.models[0], c, TOLERANCE);
      if (c.ssc === "none") expect(model.vcov.df_t).toBe(Number.POSITIVE_INFINITY);
      if (c.df_t !== undefined) expect(model.vcov.df_t).toBe(c.df_t);
    });
  }
});
