/**
 * Two-stage least squares against R: AER::ivreg and estimatr::iv_robust, with fixest's and ivreg2's conventions
 * for the weak-instrument statistics computed by hand (test/golden/iv.json, scripts/golden/iv.R). Data: AER's
 * CigarettesSW (the Stock-Watson textbook example and a state x year panel with fixed effects).
 * Coefficient names follow fixest (`fit_lprice`, placed after the intercept); the golden file names them as R's
 * ivreg does (`lprice`), so they are compared by name.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { expectClose } from "../helpers/close.js";
import { regress } from "../helpers/regress.js";

interface Stage {
  endogenous: string;
  terms: string[];
  estimate: number[];
  std_error: number[];
  f_iid: number;
  f_wald: number;
}
interface IvCase {
  id: string;
  file: string;
  formula: string;
  vcov: string;
  cluster: string[] | null;
  nobs: number;
  endogenous: string[];
  terms: string[];
  estimate: number[];
  std_error: number[];
  statistic: number[];
  p_value: number[];
  conf_low: number[];
  conf_high: number[];
  vcov_matrix: number[][];
  vcov_k: number;
  df_t: number;
  r2: number;
  adj_r2: number;
  rmse: number;
  sigma: number;
  first_stage: Stage[];
  weak_iv: {
    cragg_donald_f: number;
    kp_rk_wald_f?: number;
    sanderson_windmeijer?: Record<string, { stat: number }>;
  };
}

const golden = JSON.parse(readFileSync("test/golden/iv.json", "utf8")) as { cases: IvCase[] };
const RELATIVE = 1e-8;

function byName(
  ourTerms: string[],
  ourValues: number[],
  theirTerms: string[],
  rename: (t: string) => string = (t) => t,
): number[] {
  return theirTerms.map((t) => {
    const j = ourTerms.indexOf(rename(t));
    if (j < 0) throw new Error(`no term ${rename(t)} among ${ourTerms.join(", ")}`);
    return ourValues[j] as number;
  });
}

describe("2SLS matches AER::ivreg / estimatr::iv_robust and hand-computed weak-IV statistics (scripts/golden/iv.R)", () => {
  for (const c of golden.cases) {
    it(`${c.id}: ${c.formula} [${c.vcov}${c.cluster ? ` ${c.cluster.join("+")}` : ""}]`, async () => {
      const output = await regress(c.file, [c.formula], {
        vcov: c.vcov === "cluster" ? undefined : c.vcov,
        cluster: c.cluster?.join(","),
        level: "0.95",
      });
      const model = output.models[0];
      if (model === undefined || model.iv === undefined) throw new Error("no IV model");
      expect(model.nobs).toBe(c.nobs);
      const terms = model.coefficients.map((x) => x.term);
      const rename = (t: string) => (c.endogenous.includes(t) ? `fit_${t}` : t);
      expect([...terms].sort()).toEqual(c.terms.map(rename).sort());
      const est = byName(
        terms,
        model.coefficients.map((x) => x.estimate),
        c.terms,
        rename,
      );
      const se = byName(
        terms,
        model.coefficients.map((x) => x.std_error),
        c.terms,
        rename,
      );
      expectClose(est, c.estimate, RELATIVE, "estimate");
      expectClose(se, c.std_error, RELATIVE, "std_error");
      expect(model.vcov.df_t).toBe(c.df_t);
      expectClose(
        [model.r2, model.adj_r2, model.rmse, model.sigma],
        [c.r2, c.adj_r2, c.rmse, c.sigma],
        RELATIVE,
        "r2, adj_r2, rmse, sigma",
      );
      const field = (key: "statistic" | "p_value" | "conf_low" | "conf_high") =>
        byName(
          terms,
          model.coefficients.map((x) => x[key]),
          c.terms,
          rename,
        );
      expectClose(field("statistic"), c.statistic, RELATIVE, "statistic");
      expectClose(field("p_value"), c.p_value, RELATIVE, "p_value", { logScale: true });
      expectClose(field("conf_low"), c.conf_low, RELATIVE, "conf_low");
      expectClose(field("conf_high"), c.conf_high, RELATIVE, "conf_high");
      expect(model.vcov.k).toBe(c.vcov_k);
      // The covariance in the golden's term order.
      const order = c.terms.map((t) => terms.indexOf(rename(t)));
      expectClose(
        order.flatMap((a) => order.map((b) => model.vcov_matrix[a]?.[b] ?? Number.NaN)),
        c.vcov_matrix.flat(),
        2 * RELATIVE,
        "vcov matrix",
      );

      for (const stage of c.first_stage) {
        const ours = model.iv.first_stages.find((f) => f.endogenous === stage.endogenous);
        if (ours === undefined) throw new Error(`no first stage for ${stage.endogenous}`);
        const stageTerms = ours.coefficients.map((x) => x.term);
        expectClose(
          byName(
            stageTerms,
            ours.coefficients.map((x) => x.estimate),
            stage.terms,
          ),
          stage.estimate,
          RELATIVE,
          "first-stage estimate",
        );
        expectClose(
          byName(
            stageTerms,
            ours.coefficients.map((x) => x.std_error),
            stage.terms,
          ),
          stage.std_error,
          RELATIVE,
          "first-stage std_error",
        );
        // Partial F of the excluded instruments with the model's covariance (fixest's ivwald; = F with iid).
        expectClose([ours.partial_f], [stage.f_wald], RELATIVE, "first-stage partial F");
        const sw = c.weak_iv.sanderson_windmeijer?.[stage.endogenous];
        if (sw)
          expectClose(
            [ours.sanderson_windmeijer_f ?? Number.NaN],
            [sw.stat],
            RELATIVE,
            "Sanderson-Windmeijer F",
          );
      }
      // ivreg2's Cragg-Donald Wald F (the first-stage iid F with one endogenous regressor).
      expectClose([model.iv.cragg_donald_f], [c.weak_iv.cragg_donald_f], RELATIVE, "Cragg-Donald F");
      if (c.vcov !== "iid" && c.endogenous.length === 1 && c.weak_iv.kp_rk_wald_f !== undefined) {
        expectClose(
          [model.iv.kleibergen_paap_f ?? Number.NaN],
          [c.weak_iv.kp_rk_wald_f],
          RELATIVE,
          "Kleibergen-Paap F",
        );
      }
    });
  }
});
